"""`synctool sync`, `update` and `diff`: move a service between blueprint versions."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from synctool import ui
from synctool.blueprint import sources, tasks
from synctool.check import drift
from synctool.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    BlueprintError,
    GitError,
    InputError,
    SynctoolError,
    TaskFailed,
)
from synctool.merge.plan import PlanEntry
from synctool.merge.records import Regenerate
from synctool.service import journal, worktree
from synctool.service import mutex as servicelock
from synctool.service.fsops import write_entry
from synctool.service.model import (
    DECLARED,
    JOURNAL,
    LOCK,
    Lock,
    dump_lock,
    load_declared,
    load_lock,
)
from synctool.sync import syncer
from synctool.tree import FileEntry


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
    try:
        return _run(opts)
    except journal.SyncInterrupted as exc:
        # Said here: the command line's parser turns Ctrl-C into a silent 130.
        ui.error(exc.message, exc.hint)
        exc.reported = True
        raise


def _run(opts: SyncOptions) -> int:
    root = opts.path.absolute()
    if opts.output not in ("text", "json"):
        raise InputError(f"unknown --format {opts.output!r}.", "Use text or json.")
    # A pending journal first: a kill can leave .synctool.yml inside it.
    if not (root / DECLARED).is_file() and not journal.pending(root):
        if opts.abort:
            raise InputError(f"{root} is not a synctool service (no {DECLARED}).")
        raise InputError(
            f"{root} is not a synctool service (no {DECLARED}).",
            "Run this in a service made by `synctool init`, or pass its path.",
        )
    journal.check_free(root)
    if opts.dry_run and not opts.abort:  # writes nothing: no lock to take
        return _sync(root, opts, _Stage())
    with servicelock.held(root, _command(opts)):
        if opts.abort:
            return _abort(root)
        return _sync(root, opts, _Stage())


def _command(opts: SyncOptions) -> str:
    """The command as the lock shows it to a second sync (no answers: secrets)."""
    if opts.abort:
        return "synctool sync --abort"
    return "synctool update" if opts.update else "synctool sync"


class _Stage:
    """Where a sync is, for the line a Ctrl-C prints (what state it leaves)."""

    def __init__(self) -> None:
        self.state = "interrupted: nothing was written."
        self.hint = ""

    def now(self, state: str, hint: str = "") -> None:
        self.state, self.hint = state, hint


def _sync(root: Path, opts: SyncOptions, stage: _Stage) -> int:
    try:
        return _sync_steps(root, opts, stage)
    except journal.SyncInterrupted:
        raise
    except KeyboardInterrupt:
        raise journal.SyncInterrupted(stage.state, stage.hint) from None


def _sync_steps(root: Path, opts: SyncOptions, stage: _Stage) -> int:
    kept: list[journal.Kept] = []
    if not opts.dry_run and journal.discard_stage(root):
        ui.info(_STAGE_REMOVED)
    if journal.pending(root):
        if opts.dry_run:
            raise InputError(
                "an interrupted sync is pending.",
                "Run `synctool sync` to finish it or `synctool sync --abort` to undo it.",
            )
        stage.now(
            "interrupted while resuming an interrupted sync; its journal is kept.",
            "Run `synctool sync` to finish it or `synctool sync --abort` to undo it.",
        )
        resumed = journal.resume(root)
        stage.now(
            "interrupted: nothing more was written (the interrupted sync is done)."
        )
        kept = resumed.kept
        if resumed.rolled_back:
            ui.warning(
                "finished undoing an interrupted sync (its --abort had begun) "
                "before doing anything else."
            )
        else:
            ui.warning("finished an interrupted sync before doing anything else.")
        _record_kept(root, kept)
        _report_kept(kept, finished=not resumed.rolled_back, json=opts.output == "json")
    target = _target(root, opts)
    if not opts.dry_run and not opts.allow_dirty and not _current(root, target):
        dirty = worktree.dirty_paths(root)
        if dirty:
            shown = ", ".join(dirty[:3]) + (", ..." if len(dirty) > 3 else "")
            raise GitError(
                f"the service has uncommitted changes ({len(dirty)}: {shown}).",
                "Commit or stash them and run again, or pass --allow-dirty.",
            )
    after: list[tasks.Step] = []

    def before_merge(move: syncer.CodeToRun) -> None:
        """Trust first; then the "before" migrations, on the service as it is,
        so that the merge plan sees what they did (as copier does)."""
        # A dry run runs no code: it needs no trust, and says what would run.
        trusted = opts.trust or opts.dry_run
        before, later = _template_code(move, target.ref, root, trust=trusted)
        after[:] = later
        if opts.dry_run and (before or later) and not opts.trust:
            ui.warning(
                f"the update runs {len(before) + len(later)} blueprint "
                "migration(s)/task(s): `synctool update` needs --trust for them."
            )
        if not opts.dry_run and before:
            _run_before(before, root, move, stage)
        elif before:
            ui.warning(
                f"a dry run does not run the blueprint's {len(before)} migration(s) "
                "meant to run before the merge: the plan does not show their changes."
            )

    prepared = syncer.prepare(
        root,
        target,
        trust=opts.trust,
        interactive=opts.interactive,
        side_process=opts.side_process,
        before_merge=before_merge,
    )
    if not opts.dry_run and not prepared.noop:
        ours = prepared.ours
        read = ours.read_so_far() if isinstance(ours, worktree.WorkTree) else {}
        # says itself what a failure leaves
        journal.apply(root, prepared.writes, read=read)
        version = _version(prepared.lock)
        stage.now(
            f"interrupted after blueprint {version} was applied (files and lock "
            "written), while running its migrations/tasks.",
            "The sync itself is complete; run the rest by hand.",
        )
        _run_after(after, prepared)
    # changes inside nested repositories an earlier sync could not write
    reported = {e.path for e in prepared.plan.conflicts}
    pending = [p for p in drift.not_applied(root, prepared.lock) if p not in reported]
    _report(prepared, opts, kept, pending)
    if prepared.plan.conflicts or kept or pending:
        return EXIT_FINDINGS
    return EXIT_OK


def _target(root: Path, opts: SyncOptions) -> syncer.Target:
    declared = load_declared(root)
    source = sources.resolve_source(declared.blueprint, root)
    if opts.update:
        wanted = opts.to or None
        ref = sources.resolve_ref(source, wanted, "--to")
        if wanted is None and _would_go_back(root, ref):
            ref = declared.ref  # never downgrade unasked: stay where it is
        answers = {**declared.answers, **opts.data}
        changed = ref != declared.ref or answers != declared.answers
        return syncer.Target(
            declared,
            ref,
            answers,
            changed,
            source.recorded,
            dict(opts.data),
            _moving_commit(source, ref),
        )
    ref = sources.resolve_ref(source, declared.ref, f"`ref` in {DECLARED}")
    return syncer.Target(
        declared,
        ref,
        declared.answers,
        False,
        source.recorded,
        commit=_moving_commit(source, ref),
    )


def _moving_commit(source: sources.Source, ref: str | None) -> str | None:
    """The commit ``ref`` names now, when it is a ref that moves (HEAD, a
    branch): the applied state is compared by commit, not by the ref's name.
    A release tag names one commit for good: not asked."""
    from packaging.version import InvalidVersion, Version

    from synctool.blueprint.rendercache import commit_of

    if source.kind != "git" or ref is None:
        return None
    try:
        Version(ref)
    except InvalidVersion:
        return commit_of(source, ref)
    return None


def _would_go_back(root: Path, newest: str | None) -> bool:
    """Whether the newest release is older than what the service has (a
    pre-release such as 2.0.0rc1, which release tags leave out); says so."""
    from packaging.version import InvalidVersion, Version

    applied = load_lock(root).version
    if newest is None or applied is None:
        return False
    try:
        behind = Version(newest.removeprefix("v")) < Version(applied.removeprefix("v"))
    except InvalidVersion:
        return False
    if behind:
        ui.warning(
            f"the service is at blueprint {applied}, newer than the newest release "
            f"{newest}: not moving it back. Give `--to {newest}` to downgrade."
        )
    return behind


def _template_code(
    move: syncer.CodeToRun, ref: str | None, root: Path, *, trust: bool
) -> tuple[list[tasks.Step], list[tasks.Step]]:
    """The blueprint code this sync would run: refused without --trust."""
    code, old, new = move.code, move.from_version, move.to_version
    applied = _described(root, code)
    before = tasks.migration_steps(code, "before", old, new, from_commit=applied)
    after = tasks.migration_steps(code, "after", old, new, from_commit=applied)
    after += tasks.task_steps(code)
    if (before or after) and not trust:
        raise BlueprintError(
            f"blueprint {new or ref} runs code on your machine for this "
            f"update ({len(before) + len(after)} migration(s)/task(s)); nothing was written.",
            "Re-run with --trust if you trust it.",
        )
    return before, after


def _described(root: Path, code: tasks.TemplateCode) -> str | None:
    """The applied version as copier describes it (`v1.0.0`): `_commit` in the
    service's copier answers file, where copier reads it too; None without."""
    from synctool import fastyaml
    from synctool.service import staging

    conf = code.context.get("_copier_conf")
    name = conf.get("answers_file") if isinstance(conf, Mapping) else None
    if not isinstance(name, str):
        return None
    try:
        staging.check_relpath(name)
        doc = fastyaml.load((root / name).read_text(encoding="utf-8"))
    except (SynctoolError, fastyaml.FastYAMLError, OSError, UnicodeDecodeError):
        return None
    commit = doc.get("_commit") if isinstance(doc, dict) else None
    return str(commit) if isinstance(commit, str | int | float) else None


