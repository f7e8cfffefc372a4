"""`trivia-bot`: ask, check, console, run, sync and report, all from one settings object."""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import sys
import time
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from bot.curation import (
    ProposedExample,
    QuestionGroup,
    StatsReport,
    days_ago,
    group_questions,
    proposed_examples,
    proposed_examples_yaml,
    stub_facts_yaml,
)
from bot.facts.loader import FactBaseError, load_fact_base
from bot.facts.model import FactBase
from bot.fleet import FleetReload, await_answers
from bot.matching.lint import lint_fact_base
from bot.matching.matcher import Matcher
from bot.presenters.text import (
    fleet_reload_lines,
    groups_lines,
    match_as_json,
    match_as_line,
    match_as_text,
    proposals_lines,
    stats_lines,
)
from bot.privacy import configure_logging
from bot.settings import Settings
from bot.store import (
    DATABASE_FILE,
    PROCESS_GONE_AFTER,
    Store,
    StoreError,
    open_store,
    open_store_read_only,
    setting_for,
)
from bot.teaching import TeachingError, teach_example

__all__ = ["main"]

log = logging.getLogger(__name__)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
T = TypeVar("T")
# What a shell reports for a tool that SIGPIPE ended (128 + 13), as in `seq 1000 | head -1`.
EXIT_READER_GONE = 141
EXIT_INTERRUPTED = 130
PROMPT = "> "
QUIT_WORDS = frozenset({"quit", "exit"})
FACTS_HELP = "fact-base folder (before or after the command; wins over TRIVIA_FACTS_DIR)"


class CliError(Exception):
    """A problem to report on one line, with exit code 2."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    for stream in (sys.stdin, sys.stdout):
        if isinstance(stream, io.TextIOWrapper):
            # Undecodable input or an ASCII terminal must not end a batch in a traceback.
            stream.reconfigure(encoding="utf-8", errors="replace")
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        return _fail(_setting_problem(exc))
    configure_logging(settings.log_level)
    try:
        command: Callable[[argparse.Namespace, Path, Settings], int] = args.command
        code = command(args, _facts_folder(args, settings), settings)
        sys.stdout.flush()  # here, so that a reader gone by now is seen below
    except CliError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _reader_gone()
    return code


def _reader_gone() -> int:
    """stdout's reader has gone (`trivia-bot ask < q.txt | head -1`): stop quietly."""
    # Python flushes stdout again on exit; aimed at devnull, that flush cannot fail.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_READER_GONE


def _facts_folder(args: argparse.Namespace, settings: Settings) -> Path:
    """The fact-base folder: `check DIR`, else `--facts`, else TRIVIA_FACTS_DIR, else
    facts/ (the command line wins over the environment). A missing one is a CliError
    naming the argument or setting that chose it."""
    if getattr(args, "dir", None):
        folder, chosen_by = Path(args.dir), "check DIR"
    elif args.facts:
        folder, chosen_by = Path(args.facts), "--facts"
    elif "facts_dir" in settings.model_fields_set:
        folder, chosen_by = settings.facts_dir, "TRIVIA_FACTS_DIR"
    else:
        folder, chosen_by = settings.facts_dir, ""
    if folder.is_dir():
        return folder
    if chosen_by:
        raise CliError(f"{chosen_by}: no fact-base folder at {folder}")
    raise CliError(
        f"no fact-base folder at {folder} (the default); give --facts DIR or set TRIVIA_FACTS_DIR"
    )


