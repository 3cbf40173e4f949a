"""A sync as steps: resume what a kill left, resolve the target, render the
two sides, run the migrations meant for before the merge, plan, write
through the journal, run the rest. Returns a typed ``SyncResult``; prints
only the warnings a user must see even when a later step fails."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from synctool import ui
from synctool.check import drift
from synctool.merge.plan import Plan
from synctool.service import journal, worktree
from synctool.service import mutex as servicelock
from synctool.service.declared import load_declared
from synctool.service.lockread import load_lock
from synctool.sync import prepare, renders
from synctool.sync.interrupted import finish_interrupted, require_service
from synctool.sync.labels import lock_label
from synctool.sync.migrations import Migrations, migrations_of, run_after, run_before
from synctool.sync.result import SyncResult
from synctool.sync.stage import Stage
from synctool.sync.target import (
    Target,
    is_current,
    refuse_dropped_answers,
    resolve_target,
)


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


def sync(opts: SyncOptions) -> SyncResult:
    """`synctool sync`, or `update` with ``opts.update``: the whole sync."""
    root = opts.path.absolute()
    require_service(root, abort=False)
    stage = Stage()
    if opts.dry_run:  # writes nothing: no lock to take
        return _interruptible(root, opts, stage)
    with servicelock.held(root, "synctool update" if opts.update else "synctool sync"):
        return _interruptible(root, opts, stage)


def _interruptible(root: Path, opts: SyncOptions, stage: Stage) -> SyncResult:
    try:
        return _steps(root, opts, stage)
    except journal.SyncInterrupted:
        raise
    except KeyboardInterrupt:
        raise journal.SyncInterrupted(stage.state, stage.hint) from None


def _steps(root: Path, opts: SyncOptions, stage: Stage) -> SyncResult:
    kept = finish_interrupted(
        root, stage, dry_run=opts.dry_run, json=opts.output == "json"
    )
    previous = load_lock(root)
    target = resolve_target(
        root,
        load_declared(root),
        previous,
        update=opts.update,
        to=opts.to,
        data=opts.data,
    )
    current = is_current(previous, target)
    if not opts.dry_run and not opts.allow_dirty and not current:
        _refuse_dirty(root)
    if current:
        pending = tuple(drift.not_applied(root, previous))
        return SyncResult(
            previous, previous, Plan(()), opts.dry_run, True, "", kept, pending
        )
    sides = renders.render_sides(
        root,
        target,
        previous,
        trust=opts.trust,
        interactive=opts.interactive,
        side_process=opts.side_process,
    )
    if not opts.interactive:  # on a terminal copier asked, and was answered
        refuse_dropped_answers(previous, target, sides.theirs.answers)
    code = _migrations_before(sides.code_to_run(previous), target, root, opts, stage)
    prepared = prepare.prepare(root, target, previous, sides)
    if not opts.dry_run:
        ours = prepared.ours
        read = ours.read_so_far() if isinstance(ours, worktree.WorkTree) else {}
        # says itself what a failure leaves
        journal.apply(root, prepared.writes, read=read)
        stage.now(
            f"interrupted after blueprint {lock_label(prepared.lock)} was applied "
            "(files and lock written), while running its migrations/tasks.",
            "The sync itself is complete; run the rest by hand.",
        )
        run_after(code.after, prepared)
    # changes inside nested repositories an earlier sync could not write
    reported = {e.path for e in prepared.plan.conflicts}
    pending = tuple(
        p for p in drift.not_applied(root, prepared.lock) if p not in reported
    )
    return SyncResult(
        previous,
        prepared.lock,
        prepared.plan,
        opts.dry_run,
        False,
        prepared.base_note,
        kept,
        pending,
        prepared,
    )


def _refuse_dirty(root: Path) -> None:
    worktree.refuse_dirty(
        root,
        "the service",
        "Commit or stash them and run again, or pass --allow-dirty.",
    )


def _migrations_before(
    move: renders.CodeToRun,
    target: Target,
    root: Path,
    opts: SyncOptions,
    stage: Stage,
) -> Migrations:
    """Trust first; then the "before" migrations, on the service as it is,
    so that the merge plan sees what they did (as copier does)."""
    # A dry run runs no code: it needs no trust, and says what would run.
    code = migrations_of(move, target.ref, root, trust=opts.trust or opts.dry_run)
    if opts.dry_run and code.total and not opts.trust:
        ui.warning(
            f"the update runs {code.total} blueprint "
            "migration(s)/task(s): `synctool update` needs --trust for them."
        )
    if not opts.dry_run and code.before:
        run_before(code.before, root, move, stage)
    elif code.before:
        ui.warning(
            f"a dry run does not run the blueprint's {len(code.before)} migration(s) "
            "meant to run before the merge: the plan does not show their changes."
        )
    return code
