"""A return: its answers and narratives, its history, and reopening it with a reason."""

from typing import Any

from aiohttp import web

from collector.desk.common import desk, render, see_other
from collector.errors import BadRequest
from collector.keys import DB
from collector.services import desk_people, moderated_grades, moderation, returns
from models.grades import BY_KEY, SCALE, grade_name
from models.tool import load_tool

routes = web.RouteTableDef()


def _return_id(request: web.Request) -> int:
    raw = request.match_info["return_id"]
    if not raw.isdigit() or len(raw) > 12:
        raise BadRequest(f"'{raw}' is not a return number.")
    return int(raw)


def shown(value: Any) -> str:
    """An answer as words: grades by name, lists joined, yes/no."""
    if isinstance(value, dict):
        if value.get("grade") in BY_KEY:
            return grade_name(value["grade"])
        if "reason" in value:
            return f"Not graded ({str(value['reason']).replace('_', ' ')})"
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return "" if value is None else str(value)


return_id_of = _return_id  # the same check for the moderation forms (collector/desk/moderation.py)


WHAT = {
    "return.open": "started the return",
    "answer.put": "answered",
    "concern.raised": "raised an immediate concern",
    "return.submit": "submitted",
    "return.reopen": "reopened",
    "query.ask": "asked a moderation query",
    "query.answered": "answered a moderation query",
    "query.close": "closed a moderation query",
    "grade.moderate": "recorded a moderated grade",
}


def changed(side: Any) -> str:
    if not side:
        return ""
    if isinstance(side, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {shown(v)}" for k, v in side.items())
    return shown(side)


@routes.get("/desk/returns/{return_id}")
async def return_page(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    return_id = _return_id(request)
    async with request.app[DB].read() as session:
        ret = await returns.get_return(session=session, actor=me.actor, return_id=return_id)
        history = await returns.return_audit(session=session, actor=me.actor, return_id=return_id)
        labels = {e.actor for e in history}
        names = await desk_people.member_names(session=session, labels=labels)
        queries = await moderation.list_queries(
            session=session, actor=me.actor, return_id=return_id
        )
        moderated = await moderated_grades.moderated_grades(
            session=session, actor=me.actor, return_id=return_id
        )
    tool = load_tool(ret.tool_version)
    answers = [
        (q, shown(ret.answers[q.key]) if q.key in ret.answers else None) for q in tool.questions
    ]
    changes = [
        {
            "at": e.at,
            "who": names.get(e.actor, e.actor),
            "what": WHAT.get(e.action, e.action),
            "before": changed(e.before),
            "after": changed(e.after),
        }
        for e in history
    ]
    context = {
        "ret": ret,
        "answers": answers,
        "history": changes,
        "live_round": ret.round,
        # Moderation (collector/desk/moderation.py): threads; grades beside the agency's.
        "queries": queries,
        "moderated": [
            (g, grade_name(g.agency_grade or ""), grade_name(g.grade)) for g in moderated
        ],
        "grade_questions": tool.grade_questions,
        "scale": SCALE,
    }
    return render(request, "return.html", context)


@routes.post("/desk/returns/{return_id}/reopen")
async def reopen(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    return_id = _return_id(request)
    reason = str((await request.post()).get("reason", "")).strip()
    if not reason:
        raise BadRequest("Say why the return is reopened: the auditor will see the reason.")
    async with request.app[DB].write() as session:
        await returns.reopen_return(
            session=session, actor=me.actor, return_id=return_id, reason=reason[:500]
        )
    raise see_other(f"/desk/returns/{return_id}")
