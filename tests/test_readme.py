"""The README's commands are the ones that work: CI runs its test command as
written, and its walk-through runs as written on the bundled blueprint."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()


def block_after(heading: str, n: int = 0) -> str:
    """The ``n``-th ```sh block of the README section under ``heading``."""
    section = README.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    return str(blocks[n])


def test_ci_runs_the_readme_test_command_as_written() -> None:
    command = block_after("## Set-up", 1).strip()
    assert "\n" not in command
    ci = (REPO / ".ci/run").read_text()
    assert f"\n    {command}\n" in ci, (
        "`.ci/run` must run the README's command verbatim"
    )
    # ... inside a fresh virtual environment, as a newcomer runs it.
    before = ci.split(command, 1)[0]
    assert 'python3 -m venv "$work_dir/readme-venv"' in before
    assert '. "$work_dir/readme-venv/bin/activate"' in before


def test_the_walk_through_runs_as_written(tmp_path: Path) -> None:
    """init at 1.0.0, a small edit, update, git diff, check: five commands."""
    lines = [
        line
        for line in block_after("## See what synctool does").splitlines()
        if line.strip()
    ]
    assert len(lines) == 5, lines
    home = tmp_path / "home"
    home.mkdir()
    bindir = Path(sys.executable).parent
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "HOME": str(home),
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
        "GIT_AUTHOR_NAME": "Newcomer",
        "GIT_AUTHOR_EMAIL": "newcomer@example.com",
        "GIT_COMMITTER_NAME": "Newcomer",
        "GIT_COMMITTER_EMAIL": "newcomer@example.com",
        "GIT_PAGER": "cat",
        "NO_COLOR": "1",
    }
    if not any((bindir / name).exists() for name in ("synctool",)):
        pytest.skip("synctool's console script is not installed beside this Python")
    script = "set -euo pipefail\n" + "\n".join(
        f"{line}\necho '--- exit 0: {n}'" for n, line in enumerate(lines, 1)
    )
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "--- exit 0: 5" in out, out
    svc = home / "demo-service"
    assert "ref: 1.2.0\n" in (svc / ".synctool.yml").read_text()
    assert "seed: ## Load demo data" in (svc / "Makefile").read_text()
    assert (svc / "uv.lock").is_file()  # new in 1.1.0
    assert "+++ b/Makefile" in out or "+++ b/.github/workflows/ci.yml" in out, out
