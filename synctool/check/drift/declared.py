"""`.synctool.yml` against the lock: what was declared and not yet applied."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from synctool.check.rules import Finding
from synctool.service.declared import Declared
from synctool.service.lock import Lock
from synctool.service.names import DECLARED
from synctool.service.source import same_ref, source_key


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
