"""The desk's writing pages, part 2: one section. The Markdown editor (a plain form), the drafted
statements with "Insert", the evidence beside it, a preview, the version history, and saving
from a base version: a conflict shows both texts, and the writer's text is never lost.

Without script every button is a form post that returns this page with what was typed kept;
desk.js only makes "Insert" append in place. Writes go through services/report_text.py."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from pydantic import ValidationError

from collector.desk.common import desk, render, see_other
from collector.desk.writing import first_error
from collector.errors import BadRequest, Conflict, DomainError
from collector.keys import DB, REPORTS
from collector.services import desk_people, report_doc, report_text, rounds
from models.enums import ReportStatus, Role
from models.grades import NOT_GRADED, NOT_GRADED_LABEL, SCALE
from models.report_doc import SectionSave
from models.tool import load_tool
from report.evidence import theme_options
from report.markdown_text import to_html
from report.sections import SectionKind

routes = web.RouteTableDef()
PER_PAGE = 20
PATH = "/desk/rounds/{slug}/writing/{key}"


@dataclass(frozen=True)
class Editor:
    """What the editor shows: the text and the version it was edited from, and why."""

    text: str
    base: int
    notice: str = ""
    error: str = ""
    theirs: dict[str, Any] | None = None  # on a conflict: the saved text that won


def _filters(request: web.Request) -> dict[str, str]:
    q = request.query
    return {k: q[k].strip() for k in ("theme", "case", "grade", "page") if q.get(k, "").strip()}


async def _page(
    request: web.Request, editor: Editor | None, status: int = 200, notice: str = ""
) -> web.Response:
    me = desk(request)
    me.actor.require(Role.coordinator, Role.viewer)
    slug, key = request.match_info["slug"], request.match_info["key"]
    cache = request.app[REPORTS]
    filters = _filters(request)
    async with request.app[DB].read() as session:
        round_ = await rounds.get_round(session=session, slug=slug)
        info = await report_doc.get_info(session=session, actor=me.actor, slug=slug)
        sections = await report_text.list_sections(
            session=session, actor=me.actor, slug=slug, cache=cache
        )
        section = next((s for s in sections if s["key"] == key), None)
        if section is None:
            # The service's own words: which sections this report has.
            await report_text.section_statements(
                session=session, actor=me.actor, slug=slug, key=key, cache=cache
            )
        assert section is not None
        statements = await report_text.section_statements(
            session=session, actor=me.actor, slug=slug, key=key, cache=cache
        )
        current = await report_text.get_section(session=session, actor=me.actor, slug=slug, key=key)
        versions = await report_text.list_versions(
            session=session, actor=me.actor, slug=slug, key=key
        )
        evidence, evidence_error, themes = await _evidence(
            request, session, section, statements, filters
        )
        labels = {v.author for v in versions if v.author}
        if editor and editor.theirs and editor.theirs.get("author"):
            labels.add(editor.theirs["author"])
        names = await desk_people.member_names(session=session, labels=labels)
    if editor is None:
        editor = Editor(current.text, current.version, notice=notice)
    if editor.theirs and editor.theirs.get("author"):
        who = editor.theirs["author"]
        editor.theirs["name"] = names.get(who, who)
    index = [s["key"] for s in sections].index(key)
    context = {
        "round": round_,
        "info": info,
        "final": info.status == ReportStatus.final,
        "section": section,
        "previous": sections[index - 1] if index else None,
        "next": sections[index + 1] if index + 1 < len(sections) else None,
        "statements": statements,
        "current": current,
        "editor": editor,
        "preview": to_html(editor.text),
        "versions": [
            {"v": v, "who": names.get(v.author or "", v.author or "")} for v in reversed(versions)
        ],
        "evidence": evidence,
        "evidence_error": evidence_error,
        "themes": themes,
        "filters": filters,
        "grades": [(g.key, g.short) for g in SCALE] + [(NOT_GRADED, NOT_GRADED_LABEL)],
        "page_link": lambda n: "?" + urlencode({**filters, "page": n}) + "#evidence",
    }
    return render(request, "writing_section.html", context, status=status)


async def _evidence(request, session, section, statements, filters):
    """The page of evidence for this section and its filters, or why there is none."""
    kind = section["kind"]
    if kind not in (SectionKind.agency, SectionKind.themes):
        return None, "", []
    themes: list[tuple[str, str]] = []
    theme = None
    if kind == SectionKind.themes:
        round_ = await rounds.get_round(session=session, slug=request.match_info["slug"])
        options = theme_options(load_tool(round_.tool_version))
        themes = [(k, label) for k, (_, label) in options.items()]
        # Default: the theme of the first cross-cutting statement, else the first option.
        drafted = [s.id.removeprefix("themes.") for s in statements]
        theme = filters.get("theme") or next((t for t in drafted if t in options), None)
        theme = theme or next(iter(options), None)
        filters.setdefault("theme", theme or "")
    page = filters.get("page", "1")
    try:
        found = await report_text.section_evidence(
            session=session,
            actor=desk(request).actor,
            slug=request.match_info["slug"],
            key=section["key"],
            theme=theme,
            case=filters.get("case"),
            grade=filters.get("grade"),
            page=int(page) if page.isdigit() and len(page) < 7 else 0,
            per_page=PER_PAGE,
            cache=request.app[REPORTS],
        )
    except BadRequest as exc:
        return None, exc.message, themes
    return found, "", themes


@routes.get(PATH)
async def section_page(request: web.Request) -> web.StreamResponse:
    saved = request.query.get("saved", "")
    if saved.isdigit():
        return await _page(request, None, notice=f"Saved as version {saved}.")
    return await _page(request, None)


def _base(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequest("The form lost the version it was edited from: reload the page.")
    return int(raw)


@routes.post(PATH)
async def section_post(request: web.Request) -> web.StreamResponse:
    """Save, preview, insert a statement, or take the other writer's text after a conflict."""
    me = desk(request)
    slug, key = request.match_info["slug"], request.match_info["key"]
    form = await request.post()
    text = str(form.get("text", "")).replace("\r\n", "\n")
    base = _base(str(form.get("base", "")))
    action = str(form.get("action", "save"))
    insert = str(form.get("insert", ""))
    if insert:
        async with request.app[DB].read() as session:
            statements = await report_text.section_statements(
                session=session, actor=me.actor, slug=slug, key=key, cache=request.app[REPORTS]
            )
        found = next((s for s in statements if s.id == insert), None)
        if found is None:
            note = "That statement is no longer drafted (the returns changed): nothing added."
            return await _page(request, Editor(text, base, error=note), 409)
        text = f"{text.rstrip()}\n\n{found.text}" if text.strip() else found.text
        note = "Statement added at the end of the text. It is not saved yet."
        return await _page(request, Editor(text, base, notice=note))
    if action == "preview":
        return await _page(request, Editor(text, base, notice="Preview updated; not saved yet."))
    if action == "theirs":
        async with request.app[DB].read() as session:
            saved = await report_text.get_section(
                session=session, actor=me.actor, slug=slug, key=key
            )
        note = "The saved text is in the editor; your text was not saved."
        return await _page(request, Editor(saved.text, saved.version, notice=note))
    try:
        SectionSave.model_validate({"text": text})
    except ValidationError as exc:
        return await _page(request, Editor(text, base, error=first_error(exc)), 400)
    try:
        async with request.app[DB].write() as session:
            saved = await report_text.save_section(
                session=session,
                actor=me.actor,
                slug=slug,
                key=key,
                text=text,
                base_version=base,
                cache=request.app[REPORTS],
            )
    except Conflict as exc:
        if exc.code != "edit_conflict":
            return await _page(request, Editor(text, base, error=exc.message), 409)
        theirs = {
            "version": exc.extra["current_version"],
            "text": exc.extra.get("current_text", ""),
            "author": exc.extra.get("current_author"),
        }
        # Yours stays in the editor, now based on theirs: saving again is a deliberate choice.
        note = (
            "Someone else saved this section while you were writing. Nothing of yours was saved "
            "and nothing is lost: compare both texts, merge them in the editor, then save."
        )
        return await _page(request, Editor(text, theirs["version"], error=note, theirs=theirs), 409)
    except DomainError as exc:
        return await _page(request, Editor(text, base, error=exc.message), exc.status)
    raise see_other(f"/desk/rounds/{slug}/writing/{key}?saved={saved.version}#editor")
