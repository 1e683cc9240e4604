"""The bot's HTTP client to the collector: the bot's only way to read or write anything.

The service token authenticates the bot; `X-MAA-Telegram-Id` says which member it acts for, or,
for the browser chat, `X-MAA-Session` names the signed-in member's session (`for_session`).
Transient failures (no connection, 502/503/504) are retried a few times with backoff, then
raised as `CollectorUnavailable`, so the caller can keep the answer and say it is not saved.
Nothing here logs bodies: they may hold narratives, tokens or invite codes.
"""

import asyncio
import logging
from typing import Any

import aiohttp

from models.returns import ANSWER_RESULT, RETURN_PUBLIC, AnswerResult, ReturnPublic

log = logging.getLogger(__name__)

TRANSIENT = {502, 503, 504}


class CollectorError(Exception):
    """A 4xx answer from the collector: `code` and `message` as in docs/api.md."""

    def __init__(self, status: int, code: str, message: str, extra: dict | None = None) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}


class CollectorUnavailable(Exception):
    """The collector could not be reached (after the retries)."""


class CollectorClient:
    def __init__(
        self,
        base_url: str,
        service_token: str,
        *,
        attempts: int = 3,
        backoff: float = 0.25,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = service_token
        self.attempts = attempts
        self.backoff = backoff
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._owner: CollectorClient = self  # whose connection pool this client uses
        self._chat_session: str | None = None
        self.session_ended = False

    def for_session(self, secret: str) -> "CollectorClient":
        """This client acting for the member signed in to a browser chat session: every call
        names the session (never a Telegram id: a web-only member has none). It shares this
        client's connections; closing it closes nothing."""
        clone = CollectorClient(
            self.base_url,
            self._token,
            attempts=self.attempts,
            backoff=self.backoff,
            timeout=self._timeout.total or 10.0,
        )
        clone._owner, clone._chat_session = self._owner, secret
        return clone

    async def close(self) -> None:
        if self._owner is self and self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        owner = self._owner
        if owner._session is None or owner._session.closed:
            owner._session = aiohttp.ClientSession(timeout=owner._timeout)
        return owner._session

    def _headers(self, telegram_id: int | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self._token}"}
        if self._chat_session is not None:
            headers["X-MAA-Session"] = self._chat_session
        elif telegram_id is not None:
            headers["X-MAA-Telegram-Id"] = str(telegram_id)
        return headers

    async def request(
        self,
        method: str,
        path: str,
        telegram_id: int | None = None,
        *,
        json: Any = None,
        params: dict | None = None,
        raw: bool = False,
    ) -> Any:
        """One call, retried while the collector is unreachable; 4xx raise CollectorError."""
        http = self._http()
        url = f"{self.base_url}{path}"
        kwargs: dict[str, Any] = {"headers": self._headers(telegram_id), "params": params}
        if json is not None or method in ("PUT", "POST"):
            kwargs["json"] = json if json is not None else {}
        for attempt in range(1, self.attempts + 1):
            try:
                async with http.request(method, url, **kwargs) as resp:
                    if resp.status in TRANSIENT:
                        raise CollectorUnavailable(f"{method} {path}: {resp.status}")
                    if resp.status >= 400:
                        try:
                            body = await resp.json(content_type=None)
                        except (ValueError, aiohttp.ContentTypeError):
                            body = {}
                        body = body if isinstance(body, dict) else {}
                        code = body.pop("error", "http_error")
                        if code == "session_ended" and self._chat_session is not None:
                            self.session_ended = True  # the browser chat signs the page out
                        message = body.pop("message", resp.reason or "")
                        raise CollectorError(resp.status, code, message, body)
                    if raw:
                        return await resp.read(), dict(resp.headers)
                    return await resp.json(content_type=None)
            except (aiohttp.ClientConnectionError, TimeoutError, CollectorUnavailable) as exc:
                log.warning("collector %s %s unreachable (attempt %d)", method, path, attempt)
                if attempt == self.attempts:
                    raise CollectorUnavailable(str(type(exc).__name__)) from None
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise CollectorUnavailable(path)  # pragma: no cover

    # Members and enrolment
    async def me(self, tid: int | None) -> dict:
        return await self.request("GET", "/api/me", tid)

    async def redeem(self, code: str, tid: int | None, display_name: str) -> dict:
        body = {"code": code, "telegram_id": tid, "display_name": display_name[:200] or "Auditor"}
        return await self.request("POST", "/api/invites/redeem", json=body)

    async def create_invite(self, tid: int | None, agency: str | None, role: str) -> dict:
        return await self.request(
            "POST", "/api/invites", tid, json={"agency": agency, "role": role}
        )

    async def members(self, tid: int | None) -> list[dict]:
        return await self.request("GET", "/api/members", tid)

    async def set_access(self, tid: int | None, member_id: int, action: str) -> dict:
        """action: "disable" or "enable"."""
        return await self.request("POST", f"/api/members/{member_id}/{action}", tid)

    async def desk_link(self, tid: int | None) -> dict:
        """A one-time sign-in link to the desk for this member (never logged)."""
        return await self.request("POST", "/api/desk/link", tid)

    # The browser chat's sign-in (the desk's links and sessions; see collector/api/chat_sessions)
    async def chat_sign_in(self, link_secret: str) -> dict:
        """A sign-in link's secret for a session: {session, member_id, display_name}."""
        return await self.request("POST", "/api/chat/sessions", json={"link": link_secret})

    async def chat_join(self, code: str, display_name: str) -> dict:
        """Enrol with an invite as a web-only member, signed in at once."""
        body = {"code": code, "display_name": display_name[:200]}
        return await self.request("POST", "/api/chat/join", json=body)

    async def chat_sign_out(self) -> None:
        """End the session this client acts for (`for_session`)."""
        await self.request("POST", "/api/chat/signout")

    # Passkeys in the browser chat (the desk's; see collector/api/chat_passkeys.py). Options
    # and signed responses are WebAuthn JSON, passed through as they are.
    async def chat_passkey_options(self) -> dict:
        """Options for signing in with a passkey."""
        return await self.request("POST", "/api/chat/passkey/options")

    async def chat_passkey_sign_in(self, credential: dict) -> dict:
        """A passkey's signed response for a session: {session, member_id, display_name}."""
        body = {"credential": credential}
        return await self.request("POST", "/api/chat/passkey/signin", json=body)

    async def chat_passkeys(self) -> int:
        """How many passkeys the member of this client's session (`for_session`) has."""
        return int((await self.request("GET", "/api/chat/passkeys"))["passkeys"])

    async def chat_passkey_register_options(self) -> dict:
        return await self.request("POST", "/api/chat/passkeys/options")

    async def chat_passkey_register(self, credential: dict) -> dict:
        """{message, passkeys}: the passkey is stored when this returns."""
        return await self.request("POST", "/api/chat/passkeys", json={"credential": credential})

    async def mark_update(self, update_id: int) -> bool:
        """True the first time this Telegram update is seen."""
        body = await self.request("POST", f"/api/updates/{update_id}")
        return bool(body.get("first"))

    # Rounds
    async def rounds(self, tid: int | None, status: str | None = None) -> list[dict]:
        params = {"status": status} if status else None
        return await self.request("GET", "/api/rounds", tid, params=params)

    async def round(self, tid: int | None, slug: str) -> dict:
        return await self.request("GET", f"/api/rounds/{slug}", tid)

    async def set_round(self, tid: int | None, slug: str, action: str) -> dict:
        return await self.request("POST", f"/api/rounds/{slug}/{action}", tid)

    async def assignments(self, tid: int | None, slug: str) -> list[dict]:
        return await self.request("GET", f"/api/rounds/{slug}/assignments", tid)

    async def coordinators(self, tid: int | None, slug: str) -> list[dict]:
        return await self.request("GET", f"/api/rounds/{slug}/coordinators", tid)

    async def tally(self, tid: int | None, slug: str) -> dict:
        return await self.request("GET", f"/api/rounds/{slug}/tally", tid)

    async def overdue(self, tid: int | None, slug: str) -> list[dict]:
        return await self.request("GET", f"/api/rounds/{slug}/overdue", tid)

    async def report(self, tid: int | None, slug: str, fmt: str) -> tuple[bytes, dict]:
        path = f"/api/rounds/{slug}/report"
        return await self.request("GET", path, tid, params={"format": fmt}, raw=True)

    # Returns
    async def open_return(self, tid: int | None, slug: str, case: str) -> ReturnPublic:
        body = {"round": slug, "case": case}
        return RETURN_PUBLIC.validate_python(
            await self.request("POST", "/api/returns", tid, json=body)
        )

    async def get_return(self, tid: int | None, rid: int) -> ReturnPublic:
        return RETURN_PUBLIC.validate_python(await self.request("GET", f"/api/returns/{rid}", tid))

    async def put_answer(
        self,
        tid: int | None,
        rid: int,
        key: str,
        value: Any,
        update_id: int | None = None,
        names_ok: bool = False,
    ) -> AnswerResult:
        """Store one answer; `update_id` makes a redelivered update change nothing; `names_ok`:
        the author saw the possible-name warning and sends it as it is."""
        body: dict[str, Any] = {"value": value}
        if update_id is not None:
            body["update_id"] = update_id
        if names_ok:
            body["names_ok"] = True
        path = f"/api/returns/{rid}/answers/{key}"
        return ANSWER_RESULT.validate_python(await self.request("PUT", path, tid, json=body))

    async def add_part(
        self,
        tid: int | None,
        rid: int,
        key: str,
        text: str,
        update_id: int | None,
        fresh: bool,
        names_ok: bool = False,
    ) -> AnswerResult:
        """One more message of a narrative, joined to the stored text by the collector."""
        body = {"text": text, "update_id": update_id, "fresh": fresh, "names_ok": names_ok}
        path = f"/api/returns/{rid}/answers/{key}/parts"
        return ANSWER_RESULT.validate_python(await self.request("POST", path, tid, json=body))

    async def submit(self, tid: int | None, rid: int, confirm_reason: str | None = None) -> dict:
        body = {"confirm_reason": confirm_reason} if confirm_reason else {}
        return await self.request("POST", f"/api/returns/{rid}/submit", tid, json=body)

    # Reminders and the action plan
    async def plan_reminders(self, tid: int | None, slug: str, *, dry_run: bool) -> dict:
        """Work the reminder policy for a round: as a coordinator (dry run) or as the bot."""
        body = {"round": slug, "dry_run": dry_run}
        return await self.request("POST", "/api/reminders/plan", tid, json=body)

    async def actions(self, tid: int | None, slug: str) -> list[dict]:
        return await self.request("GET", f"/api/rounds/{slug}/actions", tid)

    async def action(self, tid: int | None, action_id: int) -> dict:
        return await self.request("GET", f"/api/actions/{action_id}", tid)

    async def post_progress(
        self, tid: int | None, action_id: int, progress: str | None, status: str | None = None
    ) -> dict:
        body = {"progress": progress, "status": status}
        return await self.request("POST", f"/api/actions/{action_id}/progress", tid, json=body)

    # Concern alerts
    async def concerns(self, tid: int | None, slug: str) -> list[dict]:
        return await self.request("GET", "/api/concerns", tid, params={"round": slug})

    async def ack_concern(self, tid: int | None, concern_id: int) -> dict:
        """ "I'm dealing with this": the first press owns it; any press says who does."""
        return await self.request("POST", f"/api/concerns/{concern_id}/ack", tid)
