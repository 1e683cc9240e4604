"""The coordinator's text of each report section: every version kept, saves checked against the
version they started from (a stale base is a conflict, never a silent overwrite), and what is
written beside the text: drafted statements and the evidence behind them."""

import asyncio

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import BadRequest, Conflict, NotFound, Unprocessable
from collector.services.audit import record
from collector.services.lookup import round_by_slug
from collector.services.report_cache import Drafted, ReportCache, draft
from collector.services.report_doc import (
    READERS,
    current_texts,
    ensure_draft,
    load_doc,
    report_snapshot,
)
from collector.services.snapshot import take_snapshot
from models.enums import Role
from models.report_doc import ReportSectionVersion, SectionTextPublic
from models.rounds import Round
from models.screening import describe, screen
from report.evidence import EvidencePage, EvidenceRefused, evidence
from report.sections import SectionKind, SectionPlan, find_section, plan_sections
from report.snapshot import RoundSnapshot
from report.statements import Statement, draft_statements


def _section(snapshot: RoundSnapshot, key: str) -> SectionPlan:
    found = find_section(snapshot, key)
    if found is None:
        keys = ", ".join(s.key for s in plan_sections(snapshot))
        raise NotFound(f"This report has no section '{key}'. Its sections: {keys}.")
    return found


async def _versions(session: AsyncSession, round_id: int, key: str) -> list[ReportSectionVersion]:
    rows = await session.execute(
        select(ReportSectionVersion)
        .where(ReportSectionVersion.round_id == round_id, ReportSectionVersion.section == key)
        .order_by(ReportSectionVersion.version)
    )
    return list(rows.scalars())


async def _latest(session: AsyncSession, round_id: int, key: str) -> ReportSectionVersion | None:
    rows = await session.execute(
        select(ReportSectionVersion)
        .where(ReportSectionVersion.round_id == round_id, ReportSectionVersion.section == key)
        .order_by(ReportSectionVersion.version.desc())
        .limit(1)
    )
    return rows.scalar()


def _view(key: str, v: ReportSectionVersion | None) -> SectionTextPublic:
    if v is None:
        return SectionTextPublic(section=key, version=0, text="")
    return SectionTextPublic(
        section=key, version=v.version, text=v.text, author=v.author, created_at=v.created_at
    )


async def _drafted(session: AsyncSession, slug: str, cache: ReportCache | None) -> Drafted:
    return await cache.get(session, slug) if cache is not None else await draft(session, slug)


async def list_sections(
    *, session: AsyncSession, actor: Actor, slug: str, cache: ReportCache | None = None
) -> list[dict]:
    """Every section in report order, with its current version and how many statements MAA
    offers for it. cache: the caller's ReportCache (the desk's), to skip re-reading the round."""
    actor.require(*READERS)
    drafted = await _drafted(session, slug, cache)
    snapshot, statements = drafted.snapshot, drafted.statements
    round_ = await round_by_slug(session, slug)
    # The texts now, not the snapshot's: a cached snapshot may be older than the last save.
    texts = await current_texts(session, round_.id)
    return [
        {
            "key": s.key,
            "title": s.title,
            "kind": s.kind.value,
            "agency": s.agency,
            "version": texts[s.key].version if s.key in texts else 0,
            "has_text": s.key in texts and bool(texts[s.key].text.strip()),
            "statements": len(statements.get(s.key, [])),
        }
        for s in plan_sections(snapshot)
    ]


async def get_section(
    *, session: AsyncSession, actor: Actor, slug: str, key: str
) -> SectionTextPublic:
    actor.require(*READERS)
    round_ = await round_by_slug(session, slug)
    return _view(key, await _latest(session, round_.id, key))


async def list_versions(
    *, session: AsyncSession, actor: Actor, slug: str, key: str
) -> list[SectionTextPublic]:
    """Every saved version, oldest first: who wrote it, when, and the text."""
    actor.require(*READERS)
    round_ = await round_by_slug(session, slug)
    return [_view(key, v) for v in await _versions(session, round_.id, key)]


async def _check_key(
    session: AsyncSession, slug: str, key: str, cache: ReportCache | None = None
) -> None:
    if cache is not None:  # the kept round is current (its version was just checked)
        _section((await cache.get(session, slug)).snapshot, key)
        return
    # Which sections exist turns on who returned (and, for the comparison, on a previous
    # round), not on the answers: read the round without them, so a save does not read every
    # narrative of a big round.
    skeleton = await take_snapshot(
        session=session, slug=slug, with_previous=key == SectionKind.comparison, only_keys=[]
    )
    _section(skeleton, key)


