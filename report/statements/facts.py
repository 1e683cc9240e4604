"""What every statement is made of: the `Statement` itself and the facts gathered once, in one
pass over the submitted returns, that the statement kinds share."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from models.grades import BY_KEY, SCALE
from models.tool import TextQuestion
from report.grade_values import grade_of
from report.snapshot import ReturnRow, RoundSnapshot
from report.text import plural

LOW_GRADES = ("requires_improvement", "inadequate")


@dataclass(frozen=True)
class Statement:
    id: str  # stable: "returns.agency.csc"
    section: str
    text: str
    figures: dict[str, int | str] = field(default_factory=dict)
    return_ids: list[int] = field(default_factory=list)


@dataclass
class Facts:
    """Everything the statements need, gathered in one pass over the submitted returns."""

    snapshot: RoundSnapshot
    names: dict[str, str]
    by_agency: dict[str, list[ReturnRow]]
    overall: dict[int, str]  # return id -> grade key or "not_graded"
    words: dict[int, int]  # return id -> narrative words
    divergent: list[Statement] | None = None  # drafted once, used by two sections


def word_count(text: str) -> int:
    """len(text.split()), without building the list of words: a 20,000-return round has ~25 MB
    of narrative, and splitting it was a quarter of every report's time. Printable ASCII with
    single spaces inside and none at the ends (most narratives) has exactly one more word than
    spaces; anything else (line breaks, tabs, other whitespace) is split as before."""
    if (
        text.isascii()
        and text.isprintable()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
    ):
        return text.count(" ") + 1 if text else 0
    return len(text.split())


def gather(snapshot: RoundSnapshot) -> Facts:
    key = snapshot.tool.overall.key
    texts = [q.key for q in snapshot.tool.questions if isinstance(q, TextQuestion)]
    by_agency: dict[str, list[ReturnRow]] = defaultdict(list)
    overall, words = {}, {}
    for r in snapshot.submitted:
        by_agency[r.agency].append(r)
        overall[r.id] = grade_of(r.answers.get(key))[0]
        words[r.id] = sum(word_count(v) for k in texts if isinstance(v := r.answers.get(k), str))
    names = {a.code: a.name for a in snapshot.agencies}
    return Facts(snapshot, names, by_agency, overall, words)


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def ids(rows: list[ReturnRow]) -> list[int]:
    return sorted(r.id for r in rows)


def grade_name(key: str) -> str:
    return BY_KEY[key].short if key in BY_KEY else "Not graded"


def most_least(counts: Counter[str]) -> tuple[str, str] | None:
    """Most and least frequent grades given (scale order breaks ties), or None if none."""
    given = [(g.key, counts[g.key]) for g in SCALE if counts[g.key]]
    if not given:
        return None
    most = max(given, key=lambda kv: kv[1])[0]
    least = min(given, key=lambda kv: kv[1])[0]
    return most, least


def grade_statement(sid: str, section: str, who: str, rows: list[ReturnRow], f: Facts):
    counts = Counter(f.overall[r.id] for r in rows)
    found = most_least(counts)
    graded = sum(n for k, n in counts.items() if k in BY_KEY)
    if found is None:
        text = f"{who} gave no overall grade in {plural(len(rows), 'return')}."
        return Statement(sid, section, text, {"returns": len(rows), "graded": 0}, ids(rows))
    most, least = found
    mix = ", ".join(f"{g.short} {counts[g.key]}" for g in SCALE if counts[g.key])
    text = f"{who} most often graded {grade_name(most)} ({counts[most]} of {graded} graded)"
    if least != most:
        text += f" and least often {grade_name(least)} ({counts[least]})"
    text += f": {mix}."
    figures: dict[str, int | str] = {"graded": graded, "most": most, "least": least}
    figures.update({g.key: counts[g.key] for g in SCALE})
    return Statement(sid, section, text, figures, ids(rows))
