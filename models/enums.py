"""The closed vocabularies of the domain."""

from enum import StrEnum


class Role(StrEnum):
    coordinator = "coordinator"
    agency_lead = "agency_lead"
    auditor = "auditor"
    viewer = "viewer"


class RoundStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class ExpectationStatus(StrEnum):
    expected = "expected"
    not_required = "not_required"


class ReturnStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    reopened = "reopened"


class ReminderStatus(StrEnum):
    queued = "queued"
    claimed = "claimed"
    sent = "sent"
    failed = "failed"
    unreachable = "unreachable"
    cancelled = "cancelled"


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"


class ReportStatus(StrEnum):
    draft = "draft"
    final = "final"


class Sector(StrEnum):
    """The kind of partner an agency is, for statements by sector ("health partners ...")."""

    health = "health"
    education = "education"
    police = "police"
    social_care = "social care"
    early_help = "early help"
    housing = "housing"
    probation = "probation"
    voluntary = "voluntary"
