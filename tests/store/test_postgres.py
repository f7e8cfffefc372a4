"""PostgreSQL's own cases, against a real server: start-up errors as one line that never
shows the URL's password, migrations applied once by processes starting together, and the
notifications that keep processes on several hosts in step."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path

import asyncpg
import pytest

from bot.store import MIGRATIONS, STORE_FAILURES, FleetEvent, PostgresStore, StoreError
from tests.conftest import FAKE_TOKEN, ROOT
from tests.postgres_server import PASSWORD, PostgresServer, postgres_server
from tests.store.conftest import SALT
from tests.test_cli import cli_environment, fill_with_questions, run_cli

SECRET = "hunter2-but-longer"


def database_env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "TRIVIA_DATABASE_URL": url,
        "TRIVIA_VOTER_SALT": SALT,
        "TRIVIA_DATA_DIR": str(tmp_path / "data"),
    }


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unreachable", "cannot reach the PostgreSQL server"),
        ("bad password", "refused the credentials"),
        ("no database", "no such PostgreSQL database"),
    ],
)
def test_a_database_it_cannot_use_is_one_line_naming_the_setting(
    postgres: PostgresServer, tmp_path: Path, case: str, expected: str
) -> None:
    url = {
        "unreachable": f"postgresql://trivia:{SECRET}@127.0.0.1:1/trivia",
        "bad password": postgres.url(password=SECRET),
        "no database": postgres.url("no_such_database"),
    }[case]
    result = run_cli("migrate", env=database_env(url, tmp_path))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("trivia-bot: error: TRIVIA_DATABASE_URL: ")
    assert expected in lines[0]
    assert SECRET not in result.stderr and PASSWORD not in result.stderr


def test_report_and_migrate_read_postgresql(postgres_url: str, tmp_path: Path) -> None:
    env = database_env(postgres_url, tmp_path)
    migrated = run_cli("migrate", env=env)
    assert migrated.returncode == 0
    assert migrated.stdout == f"the database is at schema {len(MIGRATIONS)}, this bot's\n"
    asyncio.run(_fill(postgres_url))
    report = run_cli("report", env=env)
    assert report.returncode == 0, report.stderr
    assert "Questions served: 4" in report.stdout
    assert "2× whos the lead lady → cast.ballard_actor" in report.stdout
    assert "Feedback: 1 👍, 0 👎" in report.stdout
    assert "2× who plays the sister (+1 similar)" in report.stdout


async def _fill(url: str) -> None:
    async with await PostgresStore.open(url, pool_size=1, voter_salt=SALT) as store:
        await fill_with_questions(store)


def test_the_bot_itself_refuses_an_unreachable_database(tmp_path: Path) -> None:
    env = database_env(f"postgresql://trivia:{SECRET}@127.0.0.1:1/trivia", tmp_path)
    result = run_cli("run", env={**env, "DISCORD_TOKEN": FAKE_TOKEN})
    assert result.returncode == 2
    assert result.stderr.startswith("trivia-bot: error: TRIVIA_DATABASE_URL: cannot reach")
    assert SECRET not in result.stderr and FAKE_TOKEN not in result.stderr


def test_a_newer_schema_is_refused_at_start_up(postgres_url: str, tmp_path: Path) -> None:
    assert run_cli("migrate", env=database_env(postgres_url, tmp_path)).returncode == 0
    asyncio.run(_set_version(postgres_url, len(MIGRATIONS) + 1))
    result = run_cli("migrate", env=database_env(postgres_url, tmp_path))
    assert result.returncode == 2
    assert f"has schema {len(MIGRATIONS) + 1}, newer than this bot" in result.stderr
    assert "upgrade the bot" in result.stderr


async def _set_version(url: str, version: int) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("UPDATE schema_version SET version = $1", version)
    finally:
        await connection.close()


def test_a_database_url_needs_a_shared_voter_salt(tmp_path: Path) -> None:
    result = run_cli(
        "migrate",
        env={
            "TRIVIA_DATABASE_URL": f"postgresql://u:{SECRET}@h/d",
            "TRIVIA_DATA_DIR": str(tmp_path / "data"),
        },
    )
    assert result.returncode == 2
    assert "TRIVIA_VOTER_SALT" in result.stderr and SECRET not in result.stderr
    result = run_cli("migrate", env={"TRIVIA_DATABASE_URL": f"mysql://u:{SECRET}@h/d"})
    assert result.returncode == 2
    assert "TRIVIA_DATABASE_URL" in result.stderr and SECRET not in result.stderr


async def test_ten_processes_starting_at_once_migrate_once(
    postgres_url: str, tmp_path: Path
) -> None:
    environment = cli_environment({**database_env(postgres_url, tmp_path), "LOG_LEVEL": "INFO"})
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "migrate",
            cwd=ROOT,
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(10)
    ]
    outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in processes)), 120)
    assert [p.returncode for p in processes] == [0] * 10, outputs
    logs = "".join(err.decode() for _, err in outputs)
    applied = [line for line in logs.splitlines() if "migrated to schema" in line]
    assert len(applied) == len(MIGRATIONS), logs  # each step once, by whichever came first
    assert all(f"schema {len(MIGRATIONS)}" in out.decode() for out, _ in outputs)


async def test_listening_changes_and_reload_requests_reach_the_other_processes(
    postgres_url: str,
) -> None:
    here = await PostgresStore.open(postgres_url, pool_size=2, voter_salt=SALT)
    there = await PostgresStore.open(postgres_url, pool_size=2, voter_salt=SALT)
    there.origin = "another-host:1"  # as if on another host
    received: asyncio.Queue[FleetEvent] = asyncio.Queue()

    def follow(event: FleetEvent) -> None:
        there.follow(event)
        received.put_nowait(event)

    listening = asyncio.create_task(there.listen_for_fleet(follow))
    try:
        for _ in range(50):  # until its LISTEN is in place
            request = await here.request_reload(here.origin)
            with contextlib.suppress(TimeoutError):
                event = await asyncio.wait_for(received.get(), 0.2)
                break
        else:
            raise AssertionError("no notification arrived")
        assert event.reload_request is not None and event.origin == here.origin
        await asyncio.sleep(0.3)
        while not received.empty():  # the probes' late notifications
            assert received.get_nowait().reload_request is not None
        await here.listen(1, 10)
        event = await asyncio.wait_for(received.get(), 5)
        assert event.channel_id == 10 and event.listening and there.is_listening(10)
        await here.unlisten(10)
        event = await asyncio.wait_for(received.get(), 5)
        assert event.channel_id == 10 and not there.is_listening(10)
        request = await here.request_reload(here.origin)
        event = await asyncio.wait_for(received.get(), 5)
        assert event.reload_request == request
        await there.listen(2, 20)  # its own changes are not echoed back to it
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(received.get(), 0.5)
    finally:
        await here.close()
        await there.close()
        await asyncio.wait_for(listening, 5)


async def test_reading_only_never_migrates_nor_writes(postgres_url: str) -> None:
    with pytest.raises(StoreError, match="has schema 0, older than this bot"):
        await PostgresStore.open_read_only(postgres_url)
    async with await PostgresStore.open(postgres_url, pool_size=1, voter_salt=SALT):
        pass
    async with await PostgresStore.open_read_only(postgres_url) as reader:
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await reader.set_meta("k", "v")


async def test_after_the_server_restarts_the_store_and_its_listener_recover(
    postgres: PostgresServer,
) -> None:
    """A server restart (a crash, a failover) drops every connection: writes fail while it
    is down, then work again, and the listening connection is made again."""
    with postgres_server(postgres.bin_dir) as server:  # a server of its own, to restart
        url = server.create_database("restart")
        here = await PostgresStore.open(url, pool_size=2, voter_salt=SALT)
        there = await PostgresStore.open(url, pool_size=2, voter_salt=SALT)
        there.origin = "another-host:1"
        received: asyncio.Queue[FleetEvent] = asyncio.Queue()
        listening = asyncio.create_task(there.listen_for_fleet(received.put_nowait))
        try:
            await _until_notified(here, received)
            await asyncio.to_thread(server.restart)
            await _until_notified(here, received)  # the pool and the listener are back
            await here.set_meta("after", "restart")
            assert await there.get_meta("after") == "restart"
        finally:
            await here.close()
            await there.close()
            await asyncio.wait_for(listening, 10)


async def _until_notified(store: PostgresStore, received: asyncio.Queue[FleetEvent]) -> None:
    """Ask for reloads until one is heard (a failed request, while the server is down or the
    listener not yet back, is tried again)."""
    for _ in range(100):
        with contextlib.suppress(*STORE_FAILURES):
            request = await store.request_reload(store.origin)
            with contextlib.suppress(TimeoutError):
                while (await asyncio.wait_for(received.get(), 0.3)).reload_request != request:
                    pass
                return
        await asyncio.sleep(0.2)
    raise AssertionError("no notification arrived")
