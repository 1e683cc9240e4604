"""The learning workshop pack as plain data: what the DOCX and the PDF both print.

Built from one round snapshot (submitted returns only), reusing the overview report's rules
(themes, the case grid and which cases differ, the action plan, the audit-standards figures),
so the pack and the report never disagree. Excerpts are short and screened again when the pack
is made: an excerpt with an identifier is left out, a possible name becomes "[name]", because
a pack is printed and handed round a room.
"""

import re
from dataclasses import dataclass, field

from models.screening import find_names, screen
from models.tool import MultichoiceQuestion, TextQuestion
from report.model import ActionLine, Descriptor, MatrixRow, OverviewReport
from report.snapshot import ReturnRow, RoundSnapshot
from report.standards import HEADERS as STANDARDS_HEADERS
from report.standards import AgencyStandards, duration, standards
from report.standards import table as standards_table

EXCERPT_CHARS = 220  # about two lines of print
THEME_EXCERPTS = 3
AGENCY_EXCERPTS = 3
STRENGTHS, DEVELOPMENT = "good_practice", "development"  # MAA's tools' keys for these
THEME_TEXTS = ("learning", DEVELOPMENT, "joint_working", STRENGTHS)  # most telling first


@dataclass(frozen=True)
class Quote:
    case: str
    agency: str
    text: str


@dataclass(frozen=True)
class ThemeBlock:
    label: str
    agencies: list[str]
    cases: list[str]
    quotes: list[Quote]


@dataclass(frozen=True)
class AgencyBlock:
    agency: str
    returns: int
    strengths: list[Quote]
    development: list[Quote]


@dataclass(frozen=True)
class Divergent:
    case: str
    spread: int
    grades: list[str]  # one per agency of WorkshopPack.grid_agencies ("" not asked)


@dataclass(frozen=True)
class WorkshopPack:
    title: str
    theme: str
    partnership: str
    generated: str
    returns: int
    agencies_returning: int
    cases: int
    theme_threshold: int
    themes: list[ThemeBlock]
    agencies: list[AgencyBlock]
    grid_agencies: list[str]
    divergent: list[Divergent]
    min_steps: int
    questions: list[str]  # open questions for discussion
    actions: list[ActionLine]
    descriptors: list[Descriptor]
    standards_headers: list[str] = field(default_factory=lambda: list(STANDARDS_HEADERS))
    standards: list[list[str]] = field(default_factory=list)


