"""The lock's entry for every rendered file: its hash, unless that could reveal a secret."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

from synctool.service.gitignore import ignored_paths
from synctool.service.lock import LockedFile
from synctool.tree import FileEntry, Ownership


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def locked_files(
    tree: Mapping[str, FileEntry],
    ownership: Callable[[str], Ownership],
    *,
    secrets: Sequence[str] = (),
    gitignores: Sequence[Mapping[str, bytes]] = (),
) -> dict[str, LockedFile]:
    """The lock's entry for every rendered file.

    A hash of a file holding a secret answer's value would let anyone who
    reads the lock test guesses of the secret, so such a file is recorded
    without one; so is every file an ignore file lists (``gitignores``:
    sets of `.gitignore` files, path -> content), as ignored files are where
    secrets live. A file without a hash is still merged (its base comes
    from the base render) but `check` cannot see its drift.

    A guessable value (``guessable``: short, or a plain word or number such
    as the default `postgres`) is tried first by anyone and would hide the
    drift of every file that happens to hold that word: it counts for nothing.
    """
    needles = [value.encode() for value in secrets if value and not guessable(value)]
    ignored: set[str] = set()
    for files in gitignores:
        ignored |= ignored_paths(tree, files)
    return {
        rel: LockedFile(
            None
            if rel in ignored or any(n in entry.data for n in needles)
            else sha256(entry.data),
            entry.mode,
            ownership(rel),
        )
        for rel, entry in tree.items()
    }


def guessable(secret: str) -> bool:
    """A secret value a dictionary attack finds at once: under 8 characters,
    or under 16 made of digits only or of letters of one case only."""
    if len(secret) < 8:
        return True
    plain = secret.isdigit() or (
        secret.isalpha() and (secret.islower() or secret.isupper())
    )
    return plain and len(secret) < 16
