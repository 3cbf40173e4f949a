"""Where a blueprint comes from, and which version of it a ref names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Literal, NamedTuple

from synctool import git
from synctool.blueprint import releases
from synctool.errors import BlueprintError, GitError, InputError
from synctool.service.names import BUNDLED

_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|gh:|gl:|git\+)", re.IGNORECASE)
# What copier reads as a git repository rather than a folder (copier._vcs.get_repo).
_COPIER_GIT = re.compile(
    r"^(?:git@|git://|git\+|gh:|gl:|https://github\.com/|https://gitlab\.com/)"
)
# copier reads its config from `copier.*` whose suffix starts like .yml/.yaml.
_CONFIG = re.compile(r"^copier\.(?i:ya?ml)")


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
    return Path(str(resources.files("synctool"))).resolve().parent / "blueprint"


def bundled_version() -> str:
    version_file = bundled_dir() / "VERSION"
    try:
        return version_file.read_text(encoding="utf-8").strip()
    except OSError:
        raise BlueprintError(
            f"the bundled blueprint is missing or incomplete ({version_file}).",
            "Reinstall synctool.",
        ) from None


def shown(location: str, ref: str | None = None) -> str:
    """A blueprint as a message names it: ``bundled 1.1.0`` for synctool's
    own, wherever its files lie (the package, a frozen release in the cache),
    else its path or URL (at ``ref``, when one is given)."""
    path = Path(location)
    if path == bundled_dir():
        try:
            return f"{BUNDLED} {bundled_version()}"
        except BlueprintError:
            return BUNDLED
    frozen = releases.frozen_version(path)
    if frozen is not None:
        return f"{BUNDLED} {frozen}"
    return f"{location} at {ref}" if ref else location


def resolve_source(spec: str | None, cwd: Path) -> Source:
    if spec is None or spec == BUNDLED:
        return Source(BUNDLED, str(bundled_dir()), "bundled", bundled_version())
    refuse_option(
        spec,
        "blueprint source",
        "Give a path (./" + spec + " for a folder named so) or a git URL.",
    )
    path = (cwd / spec).expanduser()
    if path.exists():
        if not path.is_dir():
            raise BlueprintError(
                f"blueprint {spec} is not a folder.", "Give a copier template folder."
            )
        resolved = str(path.resolve())
        # The root of a git work tree holds `.git` (a folder, or a file for a
        # worktree or submodule); a bare repository its HEAD and objects. Read
        # from disk, without a git process. A repository's copier.yml is
        # looked for at the ref rendered (resolve_ref), not in its work tree.
        if (path / ".git").exists() or git.is_bare(path):
            return Source(resolved, resolved, "git")
        if not has_copier_config(p.name for p in path.iterdir()):
            raise BlueprintError(
                f"blueprint {spec} has no copier.yml.",
                "Point --blueprint at a copier template.",
            )
        return Source(resolved, resolved, "folder")
    if _URL.match(spec) or spec.endswith(".git"):
        return Source(spec, spec, "git")
    raise BlueprintError(
        f"blueprint source not found: {spec}.",
        "Give a local path to a copier template or a git URL.",
    )


def refuse_option(value: str, what: str, hint: str) -> None:
    """A value git would read as an option (``--upload-pack=...``) is refused:
    no source or ref starts with ``-``."""
    if value.startswith("-") or value.removeprefix("git+").startswith("-"):
        raise InputError(
            f"{what} {value!r} starts with '-', which git would read as an option.",
            hint,
        )


def has_copier_config(names: Iterable[str]) -> bool:
    """Whether a template's top-level ``names`` hold its copier.yml (or .yaml)."""
    return any(_CONFIG.match(name) for name in names)


def copier_url(location: str, ref: str | None = None) -> str:
    """What to give copier for a git ``location`` so that it reads it as git.

    copier takes a local bare repository, or a URL it does not know as git
    (``file:///srv/bp``, ``https://git.example.com/bp``), for a plain folder;
    ``git+`` says what it is. A location or ``ref`` git would read as an
    option is refused here too, whoever called: older copier (9.11) passes
    both to git without ``--`` (`git clone URL`, `git checkout -f REF`).
    """
    refuse_option(location, "blueprint source", "Give a path or a git URL.")
    if ref is not None:
        refuse_option(ref, "ref", "Give a tag or commit.")
    if _URL.match(location):
        known = _COPIER_GIT.match(location) or location.endswith(".git")
        return location if known else f"git+{location}"
    path = Path(location)
    if path.is_absolute() and git.is_bare(path):
        return f"git+{path.as_uri()}"
    return location


def require_copier_config(root: Path, source: str, ref: str | None) -> None:
    """The template checked out at ``root`` (``source`` at ``ref``) has a
    copier.yml: without one copier would render the whole repository."""
    try:
        names = [p.name for p in root.iterdir()]
    except OSError:
        names = []
    if not has_copier_config(names):
        raise _no_config(source, ref)


def _no_config(
    source: str, ref: str | None, given_as: str | None = None
) -> BlueprintError:
    at = f" at {ref!r}" if ref not in (None, "HEAD") else ""
    return BlueprintError(
        f"blueprint {source} has no copier.yml{at}: it is not a copier template there.",
        "Give a ref that holds the template (a release tag)"
        + (f" to {given_as}." if given_as else "."),
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
    if ref is not None:
        refuse_option(ref, "ref", f"Give a tag or commit to {given_as}.")
    if source.kind == "bundled":
        if ref is None:
            return source.bundled_version
        wanted = ref.removeprefix("v")
        if wanted != source.bundled_version and wanted not in releases.versions():
            known = ", ".join(
                sorted(
                    {*releases.versions(), str(source.bundled_version)},
                    key=releases.version_key,
                )
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
            f"cannot read the versions of blueprint {source.recorded}: "
            f"{exc.message.rstrip('.')}.",
            "Check the URL or path and your access to it.",
        ) from None
    chosen = ref if ref is not None else (tags[0][1] if tags else "HEAD")
    repo = Path(source.location)
    if not repo.is_dir():
        return chosen  # a URL: copier's clone is checked (render/run.py)
    # One git process: the ref exists, and copier.yml is there.
    names = git.root_names(repo, chosen)
    if names is None:
        if ref is None:
            raise BlueprintError(
                f"blueprint {source.recorded} has no commit to render.",
                "Commit the template and tag a release (git tag v1.0.0).",
            )
        known = ", ".join(tag for _v, tag in tags[:5]) or "none"
        raise BlueprintError(
            f"unknown ref {ref!r} in blueprint {source.recorded} (release tags: {known}).",
            f"Give an existing tag or commit to {given_as}.",
        )
    if chosen == "HEAD" and not git.is_bare(repo):
        # copier renders HEAD of a work tree with its uncommitted changes.
        names = [p.name for p in repo.iterdir()]
    if not has_copier_config(names):
        raise _no_config(source.recorded, chosen, given_as)
    return chosen
