"""adopt as steps: refuse what cannot be adopted, choose the version, render it,
compare, write the two files."""

from __future__ import annotations

from synctool.adopt.model import Adopted, AdoptOptions
from synctool.adopt.record import compare, render_target, write_both
from synctool.adopt.target import choose_target, recorded_answers
from synctool.errors import InputError
from synctool.service import worktree
from synctool.service.declared import refuse_existing_service


def adopt(opts: AdoptOptions) -> tuple[Adopted, tuple[str, ...]]:
    """Adopt the project at ``opts.path``: the two files written, the report
    and the render's warnings returned. Nothing is written on a refusal."""
    root = opts.path.absolute()
    if not root.is_dir():
        raise InputError(f"{root} is not a folder.", "Give the project's folder.")
    refuse_existing_service(root, "adopt")
    if not opts.allow_dirty:
        worktree.refuse_dirty(
            root,
            "the project",
            "Commit or stash them first (adopt compares the blueprint with your "
            "committed work), or pass --allow-dirty.",
        )
    listed = worktree.list_files(root)
    recorded = recorded_answers(root, listed, opts)
    target = choose_target(root, recorded, opts)
    rendered = render_target(root, recorded, target, opts)
    adopted, files = compare(root, listed, recorded, target, rendered)
    write_both(root, files)
    notes = tuple(rendered.warnings)
    if target.source.kind == "folder":
        notes += (
            f"blueprint {target.source.recorded} is a folder, not a git repository: "
            "it has no releases, and `synctool update` merges what it holds then "
            "without a base (a file both sides changed is a two-way conflict). To "
            "follow releases, adopt from its git repository (or `--blueprint "
            "bundled` for synctool's own blueprint).",
        )
    return adopted, notes
