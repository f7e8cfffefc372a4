"""A loopback stand-in for Discord's REST API (v10) and gateway, for end-to-end tests.

The stand-in is an aiohttp server on 127.0.0.1 that speaks enough of Discord for a discord.py 2.7
bot to log in, connect its (auto-sharded) gateway, sync application commands, receive messages,
slash commands, autocomplete and component interactions, and answer them. Everything the bot sends
is recorded, and what Discord would refuse (an invalid embed, an empty message, a second
acknowledgement, a late first response, a command a member cannot see) is refused here too.

Typical use::

    async with DiscordStandIn() as standin:
        # start the bot with DISCORD_API_BASE=standin.api_base and token standin.token
        await standin.wait_until_identified(timeout=10)
        result = await standin.send_slash_command("ping")
        callback = await result.response()
        assert callback.type == CALLBACK_CHANNEL_MESSAGE

Deliberate fidelity points, each checked against Discord's documented behaviour:

* GUILD_CREATE lists only the bot's own member unless the session has the GUILD_PRESENCES intent
  (or ``full_member_list=True``), as Discord does; other members reach the bot through message
  and interaction payloads.
* Without the MESSAGE_CONTENT intent, MESSAGE_CREATE for a guild message that does not mention
  the bot has empty ``content``, ``embeds``, ``attachments`` and ``components``
  (``enforce_message_content``).
* The bot's own channel messages and public interaction responses are echoed as MESSAGE_CREATE.
* Transport compression ``zlib-stream`` is honoured (discord.py's default without zstandard);
  ``zstd-stream`` is answered with plain text frames, which discord.py also accepts.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import itertools
import json
import re
import secrets
import time
import traceback
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, Self, TypeVar

from aiohttp import WSMsgType, web

JSON = dict[str, Any]
T = TypeVar("T")

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1_420_070_400_000

# Default snowflakes (19 digits, as real ones from 2024 are; discord.py's mention regex needs 15+).
APPLICATION_ID = 1_300_000_000_000_000_001
BOT_USER_ID = APPLICATION_ID
GUILD_ID = 1_300_000_000_000_000_100
CATEGORY_ID = 1_300_000_000_000_000_150
GENERAL_CHANNEL_ID = 1_300_000_000_000_000_201
SECOND_CHANNEL_ID = 1_300_000_000_000_000_202
THIRD_CHANNEL_ID = 1_300_000_000_000_000_203
ADMIN_ROLE_ID = 1_300_000_000_000_000_301
BOT_ROLE_ID = 1_300_000_000_000_000_302
OTHER_BOT_ROLE_ID = 1_300_000_000_000_000_303
OWNER_ID = 1_300_000_000_000_000_401
ADMIN_ID = 1_300_000_000_000_000_402
MEMBER_ID = 1_300_000_000_000_000_403
OTHER_BOT_ID = 1_300_000_000_000_000_404

# Gateway intents.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT
ALL_INTENTS = (1 << 26) - 1

# Permission bits.
PERM_CREATE_INSTANT_INVITE = 1 << 0
PERM_ADMINISTRATOR = 1 << 3
PERM_MANAGE_GUILD = 1 << 5
PERM_ADD_REACTIONS = 1 << 6
PERM_VIEW_CHANNEL = 1 << 10
PERM_SEND_MESSAGES = 1 << 11
PERM_MANAGE_MESSAGES = 1 << 13
PERM_EMBED_LINKS = 1 << 14
PERM_ATTACH_FILES = 1 << 15
PERM_READ_MESSAGE_HISTORY = 1 << 16
PERM_MENTION_EVERYONE = 1 << 17
PERM_USE_EXTERNAL_EMOJIS = 1 << 18
PERM_USE_APPLICATION_COMMANDS = 1 << 31
PERM_SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = 8_866_461_766_385_663
EVERYONE_PERMISSIONS = (
    PERM_CREATE_INSTANT_INVITE
    | PERM_ADD_REACTIONS
    | PERM_VIEW_CHANNEL
    | PERM_SEND_MESSAGES
    | PERM_EMBED_LINKS
    | PERM_ATTACH_FILES
    | PERM_READ_MESSAGE_HISTORY
    | PERM_USE_EXTERNAL_EMOJIS
    | PERM_USE_APPLICATION_COMMANDS
    | PERM_SEND_MESSAGES_IN_THREADS
)
BOT_PERMISSIONS = EVERYONE_PERMISSIONS

# Message flags.
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_IS_COMPONENTS_V2 = 1 << 15
_CHANNEL_FLAGS = FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2
_RESPONSE_FLAGS = _CHANNEL_FLAGS | FLAG_EPHEMERAL

# Interaction types and callback types.
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_MESSAGE_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
CALLBACK_CHANNEL_MESSAGE = 4
CALLBACK_DEFERRED_CHANNEL_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE_MESSAGE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE_RESULT = 8
CALLBACK_MODAL = 9

# Channel types, option types, component types.
CHANNEL_TEXT = 0
CHANNEL_DM = 1
CHANNEL_CATEGORY = 4
OPTION_SUB_COMMAND = 1
OPTION_SUB_COMMAND_GROUP = 2
OPTION_STRING = 3
OPTION_INTEGER = 4
OPTION_BOOLEAN = 5
OPTION_USER = 6
OPTION_CHANNEL = 7
OPTION_ROLE = 8
OPTION_MENTIONABLE = 9
OPTION_NUMBER = 10
COMPONENT_ACTION_ROW = 1
COMPONENT_BUTTON = 2
COMPONENT_STRING_SELECT = 3
COMPONENT_USER_SELECT = 5
COMPONENT_ROLE_SELECT = 6
COMPONENT_MENTIONABLE_SELECT = 7
COMPONENT_CHANNEL_SELECT = 8
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
_SNOWFLAKE_OPTIONS = frozenset({OPTION_USER, OPTION_CHANNEL, OPTION_ROLE, OPTION_MENTIONABLE})

_USER_MENTION = re.compile(r"<@!?(\d{15,20})>")
_ROLE_MENTION = re.compile(r"<@&(\d{15,20})>")
_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
_URL = re.compile(r"^(https?|attachment)://\S+$")


class StandInError(Exception):
    """A test asked the stand-in for something Discord would not do."""


class CommandNotAvailableError(StandInError):
    """The command is not registered, or Discord would hide it from this member."""


@dataclass(frozen=True)
class Recorded:
    """One HTTP request the bot made, and what the stand-in answered."""

    method: str
    path: str
    query: Mapping[str, str]
    json: Any
    at: float
    route: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    status: int = 0
    response: Any = None
    files: tuple[str, ...] = ()
    message: JSON | None = None


@dataclass(frozen=True)
class GatewayFrame:
    """One gateway frame, received from the bot ("in") or sent to it ("out")."""

    direction: Literal["in", "out"]
    op: int | None
    t: str | None
    s: int | None
    d: Any
    at: float
    connection: int
    path: str = ""


@dataclass(frozen=True)
class Callback:
    """The bot's initial response to an interaction (POST .../callback)."""

    type: int
    data: JSON
    message: JSON | None
    recorded: Recorded

    @property
    def ephemeral(self) -> bool:
        """Whether the response carries the EPHEMERAL flag."""
        return bool(int(self.data.get("flags") or 0) & FLAG_EPHEMERAL)

    @property
    def content(self) -> str | None:
        """The response's content, if any."""
        return self.data.get("content")

    @property
    def embeds(self) -> list[JSON]:
        """The response's embeds."""
        return list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        """The response's components."""
        return list(self.data.get("components") or [])

    @property
    def choices(self) -> list[JSON]:
        """Autocomplete choices (type 8)."""
        return list(self.data.get("choices") or [])


@dataclass
class FakeUser:
    """A Discord user known to the stand-in."""

    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> JSON:
        """The user object as Discord sends it."""
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
            "avatar_decoration_data": None,
            "primary_guild": None,
            "collectibles": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class FakeRole:
    """A guild role."""

    id: int
    name: str
    permissions: int
    position: int
    managed: bool = False
    bot_id: int | None = None

    def payload(self) -> JSON:
        """The role object as Discord sends it."""
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class FakeChannel:
    """A guild channel (text or category)."""

    id: int
    name: str
    type: int = CHANNEL_TEXT
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None

    def payload(self, guild_id: int | None = None) -> JSON:
        """The channel object; with ``guild_id`` as REST and interactions send it."""
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "parent_id": None if self.parent_id is None else str(self.parent_id),
            "flags": 0,
        }
        if self.type == CHANNEL_TEXT:
            data.update(topic=self.topic, nsfw=False, rate_limit_per_user=0, last_message_id=None)
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        return data


@dataclass
class FakeMember:
    """A guild member: a user plus role ids."""

    user_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = "2024-11-01T12:00:00.000000+00:00"


class _ApiError(Exception):
    """A Discord-shaped error response."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> JSON:
        """The JSON error body."""
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


Problem = tuple[tuple[str, ...], str]


def _invalid_form(problems: Sequence[Problem]) -> _ApiError:
    """A 400 Invalid Form Body error with Discord's nested ``errors`` layout."""
    root: JSON = {}
    for path, message in problems:
        node = root
        for part in path:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": "BASE_TYPE_INVALID", "message": message})
    return _ApiError(400, 50035, "Invalid Form Body", root)


@dataclass
class _Reply:
    """What a route handler answers."""

    status: int = 200
    body: Any = None
    message: JSON | None = None


@dataclass
class _Call:
    """A parsed REST request handed to a route handler."""

    method: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[tuple[str, int]]


def make_token(user_id: int) -> str:
    """A token shaped like Discord's: base64url(user id) . timestamp . HMAC."""
    first = base64.urlsafe_b64encode(str(user_id).encode()).decode().rstrip("=")
    stamp = int(time.time()).to_bytes(4, "big")
    second = base64.urlsafe_b64encode(stamp).decode().rstrip("=")
    return f"{first}.{second}.{secrets.token_urlsafe(28)}"


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _json_response(status: int, body: Any) -> web.Response:
    """A response whose Content-Type is exactly ``application/json`` (no charset)."""
    if status == 204 or body is None:
        return web.Response(status=204 if body is None else status)
    raw = json.dumps(body, separators=(",", ":")).encode()
    return web.Response(status=status, body=raw, headers={"Content-Type": "application/json"})


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in {"1", "true"}


def _first_custom_id(message: JSON | int | str, standin: DiscordStandIn) -> str:
    """Any real component's custom id on a stored message (to find the message by)."""
    message_id = int(message["id"]) if isinstance(message, dict) else int(message)
    stored = standin.messages.get(message_id) or {}
    for component in _walk_components(stored.get("components") or []):
        if "custom_id" in component:
            return str(component["custom_id"])
    raise StandInError(f"message {message_id} has no components to forge a click on")


def _walk_components(components: Any) -> Iterator[JSON]:
    """Every component, depth first, including nested ones and accessories."""
    if not isinstance(components, list):
        return
    for component in components:
        if not isinstance(component, dict):
            continue
        yield component
        yield from _walk_components(component.get("components"))
        accessory = component.get("accessory")
        if isinstance(accessory, dict):
            yield accessory


def _number_components(components: list[JSON]) -> list[JSON]:
    """A copy of ``components`` with Discord's numeric ``id`` filled in where missing."""
    result = copy.deepcopy(components)
    used = {c["id"] for c in _walk_components(result) if isinstance(c.get("id"), int)}
    counter = itertools.count(1)
    for component in _walk_components(result):
        if not isinstance(component.get("id"), int):
            number = next(n for n in counter if n not in used)
            component["id"] = number
            used.add(number)
    return result


def _check_len(
    problems: list[Problem], path: tuple[str, ...], value: Any, maximum: int, minimum: int = 0
) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        problems.append((path, "Must be a string."))
    elif not minimum <= len(value) <= maximum:
        problems.append((path, f"Must be between {minimum} and {maximum} in length."))


def _check_url(problems: list[Problem], path: tuple[str, ...], value: Any) -> None:
    if value is not None and not (isinstance(value, str) and _URL.match(value)):
        problems.append((path, "Not a well formed URL."))


