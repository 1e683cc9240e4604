"""The sections of an overview report, in the order real overview reports use.

A section's key is what the coordinator's text is stored under and what the API and the command
line name, so keys are stable words: `introduction`, ..., `agency-<code>` for each agency that
returned, ..., `annex`.
"""

from dataclasses import dataclass
from enum import StrEnum

from report.snapshot import RoundSnapshot


class SectionKind(StrEnum):
    introduction = "introduction"
    method = "method"
    returns = "returns"
    outcomes = "outcomes"
    agency = "agency"
    themes = "themes"
    conclusions = "conclusions"
    recommendations = "recommendations"
    comparison = "comparison"
    annex = "annex"


AGENCY_PREFIX = "agency-"

_TITLES = {
    SectionKind.introduction: "Introduction and purpose",
    SectionKind.method: "Method",
    SectionKind.returns: "Returns",
    SectionKind.outcomes: "Outcomes",
    SectionKind.themes: "Cross-cutting themes",
    SectionKind.conclusions: "Conclusions",
    SectionKind.recommendations: "Recommendations and action plan",
    SectionKind.comparison: "Comparison with the previous round",
    SectionKind.annex: "Evidence annex",
}


@dataclass(frozen=True)
class SectionPlan:
    key: str
    title: str
    kind: SectionKind
    agency: str | None = None  # the agency code of a findings section


def agency_key(code: str) -> str:
    return AGENCY_PREFIX + code


def plan_sections(snapshot: RoundSnapshot) -> list[SectionPlan]:
    """Every section of this round's report: one findings section per agency that returned;
    the comparison only when there is a previous round."""
    returned = {r.agency for r in snapshot.submitted}
    fixed = [SectionKind.introduction, SectionKind.method, SectionKind.returns]
    plan = [SectionPlan(k.value, _TITLES[k], k) for k in (*fixed, SectionKind.outcomes)]
    plan += [
        SectionPlan(agency_key(a.code), f"Findings: {a.name}", SectionKind.agency, a.code)
        for a in snapshot.agencies
        if a.code in returned
    ]
    tail = [SectionKind.themes, SectionKind.conclusions, SectionKind.recommendations]
    if snapshot.previous is not None:
        tail.append(SectionKind.comparison)
    tail.append(SectionKind.annex)
    plan += [SectionPlan(k.value, _TITLES[k], k) for k in tail]
    return plan


def find_section(snapshot: RoundSnapshot, key: str) -> SectionPlan | None:
    return next((s for s in plan_sections(snapshot) if s.key == key), None)


def is_section_key(key: str) -> bool:
    """Could this name a section of some round? (Agency sections depend on the returns.)"""
    return key in {k.value for k in SectionKind if k != SectionKind.agency} or (
        key.startswith(AGENCY_PREFIX) and len(key) > len(AGENCY_PREFIX)
    )
