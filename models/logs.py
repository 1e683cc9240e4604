"""What reaches the log: the one place that keeps secrets and library chatter out of it.

Both `collector/` and `bot/` use this (models/ is what both may import). Three rules:
- floors: loggers that would write tokens or narrative text at DEBUG (the bot token is in every
  Bot API URL httpx logs; aiosqlite logs every statement with its parameters) are held above
  that level whatever MAA_LOG_LEVEL says;
- redaction: aiohttp logs a request it cannot parse with the raw header line, so a stray
  control character in `Authorization` put the token in the log at ERROR. Every record of the
  loggers that can carry request headers is scrubbed of credentials before any handler sees it;
- quiet libraries: other libraries' records below WARNING (WeasyPrint's and fontTools' font
  subsetting, for one) are dropped unless MAA_LOG_LEVEL is DEBUG.
"""

import logging
import re
from typing import TextIO

# Our own loggers; everything else is a library.
OURS = ("maa", "bot", "collector", "models", "report", "__main__")
# The loggers that can carry request headers or URLs with credentials in them.
HEADER_LOGGERS = (
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.internal",
    "aiohttp.server",
    "aiohttp.web",
    "aiohttp.websocket",
    "asyncio",
)
WITHHELD = "[withheld]"
# A credential-bearing header up to the end of its line or the quote that closes a bytes repr,
# a bearer token anywhere, and Telegram's bot token in a Bot API URL.
_SECRETS = (
    re.compile(
        r"(?i)((?:authorization|proxy-authorization|cookie|set-cookie|x-telegram-bot-api-secret-token"
        r"|x-maa-[a-z-]*token|x-maa-session)\s*[:=]\s*)[^\n'\"]*"
    ),
    re.compile(r"(?i)(bearer\s+)[^\s'\",]+"),
    re.compile(r"(/bot)\d+:[A-Za-z0-9_-]+"),
    re.compile(r"(/desk/signin/)[A-Za-z0-9_-]+"),  # a one-time sign-in link's secret
    re.compile(r"(/chat/(?:signin|join)/)[A-Za-z0-9_-]+"),  # the same, or an invite, for the chat
)


def scrub(text: str) -> str:
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: m.group(1) + WITHHELD, text)
    return text


class Redact(logging.Filter):
    """Rewrites a record's message and traceback with every credential withheld."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = scrub(message), None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        record.exc_info = None  # the formatter would render it again, unscrubbed
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class QuietLibraries(logging.Filter):
    """Drops library records below WARNING (on the handlers, so every library is covered)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name.split(".")[0] in OURS


_REDACT = Redact()
_QUIET = QuietLibraries()


# Below these levels: aiosqlite logs every statement with its parameters, SQLAlchemy's engine
# can too (narrative answers); httpx/httpcore log Bot API URLs (the bot token is in them);
# python-telegram-bot logs the text of messages.
FLOORS = (
    ("aiosqlite", logging.INFO),
    ("sqlalchemy.engine", logging.WARNING),
    ("httpx", logging.WARNING),
    ("httpcore", logging.WARNING),
    ("telegram", logging.INFO),
)


def floor() -> None:
    """Hold the FLOORS loggers at or above their level, whatever the configured level is."""
    for name, level in FLOORS:
        logger = logging.getLogger(name)
        # The logger's own level, not its effective one: a floor, not a copy of whatever the
        # root's level happened to be when this ran (which would then stick for good).
        logger.setLevel(max(level, logger.level))


def redact_headers() -> None:
    """Scrub every record of the loggers that can carry request headers (idempotent)."""
    for name in HEADER_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)


_HANDLER: logging.Handler | None = None


def install(stream: TextIO) -> None:
    """The `maa` command's one log handler. Library chatter is filtered on it, not on handlers
    that others installed (a test runner's, an embedding application's)."""
    global _HANDLER
    if _HANDLER is None:
        _HANDLER = logging.StreamHandler(stream)
        _HANDLER.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        _HANDLER.addFilter(_QUIET)
        logging.getLogger().addHandler(_HANDLER)
    logging.getLogger().setLevel(logging.INFO)


def configure(level: str) -> None:
    """The `maa` command's logging: MAA_LOG_LEVEL for ours, libraries quiet below WARNING
    unless it is DEBUG, and credentials withheld from aiohttp's records."""
    logging.getLogger().setLevel(level)
    floor()  # before the first migration or request, not only once the engines exist
    if _HANDLER is not None:
        if level == "DEBUG":
            _HANDLER.removeFilter(_QUIET)
        else:
            _HANDLER.addFilter(_QUIET)  # a filter is added once, however often this runs
    redact_headers()
