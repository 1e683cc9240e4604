"""A Telegram Bot API server on loopback for tests, benchmarks and offline runs of the bot.

Point the real python-telegram-bot at it with ``ApplicationBuilder().base_url(server.base_url)
.base_file_url(server.base_file_url)``; drive the user's side with the methods inherited from
``Conversation`` (testing/loopback_state.py): send_text, send_command, press, wait_for, messages.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import re
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from testing.loopback_state import (
    NOT_MODIFIED,
    ApiError,
    Chat,
    Conversation,
    FloodControl,
    LoopbackUser,
    SentCall,
    Upload,
    bad_request,
    parse_markup,
    plain_text,
)

__all__ = ["ApiError", "LoopbackBotApi", "LoopbackUser", "SentCall", "Upload"]

JSON_FIELDS = {
    "reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope",
    "link_preview_options", "reply_parameters", "media", "message_ids",
}  # fmt: skip
MEDIA_EXTRA: dict[str, dict[str, Any]] = {
    "document": {}, "audio": {"duration": 1}, "voice": {"duration": 1},
    "video": {"width": 640, "height": 480, "duration": 1}, "photo": {"width": 1280, "height": 960},
    "animation": {"width": 320, "height": 240, "duration": 1},
    "sticker": {"width": 512, "height": 512, "is_animated": False, "is_video": False,
                "type": "regular"},
}  # fmt: skip
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_STARTED = "Forbidden: bot can't initiate conversation with a user"
BAD_QUERY = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active;"
    " use deleteWebhook to delete the webhook first"
)


@dataclass
class Call:
    """One Bot API request: the token, decoded parameters, uploaded files and target chat."""

    token: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes, str]]
    chat_id: int | None

    def number(self, key: str, default: int = 0) -> int:
        """An integer parameter (form values arrive as strings)."""
        value = self.params.get(key)
        return default if value in (None, "") else int(value)

    def flag(self, key: str) -> bool:
        """A boolean parameter (form values arrive as 'true' / 'false')."""
        return str(self.params.get(key, "")).lower() in ("true", "1")


class LoopbackBotApi(Conversation):
    """An aiohttp Bot API server that behaves like Telegram where the bot's code can tell."""

    def __init__(
        self,
        username: str = "maa_test_bot",
        *,
        first_name: str = "MAA Test Bot",
        rate_limit_per_second: float | None = None,
        per_chat_limit: float | None = None,
        require_start: bool = False,
        latency: float = 0.0,
    ) -> None:
        super().__init__(username, first_name)
        self.require_start = require_start
        self.latency = latency  # seconds each call takes, as Telegram's round trip does
        self.flood = FloodControl(rate_limit_per_second, per_chat_limit)
        self.webhook: dict[str, Any] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.blocked: set[int] = set()
        self._failures: dict[str, list[ApiError]] = {}
        self._runner: web.AppRunner | None = None
        self.host, self.port = "127.0.0.1", 0

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> LoopbackBotApi:
        """Listen on host:port (port 0 picks a free one); returns self."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.host, self.port = host, self._runner.addresses[0][1]
        self.updates.closed = False
        return self

    async def stop(self) -> None:
        """End pending long polls (they answer []) and close the server."""
        self.updates.closed = True
        self.updates.changed.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LoopbackBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """The value for ApplicationBuilder().base_url(...)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """The value for ApplicationBuilder().base_file_url(...)."""
        return f"http://{self.host}:{self.port}/file/bot"

    def block(self, user_id: int) -> None:
        """Make every send to this user's chat answer 403 'bot was blocked by the user'."""
        self.blocked.add(int(user_id))

    def unblock(self, user_id: int) -> None:
        """Undo block()."""
        self.blocked.discard(int(user_id))

    def fail_next(
        self, method: str, status: int, description: str, retry_after: int | None = None
    ) -> None:
        """Make the next call of method (any letter case) answer this error; calls queue up."""
        error = ApiError(status, description, retry_after)
        self._failures.setdefault(method.lower(), []).append(error)

    # -- HTTP -----------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        """Answer one Bot API call with Telegram's JSON envelope and log it."""
        at, method = time.monotonic(), request.match_info["method"]
        call = Call(request.match_info["token"], {}, {}, None)
        result: Any = None
        try:
            call.params, call.files = await self._params(request)
            call.chat_id = self._chat_id(call.params)
            result = await self._dispatch(method.lower(), call)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as err:
            status, body = err.status, err.body()
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            status, body = 400, bad_request(f"invalid parameters: {err!r}").body()
        if method.lower() != "getupdates":
            if self.latency:
                await asyncio.sleep(self.latency)
            logged = SentCall(method, call.chat_id, call.params, at, status, copy.deepcopy(result))
            self.sent_log.append(logged)
            self.activity.notify()
        return web.json_response(body, status=status)

    @staticmethod
    async def _params(request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
        """Read parameters from the query, a JSON body, or a urlencoded / multipart form."""
        params: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[str, bytes, str]] = {}
        if request.content_type == "application/json":
            params.update(await request.json() or {})
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[key] = (value.filename, value.file.read(), value.content_type)
                else:
                    params[key] = value
        for key in JSON_FIELDS & params.keys():
            if isinstance(params[key], str) and params[key][:1] in ("[", "{"):
                params[key] = json.loads(params[key])
        return params, files

    @staticmethod
    def _chat_id(params: dict[str, Any]) -> int | None:
        """The target chat of a call, if it names one."""
        raw = params.get("chat_id")
        if raw in (None, ""):
            return None
        if not re.fullmatch(r"-?\d+", str(raw)):
            raise bad_request("chat not found")
        return int(raw)

    async def _dispatch(self, name: str, call: Call) -> Any:
        """Apply injected faults, flood control and blocking, then run the method."""
        if self._failures.get(name):
            raise self._failures[name].pop(0)
        if call.chat_id is not None and name.startswith(("send", "edit", "copy", "forward")):
            if name != "sendchataction":
                self.flood.admit(call.chat_id)
            if call.chat_id in self.blocked:
                raise ApiError(403, BLOCKED)
            if self.require_start and call.chat_id not in self.chats:
                raise ApiError(403, NOT_STARTED)
        media = name.removeprefix("send")
        if handler := getattr(self, f"_m_{name}", None):
            result = handler(call)
            return await result if inspect.isawaitable(result) else result
        if name.startswith("send") and media in MEDIA_EXTRA:
            return self._send_media(media, call)
        if name.startswith("send") and call.chat_id is not None:
            return self.chat(call.chat_id).new_message(self._bot_from(call.token))
        return True

    async def _download(self, request: web.Request) -> web.Response:
        """Serve a file by the file_path that getFile gave out."""
        for path, data in self.files.values():
            if path == request.match_info["path"]:
                return web.Response(body=data)
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    # -- Bot API methods ------------------------------------------------------------------------
    def _bot_from(self, token: str) -> dict[str, Any]:
        """The bot as a User (its id is the token's numeric prefix, as on Telegram)."""
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else 1000
        return {"id": bot_id, "is_bot": True, "first_name": self.first_name} | {
            "username": self.username
        }

    def _m_getme(self, call: Call) -> dict[str, Any]:
        return {
            **self._bot_from(call.token), "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False,
        }  # fmt: skip

    async def _m_getupdates(self, call: Call) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise ApiError(409, WEBHOOK_ACTIVE)
        if "allowed_updates" in call.params:
            self.updates.allowed = call.params["allowed_updates"]
        limit = min(max(call.number("limit", 100), 1), 100)
        timeout = float(call.params.get("timeout") or 0)
        return await self.updates.fetch(call.number("offset"), limit, timeout)

    def _m_setwebhook(self, call: Call) -> bool:
        self.webhook = dict(call.params)
        return True

    def _m_deletewebhook(self, call: Call) -> bool:
        if call.flag("drop_pending_updates"):
            self.updates.items.clear()
        self.webhook = {}
        return True

    def _m_getwebhookinfo(self, call: Call) -> dict[str, Any]:
        info = {"url": self.webhook.get("url", ""), "has_custom_certificate": False}
        return {**info, "pending_update_count": len(self.updates.items)}

    @staticmethod
    def _scope_key(call: Call) -> str:
        """Commands are kept per scope and language, as on Telegram."""
        scope = call.params.get("scope") or {"type": "default"}
        return json.dumps([scope, call.params.get("language_code") or ""], sort_keys=True)

    def _m_setmycommands(self, call: Call) -> bool:
        commands = list(call.params.get("commands") or [])
        for cmd in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(cmd.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(cmd.get("description") or "") <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._scope_key(call)] = commands
        return True

    def _m_getmycommands(self, call: Call) -> list[dict[str, Any]]:
        return self.commands.get(self._scope_key(call), [])

    def _m_deletemycommands(self, call: Call) -> bool:
        self.commands.pop(self._scope_key(call), None)
        return True

    def _markup(self, chat: Chat, call: Call) -> dict[str, Any] | None:
        """Validate reply_markup; remember reply keyboards; return an inline keyboard only."""
        markup = parse_markup(call.params.get("reply_markup"))
        if markup and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        return markup if markup and "inline_keyboard" in markup else None

    def _m_sendmessage(self, call: Call) -> dict[str, Any]:
        chat = self.chat(call.chat_id)
        text = plain_text(call.params.get("text"), call.params.get("parse_mode"))
        markup, entities = self._markup(chat, call), call.params.get("entities")
        sender = self._bot_from(call.token)
        return chat.new_message(sender, text=text, entities=entities, reply_markup=markup)

    def _m_editmessagetext(self, call: Call) -> dict[str, Any] | bool:
        if call.params.get("inline_message_id"):
            return True
        chat = self.chat(call.chat_id)
        msg = chat.bot_message(call.params.get("message_id"))
        text = plain_text(call.params.get("text"), call.params.get("parse_mode"))
        markup = self._markup(chat, call)
        if "text" not in msg:
            raise bad_request("there is no text in the message to edit")
        if msg["text"] == text and msg.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        msg["text"] = text
        return chat.edited(self._set_markup(msg, markup))

    def _m_editmessagereplymarkup(self, call: Call) -> dict[str, Any] | bool:
        if call.params.get("inline_message_id"):
            return True
        chat = self.chat(call.chat_id)
        msg = chat.bot_message(call.params.get("message_id"))
        markup = self._markup(chat, call)
        if msg.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        return chat.edited(self._set_markup(msg, markup))

    @staticmethod
    def _set_markup(msg: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
        """Replace the inline keyboard; an edit without reply_markup removes it, as on Telegram."""
        msg.pop("reply_markup", None)
        if markup:
            msg["reply_markup"] = markup
        return msg

    def _m_deletemessage(self, call: Call) -> bool:
        if self.chat(call.chat_id).messages.pop(call.number("message_id"), None) is None:
            raise bad_request("message to delete not found")
        return True

    def _m_sendchataction(self, call: Call) -> bool:
        self.chat(call.chat_id)
        return True

    def _m_answercallbackquery(self, call: Call) -> bool:
        query_id = str(call.params.get("callback_query_id", ""))
        if query_id not in self.open_queries:
            raise bad_request(BAD_QUERY)
        self.open_queries.discard(query_id)
        self.answered_callbacks.append({**call.params, "at": time.monotonic()})
        return True

    def _m_getfile(self, call: Call) -> dict[str, Any]:
        file_id = str(call.params.get("file_id", ""))
        if file_id not in self.files:
            raise bad_request("invalid file_id")
        path, data = self.files[file_id]
        info = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data)}
        return {**info, "file_path": path}

    def _send_media(self, kind: str, call: Call) -> dict[str, Any]:
        """sendDocument, sendPhoto, ...: record the upload (or file_id reuse); answer a Message."""
        chat, value = self.chat(call.chat_id), call.params.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            value = call.files.get(value.removeprefix("attach://"))
        value = call.files.get(kind, value)
        if not value:
            raise bad_request(f"there is no {kind} in the request")
        if isinstance(value, tuple):
            filename, data, mime = value
        else:  # a file_id (or URL) sent again
            filename, data, mime = str(value), self.files.get(str(value), ("", b""))[1], ""
        caption = call.params.get("caption")
        if caption:
            caption = plain_text(caption, call.params.get("parse_mode"), kind="caption")
        file_id = self.store_file(kind, filename or kind, data)
        media = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data)}
        media.update(MEDIA_EXTRA[kind])
        if kind == "document":
            media.update(file_name=filename, mime_type=mime or "application/octet-stream")
        fields = {kind: [media] if kind == "photo" else media, "caption": caption}
        sender, markup = self._bot_from(call.token), self._markup(chat, call)
        msg = chat.new_message(sender, reply_markup=markup, **fields)
        upload = Upload(chat.user["id"], kind, filename, len(data), data, mime, msg["message_id"])
        self.uploads.append(upload)
        return msg
