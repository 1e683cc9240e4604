"""Markdown and HTML renderings of the overview report, from the Jinja2 templates."""

import re
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from report.charts import grades_chart, returns_chart
from report.markdown_text import to_html, to_markdown
from report.model import OverviewReport
from report.moderated import MODERATED_GRID, MODERATED_HEAD, MODERATED_NOTE, moderated_rows
from report.snapshot import RoundSnapshot
from report.standards import HEADERS as STANDARDS_HEADERS

# Beyond this many agencies a case × agency grid is unreadable on paper; printed formats list
# the cases whose grades differ instead (the full grid stays in the HTML and the exports).
MATRIX_MAX_COLUMNS = 12


class MdSafe(str):
    """Markdown we built ourselves; the default escaping leaves it alone."""


_AMP = re.compile(r"&(?=#?\w+;)")  # only an ampersand that would start an entity
_INLINE = re.compile(r"([\\`*_\[\]|])")
_BLOCK = re.compile(r"^([ \t]*)(#{1,6}|[+=-]+|\d+(?=[.)]))(?=[\s.)]|$)", re.MULTILINE)
_BLANKS = re.compile(r"\n\s*\n(\s*\n)*")


def md_escape(value: object) -> str:
    """Neutralise what Markdown would act on (HTML, emphasis, links, table pipes, list and heading
    markers at a line start) while leaving ordinary prose, apostrophes and dashes as written."""
    if isinstance(value, MdSafe):
        return value
    text = "" if value is None else str(value)
    text = _AMP.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    return _BLOCK.sub(_block_marker, text)


def _block_marker(m: re.Match[str]) -> str:
    # "\1." is not an escape in CommonMark; the full stop after the number is what to escape.
    indent, marker = m.group(1), m.group(2)
    return f"{indent}{marker}\\" if marker[0].isdigit() else f"{indent}\\{marker}"


def md_block(value: object, indent: int = 2) -> MdSafe:
    """An escaped narrative whose paragraphs stay inside the list item it belongs to."""
    text = _BLANKS.sub("\n\n", md_escape(str(value).replace("\r\n", "\n").strip()))
    pad = " " * indent
    return MdSafe("\n".join(pad + line if line else "" for line in text.split("\n")).lstrip())


def md_table(headers: list[str], rows: list[list[object]]) -> MdSafe:
    def row(cells: list[object]) -> str:
        return "| " + " | ".join(md_escape(c).replace("\n", " ") for c in cells) + " |"

    lines = [row(list(headers)), "|" + "---|" * len(headers), *(row(r) for r in rows)]
    return MdSafe("\n".join(lines))


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def listing(items: list[str]) -> str:
    """ "A, B and C", as a sentence would say it."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _common(env: Environment) -> Environment:
    env.filters.update(plural=plural, listing=listing)
    env.globals.update(MATRIX_MAX_COLUMNS=MATRIX_MAX_COLUMNS, standards_headers=STANDARDS_HEADERS)
    env.globals.update(
        MODERATED_HEAD=MODERATED_HEAD, MODERATED_NOTE=MODERATED_NOTE, MODERATED_GRID=MODERATED_GRID
    )
    return env


@cache
def markdown_env() -> Environment:
    env = Environment(
        loader=PackageLoader("report", "templates"),
        autoescape=False,
        finalize=md_escape,  # escape by default, like HTML autoescaping
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(md_block=md_block, md_text=lambda t: MdSafe(to_markdown(t)), md_safe=MdSafe)
    env.globals.update(md_table=md_table)
    return _common(env)


@cache
def html_env() -> Environment:
    env = Environment(
        loader=PackageLoader("report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(md_html=to_html)
    return _common(env)


def table_rows(r: OverviewReport) -> dict[str, list[list[object]]]:
    """The body rows of the report's tables, shared by the Markdown and DOCX renderings."""
    return {
        "domain_rows": [[d.domain, *d.grades, d.not_graded] for d in r.domains],
        "matrix_rows": [[m.case, *m.cells, "Yes" if m.flagged else ""] for m in r.matrix.rows],
        "moderated_rows": moderated_rows(r),
        "narrative_rows": [[n.agency, n.returns, f"{n.mean_chars:,}"] for n in r.narrative],
        "theme_rows": [
            [t.label, len(t.agencies), t.returns, ", ".join(t.agencies)] for t in r.cross_cutting
        ],
        "comparison_rows": [
            [c.measure, c.previous, c.current] for c in (r.comparison.rows if r.comparison else [])
        ],
        "action_rows": [
            [a.number, a.recommendation, a.owner, a.due, a.progress, a.status] for a in r.actions
        ],
    }


def markdown_from(report: OverviewReport) -> str:
    return markdown_env().get_template("overview.md.j2").render(r=report, **table_rows(report))


def html_from(report: OverviewReport, *, for_print: bool = False) -> str:
    """`for_print` lays the page out for A4 (WeasyPrint) and summarises a very wide case grid."""
    return (
        html_env()
        .get_template("overview.html.j2")
        .render(
            r=report,
            for_print=for_print,
            grades_chart=grades_chart(report),
            returns_chart=returns_chart(report),
        )
    )


def render_markdown(snapshot: RoundSnapshot) -> str:
    return markdown_from(snapshot.overview)


def render_html(snapshot: RoundSnapshot, *, for_print: bool = False) -> str:
    return html_from(snapshot.overview, for_print=for_print)
