"""Processes on several hosts sharing one PostgreSQL database: two real bot processes, with
shards 0 and 1 of 2 and data folders of their own (as on two hosts), against the stand-in.

The stand-in has one guild; it is put on shard 1, so the guild's events reach one process
and direct messages (always shard 0's) the other.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path
from subprocess import CompletedProcess

from tests.e2e.conftest import BotProcess, copy_facts, start_bot
from tests.e2e.standin import ADMIN_ID, GUILD_ID, OWNER_ID, SECOND_CHANNEL_ID, DiscordStandIn
from tests.e2e.test_bot import new_member, reply_text, vote_buttons
from tests.postgres_server import PASSWORD
from tests.store.conftest import SALT
from tests.test_cli import run_cli

GUILD_ON_SHARD_1 = GUILD_ID + (1 << 22)  # a guild's shard is (id >> 22) % shard count


def command_syncs(standin: DiscordStandIn) -> int:
    return len([r for r in standin.records if r.method == "PUT" and "commands" in r.path])


async def start_host(
    standin: DiscordStandIn, facts: Path, data: Path, shard: int, url: str
) -> BotProcess:
    return await start_bot(
        standin,
        facts,
        data,
        probe_in_guild=shard == 1,
        TRIVIA_DATABASE_URL=url,
        TRIVIA_VOTER_SALT=SALT,
        TRIVIA_SHARD_COUNT="2",
        TRIVIA_SHARD_IDS=str(shard),
    )


async def test_two_hosts_share_state_and_reload_together(postgres_url: str, tmp_path: Path) -> None:
    async with DiscordStandIn(guild_id=GUILD_ON_SHARD_1, shards=2) as standin:
        facts_a, facts_b = copy_facts(tmp_path / "host-a"), copy_facts(tmp_path / "host-b")
        dms = await start_host(standin, facts_a, tmp_path / "host-a" / "data", 0, postgres_url)
        guild = await start_host(standin, facts_b, tmp_path / "host-b" / "data", 1, postgres_url)
        try:
            assert command_syncs(standin) == 1  # the second process found the sync recorded
            await listen_in_the_guild_and_vote_in_a_dm(standin)
            await reload_reaches_both(standin, [facts_a, facts_b])
            good_b = await a_failed_host_is_listed_and_keeps_its_facts(
                standin, facts_a, facts_b, guild
            )

            guild.process.send_signal(signal.SIGKILL)  # its host dies
            await guild.process.wait()
            (facts_b / "cast.yaml").write_text(good_b, "utf-8")
            guild = await start_host(standin, facts_b, tmp_path / "host-c", 1, postgres_url)
            assert command_syncs(standin) == 1  # not synced again
            asked = await standin.send_message(
                "where can i watch ballard",
                channel_id=SECOND_CHANNEL_ID,
                author=new_member(standin),
            )
            assert "Prime Video" in reply_text(await asked.reply())  # still listening there
            stats = await (
                await standin.send_slash_command("facts stats", member=OWNER_ID)
            ).response()
            everywhere = stats.embeds[1]["description"]
            assert "Feedback: 1 👍" in everywhere  # the vote cast through the other process
            assert "Processes: 3, serving 2 different fact bases ⚠" in everywhere  # (the
            # dead one lingers for 90 s; the new one serves host b's files, as the dead one did)
        finally:
            await asyncio.gather(dms.stop(), guild.stop())
        for host in (dms, guild):
            assert PASSWORD not in host.log() and "Traceback" not in host.log()
        standin.assert_clean()


async def listen_in_the_guild_and_vote_in_a_dm(standin: DiscordStandIn) -> None:
    listen = await standin.send_slash_command(
        "trivia listen", {"channel": SECOND_CHANNEL_ID}, member=ADMIN_ID
    )
    assert "answer questions in" in ((await listen.response()).content or "")
    member = new_member(standin)
    answer = await (
        await standin.send_slash_command(
            "ask", {"question": "who plays ballard"}, member=member, guild=False
        )
    ).response()
    assert answer.message is not None
    click = await standin.click_button(answer.message, vote_buttons(answer)["up"], member=member)
    assert (await click.response()).content == "Thanks for the 👍."


async def reload_reaches_both(standin: DiscordStandIn, folders: list[Path]) -> None:
    for facts in folders:  # the same files shipped to each host
        cast = facts / "cast.yaml"
        cast.write_text(
            cast.read_text("utf-8").replace("Maggie Q plays", "Maggie Q (of Nikita) plays", 1),
            "utf-8",
        )
    result = await standin.send_slash_command("facts reload", member=OWNER_ID)
    await result.response()
    report = (await result.followup(timeout=60)).json or {}
    fields = {f["name"]: f["value"] for f in report["embeds"][0]["fields"]}
    assert fields["Processes"] == "Reloaded in 2 of 2 process(es)"
    in_guild = await standin.send_message(
        f"<@{standin.bot_user_id}> who plays ballard", author=new_member(standin)
    )
    in_dm = await standin.send_message("who plays ballard", author=new_member(standin), guild=False)
    for asked in (in_guild, in_dm):
        assert "Maggie Q (of Nikita) plays" in reply_text(await asked.reply())


async def test_one_host_on_sqlite_reloads_every_process_by_signal(tmp_path: Path) -> None:
    """Two shard processes sharing one SQLite file: `trivia-bot reload` reaches both (as
    SIGHUP) and reports each one's answer."""
    async with DiscordStandIn(guild_id=GUILD_ON_SHARD_1, shards=2) as standin:
        facts, data = copy_facts(tmp_path), tmp_path / "data"
        shards = {"TRIVIA_SHARD_COUNT": "2", "TRIVIA_VOTER_SALT": SALT}
        first = await start_bot(standin, facts, data, TRIVIA_SHARD_IDS="0", **shards)
        second = await start_bot(
            standin, facts, data, probe_in_guild=True, TRIVIA_SHARD_IDS="1", **shards
        )
        try:
            cast = facts / "cast.yaml"
            cast.write_text(cast.read_text("utf-8").replace("topic: cast", "topic: [cast", 1))
            refused = await reload_from_the_command_line(data, facts)
            assert refused.returncode == 1
            assert refused.stdout.startswith("Reloaded in 0 of 2 process(es)\n")
            assert refused.stdout.count("kept the previous facts: ") == 2
            assert "cast.yaml:" in refused.stdout
            cast.write_text(cast.read_text("utf-8").replace("topic: [cast", "topic: cast", 1))
            done = await reload_from_the_command_line(data, facts)
            assert (done.returncode, done.stdout) == (0, "Reloaded in 2 of 2 process(es)\n")
        finally:
            await asyncio.gather(first.stop(), second.stop())
        nobody = await reload_from_the_command_line(data, facts)
        assert nobody.returncode == 2 and "no running bot process" in nobody.stderr


