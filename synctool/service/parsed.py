"""What `check` parsed, remembered from one run to the next.

`check` runs on every commit and parses the same YAML each time: the lock,
`.synctool.yml`, the files its rules read. Parsing costs more than the rest
of a check (PyYAML's import alone is ~12 ms). Inside :func:`remembered`,
:func:`reading` looks a reading up by its kind and its exact text, so an
edited file is read anew and a reading never outlives its text; errors are
never remembered. What a run used is written back, only when something
changed, to a file in the service's git folder
(``.git/synctool-check.cache``): never in the work tree, so `git status`
stays clean. The file carries a digest of its content, and a tag of what a
reading depends on besides the text (synctool's and Python's versions, the
source of synctool's YAML readers, PyYAML's files), so a damaged file or an
upgrade starts afresh.

A cache that cannot be found, read or written (no git folder, a read-only
one, a damaged file) is passed over: it only ever saves time, and deleting
it is always safe. Outside :func:`remembered` (the fleet, sync) nothing is
looked up or kept.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path
from typing import Any, TypeVar

from synctool import __version__
from synctool.service.names import CHECK_CACHE, keyed

_MAGIC = "synctool-parsed-2"
_MAX_CHARS = 1 << 20  # a larger text is parsed each time, not copied in here
_READERS = ("synctool.fastyaml", "synctool.service.lined", "synctool.service.linedyaml")
_STALE_PART = 60.0  # seconds: a part file this old was left by a killed check

_Key = tuple[str, str]
T = TypeVar("T")


class _Memory:
    def __init__(self, path: Path | None, tag: str, known: dict[_Key, bytes]) -> None:
        self.path, self.tag, self.known = path, tag, known
        self.used: dict[_Key, bytes] = {}
        self.changed = False


_memory: _Memory | None = None


def reading(
    kind: str,
    text: str,
    parse: Callable[[str], T],
    *,
    encode: Callable[[T], Any] | None = None,
    decode: Callable[[Any], T] | None = None,
) -> T:
    """``parse(text)``, or a fresh copy of what it gave for the same ``kind``
    and text last time. ``encode`` turns a reading into marshal's types and
    ``decode`` back (without them the reading must be of those types; one
    that is not, a date say, is parsed anew next time). ``parse``'s errors
    propagate, and nothing is kept."""
    memory = _memory
    if memory is None:
        return parse(text)
    blob = memory.known.get((kind, text))
    if blob is not None:
        try:
            stored = marshal.loads(blob)
            value: T = decode(stored) if decode is not None else stored
        except Exception:  # a damaged entry: parsed anew
            pass
        else:
            memory.used[kind, text] = blob
            return value
    value = parse(text)
    if len(text) <= _MAX_CHARS:
        plain: Any = encode(value) if encode is not None else value
        try:
            blob = marshal.dumps(plain)
        except ValueError:
            return value
        memory.used[kind, text] = blob
        memory.changed = True
    return value


@contextmanager
def remembered(root: Path) -> Iterator[None]:
    """Within: readings of the service at ``root`` are looked up and kept;
    after (unless it failed): this run's readings written back if new."""
    global _memory
    memory = _load(root)
    outer, _memory = _memory, memory
    try:
        yield
    finally:
        _memory = outer
    if memory.changed or len(memory.used) != len(memory.known):
        _save(memory)


def _load(root: Path) -> _Memory:
    path = _cache_path(root)
    tag = _tag() if path is not None else ""
    known: dict[_Key, bytes] = {}
    if path is not None:
        try:
            magic, file_tag, digest, payload = marshal.loads(path.read_bytes())
            if magic == _MAGIC and file_tag == tag and digest == _digest(payload):
                entries = marshal.loads(payload)
                if isinstance(entries, dict):
                    known = entries
        except (OSError, EOFError, ValueError, TypeError):
            pass  # none yet, or unreadable: start afresh
    return _Memory(path, tag, known)


def _save(memory: _Memory) -> None:
    path = memory.path
    if path is None:
        return
    payload = marshal.dumps(memory.used)
    data = marshal.dumps((_MAGIC, memory.tag, _digest(payload), payload))
    part = path.with_name(f"{path.name}.{os.getpid()}-{os.urandom(4).hex()}.part")
    try:
        _remove_stale_parts(path)
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(part, path)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    except OSError:  # a read-only git folder: the next check parses again
        pass


def _remove_stale_parts(path: Path) -> None:
    """Part files a killed check left (its own are named by its pid)."""
    now = time.time()
    with os.scandir(path.parent) as entries:
        for entry in entries:
            if entry.name.startswith(f"{path.name}.") and entry.name.endswith(".part"):
                try:
                    if now - entry.stat().st_mtime > _STALE_PART:
                        os.unlink(entry.path)
                except OSError:
                    pass


def _digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=16).digest()


def _tag() -> str:
    """What a reading depends on besides its text: synctool's and Python's
    versions, the source of synctool's YAML readers, and PyYAML's files
    (names, sizes, times; its C extension among them)."""
    readers = hashlib.blake2b(digest_size=16)
    for name in _READERS:
        origin = getattr(find_spec(name), "origin", None) or ""
        try:
            readers.update(Path(origin).read_bytes())
        except OSError:
            readers.update(name.encode())  # frozen or zipped: the version says
    stamps = [__version__, sys.version, readers.hexdigest()]
    yaml_init = getattr(find_spec("yaml"), "origin", None) or ""
    try:
        with os.scandir(os.path.dirname(yaml_init)) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_file():
                    info = entry.stat()
                    stamps.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    except OSError:
        stamps.append("yaml?")
    return " ".join(stamps)


def _cache_path(root: Path) -> Path | None:
    """The cache file in the git folder of the repository holding ``root``
    (one per service where several share a repository)."""
    try:
        return _find_cache_path(Path(os.path.normpath(root)))
    except (OSError, ValueError):  # an odd name or a broken `.git`: no cache
        return None


def _find_cache_path(root: Path) -> Path | None:
    prefix: list[str] = []
    top = root
    while not os.path.lexists(top / ".git"):
        if top.parent == top:
            return None  # not in git: nowhere to keep it
        prefix.insert(0, top.name)
        top = top.parent
    folder = top / ".git"
    if folder.is_file():  # a worktree's or a submodule's `gitdir: <folder>`
        line = folder.read_text(encoding="utf-8").strip()
        if not line.startswith("gitdir:"):
            return None
        folder = top / line.removeprefix("gitdir:").strip()
    return folder / keyed(CHECK_CACHE, "/".join(prefix), "cache")
