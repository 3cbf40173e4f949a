"""Every released version of the bundled blueprint, frozen in the package.

A service made from the bundled blueprint records its version (e.g. 1.0.0).
To sync it later, synctool must render that version again, offline, even
after the bundled blueprint moved on. So each release is frozen here as an
index (path -> sha256, mode) over a content store where each distinct file is
kept once, however many releases share it.

Maintainers freeze a release after bumping ``blueprint/VERSION``:

    python tools/freeze_release.py
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from packaging.version import InvalidVersion, Version

from synctool import folders
from synctool.errors import BlueprintError

STORE = Path(str(resources.files("synctool"))).resolve() / "_releases"
_INDEX = "index.json"
_SKIP_DIRS = {".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def _load_index() -> dict[str, dict[str, list[object]]]:
    try:
        data = json.loads((STORE / _INDEX).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    versions: dict[str, dict[str, list[object]]] = data["versions"]
    return versions


def versions() -> list[str]:
    """The frozen releases, oldest first, ordered as versions (1.9.0 < 1.10.0)."""
    return sorted(_load_index(), key=version_key)


def version_key(name: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(name))
    except InvalidVersion:  # not PEP 440: after every release, by name
        return (2, name)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """The files of a blueprint folder: path -> (bytes, mode)."""
    files: dict[str, tuple[bytes, int]] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in filenames:
            if name.endswith(".pyc"):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            mode = 0o755 if path.stat().st_mode & 0o111 else 0o644
            files[rel] = (path.read_bytes(), mode)
    return dict(sorted(files.items()))


def frozen_files(version: str) -> dict[str, tuple[bytes, int]] | None:
    entry = _load_index().get(version)
    if entry is None:
        return None
    out: dict[str, tuple[bytes, int]] = {}
    for rel, (sha, mode) in entry.items():
        out[rel] = (
            (STORE / "objects" / str(sha)[:2] / str(sha)).read_bytes(),
            int(str(mode)),
        )
    return out


def frozen_version(folder: Path) -> str | None:
    """The release ``folder`` holds, when it is one `materialize` made."""
    return folder.name if folder.parent == folders.cache("bundled") else None


def materialize(version: str) -> Path:
    """A folder holding the frozen release ``version`` (made once, in the cache)."""
    target = folders.cache("bundled") / version
    if (target / ".complete").is_file():
        return target
    files = frozen_files(version)
    if files is None:
        known = ", ".join(versions()) or "none"
        raise BlueprintError(
            f"the bundled blueprint {version} is not shipped with this synctool (it has: {known}).",
            "Install a synctool release that ships it, or move the service to a blueprint repository.",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{version}-"))
    for rel, (data, mode) in files.items():
        path = staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
    (staging / ".complete").write_text(version)
    try:
        os.rename(staging, target)
    except OSError:  # another process made it first: use theirs
        shutil.rmtree(staging, ignore_errors=True)
    return target


def freeze(folder: Path, version: str) -> bool:
    """Add ``folder`` as release ``version``; False if it is frozen already.

    Refuses to change a frozen release: services rendered from it rely on it.
    """
    files = snapshot(folder)
    files.pop("VERSION", None)
    index = _load_index()
    entry = {
        rel: [hashlib.sha256(data).hexdigest(), mode]
        for rel, (data, mode) in files.items()
    }
    if version in index:
        if index[version] != entry:
            raise BlueprintError(
                f"bundled blueprint {version} is already frozen with other content.",
                "Bump blueprint/VERSION for a new release.",
            )
        return False
    for (data, _mode), (sha, _m) in zip(files.values(), entry.values(), strict=True):
        obj = STORE / "objects" / str(sha)[:2] / str(sha)
        if not obj.exists():
            obj.parent.mkdir(parents=True, exist_ok=True)
            obj.write_bytes(data)
    index[version] = entry
    STORE.mkdir(parents=True, exist_ok=True)
    (STORE / _INDEX).write_text(
        json.dumps({"versions": index}, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return True
