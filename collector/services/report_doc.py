"""The overview report's settings and status: draft or final, finalising and reopening, and the
snapshot every report download is rendered from (the frozen one while the report is final)."""

from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Conflict
from collector.sealing import seal_json, unseal_json
from collector.services.audit import record
from collector.services.lookup import round_by_slug
from collector.services.moderation import ensure_no_open_queries
from collector.services.snapshot import take_snapshot
from models.base import utcnow
from models.enums import ReportStatus, Role, RoundStatus
from models.people import Member
from models.report_doc import ReportDoc, ReportInfoPublic, ReportInfoUpdate, ReportSectionVersion
from models.rounds import Round
from report.frozen import from_json, to_json
from report.snapshot import RoundSnapshot, Writeup

READERS = (Role.coordinator, Role.viewer)


async def load_doc(session: AsyncSession, round_: Round, *, write: bool = False) -> ReportDoc:
    """The round's report row; made (draft, defaults) the first time anyone writes."""
    query = select(ReportDoc).where(ReportDoc.round_id == round_.id)
    if write:
        query = query.with_for_update()
    doc = (await session.execute(query)).scalar()
    if doc is None:
        doc = ReportDoc(round_id=round_.id)
        if write:
            try:
                async with session.begin_nested():  # two first writers: one row, no error
                    session.add(doc)
            except IntegrityError:
                doc = (await session.execute(query)).scalar_one()
    return doc


def ensure_draft(doc: ReportDoc) -> None:
    if doc.status == ReportStatus.final:
        raise Conflict(
            "The report is final: its text and figures are frozen. A coordinator can reopen it "
            "with a reason.",
            code="report_final",
        )


def info_view(doc: ReportDoc, slug: str) -> ReportInfoPublic:
    return ReportInfoPublic(
        round=slug,
        status=doc.status,
        authors=doc.authors,
        report_date=doc.report_date,
        distribution=doc.distribution,
        caution_size=doc.caution_size,
        finalised_at=doc.finalised_at,
        finalised_by=doc.finalised_by,
        reopened_at=doc.reopened_at,
        reopened_by=doc.reopened_by,
        reopen_reason=doc.reopen_reason,
    )


async def get_info(*, session: AsyncSession, actor: Actor, slug: str) -> ReportInfoPublic:
    actor.require(*READERS)
    round_ = await round_by_slug(session, slug)
    return info_view(await load_doc(session, round_), slug)


async def update_info(
    *, session: AsyncSession, actor: Actor, slug: str, data: ReportInfoUpdate
) -> ReportInfoPublic:
    """Authors, date, distribution line and the cohort size under which a caution is drafted."""
    actor.require(Role.coordinator)
    round_ = await round_by_slug(session, slug)
    doc = await load_doc(session, round_, write=True)
    ensure_draft(doc)
    changes = data.model_dump(exclude_none=True)
    before = {k: getattr(doc, k) for k in changes}
    if changes != before:
        for k, v in changes.items():
            setattr(doc, k, v)
        doc.updated_at = utcnow()
        record(
            session,
            actor=actor,
            action="report.info",
            entity="report",
            entity_id=doc.id,
            before=before,
            after=changes,
        )
    return info_view(doc, slug)


async def current_texts(session: AsyncSession, round_id: int) -> dict[str, ReportSectionVersion]:
    """The newest version of every section that has text."""
    newest = (
        select(ReportSectionVersion.section, func.max(ReportSectionVersion.version).label("v"))
        .where(ReportSectionVersion.round_id == round_id)
        .group_by(ReportSectionVersion.section)
        .subquery()
    )
    rows = await session.execute(
        select(ReportSectionVersion)
        .join(
            newest,
            (ReportSectionVersion.section == newest.c.section)
            & (ReportSectionVersion.version == newest.c.v),
        )
        .where(ReportSectionVersion.round_id == round_id)
    )
    return {v.section: v for v in rows.scalars()}


