"""synctool's own names in a service: its two files, its folder, its words.

Every module that writes or recognises one of these takes it from here.
"""

from __future__ import annotations

DECLARED = ".synctool.yml"  # declared state: written by people as well
LOCK = ".synctool.lock"  # applied state: synctool's alone
STATE_FILES = (DECLARED, LOCK)
STATE_PREFIX = ".synctool-"  # .synctool-journal/, a running sync's lock file, ...
JOURNAL = STATE_PREFIX + "journal"  # an interrupted sync's staged writes (journal/)
GITIGNORE = ".gitignore"
BUNDLED = "bundled"  # the blueprint shipped with synctool, as a source
CHECK_CACHE = "synctool-check"  # in the git folder: what `check` parsed last time


def keyed(stem: str, key: str, suffix: str) -> str:
    """``stem.suffix``; with a digest of ``key`` (the service's path in its
    repository) where several services share one git folder."""
    if not key:
        return f"{stem}.{suffix}"
    import hashlib
    import os

    return f"{stem}-{hashlib.sha256(os.fsencode(key)).hexdigest()[:16]}.{suffix}"
