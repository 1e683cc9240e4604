"""Passkeys (WebAuthn): register one after signing in, sign in with it later.

Challenges are stored and used once; the browser's signed client data names its challenge,
so a sign-in needs no state in the browser before it.
"""

import json
import re
from datetime import timedelta
from typing import Any

import webauthn
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from webauthn.helpers import bytes_to_base64url, options_to_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from collector.auth import Actor
from collector.errors import BadRequest, Forbidden
from collector.services import desk_auth
from collector.services.audit import record
from models.base import utcnow
from models.desk import Passkey, PasskeyChallenge
from models.passkey_site import RelyingParty
from models.people import Member

CHALLENGE_LIFE = timedelta(minutes=5)
RP_NAME = "MAA desk"
SAVED = "Passkey saved: you can sign in with it from now on."  # the desk and the chat say it
UNKNOWN_PASSKEY = "This passkey is not registered with MAA, or can no longer be used to sign in."


# Challenges and credential ids are base64url: anything else is no value of ours, and is
# never sent to the database (PostgreSQL refuses a NUL in text).
BASE64URL = re.compile(r"[A-Za-z0-9_-]{1,1024}")


def _challenge_of(credential: dict[str, Any]) -> str:
    try:
        raw = webauthn.base64url_to_bytes(credential["response"]["clientDataJSON"])
        value = json.loads(raw)["challenge"]
    except (KeyError, TypeError, ValueError):
        raise BadRequest("That is not a passkey response.", code="bad_passkey") from None
    if not isinstance(value, str) or not BASE64URL.fullmatch(value):
        raise BadRequest("That is not a passkey response.", code="bad_passkey")
    return value


async def _take_challenge(
    session: AsyncSession, credential: dict[str, Any], purpose: str
) -> PasskeyChallenge:
    """The stored challenge this response answers, removed so it works once."""
    value = _challenge_of(credential)
    row = (
        await session.execute(
            select(PasskeyChallenge)
            .where(PasskeyChallenge.challenge == value, PasskeyChallenge.purpose == purpose)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None or row.expires_at <= utcnow():
        raise Forbidden("That passkey request has expired: try again.", code="passkey_expired")
    await session.delete(row)
    await session.execute(delete(PasskeyChallenge).where(PasskeyChallenge.expires_at <= utcnow()))
    return row


async def _store_challenge(
    session: AsyncSession, challenge: bytes, purpose: str, member_id: int | None
) -> None:
    session.add(
        PasskeyChallenge(
            challenge=bytes_to_base64url(challenge),
            purpose=purpose,
            member_id=member_id,
            expires_at=utcnow() + CHALLENGE_LIFE,
        )
    )
    await session.flush()


async def registration_options(*, session: AsyncSession, actor: Actor, rp: RelyingParty) -> str:
    """The options the browser needs to make a passkey for the signed-in member (JSON)."""
    assert actor.member_id is not None
    member = await session.get(Member, actor.member_id)
    assert member is not None
    mine = (
        await session.execute(select(Passkey.credential_id).where(Passkey.member_id == member.id))
    ).scalars()
    options = webauthn.generate_registration_options(
        rp_id=rp.rp_id,
        rp_name=RP_NAME,
        user_name=f"member-{member.id}",
        user_id=str(member.id).encode(),
        user_display_name=member.display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(c)) for c in mine
        ],
    )
    await _store_challenge(session, options.challenge, "register", member.id)
    return options_to_json(options)


async def register(
    *, session: AsyncSession, actor: Actor, rp: RelyingParty, credential: dict[str, Any]
) -> None:
    challenge = await _take_challenge(session, credential, "register")
    if challenge.member_id != actor.member_id:
        raise Forbidden("That passkey request was for someone else.", code="passkey_expired")
    try:
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=webauthn.base64url_to_bytes(challenge.challenge),
            expected_rp_id=rp.rp_id,
            expected_origin=list(rp.origins),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):  # any malformed part
        raise BadRequest("The passkey could not be checked.", code="bad_passkey") from None
    key = Passkey(
        member_id=actor.member_id,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    session.add(key)
    await session.flush()
    record(
        session,
        actor=actor,
        action="desk.passkey_add",
        entity="member",
        entity_id=actor.member_id,
        after={"passkey": key.id},
    )


async def signin_options(*, session: AsyncSession, rp: RelyingParty) -> str:
    """Options for signing in with any passkey of this desk (the browser offers the member's)."""
    options = webauthn.generate_authentication_options(
        rp_id=rp.rp_id, user_verification=UserVerificationRequirement.PREFERRED
    )
    await _store_challenge(session, options.challenge, "signin", None)
    return options_to_json(options)


async def sign_in(
    *, session: AsyncSession, rp: RelyingParty, credential: dict[str, Any], how: str = "passkey"
) -> desk_auth.Opened:
    """A session for the member whose passkey signed this challenge (`how`: "chat_passkey"
    when the browser chat asks, so the audit trail tells the two apart)."""
    challenge = await _take_challenge(session, credential, "signin")
    key_id = credential.get("id")
    key = None
    if isinstance(key_id, str) and BASE64URL.fullmatch(key_id):
        found = await session.execute(select(Passkey).where(Passkey.credential_id == key_id))
        key = found.scalar_one_or_none()
    member = await session.get(Member, key.member_id) if key else None
    if key is None or member is None or not desk_auth.member_allowed(member):
        raise Forbidden(UNKNOWN_PASSKEY, code="unknown_passkey")
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=webauthn.base64url_to_bytes(challenge.challenge),
            expected_rp_id=rp.rp_id,
            expected_origin=list(rp.origins),
            credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):  # any malformed part
        raise Forbidden("The passkey could not be checked.", code="bad_passkey") from None
    key.sign_count = verified.new_sign_count
    key.used_at = utcnow()
    return await desk_auth.open_session(session=session, member_id=key.member_id, how=how)


async def count_for(*, session: AsyncSession, member_id: int) -> int:
    rows = await session.execute(select(Passkey.id).where(Passkey.member_id == member_id))
    return len(rows.all())
