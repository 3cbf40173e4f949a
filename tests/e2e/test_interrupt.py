"""`synctool update` killed at every write step: the service is always recoverable.

The update runs in a subprocess whose ``synctool.service.journal.steps.step_hook`` counts
the journal's steps and ``os._exit(137)``s at step N (a SIGKILL: no cleanup,
no finally). For every N: the service is as before, or as after a clean
update, or holds a pending journal; no file content of the service is ever
gone from its folder; `synctool sync` then finishes the update exactly, and
`synctool sync --abort` (on a copy) restores the service exactly as before.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.e2e.test_sync_scenarios import JOURNAL, as_bytes, build_service
from tests.helpers import REPO, git, run_cli, snapshot
from tests.scenarios import ONE_SIDED

# Kill points that are recoverable by design but not yet in fact: the step
# name (as the journal reports it) -> the bug, precisely. Problems at other
# steps fail the test; a listed bug that no longer shows fails it too.
KNOWN_BUGS: dict[str, str] = {}

# argv: mode ("count" or "kill"), N, log file, then the synctool arguments.
KILLER = """\
import os, sys
import synctool.service.journal.steps
from synctool.cli import main

mode, stop, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
calls = 0

def hook(name):
    global calls
    calls += 1
    with open(log, "a") as handle:
        handle.write(name + "\\n")
    if mode == "kill" and calls == stop:
        os._exit(137)

synctool.service.journal.steps.step_hook = hook
sys.argv = ["synctool", *sys.argv[4:]]
main()
"""


def run_killed(svc: Path, mode: str, stop: int, log: Path) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", KILLER, mode, str(stop), str(log), "update", str(svc)],
        cwd=svc.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if mode == "count":
        assert done.returncode == 0, done.stdout + done.stderr
    return done.returncode


def user_view(root: Path) -> dict[str, bytes]:
    """The service's files, leaving out an unfinished journal's folder."""
    return {
        rel: data
        for rel, data in snapshot(root).items()
        if not rel.startswith(JOURNAL + "/")
    }


def all_contents(root: Path) -> set[bytes]:
    """Every file content anywhere in the service folder, journal included."""
    return set(snapshot(root).values())


def pending(root: Path) -> bool:
    return (root / JOURNAL / "manifest.json").is_file()


def test_update_killed_at_every_step_is_recoverable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, svc = build_service(tmp_path, ONE_SIDED, capsys)
    before = snapshot(svc)
    assert git(svc, "status", "--porcelain") == ""

    # A clean update, counting the journal's steps (it also warms the renders).
    clean = tmp_path / "clean" / "svc"
    shutil.copytree(svc, clean, symlinks=True)
    steps_log = tmp_path / "steps.log"
    run_killed(clean, "count", 0, steps_log)
    steps = steps_log.read_text().splitlines()
    assert len(steps) >= 10, steps  # stage, manifest, backups, writes, deletes
    after = snapshot(clean)
    assert after != before
    assert not (clean / JOURNAL).exists()
    for rel, want in ONE_SIDED.expected.items():
        assert after.get(rel) == (None if want is None else as_bytes(want)), rel

    # Kill at every step, each on its own copy (in parallel: subprocesses).
    copies = {}
    for n in range(1, len(steps) + 1):
        copies[n] = tmp_path / f"kill{n}" / "svc"
        shutil.copytree(svc, copies[n], symlinks=True)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        codes = dict(
            zip(
                copies,
                pool.map(
                    lambda n: run_killed(
                        copies[n], "kill", n, copies[n].parent / "steps.log"
                    ),
                    copies,
                ),
                strict=True,
            )
        )

    problems: list[str] = []
    for n, work in copies.items():
        problems += _check_kill(capsys, n, steps[n - 1], work, codes[n], before, after)
    known = {
        s: r for s, r in KNOWN_BUGS.items() if any(f"({s})" in p for p in problems)
    }
    new = [p for p in problems if not any(f"({s})" in p for s in KNOWN_BUGS)]
    assert new == [], "\n".join(new)
    # Strict, like xfail(strict=True): a fixed bug must leave the list.
    assert set(known) == set(KNOWN_BUGS), f"fixed: {set(KNOWN_BUGS) - set(known)}"
    if known:
        pytest.xfail("; ".join(f"killed after {s!r}: {r}" for s, r in known.items()))


def _check_kill(
    capsys: pytest.CaptureFixture[str],
    n: int,
    step: str,
    work: Path,
    code: int,
    before: dict[str, bytes],
    after: dict[str, bytes],
) -> list[str]:
    """What went wrong after a kill at step ``n``, and in recovering from it."""
    where = f"killed after step {n} ({step})"
    if code != 137:
        return [f"{where}: the update exited {code} instead of being killed"]
    problems = []
    # No file content of the service is ever lost (a moved-away file is in
    # the journal until the journal is finished or rolled back).
    lost = [rel for rel, data in before.items() if data not in all_contents(work)]
    if lost:
        problems.append(f"{where}: lost {lost}")
    state = user_view(work)
    if pending(work):
        kind = "pending"
    elif state in (before, after):
        kind = "before" if state == before else "after"
    else:
        return [*problems, f"{where}: neither before, nor after, nor pending"]

    undo = work.parent.parent / f"abort{n}" / "svc"
    shutil.copytree(work, undo, symlinks=True)

    # Finish: a pending journal with `sync`; an untouched service by updating.
    if kind == "pending":
        done = run_cli(capsys, "sync", str(work))
    elif kind == "before":
        done = run_cli(capsys, "update", str(work))
    else:
        done = run_cli(capsys, "sync", str(work), "--allow-dirty")
    if done.code != 0:
        problems.append(
            f"{where}: finishing ({kind}) exited {done.code}: {done.err.strip()}"
        )
    elif snapshot(work) != after:
        problems.append(f"{where}: finishing ({kind}) did not give the clean result")

    # Or roll back, on the copy.
    if kind != "after":
        # A stage left by a kill while staging is removed, and said so (0);
        # with no journal at all there is nothing to abort (2).
        staged = (undo / JOURNAL).is_dir()
        undone = run_cli(capsys, "sync", str(undo), "--abort")
        if undone.code != (0 if kind == "pending" or staged else 2):
            problems.append(
                f"{where}: --abort ({kind}) exited {undone.code}: {undone.err.strip()}"
            )
        if snapshot(undo) != before or git(undo, "status", "--porcelain"):
            problems.append(f"{where}: --abort ({kind}) did not restore the service")
    return problems


def test_abort_without_an_interrupted_sync_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, svc = build_service(tmp_path, ONE_SIDED, capsys)
    before = snapshot(svc)
    result = run_cli(capsys, "sync", str(svc), "--abort")
    assert result.code == 2
    assert "abort" in result.err
    assert snapshot(svc) == before
