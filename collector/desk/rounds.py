"""Rounds: the list, creating one from an uploaded round file, open and close, the dashboard."""

from typing import Any

from aiohttp import web
from markupsafe import Markup, escape

from collector.desk.common import desk, render, see_other
from collector.desk.keys import BOARDS
from collector.errors import BadRequest, DomainError, Forbidden
from collector.keys import DB
from collector.services import rounds
from collector.services.desk_board import Board
from collector.services.lookup import agency_by_code, round_by_slug
from collector.services.progress import expected_returns
from models.enums import Role, RoundStatus
from models.grades import SCALE
from models.roundfile_read import MAX_BYTES, Problem, RoundFileError, read_round_text
from report.charts import domains_chart, grades_chart, returns_chart
from report.model import MatrixRow

routes = web.RouteTableDef()
GRID_ROWS = 200


async def _rounds_page(
    request: web.Request, *, problems: list[Problem] | None = None, filename: str = ""
) -> web.Response:
    async with request.app[DB].read() as session:
        listed = await rounds.list_rounds(session=session)
    status = 422 if problems else 200
    context = {"rounds": listed, "problems": problems or [], "filename": filename}
    return render(request, "rounds.html", context, status=status)


@routes.get("/desk/rounds")
async def rounds_list(request: web.Request) -> web.StreamResponse:
    desk(request)
    return await _rounds_page(request)


@routes.post("/desk/rounds")
async def rounds_create(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    me.actor.require(Role.coordinator)
    form = await request.post()
    upload = form.get("roundfile")
    if not isinstance(upload, web.FileField):
        return await _rounds_page(request, problems=[Problem("file", None, "Choose a file.")])
    raw = upload.file.read(MAX_BYTES + 1)
    try:
        data = read_round_text(raw)
    except RoundFileError as exc:
        return await _rounds_page(request, problems=exc.problems, filename=upload.filename)
    try:
        async with request.app[DB].write() as session:
            created = await rounds.create_round(session=session, actor=me.actor, data=data)
    except DomainError as exc:
        if exc.status == 403:
            raise
        problem = Problem("file", None, exc.message)
        return await _rounds_page(request, problems=[problem], filename=upload.filename)
    raise see_other(f"/desk/rounds/{created.slug}")


@routes.post("/desk/rounds/{slug}/status")
async def round_status(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    wanted = (await request.post()).get("status")
    if wanted not in (RoundStatus.open, RoundStatus.closed):
        raise BadRequest("Choose open or close.")
    async with request.app[DB].write() as session:
        await rounds.set_round_status(
            session=session,
            actor=me.actor,
            slug=request.match_info["slug"],
            status=RoundStatus(wanted),
        )
    raise see_other(f"/desk/rounds/{request.match_info['slug']}")


@routes.get("/desk/rounds/{slug}")
async def dashboard(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    slug = request.match_info["slug"]
    async with request.app[DB].read() as session:
        round_ = await rounds.get_round(session=session, slug=slug)
    board = await request.app[BOARDS].get(request.app[DB], me.actor, slug)
    context = {"round": round_, "board": board, "scale": SCALE, "live": True}
    return render(request, "dashboard.html", context | _drawn(board))


def _drawn(board: Board) -> dict[str, Any]:
    """The grid and the charts, drawn once while the figures stand (a live page is asked for
    again by every browser at every change)."""
    if not board.drawn:
        report = board.report
        # A big round's grid is for the report: the dashboard shows the divergent cases first.
        rows = sorted(report.matrix.rows, key=lambda r: not r.flagged)[:GRID_ROWS]
        board.drawn.update(
            grid_html=grid_html(rows),
            grid_hidden=len(report.matrix.rows) - len(rows),
            grades_svg=grades_chart(report) if report.outcomes else None,
            returns_svg=returns_chart(report) if report.returns else None,
            domains_svg=domains_chart(report) if report.total_returns else None,
        )
    return board.drawn


def grid_html(rows: list[MatrixRow]) -> Markup:
    """The grid's rows as table rows. Written here rather than in the template: 200 rows of 20
    agencies through jinja2 took a tenth of a second of CPU. A cell holds one of a handful of
    words (a grade, "–", "Not graded"), each escaped once."""
    cells: dict[str, str] = {}
    lines = []
    for row in rows:
        flag = (
            f' <span class="flag" title="{escape(row.detail)}">Differs</span>'
            if row.flagged
            else ""
        )
        tds = "".join(
            cells.get(c) or cells.setdefault(c, f"<td>{escape(c)}</td>") for c in row.cells
        )
        attrs = ' class="flagged"' if row.flagged else ""
        lines.append(f'<tr{attrs}><th scope="row">{escape(row.case)}{flag}</th>{tds}</tr>')
    return Markup("\n".join(lines))


@routes.get("/desk/rounds/{slug}/agencies/{code}")
async def agency_page(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    slug, code = request.match_info["slug"], request.match_info["code"]
    own = me.actor.role in (Role.agency_lead, Role.auditor)
    if not (me.is_coordinator or (own and me.actor.agency_code == code)):
        # The same answer whether or not the agency exists: nothing about others is told.
        raise Forbidden("You can see your own agency's returns only.")
    async with request.app[DB].read() as session:
        round_ = await round_by_slug(session, slug)
        agency = await agency_by_code(session, code)
        rows = await expected_returns(session=session, round_=round_, agency_id=agency.id)
    board = await request.app[BOARDS].get(request.app[DB], me.actor, slug)
    mine = next((a for a in board.agencies if a.code == code), None)
    context = {"round": round_, "agency": agency, "rows": rows, "progress": mine}
    return render(request, "agency.html", context)
