"""Reloading the fact base: a valid folder is swapped in whole, a broken one never is."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.facts.loader import EXAMPLES_DIR, load_fact_base
from bot.live import FactBaseChanges, LiveMatcher, watch_folder
from tests.conftest import FACTS_DIR


@pytest.fixture
def facts_copy(tmp_path: Path) -> Path:
    """The shipped facts without their example sets: every edit retrains the model, and on
    the phrasings alone that takes a second or two."""
    folder = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, folder, ignore=shutil.ignore_patterns(EXAMPLES_DIR))
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def test_a_valid_edit_is_served_with_its_changes(facts_copy: Path) -> None:
    live = LiveMatcher.load(facts_copy, cache_dir=facts_copy.parent / "data")
    before = live.matcher
    edit(facts_copy / "cast.yaml", "Maggie Q plays", "Maggie Q (Nikita) plays")
    edit(facts_copy / "production.yaml", "id: production.adapted_by", "id: production.adapted")
    result = await live.reload()
    assert result.ok
    assert result.changes == FactBaseChanges(
        added=("production.adapted",),
        removed=("production.adapted_by",),
        edited=("cast.ballard_actor",),
    )
    assert live.matcher is not before
    answer = live.matcher.match("who plays ballard").fact
    assert answer is not None and "(Nikita)" in answer.answer
    assert live.completer.complete("who pl")


async def test_a_broken_folder_keeps_the_old_facts(facts_copy: Path) -> None:
    live = LiveMatcher.load(facts_copy, cache_dir=facts_copy.parent / "data")
    before = live.matcher
    (facts_copy / "cast.yaml").write_text("facts:\n  - id: [unclosed\n", encoding="utf-8")
    edit(facts_copy / "style.yaml", "topic: style", "topic: vibes")
    result = await live.reload()
    assert not result.ok
    assert {Path(p.file).name for p in result.problems} == {"cast.yaml", "style.yaml"}
    assert all(p.line > 0 for p in result.problems)
    assert live.matcher is before
    assert live.matcher.match("who plays ballard").fact is not None


async def test_an_unchanged_folder_reports_no_changes(facts_copy: Path) -> None:
    live = LiveMatcher.load(facts_copy, cache_dir=facts_copy.parent / "data")
    models = sorted((facts_copy.parent / "data" / "models").iterdir())
    assert len(models) == 1  # the model was cached by the content it was trained on
    result = await live.reload()
    assert sorted((facts_copy.parent / "data" / "models").iterdir()) == models  # and reused
    assert result.ok and result.changes is not None and not result.changes
    assert not result.lexicon_changed


def test_changes_between_equal_bases_are_empty() -> None:
    base = load_fact_base(FACTS_DIR)
    assert not FactBaseChanges.between(base, base)


# Watching the folder ------------------------------------------------------------------------


def rename_over(folder: Path) -> None:
    """Deploy a new folder as tools do: build it beside, move the old away, move it in."""
    new, old = folder.with_name("facts.new"), folder.with_name("facts.old")
    shutil.copytree(folder, new)
    folder.rename(old)
    new.rename(folder)


def delete_and_recreate(folder: Path) -> None:
    shutil.rmtree(folder)
    folder.mkdir()


async def until_a_batch_names(batches: asyncio.Queue[set[Any]], name: str, edit: Path) -> None:
    """Write `edit` (again and again, as the watch may still be starting) until a batch of
    changes names `name`."""
    for attempt in range(30):
        edit.write_text(f"# {attempt}\n", encoding="utf-8")
        with contextlib.suppress(TimeoutError):
            while True:
                batch = await asyncio.wait_for(batches.get(), 1.0)
                if any(Path(path).name == name for _, path in batch):
                    return
    raise AssertionError(f"no change to {name} was reported")


@pytest.mark.parametrize("replace", [rename_over, delete_and_recreate])
async def test_the_watch_outlives_the_folder_being_replaced(
    tmp_path: Path, replace: Callable[[Path], None]
) -> None:
    folder = tmp_path / "facts"
    folder.mkdir()
    stop, batches = asyncio.Event(), asyncio.Queue[set[Any]]()

    async def collect() -> None:
        async for batch in watch_folder(folder, stop):
            batches.put_nowait(batch)

    task = asyncio.create_task(collect())
    try:
        await until_a_batch_names(batches, "a.yaml", folder / "a.yaml")
        replace(folder)
        await until_a_batch_names(batches, "b.yaml", folder / "b.yaml")
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
