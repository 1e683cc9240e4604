"""One consistent picture of a round, taken by the collector in one read transaction.

Everything report/ produces (tally, every report format, every export) is a function of a
`RoundSnapshot`, so they always agree. report/ never opens a database session itself.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from models.enums import ActionStatus, ExpectationStatus, ReturnStatus, RoundStatus
from models.tool import AuditTool


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    sector: str | None = None  # models.enums.Sector value, when the round file gives one


@dataclass(frozen=True)
class CaseRow:
    reference: str
    note: str = ""


@dataclass(frozen=True)
class ExpectationRow:
    agency: str  # agency code
    case: str  # case reference
    status: ExpectationStatus = ExpectationStatus.expected
    extended_to: str = ""  # an approved extension's date (ISO), "" when none


@dataclass(frozen=True)
class ReturnRow:
    id: int
    agency: str
    case: str
    status: ReturnStatus
    answers: dict[str, Any]
    submitted_at: datetime | None = None
    updated_at: datetime | None = None
    # Moderated grades beside the agency's own (question key -> grade key); never replacing them.
    moderated: dict[str, str] = field(default_factory=dict)
    # Audit standards: the earliest answer still on record, and why the auditor submitted
    # despite the cross-checks (models/cross_checks.py), if they did.
    first_answer_at: datetime | None = None
    cross_check_reason: str | None = None


@dataclass(frozen=True)
class ActionRow:
    number: int
    recommendation: str
    owner: str = ""
    due_at: datetime | None = None
    progress: str = ""
    status: ActionStatus = ActionStatus.open


@dataclass(frozen=True)
class Writeup:
    """What the coordinator wrote: section texts (current versions) and the report's settings."""

    texts: dict[str, str] = field(default_factory=dict)  # section key -> Markdown
    authors: str = ""
    report_date: str = ""
    distribution: str = ""
    caution_size: int = 20
    final: bool = False
    finalised_at: datetime | None = None
    finalised_by: str = ""


@dataclass(frozen=True)
class RoundSnapshot:
    slug: str
    title: str
    theme: str
    partnership: str
    scope: str
    opens_at: datetime
    due_at: datetime
    status: RoundStatus
    tool: AuditTool
    agencies: list[AgencyRow]  # every agency in the round, in the round file's order
    cases: list[CaseRow]
    expectations: list[ExpectationRow]
    returns: list[ReturnRow]  # every return, drafts included; reports count submitted ones
    actions: list[ActionRow] = field(default_factory=list)
    previous: "RoundSnapshot | None" = None  # the partnership's previous round, for comparison
    taken_at: datetime | None = None
    # A theme is cross-cutting when at least this many agencies raise it; the coordinator
    # chooses it per report (`maa report --theme-threshold`, `?theme_threshold=`).
    theme_threshold: int = 3
    writeup: Writeup = field(default_factory=Writeup)
    # The evidence annex (every verbatim answer) is printed unless a download leaves it out.
    annex: bool = True
    # Which grades the case grid and its "grades differ" analysis use: "agency" or "moderated"
    # (report.moderated); chosen per download, like the theme threshold.
    matrix_grades: str = "agency"

    @cached_property
    def submitted(self) -> list[ReturnRow]:
        # Kept on first use (the snapshot is frozen): the writing page asks for it several times
        # per view of a 20,000-return round. Callers must not change the list.
        return [r for r in self.returns if r.status == ReturnStatus.submitted]

    @cached_property
    def overview(self) -> Any:
        """The report with this snapshot's own choices (a `report.model.OverviewReport`), built
        once: every format of one download reads the same one, so the statements are drafted
        once. The snapshot is frozen, so it cannot go stale; renderers only read it."""
        from report.overview import build_report  # the report is built from this module's rows

        return build_report(self)
