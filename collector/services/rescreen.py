"""Re-screening a round's stored narratives with the current rules (`maa screen SLUG`).

After a rule changes, coordinators need to know which answers to ask their authors to edit:
which return, which question, which kind of finding. Never the text or what was found in it.
"""

import asyncio
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.services.lookup import round_by_slug
from models.people import Agency
from models.returns import Answer, AuditReturn
from models.rounds import Case
from models.screening import find_names, screen
from models.tool import TextQuestion, load_tool


@dataclass(frozen=True)
class Rescreened:
    """One stored answer the current rules would not let through as it is."""

    return_id: int
    agency: str
    case: str
    question: str
    kinds: tuple[str, ...]  # hard kinds (refused now); "name" for a possible name (a warning)
    refused: bool  # False: only a possible name, which its author may have confirmed


@dataclass(frozen=True)
class _Stored:
    return_id: int
    agency: str
    case: str
    question: str
    text: str


def _check(rows: list[_Stored], allow: tuple[str, ...]) -> list[Rescreened]:
    out = []
    for row in rows:
        hard = sorted({f.kind for f in screen(row.text)})
        names = bool(find_names(row.text, allow))
        if hard or names:
            kinds = (*hard, *(("name",) if names else ()))
            out.append(
                Rescreened(row.return_id, row.agency, row.case, row.question, kinds, bool(hard))
            )
    return out


async def rescreen_round(*, session: AsyncSession, slug: str) -> list[Rescreened]:
    """Every narrative of the round, screened again; in return and question order."""
    round_ = await round_by_slug(session, slug)
    tool = load_tool(round_.tool_version)
    text_keys = [q.key for q in tool.questions if isinstance(q, TextQuestion)]
    order = {key: n for n, key in enumerate(text_keys)}
    result = await session.execute(
        select(AuditReturn.id, Agency.code, Case.reference, Answer.question_key, Answer.value)
        .join(Answer, Answer.return_id == AuditReturn.id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(Case, Case.id == AuditReturn.case_id)
        .where(AuditReturn.round_id == round_.id, Answer.question_key.in_(text_keys))
    )
    rows = [
        _Stored(rid, code, ref, key, value)
        for rid, code, ref, key, value in result
        if isinstance(value, str) and value
    ]
    rows.sort(key=lambda r: (r.return_id, order[r.question]))
    allow = tuple(round_.screen_allow or ())
    # Pure CPU work over every narrative of a round: off the event loop.
    return await asyncio.to_thread(_check, rows, allow)
