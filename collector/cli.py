"""The `maa` command: the composition root, the one place that wires collector and bot."""

import asyncio
import json
import logging
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from collector.auth import SYSTEM
from collector.cli_access import (
    MemberOption,
    member_disable,
    member_enable,
    token_list,
    token_revoke,
)
from collector.cli_common import err, fail, out, run, settings, tally_table, with_db
from collector.cli_moderation import allocate_app, extension_app, moderate_app
from collector.cli_ops import backup, member_erase, restore, retention, rotate_key
from collector.cli_overview import overview_app
from collector.cli_remind import remind
from collector.cli_run import bot, chat, chat_web, demo, serve
from collector.cli_screen import screen
from collector.db import Database
from models import logs
from models.enums import Role, RoundStatus
from models.people import InviteCreate, MemberCreate
from models.roundfile import RoundFile
from models.roundfile_read import RoundFileError, read_round_text
from models.settings import Settings
from models.validators import BIGINT_MAX, BIGINT_MIN, THEME_THRESHOLD_MAX
from report.tally import Tally

app = typer.Typer(help="MAA: multi-agency case audits.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
round_app = typer.Typer(help="Audit rounds.", no_args_is_help=True)
member_app = typer.Typer(help="Members.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(round_app, name="round")
app.add_typer(member_app, name="member")
app.add_typer(token_app, name="token")
app.add_typer(overview_app, name="overview")
app.add_typer(moderate_app, name="moderate")
app.add_typer(allocate_app, name="allocate")
app.add_typer(extension_app, name="extension")
app.command("remind")(remind)
member_app.command("disable")(member_disable)
member_app.command("enable")(member_enable)
token_app.command("list")(token_list)
token_app.command("revoke")(token_revoke)
member_app.command("erase")(member_erase)
app.command("rotate-key")(rotate_key)
app.command("screen")(screen)
app.command("chat-web")(chat_web)
for command in (serve, bot, chat, demo, backup, restore, retention):
    app.command(command.__name__)(command)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the newest schema."""
    run(lambda conf: asyncio.sleep(0))
    out.print("Database is up to date.")


def read_round_file(path: Path) -> RoundFile:
    try:
        return read_round_text(path.read_bytes())
    except FileNotFoundError:
        fail(f"no such file: {path}")
    except RoundFileError as exc:
        fail(f"{path}: {exc}")
    raise AssertionError


@round_app.command("create")
def round_create(file: Path, open_now: Annotated[bool, typer.Option("--open")] = False) -> None:
    """Create a round from a round file (agencies, cases, expectations, dates, tool version)."""
    from collector.services import rounds

    data = read_round_file(file)

    async def job(db: Database) -> Any:
        async with db.write() as session:
            created = await rounds.create_round(session=session, actor=SYSTEM, data=data)
            if open_now:
                created = await rounds.set_round_status(
                    session=session, actor=SYSTEM, slug=data.slug, status=RoundStatus.open
                )
            return created

    created = run(lambda conf: with_db(conf, job))
    out.print(f"Created round [bold]{created.slug}[/bold] ({created.status}).")


def _set_status(slug: str, status: RoundStatus) -> None:
    from collector.services import rounds

    async def job(db: Database) -> Any:
        async with db.write() as session:
            return await rounds.set_round_status(
                session=session, actor=SYSTEM, slug=slug, status=status
            )

    result = run(lambda conf: with_db(conf, job))
    out.print(f"Round {result.slug} is {result.status}.")


@round_app.command("open")
def round_open(slug: str) -> None:
    """Open a round for returns."""
    _set_status(slug, RoundStatus.open)


@round_app.command("close")
def round_close(slug: str) -> None:
    """Close a round."""
    _set_status(slug, RoundStatus.closed)


@member_app.command("add")
def member_add(
    name: Annotated[str, typer.Option("--name")],
    role: Annotated[Role, typer.Option("--role")],
    telegram_id: Annotated[
        int | None, typer.Option("--telegram-id", min=BIGINT_MIN, max=BIGINT_MAX)
    ] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="agency code")] = None,
) -> None:
    """Add a member directly: this is how the first coordinator is made."""
    from collector.services import members

    data = MemberCreate(display_name=name, role=role, telegram_id=telegram_id, agency=agency)

    async def job(db: Database) -> Any:
        async with db.write() as session:
            return await members.add_member(session=session, actor=SYSTEM, data=data)

    member = run(lambda conf: with_db(conf, job))
    out.print(f"Added member {member.id}: {member.display_name} ({member.role}).")


@app.command("desk-link")
def desk_link(
    member: Annotated[int, typer.Option("--member", help="member id")],
    for_chat: Annotated[
        bool, typer.Option("--chat", help="a link to the browser chat instead of the desk")
    ] = False,
) -> None:
    """A one-time sign-in link to the desk (or, with --chat, to the browser chat) for a member
    (works once, for 10 minutes)."""
    from collector.desk.common import signin_url
    from collector.services import desk_auth

    async def job(db: Database) -> str:
        async with db.write() as session:
            issued = await desk_auth.issue_link(session=session, actor=SYSTEM, member_id=member)
        return issued.secret

    conf = settings()
    secret = run(lambda c: with_db(c, job))
    err.print("Give this link to the member only; it works once, for 10 minutes:")
    if for_chat:
        print(f"{conf.chat_url}/chat/signin/{secret}")
    else:
        print(signin_url(conf.collector_url.rstrip("/"), secret))


@token_app.command("create")
def token_create(member: MemberOption) -> None:
    """Create a personal API token. It is printed once; only its hash is kept."""
    from collector.services import members

    async def job(db: Database) -> str:
        async with db.write() as session:
            return await members.create_token(session=session, actor=SYSTEM, member_id=member)

    token = run(lambda conf: with_db(conf, job))
    err.print("Keep this token safe; it will not be shown again:")
    print(token)


def parse_duration(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([dh])", text.strip())
    if not match:
        raise typer.BadParameter("use a number of days or hours, like 7d or 12h")
    amount = float(match.group(1))
    return timedelta(days=amount) if match.group(2) == "d" else timedelta(hours=amount)


@app.command("invite")
def invite(
    agency: Annotated[str | None, typer.Option("--agency", help="agency code")] = None,
    role: Annotated[Role, typer.Option("--role")] = Role.auditor,
    expires_in: Annotated[str, typer.Option("--expires-in", help="like 7d or 12h")] = "7d",
) -> None:
    """Issue a single-use invite; prints the code and, when the bot is known, its link."""
    from collector.services import members

    days = parse_duration(expires_in).total_seconds() / 86400
    try:
        data = InviteCreate(role=role, agency=agency, expires_in_days=days)
    except ValidationError as exc:
        fail(f"--expires-in: {exc.errors()[0]['msg']}")

    async def job(conf: Settings) -> Any:
        async def inner(db: Database) -> Any:
            async with db.write() as session:
                return await members.issue_invite(
                    session=session,
                    actor=SYSTEM,
                    data=data,
                    bot_username=conf.telegram_bot_username,
                )

        return await with_db(conf, inner)

    issued = run(job)
    role = issued.role.value.replace("_", " ")
    err.print(
        f"Invite for {'an' if role[0] in 'aeiou' else 'a'} {role}"
        f"{' of ' + issued.agency if issued.agency else ''}, "
        f"single use, expires {issued.expires_at:%d %b %Y %H:%M} UTC:"
    )
    print(issued.link or issued.code)


@app.command("tally")
def tally(
    slug: str,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    standards: Annotated[
        bool, typer.Option("--standards", help="how each agency audited (audit standards)")
    ] = False,
) -> None:
    """Returns per agency and overall grades, counting submitted returns only."""
    from collector.services import progress

    if standards:
        from collector.cli_standards import print_standards

        return print_standards(slug, as_json)

    async def job(db: Database) -> Tally:
        async with db.read() as session:
            return await progress.round_tally(session=session, actor=SYSTEM, slug=slug)

    result = run(lambda conf: with_db(conf, job))
    if as_json:
        print(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        out.print(tally_table(result))


@app.command("report")
def report(
    slug: str,
    fmt: Annotated[
        str, typer.Option("--format", help="md, html, pdf, docx, csv, xlsx or json")
    ] = "html",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write")] = None,
    theme_threshold: Annotated[
        int,
        typer.Option(
            min=1,
            max=THEME_THRESHOLD_MAX,
            help="a theme is cross-cutting when this many agencies raise it",
        ),
    ] = 3,
    no_annex: Annotated[
        bool, typer.Option("--no-annex", help="leave out the evidence annex (verbatim answers)")
    ] = False,
) -> None:
    """Write the overview report of a round, or an export of its returns."""
    from collector.services.report_doc import report_snapshot
    from report.formats import FORMATS, UnknownFormat, get_format, render_async

    try:
        chosen = get_format(fmt)
    except UnknownFormat:
        fail(f"unknown format '{fmt}'; use one of: {', '.join(FORMATS)}")
    target = output or Path(chosen.filename(slug))

    async def job(db: Database) -> bytes:
        from collector.services.retention import kept_report

        async with db.read() as session:
            kept = await kept_report(session, slug, chosen.name)  # answers removed: kept report
            if kept is not None:
                return kept
            snapshot = await report_snapshot(
                session=session, slug=slug, annex=not no_annex, theme_threshold=theme_threshold
            )
        return await render_async(snapshot, chosen.name)

    body = run(lambda conf: with_db(conf, job))
    target.write_bytes(body)
    out.print(f"Wrote {target} ({len(body):,} bytes).")


def main() -> None:
    logs.install(sys.stderr)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app()
