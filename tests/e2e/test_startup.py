"""Start-up paths end to end: rejected token, dev-guild sync, `sync`, file watching."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.store import DATABASE_FILE, SqliteStore
from tests.conftest import ROOT, seed_model_cache, unprivileged
from tests.e2e.conftest import copy_facts, e2e_facts, start_bot
from tests.e2e.standin import (
    ADMIN_ID,
    BOT_USER_ID,
    GENERAL_CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    OWNER_ID,
    DiscordStandIn,
    make_token,
)

pytestmark = pytest.mark.asyncio(loop_scope="function")


@pytest_asyncio.fixture
async def standin() -> AsyncIterator[DiscordStandIn]:
    async with DiscordStandIn(heartbeat_interval_ms=5000) as server:
        yield server
        server.assert_clean(allow_status=(401,))  # the rejected-token test's login


async def run_cli(
    *args: str, env: dict[str, str], bound_by_permissions: bool = False
) -> tuple[int, str, str]:
    """`python -m bot ARGS` with only the given TRIVIA_/DISCORD_ settings (and, if asked,
    without root's power to write what file permissions forbid)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TRIVIA_", "DISCORD_"))}
    environment.update(env)
    argv = [sys.executable, "-m", "bot", *args]
    process = await asyncio.create_subprocess_exec(
        *(unprivileged(argv) if bound_by_permissions else argv),
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), 60)
    except TimeoutError:
        process.kill()  # a bot that started when it should not have
        await process.wait()
        raise
    return process.returncode or 0, out.decode(), err.decode()


