"""The one reader of the environment (and `.env`): settings built once and passed in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.privacy import BOT_TOKEN_SHAPE
from bot.voter_salt import MIN_SALT_CHARS

__all__ = ["DEFAULT_API_BASE", "Settings"]

DEFAULT_API_BASE = "https://discord.com/api/v10"


class Settings(BaseSettings):
    """Process settings. The token is a SecretStr so it never shows up in logs or reprs,
    and its validation errors never quote it."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    discord_token: SecretStr | None = Field(default=None, alias="DISCORD_TOKEN")
    facts_dir: Path = Field(default=Path("facts"), alias="TRIVIA_FACTS_DIR")
    data_dir: Path = Field(default=Path("data"), alias="TRIVIA_DATA_DIR")
    dev_guild_id: int | None = Field(default=None, alias="TRIVIA_DEV_GUILD_ID", gt=0)
    message_content: bool = Field(default=False, alias="TRIVIA_MESSAGE_CONTENT")
    shard_count: int | None = Field(default=None, alias="TRIVIA_SHARD_COUNT", ge=1)
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = Field(
        default=None, alias="TRIVIA_SHARD_IDS"
    )
    watch_facts: bool = Field(default=False, alias="TRIVIA_WATCH_FACTS")
    retention_days: int = Field(default=30, alias="TRIVIA_RETENTION_DAYS", ge=1, le=3650)
    voter_salt: SecretStr | None = Field(default=None, alias="TRIVIA_VOTER_SALT")
    database_url: SecretStr | None = Field(default=None, alias="TRIVIA_DATABASE_URL")
    database_pool: int = Field(default=10, alias="TRIVIA_DATABASE_POOL", ge=1, le=100)
    api_base: str = Field(default=DEFAULT_API_BASE, alias="DISCORD_API_BASE")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        default="WARNING", alias="LOG_LEVEL"
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("discord_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        """An empty token means none; a malformed one is refused without echoing it."""
        if isinstance(value, str):
            value = value.strip()
            if value.lower().startswith("bot "):
                value = value[4:].strip()
            if not value:
                return None
            if not BOT_TOKEN_SHAPE.fullmatch(value):
                raise ValueError("does not look like a bot token (three dot-separated parts)")
        return value

    @field_validator("voter_salt", mode="before")
    @classmethod
    def _salt_length(cls, value: object) -> object:
        """Empty means the salt file; a short salt is refused without echoing it."""
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if len(value) < MIN_SALT_CHARS:
                raise ValueError(f"must be at least {MIN_SALT_CHARS} characters, kept secret")
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _database_url(cls, value: object) -> object:
        """Empty means the SQLite file; anything but a PostgreSQL URL is refused without
        echoing it (it may hold a password)."""
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not re.match(r"postgres(ql)?://\S+$", value):
                raise ValueError("expected a PostgreSQL URL such as postgresql://user@host/db")
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """`0,1,2` (or spaces) in the environment; empty means all shards."""
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            if not parts:
                return None
            if not all(p.isdigit() for p in parts):
                raise ValueError("expected shard numbers separated by commas, like 0,1")
            return tuple(int(p) for p in parts)
        return value

    @field_validator("api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError("expected an http(s) URL such as https://discord.com/api/v10")
        return value

    @model_validator(mode="after")
    def _salt_shared(self) -> Settings:
        """Processes on several hosts must hash voters alike: a salt file per host would
        let one person vote again on every host."""
        if self.database_url is not None and self.voter_salt is None:
            raise ValueError("TRIVIA_DATABASE_URL needs TRIVIA_VOTER_SALT (the same on every host)")
        return self

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("TRIVIA_SHARD_IDS needs TRIVIA_SHARD_COUNT")
            if any(i >= self.shard_count for i in self.shard_ids):
                raise ValueError("TRIVIA_SHARD_IDS must be below TRIVIA_SHARD_COUNT")
        return self

    @property
    def token(self) -> str | None:
        """The bot token, or None when the bot should open the local console."""
        return self.discord_token.get_secret_value() if self.discord_token else None

    @property
    def database(self) -> str | None:
        """The PostgreSQL URL, or None for the SQLite file in the data folder."""
        return self.database_url.get_secret_value() if self.database_url else None

    @property
    def salt(self) -> str | None:
        """The voter salt if set (else the store keeps one in a file of the data folder)."""
        return self.voter_salt.get_secret_value() if self.voter_salt else None
