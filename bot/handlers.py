"""Telegram handlers: turn updates into calls on the flow, and its `Out` steps into Bot API calls.

The conversation itself lives in bot/flow*.py (no telegram there). Nothing here logs message
text: it may be a narrative, and /start carries invite codes.
"""

import contextlib
import logging

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.faults import frames
from bot.flow import Screen
from bot.flow_commands import Chat
from bot.flow_out import (
    Clear,
    Deliver,
    Document,
    Edit,
    Out,
    Person,
    RetryLater,
    Send,
    Toast,
)
from bot.state import ChatState, state_of

log = logging.getLogger(__name__)

# bot_data keys
CHAT, CLIENT, RETRY_BASE, RETRY_ATTEMPTS = "chat", "client", "retry_base", "retry_attempts"
SENDER = "sender"  # the outbox sender of this process, if it runs one
RETRY_JOB = "retry-{user_id}"


def markup(screen: Screen) -> InlineKeyboardMarkup | None:
    if not screen.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in screen.buttons
        ]
    )


def person(update: Update) -> Person:
    user = update.effective_user
    return Person(user.id, user.full_name or user.first_name or "")


def chat_of(context: ContextTypes.DEFAULT_TYPE) -> Chat:
    """The conversation object, made on first use (the bot's username is known by then)."""
    if CHAT not in context.bot_data:
        context.bot_data[CHAT] = Chat(context.bot_data[CLIENT], context.bot.username or "")
    return context.bot_data[CHAT]


async def perform(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    user_id: int,
    state: ChatState,
    outs: list[Out],
    pressed: Message | None = None,
) -> str | None:
    """Carry out the flow's steps in order; returns the toast for a pressed button, if any."""
    bot, toast = context.bot, None
    for out in outs:
        try:
            if isinstance(out, Send):
                msg = await bot.send_message(
                    chat_id, out.screen.text, reply_markup=markup(out.screen)
                )
                if out.current:
                    state.screen = msg.message_id
            elif isinstance(out, Edit) and out.current:
                target = pressed.message_id if pressed is not None else state.screen
                state.screen = await show_in_place(bot, chat_id, target, out.screen)
            elif isinstance(out, Edit):
                target = pressed.message_id if pressed is not None else state.screen
                if target is not None:
                    await bot.edit_message_text(
                        out.screen.text, chat_id, target, reply_markup=markup(out.screen)
                    )
            elif isinstance(out, Clear):
                if state.screen is not None:
                    await bot.edit_message_reply_markup(chat_id, state.screen, reply_markup=None)
            elif isinstance(out, Deliver):
                if (sender := context.bot_data.get(SENDER)) is not None:
                    sender.wake()
            elif isinstance(out, Document):
                doc = InputFile(out.content, filename=out.filename)
                await bot.send_document(chat_id, doc, caption=out.caption)
            elif isinstance(out, Toast):
                toast = out.text
            elif isinstance(out, RetryLater):
                schedule_retry(context, chat_id, user_id, attempt=1)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower() and "not found" not in str(exc).lower():
                log.warning("telegram refused a step: %s", type(out).__name__)
        except Forbidden:
            log.info("a recipient has blocked the bot")
    return toast


async def show_in_place(bot: Bot, chat_id: int, target: int | None, screen: Screen) -> int:
    """Edit message `target` into `screen`, or send it as a new message when there is none or
    Telegram will not edit it (deleted, say); returns the id of the message that shows it."""
    if target is not None:
        try:
            await bot.edit_message_text(screen.text, chat_id, target, reply_markup=markup(screen))
            return target
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return target
    msg = await bot.send_message(chat_id, screen.text, reply_markup=markup(screen))
    return msg.message_id


def schedule_retry(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int, attempt: int):
    """Try the kept answer again later, backing off; one job per user at a time."""
    jobs = context.application.job_queue
    name = RETRY_JOB.format(user_id=user_id)
    if attempt == 1 and jobs.get_jobs_by_name(name):
        return
    delay = context.bot_data.get(RETRY_BASE, 5.0) * 2 ** (attempt - 1)
    data = {"attempt": attempt}
    jobs.run_once(retry_job, delay, data=data, name=name, chat_id=chat_id, user_id=user_id)


async def retry_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Try again to store an answer that could not be saved; tell the auditor once it is."""
    job = context.job
    state = state_of(context.application.user_data[job.user_id])
    outs = await chat_of(context).retry(Person(job.user_id), state)
    if not outs:
        return
    if any(isinstance(o, RetryLater) for o in outs):
        attempt = job.data["attempt"] + 1
        if attempt <= context.bot_data.get(RETRY_ATTEMPTS, 6):
            schedule_retry(context, job.chat_id, job.user_id, attempt)
        else:
            await context.bot.send_message(job.chat_id, texts.GAVE_UP)
        return
    await perform(context, job.chat_id, job.user_id, state, outs)


async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any /command: known ones go to the flow, unknown ones get a pointer to /help."""
    text = update.effective_message.text or ""
    name = text.split()[0][1:].split("@")[0]
    args = context.args if context.args is not None else text.split()[1:]
    state = state_of(context.user_data)
    outs = await chat_of(context).command(person(update), state, name, args, update.update_id)
    await perform(
        context,
        update.effective_chat.id,
        update.effective_user.id,
        state_of(context.user_data),
        outs,
    )


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed text: a narrative answer, or a pointer to what to do."""
    message = update.effective_message
    outs = await chat_of(context).text(
        person(update),
        state_of(context.user_data),
        message.text,
        replied_button(message),
        update.update_id,
    )
    await perform(
        context,
        update.effective_chat.id,
        update.effective_user.id,
        state_of(context.user_data),
        outs,
    )


def replied_button(message: Message) -> str | None:
    """The first button's data on the bot message this one replies to (e.g. a reminder)."""
    reply = message.reply_to_message
    if reply is None or reply.from_user is None or not reply.from_user.is_bot:
        return None
    keyboard = reply.reply_markup.inline_keyboard if reply.reply_markup else ()
    data = keyboard[0][0].callback_data if keyboard and keyboard[0] else None
    return data if isinstance(data, str) else None


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline button; its keyboard is edited in place once answered."""
    query = update.callback_query
    pressed = query.message if isinstance(query.message, Message) else None
    message_id = pressed.message_id if pressed is not None else None
    outs = await chat_of(context).button(
        person(update), state_of(context.user_data), query.data or "", message_id, update.update_id
    )
    toast = await perform(
        context,
        update.effective_chat.id,
        update.effective_user.id,
        state_of(context.user_data),
        outs,
        pressed,
    )
    with contextlib.suppress(TelegramError):  # too old to answer: nothing to do
        await query.answer(toast)


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes, documents...: a friendly note; nothing is stored."""
    if update.effective_chat is None or update.effective_user is None:
        return
    outs = await chat_of(context).unsupported(
        person(update), state_of(context.user_data), update.update_id
    )
    await perform(
        context,
        update.effective_chat.id,
        update.effective_user.id,
        state_of(context.user_data),
        outs,
    )


async def error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (never the update's text) and tell the person something went wrong."""
    # The exception's message may quote what was typed (a pydantic error does): the frames only.
    fault = context.error
    log.error("handler failed: %s\n%s", type(fault).__name__, frames(fault))
    if isinstance(update, Update) and update.effective_chat is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(update.effective_chat.id, texts.SOMETHING_WRONG)
