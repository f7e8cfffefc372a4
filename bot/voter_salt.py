"""The voter salt: the secret that turns a user id into a voter key. It lives apart from the
votes (its own file in the data folder, or a setting), so that the database and a member list
together cannot link votes to people."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

__all__ = ["MIN_SALT_CHARS", "VOTER_SALT_FILE", "SaltError", "new_salt", "read_salt", "write_salt"]

VOTER_SALT_FILE = "voter.salt"  # in TRIVIA_DATA_DIR, beside the database
MIN_SALT_CHARS = 16


class SaltError(Exception):
    """The salt file cannot be read or written, or holds no salt."""


def new_salt() -> str:
    """A fresh random salt."""
    return secrets.token_hex(16)


def read_salt(file: Path) -> str:
    """The salt in a salt file."""
    try:
        salt = file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeError) as exc:
        raise SaltError(f"cannot read the voter salt {file}: {exc}") from exc
    if len(salt) < MIN_SALT_CHARS:
        raise SaltError(
            f"the voter salt {file} is empty or cut short; restore it from a backup "
            "(or delete it: everyone could then vote once more on earlier answers)"
        )
    return salt


def write_salt(file: Path, salt: str) -> str:
    """Write `salt` to `file` unless it exists; return the salt the file holds. The file is
    private (mode 0600) and appears whole or not at all (a temporary file linked into place),
    so processes starting together (shards) agree on the first one written."""
    if not file.exists():
        try:
            descriptor, name = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.")
        except OSError as exc:
            raise SaltError(f"cannot write the voter salt {file}: {exc}") from exc
        temporary = Path(name)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                out.write(f"{salt}\n")
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another process wrote it first
                file.hardlink_to(temporary)
        except OSError as exc:
            raise SaltError(f"cannot write the voter salt {file}: {exc}") from exc
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink()
    return read_salt(file)
