"""Rounds: created from a round file, opened, closed; their cases and expectations."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Conflict, Unprocessable
from collector.services.audit import record
from collector.services.lookup import round_by_slug
from models.enums import Role, RoundStatus
from models.people import Agency, Member
from models.roundfile import RoundFile
from models.rounds import (
    Action,
    Case,
    CasePublic,
    Expectation,
    ExpectationPublic,
    Round,
    RoundPublic,
)
from models.tool import ToolNotFound, available_tools, load_tool
from report.reminders import policy_from


async def create_round(*, session: AsyncSession, actor: Actor, data: RoundFile) -> RoundPublic:
    """Create a round, its agencies (new codes only), cases, expectations and actions."""
    actor.require(Role.coordinator)
    try:
        load_tool(data.tool_version)
    except ToolNotFound:
        raise Unprocessable(
            f"There is no audit tool '{data.tool_version}'. "
            f"Available: {', '.join(available_tools())}.",
            code="unknown_tool",
        ) from None
    try:
        policy_from(data.reminders)
    except ValueError as exc:
        raise Unprocessable(str(exc), code="invalid_policy") from None
    if (await session.execute(select(Round.id).where(Round.slug == data.slug))).scalar():
        raise Conflict(f"A round '{data.slug}' already exists.", code="round_exists")
    round_ = Round(
        slug=data.slug,
        title=data.title,
        theme=data.theme,
        partnership=data.partnership,
        scope=data.scope,
        opens_at=data.opens_at,
        due_at=data.due_at,
        tool_version=data.tool_version,
        reminder_policy=data.reminders,
        concern_escalate_minutes=data.concerns.escalate_after_minutes,
        screen_allow=data.screening.allow if data.screening else None,
    )
    session.add(round_)
    existing = {
        a.code: a
        for a in (
            await session.execute(
                select(Agency).where(Agency.code.in_([a.code for a in data.agencies]))
            )
        ).scalars()
    }
    agencies = {}
    for entry in data.agencies:
        agency = existing.get(entry.code) or Agency(code=entry.code, name=entry.name)
        if entry.safeguarding_procedure:  # the latest round file's instruction holds
            agency.safeguarding_procedure = entry.safeguarding_procedure
        session.add(agency)
        agencies[entry.code] = agency
    await session.flush()
    cases = {
        c.reference: Case(round_id=round_.id, reference=c.reference, note=c.note)
        for c in data.cases
    }
    session.add_all(cases.values())
    await session.flush()
    # Expectations go in agency order, so the round file's agency order is the report's.
    pairs = data.expectation_pairs()
    order = {a.code: i for i, a in enumerate(data.agencies)}
    for (code, ref), status in sorted(pairs.items(), key=lambda p: order[p[0][0]]):
        session.add(
            Expectation(
                round_id=round_.id,
                agency_id=agencies[code].id,
                case_id=cases[ref].id,
                status=status,
            )
        )
    owners = await _owner_ids(session, data)
    for number, a in enumerate(data.actions, start=1):
        session.add(
            Action(
                round_id=round_.id,
                number=number,
                recommendation=a.recommendation,
                owner=a.owner,
                owner_member_id=owners.get(a.owner_telegram_id or 0),
                due_at=a.due_at,
            )
        )
    await session.flush()
    # Owners named by a Telegram id nobody is enrolled with: kept in the trail, so it can be seen.
    unknown = [
        n
        for n, a in enumerate(data.actions, start=1)
        if a.owner_telegram_id is not None and a.owner_telegram_id not in owners
    ]
    record(
        session,
        actor=actor,
        action="round.create",
        entity="round",
        entity_id=round_.id,
        after={"slug": data.slug, "agencies": len(agencies), "cases": len(cases)}
        | ({"action_owners_not_members": unknown} if unknown else {}),
    )
    return RoundPublic.model_validate(round_, from_attributes=True)


async def _owner_ids(session: AsyncSession, data: RoundFile) -> dict[int, int]:
    """Telegram id -> member id for the action owners who are members already."""
    wanted = {a.owner_telegram_id for a in data.actions if a.owner_telegram_id is not None}
    if not wanted:
        return {}
    rows = await session.execute(
        select(Member.telegram_id, Member.id).where(Member.telegram_id.in_(wanted))
    )
    return {tid: mid for tid, mid in rows.all()}


async def list_rounds(
    *, session: AsyncSession, status: RoundStatus | None = None
) -> list[RoundPublic]:
    query = select(Round).order_by(Round.opens_at.desc())
    if status:
        query = query.where(Round.status == status)
    return [
        RoundPublic.model_validate(r, from_attributes=True)
        for r in (await session.execute(query)).scalars()
    ]


async def get_round(*, session: AsyncSession, slug: str) -> RoundPublic:
    return RoundPublic.model_validate(await round_by_slug(session, slug), from_attributes=True)


async def set_round_status(
    *, session: AsyncSession, actor: Actor, slug: str, status: RoundStatus
) -> RoundPublic:
    """Open or close a round; doing it again changes nothing."""
    actor.require(Role.coordinator)
    round_ = await round_by_slug(session, slug)
    if round_.status != status:
        before = round_.status
        round_.status = status
        record(
            session,
            actor=actor,
            action=f"round.{'open' if status == RoundStatus.open else 'close'}",
            entity="round",
            entity_id=round_.id,
            before={"status": before},
            after={"status": status},
        )
    return RoundPublic.model_validate(round_, from_attributes=True)


async def list_expectations(
    *, session: AsyncSession, actor: Actor, slug: str
) -> list[ExpectationPublic]:
    """Every expectation for coordinators and viewers; one's own agency's for everyone else."""
    round_ = await round_by_slug(session, slug)
    query = (
        select(Expectation.id, Agency.code, Case.reference, Expectation.status)
        .join(Agency, Agency.id == Expectation.agency_id)
        .join(Case, Case.id == Expectation.case_id)
        .where(Expectation.round_id == round_.id)
        .order_by(Agency.code, Case.id)
    )
    if actor.role not in (Role.coordinator, Role.viewer):
        query = query.where(Expectation.agency_id == (actor.agency_id or -1))
    return [
        ExpectationPublic(id=i, agency=a, case=c, status=s)
        for i, a, c, s in (await session.execute(query)).all()
    ]


async def list_cases(*, session: AsyncSession, slug: str) -> list[CasePublic]:
    """The round's cohort, in the round file's order."""
    round_ = await round_by_slug(session, slug)
    rows = await session.execute(select(Case).where(Case.round_id == round_.id).order_by(Case.id))
    return [CasePublic.model_validate(c, from_attributes=True) for c in rows.scalars()]
