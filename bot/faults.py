"""A fault in the log: its class and where it happened, never its message.

An exception's message may quote what was typed (a pydantic error quotes the value it refused,
which can be a narrative), so every channel and background loop logs faults through `frames`.
"""

import traceback


def frames(exc: BaseException | None) -> str:
    """The traceback's frames (file, line, code), without the exception's message."""
    return "".join(traceback.format_tb(exc.__traceback__)) if exc is not None else ""
