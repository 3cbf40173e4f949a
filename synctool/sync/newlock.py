"""The lock a render leaves: what `init`, `adopt` and every sync record."""

from __future__ import annotations

from collections.abc import Mapping

from synctool import __version__
from synctool.blueprint.render.result import Rendered, answers_digest
from synctool.check import policy
from synctool.service.lock import Lock
from synctool.service.lockentries import locked_files
from synctool.service.names import GITIGNORE


def new_lock(
    recorded: str,
    ref: str | None,
    theirs: Rendered,
    bundled_version: str | None,
    applied: policy.Policy,
    gitignores: Mapping[str, bytes] | None = None,
) -> Lock:
    """The applied state after rendering ``theirs`` (init and every sync).

    ``gitignores``: the service's `.gitignore` files after the sync; files
    they or ``theirs``' ignore, and files holding a secret answer, are
    locked without a hash (``lockentries.locked_files``)."""
    return Lock(
        blueprint=recorded,
        ref=ref,
        version=theirs.version or bundled_version,
        commit=theirs.commit,
        answers=theirs.answers,
        answers_digest=answers_digest(theirs.answers),
        policy=applied.raw,
        files=locked_files(
            theirs.tree,
            applied.ownership,
            secrets=theirs.secret_values,
            gitignores=[
                {p: e.data for p, e in theirs.tree.items() if _is_ignore_file(p)},
                gitignores or {},
            ],
        ),
        synctool_version=__version__,
    )


def _is_ignore_file(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == GITIGNORE
