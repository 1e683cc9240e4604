"""The secret the bot's channels (Telegram, `maa chat`) use to call the collector.

Set MAA_SERVICE_TOKEN when the collector and the bot run on different machines (docker compose
does). Left empty, `maa serve`, `maa bot` and `maa chat` started from the same directory share a
generated one kept in a local file (MAA_SERVICE_TOKEN_FILE, readable by its owner only), so the
terminal chat works with no secret set by hand.
"""

import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from models.settings import Settings


def read_or_make(path: Path) -> str:
    """The secret in `path`, made there first if there is none (two starting at once agree)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it just now: theirs counts
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return token


def with_service_token(settings: Settings) -> Settings:
    """`settings` with the service token filled in: the one set, or the shared local one."""
    if settings.service_token.get_secret_value():
        return settings
    token = read_or_make(settings.service_token_file)
    return settings.model_copy(update={"service_token": SecretStr(token)})