async def test_a_rejected_token_is_one_line_after_the_login_attempt(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    wrong = make_token(BOT_USER_ID + 1)
    env = {
        "DISCORD_TOKEN": wrong,
        "DISCORD_API_BASE": standin.api_base,
        "TRIVIA_DATA_DIR": str(tmp_path),
    }
    code, out, err = await run_cli("run", env=env)
    assert code == 2
    assert err.strip().splitlines()[-1] == (
        "trivia-bot: error: DISCORD_TOKEN was rejected by Discord; check it in the portal"
    )
    assert "Traceback" not in err and wrong not in out + err
    assert any(r.path == "/users/@me" and r.status == 401 for r in standin.records)


async def test_a_database_the_bot_cannot_write_is_one_line_at_start_up(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    seed_model_cache(data)
    async with await SqliteStore.open(data / DATABASE_FILE) as store:  # migrated and in use
        await store.listen(GUILD_ID, GENERAL_CHANNEL_ID)
    (data / DATABASE_FILE).chmod(0o444)
    env = {
        "DISCORD_TOKEN": standin.token,
        "DISCORD_API_BASE": standin.api_base,
        "TRIVIA_FACTS_DIR": str(e2e_facts()),
        "TRIVIA_DATA_DIR": str(data),
    }
    code, _, err = await run_cli("run", env=env, bound_by_permissions=True)
    assert (code, err.strip().splitlines()) == (
        2,
        [
            f"trivia-bot: error: TRIVIA_DATA_DIR: database {data / DATABASE_FILE} is read-only "
            "for this user (check the owner and permissions of the file and its folder)"
        ],
    )
    assert not standin.identifies  # it never connected


async def test_sync_on_demand_to_one_guild(standin: DiscordStandIn, tmp_path: Path) -> None:
    env = {
        "DISCORD_TOKEN": standin.token,
        "DISCORD_API_BASE": standin.api_base,
        "TRIVIA_DATA_DIR": str(tmp_path),
    }
    code, out, err = await run_cli("sync", "--guild", str(GUILD_ID), env=env)
    assert (code, out.strip()) == (0, f"synced 7 commands to server {GUILD_ID}"), err
    assert {c["name"] for c in standin.commands(guild_id=GUILD_ID)} >= {"ask", "facts"}
    assert standin.commands() == []


async def test_dev_guild_without_message_content(standin: DiscordStandIn, tmp_path: Path) -> None:
    bot = await start_bot(
        standin,
        copy_facts(tmp_path),
        tmp_path / "data",
        TRIVIA_DEV_GUILD_ID=str(GUILD_ID),
        TRIVIA_MESSAGE_CONTENT="0",
    )
    try:
        assert {c["name"] for c in standin.commands(guild_id=GUILD_ID)} >= {"ask", "cast"}
        identify = standin.identifies[-1]
        assert not int(identify.d["intents"]) & (1 << 15)  # no message content requested
        message = await standin.send_message(
            f"<@{BOT_USER_ID}> who plays ballard", author=MEMBER_ID
        )
        assert "Maggie Q" in str((await message.reply()).json)
    finally:
        await bot.stop()


async def test_watching_the_facts_folder_reloads(standin: DiscordStandIn, tmp_path: Path) -> None:
    facts = copy_facts(tmp_path)
    bot = await start_bot(standin, facts, tmp_path / "data", TRIVIA_WATCH_FACTS="1")
    try:
        cast = facts / "cast.yaml"
        cast.write_text(cast.read_text("utf-8").replace("Maggie Q plays", "Maggie Q stars as", 1))
        for _ in range(100):
            if "facts reloaded (files changed)" in bot.log():
                break
            await asyncio.sleep(0.1)
        assert "facts reloaded (files changed)" in bot.log()
        message = await standin.send_message(
            f"<@{BOT_USER_ID}> who plays ballard", author=MEMBER_ID
        )
        assert "Maggie Q stars as" in str((await message.reply()).json)
    finally:
        await bot.stop()


async def test_a_set_shard_count_still_finds_the_gateway(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    bot = await start_bot(
        standin,
        copy_facts(tmp_path),
        tmp_path / "data",
        TRIVIA_SHARD_COUNT="1",
        TRIVIA_SHARD_IDS="0",
    )
    try:
        assert standin.identifies[-1].d["shard"] == [0, 1]
    finally:
        await bot.stop()


async def test_debug_logs_carry_no_token_and_no_user_id(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    bot = await start_bot(standin, copy_facts(tmp_path), tmp_path / "data", LOG_LEVEL="DEBUG")
    try:
        asked = await standin.send_slash_command("ask", {"question": "who plays ballard"})
        await asked.response()
        reload = await standin.send_slash_command("facts reload", member=OWNER_ID)
        await reload.followup()
        hidden = f"<@\u200b{OWNER_ID}>"  # a mention made invisible, and an id typed out
        kept = await standin.send_message(
            f"<@{BOT_USER_ID}> is {hidden} or {ADMIN_ID} in the cast?", author=MEMBER_ID
        )
        await kept.reply()
    finally:
        await bot.stop()
    log = bot.log()
    assert "WebSocket Event" in log and "facts reloaded" in log  # DEBUG, and the reload ran
    for token in (standin.token, asked.token, reload.token):
        assert token not in log
    for user_id in (OWNER_ID, ADMIN_ID, MEMBER_ID):
        assert str(user_id) not in log
    with sqlite3.connect(bot.data_dir / DATABASE_FILE) as db:
        texts = [row[0] for row in db.execute("SELECT text FROM question_log")]
    assert texts and all(not re.search(r"\d{15}", text) for text in texts), texts


async def test_a_database_broken_while_running_costs_records_never_answers(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    """The file is replaced by one of a newer schema: questions are still answered, a vote
    says it could not be recorded, and the log names the problem without stray tracebacks."""
    bot = await start_bot(standin, copy_facts(tmp_path), tmp_path / "data")
    try:
        answer = await (
            await standin.send_slash_command("ask", {"question": "who plays ballard"})
        ).response()
        assert answer.message is not None
        database = bot.data_dir / DATABASE_FILE
        broken = database.with_name("broken")
        with sqlite3.connect(broken) as newer:  # as a newer bot on the same file would leave it
            newer.execute("PRAGMA user_version = 99")
        broken.replace(database)
        for name in (f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm"):
            (bot.data_dir / name).unlink(missing_ok=True)
        vote = next(
            c["custom_id"]
            for row in answer.components
            for c in row["components"]
            if c["custom_id"].startswith("trivia:vote:up:")
        )
        voted = await (await standin.click_button(answer.message, vote)).response()
        assert voted.ephemeral and "couldn't record" in (voted.content or "")
        for question in ("who plays ballard", "what is the capital of france"):  # kept too
            again = await (
                await standin.send_slash_command("ask", {"question": question})
            ).response()
            assert again.embeds, question
    finally:
        await bot.stop()
    log = bot.log()
    assert "never retrieved" not in log and "Ignoring exception" not in log
    assert "could not record" in log
