"""One sync at a time per service, with real concurrent processes; a killed
`synctool update` leaves no render worker behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import (
    REPO,
    git,
    init_service,
    release,
    run_cli,
    snapshot,
)

JOURNAL = ".synctool-journal"
COPIER = "name:\n  type: str\n  default: orders\n"
V1 = {"copier.yml": COPIER, "a.txt": "a1\n", "b.txt": "b1\n", "z/c.txt": "c1\n"}
V2 = {"copier.yml": COPIER, "a.txt": "a2\n", "b.txt": "b2\n", "z/c.txt": "c2\n"}

# argv: a "ready" file, a "go" file, then the synctool arguments. The update
# stops after staging its journal (holding the lock) until "go" exists.
HOLDER = """\
import os, sys, time
import synctool.service.journal.steps
from synctool.cli import main

ready, go = sys.argv[1], sys.argv[2]

def hook(name):
    if name == "manifest":
        open(ready, "w").close()
        while not os.path.exists(go):
            time.sleep(0.05)

synctool.service.journal.steps.step_hook = hook
sys.argv = ["synctool", *sys.argv[3:]]
main()
"""

# The base render (in the side process) sleeps: the update is mid-render.
SLOW_BASE = """\
import sys, time
import synctool.sync.renders
from synctool.cli import main

original = synctool.sync.renders.render_base

def slow(*args):
    time.sleep(120)
    return original(*args)

synctool.sync.renders.render_base = slow
sys.argv = ["synctool", *sys.argv[1:]]
main()
"""


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}


@pytest.fixture
def svc(capsys: pytest.CaptureFixture[str], workdir: Path) -> Path:
    svc, bp = init_service(capsys, workdir, V1)
    release(bp, "v1.1.0", V2)
    return svc


def clean_update(svc: Path) -> tuple[dict[str, bytes], str]:
    """The service after one update alone (on a copy): files and git status."""
    copy = svc.parent / "clean" / "svc"
    shutil.copytree(svc, copy, symlinks=True)
    done = subprocess.run(
        [sys.executable, "-m", "synctool", "update", str(copy)],
        env=env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return snapshot(copy), git(copy, "status", "--porcelain")


def test_a_second_sync_is_refused_while_one_runs(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    want, status = clean_update(svc)
    ready, go = svc.parent / "ready", svc.parent / "go"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(ready), str(go), "update", str(svc)],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert holder.poll() is None, holder.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        for args in (("update",), ("sync",), ("sync", "--abort")):
            second = run_cli(capsys, *args, str(svc))
            assert second.code == 2, (args, second.err)
            line = second.err.strip()
            assert f"pid {holder.pid}" in line and "synctool update" in line, line
            assert "since" in line
        assert (svc / JOURNAL / "manifest.json").is_file()  # untouched by them
    finally:
        go.touch()
        _out, err = holder.communicate(timeout=60)
    assert holder.returncode == 0, err
    assert snapshot(svc) == want
    assert git(svc, "status", "--porcelain") == status


def test_updates_started_together_never_crash_or_half_apply(svc: Path) -> None:
    want, status = clean_update(svc)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "synctool", "update", str(svc)],
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
    codes = [code for code, _ in results]
    assert set(codes) <= {0, 2}, results
    assert 0 in codes, results
    for code, err in results:
        if code == 2:
            assert "another synctool" in err and "pid " in err, err
    assert snapshot(svc) == want
    assert git(svc, "status", "--porcelain") == status


def test_a_lock_left_by_a_killed_process_is_recovered(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    from tests.e2e.test_interrupt import run_killed

    want, _ = clean_update(svc)
    assert run_killed(svc, "kill", 6, svc.parent / "k.log") == 137
    result = run_cli(capsys, "sync", str(svc))
    assert result.code == 0, result.err
    assert snapshot(svc) == want


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found |= {int(c) for c in text.split()}
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_update_leaves_no_render_worker(svc: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_BASE, "update", str(svc)],
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while not workers:
        assert proc.poll() is None
        assert time.monotonic() < deadline, "no render worker started"
        # a forked worker runs the update's own command line (no exec)
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        for child in children(proc.pid):
            try:
                if Path(f"/proc/{child}/cmdline").read_bytes() == cmdline:
                    workers.add(child)
            except FileNotFoundError:
                pass
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert left == [], "the render worker outlived the killed update"
