"""The checks `check` makes besides the blueprint's rules: synctool's own.

declared vs applied, managed files against their locked hashes, and conflict
markers left by a sync. Pure over the lock, the declared file and the files
(and, for a sync, what its plan leaves to resolve: ``left_to_resolve``), but
for a look at which folders are other git repositories (``nested_repos``).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import subprocess
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from synctool.check.rules import FileSource, Finding
from synctool.service.model import (
    BUNDLED,
    DECLARED,
    JOURNAL,
    LOCK,
    NESTED_REPO,
    Declared,
    Lock,
    LockedFile,
    same_ref,
    source_key,
)

if TYPE_CHECKING:  # check never imports the merge engine
    from synctool.merge.plan import Plan
    from synctool.tree import FileEntry

SIDE_SUFFIX = ".blueprint"
_SIDE_NAME = re.compile(r"\.(?:blueprint|local)(?:\.[0-9]+)?$")
_START = re.compile(rb"^<{7} ", re.MULTILINE)
_MIDDLE = re.compile(rb"^={7}\r?$", re.MULTILINE)
_END = re.compile(rb"^>{7} ", re.MULTILINE)
# Any one marker line: in a file the lock says a sync wrote markers into, a
# lone leftover (`>>>>>>> blueprint 1.1.0` kept by a half-done resolution)
# is still a conflict.
_ANY = re.compile(rb"^(?:<{7} |\|{7} |>{7} |={7}\r?$)", re.MULTILINE)


def declared_vs_applied(
    declared: Declared, lock: Lock, root: Path
) -> Iterator[Finding]:
    hint = "run `synctool sync` to apply it, or undo the edit to .synctool.yml"
    if source_key(declared.blueprint, root) != lock.blueprint:
        yield Finding(
            "not-synced",
            "error",
            DECLARED,
            None,
            f"blueprint {declared.blueprint} is declared but {lock.blueprint} is applied",
            hint,
        )
    if not same_ref(declared.ref, lock.ref, lock.blueprint):
        yield Finding(
            "not-synced",
            "error",
            DECLARED,
            None,
            f"ref {declared.ref} is declared but {lock.ref} is applied",
            hint,
        )
    changed = sorted(
        key
        for key in set(declared.answers) | set(lock.answers)
        if declared.answers.get(key) != lock.answers.get(key)
    )
    if changed:
        yield Finding(
            "not-synced",
            "error",
            DECLARED,
            None,
            f"answers changed but not applied: {', '.join(changed)}",
            hint,
        )


def _key_line(doc: object, key: str) -> int | None:
    """1-based line of ``key`` in a round-trip YAML mapping, if known."""
    try:
        return int(doc.lc.key(key)[0]) + 1  # type: ignore[attr-defined]
    except (AttributeError, KeyError, TypeError):
        return None


def managed_drift(
    lock: Lock,
    files: FileSource,
    ignored: Collection[str] = frozenset(),
    foreign: Collection[str] = frozenset(),
    originals: Originals | None = None,
) -> Iterator[Finding]:
    """Managed files edited or missing (an edited file's finding is on its
    first changed line when ``originals`` finds the locked content).
    ``ignored``: lock paths git ignores,
    which count when on disk and are not the repository's business when not
    (a fresh clone never has them). ``foreign``: folders that are other git
    repositories (nested, submodules): their files are theirs, never drift
    (a blueprint change there is reported as a ``nested-repo`` conflict)."""
    listed = set(files.paths())
    for path, locked in sorted(lock.files.items()):
        if locked.ownership != "managed" or inside(path, foreign):
            continue
        if lock.conflicts.get(path) == NESTED_REPO:
            continue
        data = files.read(path) if path in listed or path in ignored else None
        if data is None and path in ignored:
            continue
        if data is None:
            yield Finding(
                "managed-missing",
                "error",
                path,
                None,
                "blueprint-managed file is missing",
                "restore it with `synctool check --fix` (or `git checkout`)",
            )
        elif not same_content(data, locked.sha256):
            before = None
            if originals is not None and locked.sha256 is not None:
                before = originals.find(path, locked.sha256, data)
            # the finding is on the first changed line when the locked
            # content is at hand (text output shows the diff from it)
            line = None if before is None else first_changed_line(before, data)
            yield Finding(
                "managed-drift",
                "error",
                path,
                line,
                "blueprint-managed file was edited"
                + (" (it differs from the locked sha256)" if before is None else "")
                + "; the blueprint owns it",
                "undo the edit (`synctool check --fix`), change the blueprint, "
                "or add a waiver"
                + (
                    "; `git diff` shows an uncommitted edit"
                    if before is None and (originals is None or originals.in_git)
                    else ""
                ),
            )


class Originals:
    """The locked content of edited managed files, where it is at hand offline
    and cheaply: the committed file (HEAD, or the commit that last wrote the
    lock: an edit already committed) or a render the cache kept (`check
    --fix`'s, a sync's base). Each is taken only when its sha256 is the
    lock's. Never renders, never imports copier."""

    LIMIT = 20  # files looked up in one check: a reformatted tree stays fast

    def __init__(self, root: Path, lock: Lock, *, in_git: bool = True) -> None:
        self.root = root
        self.lock = lock
        self.in_git = in_git
        self._found: dict[str, tuple[bytes, bytes]] = {}  # path: (locked, current)
        self._asked = 0
        self._lock_commit: str | None = None
        self._tree: Mapping[str, bytes] | None = None
        self._read: set[str] = set()  # which of the above were looked for

    def find(self, path: str, sha: str, current: bytes) -> bytes | None:
        """The locked content of ``path`` (``current`` is what is on disk)."""
        if path in self._found:
            return self._found[path][0]
        if self._asked >= self.LIMIT:
            return None
        self._asked += 1
        for candidate in self._candidates(path):
            if candidate is not None and same_content(candidate, sha):
                self._found[path] = (candidate, current)
                return candidate
        return None

    def excerpt(self, path: str, lines: int = 8) -> list[str]:
        """The start of a unified diff from the locked content to the file."""
        found = self._found.get(path)
        return [] if found is None else edit_excerpt(*found, path=path, lines=lines)

    def _candidates(self, path: str) -> Iterator[bytes | None]:
        if self.in_git:
            yield _git_blob(self.root, "HEAD", path)
            commit = self._commit_of_lock()
            if commit:
                yield _git_blob(self.root, commit, path)
        tree = self._cached_tree()
        if tree is not None:
            yield tree.get(path)

    def _commit_of_lock(self) -> str | None:
        if "commit" not in self._read:
            self._read.add("commit")
            out = _git(self.root, ["log", "-1", "--format=%H", "--", LOCK])
            self._lock_commit = out.decode().strip() if out else None
        return self._lock_commit

    def _cached_tree(self) -> Mapping[str, bytes] | None:
        """The render `check --fix` or a sync's base kept in the render cache,
        if one is there (only git blueprints are cached)."""
        if "tree" in self._read:
            return self._tree
        self._read.add("tree")
        lock = self.lock
        if lock.blueprint == BUNDLED or not re.fullmatch(r"[0-9a-f]{40}", lock.commit):
            return None
        from synctool.blueprint import rendercache, sources
        from synctool.errors import SynctoolError

        try:
            source = sources.resolve_source(lock.blueprint, self.root)
        except SynctoolError:
            return None
        if source.kind != "git":
            return None
        folder = rendercache.cache_dir()
        if not folder.is_dir():
            return None
        # the inputs cached_render keys a render by: --fix renders at the
        # commit with the locked answers, a sync's base at the ref with none
        for ref in dict.fromkeys([lock.commit, lock.ref]):
            for data in (lock.answers, {}):
                key = rendercache._key(
                    [
                        lock.commit,
                        ref,
                        source.location,
                        data,
                        lock.answers,
                        True,
                        "update",
                    ]
                )
                hit = rendercache._load(folder / f"{key}.zip")
                if hit == rendercache._FOR_ONE_SERVICE:
                    own = rendercache._own(key, self.root)
                    hit = rendercache._load(folder / f"{own}.zip")
                if hit is not None and not isinstance(hit, str):
                    self._tree = {p: e.data for p, e in hit.tree.items()}
                    return self._tree
        return None


