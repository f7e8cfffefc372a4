"""The one reader of the environment (and `.env`): settings built once and passed in."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Process settings. The token is a SecretStr so it never shows up in logs or reprs."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    discord_token: SecretStr | None = Field(default=None, alias="DISCORD_TOKEN")
    facts_dir: Path = Field(default=Path("facts"), alias="TRIVIA_FACTS_DIR")
    log_level: str = Field(default="WARNING", alias="LOG_LEVEL")
