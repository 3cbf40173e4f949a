"""The version to record as applied: from copier's answers file, or given."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from synctool import git
from synctool.adopt.model import AdoptOptions, Target
from synctool.blueprint import copieranswers, sources
from synctool.blueprint.copieranswers import Recorded
from synctool.blueprint.rendercache import commit_of
from synctool.errors import BlueprintError, InputError


def recorded_answers(
    root: Path, listed: Sequence[str], opts: AdoptOptions
) -> Recorded | None:
    if opts.answers_file is not None:
        return copieranswers.read(root, _inside(root, opts.answers_file))
    found = copieranswers.find(root, listed)
    if len(found) > 1:
        if opts.choose is None:
            raise InputError(
                f"{len(found)} copier answers files in {root}: {', '.join(found)}.",
                "Pass the one to adopt with --answers-file PATH.",
            )
        return copieranswers.read(root, opts.choose(found))
    if found:
        return copieranswers.read(root, found[0])
    cruft = copieranswers.read_cruft(root)
    if cruft is not None and opts.asked.blueprint is None:
        raise InputError(
            f"{copieranswers.CRUFT_FILE}: the project was made by cruft from the "
            f"cookiecutter template {cruft.src_path or '(unknown)'}; synctool "
            "follows copier templates.",
            "Pass --blueprint with its copier port (and --ref, --data as needed); "
            "the answers are read from .cruft.json.",
        )
    if cruft is None and opts.asked.blueprint is None:
        raise InputError(
            f"no copier answers file in {root} ({copieranswers.ANSWERS_FILE}, "
            "or another YAML file holding _src_path).",
            "Pass --answers-file PATH; or --blueprint SRC --ref REF --data "
            "KEY=VALUE for a project without one (SRC `bundled` for synctool's "
            "own blueprint, which renders none).",
        )
    return cruft


def _inside(root: Path, given: str) -> str:
    """--answers-file as copier takes it: relative to the project."""
    path = Path(given)
    full = path if path.is_absolute() else root / path
    try:
        return full.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise InputError(
            f"--answers-file {given}: not inside the project {root}.",
            "Give the answers file's path relative to the project.",
        ) from None


# --- which blueprint, at which version ----------------------------------------


def choose_target(root: Path, recorded: Recorded | None, opts: AdoptOptions) -> Target:
    copier = recorded if recorded is not None and recorded.tool == "copier" else None
    if opts.asked.blueprint is not None:
        source = sources.resolve_source(opts.asked.blueprint, Path.cwd())
    else:
        assert copier is not None  # _recorded refused every other case
        source = _recorded_source(root, copier)
    if opts.asked.ref is not None:
        ref = sources.resolve_ref(source, opts.asked.ref)
        return Target(
            sources.at_version(source, ref), ref, None, f"--ref {opts.asked.ref}"
        )
    if copier is None:
        ref = sources.resolve_ref(source, None)
        why = "the newest release (pass --ref to record another)"
        if source.kind == "folder":
            why = "the folder as it is now (a folder has no releases)"
        return Target(sources.at_version(source, ref), ref, None, why)
    where = f"_commit in {copier.path}"
    if copier.commit is None:
        if source.kind == "git":
            raise BlueprintError(
                f"{copier.path} records no _commit (the template was not a git "
                "repository when copier applied it).",
                "Pass --ref with the version the project was generated from.",
            )
        return Target(source, None, None, f"{copier.path} (a template folder)")
    if source.kind != "git":
        raise BlueprintError(
            f"{copier.path} records _commit {copier.commit}, but blueprint "
            f"{source.recorded} is not a git repository.",
            "Pass --blueprint with the template's git repository.",
        )
    applied = copieranswers.read_describe(copier.commit)
    local = Path(source.location)
    if local.is_dir():
        sha = git.resolve_commit(local, applied.ref)
    elif applied.exact_tag:  # a URL: the tag is asked of the remote
        sources.resolve_ref(source, applied.ref, given_as=where)  # reachable?
        sha = commit_of(source, applied.ref)
    else:  # a URL and a commit: checked once cloned
        sha = applied.ref
    if sha is None:
        raise not_in_history(copier, source)
    if applied.exact_tag:
        ref = sources.resolve_ref(source, applied.ref, given_as=where)
        return Target(source, ref, sha, where)
    return Target(source, sha, applied.ref, where)


def _recorded_source(root: Path, copier: Recorded) -> sources.Source:
    """The template copier recorded, if it is still there."""
    if copier.src_path is None:
        raise InputError(
            f"{copier.path}: no _src_path (not copier's answers file?).",
            "Pass --blueprint SRC with the template it was generated from.",
        )
    src = copieranswers.expand_shorthand(copier.src_path)
    gone = BlueprintError(
        f"the template {copier.path} names, {copier.src_path}, no longer exists.",
        "Pass --blueprint SRC with where it lives now (a path or git URL).",
    )
    if not _is_url(src):
        # copier records a local path as it was typed (relative to where
        # `copier copy` ran): try from here, then from the project.
        bases = [Path.cwd(), root]
        found = [b / src for b in bases if (b / Path(src).expanduser()).is_dir()]
        if not found:
            raise gone
        src = str(found[0].expanduser().resolve())
    try:
        return sources.resolve_source(src, Path.cwd())
    except BlueprintError as exc:
        raise BlueprintError(
            f"the template {copier.path} names cannot be used: {exc.message}",
            "Pass --blueprint SRC with where it lives now.",
        ) from None


def is_shorthand(recorded: Recorded, source: sources.Source) -> bool:
    src = recorded.src_path
    return (
        src is not None
        and src != source.location
        and copieranswers.expand_shorthand(src) == source.location
    )


def _is_url(src: str) -> bool:
    return "://" in src or src.startswith(("git@", "git+"))


def not_in_history(copier: Recorded, source: sources.Source) -> BlueprintError:
    return BlueprintError(
        f"{copier.path}: _commit {copier.commit} is not in the history of "
        f"blueprint {source.recorded}.",
        "Pass --ref with the release the project was generated from, or "
        "--blueprint with the repository that has that commit (copier commits a "
        "template's uncommitted changes in a clone of its own: no repository has those).",
    )
