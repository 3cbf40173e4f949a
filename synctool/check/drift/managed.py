"""Managed files against their locked hashes: a managed file the team edited."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from synctool.check.drift.nested import inside, same_content
from synctool.check.drift.originals import Originals, first_changed_line
from synctool.check.rules import FileSource, Finding
from synctool.service.lock import NESTED_REPO, Lock


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
