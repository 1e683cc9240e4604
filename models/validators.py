"""Numbers and text as the database can hold them: one validator each, for every way in.

Ids are 32-bit on PostgreSQL (SERIAL) and Telegram's ids 64-bit (BIGINT on both databases);
PostgreSQL refuses NUL in text and neither database can store a lone UTF-16 surrogate. A value
outside these is refused with a 4xx where it comes in (path, query, header or body), before
any work is done, instead of failing in the database with a 500.
"""

import re
from typing import Annotated, Any

from pydantic import Field

ID_MAX = 2**31 - 1  # the id columns: INTEGER on PostgreSQL
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1  # Telegram user, chat and update ids
THEME_THRESHOLD_MAX = 1000  # agencies raising a theme: more than any partnership has

Id = Annotated[int, Field(ge=1, le=ID_MAX)]
TelegramId = Annotated[int, Field(ge=BIGINT_MIN, le=BIGINT_MAX)]
UpdateId = Annotated[int, Field(ge=0, le=BIGINT_MAX)]


class OutOfRange(ValueError):
    """A number given as text that is not a whole number in the allowed range."""


def parse_int(raw: str, *, low: int = 1, high: int = ID_MAX) -> int:
    """`raw` as a whole number within [low, high]. str.isdigit() alone lets "²" through, which
    int() then refuses, hence the ASCII check; the range keeps it inside the column."""
    text = raw.strip()
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 20:
        raise OutOfRange(raw)
    value = int(text)
    if not low <= value <= high:
        raise OutOfRange(raw)
    return value


# Cheap test on the raw JSON body: only a body with an escaped NUL or surrogate is walked.
_SUSPECT = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def bad_text(value: Any) -> bool:
    """True if a string anywhere in `value` (keys included) holds NUL or cannot be UTF-8."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode()
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(bad_text(k) or bad_text(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(bad_text(v) for v in value)
    return False


def suspect_body(raw: bytes) -> bool:
    return b"\x00" in raw or _SUSPECT.search(raw) is not None
