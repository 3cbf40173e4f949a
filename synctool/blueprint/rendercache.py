"""Renders cached by (blueprint commit, answers): each version is rendered once.

A sync needs the blueprint at two versions; a fleet needs the same two for
hundreds of services. A render depends only on the commit and the answers,
so it is kept in the user cache folder as one zip and reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from synctool import folders, git
from synctool.blueprint.render import render
from synctool.blueprint.render.job import Operation
from synctool.blueprint.render.result import Rendered
from synctool.blueprint.sources import Source
from synctool.blueprint.tasks import TemplateCode
from synctool.errors import GitError
from synctool.tree import FileEntry

_FORMAT = 4
_META = "__synctool_render__.json"
_SHA = re.compile(r"^[0-9a-f]{40}$")


def cache_dir() -> Path:
    return folders.cache("renders")


def commit_of(source: Source, ref: str | None) -> str | None:
    """The commit a ref names, asked of git without cloning; None if unknown."""
    if source.kind != "git" or ref is None:
        return None
    if _SHA.match(ref):
        return ref
    if Path(source.location).is_dir():
        return git.resolve_commit(Path(source.location), ref)
    try:
        out = git.run(
            ["ls-remote", source.location, ref, f"{ref}^{{}}"],
            timeout=git.network_timeout(),
        )
    except GitError:
        return None
    peeled = [line.split("\t")[0] for line in out.splitlines() if line.endswith("^{}")]
    plain = [line.split("\t")[0] for line in out.splitlines() if line]
    found = peeled or plain
    return found[0] if found else None


def cached_render(
    source: Source,
    ref: str | None,
    data: Mapping[str, Any],
    *,
    defaults: bool,
    interactive: bool,
    trust: bool,
    recorded: Mapping[str, Any] | None = None,
    operation: Operation = "copy",
    commit: str | None = None,
    dest: Path | None = None,
) -> Rendered:
    """``render`` through the cache (only for immutable commits of git sources).

    ``commit``: the sha ``ref`` names, when the caller has just resolved it.
    ``dest``: the service the render is for. A render that showed its path
    or folder name is kept for that service only; one that read its files
    (`_external_data`) is not kept at all. The entry for all services says
    which (a render of the same inputs reads the same things).
    """
    commit = commit or commit_of(source, ref)
    shared = None  # the entry for every service
    if commit is not None and not interactive:
        inputs = Inputs(source, ref, data, recorded or {}, defaults, operation)
        shared, hit = _lookup(commit, inputs, dest)
        if hit is not None:
            return hit
    copier_ref = ref if source.kind == "git" else None
    result = render(
        source.location,
        copier_ref,
        data,
        defaults=defaults,
        interactive=interactive,
        trust=trust,
        commit=commit,
        recorded=recorded,
        operation=operation,
        dest=dest,
    )
    if shared is None or result.commit != commit:
        return result
    if result.secret_values:  # secret answers are never kept on disk (#10)
        return result
    if result.reads_service:
        _store_marker(cache_dir() / f"{shared}.zip", _FOR_NONE)
    elif not result.uses_destination:
        _store(cache_dir() / f"{shared}.zip", result)
    elif dest is not None:
        _store_marker(cache_dir() / f"{shared}.zip", _FOR_ONE_SERVICE)
        _store(cache_dir() / f"{_own(shared, dest)}.zip", result)
    return result


class Inputs(NamedTuple):
    """What a render is keyed by, with its commit: the ref and the source too,
    as templates may show them (`_copier_conf.vcs_ref`, the answers file's
    `_src_path`)."""

    source: Source
    ref: str | None
    data: Mapping[str, Any]
    recorded: Mapping[str, Any]
    defaults: bool
    operation: Operation


def kept(commit: str, inputs: Inputs, dest: Path) -> Rendered | None:
    """The render `cached_render` kept for these inputs at ``commit`` for the
    service at ``dest``, if the cache holds it; never renders."""
    if not cache_dir().is_dir():
        return None
    return _lookup(commit, inputs, dest)[1]


def _lookup(
    commit: str, inputs: Inputs, dest: Path | None
) -> tuple[str | None, Rendered | None]:
    """(the key of the entry for every service, or None where a render reads
    the service's files and is never kept; the kept render, if any)."""
    source, ref, data, recorded, defaults, operation = inputs
    shared = _key([commit, ref, source.location, data, recorded, defaults, operation])
    hit = _load(cache_dir() / f"{shared}.zip")
    if isinstance(hit, Rendered):
        return shared, hit
    if hit == _FOR_ONE_SERVICE and dest is not None:
        found = _load(cache_dir() / f"{_own(shared, dest)}.zip")
        return shared, found if isinstance(found, Rendered) else None
    if hit is not None:
        return None, None  # it reads the service's files: rendered every time
    return shared, None


def _own(shared: str, dest: Path) -> str:
    """The entry of a render for one service only."""
    return _key([shared, str(dest.absolute())])


_FOR_ONE_SERVICE = "one-service"  # markers: what the shared entry says instead
_FOR_NONE = "none"


def _key(parts: list[Any]) -> str:
    blob = json.dumps([_FORMAT, *parts], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _store_marker(path: Path, marker: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            archive.writestr(_META, json.dumps({"format": _FORMAT, "kept": marker}))
        os.replace(tmp, path)
    except OSError:
        return


def _load(path: Path) -> Rendered | str | None:
    """The render kept at ``path``, a marker saying where it is, or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            meta = json.loads(archive.read(_META))
            if meta.get("format") != _FORMAT:
                return None
            if isinstance(meta.get("kept"), str):
                return str(meta["kept"])
            tree = {
                rel: FileEntry(archive.read(f"files/{rel}"), int(mode))
                for rel, mode in meta["modes"].items()
            }
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None  # a damaged cache entry is just a miss
    return Rendered(
        tree=tree,
        answers=meta["answers"],
        commit=meta["commit"],
        version=meta["version"],
        policy_text=meta["policy_text"],
        warnings=(),
        code=_code(meta["code"]),
        skip_if_exists=tuple(meta["skip_if_exists"]),
        uses_destination=bool(meta.get("uses_destination")),
    )


def _code(raw: list[Any]) -> TemplateCode:
    tasks, migrations, envops, context, extensions = raw
    return TemplateCode(
        tuple(tasks), tuple(migrations), dict(envops), dict(context), tuple(extensions)
    )


def _store(path: Path, rendered: Rendered) -> None:
    meta = {
        "format": _FORMAT,
        "answers": rendered.answers,
        "commit": rendered.commit,
        "version": rendered.version,
        "policy_text": rendered.policy_text,
        "modes": {rel: entry.mode for rel, entry in rendered.tree.items()},
        "skip_if_exists": list(rendered.skip_if_exists),
        "uses_destination": rendered.uses_destination,
        "code": [
            list(rendered.code.tasks),
            list(rendered.code.migrations),
            dict(rendered.code.envops),
            dict(rendered.code.context),
            list(rendered.code.extensions),
        ],
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            archive.writestr(_META, json.dumps(meta, default=str))
            for rel, entry in rendered.tree.items():
                archive.writestr(f"files/{rel}", entry.data)
        os.replace(tmp, path)
    except OSError:
        return  # a cache that cannot be written only costs speed