def clip(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The opening of a narrative, cut at a sentence (or a word) within `limit` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    end = max(cut.rfind(". "), cut.rfind("; "))
    if end > limit // 3:
        return cut[: end + 1]
    return cut[: cut.rfind(" ")].rstrip(",;:") + "…"


def screened(text: str) -> str | None:
    """The excerpt fit to print: None if it holds an identifier, possible names masked."""
    short = clip(text)
    if screen(short):
        return None
    for f in find_names(short):
        short = re.sub(re.escape(f.text), "[name]", short)
    return short


def _quotes(rets: list[ReturnRow], keys: tuple[str, ...], names: dict[str, str], n: int) -> list:
    out: list[Quote] = []
    for r in rets:
        for key in keys:
            value = r.answers.get(key)
            text = screened(value) if isinstance(value, str) and value.strip() else None
            if text:
                out.append(Quote(r.case, names.get(r.agency, r.agency), text))
                break  # one quote per return: more voices, not more of one
        if len(out) >= n:
            break
    return out


def _themes(snapshot: RoundSnapshot, report: OverviewReport, names: dict[str, str]) -> list:
    order = {c.reference: i for i, c in enumerate(snapshot.cases)}
    texts = tuple(k for k in THEME_TEXTS if isinstance(snapshot.tool.question(k), TextQuestion))
    blocks = []
    for row in report.cross_cutting:
        q = next(
            q
            for q in snapshot.tool.questions
            if isinstance(q, MultichoiceQuestion) and q.title == row.question
        )
        key = next(o.key for o in q.options if o.label == row.label)
        rets = [r for r in snapshot.submitted if key in (r.answers.get(q.key) or [])]
        rets.sort(key=lambda r: order.get(r.case, len(order)))
        cases = sorted({r.case for r in rets}, key=lambda c: order.get(c, len(order)))
        blocks.append(
            ThemeBlock(row.label, row.agencies, cases, _quotes(rets, texts, names, THEME_EXCERPTS))
        )
    return blocks


def _agencies(snapshot: RoundSnapshot, names: dict[str, str]) -> list[AgencyBlock]:
    out = []
    for a in snapshot.agencies:
        rets = [r for r in snapshot.submitted if r.agency == a.code]
        if not rets:
            continue
        out.append(
            AgencyBlock(
                a.name,
                len(rets),
                _quotes(rets, (STRENGTHS,), names, AGENCY_EXCERPTS),
                _quotes(rets, (DEVELOPMENT,), names, AGENCY_EXCERPTS),
            )
        )
    return out


def _questions(
    report: OverviewReport, divergent: list[MatrixRow], rows: list[AgencyStandards]
) -> list[str]:
    """Open questions for the room, drawn from what the returns show."""
    qs = []
    for m in divergent[:5]:
        qs.append(
            f"Case {m.case}: agencies' grades are {m.spread} steps apart ({m.detail}). What did "
            "each agency know that the others did not, and would a shared view change the grade?"
        )
    for t in report.cross_cutting[:5]:
        qs.append(
            f"{t.label} was raised by {len(t.agencies)} agencies. What would make the most "
            "difference to it across the partnership, and who should lead?"
        )
    worded = [r for r in rows if r.median_words is not None]
    if len(worded) >= 2:
        lo = min(worded, key=lambda r: r.median_words or 0)
        hi = max(worded, key=lambda r: r.median_words or 0)
        if (
            hi.median_words
            and lo.median_words is not None
            and hi.median_words >= 2 * max(lo.median_words, 1)
        ):
            qs.append(
                f"{hi.name}'s written answers run to a median of {hi.median_words} words, "
                f"{lo.name}'s to {lo.median_words}. What should a good audit answer hold, "
                "whoever writes it?"
            )
    ungraded = [r for r in rows if r.not_graded]
    if ungraded:
        who = ", ".join(f"{r.name} ({r.not_graded})" for r in ungraded)
        qs.append(
            f"Some returns were not graded: {who}. Were these the right cases for those "
            "agencies to audit, and how should the cohort be chosen next time?"
        )
    slow = [r for r in rows if r.median_minutes is not None and r.median_minutes >= 7 * 1440]
    for r in slow[:2]:
        qs.append(
            f"{r.name} took a median of {duration(r.median_minutes)} from first answer to "
            "submission. What would make auditing easier to fit into the working week?"
        )
    qs.append("Which of the draft actions should change, and who will own each one?")
    return qs


def build_pack(snapshot: RoundSnapshot) -> WorkshopPack:
    report = snapshot.overview
    names = {a.code: a.name for a in snapshot.agencies}
    rows = standards(snapshot)
    flagged = report.matrix.flagged
    # Only the agencies that graded a divergent case: the grid must fit a printed page.
    agencies = report.matrix.agencies
    keep = [i for i in range(len(agencies)) if any(m.cells[i] not in ("", "–") for m in flagged)]
    return WorkshopPack(
        title=snapshot.title,
        theme=snapshot.theme,
        partnership=snapshot.partnership,
        generated=report.generated,
        returns=report.total_returns,
        agencies_returning=report.agencies_returning,
        cases=report.cases,
        theme_threshold=report.theme_threshold,
        themes=_themes(snapshot, report, names),
        agencies=_agencies(snapshot, names),
        grid_agencies=[agencies[i] for i in keep],
        divergent=[Divergent(m.case, m.spread, [m.cells[i] for i in keep]) for m in flagged],
        min_steps=report.matrix.min_steps,
        questions=_questions(report, flagged, rows),
        actions=report.actions,
        descriptors=report.descriptors,
        standards=standards_table(rows),
    )
