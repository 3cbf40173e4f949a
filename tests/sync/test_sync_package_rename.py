"""An answer change that renames the package: the blueprint's files move,
and the team's own modules left in the old package are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import git, init_service, run_cli

COPIER = "_subdirectory: template\npackage: {type: str, default: orders}\n"
FILES = {
    "copier.yml": COPIER,
    "template/src/{{ package }}/__init__.py": '"""The {{ package }} service."""\n',
    "template/src/{{ package }}/api/__init__.py": "ROUTES = []\n",
    "template/pyproject.toml.jinja": '[project]\nname = "{{ package }}"\n',
}


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_the_teams_modules_left_in_the_old_package_are_named(
    capsys: pytest.CaptureFixture[str], workdir: Path, fmt: str
) -> None:
    svc, _bp = init_service(capsys, workdir, FILES)
    (svc / "src/orders/api/reports.py").write_text("def report() -> None: ...\n")
    (svc / "src/orders/billing.py").write_text("RATE = 3\n")
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "our modules")

    result = run_cli(
        capsys, "update", "svc", "--data", "package=billing", "--format", fmt
    )
    assert result.code == 0, result.err
    assert (svc / "src/billing/__init__.py").is_file()
    assert (svc / "src/orders/api/reports.py").is_file()  # nothing is lost
    if fmt == "text":
        assert "2 file(s) of yours stay in src/orders/" in result.err, result.err
        return
    report = json.loads(result.out)
    assert report["left_behind"] == [
        {
            "folder": "src/orders",
            "moved_to": "src/billing",
            "paths": ["src/orders/api/reports.py", "src/orders/billing.py"],
        }
    ]
