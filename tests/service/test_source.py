"""synctool.service.source: the blueprint source and ref compared without git."""

from __future__ import annotations

from pathlib import Path

import pytest

from synctool.service.source import same_ref, source_key


@pytest.mark.parametrize(
    "text",
    [
        "bundled",
        "https://github.com/acme/bp.git",
        "git@github.com:acme/bp.git",
        "gh:acme/bp",
        "gl:acme/bp",
        "git+https://example.com/bp",
    ],
)
def test_a_remote_source_is_kept_as_written(tmp_path: Path, text: str) -> None:
    (tmp_path / text).mkdir(parents=True)  # even when a folder of that name exists
    assert source_key(text, tmp_path) == text


def test_a_local_source_is_made_absolute_relative_to_the_service(
    tmp_path: Path,
) -> None:
    (tmp_path / "bp").mkdir()
    svc = tmp_path / "svc"
    svc.mkdir()
    assert source_key("../bp", svc) == str((tmp_path / "bp").resolve())


def test_a_missing_local_source_is_kept_as_written(tmp_path: Path) -> None:
    assert source_key("../nowhere", tmp_path) == "../nowhere"


def test_no_declared_ref_or_the_applied_one_is_the_same() -> None:
    assert same_ref(None, "v1.0.0", "/bp")
    assert same_ref("v1.0.0", "v1.0.0", "/bp")
    assert not same_ref("v1.1.0", "v1.0.0", "/bp")


def test_the_bundled_blueprint_ignores_a_leading_v() -> None:
    assert same_ref("v1.0.0", "1.0.0", "bundled")
    assert same_ref("1.0.0", "v1.0.0", "bundled")
    assert not same_ref("v1.0.0", "1.0.0", "/bp")  # a git blueprint's tags differ
    assert not same_ref("v1.0.0", None, "bundled")