async def save_section(
    *,
    session: AsyncSession,
    actor: Actor,
    slug: str,
    key: str,
    text: str,
    base_version: int,
    cache: ReportCache | None = None,
) -> SectionTextPublic:
    """Store a new version of a section's text, made from `base_version` (0: the first text).

    Someone else saved since that version: a conflict carrying both texts, and nothing stored.
    """
    actor.require(Role.coordinator)
    round_ = await round_by_slug(session, slug)
    doc = await load_doc(session, round_, write=True)
    ensure_draft(doc)
    await _check_key(session, slug, key, cache)
    findings = screen(text)
    if findings:
        raise Unprocessable(
            describe(findings).replace("This answer", "This text"),
            code="identifiers_found",
            findings=[{"kind": f.kind, "label": f.label, "text": f.text} for f in findings],
        )
    return await _store(session, actor, round_, key, text, base_version)


async def _store(
    session: AsyncSession, actor: Actor, round_: Round, key: str, text: str, base_version: int
) -> SectionTextPublic:
    latest = await _latest(session, round_.id, key)
    current = latest.version if latest else 0
    if base_version != current:
        raise Conflict(
            f"Someone saved this section (version {current}) since you started from version "
            f"{base_version}. Nothing was saved: compare both texts and save again from version "
            f"{current}.",
            code="edit_conflict",
            current_version=current,
            current_text=latest.text if latest else "",
            current_author=latest.author if latest else None,
            your_text=text,
            base_version=base_version,
        )
    if latest is not None and latest.text == text:
        return _view(key, latest)  # the same text again: no new version
    row = ReportSectionVersion(
        round_id=round_.id,
        section=key,
        version=current + 1,
        text=text,
        author=actor.label,
        author_id=actor.member_id,
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        # Another save of the same base won the race for this version number.
        raise Conflict(
            "Someone saved this section at the same moment. Nothing was saved: reload it and "
            "save again.",
            code="edit_conflict",
            current_version=current + 1,
            your_text=text,
            base_version=base_version,
        ) from None
    record(
        session,
        actor=actor,
        action="report.section.save",
        entity="report_section",
        entity_id=row.id,
        before={"section": key, "version": current},
        after={"section": key, "version": row.version, "characters": len(text)},
    )
    return _view(key, row)


async def section_statements(
    *, session: AsyncSession, actor: Actor, slug: str, key: str, cache: ReportCache | None = None
) -> list[Statement]:
    actor.require(*READERS)
    drafted = await _drafted(session, slug, cache)
    _section(drafted.snapshot, key)
    return drafted.statements.get(key, [])


async def insert_statement(
    *,
    session: AsyncSession,
    actor: Actor,
    slug: str,
    key: str,
    statement_id: str,
    base_version: int,
) -> SectionTextPublic:
    """Append a drafted statement to the section's text as a new version, to edit from there."""
    actor.require(Role.coordinator)
    round_ = await round_by_slug(session, slug)
    doc = await load_doc(session, round_, write=True)
    ensure_draft(doc)
    snapshot = await report_snapshot(session=session, slug=slug)
    _section(snapshot, key)
    drafted = await asyncio.to_thread(draft_statements, snapshot)
    found = next((s for s in drafted.get(key, []) if s.id == statement_id), None)
    if found is None:
        raise NotFound(f"Section '{key}' has no drafted statement '{statement_id}'.")
    latest = await _latest(session, round_.id, key)
    before = latest.text.rstrip() if latest else ""
    text = f"{before}\n\n{found.text}" if before else found.text
    return await _store(session, actor, round_, key, text, base_version)


async def section_evidence(
    *,
    session: AsyncSession,
    actor: Actor,
    slug: str,
    key: str,
    theme: str | None = None,
    case: str | None = None,
    grade: str | None = None,
    page: int = 1,
    per_page: int = 50,
    cache: ReportCache | None = None,
) -> EvidencePage:
    actor.require(*READERS)
    if cache is not None:
        snapshot = (await cache.get(session, slug)).snapshot
    else:
        snapshot = await report_snapshot(session=session, slug=slug)
    section = _section(snapshot, key)
    try:
        return evidence(
            snapshot, section, theme=theme, case=case, grade=grade, page=page, per_page=per_page
        )
    except EvidenceRefused as exc:
        raise BadRequest(str(exc), code="invalid_filter") from None
