"""git through subprocess, with failures turned into sentences that say what to do."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from synctool.errors import GitError

if TYPE_CHECKING:
    from packaging.version import Version

# Commits made by synctool must not depend on the user's hooks or signing set-up
# of the moment, and must work on a machine where git has no identity yet.
COMMIT_ENV = {
    "GIT_AUTHOR_NAME": "synctool",
    "GIT_AUTHOR_EMAIL": "synctool@localhost",
    "GIT_COMMITTER_NAME": "synctool",
    "GIT_COMMITTER_EMAIL": "synctool@localhost",
}


def _git_exe() -> str:
    import shutil

    exe = shutil.which("git")
    if exe is None:
        raise GitError("git was not found.", "Install git and make sure it is on PATH.")
    return exe


def run(
    args: Sequence[str],
    cwd: Path | None = None,
    *,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> str:
    """Run git and return its stdout; raise GitError with git's own words on failure.

    ``timeout`` (seconds): for network operations, so a remote that accepts
    a connection and never answers fails this call instead of hanging it.
    """
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    with subprocess.Popen(
        [_git_exe(), *args],
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # File names are bytes: one that is not UTF-8 (Latin-1) survives as
        # os.fsdecode would give it, and os.fsencode gives it back.
        encoding="utf-8",
        errors="surrogateescape",
        start_new_session=timeout is not None,  # its ssh/http helpers die with it
    ) as child:
        try:
            stdout, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(child)
            raise GitError(
                f"git {args[0]} failed: no answer from the remote in {timeout:g} s "
                "(timed out).",
                f"Check the repository's URL and the network (the limit is "
                f"{TIMEOUT_VARIABLE}, in seconds).",
            ) from None
        except BaseException:
            _kill_group(child)
            raise
    proc = subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)
    if proc.returncode != 0:
        raise GitError(f"git {args[0]} failed: {_reason(proc.stderr or proc.stdout)}")
    return proc.stdout


TIMEOUT_VARIABLE = "SYNCTOOL_GIT_TIMEOUT"


def network_timeout() -> float:
    """Seconds a clone, fetch, push or ls-remote may take (default 600)."""
    try:
        return max(1.0, float(os.environ.get(TIMEOUT_VARIABLE, "600")))
    except ValueError:
        return 600.0


def _kill_group(child: subprocess.Popen[str]) -> None:
    import signal  # only here: `synctool check` asks git, never kills it

    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        child.kill()
    child.communicate()


def _reason(output: str) -> str:
    """git's own reason: its first fatal/error line (later ones are advice,
    "Please make sure you have the correct access rights ..."), else the last."""
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    # A remote's own words (a pre-receive hook's refusal) come as `remote:`.
    remote = [
        line.removeprefix("remote:").strip()
        for line in lines
        if line.startswith("remote:") and not any(p in line for p in _PROGRESS)
    ]
    said = "; ".join(r for r in remote if r)
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return f"{line} (the remote said: {said})" if said else line
    return lines[-1] if lines else "no reason given"


# words of git's progress lines
_PROGRESS = ("Counting ", "Compressing ", "Resolving ", "Enumerating ", "Total ")


def run_bytes(args: Sequence[str], cwd: Path) -> bytes:
    """Run git and return its raw stdout (file contents); GitError on failure."""
    proc = subprocess.run(
        [_git_exe(), *args],
        cwd=cwd,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        why = _reason(proc.stderr.decode(errors="replace"))
        raise GitError(f"git {args[0]} failed: {why}")
    return proc.stdout


def answer(
    args: Sequence[str], cwd: Path, stdin: bytes | None = None
) -> tuple[int, bytes] | None:
    """git's exit code and raw stdout, for a question whose "no" is an exit
    code (``check-ignore`` exits 1 when nothing is ignored, ``ls-files``
    outside a repository 128); None when git cannot be run at all."""
    try:
        proc = subprocess.run(
            [_git_exe(), *args],
            cwd=cwd,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except (OSError, GitError):
        return None
    return proc.returncode, proc.stdout


def toplevel(path: Path) -> Path | None:
    """The root of the git work tree that contains ``path``, or None."""
    probe = path
    while not probe.exists():  # DEST may not exist yet: ask its nearest ancestor
        probe = probe.parent
    try:
        out = run(["rev-parse", "--show-toplevel"], cwd=probe)
    except GitError:
        return None
    return Path(out.strip()).resolve()


def ignores(repo: Path, path: Path) -> bool:
    """Whether the work tree at ``repo`` ignores ``path`` (a folder in it)."""
    try:
        run(["check-ignore", "-q", "--", os.path.relpath(path, repo)], cwd=repo)
    except GitError:  # exit 1: not ignored (128, no answer: not either)
        return False
    return True


def init_and_commit(path: Path, message: str) -> str:
    """``git init`` a new service and make its first commit; return the commit sha."""
    run(["init", "--quiet"], cwd=path)
    run(["add", "--all"], cwd=path)
    run(
        [
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            message,
        ],
        cwd=path,
        env=COMMIT_ENV | _identity_from_config(path),
    )
    return run(["rev-parse", "HEAD"], cwd=path).strip()


def _identity_from_config(path: Path) -> dict[str, str]:
    """Prefer the user's configured identity; fall back to synctool's own."""
    env: dict[str, str] = {}
    for key, names in (
        ("user.name", ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME")),
        ("user.email", ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL")),
    ):
        try:
            value = run(["config", "--get", key], cwd=path).strip()
        except GitError:
            continue
        if value:
            env.update(dict.fromkeys(names, value))
    return env


def release_tags(source: str) -> list[tuple[Version, str]]:
    """Tags of ``source`` that are PEP 440 release versions, newest first.

    Read with ``ls-remote`` so that a local path and a URL behave alike and
    nothing is cloned just to learn the versions. Pre-releases are left out,
    as copier does by default.
    """
    from packaging.version import InvalidVersion, Version

    # `--`: a source is never read as an option (`--upload-pack=...`).
    out = run(
        ["ls-remote", "--tags", "--refs", "--", source], timeout=network_timeout()
    )
    found: list[tuple[Version, str]] = []
    for line in out.splitlines():
        _sha, _, ref = line.partition("\t")
        tag = ref.removeprefix("refs/tags/")
        try:
            version = Version(tag)
        except InvalidVersion:
            continue
        if not version.is_prerelease:
            found.append((version, tag))
    found.sort(reverse=True)
    return found


def is_bare(path: Path) -> bool:
    """A bare repository (``git clone --bare``): no work tree, read from disk."""
    return (
        not (path / ".git").exists()
        and (path / "HEAD").is_file()
        and (path / "config").is_file()
        and (path / "objects").is_dir()
        and (path / "refs").is_dir()
    )


def _repo(repo: Path) -> list[str]:
    # A bare repository named explicitly: works under safe.bareRepository=explicit.
    return ["--git-dir", str(repo)] if is_bare(repo) else []


def resolve_commit(repo: Path, ref: str) -> str | None:
    """The commit ``ref`` names in the local repository ``repo``, or None."""
    if ref.startswith("-"):
        return None  # never an option; and no ref starts with "-"
    try:
        return run(
            [
                *_repo(repo),
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                f"{ref}^{{commit}}",
            ],
            cwd=repo,
        ).strip()
    except GitError:
        return None


def root_names(repo: Path, ref: str) -> list[str] | None:
    """The names at the top of the tree of the commit ``ref`` names in the
    local repository ``repo``; None when it names no commit there."""
    if ref.startswith("-"):
        return None
    try:
        out = run(
            [
                *_repo(repo),
                "ls-tree",
                "--name-only",
                "--end-of-options",
                f"{ref}^{{commit}}",
            ],
            cwd=repo,
        )
    except GitError:
        return None
    return out.splitlines()
