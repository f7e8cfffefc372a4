"""Redaction: what is kept and logged holds no token and no user id."""

from __future__ import annotations

import logging
import sys

import pytest

from bot.privacy import Redaction, redact_ids, redact_tokens
from tests.conftest import FAKE_TOKEN

USER_ID = "1300000000000000403"
INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTU3NzAzMTM2MTg3MTQ3ODc4NDoRFRPZlJGb-Kx_W"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"POST https://x/api/v10/interactions/{USER_ID}/{INTERACTION_TOKEN}/callback",
            f"POST https://x/api/v10/interactions/{USER_ID}/[token]/callback",
        ),
        (f"/webhooks/1/{INTERACTION_TOKEN}?wait=1", "/webhooks/1/[token]?wait=1"),
        (f"{{'type': 2, 'token': '{INTERACTION_TOKEN}'}}", "{'type': 2, 'token': '[token]'}"),
        (f'{{"token": "{INTERACTION_TOKEN}"}}', '{"token": "[token]"}'),
        (f"Bot {FAKE_TOKEN}", "Bot [token]"),
        ("dsn='postgresql://trivia:s3cret@db:5432/t'", "dsn='postgresql://[token]@db:5432/t'"),
        ("postgres://only-a-user@db/t", "postgres://[token]@db/t"),
        ("bot.discord_adapter.client: 12 facts", "bot.discord_adapter.client: 12 facts"),
    ],
)
def test_tokens_are_redacted(text: str, expected: str) -> None:
    assert redact_tokens(text) == expected


def test_long_digit_runs_are_redacted() -> None:
    assert redact_ids(f"ids {USER_ID} and 123456789012345, not 12345678901234") == (
        "ids [id] and [id], not 12345678901234"
    )


def record(name: str, message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, logging.DEBUG, __file__, 1, message, args, None)


def test_other_libraries_records_lose_ids_and_tokens_and_ours_keep_ids() -> None:
    theirs = record("discord.gateway", "event %s", {"author": {"id": USER_ID}, "token": "abc"})
    ours = record("bot.discord_adapter.tree", "interaction %s failed", int(USER_ID))
    assert Redaction().filter(theirs) and Redaction().filter(ours)
    assert theirs.getMessage() == "event {'author': {'id': '[id]'}, 'token': '[token]'}"
    assert ours.getMessage() == f"interaction {USER_ID} failed"


def test_tracebacks_are_redacted_too() -> None:
    try:
        raise RuntimeError(f"refused /interactions/1/{INTERACTION_TOKEN}/callback for {USER_ID}")
    except RuntimeError:
        failed = logging.LogRecord(
            "discord.client", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    Redaction().filter(failed)
    assert failed.exc_text is not None and "RuntimeError" in failed.exc_text
    assert INTERACTION_TOKEN not in failed.exc_text and USER_ID not in failed.exc_text
