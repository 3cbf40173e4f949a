"""A render as a command is asked for it: which blueprint, at which version,
and how its questions are answered (`init`, `adopt`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


class Asked(NamedTuple):
    blueprint: str | None = None  # a path or git URL; None: the command's own
    ref: str | None = None  # a tag or commit; None: the command's own
    data: Mapping[str, Any] = {}  # answers given now (--data, --data-file)
    defaults: bool = False  # unanswered questions take their defaults
    interactive: bool = False  # copier may ask on the terminal
    trust: bool = False  # the blueprint's code may run