def _run_before(
    steps: list[tasks.Step], root: Path, move: syncer.CodeToRun, stage: _Stage
) -> None:
    stage.now(
        "interrupted while running the blueprint's migrations (before the merge): "
        "synctool wrote nothing.",
        "What the migrations changed, if anything, is in the working tree "
        "(`git status`).",
    )
    for step in steps:
        try:
            ran = tasks.run_steps([step], root, move.answers, move.code)
        except TaskFailed as exc:
            raise BlueprintError(
                f"the blueprint's migration {_failed(exc, step)}, before the merge: "
                "nothing was written by the sync.",
                "Whatever the migration itself changed is in the working tree "
                "(`git status`); fix what it needs and run again.",
            ) from None
        for command in ran:
            ui.action("run", command, "blueprint migration (before)")
    stage.now("interrupted: nothing was written by the sync.", stage.hint)


def _run_after(steps: list[tasks.Step], prepared: syncer.Prepared) -> None:
    root, answers, code = prepared.root, prepared.lock.answers, prepared.code
    for step in steps:
        try:
            ran = tasks.run_steps([step], root, answers, code)
        except TaskFailed as exc:
            if step.extra.get("stage") != "after":
                raise  # a task: its own words
            raise TaskFailed(
                f"blueprint {_version(prepared.lock)} is applied (files and lock "
                f"written), but its migration {_failed(exc, step)}.",
                "Fix what it needs and run it by hand; the sync itself is complete.",
            ) from None
        what = "blueprint migration" if step.extra.get("stage") == "after" else "task"
        for command in ran:
            ui.action("run", command, f"blueprint {what}")


