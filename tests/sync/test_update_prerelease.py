"""A service on a pre-release is never moved back by a plain `update`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import git, make_blueprint, run_cli, snapshot

COPIER = "_subdirectory: template\n"


def test_plain_update_on_a_prerelease_does_not_downgrade(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp = make_blueprint(
        workdir / "bp",
        {
            "v1.4.0": {"copier.yml": COPIER, "template/a.txt": "1.4\n"},
            "v2.0.0rc1": {
                "copier.yml": COPIER,
                "template/a.txt": "2.0\n",
                "template/new.txt": "only in 2.0\n",
            },
        },
    )
    made = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(bp),
        "--ref",
        "v2.0.0rc1",
        "--defaults",
    )
    assert made.code == 0, made.err
    svc = workdir / "svc"
    before = snapshot(svc)

    result = run_cli(capsys, "update", "svc")
    assert result.code == 0, result.err
    assert snapshot(svc) == before  # nothing deleted, nothing moved back
    out = result.out + result.err
    assert "newer than the newest release v1.4.0" in out, out
    assert "--to v1.4.0" in out

    # Asked for explicitly, the downgrade happens.
    result = run_cli(capsys, "update", "svc", "--to", "v1.4.0")
    assert result.code == 0, result.err
    assert not (svc / "new.txt").exists()
    assert (svc / "a.txt").read_text() == "1.4\n"
    assert git(svc, "status", "--porcelain")  # left for the team to commit
