"""A round's other pages: reminders (dry run, send these now), the action plan, downloads."""

from datetime import UTC, datetime

from aiohttp import web

from collector.desk.common import desk, render, see_other
from collector.desk.returns import changed
from collector.errors import BadRequest
from collector.keys import DB
from collector.services import actions, desk_people, members, reminders, rounds
from collector.services.report_files import report_file
from models.enums import ActionStatus, Role
from models.validators import THEME_THRESHOLD_MAX
from report.formats import FORMATS, UnknownFormat, get_format
from report.reminder_text import KIND_WORDS, stage_words

routes = web.RouteTableDef()


@routes.get("/desk/rounds/{slug}/reminders")
async def reminders_page(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    me.actor.require(Role.coordinator)
    slug = request.match_info["slug"]
    async with request.app[DB].read() as session:
        round_ = await rounds.get_round(session=session, slug=slug)
        plan = await reminders.plan(session=session, actor=me.actor, slug=slug, dry_run=True)
        names = await desk_people.member_names(
            session=session, labels={f"member:{d.recipient_id}" for d in plan["decisions"]}
        )
    rows = [
        {
            "who": names.get(f"member:{d.recipient_id}", f"member {d.recipient_id}"),
            "kind": KIND_WORDS.get(d.kind, d.kind),
            "stage": stage_words(d.stage),
            "when": d.send_after,
            "why": d.reason,
        }
        for d in plan["decisions"]
    ]
    queued = request.query.get("queued")
    context = {"round": round_, "rows": rows, "queued": queued, "at": plan["at"]}
    return render(request, "reminders.html", context)


@routes.post("/desk/rounds/{slug}/reminders")
async def reminders_send(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    me.actor.require(Role.coordinator)
    slug = request.match_info["slug"]
    # Recorded as this coordinator's act. Each reminder's key queues it once.
    async with request.app[DB].write() as session:
        result = await reminders.send_now(session=session, actor=me.actor, slug=slug)
    raise see_other(f"/desk/rounds/{slug}/reminders?queued={result['queued']}")


@routes.get("/desk/rounds/{slug}/actions")
async def actions_page(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    slug = request.match_info["slug"]
    async with request.app[DB].read() as session:
        round_ = await rounds.get_round(session=session, slug=slug)
        plan = await actions.list_actions(session=session, actor=me.actor, slug=slug)
        history = await desk_people.action_history(
            session=session, actor=me.actor, action_ids=[a["id"] for a in plan]
        )
        labels = {e.actor for events in history.values() for e in events}
        names = await desk_people.member_names(session=session, labels=labels)
        people = (
            await members.list_members(session=session, actor=me.actor) if me.is_coordinator else []
        )
    changes = {
        aid: [
            {"at": e.at, "who": names.get(e.actor, e.actor), "after": changed(e.after)}
            for e in events
        ]
        for aid, events in history.items()
    }
    context = {
        "round": round_,
        "actions": plan,
        "history": changes,
        "people": people,
        "statuses": list(ActionStatus),
    }
    return render(request, "actions.html", context)


def _date(raw: str) -> datetime | None:
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d")
    except ValueError:
        raise BadRequest("Give the due date as a date (YYYY-MM-DD).") from None
    return day.replace(hour=23, minute=59, tzinfo=UTC)


@routes.post("/desk/actions/{action_id}")
async def action_update(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    raw = request.match_info["action_id"]
    if not raw.isdigit() or len(raw) > 12:
        raise BadRequest("That is not an action number.")
    action_id = int(raw)
    form = await request.post()
    owner = str(form.get("owner", ""))
    status = str(form.get("status", ""))
    progress = str(form.get("progress", "")).strip() or None
    if status and status not in {s.value for s in ActionStatus}:
        raise BadRequest("Choose a status from the list.")
    if owner and not owner.isdigit():
        raise BadRequest("Choose the owner from the list.")
    async with request.app[DB].write() as session:
        await desk_people.assign_action(
            session=session,
            actor=me.actor,
            action_id=action_id,
            owner_member_id=int(owner) if owner else None,
            due_at=_date(str(form.get("due", ""))),
        )
        current = await actions.get_action(session=session, actor=me.actor, action_id=action_id)
        if progress is not None or (status and status != current["status"]):
            await actions.record_progress(
                session=session,
                actor=me.actor,
                action_id=action_id,
                progress=progress,
                status=ActionStatus(status) if status else None,
            )
    raise see_other(f"/desk/rounds/{current['round']}/actions")


@routes.get("/desk/rounds/{slug}/downloads")
async def downloads(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    me.actor.require(Role.coordinator, Role.viewer)
    async with request.app[DB].read() as session:
        round_ = await rounds.get_round(session=session, slug=request.match_info["slug"])
    formats = [get_format(name) for name in FORMATS]
    return render(request, "downloads.html", {"round": round_, "formats": formats})


@routes.get("/desk/rounds/{slug}/report")
async def report(request: web.Request) -> web.StreamResponse:
    """The same report and exports as GET /api/rounds/{slug}/report (one implementation:
    services/report_files.py), for a desk session."""
    me = desk(request)
    me.actor.require(Role.coordinator, Role.viewer)
    try:
        fmt = get_format(request.query.get("format", "html"))
    except UnknownFormat:
        raise BadRequest(f"Unknown format. Use one of: {', '.join(FORMATS)}.") from None
    raw = request.query.get("theme_threshold", "3")
    if not raw.isdigit() or not 1 <= int(raw) <= THEME_THRESHOLD_MAX:
        raise BadRequest("The theme threshold is a whole number of agencies, 1 or more.")
    # The annex checkbox: ticked sends annex=1; a form without it ticked sends nothing.
    annex = request.query.get("annex", "1" if "annexed" not in request.query else "0")
    if annex not in ("0", "1"):
        raise BadRequest("annex is 0 (leave the evidence annex out) or 1.")
    slug = request.match_info["slug"]
    body = await report_file(
        db=request.app[DB], slug=slug, fmt=fmt.name, annex=annex == "1", theme_threshold=int(raw)
    )
    return web.Response(
        body=body,
        headers={
            "Content-Type": fmt.content_type,
            "Content-Disposition": f'attachment; filename="{fmt.filename(slug)}"',
        },
    )
