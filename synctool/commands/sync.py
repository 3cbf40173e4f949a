"""`synctool sync`, `update` and `diff`: move a service between blueprint versions."""

from __future__ import annotations

from synctool import ui
from synctool.errors import EXIT_FINDINGS, EXIT_OK, InputError
from synctool.merge.records import Regenerate
from synctool.service import journal
from synctool.sync.diff import diff_text
from synctool.sync.interrupted import STAGE_REMOVED, abort, report_kept
from synctool.sync.labels import answer_changes, lock_label
from synctool.sync.result import SyncResult
from synctool.sync.run import SyncOptions, sync

__all__ = ["SyncOptions", "run"]


def run(opts: SyncOptions) -> int:
    if opts.output not in ("text", "json"):
        raise InputError(f"unknown --format {opts.output!r}.", "Use text or json.")
    try:
        if opts.abort:
            return _abort(opts)
        result = sync(opts)
    except journal.SyncInterrupted as exc:
        # Said here: the command line's parser turns Ctrl-C into a silent 130.
        ui.error(exc.message, exc.hint)
        exc.reported = True
        raise
    if opts.output == "json":
        ui.emit_json(result.as_json())
    else:
        _report(result, dry_run=opts.dry_run)
    return EXIT_FINDINGS if result.needs_decision else EXIT_OK


def _abort(opts: SyncOptions) -> int:
    kept = abort(opts.path.absolute())
    if kept is None:  # a stage that never started writing
        ui.info(STAGE_REMOVED)
        return EXIT_OK
    ui.info("Rolled back the interrupted sync: every file is as it was before it.")
    report_kept(kept, finished=False, json=False)
    return EXIT_FINDINGS if kept else EXIT_OK


def _report(result: SyncResult, *, dry_run: bool) -> None:
    plan = result.plan
    if result.pending:
        ui.warning(
            f"{len(result.pending)} change(s) of the blueprint inside another git "
            f"repository (nested or a submodule) are still not applied: "
            f"{', '.join(result.pending)}. "
            "synctool never writes there: apply them in that repository."
        )
    was, now = answer_changes(result.previous.answers, result.lock.answers)
    before = lock_label(result.previous) + was  # an answer change is named
    after = lock_label(result.lock) + now
    if result.noop:
        ui.info(f"Already at blueprint {after}: nothing to do.")
        return
    if result.base_note:
        ui.warning(
            f"{result.base_note}; merged from the lock's hashes instead: files changed "
            "on one side were merged exactly, files changed on both sides got two-way "
            "conflict markers (no base section)."
        )
    changed = result.changed
    if dry_run and result.prepared is not None:
        rows = [(e.path, e.action, e.driver, e.conflicts, e.reason) for e in changed]
        ui.plan_table(rows, f"blueprint {before} -> {after} (dry run: nothing written)")
        ui.unified_diff(diff_text(result.prepared))
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
    verb = "Would move" if dry_run else "Moved"
    ui.info(
        f"{verb} from blueprint {before} to {after}: {len(changed)} file(s) changed."
    )
    for stale in plan.regenerate:
        ui.warning(_regenerate_line(stale, dry_run=dry_run))
    for left in plan.left_behind:
        shown = ", ".join(left.paths[:5]) + (", ..." if len(left.paths) > 5 else "")
        ui.warning(
            f"the blueprint moved {left.folder}/ to {left.moved_to}/, but "
            f"{len(left.paths)} file(s) of yours stay in {left.folder}/ ({shown}): "
            f"move them to {left.moved_to}/ if they belong with it."
        )
    if dry_run:
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
