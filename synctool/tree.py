"""Trees of files and the words for how each file is owned and merged.

A tree maps a POSIX relative path to its bytes and permission bits. Renders,
the service's working tree and the merge engine all speak in trees; the
drift check reads the same words without importing the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from typing import Literal, NamedTuple

Ownership = Literal["managed", "merged", "seeded"]
Driver = Literal["text", "yaml", "toml", "json", "union", "binary"]


class FileEntry(NamedTuple):
    """One file of a tree: its bytes and its permission bits (0o644, 0o755)."""

    data: bytes
    mode: int = 0o644


Tree = Mapping[str, FileEntry]
"""POSIX relative path -> entry. Only regular files; no directories."""

PathProblem = Literal["outside", "git", "unusable"]


def path_problem(rel: str) -> PathProblem | None:
    """Which rule a tree's path ``rel`` breaks (None: a safe relative POSIX
    path): it is absolute or climbs out, lands in .git (any case: a
    case-insensitive disk is common), or is empty, has empty or `.` parts, a
    backslash or a NUL. The one rule for every path synctool reads, merges
    or writes in a service (service/paths.py words its refusals)."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or rel.startswith("/"):
        return "outside"
    if any(part.lower() == ".git" for part in pure.parts):
        return "git"
    if (
        not rel
        or "\\" in rel
        or "\0" in rel
        or any(p in ("", ".") for p in rel.split("/"))
    ):
        return "unusable"
    return None


def is_safe_path(rel: str) -> bool:
    return path_problem(rel) is None


# Keys that identify an item of a YAML/TOML list of mappings (a CI step by
# `name`, an action by `uses`), when the blueprint's policy names none.
DEFAULT_IDENTITY_KEYS: tuple[str, ...] = ("id", "name", "uses")


# Versions kept beside a file for the team to decide, by the file's name.
SIDE_SUFFIX = ".blueprint"  # theirs of a conflicting binary file, beside ours
LOCAL_SUFFIX = ".local"  # your version, kept beside the file that replaced it


def free_name(wanted: str, taken: Callable[[str], bool]) -> str:
    """``wanted``, or ``wanted.1``, ``wanted.2``...: the first name that
    ``taken`` says is free, so a kept version never overwrites a file."""
    name, n = wanted, 0
    while taken(name):
        n += 1
        name = f"{wanted}.{n}"
    return name


class DerivedRule(NamedTuple):
    """A derived file (a lock file): never spliced by a merge; what it is
    computed from and how to recompute it."""

    sources: tuple[str, ...]  # file names beside the derived file
    command: str  # run in the derived file's folder


# Lock files that any template may render, by file name. A blueprint's
# policy (`derived:` in its synctool.yml) adds to these or replaces one.
DEFAULT_DERIVED: Mapping[str, DerivedRule] = {
    "uv.lock": DerivedRule(("pyproject.toml",), "uv lock"),
    "poetry.lock": DerivedRule(("pyproject.toml",), "poetry lock"),
    "pdm.lock": DerivedRule(("pyproject.toml",), "pdm lock"),
    "Pipfile.lock": DerivedRule(("Pipfile",), "pipenv lock"),
    "package-lock.json": DerivedRule(
        ("package.json",), "npm install --package-lock-only"
    ),
    "yarn.lock": DerivedRule(("package.json",), "yarn install --mode update-lockfile"),
    "pnpm-lock.yaml": DerivedRule(("package.json",), "pnpm install --lockfile-only"),
    "Cargo.lock": DerivedRule(("Cargo.toml",), "cargo update --workspace"),
    "Gemfile.lock": DerivedRule(("Gemfile",), "bundle lock"),
    "go.sum": DerivedRule(("go.mod",), "go mod tidy"),
    "composer.lock": DerivedRule(("composer.json",), "composer update --lock"),
}


def default_rule(path: str) -> DerivedRule | None:
    return DEFAULT_DERIVED.get(path.rsplit("/", 1)[-1])
