"""`maa rotate-key`: every stored narrative re-encrypted under the current data key, in batches,
so the old key can then be dropped from MAA_DATA_KEY. Safe while the service runs: each batch
locks its rows (PostgreSQL) or holds the write lock (SQLite) between reading and rewriting."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from collector.auth import Actor
from collector.db import Database
from collector.sealing import is_sealed, key_id, reseal, seal, seal_json, unseal, unseal_json
from collector.services.audit import record
from models.ops import AuditEvent
from models.report_doc import ReportDoc
from models.retention import RoundArchive
from models.returns import Answer

BATCH = 500


@dataclass
class Rotated:
    answers: int = 0
    events: int = 0
    archives: int = 0
    final_reports: int = 0


def _stale(value: Any, current: str | None) -> bool:
    """Text not sealed under the current key (plain, or sealed under an older one)."""
    return isinstance(value, str) and (not is_sealed(value) or key_id(value) != current)


def _stale_dict(values: Any, current: str | None) -> bool:
    return isinstance(values, dict) and any(_stale(v, current) for v in values.values())


async def _rotate_table(db: Database, table: Any, fix: Any, current: str | None) -> int:
    changed, last = 0, 0
    while True:
        async with db.write() as session:
            rows = (
                await session.execute(
                    select(table).where(table.id > last).order_by(table.id).limit(BATCH)
                    .with_for_update()
                )
            ).scalars().all()  # fmt: skip
            if not rows:
                return changed
            for row in rows:
                values = fix(row, current)
                if values:
                    await session.execute(update(table).where(table.id == row.id).values(**values))
                    changed += 1
            last = rows[-1].id


def _answer(row: Answer, current: str | None) -> dict[str, Any] | None:
    return {"value": reseal(row.value)} if _stale(row.value, current) else None


def _event(row: AuditEvent, current: str | None) -> dict[str, Any] | None:
    if row.action != "answer.put":
        return None
    if not (_stale_dict(row.before, current) or _stale_dict(row.after, current)):
        return None
    again = {k: reseal(v) for k, v in (row.before or {}).items()}
    return {"before": again or None, "after": {k: reseal(v) for k, v in row.after.items()}}


async def rotate(*, db: Database, actor: Actor, current: str | None) -> Rotated:
    """Re-encrypt answers, the answer values in the audit trail and kept reports."""
    done = Rotated()
    done.answers = await _rotate_table(db, Answer, _answer, current)
    done.events = await _rotate_table(db, AuditEvent, _event, current)
    async with db.write() as session:
        for archive in (await session.execute(select(RoundArchive).with_for_update())).scalars():
            if _stale(archive.report_md, current):
                archive.report_md = seal(unseal(archive.report_md))
                archive.report = seal_json(unseal_json(archive.report))
                done.archives += 1
        for doc in (await session.execute(select(ReportDoc).with_for_update())).scalars():
            stored = doc.frozen
            if stored is not None and (
                set(stored) != {"sealed"} or _stale(stored["sealed"], current)
            ):
                doc.frozen = seal_json(unseal_json(stored))
                done.final_reports += 1
        record(
            session,
            actor=actor,
            action="data.rotate_key",
            entity="data_key",
            entity_id=None,
            after={"key_id": current, **done.__dict__},
        )
    return done
