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
