"""The two blueprint sides of a sync: the applied version (base) and the
target (theirs), rendered at once, and the policy the target carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from synctool.blueprint import sources
from synctool.blueprint.render.result import Rendered
from synctool.blueprint.rendercache import cached_render
from synctool.blueprint.tasks import TemplateCode
from synctool.check import policy
from synctool.service.lock import Lock
from synctool.sync.background import in_background
from synctool.sync.base import render_base
from synctool.sync.target import Target


class CodeToRun(NamedTuple):
    """The blueprint code of a move between versions (its migrations' range)."""

    code: TemplateCode
    from_version: str | None
    to_version: str | None
    answers: dict[str, Any]


class Sides(NamedTuple):
    theirs: Rendered
    base: Rendered | None  # None: not renderable, the merge falls back
    base_note: str  # why the base was not rendered, else ""
    source: sources.Source  # the target's source at the target's version
    policy: policy.Policy  # the target's policy (synctool.yml), as applied

    @property
    def version(self) -> str | None:
        return self.theirs.version or self.source.bundled_version

    def code_to_run(self, previous: Lock) -> CodeToRun:
        """The target's tasks and migrations, for a move from ``previous``."""
        return CodeToRun(
            self.theirs.code, previous.version, self.version, self.theirs.answers
        )


def render_sides(
    root: Path,
    target: Target,
    previous: Lock,
    *,
    trust: bool,
    interactive: bool,
    side_process: bool = True,
) -> Sides:
    """Render theirs and, in a second process when ``side_process`` (off
    when the caller has its own CPU budget: a fleet), the base."""
    source = sources.at_version(target.source, target.ref)
    with in_background(
        render_base, root, previous, target.source, trust, fork=side_process
    ) as base_job:
        theirs = cached_render(
            source,
            target.ref,
            target.data,
            recorded=target.declared.answers,
            defaults=not interactive,
            interactive=interactive,
            trust=trust,
            operation="update",
            dest=root,
        )
        base, note = base_job()
    applied = policy.of_render(theirs, source.recorded)
    return Sides(theirs, base, note, source, applied)
