"""The fleet's repo list: parse it, normalise it, shard it.

A repo is a local path (a git repository holding a service) or a git URL.
Every repo gets a normalised id (absolute path, or the URL without a trailing
``/`` or ``.git``) so that the same repo listed twice is done once, and so
that every runner of a CI matrix computes the same shards.
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.parse
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from synctool.errors import InputError

# scp-like (git@host:path) and scheme URLs (https://, ssh://, file://, ...)
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class Repo(NamedTuple):
    spec: str  # as the user wrote it
    id: str  # normalised: absolute path or URL without .git
    url: str  # what git clones from
    local: bool  # a path on this machine (not a URL)

    @property
    def name(self) -> str:
        """A folder name for the repo's clone: readable, and unique by the hash."""
        tail = self.id.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1] or "repo"
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip(".-") or "repo"
        digest = hashlib.sha256(self.id.encode()).hexdigest()[:10]
        return f"{slug[:40]}-{digest}"

    @property
    def folder(self) -> str:
        """Where the repo is cloned in the work folder: `<hash>/<its own name>`,
        so templates that render `_folder_name` see the repo's real name."""
        tail = self.id.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        tail = tail.removesuffix(".git")
        if tail in ("", ".", "..") or "\\" in tail or tail.startswith("-"):
            tail = re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip(".-") or "repo"
        return f"{self.name.rsplit('-', 1)[-1]}/{tail}"


class Shard(NamedTuple):
    number: int  # 1-based, as a CI matrix counts
    total: int

    def __str__(self) -> str:
        return f"{self.number}/{self.total}"


def parse_repo(spec: str, cwd: Path) -> Repo:
    text = spec.strip()
    if text.startswith("-"):
        raise InputError(
            f"repository {text!r} starts with '-', which git would read as an option.",
            f"Give a git URL, or a path (./{text} for a folder named so).",
        )
    if _URL.match(text):
        local = _file_url_path(text)
        if local is not None:  # the same repository as its path: one id
            return Repo(spec, os.path.normpath(local), text, local=False)
        norm = text.rstrip("/").removesuffix(".git").rstrip("/")
        return Repo(spec, norm, text, local=False)
    # normpath, not resolve(): "a/../b" and "b" are one repo, but a symlinked
    # path stays what the user named (it is how they know it).
    norm = os.path.normpath((cwd / Path(text).expanduser()).absolute())
    return Repo(spec, norm, norm, local=True)


def _file_url_path(text: str) -> str | None:
    """The path a `file://` URL names on this machine, else None."""
    parsed = urllib.parse.urlsplit(text)
    if parsed.scheme.lower() != "file" or parsed.netloc not in ("", "localhost"):
        return None
    path = urllib.parse.unquote(parsed.path)
    return path if path.startswith("/") else None


def read_repos_file(path: Path) -> list[str]:
    """One repo per line; ``#`` starts a comment; blank lines are ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise InputError(
            f"--repos {path}: cannot be read ({reason}).",
            "Give a text file with one repository path or URL per line.",
        ) from None
    specs = []
    for line in text.splitlines():
        # A comment starts at a '#' that begins the line or follows a space, so a
        # URL with a '#' in it survives.
        body = re.split(r"(?:^|\s)#", line, maxsplit=1)[0].strip()
        if body:
            specs.append(body)
    return specs


def collect(
    args: Sequence[str], repos_file: Path | None, cwd: Path
) -> tuple[list[Repo], list[str]]:
    """The repos in the order given, each once; and the duplicates dropped."""
    specs = list(args)
    if repos_file is not None:
        specs += read_repos_file(repos_file)
    if not specs:
        raise InputError(
            "no repositories given.",
            "Pass service paths or git URLs as arguments, or --repos FILE.",
        )
    seen: dict[str, Repo] = {}
    dropped: list[str] = []
    for spec in specs:
        repo = parse_repo(spec, cwd)
        if repo.id in seen:
            dropped.append(spec)
        else:
            seen[repo.id] = repo
    return list(seen.values()), dropped


def parse_shard(text: str) -> Shard:
    match = _SHARD.match(text)
    if match is None:
        raise InputError(
            f"--shard {text!r}: expected I/N, e.g. 2/4.",
            "I counts from 1; N is the number of shards.",
        )
    index, total = int(match.group(1)), int(match.group(2))
    if total < 1 or not 1 <= index <= total:
        raise InputError(
            f"--shard {text}: I must be between 1 and N (N >= 1).",
            "Use 1/4, 2/4, 3/4 and 4/4 for four shards.",
        )
    return Shard(index, total)


def shard_of(repos: Iterable[Repo], total: int) -> dict[str, int]:
    """Repo id -> its shard (1-based): round-robin over the ids sorted.

    Sorted round-robin keeps shards within one repo of each other in size, and
    depends only on the set of ids, so every runner agrees whatever the order
    of the list it read.
    """
    ids = sorted({r.id for r in repos})
    return {repo_id: i % total + 1 for i, repo_id in enumerate(ids)}


def select(repos: Sequence[Repo], shard: Shard | None) -> list[Repo]:
    """The repos of one shard, in the order given."""
    if shard is None:
        return list(repos)
    owner = shard_of(repos, shard.total)
    return [r for r in repos if owner[r.id] == shard.number]
