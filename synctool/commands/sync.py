"""`synctool sync`, `update` and `diff`: move a service between blueprint versions."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from synctool import journal, sources, syncer, tasks, ui, worktree
from synctool.errors import EXIT_FINDINGS, EXIT_OK, BlueprintError, GitError, InputError
from synctool.merge.plan import PlanEntry
from synctool.model import DECLARED, LOCK, Lock, load_declared, load_lock


class SyncOptions(NamedTuple):
    path: Path
    to: str | None = None  # update: the new ref ("" = newest release)
    data: Mapping[str, Any] = {}
    update: bool = False  # set the declared ref/answers first
    dry_run: bool = False
    abort: bool = False
    allow_dirty: bool = False
    trust: bool = False
    interactive: bool = False
    output: str = "text"
    side_process: bool = True  # the base rendered in a second process


def run(opts: SyncOptions) -> int:
    root = opts.path.absolute()
    if opts.output not in ("text", "json"):
        raise InputError(f"unknown --format {opts.output!r}.", "Use text or json.")
    # A pending journal first: a kill can leave .synctool.yml inside it.
    if opts.abort:
        return _abort(root)
    if not (root / DECLARED).is_file() and not journal.pending(root):
        raise InputError(
            f"{root} is not a synctool service (no {DECLARED}).",
            "Run this in a service made by `synctool init`, or pass its path.",
        )
    journal.check_free(root)
    if journal.pending(root):
        if opts.dry_run:
            raise InputError(
                "an interrupted sync is pending.",
                "Run `synctool sync` to finish it or `synctool sync --abort` to undo it.",
            )
        if journal.finish(root):
            ui.warning(
                "finished undoing an interrupted sync (its --abort had begun) "
                "before doing anything else."
            )
        else:
            ui.warning("finished an interrupted sync before doing anything else.")
    target = _target(root, opts)
    if not opts.dry_run and not opts.allow_dirty and not _current(root, target):
        dirty = worktree.dirty_paths(root)
        if dirty:
            shown = ", ".join(dirty[:3]) + (", ..." if len(dirty) > 3 else "")
            raise GitError(
                f"the service has uncommitted changes ({len(dirty)}: {shown}).",
                "Commit or stash them and run again, or pass --allow-dirty.",
            )
    prepared = syncer.prepare(
        root,
        target,
        trust=opts.trust,
        interactive=opts.interactive,
        side_process=opts.side_process,
    )
    before, after = _template_code(prepared, trust=opts.trust)
    if not opts.dry_run and not prepared.noop:
        _run(before, prepared, "blueprint migration (before)")
        journal.apply(root, prepared.writes)
        _run(after, prepared, "blueprint migration/task")
    _report(prepared, opts)
    return EXIT_FINDINGS if prepared.plan.conflicts else EXIT_OK


def _target(root: Path, opts: SyncOptions) -> syncer.Target:
    declared = load_declared(root)
    source = sources.resolve_source(declared.blueprint, root)
    if opts.update:
        wanted = opts.to or None
        ref = sources.resolve_ref(source, wanted, "--to")
        answers = {**declared.answers, **opts.data}
        changed = ref != declared.ref or answers != declared.answers
        return syncer.Target(
            declared, ref, answers, changed, source.recorded, dict(opts.data)
        )
    ref = sources.resolve_ref(source, declared.ref, f"`ref` in {DECLARED}")
    return syncer.Target(declared, ref, declared.answers, False, source.recorded)


def _template_code(
    prepared: syncer.Prepared, *, trust: bool
) -> tuple[list[tasks.Step], list[tasks.Step]]:
    """The blueprint code this sync would run: refused without --trust."""
    if prepared.noop:
        return [], []
    code, old, new = prepared.code, prepared.previous.version, prepared.lock.version
    before = tasks.migration_steps(code, "before", old, new)
    after = tasks.migration_steps(code, "after", old, new) + tasks.task_steps(code)
    if (before or after) and not trust:
        raise BlueprintError(
            f"blueprint {new or prepared.lock.ref} runs code on your machine for this "
            f"update ({len(before) + len(after)} migration(s)/task(s)); nothing was written.",
            "Re-run with --trust if you trust it.",
        )
    return before, after


def _run(steps: list[tasks.Step], prepared: syncer.Prepared, what: str) -> None:
    answers = prepared.lock.answers
    for command in tasks.run_steps(steps, prepared.root, answers, prepared.code):
        ui.action("run", command, what)


def _current(root: Path, target: syncer.Target) -> bool:
    """Nothing to do: then a dirty tree is no reason to refuse."""
    return syncer.is_current(load_lock(root), target)


def _abort(root: Path) -> int:
    journal.check_free(root)
    if not journal.pending(root) and not (root / DECLARED).is_file():
        raise InputError(f"{root} is not a synctool service (no {DECLARED}).")
    if not journal.pending(root):
        if journal.journal_dir(root).exists():
            journal.roll_back(root)  # a stage that never started writing
        raise InputError("there is no interrupted sync to abort.")
    journal.roll_back(root)
    ui.info("Rolled back the interrupted sync: every file is as it was before it.")
    return EXIT_OK


def _version(lock: Lock) -> str:
    return lock.version or lock.ref or lock.commit[:12]


def _report(prepared: syncer.Prepared, opts: SyncOptions) -> None:
    plan = prepared.plan
    if opts.output == "json":
        ui.emit_json(_as_json(prepared, opts))
        return
    before, after = _version(prepared.previous), _version(prepared.lock)
    if prepared.noop:
        ui.info(f"Already at blueprint {after}: nothing to do.")
        return
    if prepared.base_note:
        ui.warning(
            f"{prepared.base_note}; merged from the lock's hashes instead: files changed "
            "on one side were merged exactly, files changed on both sides got two-way "
            "conflict markers (no base section)."
        )
    changed = [e for e in plan.entries if e.action != "keep"]
    if opts.dry_run:
        rows = [(e.path, e.action, e.driver, e.conflicts, e.reason) for e in changed]
        ui.plan_table(rows, f"blueprint {before} -> {after} (dry run: nothing written)")
        ui.unified_diff(_diff_text(prepared))
    else:
        for e in changed:
            ui.action(e.action, e.path, e.reason)
            if e.side_file is not None:
                ui.action("create", e.side_file.path, "blueprint version, beside yours")
    ui.info("")
    verb = "Would move" if opts.dry_run else "Moved"
    ui.info(
        f"{verb} from blueprint {before} to {after}: {len(changed)} file(s) changed."
    )
    if plan.conflicts and not opts.dry_run:
        ui.warning(
            f"{len(plan.conflicts)} file(s) need your decision: "
            + ", ".join(e.path for e in plan.conflicts)
        )
        ui.info(
            "Resolve the conflict markers (or the .blueprint copies), `git add` the "
            "files and commit; `synctool check` passes when none are left."
        )


def _diff_text(prepared: syncer.Prepared) -> str:
    """What the sync writes, as a unified diff against the working tree."""
    chunks: list[str] = []
    for path, entry in sorted(prepared.writes.items()):
        if path == LOCK:
            continue  # synctool's own bookkeeping, not the user's files
        current = prepared.ours.get(path)
        if path == DECLARED:
            current = worktree.read_entry(prepared.root / path)
        old = current.data if current is not None else b""
        new = entry.data if entry is not None else b""
        chunks.append(_one_diff(path, old, new, entry is None))
    return "".join(chunks)


def _one_diff(path: str, old: bytes, new: bytes, deleted: bool) -> str:
    if b"\0" in old or b"\0" in new:
        return f"Binary files a/{path} and b/{path} differ\n"
    try:
        a = old.decode().splitlines(keepends=True)
        b = new.decode().splitlines(keepends=True)
    except UnicodeDecodeError:
        return f"Binary files a/{path} and b/{path} differ\n"
    lines = difflib.unified_diff(
        a, b, f"a/{path}" if a else "/dev/null", "/dev/null" if deleted else f"b/{path}"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _entry_json(e: PlanEntry) -> dict[str, Any]:
    return {
        "path": e.path,
        "action": e.action,
        "driver": e.driver,
        "ownership": e.ownership,
        "conflicts": e.conflicts,
        "reason": e.reason,
        "old_path": e.old_path,
        "side_file": e.side_file.path if e.side_file else None,
    }


def _as_json(prepared: syncer.Prepared, opts: SyncOptions) -> dict[str, Any]:
    def side(lock: Lock) -> dict[str, Any]:
        return {"ref": lock.ref, "version": lock.version, "commit": lock.commit}

    return {
        "from": side(prepared.previous),
        "to": side(prepared.lock),
        "dry_run": opts.dry_run,
        "noop": prepared.noop,
        "fallback": prepared.plan.fallback,
        "fallback_reason": prepared.base_note or None,
        "conflicts": [e.path for e in prepared.plan.conflicts],
        "entries": [
            _entry_json(e) for e in prepared.plan.entries if e.action != "keep"
        ],
        "written": not opts.dry_run and not prepared.noop,
    }
