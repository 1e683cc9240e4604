"""Alembic migrations, applied by `maa db upgrade` and at server start."""

import asyncio
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

from collector.startup import sqlite_folder
from models.settings import Settings

log = logging.getLogger("maa.collector")

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(settings: Settings) -> None:
    """Bring the database to the newest schema; Alembic is synchronous, so off the loop."""
    made = sqlite_folder(settings.database_url)
    if made is not None:
        log.info("MAA_DATABASE_URL: made the folder %s for the SQLite database", made)
    await asyncio.to_thread(command.upgrade, alembic_config(settings.database_url), "head")
