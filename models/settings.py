"""The one settings object: environment variables with the prefix MAA_, or a .env file."""

import base64
import re
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB = "sqlite+aiosqlite:///./data/maa.db"
TELEGRAM_API = "https://api.telegram.org/bot"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAA_", env_file=".env", extra="ignore")

    database_url: str = Field(DEFAULT_DB, description="SQLAlchemy async URL: SQLite or PostgreSQL")
    host: str = Field("127.0.0.1", description="Collector listen address")
    port: int = Field(8080, ge=0, le=65535, description="Collector listen port")
    public_url: str = Field("", description="How the bot reaches the collector; default host:port")
    service_token: SecretStr = Field(
        SecretStr(""), description="Shared secret the bot uses to call the collector"
    )
    service_token_file: Path = Field(
        Path("data/service-token"),
        description="Where an unset service token is made and shared (models/service_token.py)",
    )
    telegram_token: SecretStr = Field(SecretStr(""), description="Bot token from @BotFather")
    telegram_base_url: str = Field(TELEGRAM_API, description="Bot API server base URL")
    telegram_bot_username: str = Field("", description="For invite links t.me/<username>")
    webhook_url: str = Field("", description="Webhook mode when set; polling otherwise")
    webhook_secret: SecretStr = Field(SecretStr(""), description="Checked on every webhook call")
    webhook_listen: str = Field("127.0.0.1:8443", description="Where the webhook server listens")
    reminders: bool = Field(True, description="The bot sends queued reminders (outbox)")
    chat_listen: str = Field(
        "", description="host:port of the browser chat (/chat/) in the bot process; empty: off"
    )
    chat_public_url: str = Field(
        "", description="How people reach the browser chat (for its links); default chat_listen"
    )
    out_dir: Path = Field(Path("out"), description="Where `maa demo` writes the reports")
    log_level: str = Field("INFO", description="Python logging level")
    db_pool_size: int = Field(
        10, ge=1, le=1000, description="PostgreSQL connections each pool of a collector keeps"
    )
    db_max_overflow: int = Field(
        10, ge=0, le=1000, description="PostgreSQL connections a pool may open beyond its size"
    )
    db_statement_timeout: float = Field(
        30, gt=0, description="PostgreSQL: seconds before a statement is cancelled"
    )
    db_connect_timeout: float = Field(
        5, gt=0, description="Seconds to wait for a database connection before answering 503"
    )
    retention_check_hours: float = Field(
        24, ge=0, description="How often the collector removes rounds past retention; 0: never"
    )
    data_key: SecretStr = Field(
        SecretStr(""),
        description="Narratives encrypted at rest: id:base64url-32-bytes[,older keys]; empty: off",
    )
    metrics_token: SecretStr = Field(
        SecretStr(""), description="Bearer token for GET /metrics; empty: /metrics is off"
    )

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, v: str) -> str:
        if not v.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                f"(got {v.split('://')[0]}://...)"
            )
        return v

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, v: str) -> str:
        if v.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return v.upper()

    @field_validator("data_key")
    @classmethod
    def _data_keys(cls, v: SecretStr) -> SecretStr:
        for item in filter(None, (i.strip() for i in v.get_secret_value().split(","))):
            kid, _, key = item.partition(":")
            try:
                raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
            except ValueError:
                raw = b""
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", kid) or len(raw) != 32:
                raise ValueError(
                    "use id:key[,id:key...], each key 32 bytes in base64url "
                    "(`maa rotate-key --generate` makes one)"
                )
        return v

    @property
    def collector_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def chat_url(self) -> str:
        """Where the browser chat is reached: MAA_CHAT_PUBLIC_URL, else http://MAA_CHAT_LISTEN."""
        return (self.chat_public_url or f"http://{self.chat_listen or '127.0.0.1:8090'}").rstrip(
            "/"
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