def _git(root: Path, args: list[str]) -> bytes | None:
    """A git command's output, or None when it fails (no repository, say)."""
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            check=False,
            env={**os.environ, "LC_ALL": "C"},
        )
    except OSError:
        return None
    return proc.stdout if proc.returncode == 0 else None


def _git_blob(root: Path, commit: str, path: str) -> bytes | None:
    return _git(root, ["cat-file", "blob", f"{commit}:./{path}"])


def _text_lines(data: bytes) -> list[str]:
    return data.replace(b"\r\n", b"\n").decode("utf-8", "replace").splitlines()


def first_changed_line(before: bytes, after: bytes) -> int:
    """1-based line of ``after`` where it first differs from ``before``
    (its last line when only lines at the end were removed)."""
    old, new = _text_lines(before), _text_lines(after)
    for number, (a, b) in enumerate(zip(old, new, strict=False), start=1):
        if a != b:
            return number
    return min(len(old), len(new)) + 1 if len(new) > len(old) else max(len(new), 1)


def edit_excerpt(
    before: bytes, after: bytes, *, path: str, lines: int = 8
) -> list[str]:
    """The first ``lines`` lines of a unified diff (one line of context) from
    the locked content to the file, and how much more there is."""
    if b"\0" in before[:8000] or b"\0" in after[:8000]:
        return ["(binary file: its bytes differ from the locked content)"]
    diff = list(
        difflib.unified_diff(
            _text_lines(before),
            _text_lines(after),
            f"{path} (locked)",
            path,
            n=1,
            lineterm="",
        )
    )[2:]  # the file names: the finding says which file
    if len(diff) <= lines:
        return diff
    more = sum(1 for d in diff[lines:] if d[:1] in "+-")
    shown = diff[:lines]
    if more:
        shown.append(f"... and {more} more changed line(s)")
    return shown


