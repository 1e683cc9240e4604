"""A round's report snapshot and drafted statements, kept while nothing changes.

Reading a 20,000-return round and drafting its statements takes a second or more; the writing
page asks for both at every view of a section. Every write records an audit event (and a
reminder's sending stamps its row), so `changes_so_far` moving is exactly "something may have
changed": the cached pair is true while the version holds.
"""

import asyncio
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.services.report_doc import report_snapshot
from models.base import utcnow
from models.ops import AuditEvent, Reminder
from report.snapshot import RoundSnapshot
from report.statements import Statement, draft_statements


async def changes_so_far(session: AsyncSession) -> tuple[int, str]:
    """Changes so far: the newest audit event, and the newest reminder sent."""
    last = (await session.execute(select(func.max(AuditEvent.id)))).scalar() or 0
    sent = (await session.execute(select(func.max(Reminder.sent_at)))).scalar()
    return last, sent.isoformat() if sent else ""


@dataclass(frozen=True)
class Drafted:
    snapshot: RoundSnapshot
    statements: dict[str, list[Statement]]


@dataclass(frozen=True)
class _Entry:
    version: tuple[int, str, str]
    drafted: Drafted


async def draft(session: AsyncSession, slug: str) -> Drafted:
    """The report's snapshot (the frozen one while final) and its drafted statements, uncached."""
    snapshot = await report_snapshot(session=session, slug=slug)
    statements = await asyncio.to_thread(draft_statements, snapshot)  # CPU: off the event loop
    return Drafted(snapshot, statements)


# Saving a section's text changes neither the figures, the statements nor the evidence. The
# cached snapshot's own copy of the texts may then be older: readers take texts from the
# section versions (report_text.list_sections, get_section), never from a cached snapshot.
TEXT_ONLY = "report.section.save"


async def _only_texts_since(
    session: AsyncSession, was: tuple[int, str, str], now: tuple[int, str, str]
) -> bool:
    if was[1:] != now[1:]:
        return False
    others = await session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.id > was[0], AuditEvent.id <= now[0], AuditEvent.action != TEXT_ONLY)
    )
    return others == 0


class ReportCache:
    """One entry per round; one rebuild at a time per round, shared by the requests meanwhile."""

    def __init__(self, most: int = 8) -> None:
        self.most = most  # a big round's snapshot is tens of megabytes: keep few
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, session: AsyncSession, slug: str) -> Drafted:
        # The version is read before the snapshot, in the same transaction: a change landing
        # meanwhile makes the next request rebuild; figures are never older than they claim.
        # The day too: "late" and "not yet received" turn on the date the snapshot was taken.
        version = (*await changes_so_far(session), utcnow().date().isoformat())
        entry = self._entries.get(slug)
        if entry and entry.version == version:
            return entry.drafted
        if entry and await _only_texts_since(session, entry.version, version):
            self._entries[slug] = _Entry(version, entry.drafted)
            return entry.drafted
        async with self._locks.setdefault(slug, asyncio.Lock()):
            entry = self._entries.get(slug)
            if entry and entry.version == version:
                return entry.drafted
            drafted = await draft(session, slug)
            if slug not in self._entries and len(self._entries) >= self.most:
                self._entries.pop(next(iter(self._entries)))
            self._entries[slug] = _Entry(version, drafted)
            return drafted
