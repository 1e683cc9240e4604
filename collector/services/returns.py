"""Returns: open a draft, submit, reopen (answers: `collector.services.answers`)."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Conflict, Forbidden, NotFound, Unprocessable
from collector.sealing import unseal, unseal_all
from collector.services.audit import record
from collector.services.lookup import agency_by_code, case_by_ref, round_by_slug
from collector.services.return_rules import (
    NOT_YOURS,
    WRITERS,
    ReturnFacts,
    check_writable,
    confirm_cross_checks,
    may_write,
    return_public,
)
from collector.services.upsert import insert_for
from models.base import utcnow
from models.enums import ExpectationStatus, ReturnStatus, Role, RoundStatus
from models.ops import AuditEvent, AuditEventPublic
from models.people import Agency
from models.returns import Answer, AuditReturn, ReturnOpen, ReturnPublic
from models.rounds import Case, Expectation, Round
from models.tool import load_tool


class _Loaded:
    """A return with the names it is known by."""

    def __init__(self, ret: AuditReturn, round_: Round, agency: Agency, case: Case) -> None:
        self.ret, self.round, self.agency, self.case = ret, round_, agency, case

    @property
    def facts(self) -> ReturnFacts:
        return ReturnFacts(
            id=self.ret.id,
            status=self.ret.status,
            agency_id=self.agency.id,
            agency_code=self.agency.code,
            agency_name=self.agency.name,
            case_reference=self.case.reference,
            round_slug=self.round.slug,
            round_status=self.round.status,
            tool_version=self.round.tool_version,
            submitted_at=self.ret.submitted_at,
            reopened_reason=self.ret.reopened_reason,
            cross_check_reason=self.ret.cross_check_reason,
            allow=tuple(self.round.screen_allow or ()),
        )


async def _expected(session: AsyncSession, round_id: int, agency_id: int, case_id: int) -> bool:
    status = (
        await session.execute(
            select(Expectation.status).where(
                Expectation.round_id == round_id,
                Expectation.agency_id == agency_id,
                Expectation.case_id == case_id,
            )
        )
    ).scalar()
    return status == ExpectationStatus.expected


async def _load(session: AsyncSession, actor: Actor, return_id: int, *, write: bool) -> _Loaded:
    """The return if the actor may see it (or write it); otherwise one and the same 403."""
    query = (
        select(AuditReturn, Round, Agency, Case)
        .join(Round, Round.id == AuditReturn.round_id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(Case, Case.id == AuditReturn.case_id)
        .where(AuditReturn.id == return_id)
    )
    if write:
        query = query.with_for_update(of=AuditReturn)  # one writer per return on PostgreSQL
    row = (await session.execute(query)).first()
    loaded = _Loaded(*row) if row is not None else None
    if write:
        may_write(actor, loaded.facts if loaded else None)
        return loaded
    coordinator = actor.role == Role.coordinator
    if loaded is None:
        if coordinator:
            raise NotFound(f"There is no return {return_id}.")
        raise Forbidden(NOT_YOURS)
    own = actor.agency_id is not None and actor.agency_id == loaded.ret.agency_id
    if not (coordinator or (own and actor.role in WRITERS)):
        raise Forbidden(NOT_YOURS)
    return loaded


async def _answers(session: AsyncSession, return_id: int) -> dict[str, Any]:
    rows = await session.execute(
        select(Answer.question_key, Answer.value).where(Answer.return_id == return_id)
    )
    return {key: unseal(value) for key, value in rows.all()}  # SEALING: read


async def _public(session: AsyncSession, loaded: _Loaded) -> ReturnPublic:
    return return_public(loaded.facts, await _answers(session, loaded.ret.id))


async def open_return(*, session: AsyncSession, actor: Actor, data: ReturnOpen) -> ReturnPublic:
    """Open the draft for (round, agency, case), or fetch it if it exists already."""
    if actor.role not in WRITERS or actor.agency_id is None:
        raise Forbidden(NOT_YOURS)
    round_ = await round_by_slug(session, data.round)
    agency = await agency_by_code(session, data.agency) if data.agency else None
    if agency is not None and agency.id != actor.agency_id:
        raise Forbidden(NOT_YOURS)
    case = await case_by_ref(session, round_, data.case)
    if not await _expected(session, round_.id, actor.agency_id, case.id):
        raise Forbidden(NOT_YOURS)
    find = select(AuditReturn.id).where(
        AuditReturn.round_id == round_.id,
        AuditReturn.agency_id == actor.agency_id,
        AuditReturn.case_id == case.id,
    )
    ret_id = (await session.execute(find)).scalar()
    if ret_id is None:
        if round_.status != RoundStatus.open:
            raise Conflict(f"Round '{round_.slug}' is not open for returns.", code="round_not_open")
        now = utcnow()
        inserted = await session.execute(
            insert_for(session, AuditReturn)
            .values(
                round_id=round_.id,
                agency_id=actor.agency_id,
                case_id=case.id,
                status=ReturnStatus.draft,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["round_id", "agency_id", "case_id"])
            .returning(AuditReturn.id)
        )
        ret_id = inserted.scalar()
        if ret_id is None:  # another request opened it a moment ago
            ret_id = (await session.execute(find)).scalar_one()
        else:
            record(
                session,
                actor=actor,
                action="return.open",
                entity="return",
                entity_id=ret_id,
                after={"round": round_.slug, "case": case.reference},
            )
    return await _public(session, await _load(session, actor, ret_id, write=False))


async def get_return(*, session: AsyncSession, actor: Actor, return_id: int) -> ReturnPublic:
    return await _public(session, await _load(session, actor, return_id, write=False))


async def submit_return(
    *, session: AsyncSession, actor: Actor, return_id: int, confirm_reason: str | None = None
) -> ReturnPublic:
    """Submit when every required question is answered and the cross-checks are fixed or
    confirmed with a reason (`confirm_reason`, screened like a narrative); submitting again
    changes nothing."""
    loaded = await _load(session, actor, return_id, write=True)
    if loaded.ret.status == ReturnStatus.submitted:
        return await _public(session, loaded)
    check_writable(loaded.facts)
    public = await _public(session, loaded)
    if public.missing:
        tool = load_tool(loaded.round.tool_version)
        titles = ", ".join(tool.question(k).title for k in public.missing)
        raise Unprocessable(
            f"Some required questions are not answered yet: {titles}.",
            code="incomplete",
            missing=public.missing,
        )
    reason = confirm_cross_checks(public.cross_checks, confirm_reason)
    before = loaded.ret.status
    loaded.ret.cross_check_reason = reason
    loaded.ret.status = ReturnStatus.submitted
    loaded.ret.submitted_at = loaded.ret.updated_at = utcnow()
    loaded.ret.submitted_by = actor.member_id
    record(
        session,
        actor=actor,
        action="return.submit",
        entity="return",
        entity_id=return_id,
        before={"status": before},
        after={"status": ReturnStatus.submitted},
    )
    if reason is not None:
        record(
            session,
            actor=actor,
            action="return.cross_check_confirm",
            entity="return",
            entity_id=return_id,
            before=None,
            after={"checks": [f.key for f in public.cross_checks], "reason": reason},
        )
    return await _public(session, loaded)


async def reopen_return(
    *, session: AsyncSession, actor: Actor, return_id: int, reason: str
) -> ReturnPublic:
    """Coordinators reopen a submitted return, saying why."""
    actor.require(Role.coordinator)
    loaded = await _load(session, actor, return_id, write=False)
    if loaded.ret.status != ReturnStatus.submitted:
        raise Conflict("Only a submitted return can be reopened.", code="not_submitted")
    loaded.ret.status = ReturnStatus.reopened
    loaded.ret.reopened_reason = reason
    loaded.ret.cross_check_reason = None  # it spoke for that submission; the trail keeps it
    loaded.ret.updated_at = utcnow()
    record(
        session,
        actor=actor,
        action="return.reopen",
        entity="return",
        entity_id=return_id,
        before={"status": ReturnStatus.submitted},
        after={"status": ReturnStatus.reopened, "reason": reason},
    )
    return await _public(session, loaded)


async def return_audit(
    *, session: AsyncSession, actor: Actor, return_id: int
) -> list[AuditEventPublic]:
    await _load(session, actor, return_id, write=False)
    rows = await session.execute(
        select(AuditEvent)
        .where(AuditEvent.entity == "return", AuditEvent.entity_id == return_id)
        .order_by(AuditEvent.id)
    )
    return [
        AuditEventPublic.model_validate(e, from_attributes=True).model_copy(
            update={"before": unseal_all(e.before), "after": unseal_all(e.after)}  # SEALING: read
        )
        for e in rows.scalars()
    ]
