"""copier's answers file: a rendered file that synctool itself keeps current.

copier writes the answers as the template spells them, often
`{{ _copier_answers|to_json }}` on one line, in an order that depends on how
each answer came in (given now, recalled, a default). So the base render of a
service may spell the very answers the service's file holds in another order,
and a line merge sees both sides change that one line: a conflict on every
update though nobody edited the file. When the service's file holds the same
data as the base's (read as JSON, else YAML), the service's bytes stand for
the base, and the new render's version is taken whole. An answers file whose
data the team edited is merged like any other file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from synctool.blueprint.tasks import TemplateCode
from synctool.tree import FileEntry, Tree

_UNREADABLE = object()


def answers_path(code: TemplateCode) -> str | None:
    """Where the render wrote copier's answers file (`_copier_conf.answers_file`)."""
    conf = code.context.get("_copier_conf")
    name = conf.get("answers_file") if isinstance(conf, Mapping) else None
    return name if isinstance(name, str) and name else None


def align_base(base: Tree, ours: Mapping[str, FileEntry], path: str | None) -> Tree:
    """``base`` with the service's spelling of the answers file at ``path``
    when the two hold the same data; ``base`` itself otherwise."""
    if path is None or path not in base or path not in ours:
        return base
    was, now = base[path], ours[path]
    if was.data == now.data:
        return base
    data = _read(was.data)
    if data is _UNREADABLE or data != _read(now.data):
        return base
    return {**base, path: FileEntry(now.data, was.mode)}


def _read(data: bytes) -> Any:
    from synctool import fastyaml

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _UNREADABLE
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return fastyaml.load(text)
    except (fastyaml.FastYAMLError, ValueError, RecursionError):
        return _UNREADABLE
