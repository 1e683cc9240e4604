"""`maa overview ...`: write the overview report from the command line, through the same
services as the API (sections and their versions, statements, evidence, finalise, reopen)."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from collector.auth import SYSTEM
from collector.cli_common import fail, out, run, with_db
from collector.db import Database
from models.report_doc import ReportInfoUpdate

overview_app = typer.Typer(
    help="Write the overview report: section texts, statements, evidence, finalise.",
    no_args_is_help=True,
)


def _read(job: Any) -> Any:
    async def inner(db: Database) -> Any:
        async with db.read() as session:
            return await job(session)

    return run(lambda conf: with_db(conf, inner))


def _write(job: Any) -> Any:
    async def inner(db: Database) -> Any:
        async with db.write() as session:
            return await job(session)

    return run(lambda conf: with_db(conf, inner))


@overview_app.command("sections")
def sections(slug: str) -> None:
    """The report's sections in order, with their text's version."""
    from collector.services import report_text

    rows = _read(lambda s: report_text.list_sections(session=s, actor=SYSTEM, slug=slug))
    table = Table(title=f"{slug}: report sections")
    for col in ("Key", "Title", "Version", "Text", "Statements"):
        table.add_column(col)
    for r in rows:
        has = "written" if r["has_text"] else "drafted"
        table.add_row(r["key"], r["title"], str(r["version"]), has, str(r["statements"]))
    out.print(table)


@overview_app.command("show")
def show(slug: str, key: str) -> None:
    """A section's current text (its version on stderr)."""
    from collector.services import report_text

    found = _read(lambda s: report_text.get_section(session=s, actor=SYSTEM, slug=slug, key=key))
    typer.echo(
        f"version {found.version}" + (f" by {found.author}" if found.author else ""), err=True
    )
    typer.echo(found.text)


@overview_app.command("save")
def save(
    slug: str,
    key: str,
    file: Annotated[Path, typer.Option("--file", help="Markdown file; - reads standard input")],
    base: Annotated[int, typer.Option("--base", help="the version you edited (0: first text)")],
) -> None:
    """Save a section's text as a new version; refused if someone saved since --base."""
    from collector.services import report_text

    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc.__class__.__name__}")
    saved = _write(
        lambda s: report_text.save_section(
            session=s, actor=SYSTEM, slug=slug, key=key, text=text, base_version=base
        )
    )
    out.print(f"Saved {key}: version {saved.version}.")


@overview_app.command("versions")
def versions(slug: str, key: str) -> None:
    """Every saved version of a section: who and when."""
    from collector.services import report_text

    rows = _read(lambda s: report_text.list_versions(session=s, actor=SYSTEM, slug=slug, key=key))
    table = Table(title=f"{slug} {key}: versions")
    for col in ("Version", "By", "When (UTC)", "Characters"):
        table.add_column(col)
    for v in rows:
        when = f"{v.created_at:%d %b %Y %H:%M}" if v.created_at else ""
        table.add_row(str(v.version), v.author or "", when, f"{len(v.text):,}")
    out.print(table)


@overview_app.command("statements")
def statements(slug: str, key: str) -> None:
    """The statements MAA drafts for a section: id, text and the returns behind it."""
    from collector.services import report_text

    found = _read(
        lambda s: report_text.section_statements(session=s, actor=SYSTEM, slug=slug, key=key)
    )
    if not found:
        out.print("No statements for this section.")
    for st in found:
        behind = f" [returns {', '.join(map(str, st.return_ids))}]" if st.return_ids else ""
        out.print(f"[bold]{st.id}[/bold]: {st.text}{behind}", highlight=False)


@overview_app.command("insert")
def insert(
    slug: str,
    key: str,
    statement_id: str,
    base: Annotated[int, typer.Option("--base", help="the section's current version")],
) -> None:
    """Append a drafted statement to the section's text as a new version."""
    from collector.services import report_text

    saved = _write(
        lambda s: report_text.insert_statement(
            session=s,
            actor=SYSTEM,
            slug=slug,
            key=key,
            statement_id=statement_id,
            base_version=base,
        )
    )
    out.print(f"Inserted {statement_id} into {key}: version {saved.version}.")


@overview_app.command("evidence")
def evidence(
    slug: str,
    key: str,
    theme: Annotated[str | None, typer.Option(help="theme option key (themes section)")] = None,
    case: Annotated[str | None, typer.Option(help="only this case")] = None,
    grade: Annotated[str | None, typer.Option(help="only this overall grade key")] = None,
    page: Annotated[int, typer.Option(min=1)] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=200)] = 50,
) -> None:
    """The answers behind a section, grouped, with their return ids."""
    from collector.services import report_text

    found = _read(
        lambda s: report_text.section_evidence(
            session=s,
            actor=SYSTEM,
            slug=slug,
            key=key,
            theme=theme,
            case=case,
            grade=grade,
            page=page,
            per_page=per_page,
        )
    )
    for g in found.groups:
        out.print(f"[bold]{g.label}[/bold]", highlight=False)
        for i in g.items:
            out.print(
                f"  return {i.return_id} · {i.case} · {i.question}: {i.text}", highlight=False
            )
    out.print(f"Page {found.page} of {found.pages} ({found.total} answers).")


@overview_app.command("info")
def info(
    slug: str,
    authors: Annotated[str | None, typer.Option(help="as printed under the title")] = None,
    date: Annotated[str | None, typer.Option(help='the report\'s date, e.g. "March 2024"')] = None,
    distribution: Annotated[str | None, typer.Option(help="who the report goes to")] = None,
    caution_size: Annotated[
        int | None, typer.Option(min=1, help="cohorts under this size get a caution (20)")
    ] = None,
) -> None:
    """Show the report's status and settings; set any that are given."""
    from collector.services import report_doc

    data = ReportInfoUpdate(
        authors=authors, report_date=date, distribution=distribution, caution_size=caution_size
    )
    if data.model_dump(exclude_none=True):
        got = _write(
            lambda s: report_doc.update_info(session=s, actor=SYSTEM, slug=slug, data=data)
        )
    else:
        got = _read(lambda s: report_doc.get_info(session=s, actor=SYSTEM, slug=slug))
    for k, v in got.model_dump().items():
        out.print(f"{k}: {'' if v is None else v}", highlight=False)


@overview_app.command("finalise")
def finalise(slug: str) -> None:
    """Freeze the report's text and figures; every later download is the same document."""
    from collector.services import report_doc

    got = _write(lambda s: report_doc.finalise(session=s, actor=SYSTEM, slug=slug))
    out.print(f"The {slug} report is final ({got.finalised_at:%d %b %Y %H:%M} UTC).")


@overview_app.command("reopen")
def reopen(slug: str, reason: Annotated[str, typer.Option("--reason")]) -> None:
    """Reopen a final report for editing; the reason is kept."""
    from collector.services import report_doc

    if len(reason.strip()) < 3:
        fail("give a reason of a few words with --reason")
    _write(lambda s: report_doc.reopen(session=s, actor=SYSTEM, slug=slug, reason=reason))
    out.print(f"The {slug} report is a draft again.")
