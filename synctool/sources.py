"""Where a blueprint comes from, and which version of it a ref names."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Literal, NamedTuple

from synctool import git, releases
from synctool.errors import BlueprintError, GitError
from synctool.model import BUNDLED

_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|gh:|gl:|git\+)", re.IGNORECASE)


class Source(NamedTuple):
    recorded: str  # what .synctool.yml records: "bundled", an absolute path or a URL
    location: str  # what copier renders from
    kind: Literal["bundled", "git", "folder"]
    bundled_version: str | None = None


def bundled_dir() -> Path:
    """The blueprint shipped with synctool (package data, or the source tree)."""
    packaged = Path(str(resources.files("synctool"))) / "_bundled" / "blueprint"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "blueprint"


def bundled_version() -> str:
    version_file = bundled_dir() / "VERSION"
    try:
        return version_file.read_text(encoding="utf-8").strip()
    except OSError:
        raise BlueprintError(
            f"the bundled blueprint is missing or incomplete ({version_file}).",
            "Reinstall synctool.",
        ) from None


def resolve_source(spec: str | None, cwd: Path) -> Source:
    if spec is None or spec == BUNDLED:
        return Source(BUNDLED, str(bundled_dir()), "bundled", bundled_version())
    path = (cwd / spec).expanduser()
    if path.exists():
        if not path.is_dir():
            raise BlueprintError(
                f"blueprint {spec} is not a folder.", "Give a copier template folder."
            )
        if not any((path / name).is_file() for name in ("copier.yml", "copier.yaml")):
            raise BlueprintError(
                f"blueprint {spec} has no copier.yml.",
                "Point --blueprint at a copier template.",
            )
        resolved = str(path.resolve())
        # The root of a git work tree holds `.git` (a folder, or a file for a
        # worktree or submodule); read from disk, without a git process.
        kind: Literal["git", "folder"] = "git" if (path / ".git").exists() else "folder"
        return Source(resolved, resolved, kind)
    if _URL.match(spec) or spec.endswith(".git"):
        return Source(spec, spec, "git")
    raise BlueprintError(
        f"blueprint source not found: {spec}.",
        "Give a local path to a copier template or a git URL.",
    )


def at_version(source: Source, ref: str | None) -> Source:
    """The bundled blueprint as it was at release ``ref`` (others: unchanged)."""
    if source.kind != "bundled" or ref is None or ref == source.bundled_version:
        return source
    return Source(BUNDLED, str(releases.materialize(ref)), "bundled", ref)


def resolve_ref(source: Source, ref: str | None, given_as: str = "--ref") -> str | None:
    """The ref to render: as given (checked), or the newest release tag.

    Returns None for a folder that is not a git repository (it has no versions).
    ``given_as`` names where the ref came from, for the hint of an error
    (an option such as ``--to``, or ``ref in .synctool.yml``).
    """
    if source.kind == "bundled":
        if ref is None:
            return source.bundled_version
        wanted = ref.removeprefix("v")
        if wanted != source.bundled_version and wanted not in releases.versions():
            known = ", ".join(
                sorted({*releases.versions(), str(source.bundled_version)})
            )
            raise BlueprintError(
                f"the bundled blueprint has no version {ref!r} (it has: {known}).",
                f"Give one of those to {given_as}, or leave it out for the newest.",
            )
        return wanted
    if source.kind == "folder":
        if ref is not None:
            raise BlueprintError(
                f"blueprint {source.recorded} is not a git repository, so it has no ref {ref!r}.",
                f"Drop {given_as}, or make the blueprint a git repository and tag its releases.",
            )
        return None
    try:
        tags = git.release_tags(source.location)
    except GitError as exc:
        raise BlueprintError(
            f"cannot read the versions of blueprint {source.recorded}: {exc.message}",
            "Check the URL or path and your access to it.",
        ) from None
    if ref is None:
        return tags[0][1] if tags else "HEAD"
    if (
        Path(source.location).is_dir()
        and git.resolve_commit(Path(source.location), ref) is None
    ):
        known = ", ".join(tag for _v, tag in tags[:5]) or "none"
        raise BlueprintError(
            f"unknown ref {ref!r} in blueprint {source.recorded} (release tags: {known}).",
            f"Give an existing tag or commit to {given_as}.",
        )
    return ref
