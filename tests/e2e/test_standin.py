"""The Discord stand-in, proven against a real discord.py AutoShardedBot running in-process."""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from tests.e2e.standin import (
    CALLBACK_AUTOCOMPLETE_RESULT,
    CALLBACK_CHANNEL_MESSAGE,
    CALLBACK_UPDATE_MESSAGE,
    MEMBER_ID,
    CommandNotAvailableError,
    DiscordStandIn,
    InteractionResult,
)

TOPICS = ["Bosch", "Ballard", "Cold Case Unit", "Los Angeles"]


class PingView(discord.ui.View):
    """The button under /ping."""

    @discord.ui.button(label="Again", custom_id="ping:again", style=discord.ButtonStyle.primary)
    async def again(
        self, interaction: discord.Interaction, button: discord.ui.Button[PingView]
    ) -> None:
        """Edit the message in place, then send an ephemeral follow-up."""
        await interaction.response.edit_message(content="Pong again!", view=None)
        await interaction.followup.send("You clicked.", ephemeral=True)


def build_bot(standin: DiscordStandIn) -> commands.AutoShardedBot:
    """A small bot: /ping, /fact (autocomplete), an admin-only /trivia group, mention replies."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    bot = commands.AutoShardedBot(
        command_prefix=commands.when_mentioned,
        intents=intents,
        help_command=None,
        guild_ready_timeout=0.05,
        allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, replied_user=False),
    )

    @bot.tree.command(name="ping", description="Check the bot is alive.")
    async def ping(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Pong!", description="The bot is alive.")
        await interaction.response.send_message(embed=embed, view=PingView(timeout=60))

    @bot.tree.command(name="fact", description="Look up a fact.")
    @app_commands.describe(topic="What the fact is about")
    async def fact(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.send_message(f"A fact about {topic}.")

    @fact.autocomplete("topic")
    async def fact_topic(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=t, value=t) for t in TOPICS if current.lower() in t.lower()
        ]

    trivia = app_commands.Group(
        name="trivia",
        description="Configure the trivia bot.",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )
    listen = app_commands.Group(name="listen", description="Where to listen.", parent=trivia)

    @listen.command(name="channel", description="Listen in a channel.")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def listen_channel(
        interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        await interaction.response.send_message(f"Listening in {channel.mention}.", ephemeral=True)

    @trivia.command(name="reload", description="Reload the facts.")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def reload(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.edit_original_response(content="Reloaded 42 facts.")

    bot.tree.add_command(trivia, guild=discord.Object(standin.guild_id))

    @bot.tree.error
    async def on_app_command_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.MissingPermissions):
            await interaction.response.send_message(
                "You need the Manage Server permission.", ephemeral=True
            )
            return
        raise error

    @bot.event
    async def on_message(message: discord.Message) -> None:
        if message.author.bot or bot.user is None:
            return
        if message.guild is None or bot.user in message.mentions:
            await message.reply("Hello! Ask me about Ballard.")

    return bot


@pytest.fixture
async def standin() -> AsyncIterator[DiscordStandIn]:
    """A running stand-in with a 1 s heartbeat."""
    async with DiscordStandIn(heartbeat_interval_ms=1000) as server:
        yield server


@pytest.fixture
def discord_endpoints(standin: DiscordStandIn) -> Iterator[None]:
    """Point discord.py at the stand-in, and restore Discord's endpoints afterwards."""
    old_base = discord.http.Route.BASE
    old_gateway = DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = standin.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(standin.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@pytest.fixture
async def bot(
    standin: DiscordStandIn, discord_endpoints: None
) -> AsyncIterator[commands.AutoShardedBot]:
    """A connected, ready bot with its commands synced; checks the stand-in stayed clean."""
    client = build_bot(standin)
    ready = asyncio.Event()

    async def on_ready() -> None:
        ready.set()

    client.add_listener(on_ready)
    task = asyncio.create_task(client.start(standin.token))
    try:
        await asyncio.wait_for(ready.wait(), 10)
        await client.tree.sync()
        await client.tree.sync(guild=discord.Object(standin.guild_id))
        yield client
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
    standin.assert_clean()


async def test_login_gateway_and_guild_cache(
    standin: DiscordStandIn, bot: commands.AutoShardedBot
) -> None:
    identify = standin.identifies[0]
    assert identify.d["shard"] == [0, 1]
    assert identify.d["intents"] == bot.intents.value
    assert standin.gateway_log[0].op == 10
    assert any(r.route == "GET /gateway/bot" for r in standin.records)
    assert bot.user is not None
    assert bot.user.id == standin.bot_user_id
    assert bot.application_id == standin.application_id
    guild = bot.get_guild(standin.guild_id)
    assert guild is not None
    assert guild.me is not None
    assert guild.get_channel(standin.general_channel_id) is not None
    assert guild.get_role(standin.admin_role_id) is not None
    assert guild.owner_id == standin.owner_id


async def test_tree_sync_stores_commands(
    standin: DiscordStandIn, bot: commands.AutoShardedBot
) -> None:
    assert {c["name"] for c in standin.commands()} == {"ping", "fact"}
    trivia = standin.command("trivia", standin.guild_id)
    assert trivia is not None
    assert trivia["default_member_permissions"] == "32"
    assert trivia["guild_id"] == str(standin.guild_id)
    fetched = await bot.tree.fetch_commands()
    assert {c.id for c in fetched} == {int(c["id"]) for c in standin.commands()}
    again = await bot.tree.sync()
    assert {c.id for c in again} == {c.id for c in fetched}, "re-sync keeps command ids"


async def test_ping_replies_with_embed_and_button(
    standin: DiscordStandIn, bot: commands.AutoShardedBot
) -> None:
    result = await standin.send_slash_command("ping")
    callback = await result.response(timeout=5)
    assert callback.type == CALLBACK_CHANNEL_MESSAGE
    assert callback.embeds[0]["title"] == "Pong!"
    assert callback.message is not None
    button = callback.message["components"][0]["components"][0]
    assert button["custom_id"] == "ping:again"

    click = await standin.click_button(callback.message, "ping:again")
    update = await click.response(timeout=5)
    assert update.type == CALLBACK_UPDATE_MESSAGE
    assert update.data["content"] == "Pong again!"
    followup = await click.followup(timeout=5)
    assert followup.json["content"] == "You clicked."
    assert followup.query["wait"] == "1"
    assert followup.message is not None
    assert followup.message["flags"] & 64
    edited = standin.messages[int(callback.message["id"])]
    assert edited["content"] == "Pong again!"
    assert edited["components"] == []


async def test_autocomplete_answers_choices(
    standin: DiscordStandIn, bot: commands.AutoShardedBot
) -> None:
    result = await standin.send_autocomplete("fact", {"topic": "b"}, focused="topic")
    callback = await result.response(timeout=5)
    assert callback.type == CALLBACK_AUTOCOMPLETE_RESULT
    assert [c["value"] for c in callback.choices] == ["Bosch", "Ballard"]

    answer = await standin.send_slash_command("fact", {"topic": "Ballard"})
    assert (await answer.response()).content == "A fact about Ballard."


async def test_mentions_get_replies_and_other_messages_do_not(
    standin: DiscordStandIn, bot: commands.AutoShardedBot
) -> None:
    sent = await standin.send_message(f"<@{standin.bot_user_id}> who is Ballard?")
    reply = await sent.reply(timeout=5)
    assert reply.params["channel_id"] == str(standin.general_channel_id)
    assert reply.json["content"] == "Hello! Ask me about Ballard."
    assert "allowed_mentions" in reply.json
    assert int(reply.json["message_reference"]["message_id"]) == sent.id
    assert standin.messages_sent == [reply]

    quiet = await standin.send_message("just chatting", channel_id=standin.second_channel_id)
    await quiet.assert_no_reply(within=0.3)

    direct = await standin.send_message("hi", guild=False)
    dm_reply = await direct.reply(timeout=5)
    assert dm_reply.params["channel_id"] == str(standin.dm_channel_id("member"))


async def test_admin_only_group_is_hidden_and_checked(
    standin: DiscordStandIn, bot: commands.AutoShardedBot
) -> None:
    options = {"channel": standin.second_channel_id}
    with pytest.raises(CommandNotAvailableError):
        await standin.send_slash_command("trivia listen channel", options, member="member")

    admin = await standin.send_slash_command("trivia listen channel", options, member="admin")
    granted = await admin.response(timeout=5)
    assert granted.content == f"Listening in <#{standin.second_channel_id}>."
    assert granted.ephemeral

    forced = await standin.send_slash_command(
        "trivia listen channel", options, member="member", bypass_permissions=True
    )
    refused = await forced.response(timeout=5)
    assert refused.content == "You need the Manage Server permission."
    assert refused.ephemeral

    reload = await standin.send_slash_command("trivia reload", member="owner")
    deferred = await reload.response(timeout=5)
    assert deferred.type == 5
    edit = await reload.edit(timeout=5)
    assert edit.json["content"] == "Reloaded 42 facts."
    assert reload.original_message is not None
    assert reload.original_message["content"] == "Reloaded 42 facts."


async def test_resume_after_dropped_connection(
    standin: DiscordStandIn, bot: commands.AutoShardedBot
) -> None:
    await standin.drop_connection()
    await standin.wait_until_resumed(timeout=10)
    assert standin.resumes[0].path == "/gateway/resume"
    ready = next(f for f in standin.gateway_log if f.t == "READY")
    assert standin.resumes[0].d["session_id"] == ready.d["session_id"]
    assert len(standin.identifies) == 1

    result = await standin.send_slash_command("ping")
    assert (await result.response(timeout=5)).type == CALLBACK_CHANNEL_MESSAGE
    sent = await standin.send_message(f"<@{standin.bot_user_id}> still there?")
    assert (await sent.reply(timeout=5)).json["content"].startswith("Hello")


async def test_invalid_session_leads_to_a_fresh_identify(
    standin: DiscordStandIn, bot: commands.AutoShardedBot
) -> None:
    await standin.drop_connection(resumable=False)
    await standin.wait_until_identified(timeout=10, count=2)
    result = await standin.send_slash_command("ping")
    assert (await result.response(timeout=5)).type == CALLBACK_CHANNEL_MESSAGE


async def test_wrong_token_fails_login(standin: DiscordStandIn, discord_endpoints: None) -> None:
    client = discord.Client(intents=discord.Intents.default())
    try:
        with pytest.raises(discord.LoginFailure):
            await client.login("MTIz.AAAAAA.not-the-token")
    finally:
        await client.close()
    assert [r.status for r in standin.records] == [401]
    assert standin.unknown_routes == []


async def test_unknown_routes_are_recorded_and_json_is_exact(standin: DiscordStandIn) -> None:
    headers = {"Authorization": f"Bot {standin.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(f"{standin.api_base}/gateway/bot") as response:
            assert response.headers["Content-Type"] == "application/json"
            body = await response.json()
        async with session.get(f"{standin.api_base}/no/such/route") as missing:
            assert missing.status == 404
    assert body["url"] == standin.gateway_url
    assert body["shards"] == 1
    assert [r.path for r in standin.unknown_routes] == ["/no/such/route"]


async def test_gateway_speaks_zlib_stream(standin: DiscordStandIn) -> None:
    inflator = zlib.decompressobj()
    url = f"{standin.gateway_url}?v=10&encoding=json&compress=zlib-stream"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        frame = await ws.receive(timeout=5)
        assert frame.type == aiohttp.WSMsgType.BINARY
        assert frame.data.endswith(b"\x00\x00\xff\xff")
        hello = inflator.decompress(frame.data)
        assert b'"heartbeat_interval":1000' in hello
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 1}})
        closing = await ws.receive(timeout=5)
        assert closing.type == aiohttp.WSMsgType.CLOSE
        assert closing.data == 4004


