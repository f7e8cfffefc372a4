"""The `trivia-bot` console script, run as users run it: a real subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.store import DATABASE_FILE, LoggedQuestion, SqliteStore, Store
from tests.conftest import FACTS_DIR, FAKE_TOKEN, ROOT, seed_model_cache, unprivileged

BROKEN = ROOT / "tests" / "facts" / "fixtures" / "broken"
JSON_KEYS = {"question", "outcome", "fact_id", "topic", "answer", "score", "suggestions"}


def cli_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without the bot's settings, plus `env`; the data folder
    gets the cached models so the shipped facts load warm."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TRIVIA_", "DISCORD_"))}
    environment.update(env or {})
    data_dir = Path(environment.get("TRIVIA_DATA_DIR", ROOT / "data"))
    if data_dir.is_dir() or not data_dir.exists():
        seed_model_cache(data_dir)
    return environment


def run_cli(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=cli_environment(env),
        timeout=60,
        check=False,
    )


def test_ask_prints_answer_with_source() -> None:
    result = run_cli("ask", "who plays ballard")
    assert result.returncode == 0
    [line] = result.stdout.splitlines()  # one line per question, as in batch mode
    assert "Maggie Q" in line
    assert "Source: “" in line


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
    questions = "who wrote the books\n  EXIT \nwho plays ballard\n"
    result = run_cli("run", stdin=questions, env={"DISCORD_TOKEN": ""})
    assert result.returncode == 0
    assert "DISCORD_TOKEN is not set" in result.stdout
    assert "Michael Connelly" in result.stdout
    assert "Maggie Q" not in result.stdout  # `exit` (any case) left the console


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
        async with await SqliteStore.open(folder / DATABASE_FILE) as store:
            await fill_with_questions(store)

    asyncio.run(fill())


async def fill_with_questions(store: Store) -> None:
    """Four questions in two servers, a vote, and a suggestion two people confirmed."""
    now = time.time()
    for text, guild in [
        ("who plays the sister", 1),
        ("who plays the sister?", 1),
        ("when is season 2", 2),
    ]:
        entry = LoggedQuestion(now, guild, 5, text, "decline", 0.2)
        await store.record_question(entry, keep_text=True)
    await store.record_vote(await store.voter_key(3), 1, "cast.ballard_actor", 1)
    entry = LoggedQuestion(now, 1, 5, "whos the lead lady", "suggest", 0.4)
    kept = await store.record_question(entry, keep_text=True)
    assert kept is not None
    for voter in (3, 4):
        key = await store.voter_key(voter)
        await store.confirm(kept, "cast.ballard_actor", "click", key)


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


def test_facts_option_works_before_and_after_the_command() -> None:
    before = run_cli("--facts", str(BROKEN), "check")
    after = run_cli("check", "--facts", str(BROKEN))
    assert before.returncode == after.returncode == 1
    assert before.stdout == after.stdout
    # The command line wins over the environment, wherever the option stands.
    shipped = run_cli(
        "--facts", str(FACTS_DIR), "ask", "who plays ballard", env={"TRIVIA_FACTS_DIR": str(BROKEN)}
    )
    assert shipped.returncode == 0, shipped.stderr
    assert "Maggie Q" in shipped.stdout


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["ask", "--facts", "{missing}", "hi"], {}, "--facts"),
        # (The setting keeps `teach` away from the shipped facts should --facts be ignored.)
        (
            ["--facts", "{missing}", "teach", "cast.ballard_actor", "hi"],
            {"TRIVIA_FACTS_DIR": "{missing}/elsewhere"},
            "--facts",
        ),
        (["check", "{missing}"], {}, "check DIR"),
        (["check"], {"TRIVIA_FACTS_DIR": "{missing}"}, "TRIVIA_FACTS_DIR"),
        (["run"], {"TRIVIA_FACTS_DIR": "{missing}", "DISCORD_TOKEN": ""}, "TRIVIA_FACTS_DIR"),
        (["report"], {"TRIVIA_FACTS_DIR": "{missing}"}, "TRIVIA_FACTS_DIR"),
    ],
)
def test_a_missing_facts_folder_names_its_setting_exit_2(
    tmp_path: Path, args: list[str], env: dict[str, str], named: str
) -> None:
    missing = str(tmp_path / "missing")
    result = run_cli(
        *(a.format(missing=missing) for a in args),
        env={k: v.format(missing=missing) for k, v in env.items()},
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"trivia-bot: error: {named}: no fact-base folder at {missing}\n"


def test_no_facts_folder_here_names_both_ways_to_set_one(tmp_path: Path) -> None:
    result = run_cli("ask", "hi", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--facts" in result.stderr and "TRIVIA_FACTS_DIR" in result.stderr


BATCH = [
    "who plays ballard",
    "who plays her and where can I stream it",
    "",
    "what about the franchise",
    "what is the capital of france",
    "who wrote the books",
    "when did it premiere",
    "who is the lead",
]


def test_batch_text_mode_prints_one_line_per_input_line() -> None:
    result = run_cli("ask", stdin="\n".join(BATCH) + "\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(BATCH)
    assert "Maggie Q" in lines[0] and "Source: “" in lines[0]
    assert "Maggie Q" in lines[1] and "Prime Video" in lines[1]
    assert lines[1].count("Source: “") == 2 and " | " in lines[1]
    assert "doesn't say" in lines[2]
    assert lines[3].startswith("Did you mean: ") and lines[3].count("?") >= 2
    assert "Connelly" in lines[5] and "Source: “" in lines[5]


def test_ask_piped_into_head_stops_quietly(tmp_path: Path) -> None:
    questions = tmp_path / "q.txt"
    # Far more output than a pipe holds, so the bot is still writing when head has gone.
    questions.write_text("who plays ballard\n" * 400, encoding="utf-8")
    with questions.open("rb") as stdin:
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "ask", "--json"],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=cli_environment(),
        )
        assert bot.stdout is not None and bot.stderr is not None
        head = subprocess.run(
            ["head", "-1"], stdin=bot.stdout, capture_output=True, timeout=60, check=True
        )
        bot.stdout.close()
        stderr = bot.stderr.read().decode()
        code = bot.wait(timeout=60)
    assert json.loads(head.stdout)["outcome"] == "answer"
    assert stderr == ""
    assert code == 141


def _as_a_foreground_command() -> None:
    """Ctrl-C's SIGINT as a shell gives it to a command at the terminal: by default. A test
    run started in the background (`make test &`, some CI runners) has SIGINT ignored, which
    children inherit, and Python then never turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """A command on a pseudo-terminal: type into it, read what it shows."""

    def __init__(self, *command: str) -> None:
        self.master, slave = pty.openpty()
        env = cli_environment({"DISCORD_TOKEN": "", "TERM": "xterm"})
        self.process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=ROOT,
            env=env,
            preexec_fn=_as_a_foreground_command,  # noqa: PLW1509 (no threads start it)
        )
        os.close(slave)
        self.shown = b""

    def read_until(self, text: bytes, count: int = 1, timeout: float = 60) -> None:
        """Read until `text` has been shown `count` times; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self.shown.count(text) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"waited for {text!r}, saw {self.shown[-300:]!r}"
            if select.select([self.master], [], [], left)[0]:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # EIO: the command has ended
                    chunk = b""
                assert chunk, f"ended before {text!r}, saw {self.shown[-300:]!r}"
                self.shown += chunk

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def wait_until_reading(self, timeout: float = 30) -> None:
        """Until the command sleeps waiting for input (in select or poll), as it is when a
        person presses Ctrl-C at the prompt. A signal sent between the prompt's write and
        that wait is seen only once input arrives (readline checks signals when select
        returns): a race no person can hit, but a test sending at once can."""
        deadline = time.monotonic() + timeout
        wchan = Path(f"/proc/{self.process.pid}/wchan")
        while not wchan.read_text().startswith(("poll_schedule_timeout", "do_select")):
            assert time.monotonic() < deadline, "the command never waited for input"
            time.sleep(0.05)

    def exit_code(self) -> int | None:
        """The exit code, or None (and the command killed) if it did not end in time."""
        try:
            code = self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None
        finally:
            self._drain()
            os.close(self.master)
        return code

    def _drain(self) -> None:
        while select.select([self.master], [], [], 0.2)[0]:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            if not chunk:
                return
            self.shown += chunk


PROMPT = b"> "
TRIVIA_BOT = Path(sys.executable).parent / "trivia-bot"


def test_make_run_console_edits_lines_and_quits_on_a_terminal() -> None:
    """`make run` without a token: up-arrow recalls the last question, `quit` leaves."""
    terminal = Terminal(str(TRIVIA_BOT), "run")
    terminal.read_until(PROMPT)
    terminal.type(b"who wrote the books\r")
    terminal.read_until(PROMPT, 2)
    terminal.type(b"\x1b[A\r")
    terminal.read_until(PROMPT, 3)
    terminal.type(b"quit\r")
    code = terminal.exit_code()
    shown = terminal.shown.decode("utf-8", "replace")
    assert "DISCORD_TOKEN is not set" in shown
    assert shown.count("Source: “") == 2
    assert "^[[A" not in shown
    assert code == 0
    assert "doesn't say" not in shown


def test_console_ctrl_c_leaves_cleanly_on_a_terminal() -> None:
    terminal = Terminal(sys.executable, "-m", "bot", "console")
    terminal.read_until(PROMPT)
    terminal.wait_until_reading()
    terminal.process.send_signal(signal.SIGINT)  # what Ctrl-C at the prompt sends
    code = terminal.exit_code()
    shown = terminal.shown.decode("utf-8", "replace")
    assert code == 0
    assert "Traceback" not in shown and "KeyboardInterrupt" not in shown


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
