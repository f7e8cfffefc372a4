"""Settings: read from the environment once; bad values are refused without echoing them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import DEFAULT_API_BASE, Settings
from tests.conftest import FAKE_TOKEN

TOKEN = FAKE_TOKEN


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for key in list(__import__("os").environ):
        if key.startswith(("TRIVIA_", "DISCORD_", "LOG_LEVEL")):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch)
    assert s.token is None
    assert s.data_dir == Path("data")
    assert s.retention_days == 30
    assert s.api_base == DEFAULT_API_BASE
    assert (s.message_content, s.watch_facts, s.shard_count, s.shard_ids) == (
        False,
        False,
        None,
        None,
    )


def test_everything_set(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(
        monkeypatch,
        DISCORD_TOKEN=f"  {TOKEN} ",
        TRIVIA_DATA_DIR="/tmp/x",
        TRIVIA_DEV_GUILD_ID="123",
        TRIVIA_MESSAGE_CONTENT="1",
        TRIVIA_SHARD_COUNT="4",
        TRIVIA_SHARD_IDS="0, 2",
        TRIVIA_WATCH_FACTS="true",
        DISCORD_API_BASE="http://127.0.0.1:8080/api/v10/",
        LOG_LEVEL="info",
    )
    assert s.token == TOKEN
    assert s.dev_guild_id == 123
    assert s.message_content and s.watch_facts
    assert (s.shard_count, s.shard_ids) == (4, (0, 2))
    assert s.api_base == "http://127.0.0.1:8080/api/v10"
    assert s.log_level == "INFO"


def test_the_token_never_appears_in_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch, DISCORD_TOKEN=TOKEN)
    assert TOKEN not in repr(s) and TOKEN not in str(s.model_dump())


def test_an_empty_token_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch, DISCORD_TOKEN="  ").token is None


@pytest.mark.parametrize(
    ("env", "field"),
    [
        ({"DISCORD_TOKEN": "not-a-token"}, "DISCORD_TOKEN"),
        ({"TRIVIA_DEV_GUILD_ID": "abc"}, "TRIVIA_DEV_GUILD_ID"),
        ({"TRIVIA_SHARD_COUNT": "0"}, "TRIVIA_SHARD_COUNT"),
        ({"TRIVIA_SHARD_IDS": "one", "TRIVIA_SHARD_COUNT": "2"}, "TRIVIA_SHARD_IDS"),
        ({"DISCORD_API_BASE": "discord.com"}, "DISCORD_API_BASE"),
        ({"TRIVIA_MESSAGE_CONTENT": "maybe"}, "TRIVIA_MESSAGE_CONTENT"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"TRIVIA_RETENTION_DAYS": "0"}, "TRIVIA_RETENTION_DAYS"),
    ],
)
def test_bad_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(monkeypatch, **env)
    assert caught.value.errors()[0]["loc"] == (field,)


def test_a_malformed_token_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "hunter2-secret-value"
    with pytest.raises(ValidationError) as caught:
        settings(monkeypatch, DISCORD_TOKEN=secret)
    assert secret not in caught.value.errors()[0]["msg"]


def test_shard_ids_must_fit_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="below TRIVIA_SHARD_COUNT"):
        settings(monkeypatch, TRIVIA_SHARD_COUNT="2", TRIVIA_SHARD_IDS="0,2")
    with pytest.raises(ValidationError, match="needs TRIVIA_SHARD_COUNT"):
        settings(monkeypatch, TRIVIA_SHARD_IDS="0")


def test_the_voter_salt_is_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    salt = "a-long-enough-voter-salt-value"
    s = settings(monkeypatch, TRIVIA_VOTER_SALT=f" {salt} ")
    assert s.voter_salt is not None and s.voter_salt.get_secret_value() == salt
    assert salt not in repr(s) and salt not in str(s.model_dump())
    assert settings(monkeypatch, TRIVIA_VOTER_SALT="").voter_salt is None
    assert settings(monkeypatch).voter_salt is None


def test_a_short_voter_salt_is_refused_without_echo(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(monkeypatch, TRIVIA_VOTER_SALT="short-salt")
    error = caught.value.errors()[0]
    assert error["loc"] == ("TRIVIA_VOTER_SALT",) and "short-salt" not in error["msg"]
