"""The base of a sync: the applied version rendered again, as it was applied.

When it cannot be (the version is gone, the blueprint folder changed, the
render reads service files that changed), the merge falls back to the lock's
hashes, and the reason says why.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from synctool.blueprint import sources
from synctool.blueprint.render.result import Rendered
from synctool.blueprint.rendercache import cached_render, commit_of
from synctool.errors import BlueprintError, InputError
from synctool.service.lock import Lock
from synctool.service.lockentries import sha256


def render_base(
    root: Path, previous: Lock, current: sources.Source, trust: bool
) -> tuple[Rendered | None, str]:
    """The applied version, rendered again; or None and why (then: fallback).

    ``current``: the declared blueprint, resolved (not at a version)."""
    source = current  # the declared blueprint, resolved once per sync
    if previous.blueprint != current.recorded:  # it moved since
        with suppress(BlueprintError):
            source = sources.resolve_source(previous.blueprint, root)
    try:
        source = sources.at_version(source, previous.version)
    except BlueprintError as exc:
        return None, exc.message.rstrip(".")
    ref = _applied_ref(source, previous)
    try:
        rendered = cached_render(
            source,
            ref,
            {},
            recorded=previous.answers,
            defaults=True,
            interactive=False,
            trust=trust,
            operation="update",
            dest=root,
            # a tag _applied_ref has just seen name the applied commit
            commit=previous.commit if ref is not None and ref == previous.ref else None,
        )
    except (BlueprintError, InputError) as exc:
        return (
            None,
            f"the applied blueprint version could not be rendered ({exc.message})",
        )
    if source.kind == "folder" and rendered.commit != previous.commit:
        return None, "the blueprint folder changed since it was applied"
    if rendered.reads_service and _not_as_applied(rendered, previous):
        return None, (
            "the applied blueprint version reads files of the service "
            "(copier's _external_data) that changed since it was applied"
        )
    # A file the applied version renders that synctool did not write then
    # (copier's answers file, before synctool wrote it) is not in the base.
    tree = {p: e for p, e in rendered.tree.items() if p in previous.files}
    return rendered._replace(tree=tree), ""


def _not_as_applied(rendered: Rendered, previous: Lock) -> bool:
    return any(
        sha256(entry.data) != previous.files[p].sha256
        for p, entry in rendered.tree.items()
        if p in previous.files and previous.files[p].sha256 is not None
    )


def _applied_ref(source: sources.Source, previous: Lock) -> str | None:
    """The ref to render the applied version at: the ref it was rendered at
    (a tag, as templates may show it in `_copier_conf.vcs_ref`) while it still
    names the applied commit, else that commit."""
    if source.kind != "git":
        return None
    ref = previous.ref
    if ref and ref != "HEAD" and commit_of(source, ref) == previous.commit:
        return ref
    return previous.commit