def _setting_problem(exc: ValidationError) -> str:
    """The first bad setting on one line; its value is never shown (it may be the token)."""
    error = exc.errors()[0]
    field = ".".join(str(p) for p in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"bad setting {field}: {message}" if field else f"bad settings: {message}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trivia-bot",
        description="Answer questions about a TV series from a cited fact base.",
    )
    parser.add_argument("--facts", metavar="DIR", help=FACTS_HELP)
    # The same option after the command; SUPPRESS keeps a value given before the command.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--facts", metavar="DIR", default=argparse.SUPPRESS, help=FACTS_HELP)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    ask = sub.add_parser("ask", parents=[common], help="answer a question (or stdin lines)")
    ask.add_argument("question", nargs="*", help="the question; none: one per line on stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.set_defaults(command=_ask)
    check = sub.add_parser("check", parents=[common], help="validate and lint a fact base")
    check.add_argument("dir", nargs="?", help="fact-base folder (default: --facts)")
    check.add_argument("--article", metavar="FILE", help="also check sources against it")
    check.set_defaults(command=_check)
    console = sub.add_parser("console", parents=[common], help="an interactive prompt")
    console.set_defaults(command=_console)
    run = sub.add_parser("run", parents=[common], help="start the bot (console without token)")
    run.set_defaults(command=_run)
    sync = sub.add_parser("sync", parents=[common], help="sync slash commands to Discord now")
    sync.add_argument("--guild", type=int, metavar="ID", help="one server (default: all)")
    sync.set_defaults(command=_sync)
    report = sub.add_parser("report", parents=[common], help="stats and unanswered questions")
    report.add_argument("--guild", type=int, metavar="ID", help="one server (default: all)")
    report.add_argument("--days", type=int, default=30, metavar="N", help="look back N days")
    report.add_argument(
        "--yaml",
        action="store_true",
        help="print fact stubs for the top groups and the examples people confirmed",
    )
    report.set_defaults(command=_report)
    migrate = sub.add_parser("migrate", parents=[common], help="bring the database up to date")
    migrate.set_defaults(command=_migrate)
    reload = sub.add_parser("reload", parents=[common], help="reload every running bot process")
    reload.add_argument(
        "--timeout", type=float, default=60.0, metavar="S", help="wait S seconds for answers"
    )
    reload.set_defaults(command=_reload)
    teach = sub.add_parser("teach", parents=[common], help="add an approved example question")
    teach.add_argument("fact_id", help="the fact the question asks for")
    teach.add_argument("question", nargs="+", help="the question, as people asked it")
    teach.set_defaults(command=_teach)
    return parser


def _fail(message: str) -> int:
    print(f"trivia-bot: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load(facts_dir: Path) -> FactBase:
    """Load the fact base or raise a one-line CliError (details go to the log)."""
    try:
        return load_fact_base(facts_dir)
    except FactBaseError as exc:
        log.info("fact base problems:\n%s", exc)
        first = exc.problems[0]
        more = len(exc.problems) - 1
        suffix = f" (and {more} more; run `trivia-bot check {facts_dir}`)" if more else ""
        raise CliError(f"cannot load facts: {first}{suffix}") from exc


def _matcher(facts_dir: Path, settings: Settings) -> Matcher:
    """The matcher for the facts folder, its model cached in the data folder."""
    fact_base = _load(facts_dir)
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"TRIVIA_DATA_DIR: cannot use {settings.data_dir}: {exc.strerror}") from exc
    return Matcher(fact_base, cache_dir=settings.data_dir)


def _ask(args: argparse.Namespace, facts_dir: Path, settings: Settings) -> int:
    matcher = _matcher(facts_dir, settings)
    questions: Iterable[str] = [" ".join(args.question)] if args.question else sys.stdin
    # One output line per input line, blank ones included (declined), so outputs pair up.
    for raw in questions:
        match = matcher.match(raw.rstrip("\r\n"))
        line = match_as_json(match) if args.json else match_as_line(match, matcher.fact_base)
        print(line, flush=True)
    return EXIT_OK


def _check(args: argparse.Namespace, facts_dir: Path, settings: Settings) -> int:
    try:
        fact_base = load_fact_base(facts_dir)
    except FactBaseError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) in {facts_dir}", file=sys.stderr)
        return EXIT_PROBLEMS
    article = None
    if args.article:
        try:
            article = Path(args.article).read_text(encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot read article {args.article}: {exc.strerror}") from exc
    matcher = Matcher(fact_base, cache_dir=settings.data_dir)
    findings = lint_fact_base(fact_base, matcher, article)
    for finding in findings:
        print(finding)
    errors = [f for f in findings if not f.warning]
    summary = f"{len(fact_base)} facts, {fact_base.phrasing_count} phrasings"
    if errors:
        print(f"{summary}: {len(errors)} problem(s)", file=sys.stderr)
        return EXIT_PROBLEMS
    warnings = len(findings) - len(errors)
    print(f"{summary}: ok" + (f" ({warnings} warning(s))" if warnings else ""))
    return EXIT_OK


def _console(args: argparse.Namespace, facts_dir: Path, settings: Settings) -> int:
    """Answer until `quit`, `exit`, an empty line, Ctrl-D or Ctrl-C; each leaves with 0."""
    matcher = _matcher(facts_dir, settings)
    facts = len(matcher.fact_base)
    show = matcher.fact_base.lexicon.show.name
    print(f"Ask about {show} ({facts} facts loaded). quit, an empty line or Ctrl-D to leave.")
    prompt = f"{show.casefold()}{PROMPT}"
    _enable_line_editing()
    try:
        while (question := input(prompt).strip()) and question.casefold() not in QUIT_WORDS:
            print(match_as_text(matcher.match(question), matcher.fact_base), flush=True)
    except (EOFError, KeyboardInterrupt):
        print()  # the prompt's line was left open
    return EXIT_OK


def _enable_line_editing() -> None:
    """At a terminal, arrow keys and this session's history: input() uses readline once
    it is imported. Some platforms lack the module; the console then works without."""
    if not sys.stdin.isatty():
        return
    try:
        import readline  # noqa: F401, PLC0415
    except ImportError:
        log.info("no readline module: the console has no line editing")


def _run(args: argparse.Namespace, facts_dir: Path, settings: Settings) -> int:
    if settings.token is None:
        print("DISCORD_TOKEN is not set: starting the local console instead of the bot.")
        return _console(args, facts_dir, settings)
    from bot.discord_adapter import runner  # noqa: PLC0415 (discord.py loads only to connect)

    matcher = _matcher(facts_dir, settings)
    settings = settings.model_copy(update={"facts_dir": facts_dir})
    try:
        runner.run_bot(settings, matcher)
    except runner.StartupError as exc:
        raise CliError(str(exc)) from exc
    return EXIT_OK


def _sync(args: argparse.Namespace, facts_dir: Path, settings: Settings) -> int:
    if settings.token is None:
        raise CliError("DISCORD_TOKEN is not set; syncing commands needs the bot's token")
    from bot.discord_adapter import runner  # noqa: PLC0415 (discord.py loads only to connect)

    try:
        count = runner.sync_commands(settings, _matcher(facts_dir, settings), args.guild)
    except runner.StartupError as exc:
        raise CliError(str(exc)) from exc
    target = f"server {args.guild}" if args.guild else "all servers"
    print(f"synced {count} commands to {target}")
    return EXIT_OK


def _existing_database(settings: Settings) -> None:
    """A command about a running bot's state needs the database it uses."""
    database = settings.data_dir / DATABASE_FILE
    if settings.database is None and not database.is_file():
        raise CliError(f"no database at {database}; set TRIVIA_DATA_DIR to the bot's data folder")


def _store_step(step: Coroutine[Any, Any, T], settings: Settings) -> T:
    """Run a coroutine using the store; its problems are one line naming the setting."""
    try:
        return asyncio.run(step)
    except StoreError as exc:
        raise CliError(f"{setting_for(settings.database)}: {exc}") from exc


def _report(args: argparse.Namespace, facts_dir: Path, settings: Settings) -> int:
    _existing_database(settings)
    if args.days < 1:
        raise CliError("--days must be at least 1")
    fact_base = _load(facts_dir)
    report, groups, proposals = _store_step(
        _read_report(settings, fact_base, args.guild, args.days), settings
    )
    if args.yaml:
        print(stub_facts_yaml(groups), end="")
        print(proposed_examples_yaml(proposals), end="")
        return EXIT_OK
    print("\n".join(stats_lines(report)))
    print(f"Unanswered or unsure, last {args.days} days (most asked first):")
    print("\n".join(f"  {line}" for line in groups_lines(groups)) or "  nothing")
    print("Confirmed by users, to approve with `trivia-bot teach` (most confirmed first):")
    print("\n".join(f"  {line}" for line in proposals_lines(proposals)) or "  nothing")
    return EXIT_OK


def _teach(args: argparse.Namespace, facts_dir: Path, settings: Settings) -> int:
    question = " ".join(args.question)
    try:
        path = teach_example(facts_dir, args.fact_id, question)
    except TeachingError as exc:
        raise CliError(str(exc)) from exc
    except FactBaseError as exc:
        raise CliError(f"the fact base would not load with it: {exc.problems[0]}") from exc
    print(f"added to {path}; reload the bot (/facts reload or SIGHUP) to train on it")
    return EXIT_OK


def _migrate(args: argparse.Namespace, facts_dir: Path, settings: Settings) -> int:
    version = _store_step(_migrated_version(settings), settings)
    print(f"the database is at schema {version}, this bot's")
    return EXIT_OK


async def _migrated_version(settings: Settings) -> int:
    async with await _open(settings) as store:  # opening migrates, once, under a lock
        return await store.schema_version()


def _reload(args: argparse.Namespace, facts_dir: Path, settings: Settings) -> int:
    """Ask every running bot process sharing the database to reload its facts folder."""
    _existing_database(settings)
    fleet = _store_step(_reload_fleet(settings, args.timeout), settings)
    if not fleet.asked:
        raise CliError("no running bot process shares this database")
    print("\n".join(fleet_reload_lines(fleet)))
    return EXIT_OK if fleet.reloaded == fleet.asked else EXIT_PROBLEMS


async def _reload_fleet(settings: Settings, timeout: float) -> FleetReload:
    async with await _open(settings) as store:
        request = await store.request_reload(f"trivia-bot reload ({store.origin})")
        return await await_answers(store, request, timeout)


async def _open(settings: Settings) -> Store:
    return await open_store(
        settings.data_dir, settings.database, pool_size=2, voter_salt=settings.salt
    )


async def _read_report(
    settings: Settings, fact_base: FactBase, guild_id: int | None, days: int
) -> tuple[StatsReport, list[QuestionGroup], list[ProposedExample]]:
    async with await open_store_read_only(settings.data_dir, settings.database) as store:
        report = StatsReport(
            facts=len(fact_base),
            phrasings=fact_base.phrasing_count,
            outcomes=await store.usage_totals(guild_id),
            votes=await store.vote_totals(guild_id),
            processes=tuple(await store.processes(time.time() - PROCESS_GONE_AFTER)),
        )
        logged = await store.logged_questions(guild_id, days_ago(days))
        confirmed = await store.confirmations(guild_id, days_ago(days))
    proposals = proposed_examples(confirmed, (f.id for f in fact_base.facts))
    return report, group_questions(q.text for q in logged), proposals


if __name__ == "__main__":
    raise SystemExit(main())
