"""The bot's state, behind one interface (`Store`) with two backends: a SQLite file in the
data folder (the default, one host) or PostgreSQL (`TRIVIA_DATABASE_URL`, several hosts).
Both apply the same numbered migrations (`bot.store.migrations`) at start-up."""

from __future__ import annotations

from pathlib import Path

from bot.store.base import (
    PROCESS_GONE_AFTER,
    Confirmation,
    FleetEvent,
    LoggedQuestion,
    ProcessRecord,
    ReloadAnswer,
    Store,
    StoreError,
)
from bot.store.migrations import MIGRATIONS, SALT_MOVED_OUT
from bot.store.postgres import POSTGRES_FAILURES, PostgresStore
from bot.store.sqlite import DATABASE_FILE, SQLITE_FAILURES, VOTER_SALT_FILE, SqliteStore

__all__ = [
    "DATABASE_FILE",
    "MIGRATIONS",
    "PROCESS_GONE_AFTER",
    "SALT_MOVED_OUT",
    "STORE_FAILURES",
    "VOTER_SALT_FILE",
    "Confirmation",
    "FleetEvent",
    "LoggedQuestion",
    "PostgresStore",
    "ProcessRecord",
    "ReloadAnswer",
    "SqliteStore",
    "Store",
    "StoreError",
    "open_store",
    "open_store_read_only",
    "setting_for",
]

# What a store call can raise while the bot runs, whichever the backend: the bot logs these
# and goes on answering (a question it could not record is still answered).
STORE_FAILURES: tuple[type[Exception], ...] = (StoreError, *SQLITE_FAILURES, *POSTGRES_FAILURES)


async def open_store(
    data_dir: Path, database_url: str | None, *, pool_size: int = 10, voter_salt: str | None
) -> Store:
    """The store the settings name, migrated and checked: PostgreSQL when a URL is given
    (the voter salt then comes from the settings: every host must hash voters alike), else
    the SQLite file in the data folder. StoreError on one line if it cannot be used."""
    if database_url is not None:
        if voter_salt is None:
            raise StoreError("TRIVIA_VOTER_SALT must be set with TRIVIA_DATABASE_URL")
        return await PostgresStore.open(database_url, pool_size=pool_size, voter_salt=voter_salt)
    return await SqliteStore.open(data_dir / DATABASE_FILE, voter_salt=voter_salt)


async def open_store_read_only(data_dir: Path, database_url: str | None) -> Store:
    """The same store for reading only (reports): never migrated, never written."""
    if database_url is not None:
        return await PostgresStore.open_read_only(database_url)
    return await SqliteStore.open_read_only(data_dir / DATABASE_FILE)


def setting_for(database_url: str | None) -> str:
    """The setting a store problem is about, to name it in the one-line error."""
    return "TRIVIA_DATABASE_URL" if database_url is not None else "TRIVIA_DATA_DIR"