async def reload_from_the_command_line(data: Path, facts: Path) -> CompletedProcess[str]:
    env = {"TRIVIA_DATA_DIR": str(data), "TRIVIA_VOTER_SALT": SALT, "TRIVIA_FACTS_DIR": str(facts)}
    return await asyncio.to_thread(run_cli, "reload", env=env)


async def a_failed_host_is_listed_and_keeps_its_facts(
    standin: DiscordStandIn, facts_a: Path, facts_b: Path, guild: BotProcess
) -> str:
    """Host a gets new files, host b a broken one: the reload, routed to b, succeeds on a
    and lists b's failure; b goes on answering from its old facts. Returns b's good file."""
    cast_a, cast_b = facts_a / "cast.yaml", facts_b / "cast.yaml"
    cast_a.write_text(cast_a.read_text("utf-8").replace("(of Nikita)", "(of Nikita fame)", 1))
    good_b = cast_b.read_text("utf-8")
    cast_b.write_text(good_b.replace("topic: cast", "topic: [cast", 1), "utf-8")
    result = await standin.send_slash_command("facts reload", member=OWNER_ID)
    await result.response()
    embed = ((await result.followup(timeout=60)).json or {})["embeds"][0]
    assert "Reload refused" in embed["title"]  # b's own reload, where the command ran
    processes = {f["name"]: f["value"] for f in embed["fields"]}["Processes"]
    lines = processes.splitlines()
    assert lines[0] == "Reloaded in 1 of 2 process(es)"
    assert lines[1].startswith(f"✗ {socket.gethostname()}:{guild.process.pid}: kept the previous")
    assert "cast.yaml:" in lines[1]
    in_guild = await standin.send_message(
        f"<@{standin.bot_user_id}> who plays ballard", author=new_member(standin)
    )
    in_dm = await standin.send_message("who plays ballard", author=new_member(standin), guild=False)
    assert "(of Nikita) plays" in reply_text(await in_guild.reply())
    assert "(of Nikita fame) plays" in reply_text(await in_dm.reply())
    stats = await (await standin.send_slash_command("facts stats", member=OWNER_ID)).response()
    assert "Processes: 2, serving 2 different fact bases ⚠" in stats.embeds[1]["description"]
    return good_b
