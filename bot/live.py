"""The matcher being served, replaced whole on reload: a broken folder never replaces it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from watchfiles import Change, awatch

from bot.facts.loader import FactBaseError, LoadProblem, load_fact_base
from bot.facts.model import FactBase
from bot.matching.completion import QuestionCompleter
from bot.matching.matcher import Matcher
from bot.matching.training import model_digest

__all__ = ["FactBaseChanges", "LiveMatcher", "ReloadResult", "watch_folder"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FactBaseChanges:
    """Fact ids added, removed and edited between two fact bases."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    edited: tuple[str, ...] = ()

    @classmethod
    def between(cls, old: FactBase, new: FactBase) -> FactBaseChanges:
        """Compare by id; a fact whose content differs in any field counts as edited."""
        old_facts = {f.id: f for f in old.facts}
        new_facts = {f.id: f for f in new.facts}
        return cls(
            added=tuple(sorted(new_facts.keys() - old_facts.keys())),
            removed=tuple(sorted(old_facts.keys() - new_facts.keys())),
            edited=tuple(
                sorted(
                    i for i in old_facts.keys() & new_facts.keys() if old_facts[i] != new_facts[i]
                )
            ),
        )

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.edited)


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What a reload did: the changes on success, the problems (old base kept) on failure."""

    changes: FactBaseChanges | None = None
    problems: tuple[LoadProblem, ...] = ()
    lexicon_changed: bool = False

    @property
    def ok(self) -> bool:
        """Whether the new fact base is now being served."""
        return not self.problems


@dataclass(frozen=True, slots=True)
class _Served:
    matcher: Matcher
    completer: QuestionCompleter
    digest: str  # the content hash of the fact base (what its model is trained from)

    @classmethod
    def of(cls, matcher: Matcher) -> _Served:
        fact_base = matcher.fact_base
        return cls(matcher, QuestionCompleter(fact_base), model_digest(fact_base)[:DIGEST_CHARS])


DIGEST_CHARS = 12  # enough to tell fact bases apart at a glance


class LiveMatcher:
    """Holds the current matcher; `reload()` builds a new one and swaps one reference."""

    def __init__(self, facts_dir: Path, matcher: Matcher, *, cache_dir: Path | None) -> None:
        self.facts_dir = facts_dir
        self.cache_dir = cache_dir
        self._served = _Served.of(matcher)
        self._lock = asyncio.Lock()

    @classmethod
    def load(cls, facts_dir: Path, *, cache_dir: Path | None) -> LiveMatcher:
        """The first load; raises FactBaseError, as there is nothing to fall back on."""
        matcher = Matcher(load_fact_base(facts_dir), cache_dir=cache_dir)
        return cls(facts_dir, matcher, cache_dir=cache_dir)

    @property
    def matcher(self) -> Matcher:
        """The matcher to use for one question (take it once per question)."""
        return self._served.matcher

    @property
    def completer(self) -> QuestionCompleter:
        """Autocomplete over the same fact base."""
        return self._served.completer

    @property
    def digest(self) -> str:
        """The content hash of the fact base served (the same on every process serving the
        same files)."""
        return self._served.digest

    async def reload(self) -> ReloadResult:
        """Load the folder and build its matcher (the cached model, or one trained now) off
        the event loop; swap facts and model together, only if all of it is valid."""
        async with self._lock:  # two reloads at once would race to swap
            try:
                served = await asyncio.to_thread(_load_and_serve, self.facts_dir, self.cache_dir)
            except FactBaseError as exc:
                log.warning("reload of %s refused:\n%s", self.facts_dir, exc)
                return ReloadResult(problems=tuple(exc.problems))
            old = self._served.matcher.fact_base
            self._served = served
        new = served.matcher.fact_base
        changes = FactBaseChanges.between(old, new)
        lexicon_changed = old.lexicon != new.lexicon
        log.info("reloaded %s: %s", self.facts_dir, changes)
        return ReloadResult(changes=changes, lexicon_changed=lexicon_changed)


def _load_and_serve(facts_dir: Path, cache_dir: Path | None) -> _Served:
    return _Served.of(Matcher(load_fact_base(facts_dir), cache_dir=cache_dir))


# How often the watch checks that the folder is still the one it watches (a replaced folder
# sends no events), or comes back after it went.
RECHECK_SECONDS = 1.0


async def watch_folder(folder: Path, stop: asyncio.Event) -> AsyncIterator[set[tuple[Change, str]]]:
    """Each batch of changes to the files under `folder`, until `stop` is set. The watch
    follows the path, not the directory first found there: when the folder is deleted,
    renamed away or replaced, it waits for a folder there again, watches that one, and
    reports it as changed (any of its files may differ)."""
    folder = folder.absolute()  # as the changes name it
    watched: tuple[int, int] | None = None
    while not stop.is_set():
        current = _identity(folder)
        if current is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RECHECK_SECONDS)
            continue
        if watched is not None:
            log.warning("the facts folder %s was replaced; watching the new one", folder)
            yield {(Change.modified, str(folder))}
        watched = current
        with contextlib.suppress(FileNotFoundError):  # gone again before the watch began
            async for changes in awatch(
                folder,
                debounce=500,
                stop_event=stop,
                rust_timeout=int(RECHECK_SECONDS * 1000),
                yield_on_timeout=True,
            ):
                if changes:
                    yield changes
                if str(folder) in {path for _, path in changes} or _identity(folder) != watched:
                    break  # the directory watched is no longer the folder


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which directory is at the path now (device and inode), or None if none is."""
    try:
        status = folder.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino) if stat.S_ISDIR(status.st_mode) else None
