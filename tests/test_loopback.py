"""The loopback Bot API server, driven by the real python-telegram-bot."""

import asyncio
import datetime as dtm
import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from testing.loopback import LoopbackBotApi

TOKEN = "123456:ABC-test"
USER = 501


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(d[:10] or "x", callback_data=d)] for d in data]
    )


@pytest.fixture(autouse=True)
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB warns on every RetryAfter unless it may hand out timedeltas."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def server() -> AsyncIterator[LoopbackBotApi]:
    api = LoopbackBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def bot(server: LoopbackBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as b:
        yield b


# -- the plain Bot ----------------------------------------------------------------------------
async def test_get_me_send_edit_and_document_round_trip(server: LoopbackBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "maa_test_bot", True)

    first = await bot.send_message(USER, "Case C1: grade?", reply_markup=keyboard("g:1", "g:2"))
    second = await bot.send_message(USER, "second")
    assert second.message_id == first.message_id + 1
    assert first.chat.id == USER and first.chat.type == "private" and first.from_user.id == 123456
    assert first.reply_markup.inline_keyboard[1][0].callback_data == "g:2"

    edited = await bot.edit_message_text("Case C1: Good", chat_id=USER, message_id=first.message_id)
    assert edited.text == "Case C1: Good" and edited.edit_date is not None
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Case C1: Good", chat_id=USER, message_id=first.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    await bot.edit_message_reply_markup(USER, first.message_id, reply_markup=keyboard("again"))
    assert [m["text"] for m in server.messages(USER)] == ["Case C1: Good", "second"]
    assert server.messages(USER)[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "again"

    doc = await bot.send_document(USER, b"%PDF-1.7 report", filename="overview.pdf")
    assert doc.document.file_name == "overview.pdf" and doc.document.file_size == 15
    upload = server.uploads[-1]
    assert (upload.filename, upload.size, upload.data) == ("overview.pdf", 15, b"%PDF-1.7 report")
    file = await bot.get_file(doc.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.7 report"

    assert await bot.delete_message(USER, second.message_id)
    assert [m["message_id"] for m in server.messages(USER)] == [1, 3]
    methods = [c.method for c in server.sent_log]
    assert methods[:4] == [
        "getMe",
        "getMe",
        "sendMessage",
        "sendMessage",
    ]  # initialize() + get_me()
    assert "sendDocument" in methods


async def test_text_limits(server: LoopbackBotApi, bot: Bot) -> None:
    assert len((await bot.send_message(USER, "x" * 4096)).text) == 4096
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "")
    ok = await bot.send_message(USER, "<b>" + "é" * 4096 + "</b>", parse_mode="HTML")
    assert ok.text == "é" * 4096  # the limit applies after entity parsing
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(USER, "answer: a < b", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(USER, "Case C1.", parse_mode="MarkdownV2")


async def test_callback_data_is_64_bytes_at_most(bot: Bot) -> None:
    await bot.send_message(USER, "ok", reply_markup=keyboard("é" * 32))  # 64 bytes
    # PTB strips "Bad Request: " and str.capitalize()s the rest: BUTTON_DATA_INVALID -> this
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(USER, "no", reply_markup=keyboard("a" * 65))


async def test_flood_control_raises_retry_after(server: LoopbackBotApi, bot: Bot) -> None:
    server.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)

    server.flood.per_second = 3
    for n in range(3):
        await bot.send_message(USER + n, "within the limit")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER + 9, "one too many")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert [c.status for c in server.sent_log[-5:]] == [429, 200, 200, 200, 429]


async def test_per_chat_limit(server: LoopbackBotApi, bot: Bot) -> None:
    server.flood.per_chat = 1
    await bot.send_message(USER, "one")
    await bot.send_message(USER + 1, "another chat is fine")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "two in a second")


async def test_blocked_user_raises_forbidden(server: LoopbackBotApi, bot: Bot) -> None:
    server.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "reminder")
    server.unblock(USER)
    assert (await bot.send_message(USER, "reminder")).text == "reminder"


async def test_answer_callback_query_once(server: LoopbackBotApi, bot: Bot) -> None:
    msg = await bot.send_message(USER, "grade?", reply_markup=keyboard("g:good"))
    query_id = server.press(USER, msg.message_id, "g:good")
    assert await bot.answer_callback_query(query_id, text="Saved")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    assert server.answered_callbacks[0]["text"] == "Saved"
    with pytest.raises(ValueError):
        server.press(USER, msg.message_id, "g:forged")