def _failed(exc: TaskFailed, step: tasks.Step) -> str:
    """ "`cmd` failed (exit N)" from the task runner's message."""
    found = re.search(r"(`[^`]*`) failed \((exit -?\d+)\)", exc.message)
    if found:
        return f"{found.group(1)} failed ({found.group(2)})"
    shown = step.cmd if isinstance(step.cmd, str) else " ".join(step.cmd)
    return f"`{shown}` failed ({exc.message.rstrip('.')})"


def _current(root: Path, target: syncer.Target) -> bool:
    """Nothing to do: then a dirty tree is no reason to refuse."""
    return syncer.is_current(load_lock(root), target)


_STAGE_REMOVED = (
    f"Removed {JOURNAL}/, left by a sync killed while it was staging its files: "
    "none of them had been written to the service."
)


def _abort(root: Path) -> int:
    if not journal.pending(root):
        if journal.discard_stage(root):  # a stage that never started writing
            ui.info(_STAGE_REMOVED)
            return EXIT_OK
        raise InputError("there is no interrupted sync to abort.")
    kept = journal.abort(root)
    _record_kept(root, kept)
    ui.info("Rolled back the interrupted sync: every file is as it was before it.")
    _report_kept(kept, finished=False, json=False)
    return EXIT_FINDINGS if kept else EXIT_OK


def _record_kept(root: Path, kept: list[journal.Kept]) -> None:
    """Record each edit moved beside itself as a conflict in the lock now on
    disk, so that `synctool check` reports it until it is resolved."""
    moved = {k.kept: "your-version" for k in kept if k.kept != k.path}
    if not moved:
        return
    try:
        lock = load_lock(root)
    except SynctoolError:
        return  # no readable lock: the report above is all there is
    lock = lock._replace(conflicts={**lock.conflicts, **moved})
    write_entry(root / LOCK, FileEntry(dump_lock(lock).encode()))


def _report_kept(kept: list[journal.Kept], *, finished: bool, json: bool) -> None:
    """The files edited after the interruption, moved beside themselves, and
    the folders made where the sync deleted a file, left in place."""
    state = "finished" if finished else "restored"
    moved = [k for k in kept if k.kept != k.path]
    for item in moved:
        ui.action(
            "create",
            item.kept,
            f"your edit of {item.path}, made after the interruption",
            stderr=json,  # stdout holds the JSON document
        )
    if moved:
        ui.warning(
            f"{len(moved)} file(s) were edited after the sync was interrupted: your "
            f"version is kept beside each as .local ({', '.join(k.kept for k in moved)}), "
            f"the {state} version is in place. Merge them by hand and delete the "
            ".local files."
        )
    folders = [k.path for k in kept if k.kept == k.path]
    if folders:
        ui.warning(
            f"the interrupted sync deletes the file {', '.join(folders)}, where you "
            "made a folder after the interruption: your folder is kept as it is."
        )


