"""The merge tests' wrappers: one file's three versions given as text.

Each calls one driver (or ``merge_content``, every driver's entry) with the
labels ``ours``/``base``/``theirs``, so conflict markers read as those words.
"""

from __future__ import annotations

from collections.abc import Sequence

from synctool.merge.drivers import merge_content, run_driver
from synctool.merge.text import merge_text
from synctool.merge.types import ContentMerge, Labels
from synctool.tree import DEFAULT_IDENTITY_KEYS, Driver

LABELS = Labels("ours", "base", "theirs")


def text_merge(base: str, ours: str, theirs: str) -> ContentMerge:
    """The line merge (``merge_text``)."""
    return merge_text(base.encode(), ours.encode(), theirs.encode(), LABELS)


def yaml_merge(
    base: str,
    ours: str,
    theirs: str,
    keys: Sequence[str] = DEFAULT_IDENTITY_KEYS,
) -> ContentMerge:
    """The structural YAML merge (``run_driver``), list items matched by ``keys``."""
    return run_driver(
        "yaml", base.encode(), ours.encode(), theirs.encode(), LABELS, keys
    )


def toml_merge(base: str, ours: str, theirs: str) -> ContentMerge:
    """The structural TOML merge (``run_driver``)."""
    return run_driver("toml", base.encode(), ours.encode(), theirs.encode(), LABELS)


def file_merge(driver: Driver, base: str, ours: str, theirs: str) -> ContentMerge:
    """``merge_content``: the driver with the checks and fallbacks sync uses."""
    return merge_content(driver, base.encode(), ours.encode(), theirs.encode(), LABELS)


def clean(got: ContentMerge, driver: Driver) -> str:
    """The merged text of ``got``, which must be clean and from ``driver``."""
    assert (got.conflicts, got.driver, got.note) == (0, driver, ""), got
    return got.data.decode()


def clean_yaml(base: str, ours: str, theirs: str) -> str:
    """``yaml_merge``'s text; the merge must be clean and structural."""
    return clean(yaml_merge(base, ours, theirs), "yaml")


def clean_toml(base: str, ours: str, theirs: str) -> str:
    """``toml_merge``'s text; the merge must be clean and structural."""
    return clean(toml_merge(base, ours, theirs), "toml")
