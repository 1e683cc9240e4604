"""Moderation on the desk's return page: ask a query on one answer, close one with a reason,
record a moderated grade. The same services as the API and `maa moderate`."""

from aiohttp import web

from collector.desk.common import desk, see_other
from collector.desk.returns import return_id_of
from collector.errors import BadRequest
from collector.keys import DB
from collector.services import moderated_grades, moderation
from models.moderation import GradeModerate, QueryAsk

routes = web.RouteTableDef()


async def _form(request: web.Request, *names: str) -> list[str]:
    form = await request.post()
    return [str(form.get(n, "")).strip() for n in names]


@routes.post("/desk/returns/{return_id}/queries")
async def ask(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    rid = return_id_of(request)
    question, text = await _form(request, "question", "text")
    if len(text) < 3 or not question:
        raise BadRequest("Pick the answer and write the question (a few words at least).")
    data = QueryAsk(question=question[:32], text=text[:2000])
    async with request.app[DB].write() as session:
        await moderation.ask_query(session=session, actor=me.actor, return_id=rid, data=data)
    raise see_other(f"/desk/returns/{rid}#h-queries")


@routes.post("/desk/returns/{return_id}/queries/{query_id}/close")
async def close(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    rid = return_id_of(request)
    raw = request.match_info["query_id"]
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequest(f"'{raw}' is not a query number.")
    (reason,) = await _form(request, "reason")
    if len(reason) < 3:
        raise BadRequest("Say why the query is closed (a few words at least).")
    async with request.app[DB].write() as session:
        await moderation.close_query(
            session=session, actor=me.actor, query_id=int(raw), reason=reason[:2000]
        )
    raise see_other(f"/desk/returns/{rid}#h-queries")


@routes.post("/desk/returns/{return_id}/moderated-grade")
async def grade(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    rid = return_id_of(request)
    question, grade_key, reason = await _form(request, "question", "grade", "reason")
    if len(reason) < 3 or not question or not grade_key:
        raise BadRequest("Pick the grade question and the grade, and give the reason.")
    data = GradeModerate(question=question[:32], grade=grade_key[:32], reason=reason[:2000])
    async with request.app[DB].write() as session:
        await moderated_grades.moderate_grade(
            session=session, actor=me.actor, return_id=rid, data=data
        )
    raise see_other(f"/desk/returns/{rid}#h-moderated")
