"""State, validation and flood control behind the loopback Bot API server (testing/loopback.py)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "tg-emoji", "blockquote",
}  # fmt: skip
MDV2_MUST_ESCAPE = "#+-={}.!"
OPT_IN_UPDATE_TYPES = {"chat_member", "message_reaction", "message_reaction_count"}
Predicate = Callable[[dict[str, Any]], bool] | str | None


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after

    def body(self) -> dict[str, Any]:
        """Return the Telegram-shaped error body."""
        out: dict[str, Any] = {"ok": False, "error_code": self.status}
        out["description"] = self.description
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def bad_request(what: str) -> ApiError:
    """Return a 400 error with Telegram's 'Bad Request: ' prefix."""
    return ApiError(400, f"Bad Request: {what}")


def plain_text(text: str | None, parse_mode: str | None, kind: str = "text") -> str:
    """Validate message text like Telegram and return it with the markup removed."""
    text = text or ""
    mode = (parse_mode or "").lower()
    if mode == "html":
        text = _strip_html(text)
    elif mode == "markdownv2":
        text = _strip_markdown_v2(text)
    if not text.strip() and kind == "text":
        raise bad_request("message text is empty")
    limit = MAX_TEXT if kind == "text" else 1024
    if len(text) > limit:
        raise bad_request(f"message {'' if kind == 'text' else 'caption '}is too long")
    return text


def _strip_html(text: str) -> str:
    """Check HTML tags the way Telegram does (allowed names, nesting) and strip them."""
    stack: list[str] = []
    for m in re.finditer(r"<(/?)([^\s>/]*)[^>]*>|<", text):
        if m.group(0) == "<":
            raise bad_request(f"can't parse entities: Unexpected '<' at byte offset {m.start()}")
        closing, name = m.group(1) == "/", m.group(2).lower()
        if name not in HTML_TAGS:
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{name}"')
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            raise bad_request(f'can\'t parse entities: Unmatched end tag "{name}"')
    if stack:
        raise bad_request(f"can't parse entities: Can't find end tag for \"{stack[-1]}\"")
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def _strip_markdown_v2(text: str) -> str:
    """Reject unescaped reserved characters (outside code) and strip MarkdownV2 markup."""
    out, in_code, i = [], False, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        elif not in_code and ch in MDV2_MUST_ESCAPE:
            raise bad_request(
                f"can't parse entities: Character '{ch}' is reserved and must be escaped"
                " with the preceding '\\'"
            )
        elif in_code or ch not in "_*[]()~>|":
            out.append(ch)
        i += 1
    return "".join(out)


def parse_markup(raw: Any) -> dict[str, Any] | None:
    """Decode and validate reply_markup; return it (inline buttons checked) or None."""
    if raw in (None, ""):
        return None
    markup = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text is empty")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
            if len(button) == 1:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed"
                    " in the inline keyboard"
                )
    return markup


@dataclass
class SentCall:
    """One call the bot made (everything but getUpdates), with its monotonic time and status."""

    method: str
    chat_id: int | None
    params: dict[str, Any]
    at: float
    status: int = 200
    result: Any = None


@dataclass
class Upload:
    """A file the bot uploaded (sendDocument and friends)."""

    chat_id: int
    kind: str
    filename: str
    size: int
    data: bytes
    mime_type: str
    message_id: int


class FloodControl:
    """Rolling-window flood limits: across chats and per chat, with a Telegram-like penalty."""

    def __init__(self, per_second: float | None, per_chat: float | None) -> None:
        self.per_second, self.per_chat = per_second, per_chat
        self._hits: dict[object, deque[float]] = {}
        self._penalty: dict[object, float] = {}

    def admit(self, chat_id: int | None) -> None:
        """Record one send, or raise a 429 ApiError if a limit is exceeded."""
        now = time.monotonic()
        scopes = [("all", self.per_second), (chat_id, self.per_chat)]
        scopes = [(key, rate) for key, rate in scopes if rate and key is not None]
        for key, rate in scopes:
            until = self._penalty.get(key, 0.0)
            if now < until:
                raise self._too_many(until - now)
            window, cap = max(1.0, 1.0 / rate), max(1, round(rate * max(1.0, 1.0 / rate)))
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= cap:
                wait = max(1, math.ceil(hits[0] + window - now))
                self._penalty[key] = now + wait
                raise self._too_many(wait)
        for key, _ in scopes:
            self._hits[key].append(now)

    @staticmethod
    def _too_many(seconds: float) -> ApiError:
        """Build the 429 answer."""
        wait = max(1, math.ceil(seconds))
        return ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)


