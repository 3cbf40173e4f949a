"""One sync at a time per service.

A sync (`sync`, `update`, `sync --abort`) holds an exclusive lock on a file
for as long as it runs; a second one is refused with a line naming the
holder (pid, command, since when). The lock file is never in the working
tree: it is in the service's git folder (``.git/synctool-sync.lock``, one per
service when several share a repository), or, outside git, in synctool's
state folder. The lock is the kernel's (``flock``): a killed holder releases
it with its last file descriptor, so a stale lock never blocks anyone. Where
there is no ``fcntl`` (Windows) the file is created exclusively and a lock
whose process is gone is taken over.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from synctool import folders, git
from synctool.errors import GitError, InputError
from synctool.service.names import keyed

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "synctool-sync"


def lock_path(root: Path) -> Path:
    """Where the lock of the service at ``root`` lives (outside its tree)."""
    try:
        out = git.run(["rev-parse", "--absolute-git-dir", "--show-prefix"], cwd=root)
        git_dir, prefix = [*out.splitlines(), "", ""][:2]
    except GitError:
        git_dir, prefix = "", ""
    if git_dir:
        return Path(git_dir) / keyed(LOCK_NAME, prefix.strip("/"), "lock")
    return _state_path(root)


def _state_path(root: Path) -> Path:
    """Outside git (or a read-only git folder): in synctool's state folder."""
    return folders.state("locks") / keyed(LOCK_NAME, str(root.resolve()), "lock")


def _open(root: Path) -> tuple[Path, int]:
    path = lock_path(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path, os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        path = _state_path(root)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path, os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


@contextlib.contextmanager
def held(root: Path, command: str) -> Iterator[None]:
    """Hold the service's sync lock, or refuse (exit 2) naming its holder."""
    if fcntl is None:  # pragma: no cover - Windows
        path = lock_path(root)
        path.parent.mkdir(parents=True, exist_ok=True)
        with _exclusive_file(path, command):
            yield
        return
    path, fd = _open(root)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _busy(root, _holder(path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, _record(command))
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


def _record(command: str) -> bytes:
    since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    info = {"pid": os.getpid(), "command": command, "since": since}
    return json.dumps(info).encode()


def _holder(path: Path) -> dict[str, Any]:
    """What the holder wrote; it may be writing it still: read a few times
    (up to 2 s: a loaded machine may keep the holder from writing for long)."""
    for _ in range(200):
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = None
        if isinstance(info, dict) and "pid" in info:
            return info
        time.sleep(0.01)
    return {}


def _busy(root: Path, info: dict[str, Any]) -> InputError:
    if info:
        who = (
            f"pid {info.get('pid')} (`{info.get('command')}`) since {info.get('since')}"
        )
    else:
        who = "a process that is starting"
    return InputError(
        f"another synctool is syncing {root}: {who}.",
        "Wait for it to finish, then run again.",
    )


@contextlib.contextmanager
def _exclusive_file(path: Path, command: str) -> Iterator[None]:  # pragma: no cover
    """The lock without fcntl: a file created exclusively, taken over when
    the process that made it is gone."""
    for _ in range(3):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            info = _holder(path)
            if info and not _alive(info.get("pid")):
                path.unlink(missing_ok=True)
                continue
            raise _busy(path.parent, info) from None
        try:
            os.write(fd, _record(command))
        finally:
            os.close(fd)
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
        return
    raise _busy(path.parent, _holder(path))


def _alive(pid: Any) -> bool:  # pragma: no cover - Windows only
    """Whether process ``pid`` runs (os.kill(pid, 0) would end it on Windows)."""
    if not isinstance(pid, int) or isinstance(pid, bool):
        return False
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return bool(code.value == 259)  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
