"""`synctool init DEST`: generate a service from a blueprint and record it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from synctool import git, ui
from synctool.blueprint import sources, tasks
from synctool.blueprint.asked import Asked
from synctool.blueprint.render import render
from synctool.check import policy
from synctool.errors import EXIT_OK, BlueprintError, InputError
from synctool.service import fsops
from synctool.service.declared import dump_declared, refuse_existing_service
from synctool.service.lock import dump_lock
from synctool.service.names import DECLARED, LOCK
from synctool.sync.labels import version_label
from synctool.sync.newlock import new_lock
from synctool.tree import FileEntry


class InitOptions(NamedTuple):
    dest: Path
    asked: Asked = Asked()
    git: bool = True
    force: bool = False


def run(opts: InitOptions) -> int:
    dest, asked = opts.dest.absolute(), opts.asked
    _check_dest(dest, force=opts.force)
    source = sources.resolve_source(asked.blueprint, Path.cwd())
    ref = sources.resolve_ref(source, asked.ref)
    source = sources.at_version(source, ref)
    copier_ref = None if source.kind != "git" else ref
    rendered = render(
        source.location,
        copier_ref,
        asked.data,
        defaults=asked.defaults,
        interactive=asked.interactive,
        trust=asked.trust,
        dest=dest,
    )
    steps = tasks.task_steps(rendered.code)
    if steps and not asked.trust:
        raise BlueprintError(
            f"the blueprint {source.recorded} runs code on your machine ({len(steps)} task(s)).",
            "Re-run with --trust if you trust it.",
        )
    for note in rendered.warnings:
        ui.warning(note)
    applied = policy.of_render(rendered, source.recorded)
    version = rendered.version or source.bundled_version
    lock = new_lock(source.recorded, ref, rendered, source.bundled_version, applied)
    ours: dict[str, FileEntry] = dict(rendered.tree)
    ours[DECLARED] = FileEntry(
        dump_declared(source.recorded, ref, rendered.answers).encode()
    )
    ours[LOCK] = FileEntry(dump_lock(lock).encode())
    actions = _write(dest, ours)

    for command in tasks.run_steps(steps, dest, rendered.answers, rendered.code):
        ui.action("run", command, "blueprint task")
    enclosing = git.toplevel(dest)
    if enclosing is not None and git.ignores(enclosing, dest):
        enclosing = None  # the repository around it leaves it out: its own
    make_repo = opts.git and enclosing is None
    label = f"{_label(source.recorded)} {version_label(version, ref, rendered.commit)}"
    commit = (
        git.init_and_commit(dest, f"Initial commit from {label}") if make_repo else None
    )

    for verb, rel in actions:
        ui.action(verb, rel)
    ui.info("")
    ui.info(f"Created {dest.name} from {label} ({len(rendered.tree)} files).")
    if commit:
        ui.info(f"Initialised a git repository with the first commit {commit[:12]}.")
    elif enclosing is not None:
        inside = os.path.relpath(dest, enclosing)
        ui.warning(
            f"{dest.name} lives inside the git repository at {enclosing}, so no "
            "repository was made for it. Commit it there before its first sync "
            f"(`git -C {enclosing} add {inside} && git -C {enclosing} commit`), "
            "or run init outside that repository to give the service its own."
        )
    skipped = [rel for verb, rel in actions if verb == "skip"]
    if skipped:
        ui.warning(
            f"{len(skipped)} existing file(s) were kept as they were; the next "
            "`synctool sync` treats them as local changes."
        )
    ui.lines(
        [
            "Next:",
            f"  cd {opts.dest}",
            "  synctool check          # drift rules, also a pre-commit hook",
            "  synctool update         # pull the blueprint's newest release later",
        ]
    )
    return EXIT_OK


def _label(recorded: str) -> str:
    if recorded == "bundled":
        return "the bundled blueprint"
    return recorded.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or recorded


def _check_dest(dest: Path, *, force: bool) -> None:
    if dest.exists() and not dest.is_dir():
        raise InputError(f"{dest} exists and is not a folder.", "Choose another DEST.")
    refuse_existing_service(dest, "init")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise InputError(
            f"{dest} exists and is not empty.",
            "Choose an empty or new folder, or pass --force to add the service "
            "around the files there (none of them is overwritten or deleted).",
        )


def _write(dest: Path, files: Mapping[str, FileEntry]) -> list[tuple[str, str]]:
    """Write the service; return the action gutter lines. Existing files win."""
    if not dest.exists():
        fsops.create_tree(dest, files)
        return [("create", rel) for rel in files]
    # Check every path before writing any, so a bad one leaves nothing behind.
    targets = {rel: fsops.safe_target(dest, rel) for rel in files}
    actions: list[tuple[str, str]] = []
    for rel, entry in files.items():
        target = targets[rel]
        if target.is_symlink() or target.exists():
            same = (
                target.is_file()
                and not target.is_symlink()
                and target.read_bytes() == entry.data
            )
            actions.append(("identical" if same else "skip", rel))
            continue
        fsops.write_entry(target, entry)
        actions.append(("create", rel))
    return actions
