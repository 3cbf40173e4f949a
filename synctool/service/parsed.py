"""What `check` parsed, remembered from one run to the next.

`check` runs on every commit and parses the same YAML each time: the lock,
`.synctool.yml`, the files its rules read. Parsing costs more than the rest
of a check (PyYAML's import alone is ~12 ms). Inside :func:`remembered`, a
reading is looked up by its kind and its exact text, so an edited file is
read anew and a reading never outlives its text. What a run used is written
back, only when something was new, to a file in the service's git folder
(``.git/synctool-check.cache``): never in the work tree, so `git status`
stays clean. The file is tagged with the versions of synctool and Python
and the parsers' own files, so an upgrade starts afresh. Nothing else is
remembered: errors are found anew every time.

A cache that cannot be read or written (no git folder, a read-only one, a
corrupt file) is passed over: it only ever saves time. The file is read by
marshal, which trusts what it reads; it lives beside the repository's
hooks, which whoever can write it can run anyway. Outside
:func:`remembered` (the fleet, sync) nothing is looked up or kept.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from synctool import __version__
from synctool.service.names import CHECK_CACHE, keyed

_MAGIC = "synctool-parsed-1"
_MAX_TEXT = 1 << 20  # a larger file is parsed each time, not copied in here
_PARSERS = (
    "synctool.fastyaml",
    "synctool.service.lined",
    "synctool.service.linedyaml",
    "yaml",
)

_Key = tuple[str, str]


class _Memory:
    def __init__(self, path: Path | None, tag: str, known: dict[_Key, bytes]) -> None:
        self.path, self.tag, self.known = path, tag, known
        self.used: dict[_Key, bytes] = {}
        self.changed = False


_memory: _Memory | None = None


def recall(kind: str, text: str) -> tuple[bool, Any]:
    """(True, a fresh copy of the reading of ``text``), or (False, None)."""
    memory = _memory
    blob = memory.known.get((kind, text)) if memory is not None else None
    if memory is None or blob is None:
        return False, None
    try:
        value = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return False, None
    memory.used[kind, text] = blob
    return True, value


def keep(kind: str, text: str, value: Any) -> None:
    """Remember ``value`` as the reading of ``text`` (marshal's types only:
    anything else, a date say, is read anew next time)."""
    memory = _memory
    if memory is None or len(text) > _MAX_TEXT:
        return
    try:
        blob = marshal.dumps(value)
    except ValueError:
        return
    memory.used[kind, text] = blob
    memory.changed = True


@contextmanager
def remembered(root: Path) -> Iterator[None]:
    """Within: readings of the service at ``root`` are looked up and kept;
    after (unless it failed): this run's readings written back if new."""
    global _memory
    memory = _load(root)
    _memory = memory
    try:
        yield
    finally:
        _memory = None
    if memory.changed or len(memory.used) != len(memory.known):
        _save(memory)


def _load(root: Path) -> _Memory:
    tag = _tag()
    path = _cache_path(root)
    known: dict[_Key, bytes] = {}
    if path is not None:
        try:
            magic, file_tag, entries = marshal.loads(path.read_bytes())
            if magic == _MAGIC and file_tag == tag and isinstance(entries, dict):
                known = entries
        except (OSError, EOFError, ValueError, TypeError):
            pass  # none yet, or unreadable: start afresh
    return _Memory(path, tag, known)


def _save(memory: _Memory) -> None:
    if memory.path is None:
        return
    data = marshal.dumps((_MAGIC, memory.tag, memory.used))
    part = memory.path.with_name(f"{memory.path.name}.{os.getpid()}.part")
    try:
        part.write_bytes(data)
        os.replace(part, memory.path)
    except OSError:  # a read-only git folder: next time parses again
        part.unlink(missing_ok=True)


def _tag() -> str:
    """What a reading depends on besides its text."""
    stamps = [__version__, sys.version]
    for name in _PARSERS:
        origin = getattr(find_spec(name), "origin", None) or ""
        try:
            stamps.append(str(os.stat(origin).st_mtime_ns))
        except OSError:
            stamps.append("")
    return " ".join(stamps)


def _cache_path(root: Path) -> Path | None:
    """The cache file in the git folder of the repository holding ``root``
    (one per service where several share a repository)."""
    prefix: list[str] = []
    top = root
    while not os.path.lexists(top / ".git"):
        if top.parent == top:
            return None  # not in git: nowhere to keep it
        prefix.insert(0, top.name)
        top = top.parent
    folder = top / ".git"
    if folder.is_file():  # a worktree's or a submodule's `gitdir: <folder>`
        try:
            line = folder.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not line.startswith("gitdir:"):
            return None
        folder = top / line.removeprefix("gitdir:").strip()
    return folder / keyed(CHECK_CACHE, "/".join(prefix), "cache")