def _writeup(doc: ReportDoc, texts: dict[str, ReportSectionVersion]) -> Writeup:
    return Writeup(
        texts={k: v.text for k, v in sorted(texts.items()) if v.text.strip()},
        authors=doc.authors,
        report_date=doc.report_date,
        distribution=doc.distribution,
        caution_size=doc.caution_size,
    )


async def report_snapshot(
    *, session: AsyncSession, slug: str, annex: bool = True, theme_threshold: int | None = None
) -> RoundSnapshot:
    """What the report is rendered from: while final, exactly what was finalised (the threshold
    too), so every download of a final report is the same document; else the live round."""
    round_ = await round_by_slug(session, slug)
    doc = await load_doc(session, round_)
    if doc.status == ReportStatus.final and doc.frozen:
        return replace(from_json(unseal_json(doc.frozen)), annex=annex)  # SEALING: read
    snapshot = await take_snapshot(session=session, slug=slug)
    writeup = _writeup(doc, await current_texts(session, round_.id))
    snapshot = replace(snapshot, writeup=writeup, annex=annex)
    if theme_threshold is not None:
        snapshot = replace(snapshot, theme_threshold=theme_threshold)
    return snapshot


async def _actor_name(session: AsyncSession, actor: Actor) -> str:
    if actor.member_id is None:
        return "the maa command"
    name = await session.scalar(select(Member.display_name).where(Member.id == actor.member_id))
    return name or actor.label


async def finalise(
    *, session: AsyncSession, actor: Actor, slug: str, theme_threshold: int | None = None
) -> ReportInfoPublic:
    """Freeze the report: the round's figures and every section's text as they stand now."""
    actor.require(Role.coordinator)
    round_ = await round_by_slug(session, slug)
    doc = await load_doc(session, round_, write=True)
    ensure_draft(doc)
    if round_.status != RoundStatus.closed:
        raise Conflict(
            "Close the round before finalising its report: returns can still change the figures.",
            code="round_not_closed",
        )
    await ensure_no_open_queries(session, round_)  # moderation first (services/moderation)
    snapshot = await report_snapshot(session=session, slug=slug, theme_threshold=theme_threshold)
    now = utcnow()
    name = await _actor_name(session, actor)
    writeup = replace(snapshot.writeup, final=True, finalised_at=now, finalised_by=name)
    # SEALING: the frozen copy holds every narrative of the annex
    doc.frozen = seal_json(to_json(replace(snapshot, writeup=writeup, annex=True)))
    doc.status = ReportStatus.final
    doc.finalised_at, doc.finalised_by = now, name
    doc.updated_at = now
    record(
        session,
        actor=actor,
        action="report.finalise",
        entity="report",
        entity_id=doc.id,
        before={"status": "draft"},
        after={"status": "final", "sections_with_text": sorted(writeup.texts)},
    )
    return info_view(doc, slug)


async def reopen(
    *, session: AsyncSession, actor: Actor, slug: str, reason: str
) -> ReportInfoPublic:
    """Back to draft, with the reason kept on the report and in the audit trail."""
    actor.require(Role.coordinator)
    round_ = await round_by_slug(session, slug)
    doc = await load_doc(session, round_, write=True)
    if doc.status != ReportStatus.final:
        raise Conflict("The report is a draft already: there is nothing to reopen.", code="draft")
    now = utcnow()
    doc.status = ReportStatus.draft
    doc.frozen = None  # every text stays in the section versions; the audit trail keeps when
    doc.reopened_at, doc.reopened_by = now, await _actor_name(session, actor)
    doc.reopen_reason = reason.strip()
    doc.updated_at = now
    record(
        session,
        actor=actor,
        action="report.reopen",
        entity="report",
        entity_id=doc.id,
        before={
            "status": "final",
            "finalised_at": doc.finalised_at.isoformat() if doc.finalised_at else None,
        },
        after={"status": "draft", "reason": doc.reopen_reason},
    )
    return info_view(doc, slug)
