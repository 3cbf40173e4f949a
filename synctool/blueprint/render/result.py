"""What a render returns, and the digests that name its inputs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from synctool.blueprint.tasks import TemplateCode
from synctool.tree import FileEntry


class Rendered(NamedTuple):
    """One render of a blueprint version with one set of answers."""

    tree: dict[str, FileEntry]
    answers: dict[str, Any]  # what the service records (no secrets, no internals)
    commit: str  # git sha, or "sha256:<digest>" of a folder that is not in git
    version: str | None  # PEP 440 version copier read from the ref's tag, if any
    policy_text: str | None  # the blueprint's synctool.yml, rendered with answers
    warnings: tuple[str, ...]
    code: TemplateCode = TemplateCode()  # its _tasks and _migrations, not run here
    skip_if_exists: tuple[
        str, ...
    ] = ()  # copier's patterns: written once, then the service's
    # What the render read of the service (``dest``): its path or folder name
    # (then another destination renders differently), its files (copier's
    # `_external_data`: then the render depends on what they hold).
    uses_destination: bool = False
    reads_service: bool = False
    # The values of `secret: true` answers (never recorded): a file holding one
    # is locked without its hash (synctool.service.lockentries.locked_files).
    secret_values: tuple[str, ...] = ()


def answers_digest(answers: Mapping[str, Any]) -> str:
    canonical = json.dumps(answers, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def folder_digest(root: Path) -> str:
    """A stable identity for a template folder that is not a git repository."""
    digest = hashlib.sha256()
    # VERSION and .complete belong to how synctool stores the bundled blueprint,
    # not to the template: the same release must get the same identity.
    skip = {root / "VERSION", root / ".complete"}
    files = (p for p in root.rglob("*") if p.is_file() and p not in skip)
    for path in sorted(p for p in files if not {".git", "__pycache__"} & set(p.parts)):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + digest.hexdigest()
