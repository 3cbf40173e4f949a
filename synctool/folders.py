"""Where synctool keeps its own files on this machine, named once.

Under the user's cache folder (``~/.cache/synctool`` on Linux): renders,
checkouts, the bundled releases and the fleet's clones; under the state
folder: the sync mutex's lock files outside git; under the log folder: crash
reports. platformdirs places them for the platform (XDG on Linux, which the
tests point at a temporary folder). It is imported on use only: `synctool
check` seldom needs any of them.
"""

from __future__ import annotations

from pathlib import Path

APP = "synctool"


def cache(name: str) -> Path:
    """The cache folder ``name`` (``renders``, ``checkouts``, ``fleet`` ...)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP, appauthor=False)) / name


def state(name: str) -> Path:
    """The state folder ``name``: what must outlive a cache clean-up."""
    import platformdirs

    return Path(platformdirs.user_state_dir(APP, appauthor=False)) / name


def logs() -> Path:
    """The log folder, where crash reports are written."""
    import platformdirs

    return Path(platformdirs.user_log_dir(APP, appauthor=False))
