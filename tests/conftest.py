"""Shared fixtures: the shipped fact base and a matcher over it, built once per session."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from bot.facts.loader import load_fact_base
from bot.facts.model import FactBase
from bot.matching.matcher import Matcher
from bot.matching.training import MODEL_DIR
from tests.postgres_server import PostgresServer, find_binaries, postgres_server

ROOT = Path(__file__).resolve().parent.parent
FACTS_DIR = ROOT / "facts"
DATA_DIR = ROOT / "tests" / "data"
# Trained models are cached here by the content they were trained on, across test runs.
MODEL_CACHE = ROOT / ".cache"
# The source article lives beside the repository (../shared), as on every workplace machine.
ARTICLE = ROOT.parent / "shared" / "source" / "ballard-article.txt"
# Shaped like a bot token (three dot-separated parts) but not one; joined here so that no
# token-shaped string sits in the repository.
FAKE_TOKEN = ".".join(["MTIzNDU2Nzg5MDEyMzQ1Njc4", "GAbCdE", "abcdefghijklmnopqrstuvwxyz012345"])

# Root ignores file modes; a test of a read-only or foreign-owned file must not run as root.
# setpriv drops the capabilities that bypass them and keeps uid 0: `nobody` could not run the
# venv's interpreter here, which links into /root (mode 0700).
_BYPASS_CAPS = "-dac_override,-dac_read_search,-fowner"


def unprivileged(argv: Sequence[str]) -> list[str]:
    """`argv` as a process that file permissions bind: unchanged unless run as root."""
    if os.geteuid() != 0:
        return list(argv)
    return ["setpriv", f"--inh-caps={_BYPASS_CAPS}", f"--bounding-set={_BYPASS_CAPS}", *argv]


def seed_model_cache(data_dir: Path) -> None:
    """Give a data folder the models this test session trained, as an operator's data folder
    has them after the first start: the shipped facts then load warm (a cold start trains
    for seconds; the tests that need one say so)."""
    cached = MODEL_CACHE / MODEL_DIR
    if not cached.is_dir():
        Matcher(load_fact_base(FACTS_DIR), cache_dir=MODEL_CACHE)
    shutil.copytree(cached, data_dir / MODEL_DIR, dirs_exist_ok=True)


@pytest.fixture(scope="session")
def fact_base() -> FactBase:
    return load_fact_base(FACTS_DIR)


@pytest.fixture(scope="session")
def matcher(fact_base: FactBase) -> Matcher:
    return Matcher(fact_base, cache_dir=MODEL_CACHE)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session. Missing binaries skip its tests on a
    developer's machine, and fail them in CI (`CI=true`), where they must run."""
    bin_dir = find_binaries()
    if bin_dir is None:
        message = "PostgreSQL's initdb and pg_ctl not found (make test installs them)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    with postgres_server(bin_dir) as server:
        yield server


@pytest.fixture
def postgres_url(postgres: PostgresServer, request: pytest.FixtureRequest) -> str:
    """A new empty database of the session's server, for one test."""
    name = re.sub(r"\W", "_", request.node.name.lower())[:40] + f"_{next(_DATABASES)}"
    return postgres.create_database(name)


_DATABASES = itertools.count()
