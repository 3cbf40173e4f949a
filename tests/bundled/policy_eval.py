"""A small evaluator for the blueprint's drift rules, used to prove that a
freshly generated service satisfies its own policy (and that the rules bite).

It covers the subset of docs/policy.md the bundled policy uses; synctool's
own `check` is the real implementation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pathspec
import yaml


def _files(root: Path, patterns: list[str]) -> list[str]:
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file()
        and ".git" not in path.relative_to(root).parts
        and spec.match_file(path.relative_to(root).as_posix())
    )


def _select(node: Any, dotted: str) -> list[Any]:
    nodes = [node]
    for key in dotted.split("."):
        nodes = [n[key] for n in nodes if isinstance(n, dict) and key in n]
    return nodes


def _yaml_rule(rule: dict[str, Any], text: str) -> bool:
    for document in yaml.safe_load_all(text):
        selected = _select(document, rule["select"])
        if rule.get("exists") and not selected:
            return False
        if rule.get("absent") and selected:
            return False
        if "equals" in rule and (
            not selected or any(value != rule["equals"] for value in selected)
        ):
            return False
        if "matches" in rule and not all(
            re.search(rule["matches"], str(value)) for value in selected
        ):
            return False
        if "includes" in rule:
            flat = [
                v
                for value in selected
                for v in (value if isinstance(value, list) else [value])
            ]
            if rule["includes"] not in flat:
                return False
    return True


def violations(policy: dict[str, Any], root: Path) -> list[str]:
    """Ids (and paths) of the rules the service at `root` breaks."""
    found: list[str] = []
    for rule in policy.get("rules", []):
        kind, paths = rule["kind"], rule.get("paths", [])
        files = _files(root, paths)
        if kind == "required":
            found.extend(f"{rule['id']}: {p}" for p in paths if not _files(root, [p]))
        elif kind == "forbidden":
            found.extend(f"{rule['id']}: {f}" for f in files)
        for name in files if kind in {"contains", "not-contains", "yaml"} else []:
            text = (root / name).read_text()
            ok = True
            if kind == "contains" and rule.get("all"):
                lines = [ln for ln in text.splitlines() if re.search(rule["where"], ln)]
                ok = all(re.search(rule["pattern"], ln) for ln in lines)
            elif kind == "contains":
                ok = re.search(rule["pattern"], text, re.MULTILINE) is not None
            elif kind == "not-contains":
                ok = re.search(rule["pattern"], text, re.MULTILINE) is None
            elif kind == "yaml":
                ok = _yaml_rule(rule, text)
            if not ok:
                found.append(f"{rule['id']}: {name}")
    return found
