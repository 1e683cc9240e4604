"""The action plan: list a round's actions (overdue first) and record an owner's progress."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor, ensure_member
from collector.errors import BadRequest, Forbidden, NotFound, Unprocessable
from collector.services.audit import record
from collector.services.lookup import round_by_slug
from models.base import utcnow
from models.enums import ActionStatus, Role
from models.people import Member
from models.rounds import Action, Round
from models.screening import describe, screen
from report.reminders import ChaseAction, overdue_actions, policy_from

READERS = (Role.coordinator, Role.viewer)


def _overdue_ids(actions: list[Action], round_: Round, now: datetime) -> list[int]:
    """The actions the reminder policy counts as overdue (same rule, same day), oldest first."""
    chase = [
        ChaseAction(a.id, a.number, a.recommendation, a.owner_member_id, a.due_at, str(a.status))
        for a in actions
    ]
    return [a.id for a in overdue_actions(chase, now, policy_from(round_.reminder_policy))]


def _view(a: Action, round_: Round, owner_name: str | None, overdue: bool) -> dict[str, Any]:
    return {
        "id": a.id,
        "round": round_.slug,
        "number": a.number,
        "recommendation": a.recommendation,
        "owner": a.owner,
        "owner_member_id": a.owner_member_id,
        "owner_name": owner_name,
        "due_at": a.due_at,
        "progress": a.progress,
        "status": a.status,
        "overdue": overdue,
    }


async def _owner_names(session: AsyncSession, actions: list[Action]) -> dict[int, str]:
    ids = {a.owner_member_id for a in actions if a.owner_member_id is not None}
    if not ids:
        return {}
    rows = await session.execute(select(Member.id, Member.display_name).where(Member.id.in_(ids)))
    return dict(rows.all())


async def list_actions(
    *, session: AsyncSession, actor: Actor, slug: str, at: datetime | None = None
) -> list[dict[str, Any]]:
    """A round's actions, overdue ones first (oldest due first), then by number."""
    ensure_member(actor)
    actor.require(*READERS)
    round_ = await round_by_slug(session, slug)
    query = select(Action).where(Action.round_id == round_.id).order_by(Action.number)
    actions = list((await session.execute(query)).scalars())
    late = _overdue_ids(actions, round_, at or utcnow())
    names = await _owner_names(session, actions)
    # Overdue first (oldest due first, as the reminders chase them): people act on those.
    rank = {aid: i for i, aid in enumerate(late)}
    actions.sort(key=lambda a: (rank.get(a.id, len(rank)), a.number))
    return [_view(a, round_, names.get(a.owner_member_id or 0), a.id in rank) for a in actions]


async def _load(session: AsyncSession, action_id: int, *, write: bool) -> tuple[Action, Round]:
    action = await session.get(Action, action_id, with_for_update=write)
    if action is None:
        raise NotFound(f"There is no action {action_id}.")
    round_ = await session.get(Round, action.round_id)
    assert round_ is not None  # a foreign key
    return action, round_


def _may_update(actor: Actor, action: Action) -> bool:
    return actor.role == Role.coordinator or (
        actor.member_id is not None and actor.member_id == action.owner_member_id
    )


async def get_action(*, session: AsyncSession, actor: Actor, action_id: int) -> dict[str, Any]:
    """One action, for its owner, coordinators and viewers."""
    ensure_member(actor)
    action, round_ = await _load(session, action_id, write=False)
    if not (_may_update(actor, action) or actor.role == Role.viewer):
        raise Forbidden("Only the action's owner or a coordinator can see this action.")
    names = await _owner_names(session, [action])
    late = _overdue_ids([action], round_, utcnow())
    return _view(action, round_, names.get(action.owner_member_id or 0), action.id in late)


async def record_progress(
    *,
    session: AsyncSession,
    actor: Actor,
    action_id: int,
    progress: str | None,
    status: ActionStatus | None,
) -> dict[str, Any]:
    """Store an update on an action from its owner or a coordinator; screened like narratives."""
    ensure_member(actor)
    if progress is None and status is None:
        raise BadRequest("Send the progress, a new status, or both.")
    action, round_ = await _load(session, action_id, write=True)
    if not _may_update(actor, action):
        raise Forbidden("Only the action's owner or a coordinator can record its progress.")
    if progress is not None:
        progress = progress.strip()
        if not progress:
            raise Unprocessable("Please write a few words on the progress.", code="too_short")
        findings = screen(progress)
        if findings:
            raise Unprocessable(
                describe(findings),
                code="identifiers_found",
                findings=[{"kind": f.kind, "label": f.label, "text": f.text} for f in findings],
            )
    before = {"progress": action.progress, "status": str(action.status)}
    if progress is not None:
        action.progress = progress
    if status is not None:
        action.status = status
    after = {"progress": action.progress, "status": str(action.status)}
    if after != before:  # the same update twice records one change
        record(
            session,
            actor=actor,
            action="action.progress",
            entity="action",
            entity_id=action.id,
            before=before,
            after=after,
        )
    await session.flush()
    names = await _owner_names(session, [action])
    late = _overdue_ids([action], round_, utcnow())
    return _view(action, round_, names.get(action.owner_member_id or 0), action.id in late)