def _validate_embeds(embeds: Any, problems: list[Problem]) -> None:
    if not isinstance(embeds, list):
        problems.append((("embeds",), "Must be an array."))
        return
    if len(embeds) > 10:
        problems.append((("embeds",), "Must be 10 or fewer in length."))
    total = 0
    for index, embed in enumerate(embeds):
        path = ("embeds", str(index))
        if not isinstance(embed, dict):
            problems.append((path, "Must be an object."))
            continue
        _check_len(problems, (*path, "title"), embed.get("title"), 256)
        _check_len(problems, (*path, "description"), embed.get("description"), 4096)
        _check_url(problems, (*path, "url"), embed.get("url"))
        for key in ("image", "thumbnail"):
            sub = embed.get(key)
            if isinstance(sub, dict):
                _check_url(problems, (*path, key, "url"), sub.get("url"))
        footer = embed.get("footer") or {}
        author = embed.get("author") or {}
        _check_len(problems, (*path, "footer", "text"), footer.get("text"), 2048)
        _check_len(problems, (*path, "author", "name"), author.get("name"), 256)
        colour = embed.get("color")
        if colour is not None and not (isinstance(colour, int) and 0 <= colour <= 0xFFFFFF):
            problems.append(((*path, "color"), "Int value should be between 0 and 16777215."))
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(((*path, "fields"), "Must be 25 or fewer in length."))
        for number, item in enumerate(fields):
            fpath = (*path, "fields", str(number))
            _check_len(problems, (*fpath, "name"), item.get("name") or "", 256, 1)
            _check_len(problems, (*fpath, "value"), item.get("value") or "", 1024, 1)
            total += len(str(item.get("name") or "")) + len(str(item.get("value") or ""))
        for text in (embed.get("title"), embed.get("description"), footer.get("text")):
            total += len(str(text or ""))
        total += len(str(author.get("name") or ""))
    if total > 6000:
        problems.append((("embeds",), "Embed size exceeds maximum size of 6000"))


def _validate_button(component: JSON, problems: list[Problem]) -> None:
    path = ("components",)
    style = component.get("style")
    if style == 5:
        _check_url(problems, (*path, "url"), component.get("url"))
        if component.get("url") is None:
            problems.append((path, "Link buttons need a url."))
        if component.get("custom_id") is not None:
            problems.append((path, "Link buttons cannot have a custom_id."))
    elif style != 6 and component.get("custom_id") is None:
        problems.append((path, "Buttons need a custom_id."))
    _check_len(problems, (*path, "label"), component.get("label"), 80)
    if not component.get("label") and not component.get("emoji") and style != 6:
        problems.append((path, "Buttons need a label or an emoji."))


def _validate_select(component: JSON, problems: list[Problem]) -> None:
    path = ("components",)
    _check_len(problems, (*path, "placeholder"), component.get("placeholder"), 150)
    low, high = component.get("min_values", 1), component.get("max_values", 1)
    if not (0 <= low <= 25 and 1 <= high <= 25 and low <= high):
        problems.append((path, "min_values/max_values out of range."))
    if component.get("type") == COMPONENT_STRING_SELECT:
        options = component.get("options") or []
        if not 1 <= len(options) <= 25:
            problems.append(((*path, "options"), "Must be between 1 and 25 in length."))
        for option in options:
            _check_len(problems, (*path, "options", "label"), option.get("label") or "", 100, 1)
            _check_len(problems, (*path, "options", "value"), option.get("value") or "", 100, 1)


def _validate_components(components: Any, flags: int, problems: list[Problem]) -> None:
    if not isinstance(components, list):
        problems.append((("components",), "Must be an array."))
        return
    if flags & FLAG_IS_COMPONENTS_V2:
        if sum(1 for _ in _walk_components(components)) > 40:
            problems.append((("components",), "Must be 40 or fewer in total."))
    else:
        if len(components) > 5:
            problems.append((("components",), "Must be 5 or fewer in length."))
        for index, row in enumerate(components):
            path = ("components", str(index))
            if not isinstance(row, dict) or row.get("type") != COMPONENT_ACTION_ROW:
                problems.append((path, "Top-level components must be action rows."))
                continue
            children = row.get("components") or []
            if not 1 <= len(children) <= 5:
                problems.append(((*path, "components"), "Must be between 1 and 5 in length."))
            if len(children) > 1 and any(c.get("type") in SELECT_TYPES for c in children):
                problems.append((path, "A select menu must be alone in its action row."))
    seen: set[str] = set()
    for component in _walk_components(components):
        kind = component.get("type")
        if kind == COMPONENT_BUTTON:
            _validate_button(component, problems)
        elif kind in SELECT_TYPES:
            _validate_select(component, problems)
        custom_id = component.get("custom_id")
        if custom_id is not None:
            _check_len(problems, ("components", "custom_id"), custom_id, 100, 1)
            if custom_id in seen:
                problems.append((("components", "custom_id"), "Component custom id duplicated"))
            seen.add(custom_id)


def _validate_allowed_mentions(value: Any, problems: list[Problem]) -> None:
    path = ("allowed_mentions",)
    if not isinstance(value, dict):
        problems.append((path, "Must be an object."))
        return
    parse = value.get("parse") or []
    if any(p not in {"users", "roles", "everyone"} for p in parse):
        problems.append(((*path, "parse"), "Value must be one of users, roles, everyone."))
    for kind in ("users", "roles"):
        if kind in parse and value.get(kind):
            problems.append(((*path, kind), f"parse:[{kind}] and {kind}:[...] are exclusive."))
        if len(value.get(kind) or []) > 100:
            problems.append(((*path, kind), "Must be 100 or fewer in length."))


def _validate_message(payload: Any, *, files: int = 0, require_body: bool = True) -> None:
    """Raise as Discord does for an invalid or empty message body."""
    if not isinstance(payload, dict):
        raise _invalid_form([((), "Expected an object.")])
    problems: list[Problem] = []
    content = payload.get("content")
    _check_len(problems, ("content",), content, 2000)
    flags = int(payload.get("flags") or 0)
    embeds = payload.get("embeds")
    components = payload.get("components")
    if embeds is not None:
        _validate_embeds(embeds, problems)
    if components is not None:
        _validate_components(components, flags, problems)
    if flags & FLAG_IS_COMPONENTS_V2 and (content or embeds):
        problems.append((("flags",), "content and embeds cannot be used with IS_COMPONENTS_V2."))
    if payload.get("allowed_mentions") is not None:
        _validate_allowed_mentions(payload["allowed_mentions"], problems)
    if problems:
        raise _invalid_form(problems)
    has_body = content or embeds or components or files or payload.get("attachments")
    if require_body and not (has_body or payload.get("poll") or payload.get("sticker_ids")):
        raise _ApiError(400, 50006, "Cannot send an empty message")


def _validate_choices(data: Any) -> None:
    choices = data.get("choices") if isinstance(data, dict) else None
    problems: list[Problem] = []
    if not isinstance(choices, list):
        problems.append((("data", "choices"), "Must be an array."))
    else:
        if len(choices) > 25:
            problems.append((("data", "choices"), "Must be 25 or fewer in length."))
        for index, choice in enumerate(choices):
            path = ("data", "choices", str(index))
            _check_len(problems, (*path, "name"), choice.get("name") or "", 100, 1)
            value = choice.get("value")
            if isinstance(value, str):
                _check_len(problems, (*path, "value"), value, 100)
            elif not isinstance(value, int | float) or isinstance(value, bool):
                problems.append(((*path, "value"), "Must be a string or a number."))
    if problems:
        raise _invalid_form(problems)


def _validate_option(option: Any, path: tuple[str, ...], problems: list[Problem]) -> None:
    if not isinstance(option, dict):
        problems.append((path, "Must be an object."))
        return
    name = option.get("name")
    if not (isinstance(name, str) and _COMMAND_NAME.match(name) and name == name.lower()):
        problems.append(((*path, "name"), "Command name is invalid"))
    _check_len(problems, (*path, "description"), option.get("description") or "", 100, 1)
    if len(option.get("choices") or []) > 25:
        problems.append(((*path, "choices"), "Must be 25 or fewer in length."))
    _validate_option_list(option.get("options") or [], path, problems)


def _validate_option_list(options: Any, path: tuple[str, ...], problems: list[Problem]) -> None:
    if not isinstance(options, list):
        problems.append(((*path, "options"), "Must be an array."))
        return
    if len(options) > 25:
        problems.append(((*path, "options"), "Must be 25 or fewer in length."))
    seen_optional = False
    names: set[str] = set()
    for index, option in enumerate(options):
        opath = (*path, "options", str(index))
        _validate_option(option, opath, problems)
        if not isinstance(option, dict):
            continue
        if option.get("name") in names:
            problems.append(((*opath, "name"), "Option names must be unique."))
        names.add(option.get("name", ""))
        if option.get("type") in (OPTION_SUB_COMMAND, OPTION_SUB_COMMAND_GROUP):
            continue
        if option.get("required"):
            if seen_optional:
                problems.append((opath, "Required options must be placed before non-required."))
        else:
            seen_optional = True


def _validate_command(raw: Any, path: tuple[str, ...], problems: list[Problem]) -> None:
    if not isinstance(raw, dict):
        problems.append((path, "Must be an object."))
        return
    kind = int(raw.get("type") or 1)
    name = raw.get("name")
    if kind == 1:
        if not (isinstance(name, str) and _COMMAND_NAME.match(name) and name == name.lower()):
            problems.append(((*path, "name"), "Command name is invalid"))
        _check_len(problems, (*path, "description"), raw.get("description") or "", 100, 1)
        _validate_option_list(raw.get("options") or [], path, problems)
    else:
        _check_len(problems, (*path, "name"), name or "", 32, 1)
        if raw.get("description"):
            problems.append(((*path, "description"), "Context menu commands have no description."))


@dataclass
class _Session:
    """A gateway session (survives reconnects until invalidated)."""

    session_id: str
    shard: tuple[int, int]
    shard_sent: bool
    intents: int
    seq: int = 0
    events: list[JSON] = field(default_factory=list)
    conn: _Connection | None = None
    invalid: bool = False


class _Connection:
    """One websocket connection from the bot."""

    def __init__(self, number: int, ws: web.WebSocketResponse, zlib_stream: bool, path: str):
        self.number = number
        self.ws = ws
        self.path = path
        self.session: _Session | None = None
        self._deflate = zlib.compressobj() if zlib_stream else None
        self._lock = asyncio.Lock()

    @property
    def closed(self) -> bool:
        return self.ws.closed

    async def send(self, payload: JSON) -> bool:
        """Send one frame; False if the socket is gone (the event stays buffered)."""
        raw = json.dumps(payload, separators=(",", ":"))
        async with self._lock:
            if self.ws.closed:
                return False
            try:
                if self._deflate is None:
                    await self.ws.send_str(raw)
                else:
                    data = self._deflate.compress(raw.encode())
                    await self.ws.send_bytes(data + self._deflate.flush(zlib.Z_SYNC_FLUSH))
            except (ConnectionError, RuntimeError):
                return False
        return True


@dataclass
class _Interaction:
    """Server-side state of one dispatched interaction."""

    payload: JSON
    created: float
    result: InteractionResult
    channel_id: int
    acked: int | None = None
    original_message_id: int | None = None
    message_ids: list[int] = field(default_factory=list)


class InteractionResult:
    """Handle on a dispatched interaction: await the bot's callback, follow-ups and edits."""

    def __init__(self, standin: DiscordStandIn, payload: JSON) -> None:
        self._standin = standin
        self.payload: JSON = payload
        self.id: int = int(payload["id"])
        self.token: str = payload["token"]
        self.callback: Callback | None = None
        self.followups: list[Recorded] = []
        self.edits: list[Recorded] = []
        self.rejected: list[Recorded] = []

    @property
    def responded(self) -> bool:
        """Whether the bot has acknowledged the interaction."""
        return self.callback is not None

    @property
    def original_message(self) -> JSON | None:
        """The current state of the original response message, if there is one."""
        state = self._standin._interactions.get(self.id)
        if state is None or state.original_message_id is None:
            return None
        return self._standin.messages.get(state.original_message_id)

    async def response(self, timeout: float = 5.0) -> Callback:
        """Wait for the bot's initial response (raises if Discord would have refused it)."""

        def check() -> Callback | None:
            if self.callback is None and self.rejected:
                last = self.rejected[-1]
                raise StandInError(f"the bot's callback was refused: {last.status} {last.response}")
            return self.callback

        return await self._standin._wait(check, timeout, f"a callback to interaction {self.id}")

    async def followup(self, index: int = 0, timeout: float = 5.0) -> Recorded:
        """Wait for the ``index``-th follow-up message (POST /webhooks/{app}/{token})."""
        return await self._standin._wait(
            lambda: self.followups[index] if len(self.followups) > index else None,
            timeout,
            f"follow-up #{index} of interaction {self.id}",
        )

    async def edit(self, index: int = 0, timeout: float = 5.0) -> Recorded:
        """Wait for the ``index``-th edit of the original response (PATCH .../@original)."""
        return await self._standin._wait(
            lambda: self.edits[index] if len(self.edits) > index else None,
            timeout,
            f"edit #{index} of interaction {self.id}'s original response",
        )

    def __repr__(self) -> str:
        return f"<InteractionResult id={self.id} type={self.payload['type']} cb={self.callback}>"