def nested_repos(root: Path, lock: Lock, files: FileSource) -> frozenset[str]:
    """The folders holding locked files that are other git repositories: a
    nested repository or checked-out submodule (its own `.git`), or a
    submodule git records (a listed path that is a folder of the lock's)."""
    from synctool.service.worktree import outermost

    listed = set(files.paths())

    def is_repo(folder: str) -> bool:
        path = root / folder
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            return False  # a link or a file where a folder was: not a repository
        # git lists a submodule as one path (a gitlink); only a real folder
        # can be one.
        return folder in listed or os.path.lexists(path / ".git")

    return frozenset(outermost(lock.files, is_repo))


def inside(path: str, folders: Collection[str]) -> bool:
    """``path`` is inside one of ``folders``."""
    parts = path.split("/")
    return any("/".join(parts[:n]) in folders for n in range(1, len(parts)))


def applied(data: bytes | None, locked: LockedFile | None) -> bool:
    """A blueprint change inside another repository is applied there: the
    file is as the lock records it (gone, for a file the blueprint removed)."""
    if locked is None:
        return data is None
    return data is not None and same_content(data, locked.sha256)


def not_applied(root: Path, lock: Lock) -> list[str]:
    """The blueprint changes inside other git repositories still not applied."""
    left = []
    for path, kind in sorted(lock.conflicts.items()):
        if kind != NESTED_REPO:
            continue
        try:
            data: bytes | None = (root / path).read_bytes()
        except OSError:
            data = None
        if not applied(data, lock.files.get(path)):
            left.append(path)
    return left


def same_content(data: bytes, sha: str | None) -> bool:
    """The locked content, byte for byte or as a CRLF checkout of it.

    ``sha`` None: locked without a hash (it may hold a secret): nothing to
    compare against, so never drift."""
    if sha is None or hashlib.sha256(data).hexdigest() == sha:
        return True
    return (
        b"\r\n" in data
        and hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest() == sha
    )


def interrupted(root: Path) -> Iterator[Finding]:
    """A sync was killed half-way: the tree is neither before nor after; or
    killed while staging: its unwritten files are left in the journal."""
    folder = root / JOURNAL
    if (folder / "manifest.json").is_file():
        yield Finding(
            "sync-interrupted",
            "error",
            JOURNAL,
            None,
            "a sync was interrupted: the service is half-updated",
            "run `synctool sync` to finish it, or `synctool sync --abort` to undo it",
        )
    elif folder.is_dir() and not folder.is_symlink():
        yield Finding(
            "sync-interrupted",
            "error",
            JOURNAL,
            None,
            "a sync was killed while staging: its unwritten files are left in "
            f"{JOURNAL}/ (none reached the service; never commit them)",
            "run `synctool sync --abort` (or `synctool sync`) to remove them",
        )


