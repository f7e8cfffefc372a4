"""The `trivia-bot` console script, run as users run it: a real subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from bot.store import DATABASE_FILE, LoggedQuestion, Store
from tests.conftest import FACTS_DIR, FAKE_TOKEN, ROOT, seed_model_cache, unprivileged

BROKEN = ROOT / "tests" / "facts" / "fixtures" / "broken"
JSON_KEYS = {"question", "outcome", "fact_id", "topic", "answer", "score", "suggestions"}


def run_cli(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TRIVIA_", "DISCORD_"))}
    environment.update(env or {})
    data_dir = Path(environment.get("TRIVIA_DATA_DIR", ROOT / "data"))
    if data_dir.is_dir() or not data_dir.exists():
        seed_model_cache(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=60,
        check=False,
    )


def test_ask_prints_answer_with_source() -> None:
    result = run_cli("ask", "who plays ballard")
    assert result.returncode == 0
    assert "Maggie Q" in result.stdout
    assert "Source: “" in result.stdout


def test_ask_json_shape() -> None:
    result = run_cli("ask", "--json", "who plays ballard")
    data = json.loads(result.stdout)
    assert set(data) >= JSON_KEYS
    assert data["outcome"] == "answer"
    assert data["fact_id"] == "cast.ballard_actor"
    assert data["topic"] == "cast"
    assert data["suggestions"] == []


def test_batch_mode_one_line_per_question() -> None:
    questions = "who plays ballard\n\nwhen did ballard premiere\nwhat about the franchise\n"
    result = run_cli("ask", "--json", stdin=questions)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["outcome"] for r in rows] == ["answer", "decline", "decline", "suggest"]
    assert [r["question"] for r in rows][:2] == ["who plays ballard", ""]
    assert rows[2]["fact_id"] is None
    assert rows[2]["answer"] is None
    assert rows[3]["suggestions"][0]["fact_id"].startswith("franchise.")


def test_decline_names_the_topics() -> None:
    result = run_cli("ask", "what is the capital of france")
    assert "doesn't say" in result.stdout
    assert "cast" in result.stdout


def test_check_shipped_facts_passes() -> None:
    result = run_cli("check", str(FACTS_DIR))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok" in result.stdout


def test_check_broken_folder_lists_every_problem() -> None:
    result = run_cli("check", str(BROKEN))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 10
    assert all(":" in line for line in lines)
    assert "Traceback" not in result.stderr


def test_bad_facts_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run_cli("ask", "--facts", str(tmp_path / "missing"), "who plays ballard")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "not a readable folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_facts_via_environment_is_exit_2() -> None:
    result = run_cli("ask", "hi", env={"TRIVIA_FACTS_DIR": str(BROKEN)})
    assert result.returncode == 2
    assert "cannot load facts" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_is_one_line_exit_2() -> None:
    result = run_cli("ask", "hi", env={"LOG_LEVEL": "loud"})
    assert result.returncode == 2
    assert result.stderr.startswith("trivia-bot: error: bad setting LOG_LEVEL")
    assert "Traceback" not in result.stderr


def test_console_answers_until_eof() -> None:
    result = run_cli("console", stdin="who plays ballard\nwhen did it premiere\n")
    assert result.returncode == 0
    assert "Maggie Q" in result.stdout
    assert "doesn't say" in result.stdout


def test_run_without_token_opens_console() -> None:
    result = run_cli("run", stdin="who wrote the books\n", env={"DISCORD_TOKEN": ""})
    assert result.returncode == 0
    assert "DISCORD_TOKEN is not set" in result.stdout
    assert "Michael Connelly" in result.stdout


def test_long_noisy_question_does_not_crash() -> None:
    noise = "who plays ballard " + "\u200b@everyone ☃ " * 400
    result = run_cli("ask", "--json", noise[:4000])
    assert result.returncode == 0
    assert json.loads(result.stdout)["outcome"] in {"answer", "suggest", "decline"}


def test_undecodable_input_is_answered_not_crashed() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input=b"who plays ballard\n\xff\xfe bad bytes\n",
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert rows[0]["outcome"] == "answer"
    assert len(rows) == 2


SECRET = "not-a-real-token-but-secret"


def test_malformed_token_is_one_line_and_never_echoed() -> None:
    result = run_cli("run", env={"DISCORD_TOKEN": SECRET})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "trivia-bot: error: bad setting DISCORD_TOKEN: does not look like a bot token "
        "(three dot-separated parts)"
    ]
    assert SECRET not in result.stdout + result.stderr


def test_unreachable_api_is_one_line_exit_2(tmp_path: Path) -> None:
    token = FAKE_TOKEN
    env = {
        "DISCORD_TOKEN": token,
        "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10",
        "TRIVIA_DATA_DIR": str(tmp_path),
    }
    result = run_cli("run", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("trivia-bot: error: DISCORD_API_BASE: cannot reach")
    assert "Traceback" not in result.stderr
    assert token not in result.stdout + result.stderr


def test_unusable_data_dir_is_one_line_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    token = FAKE_TOKEN
    result = run_cli("run", env={"DISCORD_TOKEN": token, "TRIVIA_DATA_DIR": str(blocker)})
    assert result.returncode == 2
    assert result.stderr.startswith("trivia-bot: error: TRIVIA_DATA_DIR: cannot")


def test_sync_without_token_is_one_line_exit_2() -> None:
    result = run_cli("sync", env={"DISCORD_TOKEN": ""})
    assert result.returncode == 2
    assert "DISCORD_TOKEN is not set" in result.stderr


def _database_with_questions(folder: Path) -> None:
    async def fill() -> None:
        async with await Store.open(folder / DATABASE_FILE) as store:
            now = time.time()
            for text, guild in [
                ("who plays the sister", 1),
                ("who plays the sister?", 1),
                ("when is season 2", 2),
            ]:
                entry = LoggedQuestion(now, guild, 5, text, "decline", 0.2)
                await store.record_question(entry, keep_text=True)
            await store.record_vote(9, await store.voter_key(3), 1, "cast.ballard_actor", 1)
            entry = LoggedQuestion(now, 1, 5, "whos the lead lady", "suggest", 0.4)
            kept = await store.record_question(entry, keep_text=True)
            assert kept is not None
            for voter in (3, 4):
                key = await store.voter_key(voter)
                await store.confirm(kept, "cast.ballard_actor", "click", key)

    asyncio.run(fill())


def test_report_prints_stats_and_unanswered_groups(tmp_path: Path) -> None:
    _database_with_questions(tmp_path)
    result = run_cli("report", env={"TRIVIA_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "Questions served: 4" in result.stdout
    assert "2× whos the lead lady → cast.ballard_actor" in result.stdout
    assert "Feedback: 1 👍, 0 👎" in result.stdout
    assert "2× who plays the sister (+1 similar)" in result.stdout
    one_guild = run_cli("report", "--guild", "2", env={"TRIVIA_DATA_DIR": str(tmp_path)})
    assert "1× when is season 2" in one_guild.stdout and "sister" not in one_guild.stdout


def test_report_yaml_prints_fact_stubs(tmp_path: Path) -> None:
    _database_with_questions(tmp_path)
    result = run_cli("report", "--yaml", env={"TRIVIA_DATA_DIR": str(tmp_path)})
    stubs = yaml.safe_load(result.stdout)
    assert stubs["facts"][0]["questions"] == ["who plays the sister", "who plays the sister?"]
    assert stubs["proposed_examples"] == {
        "cast.ballard_actor": [{"q": "whos the lead lady", "confirmed": 2}]
    }


def test_teach_adds_an_example_and_refuses_an_unknown_fact(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, facts)
    added = run_cli("teach", "--facts", str(facts), "cast.ballard_actor", "whos", "the", "lead")
    assert added.returncode == 0, added.stderr
    assert "taught.yaml" in added.stdout
    taught = yaml.safe_load((facts / "examples" / "taught.yaml").read_text(encoding="utf-8"))
    assert taught["examples"] == [{"q": "whos the lead", "expect": ["cast.ballard_actor"]}]
    refused = run_cli("teach", "--facts", str(facts), "no.such.fact", "whos the lead")
    assert refused.returncode == 2
    assert refused.stderr.startswith("trivia-bot: error: no fact 'no.such.fact'")


def test_report_without_a_database_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run_cli("report", env={"TRIVIA_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2 and "no database" in result.stderr


def test_a_corrupt_database_is_a_clear_error_at_start_up(tmp_path: Path) -> None:
    (tmp_path / DATABASE_FILE).write_bytes(b"garbage" * 1000)
    token = FAKE_TOKEN
    result = run_cli("run", env={"DISCORD_TOKEN": token, "TRIVIA_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.startswith("trivia-bot: error: TRIVIA_DATA_DIR: cannot use database")
    assert "Traceback" not in result.stderr


def test_report_reads_a_database_in_a_read_only_folder(tmp_path: Path) -> None:
    """Reporting only reads: a folder this user cannot write (no -wal or -shm file can be
    made there) is no obstacle, and nothing in it changes."""
    data = tmp_path / "data"
    data.mkdir()
    _database_with_questions(data)
    before = sorted(p.name for p in data.iterdir())
    data.chmod(0o555)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TRIVIA_", "DISCORD_"))}
    try:
        result = subprocess.run(
            unprivileged([sys.executable, "-m", "bot", "report"]),
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**environment, "TRIVIA_DATA_DIR": str(data)},
            timeout=60,
            check=False,
        )
    finally:
        data.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert "Questions served: 4" in result.stdout
    assert sorted(p.name for p in data.iterdir()) == before
