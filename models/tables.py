"""Every table, imported in one place so that metadata (and Alembic) sees them all."""

from sqlmodel import SQLModel

from models.concerns import Concern
from models.desk import DeskLink, DeskSession, Passkey, PasskeyChallenge
from models.ops import AuditEvent, Reminder, SeenUpdate
from models.people import Agency, ApiToken, Invite, Member
from models.returns import Answer, AuditReturn
from models.rounds import Action, Case, Expectation, Round

metadata = SQLModel.metadata

__all__ = [
    "Action",
    "Agency",
    "Answer",
    "ApiToken",
    "AuditEvent",
    "AuditReturn",
    "Case",
    "Concern",
    "DeskLink",
    "DeskSession",
    "Expectation",
    "Invite",
    "Member",
    "Passkey",
    "PasskeyChallenge",
    "Reminder",
    "Round",
    "SeenUpdate",
    "metadata",
]