def conflict_markers(lock: Lock, files: FileSource) -> Iterator[Finding]:
    """What a sync left to resolve: the conflicts the lock records, wherever
    they are (a file the user moved, an ignored file); and markers in the
    blueprint's files and side files beside them (locks that record none).

    Text the blueprint itself rendered (a file as locked) is never a conflict.
    """
    listed = set(files.paths())
    recorded = dict(lock.conflicts)
    # Side files are written by sync and usually not staged yet: look on disk.
    sides = {p for p in listed if p.endswith(SIDE_SUFFIX)}
    sides |= {
        p + SIDE_SUFFIX for p in lock.files if files.read(p + SIDE_SUFFIX) is not None
    }
    for path in sorted(sides - recorded.keys()):
        if path.removesuffix(SIDE_SUFFIX) in lock.files:
            yield _side_finding(path, "binary")
    marked = {p for p, kind in recorded.items() if kind == "markers"}
    for path in sorted(recorded.keys() - marked):
        data = files.read(path)
        if recorded[path] == NESTED_REPO:
            if not applied(data, lock.files.get(path)):
                yield _not_applied_finding(path)
        elif data is not None:
            yield _side_finding(path, recorded[path])
    scanned = {
        p
        for p, locked in lock.files.items()
        if p in listed and locked.ownership != "seeded"
    }
    for path in sorted(scanned | marked):
        data = files.read(path)
        if data is None or b"\0" in data[:8000]:
            continue
        line = marker_line(data, lone=path in marked)
        if line is None or _as_rendered(lock, path, data):
            continue  # as the blueprint rendered it: examples, not conflicts
        yield Finding(
            "conflict",
            "error",
            path,
            line,
            "unresolved conflict marker left by synctool sync",
            "resolve the conflict, remove the markers, `git add` and commit"
            if path in listed
            else "resolve the conflict and remove the markers",
        )


def _as_rendered(lock: Lock, path: str, data: bytes) -> bool:
    locked = lock.files.get(path)
    sha = locked.sha256 if locked is not None else None
    return sha is not None and same_content(data, sha)


def _not_applied_finding(path: str) -> Finding:
    return Finding(
        "conflict",
        "error",
        path,
        None,
        "the blueprint changed this file, inside another git repository (a nested "
        "repository or submodule), where synctool never writes: not applied",
        "apply the blueprint's change in that repository and commit it there",
    )


def _side_finding(path: str, kind: str) -> Finding:
    """A side file still there: ``kind`` as recorded, or "binary" for a
    `<path>.blueprint` found beside a locked file (a lock recording none)."""
    beside = _SIDE_NAME.sub("", path)
    if kind == "your-version":
        return Finding(
            "conflict",
            "error",
            path,
            None,
            f"unresolved conflict: your version of {beside} is kept here, "
            "beside the blueprint's",
            f"carry what you need into {beside} (or waive its drift), "
            "delete this file and commit",
        )
    what = "binary conflict" if kind == "binary" else "conflict"
    return Finding(
        "conflict",
        "error",
        path,
        None,
        f"unresolved {what}: the blueprint's version of {beside} is still beside yours",
        "keep the version you want, delete this file and commit",
    )


def marker_line(data: bytes, *, lone: bool = False) -> int | None:
    """1-based line of the first conflict block (a `<<<<<<< ` line, then
    `=======`, then `>>>>>>> `), or None when there is none. ``lone``: of
    the first marker line of any kind, alone or not."""
    if lone:
        found = _ANY.search(data)
        return None if found is None else data.count(b"\n", 0, found.start()) + 1
    start = _START.search(data)
    if start is None:
        return None
    middle = _MIDDLE.search(data, start.end())
    if middle is None or _END.search(data, middle.end()) is None:
        return None
    return data.count(b"\n", 0, start.start()) + 1


def left_to_resolve(
    root: Path,
    plan: Plan,
    writes: Mapping[str, FileEntry | None],
    earlier: Mapping[str, str],
    foreign: Collection[str] = frozenset(),
    locked: Mapping[str, LockedFile] | None = None,
) -> dict[str, str]:
    """The lock's ``conflicts`` after a sync: what its plan leaves to people
    (by the path written), plus earlier ones still unresolved after it.

    ``foreign``: folders that are other git repositories; a change the plan
    could not write there stays recorded (``nested-repo``) until that file
    is as ``locked`` (the new lock's files) records it."""
    found: dict[str, str] = {}
    for path, kind in earlier.items():
        if kind == NESTED_REPO:
            target = root / path
            data = target.read_bytes() if target.is_file() else None
            if not applied(data, (locked or {}).get(path)):
                found[path] = kind
            continue
        if path in writes:
            entry = writes[path]
            data = entry.data if entry is not None else None
        else:
            target = root / path
            data = None
            if target.is_symlink():
                data = b""  # a side file may be a link: it is there
            elif target.is_file():
                data = target.read_bytes()
        if data is not None and (kind != "markers" or marker_line(data, lone=True)):
            found[path] = kind
    for item in plan.entries:
        if item.action != "conflict":
            continue
        if item.result is None and inside(item.path, foreign):
            found[item.path] = NESTED_REPO
            continue
        if item.result is not None and marker_line(item.result.data):
            found[item.path] = "markers"
        if item.side_file is not None:
            mine = getattr(item.side_file, "holds", "blueprint") == "yours"
            found[item.side_file.path] = "your-version" if mine else "blueprint-version"
    return found