async def _next_event(ws: aiohttp.ClientWebSocketResponse, name: str) -> dict[str, Any]:
    """Read gateway frames until a dispatch called ``name`` arrives."""
    while True:
        frame: dict[str, Any] = await ws.receive_json(timeout=5)
        if frame.get("t") == name:
            return frame


async def test_discord_refusals_are_reproduced() -> None:
    """Invalid bodies, double acknowledgements, late answers and unknown webhooks are refused."""
    async with (
        DiscordStandIn(interaction_deadline=0.5) as standin,
        aiohttp.ClientSession(headers={"Authorization": f"Bot {standin.token}"}) as http,
        http.ws_connect(f"{standin.gateway_url}?v=10&encoding=json") as ws,
    ):
        await ws.receive_json(timeout=5)  # HELLO
        intents = (1 << 0) | (1 << 9)  # GUILDS | GUILD_MESSAGES, no MESSAGE_CONTENT
        await ws.send_json({"op": 2, "d": {"token": standin.token, "intents": intents}})
        ready = await _next_event(ws, "READY")
        assert "shard" not in ready["d"]
        guild = await _next_event(ws, "GUILD_CREATE")
        listed = [m["user"]["id"] for m in guild["d"]["members"]]
        assert listed == [str(standin.bot_user_id)], "no GUILD_PRESENCES: only the bot is listed"

        chatter = await standin.send_message("no mention here")
        created = await _next_event(ws, "MESSAGE_CREATE")
        assert created["d"]["id"] == str(chatter.id)
        assert created["d"]["content"] == "", "no MESSAGE_CONTENT intent: content withheld"
        await standin.send_message(f"<@{standin.bot_user_id}> hi", author="admin")
        mention = await _next_event(ws, "MESSAGE_CREATE")
        assert mention["d"]["content"].endswith("hi")
        assert mention["d"]["member"]["roles"] == [str(standin.admin_role_id)]

        api = standin.api_base
        body = [{"name": "ping", "description": "Ping.", "type": 1}]
        async with http.put(f"{api}/applications/{standin.application_id}/commands", json=body):
            pass
        async with http.put(
            f"{api}/applications/{standin.application_id}/commands",
            json=[{"name": "Bad Name", "description": "x"}],
        ) as invalid_sync:
            assert invalid_sync.status == 400
            assert (await invalid_sync.json())["code"] == 50035

        async def callback(result: InteractionResult, payload: dict[str, Any]) -> tuple[int, Any]:
            url = f"{api}/interactions/{result.id}/{result.token}/callback?with_response=1"
            async with http.post(url, json=payload) as response:
                data = await response.json() if response.status != 204 else None
                return response.status, data

        first = await standin.send_slash_command("ping")
        event = await _next_event(ws, "INTERACTION_CREATE")
        assert event["d"]["member"]["permissions"] == str(standin.permissions_of(MEMBER_ID))
        assert event["d"]["data"]["id"] == standin.commands()[0]["id"]
        followup_url = f"{api}/webhooks/{standin.application_id}/{first.token}?wait=1"
        async with http.post(followup_url, json={"content": "too early"}) as early:
            assert (early.status, (await early.json())["code"]) == (404, 10015)
        long_title = {"type": 4, "data": {"embeds": [{"title": "x" * 300}]}}
        assert (await callback(first, long_title))[1]["code"] == 50035
        assert (await callback(first, {"type": 4, "data": {"content": ""}}))[1]["code"] == 50006
        status, answer = await callback(first, {"type": 4, "data": {"content": "pong"}})
        assert status == 200
        assert answer["interaction"]["response_message_id"] == answer["resource"]["message"]["id"]
        assert (await callback(first, {"type": 4, "data": {"content": "again"}}))[1][
            "code"
        ] == 40060
        assert (await first.response()).content == "pong"

        late = await standin.send_slash_command("ping")
        await asyncio.sleep(0.6)
        assert (await callback(late, {"type": 5}))[1]["code"] == 10062
        assert [r.response["code"] for r in standin.rejected] == [
            50035,
            10015,
            50035,
            50006,
            40060,
            10062,
        ]
        assert standin.unknown_routes == []
        assert standin.errors == []
