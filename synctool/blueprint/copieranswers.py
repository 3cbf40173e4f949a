"""What copier (or cruft) recorded in a project it generated: the answers file.

copier writes `.copier-answers.yml` (or the `_answers_file` the template
names) with the template source (`_src_path`), the version applied
(`_commit`, as `git describe --tags --always` printed it) and the answers.
cruft writes `.cruft.json` with the cookiecutter context. Read-only: this
module finds and parses those files; `synctool adopt` decides what to do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, NamedTuple

from synctool import fastyaml
from synctool.errors import InputError

ANSWERS_FILE = ".copier-answers.yml"  # copier's default `_answers_file`
CRUFT_FILE = ".cruft.json"
_MAX_BYTES = 1 << 20  # an answers file is small; a larger YAML file is data
# `git describe` past a tag: <tag>-<commits since>-g<abbreviated sha>
_DESCRIBE = re.compile(r"^(?P<tag>.+)-(?P<ahead>[0-9]+)-g(?P<sha>[0-9a-f]{4,40})$")
_HEX = re.compile(r"^[0-9a-f]{4,40}$")
_TOP_SRC_PATH = re.compile(rb"^_src_path\s*:", re.MULTILINE)  # a top-level key
# copier's gh:/gl: shorthands (copier._vcs.REPLACEMENTS): the URL git can read.
_ALIASES = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}


class Recorded(NamedTuple):
    """One project's record of the template that generated it."""

    path: str  # the file, relative to the project
    tool: Literal["copier", "cruft"]
    src_path: str | None  # the template source as recorded
    commit: str | None  # copier's `_commit` (git describe) or cruft's commit
    answers: dict[str, Any]  # the answers (no `_` keys, no secrets)


class Applied(NamedTuple):
    """copier's `_commit` read: the ref to render and what it must name."""

    ref: str  # a tag, or the (abbreviated) commit when past a tag or untagged
    tag: str | None  # the tag it names or follows
    exact_tag: bool  # the tag itself (not commits after it)


def read_describe(commit: str) -> Applied:
    """``v1.4.0`` is that tag; ``v1.4.0-3-gabc1234`` commit abc1234, three
    after it; a bare ``abc1234`` (no tag at all) that commit."""
    match = _DESCRIBE.match(commit)
    if match:
        return Applied(match["sha"], match["tag"], False)
    if _HEX.match(commit):
        # `--always` without a tag: a commit; a tag spelled in hex still
        # resolves, as git reads a ref name before an abbreviated sha.
        return Applied(commit, None, False)
    return Applied(commit, commit, True)


def expand_shorthand(src: str) -> str:
    """copier's ``gh:owner/repo`` and ``gl:owner/repo`` as the URL git reads."""
    for alias, base in _ALIASES.items():
        if src.startswith(alias):
            rest = src[len(alias) :].lstrip("/")
            return base + (rest if rest.endswith(".git") else rest + ".git")
    return src


def find(root: Path, listed: Iterable[str]) -> list[str]:
    """The project's files that are copier answers files: YAML mappings with
    a `_src_path` (whatever their name: a template may name its own)."""
    found = []
    for rel in listed:
        name = rel.rsplit("/", 1)[-1]
        if not name.endswith((".yml", ".yaml")):
            continue
        path = root / rel
        try:
            if path.is_symlink() or path.stat().st_size > _MAX_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if b"_src_path" not in data:
            continue
        try:
            loaded = fastyaml.load(data.decode("utf-8"))
        except (fastyaml.FastYAMLError, UnicodeDecodeError):
            if _TOP_SRC_PATH.search(data):  # an answers file, broken: `read` says where
                found.append(rel)
            continue
        if isinstance(loaded, dict) and isinstance(loaded.get("_src_path"), str):
            found.append(rel)
    # copier's default name first: the one a reader looks for
    return sorted(found, key=lambda rel: (rel != ANSWERS_FILE, rel))


def read(root: Path, rel: str) -> Recorded:
    """copier's answers file ``rel`` in the project at ``root``."""
    path = root / rel
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"{rel}: no such file in {root}.",
            "Give --answers-file relative to the project, as copier takes it.",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{rel}: cannot be read ({exc}).") from None
    try:
        # the loader .synctool.yml has: alias bombs refused, never expanded
        loaded = fastyaml.load(text)
    except fastyaml.FastYAMLError as exc:
        where = f":{exc.line}" if exc.line else ""
        raise InputError(
            f"{rel}{where}: malformed YAML: {exc.problem}.",
            "Fix copier's answers file (git log -p shows how it was).",
        ) from None
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise InputError(f"{rel}: not copier's answers file (not a mapping).")
    src = loaded.get("_src_path")
    commit = loaded.get("_commit")
    return Recorded(
        path=rel,
        tool="copier",
        src_path=str(src) if isinstance(src, str) and src else None,
        commit=str(commit) if commit not in (None, "") else None,
        answers={k: v for k, v in loaded.items() if not k.startswith("_")},
    )


def read_cruft(root: Path) -> Recorded | None:
    """cruft's `.cruft.json`: the cookiecutter context as answers."""
    path = root / CRUFT_FILE
    if not path.is_file():
        return None
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{CRUFT_FILE}: not valid JSON ({exc}).") from None
    context = loaded.get("context") if isinstance(loaded, dict) else None
    cookiecutter = context.get("cookiecutter") if isinstance(context, dict) else None
    if not isinstance(cookiecutter, dict):
        raise InputError(
            f"{CRUFT_FILE}: no `context.cookiecutter` mapping to read answers from."
        )
    template = loaded.get("template")
    commit = loaded.get("commit")
    return Recorded(
        path=CRUFT_FILE,
        tool="cruft",
        src_path=template if isinstance(template, str) else None,
        commit=commit if isinstance(commit, str) else None,
        answers={
            str(k): v for k, v in cookiecutter.items() if not str(k).startswith("_")
        },
    )
