"""`.synctool.yml` read fast for `check`: libyaml, YAML 1.2, with lines.

`check` runs on every commit and only reads `.synctool.yml`; ruamel's
round-trip loader (pure Python, ~20 ms with its import) is for rewriting it.
This loader gives the same values, as YAML 1.2 reads them the way ruamel does
(`0o17` and `1e3` are numbers, `0777` is 777, `1:20` and `yes` are text), in
dicts and lists that carry their positions as ruamel's do (`.lc.line`,
`.lc.data[key][0]`, `.lc.key(key)`: synctool.service.lined), so the rule
readers serve both.

Anything it is not sure of is left to the round-trip loader, whose answer
or error stands: aliases, anchors, tags and merge keys (ruamel keeps them as
its own types), a `%YAML` directive, tabs and line breaks other than CR/LF
(which ruamel refuses where libyaml does not), and whatever libyaml refuses.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from synctool import fastyaml
from synctool.service.lined import LinedList, LinedMap, Lines, Unsure

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


def _at(node: Any) -> tuple[int, int]:
    return node.start_mark.line, node.start_mark.column


class _Loader(fastyaml.Loader):
    def construct_lined_map(self, node: Any) -> Any:
        data = LinedMap()
        data.lc = Lines(*_at(node), {})
        yield data
        data.update(self.construct_mapping(node))  # merges `<<` keys first
        for key_node, _value in node.value:  # flattened: a later key wins
            data.lc.data[self.construct_object(key_node)] = _at(key_node)

    def construct_lined_list(self, node: Any) -> Any:
        data = LinedList()
        data.lc = Lines(*_at(node), {})
        yield data
        data.extend(self.construct_sequence(node))
        data.lc.data.update((i, _at(item)) for i, item in enumerate(node.value))

    def construct_yaml_int(self, node: Any) -> int:
        # 1.2: `0o` for octal; a leading zero is decimal, `:` is not a number.
        text = self.construct_scalar(node).replace("_", "")
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2].lower(), 10)
        return sign * int(digits[2:] if base != 10 else digits, base)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_lined_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_lined_list)
_Loader.add_constructor(_INT, _Loader.construct_yaml_int)

# YAML 1.2's numbers, as ruamel resolves them (tests/service/test_linedyaml.py holds
# the two loaders to the same values).
_NUMBERS = (
    (
        _INT,
        r"[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9_]+)",
        "-+0123456789",
    ),
    (
        _FLOAT,
        r"[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[0-9][0-9_]*[eE][-+]?[0-9]+"
        r"|\.[0-9_]+(?:[eE][-+][0-9]+)?"
        r"|\.(?:inf|Inf|INF))"
        r"|\.(?:nan|NaN|NAN)",
        "-+0123456789.",
    ),
)
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in fastyaml.Loader.yaml_implicit_resolvers.items()
}
for _tag, _regex, _first in _NUMBERS:
    _Loader.add_implicit_resolver(_tag, re.compile(f"^(?:{_regex})$"), list(_first))


# Node properties (`&anchor`, `!tag`) and a merge key, where they may start.
_PROPERTY = re.compile(r"(?:^|[\s\[{,:])[&!]\S|<<\s*:", re.MULTILINE)
_ODD = ("\t", "\x85", "\u2028", "\u2029", "%YAML")


def load(text: str) -> Any:
    """``text`` as plain YAML 1.2 data with positions; Unsure where only the
    round-trip loader can say (see the module's docstring). A false alarm
    (a `!` starting a quoted string's word) only costs time."""
    if fastyaml.may_alias(text):
        raise Unsure("aliases")  # the round-trip path counts them first
    if any(odd in text for odd in _ODD) or _PROPERTY.search(text):
        raise Unsure("a form only the round-trip loader reads as it means")
    try:
        return yaml.load(text, Loader=_Loader)
    except Exception as exc:  # any refusal: the round-trip loader words it
        raise Unsure(str(exc)) from None
