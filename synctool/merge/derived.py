"""Derived files: computed from others (``uv.lock`` from ``pyproject.toml``).

A merge never splices such a file: spliced lock text is garbage that parses.
When both sides changed it, the service's copy is kept; when one side did,
that side is taken as any file would be. Either way the file may no longer
match the sources it is computed from (the team's dependency merged into the
blueprint's new ``pyproject.toml``), and then the plan says which command
brings it up to date. Pure: trees and a plan in, records out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from synctool.merge import eol
from synctool.merge.records import PlanEntry, Regenerate
from synctool.tree import DerivedRule, FileEntry, Tree

RuleFor = Callable[[str], DerivedRule | None]


def source_paths(path: str, rule: DerivedRule) -> tuple[str, ...]:
    folder = path.rpartition("/")[0]
    return tuple(f"{folder}/{s}" if folder else s for s in rule.sources)


def out_of_date(
    entries: tuple[PlanEntry, ...], ours: Tree, theirs: Tree, rule_for: RuleFor
) -> tuple[Regenerate, ...]:
    """The derived files this plan leaves computed from other sources than
    the ones it leaves beside them.

    A derived file taken from the blueprint is up to date when its sources
    are the blueprint's too; one kept from the service, when its sources are
    the service's. A plan that touches neither a derived file nor its
    sources reports nothing: an older mismatch is not this sync's doing.
    """
    by_path = {e.path: e for e in entries}
    found: list[Regenerate] = []
    for entry in entries:
        rule = rule_for(entry.path)
        if rule is None or entry.action == "delete":
            continue
        result = _after(entry, ours)
        if result is None:
            continue
        srcs = source_paths(entry.path, rule)
        touched = entry.changes_tree or any(
            s in by_path and by_path[s].changes_tree for s in srcs
        )
        if not touched:
            continue
        theirs_file = theirs.get(entry.theirs_path or entry.path)
        from_theirs = theirs_file is not None and _same(result, theirs_file)
        side = theirs if from_theirs else ours
        fresh = all(
            _same_or_absent(_after_path(s, by_path, ours), side.get(s)) for s in srcs
        )
        if not fresh:
            folder = entry.path.rpartition("/")[0]
            kept = "blueprint" if from_theirs else "yours"
            found.append(Regenerate(entry.path, srcs, rule.command, folder, kept))
    return tuple(found)


def _after(entry: PlanEntry, ours: Tree) -> FileEntry | None:
    """What the path holds once the plan is applied (None: nothing)."""
    if entry.action == "delete":
        return None
    if entry.result is not None:
        return entry.result
    return ours.get(entry.old_path or entry.path)


def _after_path(
    path: str, by_path: Mapping[str, PlanEntry], ours: Tree
) -> FileEntry | None:
    entry = by_path.get(path)
    return ours.get(path) if entry is None else _after(entry, ours)


def _same(a: FileEntry, b: FileEntry) -> bool:
    return a.data == b.data or eol.to_lf(a.data) == eol.to_lf(b.data)


def _same_or_absent(a: FileEntry | None, b: FileEntry | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return _same(a, b)
