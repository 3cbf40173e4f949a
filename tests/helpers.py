"""Test helpers: blueprints built from dicts in real git repos, an in-process CLI."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

from synctool.cli import run as cli_run

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}

Files = Mapping[str, str | bytes]

# The repository's root (this file is tests/helpers.py): for data files and
# PYTHONPATH, whatever folder under tests/ a test module is in.
REPO = Path(__file__).resolve().parent.parent


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def new_repo(root: Path) -> Path:
    """An empty git repository made at ``root`` (branch main)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    return root


def write_tree(root: Path, files: Files) -> None:
    """Write ``{relative path: content}``; a path ending in ``!x`` is made executable."""
    for rel, content in files.items():
        executable = rel.endswith("!x")
        path = root / rel.removesuffix("!x")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        if executable:
            path.chmod(0o755)


def make_blueprint(root: Path, versions: Mapping[str, Files]) -> Path:
    """A git repo with one commit and tag per version: ``{"v1.0.0": files, ...}``.

    Each version's files replace the whole tree, so a file missing from a later
    version is deleted in it.
    """
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    for tag, files in versions.items():
        for path in root.iterdir():
            if path.name != ".git":
                git(root, "rm", "-rq", "--ignore-unmatch", path.name)
                if path.exists():
                    subprocess.run(["rm", "-rf", str(path)], check=True)
        write_tree(root, files)
        git(root, "add", "-A")
        git(root, "commit", "-qm", f"Release {tag}", "--allow-empty")
        if tag != "HEAD":
            git(root, "tag", tag)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root except .git, as bytes (for 'nothing changed' checks)."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


class Result(NamedTuple):
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """The command line in-process, through typer (`synctool.cli.run`):
    `check` too, so its own parser (entry.py, usage.py) is tested apart, in a
    subprocess."""
    capsys.readouterr()
    code = cli_run(
        [*args, "--no-color"] if args and args[0] != "--version" else list(args)
    )
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def init_service(
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    files: Files,
    *args: str,
    version: str = "v1.0.0",
) -> tuple[Path, Path]:
    """A service `synctool init` made at ``workdir/svc`` (the working folder)
    from a blueprint at ``workdir/bp`` whose one release is ``version``, with
    ``args`` as more init options (``--data=k=v``); returns (service,
    blueprint). `release` adds the next one."""
    bp = make_blueprint(workdir / "bp", {version: files})
    result = run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults", *args)
    assert result.code == 0, result.out + result.err
    return workdir / "svc", bp


def release(bp: Path, version: str, files: Files) -> None:
    """The blueprint's next release: ``files`` as the whole tree, tagged."""
    make_blueprint(bp, {version: files})
