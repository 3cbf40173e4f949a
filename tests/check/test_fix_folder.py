"""`check --fix` where a folder now stands at a managed file's path: a line
that names the folder, the folder untouched, no crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import init_service, run_cli

FILES = {
    "copier.yml": "_subdirectory: template\n",
    "synctool.yml": "ownership:\n  managed: [Makefile]\n",
    "template/Makefile": "test:\n\tpytest\n",
}


def test_fix_leaves_a_folder_at_a_managed_path_and_says_so(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    svc, _bp = init_service(capsys, workdir, FILES)
    (svc / "Makefile").unlink()
    (svc / "Makefile").mkdir()
    (svc / "Makefile" / "ours.mk").write_text("all:\n")

    result = run_cli(capsys, "check", "svc", "--fix")
    assert result.code == 1, result.out + result.err
    out = result.out + result.err
    assert "a folder stands where this blueprint-managed file belongs" in out
    assert "move Makefile/ aside" in out
    assert (svc / "Makefile" / "ours.mk").read_text() == "all:\n"