async def test_get_updates_offset_semantics(server: LoopbackBotApi, bot: Bot) -> None:
    first, second = server.send_text(USER, "one"), server.send_command(USER, "/start abc")
    assert second["update_id"] == first["update_id"] + 1
    got = await bot.get_updates(offset=0, timeout=0)
    assert [u.update_id for u in got] == [first["update_id"], second["update_id"]]
    assert got[1].message.text == "/start abc" and got[1].message.entities[0].type == "bot_command"
    assert len(await bot.get_updates(timeout=0)) == 2  # not confirmed yet: delivered again
    assert len(await bot.get_updates(timeout=0, limit=1)) == 1
    confirmed = await bot.get_updates(offset=second["update_id"], timeout=0)
    assert [u.update_id for u in confirmed] == [second["update_id"]]
    assert await bot.get_updates(offset=second["update_id"] + 1, timeout=0) == ()
    assert await bot.get_updates(offset=0, timeout=0) == ()  # confirmed is gone for good

    server.push_update(first)
    server.push_update(first)  # the same update_id twice: delivered twice
    again = await bot.get_updates(offset=second["update_id"] + 1, timeout=0)
    assert [u.update_id for u in again] == [first["update_id"]] * 2


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    server: LoopbackBotApi, bot: Bot
) -> None:
    asyncio.get_running_loop().call_later(0.1, server.send_text, USER, "late")
    started = time.monotonic()
    got = await bot.get_updates(timeout=5)
    assert got[0].message.text == "late" and time.monotonic() - started < 1
    started = time.monotonic()
    assert await bot.get_updates(offset=got[0].update_id + 1, timeout=0.3) == ()
    assert 0.25 < time.monotonic() - started < 1.5


async def test_webhook_commands_and_conflict(server: LoopbackBotApi, bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook", secret_token="s3cret")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    assert server.webhook["secret_token"] == "s3cret"
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook()
    await bot.set_my_commands([("start", "Begin"), ("tally", "Live tally")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "tally"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("Start", "capital letters are refused")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_json_and_form_bodies_are_understood(server: LoopbackBotApi) -> None:
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    url = f"{server.base_url}{TOKEN}/sendMessage"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"chat_id": USER, "text": "j", "reply_markup": markup}) as r:
            body = await r.json()
        assert body["ok"] and body["result"]["reply_markup"] == markup
        form = {"chat_id": str(USER), "text": "f", "reply_markup": json.dumps(markup)}
        async with http.post(url, data=form) as r:
            assert (await r.json())["result"]["reply_markup"] == markup
        async with http.post(url, data={"chat_id": str(USER), "text": ""}) as r:
            assert r.status == 400
            assert await r.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }


# -- the real Application over long polling ---------------------------------------------------
@pytest.fixture
async def app(server: LoopbackBotApi) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=1))
        .build()
    )
    seen: list[int] = []
    application.bot_data["seen"] = seen

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        payload = context.args[0] if context.args else ""
        await update.effective_message.reply_text(f"Welcome {payload}", reply_markup=keyboard("ok"))

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.update_id)
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Noted")
        await query.edit_message_text(f"You chose {query.data}")

    application.add_handler(CommandHandler("start", start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


async def test_application_echoes_and_handles_buttons(
    server: LoopbackBotApi, app: Application
) -> None:
    ann = server.user(USER, first_name="Ann")
    ann.send_text("hello")
    assert (await ann.wait_for("echo:"))["text"] == "echo: hello"

    ann.send_command("/start inv-123")
    welcome = await ann.wait_for(lambda m: m["text"].startswith("Welcome"))
    assert welcome["text"] == "Welcome inv-123" and welcome["chat"]["first_name"] == "Ann"
    ann.press(welcome["message_id"], "ok")
    edited = await ann.wait_for("You chose")
    assert edited["message_id"] == welcome["message_id"] and "reply_markup" not in edited
    assert server.answered_callbacks[-1]["text"] == "Noted"
    assert [m["text"] for m in ann.messages()] == ["echo: hello", "You chose ok"]


async def test_application_confirms_offsets_and_gets_duplicates(
    server: LoopbackBotApi, app: Application
) -> None:
    update = server.send_text(USER, "once")
    await server.wait_for(USER, "echo: once")
    server.send_text(USER, "next")
    await server.wait_for(USER, "echo: next")
    assert len(server.updates.items) <= 1  # the first was confirmed by the next offset

    server.push_update(update)
    server.push_update(update)  # dedupe is the application's job, not the server's
    await server.wait_for(USER, "echo: once")
    await server.wait_for(USER, "echo: once")
    assert app.bot_data["seen"].count(update["update_id"]) == 3


async def test_rate_limiter_waits_out_a_429(server: LoopbackBotApi, app: Application) -> None:
    server.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    server.send_text(USER, "slow")
    await server.wait_for(USER, "echo: slow", timeout=5)
    sends = [c for c in server.sent_log if c.method == "sendMessage"]
    assert [c.status for c in sends] == [429, 200]
    assert sends[1].at - sends[0].at >= 1.0  # AIORateLimiter honoured retry_after


async def test_user_media_de_json_and_download(server: LoopbackBotApi, bot: Bot) -> None:
    server.send_sticker(USER)
    server.send_photo(USER, caption="a photo")
    server.send_voice(USER)
    server.send_document(USER, "return.csv", b"case,grade\nC1,Good\n", "text/csv")
    sticker, photo, voice, doc = [u.message for u in await bot.get_updates(timeout=0)]
    assert sticker.sticker.emoji and photo.photo[0].width and photo.caption == "a photo"
    assert voice.voice.duration == dtm.timedelta(seconds=2)  # PTB_TIMEDELTA=true
    assert doc.document.file_name == "return.csv"
    file = await bot.get_file(doc.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"case,grade\nC1,Good\n"
