"""A one-time desk sign-in link for the member a call acts for (the bot's /desk)."""

from datetime import datetime

from pydantic import BaseModel

from collector.api.routing import Api, Call
from collector.auth import ensure_member
from collector.desk.common import public_base, signin_url
from collector.keys import DB
from collector.services import desk_auth

api = Api()


class DeskLinkIssued(BaseModel):
    url: str  # works once, until expires_at; shown to the member only
    expires_at: datetime


@api.route(
    "POST",
    "/api/desk/link",
    "A one-time sign-in link to the desk for the calling member (valid 10 minutes)",
    response=DeskLinkIssued,
    status=201,
)
async def desk_link(call: Call) -> DeskLinkIssued:
    ensure_member(call.actor)
    assert call.actor is not None and call.actor.member_id is not None
    async with call.request.app[DB].write() as session:
        issued = await desk_auth.issue_link(
            session=session, actor=call.actor, member_id=call.actor.member_id
        )
    return DeskLinkIssued(
        url=signin_url(public_base(call.request), issued.secret), expires_at=issued.expires_at
    )
