"""The real bot, started as users start it (`python -m bot run`), against the stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest_asyncio

from bot.facts.loader import EXAMPLES_DIR, load_fact_base
from bot.matching.matcher import Matcher, Outcome
from tests.conftest import FACTS_DIR, MODEL_CACHE, ROOT, seed_model_cache
from tests.e2e.standin import OWNER_ID, DiscordStandIn

READY_TIMEOUT = 30.0


@dataclass
class BotProcess:
    """A running `trivia-bot run` and what it was given."""

    process: asyncio.subprocess.Process
    standin: DiscordStandIn
    facts_dir: Path
    data_dir: Path
    log_file: Path

    def log(self) -> str:
        """Everything the bot has logged so far."""
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    async def stop(self) -> int:
        """SIGTERM (a clean close), then SIGKILL if it does not exit."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode or 0


async def start_bot(
    standin: DiscordStandIn,
    facts_dir: Path,
    data_dir: Path,
    *,
    probe_in_guild: bool = False,
    settings: Mapping[str, str] | None = None,
    **env: str,
) -> BotProcess:
    """Start the bot process and wait until it answers a DM, or a mention in the guild for a
    process whose shards do not take DMs (it is then fully connected)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TRIVIA_", "DISCORD_"))}
    environment.update(
        DISCORD_TOKEN=standin.token,
        DISCORD_API_BASE=standin.api_base,
        TRIVIA_FACTS_DIR=str(facts_dir),
        TRIVIA_DATA_DIR=str(data_dir),
        TRIVIA_MESSAGE_CONTENT="1",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    environment.update(settings or {})
    environment.update(env)
    e2e_matcher()  # trained and cached once, then copied to each bot's data folder
    seed_model_cache(data_dir)
    log_file = data_dir.parent / f"bot-{len(list(data_dir.parent.glob('bot-*.log')))}.log"
    with log_file.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=environment, stdout=sink, stderr=sink
        )
    bot = BotProcess(process, standin, facts_dir, data_dir, log_file)
    await wait_until_answering(bot, in_guild=probe_in_guild)
    return bot


async def wait_until_answering(bot: BotProcess, *, in_guild: bool = False) -> None:
    """Probe with a DM from the server owner (or a mention in the guild) until the bot
    replies."""
    deadline = asyncio.get_running_loop().time() + READY_TIMEOUT
    while asyncio.get_running_loop().time() < deadline:
        if bot.process.returncode is not None:
            raise AssertionError(f"the bot exited with {bot.process.returncode}:\n{bot.log()}")
        if not bot.standin.identifies:
            await asyncio.sleep(0.2)
            continue
        if in_guild:
            mention = f"<@{bot.standin.bot_user_id}> help"
            message = await bot.standin.send_message(mention, author=OWNER_ID)
        else:
            message = await bot.standin.send_message("help", author=OWNER_ID, guild=False)
        with contextlib.suppress(TimeoutError):
            await message.reply(timeout=1.0)
            return
    raise AssertionError(f"the bot never answered:\n{bot.log()}")


E2E_EXAMPLES = "dev.yaml"
SUGGEST_CANDIDATES = (
    "bosch stuff",
    "what staff does her unit have",
    "does she have help or is she flying solo",
    "is there corupption stuff",
    "how does the lead actress do in the role",
)


@functools.cache
def e2e_facts() -> Path:
    """The shipped facts with one example set (dev) of the many, which the bots here serve:
    these tests are about Discord, and with less to learn from a bot trains in a few
    seconds, so the reloads after an edit (which retrain) stay quick. The full model is
    tested in tests/matching/."""
    folder = MODEL_CACHE / "e2e-facts"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(FACTS_DIR, folder, ignore=shutil.ignore_patterns(EXAMPLES_DIR))
    (folder / EXAMPLES_DIR).mkdir()
    shutil.copy(FACTS_DIR / EXAMPLES_DIR / E2E_EXAMPLES, folder / EXAMPLES_DIR)
    return folder


@functools.cache
def e2e_matcher() -> Matcher:
    """The matcher the bots start with (its model then cached for them)."""
    return Matcher(load_fact_base(e2e_facts()), cache_dir=MODEL_CACHE)


@functools.cache
def a_suggested_question() -> str:
    """A question the served facts answer with "did you mean" (tuning moves them about)."""
    for question in SUGGEST_CANDIDATES:
        if e2e_matcher().match(question).outcome is Outcome.SUGGEST:
            return question
    raise AssertionError("no candidate question is answered with suggestions any more")


def copy_facts(tmp: Path) -> Path:
    """A fact folder of the test's own, to edit."""
    folder = tmp / "facts"
    shutil.copytree(e2e_facts(), folder)
    return folder


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def standin() -> AsyncIterator[DiscordStandIn]:
    async with DiscordStandIn(heartbeat_interval_ms=5000) as server:
        yield server
        server.assert_clean()  # no unknown route, no crash, nothing refused all module long


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(standin: DiscordStandIn, tmp_path_factory: object) -> AsyncIterator[BotProcess]:
    tmp = Path(str(tmp_path_factory.mktemp("bot")))  # type: ignore[attr-defined]
    process = await start_bot(standin, copy_facts(tmp), tmp / "data")
    yield process
    await process.stop()
