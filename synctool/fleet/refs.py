"""Which release a fleet moves each repo to, and the branch it uses."""

from __future__ import annotations

import contextlib
import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from synctool.blueprint import sources
from synctool.service.names import BUNDLED

if TYPE_CHECKING:
    from synctool.fleet.update import UpdateTask


def target_ref(root: Path, spec: str, task: UpdateTask) -> str | None:
    """The ref `update --to` resolves to (the newest release without --to)."""
    relative = not (
        spec == BUNDLED
        or "://" in spec
        or spec.startswith("git@")
        or os.path.isabs(spec)
    )
    return _resolve(task.run_id, spec, str(root) if relative else "", task.opts.to)


@functools.lru_cache(maxsize=256)
def _resolve(run_id: str, spec: str, base: str, to: str | None) -> str | None:
    """The blueprint's newest release is asked once per blueprint per worker,
    not once per repo (it is a `git ls-remote` each time)."""
    source = sources.resolve_source(spec, Path(base or "."))
    return sources.resolve_ref(source, to or None, "--to")


def default_branch_name(ref: str | None) -> str:
    from packaging.version import InvalidVersion, Version

    label = ref or "HEAD"
    with contextlib.suppress(InvalidVersion):
        label = str(Version(label))
    safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in label)
    return f"synctool/update-{safe.strip('.-') or 'latest'}"
