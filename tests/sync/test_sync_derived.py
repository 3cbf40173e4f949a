"""A lock file through a real update: kept or taken whole, never spliced, and
the report names the one command that brings it up to date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import git, make_blueprint, run_cli

PY1 = '[project]\nname = "svc"\nversion = "0"\ndependencies = ["fastapi>=0.100"]\n'
PY2 = PY1.replace('"fastapi>=0.100"', '"fastapi>=0.100", "uvicorn>=0.30"')
LOCK1 = 'version = 1\n\n[[package]]\nname = "fastapi"\nversion = "0.100.0"\n'
LOCK2 = LOCK1 + '\n[[package]]\nname = "uvicorn"\nversion = "0.30.0"\n'
TEAM_LOCK = LOCK1 + '\n[[package]]\nname = "httpx"\nversion = "0.27.0"\n'
COPIER = "_subdirectory: template\n"


def blueprint(pyproject: str, lock: str | None) -> dict[str, str]:
    files = {"copier.yml": COPIER, "template/pyproject.toml": pyproject}
    if lock is not None:
        files["template/uv.lock"] = lock
    return files


def service(
    tmp: Path, capsys: pytest.CaptureFixture[str], v1_lock: str | None
) -> tuple[Path, Path]:
    bp = make_blueprint(tmp / "bp", {"v1.0.0": blueprint(PY1, v1_lock)})
    svc = tmp / "svc"
    result = run_cli(capsys, "init", str(svc), "--blueprint", str(bp), "--defaults")
    assert result.code == 0, result.err
    return bp, svc


def commit(svc: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (svc / rel).write_text(text)
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "team change")


def test_both_sides_changed_the_lock_keeps_the_team_lock_and_names_uv_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp, svc = service(tmp_path, capsys, LOCK1)
    team_py = PY1.replace('"fastapi>=0.100"', '"fastapi>=0.100", "httpx>=0.27"')
    commit(svc, {"pyproject.toml": team_py, "uv.lock": TEAM_LOCK})
    make_blueprint(bp, {"v1.1.0": blueprint(PY2, LOCK2)})

    result = run_cli(capsys, "update", str(svc))
    out = result.out + result.err
    assert result.code == 0, out
    assert (svc / "uv.lock").read_text() == TEAM_LOCK  # not spliced, not replaced
    assert "<<<<<<<" not in (svc / "pyproject.toml").read_text()
    merged = (svc / "pyproject.toml").read_text()
    assert '"httpx>=0.27"' in merged and '"uvicorn>=0.30"' in merged
    assert "uv.lock (yours) is out of date with pyproject.toml" in out, out
    assert "run `uv lock` and commit the result" in out, out


def test_a_lock_new_in_the_release_is_taken_and_relock_named_in_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp, svc = service(tmp_path, capsys, None)
    team_py = PY1.replace('"fastapi>=0.100"', '"fastapi>=0.100", "httpx>=0.27"')
    commit(svc, {"pyproject.toml": team_py})
    make_blueprint(bp, {"v1.1.0": blueprint(PY2, LOCK2)})

    result = run_cli(capsys, "update", str(svc), "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["regenerate"] == [
        {
            "path": "uv.lock",
            "from": ["pyproject.toml"],
            "command": "uv lock",
            "folder": "",
            "kept": "blueprint",
        }
    ]
    assert (svc / "uv.lock").read_text() == LOCK2


def test_an_untouched_service_takes_the_release_whole_and_hears_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp, svc = service(tmp_path, capsys, LOCK1)
    make_blueprint(bp, {"v1.1.0": blueprint(PY2, LOCK2)})

    result = run_cli(capsys, "update", str(svc))
    out = result.out + result.err
    assert result.code == 0, out
    assert (svc / "uv.lock").read_text() == LOCK2
    assert "out of date" not in out
    assert "git diff" in out  # what to do next: review, test, commit
