"""Drift rules: parse them, evaluate them over a service's files, apply waivers.

Pure: no printing, no git, no network. The `check` command supplies the files
(a FileSource), the rules (from the lock's policy and `.synctool.yml`) and
today's date, and renders the findings.
"""

from __future__ import annotations

from synctool.check.rules.findings import FileSource, Finding, OnlineInfo
from synctool.check.rules.kinds import evaluate
from synctool.check.rules.paths import PathMatcher, compile_paths
from synctool.check.rules.schema import (
    BehindCheck,
    Rule,
    RuleError,
    Severity,
    TextCheck,
    YamlCheck,
    parse_rules,
)
from synctool.check.rules.waivers import (
    MergedRules,
    Waiver,
    WaiverResult,
    apply_waivers,
    merge_rules,
    parse_waivers,
)
from synctool.check.rules.yamlpath import PathError, YamlPath, parse_path

__all__ = [
    "BehindCheck",
    "FileSource",
    "Finding",
    "MergedRules",
    "OnlineInfo",
    "PathError",
    "PathMatcher",
    "Rule",
    "RuleError",
    "Severity",
    "TextCheck",
    "Waiver",
    "WaiverResult",
    "YamlCheck",
    "YamlPath",
    "apply_waivers",
    "compile_paths",
    "evaluate",
    "merge_rules",
    "parse_path",
    "parse_rules",
    "parse_waivers",
]
