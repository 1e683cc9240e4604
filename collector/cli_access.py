"""`maa member disable|enable` and `maa token list|revoke`: withdrawing access from the server."""

from typing import Annotated, Any

import typer

from collector.auth import SYSTEM
from collector.cli_common import err, out, run, with_db
from collector.db import Database
from models.validators import ID_MAX


def _switch(member_id: int, disabled: bool) -> None:
    from collector.services import withdraw

    async def job(db: Database) -> Any:
        async with db.write() as session:
            return await withdraw.set_disabled(
                session=session, actor=SYSTEM, member_id=member_id, disabled=disabled
            )

    m = run(lambda conf: with_db(conf, job))
    if disabled:
        out.print(
            f"Member {m.id} ({m.display_name}) is disabled: their tokens and Telegram messages "
            "are refused from now on. Their answers and audit events stay."
        )
    else:
        out.print(f"Member {m.id} ({m.display_name}) is enabled again.")


MemberId = Annotated[int, typer.Argument(help="member id", min=1, max=ID_MAX)]
MemberOption = Annotated[int, typer.Option("--member", help="member id", min=1, max=ID_MAX)]


def member_disable(member_id: MemberId) -> None:
    """Disable a member: every credential of theirs is refused at once."""
    _switch(member_id, True)


def member_enable(member_id: MemberId) -> None:
    """Enable a disabled member again."""
    _switch(member_id, False)


def token_list(member: MemberOption) -> None:
    """A member's personal API tokens (ids and dates; the tokens themselves are not kept)."""
    from collector.services import withdraw

    async def job(db: Database) -> Any:
        async with db.read() as session:
            return await withdraw.list_tokens(session=session, actor=SYSTEM, member_id=member)

    tokens = run(lambda conf: with_db(conf, job))
    if not tokens:
        err.print(f"Member {member} has no tokens.")
    for t in tokens:
        state = f"revoked {t.revoked_at:%d %b %Y %H:%M}" if t.revoked_at else "live"
        out.print(f"token {t.id}: created {t.created_at:%d %b %Y %H:%M} UTC, {state}")


def token_revoke(
    member: MemberOption,
    token: Annotated[
        int | None, typer.Option("--token", help="one token id; default all", min=1, max=ID_MAX)
    ] = None,
) -> None:
    """Revoke a member's personal API tokens (all, or one with --token); refused at once."""
    from collector.services import withdraw

    async def job(db: Database) -> int:
        async with db.write() as session:
            return await withdraw.revoke_tokens(
                session=session, actor=SYSTEM, member_id=member, token_id=token
            )

    revoked = run(lambda conf: with_db(conf, job))
    out.print(f"Revoked {revoked} token{'s' if revoked != 1 else ''} of member {member}.")
