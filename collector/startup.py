"""Why a command could not start, in one line that names the setting and what to do.

The `maa` command turns these failures into that line and a non-zero exit instead of a
traceback: a database it cannot reach or open, a port already taken, a SQLite folder that is
not there. Nothing here prints a password: URLs are shown without it.
"""

import errno
import socket
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from models.settings import Settings


class StartupError(Exception):
    """A command cannot start; the message is the one line to show."""


def shown_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("://")[0] + "://..."


def sqlite_folder(url: str) -> Path | None:
    """The folder of a SQLite file, made if it is one level away from an existing folder.

    `./data/maa.db` on a fresh checkout needs `data/` made (and the log says so); a URL whose
    folder is two or more levels away from anything that exists is more likely a typo, so it
    is refused rather than creating a tree of folders.
    """
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    folder = Path(database).parent
    if folder.is_dir():
        return None
    if folder.exists() or not folder.parent.is_dir():
        raise StartupError(
            f"setting MAA_DATABASE_URL: the folder {folder} does not exist; create it, "
            "or point MAA_DATABASE_URL at a file in an existing folder"
        )
    folder.mkdir()
    return folder


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def describe(exc: BaseException, conf: Settings) -> str | None:
    """The one line for a failure to reach or open the database, or None if it is not one."""
    url = shown_url(conf.database_url)
    for cause in _causes(exc):
        if isinstance(cause, StartupError):
            return str(cause)
        name = type(cause).__name__
        if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
            return (
                f"setting MAA_DATABASE_URL: PostgreSQL refused the user or password in {url}; "
                "check them"
            )
        if name == "InvalidCatalogNameError":
            return (
                f"setting MAA_DATABASE_URL: the database in {url} does not exist; "
                "create it (createdb) or correct the URL"
            )
        if isinstance(cause, socket.gaierror):
            return f"setting MAA_DATABASE_URL: the host in {url} is not known; correct it"
        if isinstance(cause, (ConnectionError, TimeoutError)) or (
            isinstance(cause, OSError)
            and cause.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH)
        ):
            return (
                f"setting MAA_DATABASE_URL: cannot reach the database at {url}; "
                "start PostgreSQL or correct the URL"
            )
        if isinstance(cause, sqlite3.OperationalError):
            return (
                f"setting MAA_DATABASE_URL: cannot open the SQLite database {url} "
                f"({cause}); check the path and its permissions"
            )
    return None


def listen_failure(exc: OSError, host: str, port: int) -> StartupError:
    if exc.errno == errno.EADDRINUSE:
        return StartupError(
            f"setting MAA_PORT: {host}:{port} is already in use; stop what is using it, "
            "or choose another port with MAA_PORT or --port"
        )
    return StartupError(
        f"setting MAA_HOST: cannot listen on {host}:{port} ({exc.strerror or exc}); "
        "check MAA_HOST and MAA_PORT"
    )
