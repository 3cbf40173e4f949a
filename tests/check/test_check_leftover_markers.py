"""A half-resolved conflict: one marker line left in a file a sync wrote
markers into is still a conflict, for `check` and for the next sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import git, init_service, make_blueprint, release, run_cli

COPIER = "_subdirectory: template\n"
GUIDE = "".join(f"line {n}\n" for n in range(1, 21))


def conflicted(capsys: pytest.CaptureFixture[str], workdir: Path) -> Path:
    svc, bp = init_service(
        capsys, workdir, {"copier.yml": COPIER, "template/guide.md": GUIDE}
    )
    (svc / "guide.md").write_text(GUIDE.replace("line 10\n", "line ten, ours\n"))
    git(svc, "commit", "-qam", "ours")
    theirs = GUIDE.replace("line 10\n", "line ten, theirs\n")
    release(bp, "v1.1.0", {"copier.yml": COPIER, "template/guide.md": theirs})
    assert run_cli(capsys, "update", "svc").code == 1
    return svc


@pytest.mark.parametrize(
    "leftover",
    [">>>>>>> blueprint v1.1.0", "<<<<<<< service (working tree)", "======="],
)
def test_a_lone_leftover_marker_fails_check(
    capsys: pytest.CaptureFixture[str], workdir: Path, leftover: str
) -> None:
    svc = conflicted(capsys, workdir)
    # Resolved by hand, but one marker line forgotten.
    kept = GUIDE.replace("line 10\n", f"line ten, both\n{leftover}\n")
    (svc / "guide.md").write_text(kept)
    result = run_cli(capsys, "check", "svc", "--format", "json")
    assert result.code == 1, result.out
    findings = json.loads(result.out)["findings"]
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [
        ("conflict", "guide.md", 11)
    ]

    (svc / "guide.md").write_text(GUIDE.replace("line 10\n", "line ten, both\n"))
    assert run_cli(capsys, "check", "svc").code == 0


def test_a_lone_marker_stays_recorded_through_the_next_sync(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    svc = conflicted(capsys, workdir)
    (svc / "guide.md").write_text(GUIDE + ">>>>>>> blueprint v1.1.0\n")
    git(svc, "commit", "-qam", "half resolved")
    theirs = GUIDE.replace("line 10\n", "line ten, theirs\n")
    files = {
        "copier.yml": COPIER,
        "template/guide.md": theirs,
        "template/NEW.md": "new\n",
    }
    make_blueprint(workdir / "bp", {"v1.2.0": files})
    result = run_cli(capsys, "update", "svc")  # a sync that rewrites the lock
    assert result.code in (0, 1), result.err
    assert (svc / "NEW.md").is_file()
    assert "guide.md: markers" in (svc / ".synctool.lock").read_text()
    assert run_cli(capsys, "check", "svc").code == 1


def test_marker_lookalikes_outside_recorded_conflicts_are_not_flagged(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    svc, _bp = init_service(
        capsys, workdir, {"copier.yml": COPIER, "template/guide.md": GUIDE}
    )
    (svc / "guide.md").write_text("Title\n=======\n\n" + GUIDE)  # a setext heading
    assert run_cli(capsys, "check", "svc").code == 0
