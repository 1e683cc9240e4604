"""Every table, imported in one place so that metadata (and Alembic) sees them all."""

from sqlmodel import SQLModel

from models.concerns import Concern
from models.desk import DeskLink, DeskSession, Passkey, PasskeyChallenge
from models.moderation import Allocation, Extension, ModeratedGrade, ModerationQuery, QueryMessage
from models.ops import AuditEvent, Reminder, SeenUpdate
from models.people import Agency, ApiToken, Invite, Member
from models.report_doc import ReportDoc, ReportSectionVersion
from models.retention import RoundArchive
from models.returns import Answer, AuditReturn
from models.rounds import Action, Case, Expectation, Round

metadata = SQLModel.metadata

__all__ = [
    "Action",
    "Agency",
    "Allocation",
    "Answer",
    "ApiToken",
    "AuditEvent",
    "AuditReturn",
    "Case",
    "Concern",
    "DeskLink",
    "DeskSession",
    "Expectation",
    "Extension",
    "Invite",
    "Member",
    "ModeratedGrade",
    "ModerationQuery",
    "Passkey",
    "PasskeyChallenge",
    "QueryMessage",
    "Reminder",
    "ReportDoc",
    "ReportSectionVersion",
    "Round",
    "RoundArchive",
    "SeenUpdate",
    "metadata",
]
