"""Statements MAA drafts from the returns, section by section, for the coordinator to insert.

Each statement is a sentence with the figures in it and the ids of the returns behind it. They are
pure functions of the snapshot (deterministic: same returns, same words), computed from facts
gathered in one pass over the submitted returns (facts.py). One module per kind of statement:
returns, outcomes, themes (agency findings and cross-cutting), framing (introduction, method,
caution, recommendations, comparison).
"""

from report.sections import SectionKind, plan_sections
from report.snapshot import RoundSnapshot
from report.statements import framing, outcomes, returns, themes
from report.statements.facts import Statement, gather

__all__ = ["Statement", "draft_statements"]


def draft_statements(
    snapshot: RoundSnapshot, *, theme_threshold: int | None = None
) -> dict[str, list[Statement]]:
    """Every section's drafted statements, keyed by section key, in report order."""
    f = gather(snapshot)
    threshold = theme_threshold or snapshot.theme_threshold
    out: dict[str, list[Statement]] = {}
    for sec in plan_sections(snapshot):
        match sec.kind:
            case SectionKind.introduction:
                out[sec.key] = framing.introduction(f)
            case SectionKind.method:
                out[sec.key] = framing.method(f)
            case SectionKind.returns:
                out[sec.key] = returns.returns_statements(f)
            case SectionKind.outcomes:
                out[sec.key] = outcomes.outcome_statements(f)
            case SectionKind.agency:
                out[sec.key] = themes.agency_statements(f, sec.agency or "")
            case SectionKind.themes:
                out[sec.key] = themes.cross_cutting(f, threshold)
            case SectionKind.conclusions:
                out[sec.key] = framing.caution(f, "conclusions") + outcomes.divergent_summary(f)
            case SectionKind.recommendations:
                out[sec.key] = framing.recommendations(f)
            case SectionKind.comparison:
                out[sec.key] = framing.comparison(f)
            case SectionKind.annex:
                out[sec.key] = []
    return out
