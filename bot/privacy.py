"""What is never kept or logged: user ids and tokens. Redaction for kept questions, and a
logging filter over every record the process writes."""

from __future__ import annotations

import logging
import re
import sys

__all__ = ["BOT_TOKEN_SHAPE", "Redaction", "configure_logging", "redact_ids", "redact_tokens"]

# Discord ids (snowflakes) have 17 to 20 digits; no question needs a number this long.
_ID = re.compile(r"(?<!\d)\d{15,}(?!\d)")
# A bot token is three base64url parts joined by dots (user id, timestamp, HMAC).
BOT_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{17,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")
# Interaction tokens (valid 15 minutes) ride in URLs (.../interactions/ID/TOKEN/callback,
# .../webhooks/APP/TOKEN) and in the gateway's payloads ('token': '...').
_URL_TOKEN = re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/\s?'\"]+")
_TOKEN_FIELD = re.compile(r"""(['"]token['"]\s*:\s*['"])[^'"]+""")
# A database URL's credentials (postgresql://user:password@host): the part before the "@".
_URL_CREDENTIALS = re.compile(r"(\w+://)[^/\s@'\"]+@")
_OWN_LOGGERS = "bot"


def redact_ids(text: str) -> str:
    """Long digit runs (user ids typed or pasted) replaced by `[id]`."""
    return _ID.sub("[id]", text)


def redact_tokens(text: str) -> str:
    """Bot and interaction tokens, and the credentials in URLs, replaced by `[token]`."""
    text = _URL_CREDENTIALS.sub(r"\1[token]@", text)
    text = _URL_TOKEN.sub(r"\1[token]", text)
    text = _TOKEN_FIELD.sub(r"\1[token]", text)
    return BOT_TOKEN_SHAPE.sub("[token]", text)


class Redaction(logging.Filter):
    """Takes tokens out of every record, and ids out of other libraries' records too:
    discord.py logs whole gateway payloads and request URLs at DEBUG, users' ids and
    interaction tokens with them. The bot's own records name servers, channels, messages
    and interactions (to trace a failure), never users."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact = redact_tokens if _is_own(record) else _redact_all
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def configure_logging(level: str) -> None:
    """Log to stderr at `level`, through the redaction filter."""
    logging.basicConfig(level=level, stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        handler.addFilter(Redaction())


def _redact_all(text: str) -> str:
    return redact_ids(redact_tokens(text))


def _is_own(record: logging.LogRecord) -> bool:
    return record.name == _OWN_LOGGERS or record.name.startswith(f"{_OWN_LOGGERS}.")
