"""Alembic migrations, applied by `maa db upgrade` and at server start."""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from models.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(settings: Settings) -> None:
    """Bring the database to the newest schema; Alembic is synchronous, so off the loop."""
    if settings.is_sqlite:
        from sqlalchemy.engine import make_url

        db = make_url(settings.database_url).database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(command.upgrade, alembic_config(settings.database_url), "head")