def _version(lock: Lock) -> str:
    return lock.version or lock.ref or lock.commit[:12]


def _report(
    prepared: syncer.Prepared,
    opts: SyncOptions,
    kept: list[journal.Kept],
    pending: list[str],
) -> None:
    plan = prepared.plan
    if opts.output == "json":
        ui.emit_json(_as_json(prepared, opts, kept, pending))
        return
    if pending:
        ui.warning(
            f"{len(pending)} change(s) of the blueprint inside another git repository "
            f"(nested or a submodule) are still not applied: {', '.join(pending)}. "
            "synctool never writes there: apply them in that repository."
        )
    was, now = syncer.answer_changes(prepared.previous.answers, prepared.lock.answers)
    before = _version(prepared.previous) + was  # an answer change is named
    after = _version(prepared.lock) + now
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
            if e.side_file is not None and e.side_file.holds == "yours":
                ui.action(
                    "create", e.side_file.path, "your version, beside the blueprint's"
                )
            elif e.side_file is not None:
                ui.action("create", e.side_file.path, "blueprint version, beside yours")
    ui.info("")
    verb = "Would move" if opts.dry_run else "Moved"
    ui.info(
        f"{verb} from blueprint {before} to {after}: {len(changed)} file(s) changed."
    )
    for stale in plan.regenerate:
        ui.warning(_regenerate_line(stale, dry_run=opts.dry_run))
    for left in plan.left_behind:
        shown = ", ".join(left.paths[:5]) + (", ..." if len(left.paths) > 5 else "")
        ui.warning(
            f"the blueprint moved {left.folder}/ to {left.moved_to}/, but "
            f"{len(left.paths)} file(s) of yours stay in {left.folder}/ ({shown}): "
            f"move them to {left.moved_to}/ if they belong with it."
        )
    if opts.dry_run:
        return
    if plan.conflicts:
        ui.warning(
            f"{len(plan.conflicts)} file(s) need your decision: "
            + ", ".join(e.path for e in plan.conflicts)
        )
        ui.info(
            "Resolve the conflict markers (or the .blueprint/.local copies), `git add` the "
            "files and commit; `synctool check` passes when none are left."
        )
    elif changed:
        ui.info(
            "Next: review the changes with `git diff`, run the service's tests, "
            "then commit them (`git add -A && git commit`)."
        )


def _regenerate_line(stale: Regenerate, *, dry_run: bool) -> str:
    """One derived file left out of date, and the one command that fixes it."""
    where = f"cd {stale.folder} && " if stale.folder else ""
    whose = "the blueprint's" if stale.kept == "blueprint" else "yours"
    left = "would be left" if dry_run else "is"
    return (
        f"{stale.path} ({whose}) {left} out of date with {', '.join(stale.sources)}: "
        f"run `{where}{stale.command}` and commit the result."
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
        "side_file_holds": e.side_file.holds if e.side_file else None,
    }


def _as_json(
    prepared: syncer.Prepared,
    opts: SyncOptions,
    kept: list[journal.Kept],
    pending: list[str],
) -> dict[str, Any]:
    def side(lock: Lock) -> dict[str, Any]:
        return {"ref": lock.ref, "version": lock.version, "commit": lock.commit}

    return {
        "from": side(prepared.previous),
        "to": side(prepared.lock),
        "dry_run": opts.dry_run,
        "noop": prepared.noop,
        "fallback": prepared.plan.fallback,
        "fallback_reason": prepared.base_note or None,
        # the edits a resumed sync kept beside themselves are conflicts too
        "conflicts": [e.path for e in prepared.plan.conflicts]
        + [k.kept for k in kept if k.kept != k.path]
        + pending,
        "kept": [{"path": k.path, "kept": k.kept} for k in kept],
        "entries": [
            _entry_json(e) for e in prepared.plan.entries if e.action != "keep"
        ],
        "written": not opts.dry_run and not prepared.noop,
        "left_behind": [
            {"folder": x.folder, "moved_to": x.moved_to, "paths": list(x.paths)}
            for x in prepared.plan.left_behind
        ],
        "regenerate": [
            {
                "path": r.path,
                "from": list(r.sources),
                "command": r.command,
                "folder": r.folder,
                "kept": r.kept,
            }
            for r in prepared.plan.regenerate
        ],
    }
