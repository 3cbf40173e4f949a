"""Each repo's clone in the fleet's work folder: made once, fetched on re-runs.

The fleet never works in a repo the user has checked out: it clones it (a
local path too, cheaply, with hard links) and works there, as all-repos does.
Each run starts from the default branch as the origin has it now, so an
earlier run that died half-way leaves nothing that matters behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from synctool import folders, git
from synctool.errors import GitError
from synctool.fleet.repos import Repo

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locking, one run at a time
    fcntl = None  # type: ignore[assignment]


class Clone(NamedTuple):
    path: Path
    default_branch: str  # e.g. "main", as the origin's HEAD names it
    fresh: bool  # cloned just now: the default branch is checked out, clean


def default_workdir() -> Path:
    return folders.cache("fleet")


def git_env() -> dict[str, str]:
    """A fleet run is unattended: ssh must fail, not wait for a password, and
    a connection that stalls is dropped (http: under 1 byte/s for 60 s; ssh:
    no answer to keep-alives for a minute). The caller's settings win."""
    env = {"GIT_HTTP_LOW_SPEED_LIMIT": "1", "GIT_HTTP_LOW_SPEED_TIME": "60"}
    env = {k: v for k, v in env.items() if k not in os.environ}
    if "GIT_SSH_COMMAND" not in os.environ:
        env["GIT_SSH_COMMAND"] = (
            "ssh -o BatchMode=yes -o ConnectTimeout=30 "
            "-o ServerAliveInterval=15 -o ServerAliveCountMax=4"
        )
    return env


@contextlib.contextmanager
def locked(workdir: Path, repo: Repo) -> Iterator[None]:
    """Hold the repo's clone alone: two fleet runs sharing a work folder (two
    shards on one machine) must not check out in the same clone at once."""
    workdir.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover
        yield
        return
    with open(workdir / f"{repo.name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GitError(
                f"another synctool fleet run is using {workdir / repo.folder}.",
                "Wait for it to finish, or give this run its own --workdir.",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def fetch(repo: Repo, workdir: Path) -> Clone:
    """Clone the repo into the work folder, or bring the existing clone up to date."""
    path = workdir / repo.folder
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = _origin(path) != repo.url
    if not fresh:
        # We hold the lock, so an index.lock is left from a killed run.
        (path / ".git" / "index.lock").unlink(missing_ok=True)
        try:
            git.run(
                ["fetch", "--quiet", "--prune", "--no-tags", "origin"],
                path,
                env=git_env(),
                timeout=git.network_timeout(),
            )
            git.run(
                ["remote", "set-head", "origin", "--auto"],
                path,
                env=git_env(),
                timeout=git.network_timeout(),
            )
        except GitError as exc:
            raise GitError(f"cannot fetch {repo.spec}: {_why(exc)}") from None
    else:
        shutil.rmtree(path, ignore_errors=True)
        if repo.local and not Path(repo.url).exists():
            raise GitError(f"{repo.spec}: no such folder.")
        try:
            git.run(
                ["clone", "--quiet", "--no-tags", "--", repo.url, str(path)],
                env=git_env(),
                timeout=git.network_timeout(),
            )
        except GitError as exc:
            shutil.rmtree(path, ignore_errors=True)
            raise GitError(f"cannot clone {repo.spec}: {_why(exc)}") from None
    return Clone(path, _default_branch(path, repo), fresh)


def is_bare(path: Path) -> bool:
    """A bare repository: no work tree to read, so it is cloned like a URL."""
    return git.is_bare(path)


def checkout_default(clone: Clone) -> None:
    """The origin's default branch, as fetched (a fresh clone is there already)."""
    if not clone.fresh:
        checkout(clone, f"origin/{clone.default_branch}")


def checkout(clone: Clone, ref: str) -> None:
    """Check out ``ref`` detached, with no file left from an earlier run."""
    if ref.startswith("-"):  # `checkout` has no `--end-of-options` before git 2.43
        raise GitError(f"cannot check out {ref!r}: not a ref.")
    git.run(["checkout", "--quiet", "--force", "--detach", ref], clone.path)
    git.run(["clean", "-ffdxq"], clone.path)


def _origin(path: Path) -> str | None:
    if not (path / ".git").is_dir():
        return None
    try:
        return git.run(["config", "--get", "remote.origin.url"], path).strip()
    except GitError:
        return None


def _default_branch(path: Path, repo: Repo) -> str:
    # The symbolic ref's file, when refs are files: a git process less per repo.
    try:
        text = (path / ".git/refs/remotes/origin/HEAD").read_text(encoding="utf-8")
    except OSError:
        text = ""
    if text.startswith("ref: refs/remotes/origin/"):
        return text.strip().removeprefix("ref: refs/remotes/origin/")
    try:
        ref = git.run(["symbolic-ref", "--short", "refs/remotes/origin/HEAD"], path)
    except GitError:
        raise GitError(
            f"cannot tell the default branch of {repo.spec} (is it empty?)."
        ) from None
    return ref.strip().removeprefix("origin/")


def _why(exc: GitError) -> str:
    return exc.message.split(": ", 1)[-1].removeprefix("fatal: ")
