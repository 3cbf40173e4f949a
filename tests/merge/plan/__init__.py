"""Helpers for the planner tests: trees from literals, a transparent fake merge."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from synctool.merge.plan import MergeFn, Plan, build_plan
from synctool.merge.types import ContentMerge, Labels
from synctool.tree import Driver, FileEntry, Ownership

Spec = str | bytes | FileEntry


def tree(files: Mapping[str, Spec]) -> dict[str, FileEntry]:
    """``{path: text}`` -> a tree; a FileEntry passes through (for modes)."""
    out: dict[str, FileEntry] = {}
    for path, spec in files.items():
        if isinstance(spec, FileEntry):
            out[path] = spec
        else:
            out[path] = FileEntry(spec.encode() if isinstance(spec, str) else spec)
    return out


def exe(text: str) -> FileEntry:
    return FileEntry(text.encode(), 0o755)


def sniff(path: str, data: bytes) -> Driver:
    return "binary" if b"\0" in data else "text"


class FakeMerge:
    """Shows exactly what it was given, so tests pin the planner, not a driver.

    Clean result: ``merged(<base>|<ours>|<theirs>)`` (base ``-`` when None);
    content containing ``CONFLICT`` gives one conflict.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[Driver, bytes | None, bytes, bytes]] = []

    def __call__(
        self,
        driver: Driver,
        base: bytes | None,
        ours: bytes,
        theirs: bytes,
        labels: Labels,
        identity_keys: Sequence[str] = ("id", "name", "uses"),
    ) -> ContentMerge:
        self.calls.append((driver, base, ours, theirs))
        data = b"merged(" + (b"-" if base is None else base) + b"|" + ours + b"|"
        data += theirs + b")"
        conflicts = int(b"CONFLICT" in ours + theirs)
        return ContentMerge(data, conflicts, driver, "fake" if conflicts else "")


def owner(prefixes: Mapping[str, Ownership]) -> Callable[[str], Ownership]:
    """Ownership by path prefix, first match wins; default merged."""

    def ownership(path: str) -> Ownership:
        for prefix, cls in prefixes.items():
            if path.startswith(prefix):
                return cls
        return "merged"

    return ownership


def plan(
    base: Mapping[str, Spec] | None,
    theirs: Mapping[str, Spec],
    ours: Mapping[str, Spec],
    *,
    ownership: Callable[[str], Ownership] | None = None,
    merge: MergeFn | None = None,
    base_hashes: Mapping[str, str | None] | None = None,
    base_modes: Mapping[str, int] | None = None,
) -> Plan:
    return build_plan(
        None if base is None else tree(base),
        tree(theirs),
        tree(ours),
        ownership=ownership or (lambda _: "merged"),
        driver_for=sniff,
        labels=Labels("service", "blueprint 1.0.0", "blueprint 1.1.0"),
        base_hashes=base_hashes,
        base_modes=base_modes,
        merge=merge or FakeMerge(),
    )
