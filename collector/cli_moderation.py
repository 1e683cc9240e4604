"""`maa moderate …`, `maa allocate …`, `maa extension …`: moderation from the command line,
through the same services as the API (acting as the `maa` command, a coordinator)."""

from typing import Annotated, Any

import typer

from collector.auth import SYSTEM
from collector.cli_common import out, run, with_db
from collector.db import Database
from models.moderation import AllocateBody, GradeModerate, QueryAsk, QueryPublic

moderate_app = typer.Typer(
    help="Moderate submitted returns: queries and their threads, moderated grades.",
    no_args_is_help=True,
)
allocate_app = typer.Typer(
    help="Allocate an agency's expected cases to its auditors.", no_args_is_help=True
)
extension_app = typer.Typer(help="Extensions: list and decide requests.", no_args_is_help=True)


def _do(job: Any, *, write: bool = True) -> Any:
    async def inner(db: Database) -> Any:
        async with db.write() if write else db.read() as session:
            return await job(session)

    return run(lambda conf: with_db(conf, inner))


def _thread(q: QueryPublic) -> None:
    out.print(
        f"query {q.id} on return {q.return_id} ({q.case}, {q.agency}) — {q.question_title}: "
        f"{q.status}",
        markup=False,
        highlight=False,
    )
    for e in q.thread:
        out.print(f"  {e.at:%Y-%m-%d %H:%M} {e.entry} by {e.author}: {e.text or ''}", markup=False)


@moderate_app.command("queries")
def queries(return_id: int) -> None:
    """A return's queries, each with its thread."""
    from collector.services import moderation

    found = _do(
        lambda s: moderation.list_queries(session=s, actor=SYSTEM, return_id=return_id),
        write=False,
    )
    if not found:
        out.print(f"Return {return_id} has no queries.")
    for q in found:
        _thread(q)


@moderate_app.command("ask")
def ask(return_id: int, question: str, text: str) -> None:
    """Query one answer (QUESTION: its key in the tool) of a submitted return."""
    from collector.services import moderation

    data = QueryAsk(question=question, text=text)
    q = _do(lambda s: moderation.ask_query(session=s, actor=SYSTEM, return_id=return_id, data=data))
    _thread(q)
    told = ", ".join(q.queued_to) or "nobody new (asked before, or nobody reachable)"
    out.print(f"Queued to: {told} (sent by the bot's outbox).", markup=False)


@moderate_app.command("close")
def close(query_id: int, reason: str) -> None:
    """Close a query with a reason."""
    from collector.services import moderation

    _thread(
        _do(
            lambda s: moderation.close_query(
                session=s, actor=SYSTEM, query_id=query_id, reason=reason
            )
        )
    )


@moderate_app.command("grade")
def grade(return_id: int, question: str, grade_key: str, reason: str) -> None:
    """Record a moderated grade (outstanding, good, requires_improvement, inadequate)."""
    from collector.services import moderated_grades

    data = GradeModerate(question=question, grade=grade_key, reason=reason)
    g = _do(
        lambda s: moderated_grades.moderate_grade(
            session=s, actor=SYSTEM, return_id=return_id, data=data
        )
    )
    out.print(
        f"Return {return_id}, {g.question}: agency {g.agency_grade or '—'}, moderated {g.grade}.",
        markup=False,
    )


@allocate_app.command("list")
def list_allocations(
    slug: str, agency: Annotated[str | None, typer.Option(help="agency code")] = None
) -> None:
    """Expected cases and whom each is allocated to."""
    from collector.services import allocation

    rows = _do(
        lambda s: allocation.expected_cases(session=s, actor=SYSTEM, slug=slug, agency=agency),
        write=False,
    )
    for r in rows:
        extra = f" (extended to {r.extended_to})" if r.extended_to else ""
        who = f"{r.auditor} (#{r.auditor_id})" if r.auditor else "not allocated"
        out.print(f"{r.agency} {r.case}: {who}{extra}", markup=False)


@allocate_app.command("set")
def set_allocation(slug: str, agency: str, case: str, member_id: int) -> None:
    """Allocate CASE of AGENCY to the member (one of the agency's auditors)."""
    from collector.services import allocation

    data = AllocateBody(round=slug, case=case, auditor=member_id, agency=agency)
    r = _do(lambda s: allocation.allocate(session=s, actor=SYSTEM, data=data))
    out.print(f"{r.agency} {r.case} allocated to {r.auditor} (#{r.auditor_id}).", markup=False)


@extension_app.command("list")
def list_extensions(slug: str) -> None:
    """A round's extension requests."""
    from collector.services import extensions

    rows = _do(
        lambda s: extensions.list_extensions(session=s, actor=SYSTEM, slug=slug), write=False
    )
    if not rows:
        out.print("No extension requests.")
    for e in rows:
        out.print(f"#{e.id} {e.agency} {e.case}: until {e.until}, {e.status}", markup=False)


@extension_app.command("decide")
def decide(
    extension_id: int,
    decision: Annotated[str, typer.Argument(help="approve or decline")],
    reason: Annotated[str | None, typer.Option(help="said to the agency")] = None,
) -> None:
    """Approve or decline an extension request."""
    from collector.cli_common import fail
    from collector.services import extensions

    if decision not in ("approve", "decline"):
        fail("say approve or decline")
    e = _do(
        lambda s: extensions.decide_extension(
            session=s,
            actor=SYSTEM,
            extension_id=extension_id,
            approve=decision == "approve",
            reason=reason,
        )
    )
    out.print(f"#{e.id} {e.agency} {e.case}: {e.status} (until {e.until}).", markup=False)