class Notifier:
    """An awaitable 'something changed' signal that many waiters can share."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Wait until notified or the given seconds pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), max(0.0, seconds))


@dataclass
class Chat:
    """A private chat: its user, its messages (user's and bot's) and what the bot showed."""

    user: dict[str, Any]
    next_id: int = 1
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    cursor: int = 0
    reply_keyboard: dict[str, Any] | None = None

    @property
    def info(self) -> dict[str, Any]:
        """The Chat object Telegram puts in messages."""
        info = {"id": self.user["id"], "type": "private", "first_name": self.user["first_name"]}
        if self.user.get("username"):
            info["username"] = self.user["username"]
        return info

    def new_message(self, sender: dict[str, Any], **fields: Any) -> dict[str, Any]:
        """Store and return a new message in this chat."""
        msg = {"message_id": self.next_id, "date": int(time.time()), "chat": self.info}
        msg.update({"from": sender, **{k: v for k, v in fields.items() if v is not None}})
        self.messages[self.next_id] = msg
        self.next_id += 1
        if sender.get("is_bot"):
            self.events.append(copy.deepcopy(msg))
        return msg

    def bot_message(self, message_id: Any, action: str = "edit") -> dict[str, Any]:
        """Return a message the bot sent here, or raise Telegram's 'not found' error."""
        msg = self.messages.get(int(message_id or 0))
        if msg is None or not msg["from"].get("is_bot"):
            raise bad_request(f"message to {action} not found")
        return msg

    def edited(self, msg: dict[str, Any]) -> dict[str, Any]:
        """Stamp an edit and log it for wait_for."""
        msg["edit_date"] = int(time.time())
        self.events.append(copy.deepcopy(msg))
        return msg

    def take_event(self, predicate: Callable[[dict[str, Any]], bool] | None) -> dict | None:
        """Consume events up to and including the first match; None when nothing matches."""
        for index in range(self.cursor, len(self.events)):
            if predicate is None or predicate(self.events[index]):
                self.cursor = index + 1
                return self.events[index]
        return None


@dataclass
class QueuedUpdate:
    """An update waiting for confirmation through getUpdates' offset."""

    update: dict[str, Any]
    delivered: bool = False

    @property
    def kind(self) -> str:
        """The update type (message, callback_query, ...)."""
        return next((k for k in self.update if k != "update_id"), "")


class UpdateQueue:
    """Updates for getUpdates: offset confirmation, limit, long polling, allowed_updates."""

    def __init__(self) -> None:
        self.items: list[QueuedUpdate] = []
        self.next_id = 1
        self.allowed: list[str] | None = None  # None or []: all but the opt-in types
        self.changed = Notifier()
        self.generation = 0
        self.closed = False

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (update_id assigned when missing) and wake long polls."""
        if "update_id" not in update:
            update = {"update_id": self.next_id, **update}
        self.next_id = max(self.next_id, int(update["update_id"]) + 1)
        self.items.append(QueuedUpdate(update))
        self.changed.notify()
        return update

    def confirm(self, offset: int) -> None:
        """Forget delivered updates below offset (a negative offset keeps only the last -offset)."""
        if offset < 0:
            self.items = self.items[offset:]
        elif offset > 0:
            kept = [q for q in self.items if not q.delivered or q.update["update_id"] >= offset]
            self.items = kept

    def ready(self, limit: int) -> list[dict[str, Any]]:
        """Mark and return up to limit updates that pass allowed_updates (dropping the rest)."""
        allowed = set(self.allowed or []) or None
        self.items = [q for q in self.items if self._wanted(q.kind, allowed)]
        batch = self.items[:limit]
        for q in batch:
            q.delivered = True
        return [q.update for q in batch]

    @staticmethod
    def _wanted(kind: str, allowed: set[str] | None) -> bool:
        """Apply Telegram's allowed_updates rule ([] means the default set)."""
        return kind not in OPT_IN_UPDATE_TYPES if allowed is None else kind in allowed

    async def fetch(self, offset: int, limit: int, poll: float) -> list[dict[str, Any]]:
        """Answer one getUpdates call; a newer call ends an older long poll with 409."""
        self.generation += 1
        mine, deadline = self.generation, time.monotonic() + poll
        self.changed.notify()
        self.confirm(offset)
        while True:
            batch = self.ready(limit)
            if batch or self.closed or time.monotonic() >= deadline:
                return batch
            await self.changed.wait(deadline - time.monotonic())
            if mine != self.generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure"
                               " that only one bot instance is running")  # fmt: skip


