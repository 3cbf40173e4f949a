"""A remote that accepts a connection and never answers fails its own repo,
within the git timeout; the others go on and the report is written."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import git, init_service, release, run_cli

COPIER = "_subdirectory: template\n"


@pytest.fixture
def stalled_url() -> Iterator[str]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)  # accepted, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"git://127.0.0.1:{server.getsockname()[1]}/stalled.git"
    done.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_stalled_remote_fails_alone(
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    stalled_url: str,
) -> None:
    _svc, bp = init_service(
        capsys, workdir, {"copier.yml": COPIER, "template/a.txt": "1\n"}
    )
    remote = workdir / "svc.git"
    git(workdir, "clone", "-q", "--bare", str(workdir / "svc"), str(remote))
    release(bp, "v1.1.0", {"copier.yml": COPIER, "template/a.txt": "2\n"})

    monkeypatch.setenv("SYNCTOOL_GIT_TIMEOUT", "3")
    report = workdir / "report.json"
    started = time.monotonic()
    result = run_cli(
        capsys,
        "fleet",
        "update",
        stalled_url,
        str(remote),
        "--jobs",
        "1",
        "--workdir",
        str(workdir / "work"),
        "--report",
        str(report),
    )
    assert time.monotonic() - started < 60
    assert result.code == 1, result.out + result.err
    records = {r["repo"]: r for r in json.loads(report.read_text())["repos"]}
    assert records[stalled_url]["status"] == "failed"
    assert (
        "no answer from the remote in 3 s (timed out)" in records[stalled_url]["error"]
    )
    assert records[str(remote)]["status"] == "updated"
