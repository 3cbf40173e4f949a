"""Where an edited managed file's locked content is found offline (git
history), so that its finding names the first changed line and an excerpt."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from synctool import git
from synctool.check.drift.nested import same_content
from synctool.service.lock import Lock
from synctool.service.names import BUNDLED, LOCK


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
        # --fix renders at the commit with the locked answers, a sync's base
        # at the ref with none
        for ref in dict.fromkeys([lock.commit, lock.ref]):
            for data in (lock.answers, {}):
                inputs = rendercache.Inputs(
                    source, ref, data, lock.answers, True, "update"
                )
                hit = rendercache.kept(lock.commit, inputs, self.root)
                if hit is not None:
                    self._tree = {p: e.data for p, e in hit.tree.items()}
                    return self._tree
        return None


def _git(root: Path, args: list[str]) -> bytes | None:
    """A git command's output, or None when it fails (no repository, say)."""
    said = git.answer(args, root)
    return said[1] if said is not None and said[0] == 0 else None


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
    import difflib  # for an edited file only

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