class Conversation:
    """The user's side of every private chat: updates in, bot messages out, files, queries."""

    def __init__(self, username: str, first_name: str) -> None:
        self.username, self.first_name = username, first_name
        self.updates = UpdateQueue()
        self.chats: dict[int, Chat] = {}
        self.answered_callbacks: list[dict[str, Any]] = []
        self.uploads: list[Upload] = []
        self.sent_log: list[SentCall] = []
        self.open_queries: set[str] = set()
        self.files: dict[str, tuple[str, bytes]] = {}
        self.activity = Notifier()
        self._ids = itertools.count(1)

    def chat(self, chat_id: int | None, first_name: str | None = None) -> Chat:
        """The private chat with this user, created on first use."""
        if chat_id is None:
            raise bad_request("chat_id is empty")
        if chat_id not in self.chats:
            name = first_name or f"User{chat_id}"
            user = {"id": chat_id, "is_bot": False, "first_name": name, "language_code": "en"}
            self.chats[chat_id] = Chat(user=user)
        return self.chats[chat_id]

    def store_file(self, kind: str, filename: str, data: bytes) -> str:
        """Register bytes for getFile and the file URL; return the new file_id."""
        file_id = f"F{next(self._ids)}"
        suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        self.files[file_id] = (f"{kind}s/file_{file_id}.{suffix}", data)
        return file_id

    def user(
        self, user_id: int, first_name: str | None = None, username: str | None = None
    ) -> LoopbackUser:
        """A handle that speaks as this user (LoopbackUser)."""
        chat = self.chat(int(user_id), first_name)
        names = {"first_name": first_name, "username": username}
        chat.user.update({key: value for key, value in names.items() if value})
        return LoopbackUser(self, int(user_id))

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (keeps its update_id if given, e.g. to deliver one twice)."""
        return self.updates.push(copy.deepcopy(update))

    def _user_message(self, user_id: int, **fields: Any) -> dict[str, Any]:
        """Store a message from the user and queue the update that carries it."""
        chat = self.chat(int(user_id))
        sender = {k: v for k, v in chat.user.items()}
        msg = chat.new_message(sender, **fields)
        return self.updates.push({"message": copy.deepcopy(msg)})

    def send_text(self, user_id: int, text: str, entities: list | None = None) -> dict[str, Any]:
        """The user types text; returns the queued update."""
        return self._user_message(user_id, text=text, entities=entities)

    def send_command(self, user_id: int, command: str) -> dict[str, Any]:
        """The user sends '/cmd args' with a bot_command entity, as Telegram marks it."""
        if not command.startswith("/"):
            raise ValueError("a command starts with '/'")
        entity = {"type": "bot_command", "offset": 0, "length": len(command.split()[0])}
        return self.send_text(user_id, command, entities=[entity])

    def press(self, user_id: int, message_id: int, callback_data: str, strict: bool = True) -> str:
        """The user presses an inline button; returns the callback query id."""
        chat = self.chat(int(user_id))
        msg = chat.bot_message(message_id, "press")
        buttons = [b for row in msg.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
        if strict and callback_data not in [b.get("callback_data") for b in buttons]:
            raise ValueError(f"message {message_id} has no button with data {callback_data!r}")
        query_id = str(4_000_000_000 + next(self._ids))
        self.open_queries.add(query_id)
        self.updates.push({"callback_query": {
            "id": query_id, "from": dict(chat.user), "message": copy.deepcopy(msg),
            "chat_instance": str(-int(user_id)), "data": callback_data,
        }})  # fmt: skip
        return query_id

    def _user_file(self, user_id: int, kind: str, media: dict, data: bytes, **fields: Any) -> dict:
        """The user sends a file of this kind; the bot can fetch it with getFile."""
        file_id = self.store_file(kind, media.get("file_name", kind), data)
        media = {"file_id": file_id, "file_unique_id": f"u{file_id}", **media}
        media["file_size"] = len(data)
        fields[kind] = [media] if kind == "photo" else media
        return self._user_message(user_id, **fields)

    def send_sticker(self, user_id: int, emoji: str = "👍") -> dict[str, Any]:
        """The user sends a sticker."""
        media = {"width": 512, "height": 512, "is_animated": False, "is_video": False}
        media.update(type="regular", emoji=emoji)
        return self._user_file(user_id, "sticker", media, b"")

    def send_photo(self, user_id: int, caption: str | None = None) -> dict[str, Any]:
        """The user sends a photo."""
        media = {"width": 1280, "height": 960}
        return self._user_file(user_id, "photo", media, b"\xff\xd8photo", caption=caption)

    def send_voice(self, user_id: int, duration: int = 2) -> dict[str, Any]:
        """The user sends a voice note."""
        media = {"duration": duration, "mime_type": "audio/ogg"}
        return self._user_file(user_id, "voice", media, b"OggS")

    def send_document(
        self,
        user_id: int,
        filename: str = "notes.txt",
        content: bytes = b"hello",
        mime_type: str = "text/plain",
        caption: str | None = None,
    ) -> dict[str, Any]:
        """The user sends a document (downloadable by the bot through getFile)."""
        media = {"file_name": filename, "mime_type": mime_type}
        return self._user_file(user_id, "document", media, content, caption=caption)

    async def wait_for(
        self,
        chat_id: int,
        predicate: Predicate = None,
        timeout: float = 5.0,  # noqa: ASYNC109  (the test-facing API)
    ) -> dict[str, Any]:
        """Wait for the next bot message (sent or edited) in the chat that matches.

        A str predicate matches text or caption containing it. Matching consumes every
        earlier unconsumed message of the chat, so a reply that came early is not missed.
        """
        if isinstance(predicate, str):
            needle = predicate
            predicate = lambda m: needle in (m.get("text") or m.get("caption") or "")  # noqa: E731
        chat, deadline = self.chat(int(chat_id)), time.monotonic() + timeout
        while (found := chat.take_event(predicate)) is None:
            if time.monotonic() >= deadline:
                seen = [m.get("text") or m.get("caption") for m in chat.events[chat.cursor :]]
                raise TimeoutError(f"no matching bot message in chat {chat_id}; unconsumed: {seen}")
            await self.activity.wait(deadline - time.monotonic())
        return copy.deepcopy(found)

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Every bot message still in the chat, edits applied, oldest first."""
        chat = self.chat(int(chat_id))
        return [copy.deepcopy(m) for m in chat.messages.values() if m["from"].get("is_bot")]

    def reply_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        """The reply keyboard the bot last showed in the chat (None once removed)."""
        return self.chat(int(chat_id)).reply_keyboard


class LoopbackUser:
    """One user of the bot, for tests: the server's user-side calls with user_id bound."""

    def __init__(self, server: Conversation, user_id: int) -> None:
        self.server, self.id = server, user_id

    def send_text(self, text: str) -> dict[str, Any]:
        """Type text."""
        return self.server.send_text(self.id, text)

    def send_command(self, command: str) -> dict[str, Any]:
        """Send '/command args'."""
        return self.server.send_command(self.id, command)

    def press(self, message_id: int, callback_data: str, strict: bool = True) -> str:
        """Press an inline button; returns the callback query id."""
        return self.server.press(self.id, message_id, callback_data, strict)

    def send_document(self, filename: str = "notes.txt", content: bytes = b"hello") -> dict:
        """Send a document."""
        return self.server.send_document(self.id, filename, content)

    async def wait_for(self, predicate: Predicate = None, timeout: float = 5.0) -> dict:  # noqa: ASYNC109
        """Wait for the bot's next matching message to this user."""
        return await self.server.wait_for(self.id, predicate, timeout)

    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat, edits applied."""
        return self.server.messages(self.id)
