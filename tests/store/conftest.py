"""The store's tests run against both backends: a SQLite file, and a database of a real
PostgreSQL server (started once per session, a new database per test)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.store import PostgresStore, SqliteStore, Store

SALT = "a-test-salt-of-some-length"


@dataclass(frozen=True)
class StoreSpot:
    """Where a test's store lives; open it as often as the test needs (each open is what a
    process starting does: connect, migrate, check)."""

    backend: str
    path: Path  # the SQLite file (unused for PostgreSQL)
    url: str | None  # the PostgreSQL database (None for SQLite)

    async def open(self) -> Store:
        if self.url is not None:
            return await PostgresStore.open(self.url, pool_size=4, voter_salt=SALT)
        return await SqliteStore.open(self.path, voter_salt=SALT)

    async def open_read_only(self) -> Store:
        if self.url is not None:
            return await PostgresStore.open_read_only(self.url)
        return await SqliteStore.open_read_only(self.path)


@pytest.fixture(params=["sqlite", "postgres"])
def spot(request: pytest.FixtureRequest, tmp_path: Path) -> StoreSpot:
    path = tmp_path / "trivia.sqlite3"
    if request.param == "postgres":
        return StoreSpot("postgres", path, request.getfixturevalue("postgres_url"))
    return StoreSpot("sqlite", path, None)