class UserMessage:
    """A message a test user sent (MESSAGE_CREATE); await the bot's reply in that channel."""

    def __init__(self, standin: DiscordStandIn, payload: JSON, *, delivered: bool, at: float):
        self._standin = standin
        self.payload: JSON = payload
        self.id: int = int(payload["id"])
        self.channel_id: int = int(payload["channel_id"])
        self.delivered: bool = delivered
        self.at: float = at

    def _is_reply(self, item: Recorded) -> bool:
        return (
            item.route == "POST /channels/{channel_id}/messages"
            and item.params.get("channel_id") == str(self.channel_id)
            and item.at >= self.at
            and item.status < 300
        )

    @property
    def replies(self) -> list[Recorded]:
        """Bot messages posted in this channel since this message was sent."""
        return [item for item in self._standin.records if self._is_reply(item)]

    async def reply(self, timeout: float = 5.0) -> Recorded:
        """Wait for the first bot message in this channel after this one."""
        return await self._standin.wait_for(self._is_reply, timeout, since=self.at)

    async def assert_no_reply(self, within: float = 0.5) -> None:
        """Fail if the bot posts in this channel within ``within`` seconds."""
        await asyncio.sleep(within)
        if self.replies:
            raise AssertionError(f"unexpected reply: {self.replies[0].json!r}")


Handler = Callable[[_Call], Any]


class DiscordStandIn:
    """A loopback Discord: REST under ``api_base`` and a gateway at ``gateway_url``."""

    def __init__(
        self,
        *,
        token: str | None = None,
        application_id: int = APPLICATION_ID,
        bot_user_id: int | None = None,
        bot_name: str = "Ballard Trivia",
        guild_id: int = GUILD_ID,
        guild_name: str = "Ballard Fans",
        general_channel_id: int = GENERAL_CHANNEL_ID,
        second_channel_id: int = SECOND_CHANNEL_ID,
        third_channel_id: int = THIRD_CHANNEL_ID,
        owner_id: int = OWNER_ID,
        admin_id: int = ADMIN_ID,
        member_id: int = MEMBER_ID,
        other_bot_id: int = OTHER_BOT_ID,
        admin_role_id: int = ADMIN_ROLE_ID,
        bot_role_id: int = BOT_ROLE_ID,
        bot_permissions: int = BOT_PERMISSIONS,
        heartbeat_interval_ms: int = 41250,
        shards: int = 1,
        interaction_deadline: float | None = 3.0,
        allowed_privileged_intents: int = PRIVILEGED_INTENTS,
        enforce_message_content: bool = True,
        full_member_list: bool = False,
        echo_bot_messages: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.application_id = application_id
        self.bot_user_id = application_id if bot_user_id is None else bot_user_id
        self.token = token or make_token(self.bot_user_id)
        self.guild_id = guild_id
        self.guild_name = guild_name
        self.general_channel_id = general_channel_id
        self.second_channel_id = second_channel_id
        self.third_channel_id = third_channel_id
        self.owner_id = owner_id
        self.admin_id = admin_id
        self.member_id = member_id
        self.other_bot_id = other_bot_id
        self.admin_role_id = admin_role_id
        self.bot_role_id = bot_role_id
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.shard_count = shards
        self.interaction_deadline = interaction_deadline
        # (status, code, message): refuse every interaction callback so, as a broken payload
        # would be (a test's way to make a command fail); None: judge each on its merits.
        self.refuse_callbacks: tuple[int, int, str] | None = None
        self.allowed_privileged_intents = allowed_privileged_intents
        self.enforce_message_content = enforce_message_content
        self.full_member_list = full_member_list
        self.echo_bot_messages = echo_bot_messages
        self.host = host
        self._requested_port = port
        self.port = 0

        self.users: dict[int, FakeUser] = {
            self.bot_user_id: FakeUser(self.bot_user_id, bot_name, bot=True),
            owner_id: FakeUser(owner_id, "harry_owner", global_name="Harry"),
            admin_id: FakeUser(admin_id, "renee_admin", global_name="Renée"),
            member_id: FakeUser(member_id, "plain_member", global_name="Member"),
            other_bot_id: FakeUser(other_bot_id, "Other Bot", bot=True),
        }
        self.roles: dict[int, FakeRole] = {
            guild_id: FakeRole(guild_id, "@everyone", EVERYONE_PERMISSIONS, 0),
            admin_role_id: FakeRole(
                admin_role_id, "Admin", EVERYONE_PERMISSIONS | PERM_MANAGE_GUILD, 3
            ),
            bot_role_id: FakeRole(
                bot_role_id, bot_name, bot_permissions, 2, managed=True, bot_id=self.bot_user_id
            ),
            OTHER_BOT_ROLE_ID: FakeRole(
                OTHER_BOT_ROLE_ID, "Other Bot", EVERYONE_PERMISSIONS, 1, True, other_bot_id
            ),
        }
        self.channels: dict[int, FakeChannel] = {
            CATEGORY_ID: FakeChannel(CATEGORY_ID, "Text Channels", CHANNEL_CATEGORY, 0),
            general_channel_id: FakeChannel(general_channel_id, "general", 0, 0, CATEGORY_ID),
            second_channel_id: FakeChannel(second_channel_id, "trivia", 0, 1, CATEGORY_ID),
            third_channel_id: FakeChannel(third_channel_id, "off-topic", 0, 2, CATEGORY_ID),
        }
        self.members: dict[int, FakeMember] = {
            self.bot_user_id: FakeMember(self.bot_user_id, [bot_role_id]),
            owner_id: FakeMember(owner_id),
            admin_id: FakeMember(admin_id, [admin_role_id]),
            member_id: FakeMember(member_id),
            other_bot_id: FakeMember(other_bot_id, [OTHER_BOT_ROLE_ID]),
        }
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id

        self.records: list[Recorded] = []
        self.gateway_log: list[GatewayFrame] = []
        self.identifies: list[GatewayFrame] = []
        self.resumes: list[GatewayFrame] = []
        self.presence_updates: list[JSON] = []
        self.errors: list[str] = []
        self.messages: dict[int, JSON] = {}
        self.global_commands: dict[int, JSON] = {}
        self.guild_commands: dict[int, dict[int, JSON]] = {}
        self.heartbeats = 0

        self._sessions: dict[str, _Session] = {}
        self._connections: list[_Connection] = []
        self._interactions: dict[int, _Interaction] = {}
        self._by_token: dict[str, _Interaction] = {}
        self._last_snowflake = 0
        self._backdated = itertools.count()
        self._conn_numbers = itertools.count(1)
        self._cond = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._routes = self._build_routes()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> Self:
        """Start listening on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_get("/gateway", self._handle_gateway)
        app.router.add_get("/gateway/resume", self._handle_gateway)
        app.router.add_route("*", "/{tail:.*}", self._handle_rest)
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._requested_port)
        await site.start()
        address = self._runner.addresses[0]
        self.port = int(address[1])
        return self

    async def stop(self) -> None:
        """Close every gateway connection and stop the server."""
        for conn in list(self._connections):
            if not conn.closed:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.ws.close(code=1001), 2.0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """The value for ``discord.http.Route.BASE`` / ``DISCORD_API_BASE``."""
        return f"{self.url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The gateway URL that ``GET /gateway/bot`` hands out."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """The ``resume_gateway_url`` given in READY (a distinct path, to prove it is used)."""
        return f"ws://{self.host}:{self.port}/gateway/resume"

    # ------------------------------------------------------------------ queries for tests

    @property
    def unknown_routes(self) -> list[Recorded]:
        """Requests to routes the stand-in does not implement (answered 404/405)."""
        return [item for item in self.records if not item.route]

    @property
    def rejected(self) -> list[Recorded]:
        """Requests to known routes that were answered with an error status."""
        return [item for item in self.records if item.route and item.status >= 400]

    @property
    def messages_sent(self) -> list[Recorded]:
        """Successful POST /channels/{id}/messages requests."""
        return self._successful("POST /channels/{channel_id}/messages")

    @property
    def callbacks(self) -> list[Recorded]:
        """Successful interaction callbacks."""
        return self._successful("POST /interactions/{interaction_id}/{token}/callback")

    @property
    def followups(self) -> list[Recorded]:
        """Successful follow-up messages (POST /webhooks/{app}/{token})."""
        return self._successful("POST /webhooks/{application_id}/{token}")

    def _successful(self, route: str) -> list[Recorded]:
        return [item for item in self.records if item.route == route and item.status < 300]

    def commands(self, guild_id: int | None = None) -> list[JSON]:
        """Registered commands: global ones, or those of ``guild_id``."""
        store = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, {})
        return [copy.deepcopy(cmd) for cmd in store.values()]

    def command(self, name: str, guild_id: int | None = None) -> JSON | None:
        """The registered chat-input command ``name`` (global or in ``guild_id``)."""
        return next((c for c in self.commands(guild_id) if c["name"] == name), None)

    def channel_messages(self, channel_id: int) -> list[JSON]:
        """Every message stored for a channel, oldest first."""
        return [m for m in self.messages.values() if m["channel_id"] == str(channel_id)]

    def assert_clean(self, *, allow_status: Iterable[int] = ()) -> None:
        """Fail if any unknown route was hit, a handler crashed, or a request was refused."""
        allowed = set(allow_status)
        problems = [f"unknown route: {r.method} {r.path}" for r in self.unknown_routes]
        problems += [f"stand-in error: {e}" for e in self.errors]
        problems += [
            f"refused {r.status}: {r.method} {r.path} -> {r.response}"
            for r in self.rejected
            if r.status not in allowed
        ]
        if problems:
            raise AssertionError("\n".join(problems))

    def permissions_of(self, user_id: int) -> int:
        """Guild-level permissions of a member (owner and Administrator get everything)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        if member is None:
            return 0
        value = self.roles[self.guild_id].permissions
        for role_id in member.roles:
            role = self.roles.get(role_id)
            if role is not None:
                value |= role.permissions
        return ALL_PERMISSIONS if value & PERM_ADMINISTRATOR else value

    def user_id(self, ref: int | str) -> int:
        """Resolve ``"owner"``, ``"admin"``, ``"member"``, ``"other_bot"``, ``"bot"`` or an id."""
        aliases = {
            "owner": self.owner_id,
            "admin": self.admin_id,
            "member": self.member_id,
            "other_bot": self.other_bot_id,
            "bot": self.bot_user_id,
        }
        value = aliases[ref] if isinstance(ref, str) and ref in aliases else int(ref)
        if value not in self.users:
            raise StandInError(f"unknown user {ref!r}")
        return value

    def add_member(
        self, user_id: int, username: str, *, roles: Sequence[int] = (), bot: bool = False
    ) -> FakeUser:
        """Add a user and make them a guild member (call before the bot connects)."""
        user = FakeUser(user_id, username, bot=bot)
        self.users[user_id] = user
        self.members[user_id] = FakeMember(user_id, list(roles))
        return user

    def dm_channel_id(self, user_id: int | str) -> int:
        """The id of the DM channel between the bot and a user (created on first use)."""
        uid = self.user_id(user_id)
        if uid not in self.dm_channels:
            self.dm_channels[uid] = self._snowflake()
        return self.dm_channels[uid]

    # ------------------------------------------------------------------ waiting

    async def _notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    async def _wait(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        found: list[T] = []

        def probe() -> bool:
            value = check()
            if value is None:
                return False
            found.append(value)
            return True

        async with self._cond:
            try:
                await asyncio.wait_for(self._cond.wait_for(probe), timeout)
            except TimeoutError:
                recent = [f"{r.status} {r.method} {r.path}" for r in self.records[-8:]]
                raise TimeoutError(
                    f"timed out after {timeout}s waiting for {what}; recent requests: {recent}; "
                    f"errors: {self.errors}"
                ) from None
        return found[0]

    async def wait_for(
        self,
        predicate: Callable[[Recorded], bool],
        timeout: float = 5.0,
        *,
        since: float | None = None,
    ) -> Recorded:
        """The first recorded request (at or after ``since``) matching ``predicate``."""

        def check() -> Recorded | None:
            for item in self.records:
                if (since is None or item.at >= since) and predicate(item):
                    return item
            return None

        return await self._wait(check, timeout, "a matching request")

    async def wait_until_identified(self, timeout: float = 10.0, *, count: int = 1) -> None:
        """Wait until ``count`` IDENTIFYs were answered with READY (and GUILD_CREATE)."""
        await self._wait(
            lambda: True if len(self.identifies) >= count else None, timeout, "IDENTIFY"
        )

    async def wait_until_resumed(self, timeout: float = 10.0, *, count: int = 1) -> None:
        """Wait until ``count`` RESUMEs were answered with RESUMED."""
        await self._wait(lambda: True if len(self.resumes) >= count else None, timeout, "RESUME")

    # ------------------------------------------------------------------ ids and payloads

    def _snowflake(self, age: float = 0.0) -> int:
        """A new id; ``age`` > 0 dates it that many seconds back (an interaction that waited
        in a queue somewhere), still unique."""
        now = int(time.time() * 1000) - DISCORD_EPOCH_MS
        if age > 0:  # bit 21 set: never one of the ids handed out at that time
            return ((now - int(age * 1000)) << 22) | 1 << 21 | next(self._backdated) % (1 << 21)
        value = max(now << 22, self._last_snowflake + 1)
        self._last_snowflake = value
        return value

    def _bot_user_payload(self) -> JSON:
        data = self.users[self.bot_user_id].payload()
        data.update(
            verified=True,
            mfa_enabled=False,
            flags=0,
            locale="en-US",
            email=None,
            banner=None,
            accent_color=None,
        )
        return data

    def _application_flags(self) -> int:
        flags = 1 << 23  # APPLICATION_COMMAND_BADGE
        if self.allowed_privileged_intents & INTENT_GUILD_PRESENCES:
            flags |= 1 << 13
        if self.allowed_privileged_intents & INTENT_GUILD_MEMBERS:
            flags |= 1 << 15
        if self.allowed_privileged_intents & INTENT_MESSAGE_CONTENT:
            flags |= 1 << 19
        return flags

    def _application_payload(self) -> JSON:
        return {
            "id": str(self.application_id),
            "name": self.users[self.bot_user_id].username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": secrets.token_hex(32),
            "flags": self._application_flags(),
            "owner": self.users[self.owner_id].payload(),
            "team": None,
            "bot": self.users[self.bot_user_id].payload(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "install_params": None,
            "integration_types_config": {"0": {}},
            "approximate_guild_count": 1,
            "tags": [],
        }

    def _member_payload(
        self, user_id: int, *, with_user: bool = True, permissions: bool = False
    ) -> JSON:
        member = self.members[user_id]
        data: JSON = {
            "roles": [str(r) for r in member.roles],
            "joined_at": member.joined_at,
            "nick": member.nick,
            "avatar": None,
            "banner": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.users[user_id].payload()
        if permissions:
            data["permissions"] = str(self.permissions_of(user_id))
        return data

    def _guild_payload(self, intents: int) -> JSON:
        everyone_sees = bool(intents & INTENT_GUILD_PRESENCES) or self.full_member_list
        listed = [uid for uid in self.members if everyone_sees or uid == self.bot_user_id]
        return {
            "id": str(self.guild_id),
            "name": self.guild_name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [role.payload() for role in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": str(self.general_channel_id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "application_id": None,
            "joined_at": self.members[self.bot_user_id].joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": [self._member_payload(uid) for uid in listed],
            "channels": [channel.payload() for channel in self.channels.values()],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "lazy": True,
        }

    def _dm_channel_payload(self, user_id: int) -> JSON:
        return {
            "id": str(self.dm_channel_id(user_id)),
            "type": CHANNEL_DM,
            "last_message_id": None,
            "flags": 0,
            "recipients": [self.users[user_id].payload()],
        }

    def _dm_recipient(self, channel_id: int) -> int | None:
        return next((uid for uid, cid in self.dm_channels.items() if cid == channel_id), None)

    def _channel_exists(self, channel_id: int) -> bool:
        known = self.channels.get(channel_id)
        return (known is not None and known.type == CHANNEL_TEXT) or (
            self._dm_recipient(channel_id) is not None
        )

    def _guild_shard(self, shard_count: int) -> int:
        return (self.guild_id >> 22) % shard_count

    # ------------------------------------------------------------------ messages

    def _mentions(
        self, content: str, allowed: JSON | None, reply_author: int | None
    ) -> tuple[list[int], list[int], bool]:
        """Users and roles a message mentions, filtered by ``allowed_mentions`` as Discord does."""
        parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse", []))
        allowed_users = {int(u) for u in (allowed or {}).get("users") or []}
        allowed_roles = {int(r) for r in (allowed or {}).get("roles") or []}
        users = [
            uid
            for uid in dict.fromkeys(int(m) for m in _USER_MENTION.findall(content))
            if uid in self.users and ("users" in parse or uid in allowed_users)
        ]
        roles = [
            rid
            for rid in dict.fromkeys(int(m) for m in _ROLE_MENTION.findall(content))
            if rid in self.roles and ("roles" in parse or rid in allowed_roles)
        ]
        replied = allowed is None or bool(allowed.get("replied_user", False))
        if reply_author is not None and replied and reply_author not in users:
            users.append(reply_author)
        everyone = "everyone" in parse and ("@everyone" in content or "@here" in content)
        return users, roles, everyone

    def _attachments(self, payload: JSON, files: list[tuple[str, int]]) -> list[JSON]:
        result: list[JSON] = []
        described = {
            str(a.get("id")): a for a in payload.get("attachments") or [] if isinstance(a, dict)
        }
        for index, (filename, size) in enumerate(files):
            meta = described.get(str(index), {})
            attachment_id = self._snowflake()
            name = meta.get("filename") or filename
            url = f"{self.url}/attachments/{attachment_id}/{name}"
            result.append(
                {
                    "id": str(attachment_id),
                    "filename": name,
                    "description": meta.get("description"),
                    "size": size,
                    "url": url,
                    "proxy_url": url,
                    "content_type": "application/octet-stream",
                }
            )
        return result

    def _build_message(
        self,
        *,
        channel_id: int,
        author_id: int,
        payload: JSON,
        files: list[tuple[str, int]] | None = None,
        kind: int = 0,
        flags: int = 0,
        webhook_id: int | None = None,
        interaction: _Interaction | None = None,
        mentions: Sequence[int] | None = None,
    ) -> JSON:
        """Create (and store) a message object from a send payload."""
        content = str(payload.get("content") or "")
        reference = payload.get("message_reference")
        referenced: JSON | None = None
        if isinstance(reference, dict) and reference.get("message_id") is not None:
            referenced = self.messages.get(int(reference["message_id"]))
            if referenced is None and reference.get("fail_if_not_exists", True):
                raise _invalid_form(
                    [(("message_reference",), "Unknown message (MESSAGE_REFERENCE_UNKNOWN)")]
                )
        reply_author = int(referenced["author"]["id"]) if referenced is not None else None
        if mentions is None:
            users, roles, everyone = self._mentions(
                content, payload.get("allowed_mentions"), reply_author
            )
        else:
            users, roles, everyone = list(mentions), [], False
        in_guild = channel_id in self.channels
        message: JSON = {
            "id": str(self._snowflake()),
            "type": kind,
            "channel_id": str(channel_id),
            "author": self.users[author_id].payload(),
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            "mention_everyone": everyone,
            "mentions": [self.users[u].payload() for u in users],
            "mention_roles": [str(r) for r in roles],
            "attachments": self._attachments(payload, files or []),
            "embeds": [{"type": "rich", **e} for e in payload.get("embeds") or []],
            "pinned": False,
            "flags": flags,
            "components": _number_components(list(payload.get("components") or [])),
        }
        if "nonce" in payload:
            message["nonce"] = payload["nonce"]
        if payload.get("poll") is not None:
            message["poll"] = payload["poll"]
        if webhook_id is not None:
            message["webhook_id"] = str(webhook_id)
            message["application_id"] = str(self.application_id)
        if referenced is not None:
            message["type"] = 19 if kind == 0 else kind
            message["message_reference"] = {
                "type": 0,
                "message_id": referenced["id"],
                "channel_id": referenced["channel_id"],
                **({"guild_id": str(self.guild_id)} if in_guild else {}),
            }
            message["referenced_message"] = {
                k: v for k, v in referenced.items() if k != "referenced_message"
            }
        if interaction is not None:
            self._add_interaction_metadata(message, interaction)
        self.messages[int(message["id"])] = message
        return message

    def _add_interaction_metadata(self, message: JSON, interaction: _Interaction) -> None:
        payload = interaction.payload
        user = payload.get("member", {}).get("user") or payload.get("user")
        metadata: JSON = {
            "id": payload["id"],
            "type": payload["type"],
            "user": user,
            "authorizing_integration_owners": payload["authorizing_integration_owners"],
        }
        if payload["type"] == INTERACTION_MESSAGE_COMPONENT:
            metadata["interacted_message_id"] = payload["message"]["id"]
        else:
            metadata["name"] = payload["data"]["name"]
            metadata["command_type"] = payload["data"].get("type", 1)
        message["interaction_metadata"] = metadata
        if payload["type"] != INTERACTION_MESSAGE_COMPONENT:
            message["interaction"] = {
                "id": payload["id"],
                "type": payload["type"],
                "name": payload["data"]["name"],
                "user": user,
            }

    def _edit_message(self, message: JSON, payload: JSON, files: list[tuple[str, int]]) -> JSON:
        """Apply a PATCH body to a stored message (partial update, as Discord does)."""
        _validate_message(payload, files=len(files), require_body=False)
        if "content" in payload:
            message["content"] = str(payload["content"] or "")
        if "embeds" in payload:
            message["embeds"] = [{"type": "rich", **e} for e in payload["embeds"] or []]
        if "components" in payload:
            message["components"] = _number_components(list(payload["components"] or []))
        if "attachments" in payload or files:
            kept_ids = {str(a.get("id")) for a in payload.get("attachments") or []}
            kept = [a for a in message["attachments"] if a["id"] in kept_ids]
            message["attachments"] = kept + self._attachments(payload, files)
        if "flags" in payload and payload["flags"] is not None:
            mutable = FLAG_SUPPRESS_EMBEDS | FLAG_IS_COMPONENTS_V2
            message["flags"] = (message["flags"] & ~mutable) | (int(payload["flags"]) & mutable)
        was_loading = bool(message["flags"] & FLAG_LOADING)
        message["flags"] &= ~FLAG_LOADING
        if not was_loading:
            message["edited_timestamp"] = _now_iso()
        if (
            not (message["content"] or message["embeds"] or message["components"])
            and not (message["attachments"])
        ):
            raise _ApiError(400, 50006, "Cannot send an empty message")
        return message

    def _gateway_message(self, message: JSON, session: _Session) -> JSON:
        """The MESSAGE_CREATE payload of a stored message, as this session may see it."""
        data = copy.deepcopy(message)
        channel_id = int(message["channel_id"])
        in_guild = channel_id in self.channels
        author_id = int(message["author"]["id"])
        if in_guild:
            data["guild_id"] = str(self.guild_id)
            if author_id in self.members and "webhook_id" not in message:
                data["member"] = self._member_payload(author_id, with_user=False)
            for mention in data["mentions"]:
                uid = int(mention["id"])
                if uid in self.members:
                    mention["member"] = self._member_payload(uid, with_user=False)
        mentioned = any(int(m["id"]) == self.bot_user_id for m in message["mentions"])
        private = not in_guild or mentioned or author_id == self.bot_user_id
        lacks_intent = not session.intents & INTENT_MESSAGE_CONTENT
        if self.enforce_message_content and lacks_intent and not private:
            data.update(content="", embeds=[], attachments=[], components=[])
            data.pop("poll", None)
        return data

    async def _dispatch_message(self, message: JSON) -> bool:
        """Send MESSAGE_CREATE to the session that should get it; False if filtered."""
        in_guild = int(message["channel_id"]) in self.channels
        session = self._session_for(guild=in_guild)
        needed = INTENT_GUILD_MESSAGES if in_guild else INTENT_DIRECT_MESSAGES
        if session is None or not session.intents & needed:
            return False
        await self._dispatch(session, "MESSAGE_CREATE", self._gateway_message(message, session))
        return True

    # ------------------------------------------------------------------ test-driven events

    async def send_message(
        self,
        content: str,
        *,
        channel_id: int | None = None,
        author: int | str = "member",
        mentions: Sequence[int | str] | None = None,
        guild: bool = True,
        reply_to: int | JSON | None = None,
        embeds: Sequence[JSON] = (),
    ) -> UserMessage:
        """Dispatch MESSAGE_CREATE from a user, in a guild channel or (``guild=False``) a DM.

        ``mentions`` defaults to the ``<@id>`` mentions found in ``content``. The message is not
        delivered (``UserMessage.delivered`` is False) if the bot lacks the intent for it.
        """
        author_id = self.user_id(author)
        if guild:
            target = self.general_channel_id if channel_id is None else channel_id
            if not self._channel_exists(target) or target not in self.channels:
                raise StandInError(f"unknown guild text channel {target}")
            if author_id not in self.members:
                raise StandInError(f"user {author_id} is not a member of the guild")
        else:
            target = self.dm_channel_id(author_id)
        mention_ids = None if mentions is None else [self.user_id(m) for m in mentions]
        payload: JSON = {"content": content, "embeds": list(embeds)}
        if reply_to is not None:
            ref_id = reply_to["id"] if isinstance(reply_to, dict) else reply_to
            payload["message_reference"] = {"message_id": str(ref_id)}
        try:
            message = self._build_message(
                channel_id=target, author_id=author_id, payload=payload, mentions=mention_ids
            )
        except _ApiError as exc:
            raise StandInError(exc.message) from exc
        at = time.monotonic()
        delivered = await self._dispatch_message(message)
        return UserMessage(self, message, delivered=delivered, at=at)

    def _find_command(self, name: str, *, guild: bool) -> JSON:
        if guild:
            for cmd in self.guild_commands.get(self.guild_id, {}).values():
                if cmd["name"] == name and cmd["type"] == 1:
                    return cmd
        context = 0 if guild else 1
        for cmd in self.global_commands.values():
            if cmd["name"] == name and cmd["type"] == 1:
                if context in (cmd.get("contexts") or [0, 1, 2]):
                    return cmd
                raise CommandNotAvailableError(f"/{name} is not available in this context")
        raise CommandNotAvailableError(
            f"/{name} is not registered (did the bot sync its commands?)"
        )

    def _check_visible(self, cmd: JSON, user_id: int) -> None:
        required = cmd.get("default_member_permissions")
        if required is None:
            return
        perms = self.permissions_of(user_id)
        needed = int(required)
        allowed = perms & PERM_ADMINISTRATOR if needed == 0 else perms & needed == needed
        if not allowed:
            raise CommandNotAvailableError(
                f"Discord hides /{cmd['name']} from user {user_id}: it needs permissions "
                f"{needed} (member has {perms}); pass bypass_permissions=True to send it anyway"
            )

    def _resolve_value(
        self, kind: int, value: Any, resolved: JSON, *, user_id: int, in_guild: bool
    ) -> str:
        """Fill ``resolved`` for a snowflake option and return its id as a string."""
        if kind == OPTION_CHANNEL:
            channel_id = int(value)
            if channel_id in self.channels:
                data = self.channels[channel_id].payload(self.guild_id)
            elif self._dm_recipient(channel_id) is not None:
                data = self._dm_channel_payload(self._dm_recipient(channel_id) or 0)
            else:
                raise StandInError(f"unknown channel {value!r}")
            data["permissions"] = str(self.permissions_of(user_id))
            resolved.setdefault("channels", {})[str(channel_id)] = data
            return str(channel_id)
        if kind == OPTION_ROLE or (kind == OPTION_MENTIONABLE and int(value) in self.roles):
            role = self.roles.get(int(value))
            if role is None:
                raise StandInError(f"unknown role {value!r}")
            resolved.setdefault("roles", {})[str(role.id)] = role.payload()
            return str(role.id)
        target = self.user_id(value)
        resolved.setdefault("users", {})[str(target)] = self.users[target].payload()
        if in_guild and target in self.members:
            member = self._member_payload(target, with_user=False, permissions=True)
            resolved.setdefault("members", {})[str(target)] = member
        return str(target)

    def _option_payload(
        self,
        spec: JSON,
        value: Any,
        resolved: JSON,
        *,
        focused: bool,
        user_id: int,
        in_guild: bool,
    ) -> JSON:
        kind = int(spec["type"])
        name = spec["name"]
        option: JSON = {"name": name, "type": kind}
        if focused:
            option.update(value=str(value), focused=True)
            if not spec.get("autocomplete"):
                raise StandInError(f"option {name!r} does not have autocomplete enabled")
            return option
        if kind in _SNOWFLAKE_OPTIONS:
            option["value"] = self._resolve_value(
                kind, value, resolved, user_id=user_id, in_guild=in_guild
            )
            types = spec.get("channel_types")
            if kind == OPTION_CHANNEL and types:
                channel = resolved["channels"][option["value"]]
                if channel["type"] not in types:
                    raise StandInError(f"channel {value} is not of a type {types} for {name!r}")
            return option
        checks: dict[int, Callable[[Any], bool]] = {
            OPTION_STRING: lambda v: isinstance(v, str),
            OPTION_INTEGER: lambda v: isinstance(v, int) and not isinstance(v, bool),
            OPTION_BOOLEAN: lambda v: isinstance(v, bool),
            OPTION_NUMBER: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        }
        if kind not in checks:
            raise StandInError(f"option type {kind} of {name!r} is not supported by the stand-in")
        if not checks[kind](value):
            raise StandInError(f"option {name!r} (type {kind}) cannot take {value!r}")
        choices = spec.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise StandInError(f"{value!r} is not one of the choices of {name!r}")
        low, high = spec.get("min_value"), spec.get("max_value")
        if kind in (OPTION_INTEGER, OPTION_NUMBER) and (
            (low is not None and value < low) or (high is not None and value > high)
        ):
            raise StandInError(f"{value!r} is out of range for {name!r}")
        if kind == OPTION_STRING and not (
            spec.get("min_length", 0) <= len(value) <= spec.get("max_length", 6000)
        ):
            raise StandInError(f"{value!r} has the wrong length for {name!r}")
        option["value"] = value
        return option

    def _command_options(
        self,
        cmd: JSON,
        path: Sequence[str],
        values: Mapping[str, Any],
        *,
        focused: str | None,
        user_id: int,
        in_guild: bool,
    ) -> tuple[list[JSON], JSON]:
        resolved: JSON = {}
        schema: list[JSON] = list(cmd.get("options") or [])
        wrappers: list[JSON] = []
        for part in path:
            spec = next(
                (
                    o
                    for o in schema
                    if o["name"] == part
                    and o["type"] in (OPTION_SUB_COMMAND, OPTION_SUB_COMMAND_GROUP)
                ),
                None,
            )
            if spec is None:
                raise StandInError(f"/{cmd['name']} has no subcommand (group) {part!r}")
            wrappers.append(spec)
            schema = list(spec.get("options") or [])
        if any(o["type"] in (OPTION_SUB_COMMAND, OPTION_SUB_COMMAND_GROUP) for o in schema):
            raise StandInError(f"/{cmd['name']} {' '.join(path)} needs a subcommand")
        leaf: list[JSON] = []
        for name, value in values.items():
            spec = next((o for o in schema if o["name"] == name), None)
            if spec is None:
                raise StandInError(f"unknown option {name!r} for /{cmd['name']} {' '.join(path)}")
            leaf.append(
                self._option_payload(
                    spec,
                    value,
                    resolved,
                    focused=name == focused,
                    user_id=user_id,
                    in_guild=in_guild,
                )
            )
        if focused is None:
            missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
            if missing:
                raise StandInError(f"missing required options {missing}")
        elif focused not in values:
            raise StandInError(f"focused option {focused!r} has no value")
        options = leaf
        for wrapper in reversed(wrappers):
            options = [{"name": wrapper["name"], "type": wrapper["type"], "options": options}]
        return options, resolved

    def _raw_resolved(self, options: list[JSON], user_id: int, in_guild: bool) -> JSON:
        resolved: JSON = {}
        for option in options:
            if option.get("type") in (OPTION_SUB_COMMAND, OPTION_SUB_COMMAND_GROUP):
                nested = self._raw_resolved(option.get("options") or [], user_id, in_guild)
                for key, items in nested.items():
                    resolved.setdefault(key, {}).update(items)
            elif option.get("type") in _SNOWFLAKE_OPTIONS and not option.get("focused"):
                self._resolve_value(
                    option["type"], option["value"], resolved, user_id=user_id, in_guild=in_guild
                )
        return resolved

    def _interaction_base(
        self,
        kind: int,
        *,
        user_id: int,
        channel_id: int | None,
        guild: bool,
        locale: str,
        age: float = 0.0,
    ) -> tuple[JSON, int]:
        interaction_id = self._snowflake(age)
        secret = secrets.token_urlsafe(48)
        stamp = base64.urlsafe_b64encode(f"interaction:{interaction_id}:".encode()).decode()
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "token": stamp.rstrip("=") + secret,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild:
            target = self.general_channel_id if channel_id is None else channel_id
            if target not in self.channels or self.channels[target].type != CHANNEL_TEXT:
                raise StandInError(f"unknown guild text channel {target}")
            if user_id not in self.members:
                raise StandInError(f"user {user_id} is not a member of the guild")
            channel = self.channels[target].payload(self.guild_id)
            payload.update(
                guild_id=str(self.guild_id),
                guild={"id": str(self.guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=self._member_payload(user_id, permissions=True),
                app_permissions=str(self.permissions_of(self.bot_user_id)),
                authorizing_integration_owners={"0": str(self.guild_id)},
                context=0,
            )
        else:
            target = self.dm_channel_id(user_id)
            channel = self._dm_channel_payload(user_id)
            payload.update(
                user=self.users[user_id].payload(),
                app_permissions=str(BOT_PERMISSIONS),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        payload.update(channel=channel, channel_id=str(target))
        return payload, target

    async def _dispatch_interaction(
        self, payload: JSON, channel_id: int, age: float = 0.0
    ) -> InteractionResult:
        session = self._session_for(guild="guild_id" in payload)
        if session is None:
            raise StandInError("the bot is not connected to the gateway")
        result = InteractionResult(self, payload)
        state = _Interaction(payload, time.monotonic() - age, result, channel_id)
        self._interactions[result.id] = state
        self._by_token[result.token] = state
        await self._dispatch(session, "INTERACTION_CREATE", payload)
        return result

    async def send_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None = None,
        *,
        member: int | str = "member",
        channel_id: int | None = None,
        guild: bool = True,
        bypass_permissions: bool = False,
        locale: str = "en-US",
        age: float = 0.0,
    ) -> InteractionResult:
        """Dispatch a chat-input command interaction.

        ``name`` may include subcommands (``"trivia listen channel"``); ``options`` is a mapping
        of option name to value (typed and resolved from the registered schema: channels, users
        and roles by id or user alias) or a raw list of option payloads. Raises
        ``CommandNotAvailableError`` for an unregistered command, or one Discord would hide from
        this member (``default_member_permissions``) unless ``bypass_permissions``. ``age``
        dispatches it that many seconds after Discord created it (its id and deadline say so),
        as when it waited in a queue.
        """
        return await self._command_interaction(
            INTERACTION_APPLICATION_COMMAND,
            name,
            options,
            focused=None,
            member=member,
            channel_id=channel_id,
            guild=guild,
            bypass_permissions=bypass_permissions,
            locale=locale,
            age=age,
        )

    async def send_autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON],
        *,
        focused: str | None = None,
        member: int | str = "member",
        channel_id: int | None = None,
        guild: bool = True,
        bypass_permissions: bool = False,
        locale: str = "en-US",
    ) -> InteractionResult:
        """Dispatch an autocomplete interaction; ``focused`` names the option being typed.

        With a raw option list, mark the focused option with ``"focused": True`` yourself.
        """
        if focused is None and isinstance(options, Mapping):
            raise StandInError("send_autocomplete needs focused= with a mapping of options")
        return await self._command_interaction(
            INTERACTION_AUTOCOMPLETE,
            name,
            options,
            focused=focused,
            member=member,
            channel_id=channel_id,
            guild=guild,
            bypass_permissions=bypass_permissions,
            locale=locale,
        )

    async def _command_interaction(
        self,
        kind: int,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None,
        *,
        focused: str | None,
        member: int | str,
        channel_id: int | None,
        guild: bool,
        bypass_permissions: bool,
        locale: str,
        age: float = 0.0,
    ) -> InteractionResult:
        user_id = self.user_id(member)
        command_name, *path = name.split()
        cmd = self._find_command(command_name, guild=guild)
        if guild and not bypass_permissions:
            self._check_visible(cmd, user_id)
        payload, target = self._interaction_base(
            kind, user_id=user_id, channel_id=channel_id, guild=guild, locale=locale, age=age
        )
        if options is None or isinstance(options, Mapping):
            built, resolved = self._command_options(
                cmd,
                path,
                dict(options or {}),
                focused=focused,
                user_id=user_id,
                in_guild=guild,
            )
        else:
            if path:
                raise StandInError("give either subcommands in the name or raw options, not both")
            built = [copy.deepcopy(dict(o)) for o in options]
            resolved = self._raw_resolved(built, user_id, guild)
        data: JSON = {"id": cmd["id"], "name": cmd["name"], "type": cmd["type"]}
        if built:
            data["options"] = built
        if resolved:
            data["resolved"] = resolved
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        payload["data"] = data
        return await self._dispatch_interaction(payload, target, age)

    def _component_target(self, message: JSON | int | str, custom_id: str) -> tuple[JSON, JSON]:
        message_id = int(message["id"]) if isinstance(message, dict) else int(message)
        stored = self.messages.get(message_id)
        if stored is None:
            raise StandInError(f"unknown message {message_id}")
        component = next(
            (c for c in _walk_components(stored["components"]) if c.get("custom_id") == custom_id),
            None,
        )
        if component is None:
            raise StandInError(f"message {message_id} has no component {custom_id!r}")
        if component.get("disabled"):
            raise StandInError(f"component {custom_id!r} is disabled")
        return stored, component

    async def click_button(
        self,
        message: JSON | int | str,
        custom_id: str,
        *,
        member: int | str = "member",
        locale: str = "en-US",
    ) -> InteractionResult:
        """Dispatch a button click on a stored message (the whole message rides along)."""
        stored, component = self._component_target(message, custom_id)
        if component.get("type") != COMPONENT_BUTTON:
            raise StandInError(f"{custom_id!r} is not a button")
        return await self._component_interaction(stored, component, None, member, locale)

    async def click_forged_button(
        self, message: JSON | int | str, custom_id: str, *, member: int | str = "member"
    ) -> InteractionResult:
        """A forged click: a custom id the bot never sent, on a message whose copy riding
        along with the interaction was forged to hold it too."""
        stored, _ = self._component_target(message, _first_custom_id(message, self))
        forged: JSON = {"type": COMPONENT_BUTTON, "custom_id": custom_id, "style": 2, "label": "x"}
        message_copy = copy.deepcopy(stored)
        message_copy["components"].append({"type": 1, "components": [forged]})
        return await self._component_interaction(message_copy, forged, None, member, "en-US")

    async def choose_select(
        self,
        message: JSON | int | str,
        custom_id: str,
        values: Sequence[Any],
        *,
        member: int | str = "member",
        locale: str = "en-US",
    ) -> InteractionResult:
        """Dispatch a select-menu choice (string, user, role or channel select)."""
        stored, component = self._component_target(message, custom_id)
        if component.get("type") not in SELECT_TYPES:
            raise StandInError(f"{custom_id!r} is not a select menu")
        return await self._component_interaction(stored, component, list(values), member, locale)

    async def _component_interaction(
        self,
        stored: JSON,
        component: JSON,
        values: list[Any] | None,
        member: int | str,
        locale: str,
    ) -> InteractionResult:
        user_id = self.user_id(member)
        channel_id = int(stored["channel_id"])
        in_guild = channel_id in self.channels
        if stored["flags"] & FLAG_EPHEMERAL:
            owner = (stored.get("interaction_metadata") or {}).get("user") or {}
            if owner and int(owner["id"]) != user_id:
                raise StandInError("only the invoking user can see an ephemeral message")
        if not in_guild and self._dm_recipient(channel_id) != user_id:
            raise StandInError("only the DM recipient can click components in a DM")
        payload, target = self._interaction_base(
            INTERACTION_MESSAGE_COMPONENT,
            user_id=user_id,
            channel_id=channel_id if in_guild else None,
            guild=in_guild,
            locale=locale,
        )
        data: JSON = {"custom_id": component["custom_id"], "component_type": component["type"]}
        if isinstance(component.get("id"), int):
            data["id"] = component["id"]
        if values is not None:
            data["values"] = [str(v) for v in values]
            kinds = {
                COMPONENT_USER_SELECT: OPTION_USER,
                COMPONENT_ROLE_SELECT: OPTION_ROLE,
                COMPONENT_MENTIONABLE_SELECT: OPTION_MENTIONABLE,
                COMPONENT_CHANNEL_SELECT: OPTION_CHANNEL,
            }
            if component["type"] in kinds:
                resolved: JSON = {}
                data["values"] = [
                    self._resolve_value(
                        kinds[component["type"]], v, resolved, user_id=user_id, in_guild=in_guild
                    )
                    for v in values
                ]
                data["resolved"] = resolved
            else:
                allowed = {o["value"] for o in component.get("options") or []}
                if not set(data["values"]) <= allowed:
                    raise StandInError(f"{values} are not options of {component['custom_id']!r}")
        payload["data"] = data
        payload["message"] = copy.deepcopy(stored)
        return await self._dispatch_interaction(payload, target)

    # ------------------------------------------------------------------ gateway

    def _session_for(self, *, guild: bool) -> _Session | None:
        """The live session that receives guild (or DM) events."""
        for session in reversed(list(self._sessions.values())):
            if session.invalid:
                continue
            shard_id, count = session.shard
            wanted = self._guild_shard(count) if guild else 0
            if shard_id == wanted:
                return session
        return None

    async def _send_frame(self, conn: _Connection, payload: JSON) -> bool:
        sent = await conn.send(payload)
        self.gateway_log.append(
            GatewayFrame(
                "out",
                payload.get("op"),
                payload.get("t"),
                payload.get("s"),
                payload.get("d"),
                time.monotonic(),
                conn.number,
                conn.path,
            )
        )
        return sent

    async def _dispatch(self, session: _Session, event: str, data: Any) -> None:
        session.seq += 1
        frame: JSON = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        conn = session.conn
        if conn is not None and not conn.closed:
            await self._send_frame(conn, frame)

    async def _close(self, conn: _Connection, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.ws.close(code=code, message=reason.encode()), 5.0)

    async def _handle_gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=1 << 20)
        await ws.prepare(request)
        query = request.query
        conn = _Connection(
            next(self._conn_numbers), ws, query.get("compress") == "zlib-stream", request.path
        )
        self._connections.append(conn)
        if query.get("v", "10") != "10":
            await self._close(conn, 4012, "Invalid API version")
            return ws
        if query.get("encoding", "json") != "json":
            await self._close(conn, 4002, "The stand-in only speaks JSON")
            return ws
        hello = {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["standin-gw"]}
        await self._send_frame(conn, {"op": 10, "d": hello, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_gateway_text(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    await self._close(conn, 4002, "Binary frames are not accepted")
        except Exception:
            self.errors.append(traceback.format_exc())
            await self._close(conn, 4000, "stand-in error")
        finally:
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
            await self._notify()
        return ws

    async def _on_gateway_text(self, conn: _Connection, raw: str) -> None:
        try:
            frame = json.loads(raw)
            op = frame["op"]
        except (ValueError, KeyError, TypeError):
            await self._close(conn, 4002, "Decode error")
            return
        record = GatewayFrame(
            "in", op, None, None, frame.get("d"), time.monotonic(), conn.number, conn.path
        )
        self.gateway_log.append(record)
        if op == 1:
            self.heartbeats += 1
            await self._send_frame(conn, {"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, frame.get("d") or {}, record)
        elif op == 6:
            await self._resume(conn, frame.get("d") or {}, record)
        elif conn.session is None:
            await self._close(conn, 4003, "Not authenticated")
        elif op == 3:
            self.presence_updates.append(frame.get("d") or {})
        elif op == 8:
            await self._request_members(conn.session, frame.get("d") or {})
        elif op != 4:
            await self._close(conn, 4001, "Unknown opcode")

    async def _identify(self, conn: _Connection, data: JSON, record: GatewayFrame) -> None:
        if conn.session is not None:
            await self._close(conn, 4005, "Already authenticated")
            return
        if data.get("token") != self.token:
            await self._close(conn, 4004, "Authentication failed")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents & ~ALL_INTENTS:
            await self._close(conn, 4013, "Invalid intent(s)")
            return
        if intents & PRIVILEGED_INTENTS & ~self.allowed_privileged_intents:
            await self._close(conn, 4014, "Disallowed intent(s)")
            return
        shard = data.get("shard")
        if shard is not None:
            shard_id, count = int(shard[0]), int(shard[1])
            if count < 1 or not 0 <= shard_id < count:
                await self._close(conn, 4010, "Invalid shard")
                return
        else:
            shard_id, count = 0, 1
        session = _Session(secrets.token_hex(16), (shard_id, count), shard is not None, intents)
        session.conn = conn
        conn.session = session
        self._sessions[session.session_id] = session
        on_shard = self._guild_shard(count) == shard_id
        ready: JSON = {
            "v": 10,
            "user": self._bot_user_payload(),
            "guilds": [{"id": str(self.guild_id), "unavailable": True}] if on_shard else [],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": self._application_flags()},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": ["us-east"],
            "_trace": ["standin-session"],
        }
        if shard is not None:
            ready["shard"] = [shard_id, count]
        await self._dispatch(session, "READY", ready)
        if on_shard and intents & INTENT_GUILDS:
            await self._dispatch(session, "GUILD_CREATE", self._guild_payload(intents))
        self.identifies.append(record)
        await self._notify()

    async def _resume(self, conn: _Connection, data: JSON, record: GatewayFrame) -> None:
        session = self._sessions.get(str(data.get("session_id")))
        if session is None or session.invalid or data.get("token") != self.token:
            await self._send_frame(conn, {"op": 9, "d": False, "s": None, "t": None})
            return
        old = session.conn
        session.conn = conn
        conn.session = session
        if old is not None and old is not conn and not old.closed:
            old.session = None
            await self._close(old, 4000, "Session resumed elsewhere")
        last = int(data.get("seq") or 0)
        for frame in list(session.events):
            if frame["s"] > last:
                await self._send_frame(conn, frame)
        await self._dispatch(session, "RESUMED", {"_trace": ["standin-resume"]})
        self.resumes.append(record)
        await self._notify()

    async def _request_members(self, session: _Session, data: JSON) -> None:
        if str(data.get("guild_id")) != str(self.guild_id):
            return
        wanted = {int(u) for u in data.get("user_ids") or []}
        query = str(data.get("query") or "").lower()
        limit = int(data.get("limit") or 0) or len(self.members)
        chosen = [
            uid
            for uid in self.members
            if (uid in wanted if wanted else self.users[uid].username.lower().startswith(query))
        ][:limit]
        chunk: JSON = {
            "guild_id": str(self.guild_id),
            "members": [self._member_payload(uid) for uid in chosen],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(u) for u in wanted - set(self.members)],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self._dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def drop_connection(self, *, resumable: bool = True, code: int = 4000) -> None:
        """Drop every live gateway connection.

        Resumable: close with ``code`` (4000 by default), so discord.py RESUMEs at
        ``resume_gateway_url``. Not resumable: send INVALID_SESSION (false), so it IDENTIFYs anew.
        """
        live = [s for s in self._sessions.values() if s.conn is not None and not s.conn.closed]
        if not live:
            raise StandInError("no live gateway connection to drop")
        for session in live:
            conn = session.conn
            assert conn is not None
            if resumable:
                await self._close(conn, code, "stand-in dropped the connection")
            else:
                session.invalid = True
                await self._send_frame(conn, {"op": 9, "d": False, "s": None, "t": None})

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT on every live connection (the client should RESUME)."""
        for session in self._sessions.values():
            if session.conn is not None and not session.conn.closed:
                await self._send_frame(session.conn, {"op": 7, "d": None, "s": None, "t": None})

    # ------------------------------------------------------------------ REST plumbing

    def _build_routes(self) -> list[tuple[str, str, re.Pattern[str], Handler, bool]]:
        app = "/applications/{application_id}"
        cmd = app + "/commands/{command_id}"
        gcmds = app + "/guilds/{guild_id}/commands"
        gcmd = gcmds + "/{command_id}"
        hook = "/webhooks/{application_id}/{token}"
        hook_msg = hook + "/messages/{message_id}"
        chan = "/channels/{channel_id}"
        msg = chan + "/messages/{message_id}"
        reaction = msg + "/reactions/{emoji}/@me"
        guild = "/guilds/{guild_id}"
        table: list[tuple[str, str, Handler | None, bool]] = [
            ("GET", "/users/@me", self._get_me, True),
            ("GET", "/users/@me/guilds", self._get_my_guilds, True),
            ("POST", "/users/@me/channels", self._create_dm, True),
            ("GET", "/users/{user_id}", self._get_user, True),
            ("GET", "/gateway", self._get_gateway, False),
            ("GET", "/gateway/bot", self._get_gateway_bot, True),
            ("GET", "/oauth2/applications/@me", self._get_application, True),
            ("GET", "/applications/@me", self._get_application, True),
            ("GET", app + "/commands", self._get_commands, True),
            ("PUT", app + "/commands", self._put_commands, True),
            ("POST", app + "/commands", self._post_command, True),
            ("GET", cmd, self._get_cmd, True),
            ("PATCH", cmd, self._patch, True),
            ("DELETE", cmd, self._del, True),
            ("GET", gcmds, self._get_commands, True),
            ("PUT", gcmds, self._put_commands, True),
            ("POST", gcmds, self._post_command, True),
            ("GET", gcmd, self._get_cmd, True),
            ("PATCH", gcmd, self._patch, True),
            ("DELETE", gcmd, self._del, True),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._callback, False),
            ("POST", hook, self._post_followup, False),
            ("GET", hook_msg, self._wh_get, False),
            ("PATCH", hook_msg, self._wh_edit, False),
            ("DELETE", hook_msg, self._wh_del, False),
            ("GET", chan, self._get_channel, True),
            ("GET", chan + "/messages", self._get_messages, True),
            ("POST", chan + "/messages", self._post_message, True),
            ("POST", chan + "/typing", self._typing, True),
            ("GET", msg, self._get_message, True),
            ("PATCH", msg, self._patch_message, True),
            ("DELETE", msg, self._delete_message, True),
            ("PUT", reaction, self._react, True),
            ("DELETE", reaction, self._react, True),
            ("GET", guild, self._get_guild, True),
            ("GET", guild + "/channels", self._get_guild_channels, True),
            ("GET", guild + "/roles", self._get_roles, True),
            ("GET", guild + "/members/{user_id}", self._get_member, True),
        ]
        routes = []
        for method, template, handler, auth in table:
            pattern = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
            pattern = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", pattern)
            assert handler is not None
            routes.append((method, template, re.compile(f"^{pattern}$"), handler, auth))
        return routes

    async def _read_body(self, request: web.Request) -> tuple[Any, list[tuple[str, int]]]:
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            body: Any = None
            files: list[tuple[str, int]] = []
            for key, value in form.items():
                data = value.file.read() if isinstance(value, web.FileField) else value
                if key == "payload_json":
                    body = json.loads(data)
                elif isinstance(value, web.FileField):
                    files.append((value.filename, len(data)))
            return body, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            return raw.decode(errors="replace"), []

    async def _handle_rest(self, request: web.Request) -> web.StreamResponse:
        at = time.monotonic()
        query = dict(request.query)
        body, files = await self._read_body(request)
        path = request.path
        relative = path[len(API_PREFIX) :] if path.startswith(API_PREFIX + "/") else None
        found: tuple[str, Handler, dict[str, str], bool] | None = None
        method_mismatch = False
        for method, template, pattern, handler, auth in self._routes:
            match = pattern.match(relative) if relative is not None else None
            if match is None:
                continue
            if method != request.method:
                method_mismatch = True
                continue
            found = (f"{method} {template}", handler, match.groupdict(), auth)
            break
        route = ""
        message: JSON | None = None
        if found is None:
            status = 405 if method_mismatch else 404
            reply_body: Any = {"message": f"{status}: Not Found", "code": 0}
        else:
            route, handler, params, auth = found
            try:
                if auth and request.headers.get("Authorization") != f"Bot {self.token}":
                    raise _ApiError(401, 0, "401: Unauthorized")
                reply = await handler(_Call(request.method, params, query, body, files))
                status, reply_body, message = reply.status, reply.body, reply.message
            except _ApiError as exc:
                status, reply_body = exc.status, exc.body()
            except Exception:
                self.errors.append(traceback.format_exc())
                status = 400
                reply_body = {"message": "stand-in error (see .errors)", "code": 0}
        self.records.append(
            Recorded(
                method=request.method,
                path=path[len(API_PREFIX) :] if relative is not None else path,
                query=query,
                json=body,
                at=at,
                route=route,
                params=found[2] if found else {},
                status=204 if reply_body is None and status < 300 else status,
                response=reply_body,
                files=tuple(name for name, _ in files),
                message=copy.deepcopy(message),
            )
        )
        self._after_record(self.records[-1])
        await self._notify()
        return _json_response(status, reply_body)

    def _after_record(self, item: Recorded) -> None:
        """Attach callbacks, follow-ups, edits and refusals to their InteractionResult."""
        if item.route.startswith("POST /interactions/"):
            state = self._interactions.get(int(item.params["interaction_id"]))
            if state is None:
                return
            if item.status >= 300:
                state.result.rejected.append(item)
            elif state.result.callback is None:
                body = item.json if isinstance(item.json, dict) else {}
                state.result.callback = Callback(
                    int(body.get("type", 0)), dict(body.get("data") or {}), item.message, item
                )
        elif item.route.startswith(("POST /webhooks/", "PATCH /webhooks/")):
            state = self._by_token.get(item.params["token"])
            if state is None:
                return
            if item.status >= 300:
                state.result.rejected.append(item)
            elif item.method == "POST":
                state.result.followups.append(item)
            elif item.params.get("message_id") in ("@original", str(state.original_message_id)):
                state.result.edits.append(item)

    # ------------------------------------------------------------------ REST handlers

    async def _get_me(self, call: _Call) -> _Reply:
        return _Reply(body=self._bot_user_payload())

    async def _get_my_guilds(self, call: _Call) -> _Reply:
        guild: JSON = {
            "id": str(self.guild_id),
            "name": self.guild_name,
            "icon": None,
            "owner": False,
            "permissions": str(self.permissions_of(self.bot_user_id)),
            "features": [],
        }
        return _Reply(body=[guild])

    async def _get_user(self, call: _Call) -> _Reply:
        user = self.users.get(int(call.params["user_id"]))
        if user is None:
            raise _ApiError(404, 10013, "Unknown User")
        return _Reply(body=user.payload())

    async def _create_dm(self, call: _Call) -> _Reply:
        recipient = int((call.json or {}).get("recipient_id") or 0)
        if recipient not in self.users or recipient == self.bot_user_id:
            raise _invalid_form([(("recipient_id",), "Unknown user")])
        return _Reply(body=self._dm_channel_payload(recipient))

    async def _get_gateway(self, call: _Call) -> _Reply:
        return _Reply(body={"url": self.gateway_url})

    async def _get_gateway_bot(self, call: _Call) -> _Reply:
        limit = {
            "total": 1000,
            "remaining": 1000 - len(self.identifies),
            "reset_after": 86_400_000,
            "max_concurrency": 1,
        }
        body = {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit}
        return _Reply(body=body)

    async def _get_application(self, call: _Call) -> _Reply:
        return _Reply(body=self._application_payload())

    def _command_store(self, call: _Call) -> dict[int, JSON]:
        if int(call.params["application_id"]) != self.application_id:
            raise _ApiError(403, 50001, "Missing Access")
        if "guild_id" not in call.params:
            return self.global_commands
        guild_id = int(call.params["guild_id"])
        if guild_id != self.guild_id:
            raise _ApiError(403, 50001, "Missing Access")
        return self.guild_commands.setdefault(guild_id, {})

    def _normalize_command(self, raw: JSON, guild_id: int | None, previous: JSON | None) -> JSON:
        kind = int(raw.get("type") or 1)
        permissions = raw.get("default_member_permissions")
        contexts = raw.get("contexts")
        if contexts is None and guild_id is None:
            contexts = [0] if raw.get("dm_permission") is False else [0, 1, 2]
        command: JSON = {
            "id": previous["id"] if previous else str(self._snowflake()),
            "application_id": str(self.application_id),
            "version": str(self._snowflake()),
            "default_member_permissions": None if permissions is None else str(int(permissions)),
            "type": kind,
            "name": raw["name"],
            "name_localizations": raw.get("name_localizations"),
            "description": raw.get("description") or "",
            "description_localizations": raw.get("description_localizations"),
            "dm_permission": raw.get("dm_permission", True) is not False,
            "contexts": contexts,
            "integration_types": raw.get("integration_types") or [0],
            "nsfw": bool(raw.get("nsfw", False)),
        }
        if raw.get("options"):
            command["options"] = copy.deepcopy(raw["options"])
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        return command

    async def _get_commands(self, call: _Call) -> _Reply:
        return _Reply(body=[copy.deepcopy(c) for c in self._command_store(call).values()])

    async def _put_commands(self, call: _Call) -> _Reply:
        store = self._command_store(call)
        body = call.json
        if not isinstance(body, list):
            raise _invalid_form([((), "Must be an array.")])
        problems: list[Problem] = []
        names: set[tuple[str, int]] = set()
        for index, raw in enumerate(body):
            _validate_command(raw, (str(index),), problems)
            if isinstance(raw, dict):
                key = (str(raw.get("name")), int(raw.get("type") or 1))
                if key in names:
                    problems.append(
                        ((str(index), "name"), "Application command names must be unique")
                    )
                names.add(key)
        if sum(1 for raw in body if isinstance(raw, dict) and int(raw.get("type") or 1) == 1) > 100:
            problems.append(((), "Maximum number of application commands reached (100)."))
        if problems:
            raise _invalid_form(problems)
        guild_id = int(call.params["guild_id"]) if "guild_id" in call.params else None
        by_key = {(c["name"], c["type"]): c for c in store.values()}
        fresh = [
            self._normalize_command(
                raw, guild_id, by_key.get((raw["name"], int(raw.get("type") or 1)))
            )
            for raw in body
        ]
        store.clear()
        store.update({int(c["id"]): c for c in fresh})
        return _Reply(body=copy.deepcopy(fresh))

    async def _post_command(self, call: _Call) -> _Reply:
        store = self._command_store(call)
        problems: list[Problem] = []
        _validate_command(call.json, (), problems)
        if problems:
            raise _invalid_form(problems)
        raw = call.json
        guild_id = int(call.params["guild_id"]) if "guild_id" in call.params else None
        kind = int(raw.get("type") or 1)
        previous = next(
            (c for c in store.values() if c["name"] == raw["name"] and c["type"] == kind), None
        )
        command = self._normalize_command(raw, guild_id, previous)
        store[int(command["id"])] = command
        return _Reply(status=200 if previous else 201, body=copy.deepcopy(command))

    def _stored_command(self, call: _Call) -> tuple[dict[int, JSON], JSON]:
        store = self._command_store(call)
        command = store.get(int(call.params["command_id"]))
        if command is None:
            raise _ApiError(404, 10063, "Unknown application command")
        return store, command

    async def _get_cmd(self, call: _Call) -> _Reply:
        return _Reply(body=copy.deepcopy(self._stored_command(call)[1]))

    async def _patch(self, call: _Call) -> _Reply:
        store, command = self._stored_command(call)
        merged = {**command, **(call.json or {})}
        problems: list[Problem] = []
        _validate_command(merged, (), problems)
        if problems:
            raise _invalid_form(problems)
        guild_id = int(call.params["guild_id"]) if "guild_id" in call.params else None
        updated = self._normalize_command(merged, guild_id, command)
        store[int(updated["id"])] = updated
        return _Reply(body=copy.deepcopy(updated))

    async def _del(self, call: _Call) -> _Reply:
        store, command = self._stored_command(call)
        del store[int(command["id"])]
        return _Reply(status=204)

    # interactions ---------------------------------------------------------------

    def _interaction_by_token(self, call: _Call, code: int, text: str) -> _Interaction:
        state = self._by_token.get(call.params["token"])
        app_id = call.params.get("application_id")
        if state is None or (app_id is not None and int(app_id) != self.application_id):
            raise _ApiError(404, code, text)
        return state

    async def _callback(self, call: _Call) -> _Reply:
        state = self._interactions.get(int(call.params["interaction_id"]))
        if state is None or state.result.token != call.params["token"]:
            raise _ApiError(404, 10062, "Unknown interaction")
        age = time.monotonic() - state.created
        if self.interaction_deadline is not None and age > self.interaction_deadline:
            raise _ApiError(404, 10062, "Unknown interaction")
        if state.acked is not None:
            raise _ApiError(400, 40060, "Interaction has already been acknowledged.")
        if self.refuse_callbacks is not None:
            raise _ApiError(*self.refuse_callbacks)
        body = call.json if isinstance(call.json, dict) else {}
        kind = body.get("type")
        data = body.get("data") or {}
        itype = state.payload["type"]
        valid = {
            INTERACTION_APPLICATION_COMMAND: {4, 5, 9},
            INTERACTION_MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
            INTERACTION_AUTOCOMPLETE: {8},
        }[itype]
        if kind not in valid:
            raise _invalid_form([(("type",), f"Interaction response type {kind} is invalid here")])
        message: JSON | None = None
        flags = int(data.get("flags") or 0)
        if kind == CALLBACK_CHANNEL_MESSAGE:
            _validate_message(data, files=len(call.files))
            message = self._build_message(
                channel_id=state.channel_id,
                author_id=self.bot_user_id,
                payload=data,
                files=call.files,
                kind=20 if itype == INTERACTION_APPLICATION_COMMAND else 0,
                flags=flags & _RESPONSE_FLAGS,
                webhook_id=self.application_id,
                interaction=state,
            )
        elif kind == CALLBACK_DEFERRED_CHANNEL_MESSAGE:
            message = self._build_message(
                channel_id=state.channel_id,
                author_id=self.bot_user_id,
                payload={},
                kind=20 if itype == INTERACTION_APPLICATION_COMMAND else 0,
                flags=FLAG_LOADING | (flags & FLAG_EPHEMERAL),
                webhook_id=self.application_id,
                interaction=state,
            )
        elif kind in (CALLBACK_DEFERRED_UPDATE_MESSAGE, CALLBACK_UPDATE_MESSAGE):
            message = self.messages.get(int(state.payload["message"]["id"]))
            if message is None:
                raise _ApiError(404, 10008, "Unknown Message")
            if kind == CALLBACK_UPDATE_MESSAGE:
                self._edit_message(message, data, call.files)
        elif kind == CALLBACK_AUTOCOMPLETE_RESULT:
            _validate_choices(data)
        elif kind == CALLBACK_MODAL:
            problems: list[Problem] = []
            _check_len(problems, ("data", "title"), data.get("title") or "", 45, 1)
            _check_len(problems, ("data", "custom_id"), data.get("custom_id") or "", 100, 1)
            if problems:
                raise _invalid_form(problems)
        state.acked = kind
        if message is not None:
            state.original_message_id = int(message["id"])
            state.message_ids.append(int(message["id"]))
            public = not message["flags"] & FLAG_EPHEMERAL
            if kind == CALLBACK_CHANNEL_MESSAGE and public and self.echo_bot_messages:
                await self._dispatch_message(message)
        if not _truthy(call.query.get("with_response")):
            return _Reply(status=204, message=message)
        info: JSON = {"id": state.payload["id"], "type": itype}
        resource: JSON = {"type": kind}
        if message is not None and kind != CALLBACK_DEFERRED_UPDATE_MESSAGE:
            info.update(
                response_message_id=message["id"],
                response_message_loading=bool(message["flags"] & FLAG_LOADING),
                response_message_ephemeral=bool(message["flags"] & FLAG_EPHEMERAL),
            )
            resource["message"] = copy.deepcopy(message)
        return _Reply(body={"interaction": info, "resource": resource}, message=message)

    async def _post_followup(self, call: _Call) -> _Reply:
        state = self._interaction_by_token(call, 10015, "Unknown Webhook")
        if state.acked is None or state.acked == CALLBACK_AUTOCOMPLETE_RESULT:
            raise _ApiError(404, 10015, "Unknown Webhook")
        body = call.json if isinstance(call.json, dict) else {}
        _validate_message(body, files=len(call.files))
        flags = int(body.get("flags") or 0)
        original = self.messages.get(state.original_message_id or 0)
        if (
            state.acked == CALLBACK_DEFERRED_CHANNEL_MESSAGE
            and original is not None
            and original["flags"] & FLAG_LOADING
        ):
            message = self._edit_message(original, body, call.files)
        else:
            message = self._build_message(
                channel_id=state.channel_id,
                author_id=self.bot_user_id,
                payload=body,
                files=call.files,
                flags=flags & _RESPONSE_FLAGS,
                webhook_id=self.application_id,
                interaction=state,
            )
            state.message_ids.append(int(message["id"]))
            if self.echo_bot_messages and not flags & FLAG_EPHEMERAL:
                await self._dispatch_message(message)
        if not _truthy(call.query.get("wait")):
            return _Reply(status=204, message=message)
        return _Reply(body=copy.deepcopy(message), message=message)

    def _webhook_message(self, call: _Call) -> tuple[_Interaction, JSON]:
        state = self._interaction_by_token(call, 10015, "Unknown Webhook")
        raw = call.params["message_id"]
        message_id = state.original_message_id if raw == "@original" else int(raw)
        if message_id is None or message_id not in {*state.message_ids, state.original_message_id}:
            raise _ApiError(404, 10008, "Unknown Message")
        message = self.messages.get(message_id)
        if message is None:
            raise _ApiError(404, 10008, "Unknown Message")
        return state, message

    async def _wh_get(self, call: _Call) -> _Reply:
        message = self._webhook_message(call)[1]
        return _Reply(body=copy.deepcopy(message), message=message)

    async def _wh_edit(self, call: _Call) -> _Reply:
        message = self._webhook_message(call)[1]
        body = call.json if isinstance(call.json, dict) else {}
        self._edit_message(message, body, call.files)
        return _Reply(body=copy.deepcopy(message), message=message)

    async def _wh_del(self, call: _Call) -> _Reply:
        state, message = self._webhook_message(call)
        del self.messages[int(message["id"])]
        if state.original_message_id == int(message["id"]):
            state.original_message_id = None
        return _Reply(status=204)

    # channels -------------------------------------------------------------------

    def _require_channel(self, call: _Call, *, write: bool = False) -> int:
        channel_id = int(call.params["channel_id"])
        if not self._channel_exists(channel_id):
            raise _ApiError(404, 10003, "Unknown Channel")
        if channel_id in self.channels:
            perms = self.permissions_of(self.bot_user_id)
            needed = PERM_VIEW_CHANNEL | (PERM_SEND_MESSAGES if write else 0)
            if perms & needed != needed:
                raise _ApiError(403, 50013, "Missing Permissions")
        elif write:
            recipient = self._dm_recipient(channel_id)
            if recipient is not None and self.users[recipient].bot:
                raise _ApiError(403, 50007, "Cannot send messages to this user")
        return channel_id

    def _channel_message(self, call: _Call) -> JSON:
        channel_id = self._require_channel(call)
        message = self.messages.get(int(call.params["message_id"]))
        if message is None or message["channel_id"] != str(channel_id):
            raise _ApiError(404, 10008, "Unknown Message")
        return message

    async def _get_channel(self, call: _Call) -> _Reply:
        channel_id = self._require_channel(call)
        if channel_id in self.channels:
            return _Reply(body=self.channels[channel_id].payload(self.guild_id))
        return _Reply(body=self._dm_channel_payload(self._dm_recipient(channel_id) or 0))

    async def _get_messages(self, call: _Call) -> _Reply:
        channel_id = self._require_channel(call)
        limit = max(1, min(100, int(call.query.get("limit", "50"))))
        newest_first = sorted(self.channel_messages(channel_id), key=lambda m: -int(m["id"]))
        return _Reply(body=copy.deepcopy(newest_first[:limit]))

    async def _post_message(self, call: _Call) -> _Reply:
        channel_id = self._require_channel(call, write=True)
        body = call.json if isinstance(call.json, dict) else {}
        _validate_message(body, files=len(call.files))
        no_embeds = not self.permissions_of(self.bot_user_id) & PERM_EMBED_LINKS
        if body.get("embeds") and channel_id in self.channels and no_embeds:
            body = {**body, "embeds": []}
        flags = int(body.get("flags") or 0)
        message = self._build_message(
            channel_id=channel_id,
            author_id=self.bot_user_id,
            payload=body,
            files=call.files,
            flags=flags & _CHANNEL_FLAGS,
        )
        if self.echo_bot_messages:
            await self._dispatch_message(message)
        return _Reply(body=copy.deepcopy(message), message=message)

    async def _get_message(self, call: _Call) -> _Reply:
        message = self._channel_message(call)
        return _Reply(body=copy.deepcopy(message), message=message)

    async def _patch_message(self, call: _Call) -> _Reply:
        message = self._channel_message(call)
        if int(message["author"]["id"]) != self.bot_user_id:
            raise _ApiError(403, 50005, "Cannot edit a message authored by another user")
        body = call.json if isinstance(call.json, dict) else {}
        self._edit_message(message, body, call.files)
        return _Reply(body=copy.deepcopy(message), message=message)

    async def _delete_message(self, call: _Call) -> _Reply:
        message = self._channel_message(call)
        own = int(message["author"]["id"]) == self.bot_user_id
        in_guild = int(message["channel_id"]) in self.channels
        if not own and (
            not in_guild or not self.permissions_of(self.bot_user_id) & PERM_MANAGE_MESSAGES
        ):
            raise _ApiError(403, 50013, "Missing Permissions")
        del self.messages[int(message["id"])]
        return _Reply(status=204)

    async def _typing(self, call: _Call) -> _Reply:
        self._require_channel(call, write=True)
        return _Reply(status=204)

    async def _react(self, call: _Call) -> _Reply:
        self._channel_message(call)
        return _Reply(status=204)

    # guilds ---------------------------------------------------------------------

    def _require_guild(self, call: _Call) -> None:
        if int(call.params["guild_id"]) != self.guild_id:
            raise _ApiError(404, 10004, "Unknown Guild")

    async def _get_guild(self, call: _Call) -> _Reply:
        self._require_guild(call)
        data = self._guild_payload(0)
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at"):
            data.pop(key, None)
        return _Reply(body=data)

    async def _get_guild_channels(self, call: _Call) -> _Reply:
        self._require_guild(call)
        return _Reply(body=[c.payload(self.guild_id) for c in self.channels.values()])

    async def _get_roles(self, call: _Call) -> _Reply:
        self._require_guild(call)
        return _Reply(body=[r.payload() for r in self.roles.values()])

    async def _get_member(self, call: _Call) -> _Reply:
        self._require_guild(call)
        user_id = int(call.params["user_id"])
        if user_id not in self.members:
            raise _ApiError(404, 10007, "Unknown Member")
        return _Reply(body=self._member_payload(user_id))
