"""What `check` parsed, remembered (synctool.service.parsed) and carried
without a YAML library (synctool.service.lined): the same values, the same
lines, nothing kept outside a check, nothing kept from a failed one."""

from __future__ import annotations

import datetime as dt
import marshal
from pathlib import Path
from typing import Any

import pytest

from synctool.service import lined, linedyaml, parsed
from tests.helpers import git
from tests.service.test_linedyaml import SAMPLE


def _positions(node: Any, where: str = "") -> dict[str, tuple[Any, ...]]:
    """Every container's type, start, column and its entries' positions."""
    found: dict[str, tuple[Any, ...]] = {}
    if isinstance(node, dict | list):
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        found[where] = (
            type(node),
            node.lc.line,
            node.lc.col,
            *(node.lc.key(k) for k in keys),
        )
        for k in keys:
            found.update(_positions(node[k], f"{where}/{k}"))
    return found


@pytest.mark.parametrize(
    "text",
    [
        SAMPLE,
        "when: 2026-02-03T04:05:06+01:00\nday: 2026-02-03\nnaive: 2026-02-03 04:05:06\n",
        "empty: {}\nnone: []\nnested: [[1, [2]], {a: {b: null}}]\nbig: 12345678901234567890\n",
        "- a\n- [b, {c: 1.5}]\n",
        "3: three\ntrue: yes\n",
    ],
    ids=["sample", "dates", "nested", "top-list", "scalar-keys"],
)
def test_a_lined_reading_comes_back_whole(text: str) -> None:
    fast = linedyaml.load(text)
    back = lined.decode(marshal.loads(marshal.dumps(lined.encode(fast))))
    assert back == fast
    assert _positions(back) == _positions(fast)
    assert [type(v) for v in _walk(back)] == [type(v) for v in _walk(fast)]


def _walk(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [node, *(x for v in node.values() for x in _walk(v))]
    if isinstance(node, list):
        return [node, *(x for v in node for x in _walk(v))]
    return [node]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "svc"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return root


CACHE = Path(".git") / "synctool-check.cache"


def test_a_reading_is_recalled_in_the_next_check_as_a_fresh_copy(repo: Path) -> None:
    with parsed.remembered(repo):
        assert parsed.recall("plain", "a: [1]\n") == (False, None)
        parsed.keep("plain", "a: [1]\n", {"a": [1]})
    with parsed.remembered(repo):
        found, value = parsed.recall("plain", "a: [1]\n")
        assert (found, value) == (True, {"a": [1]})
        value["a"].append(2)  # a rule may change what it was given
        assert parsed.recall("plain", "a: [1]\n") == (True, {"a": [1]})
        assert parsed.recall("plain", "a: [2]\n") == (False, None)  # another text
        assert parsed.recall("documents", "a: [1]\n") == (False, None)  # another kind


def test_nothing_is_kept_from_a_check_that_failed(repo: Path) -> None:
    with pytest.raises(RuntimeError), parsed.remembered(repo):
        parsed.keep("plain", "a: 1\n", {"a": 1})
        raise RuntimeError
    assert not (repo / CACHE).exists()
    assert parsed.recall("plain", "a: 1\n") == (False, None)  # outside: nothing


def test_only_what_a_check_used_is_kept(repo: Path) -> None:
    with parsed.remembered(repo):
        parsed.keep("plain", "old\n", "old")
        parsed.keep("plain", "kept\n", "kept")
    with parsed.remembered(repo):
        assert parsed.recall("plain", "kept\n") == (True, "kept")
    _magic, _tag, entries = marshal.loads((repo / CACHE).read_bytes())
    assert list(entries) == [("plain", "kept\n")]


def test_a_cache_unchanged_is_not_rewritten(repo: Path) -> None:
    with parsed.remembered(repo):
        parsed.keep("plain", "a\n", "a")
    stamp = (repo / CACHE).stat().st_mtime_ns
    (repo / CACHE).touch()
    touched = (repo / CACHE).stat().st_mtime_ns
    with parsed.remembered(repo):
        assert parsed.recall("plain", "a\n") == (True, "a")
    assert (repo / CACHE).stat().st_mtime_ns == touched >= stamp


def test_what_marshal_cannot_hold_or_a_huge_text_is_read_anew(repo: Path) -> None:
    huge = "x" * (1 << 20) + "y"
    with parsed.remembered(repo):
        parsed.keep("plain", "d\n", {"when": dt.date(2026, 1, 2)})
        parsed.keep("plain", huge, "huge")
    with parsed.remembered(repo):
        assert parsed.recall("plain", "d\n") == (False, None)
        assert parsed.recall("plain", huge) == (False, None)


def test_another_synctool_python_or_parser_starts_afresh(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with parsed.remembered(repo):
        parsed.keep("plain", "a\n", "a")
    monkeypatch.setattr(parsed, "_tag", lambda: "another version")
    with parsed.remembered(repo):
        assert parsed.recall("plain", "a\n") == (False, None)


def test_the_tag_names_synctool_python_and_each_parser() -> None:
    tag = parsed._tag()
    assert tag.startswith(parsed.__version__ + " ")
    stamps = tag.rsplit(" ", len(parsed._PARSERS))[1:]
    assert len(stamps) == len(parsed._PARSERS)
    assert all(stamp.isdigit() for stamp in stamps), tag


def test_a_worktree_keeps_it_in_its_own_git_folder(repo: Path, tmp_path: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "init")
    other = tmp_path / "other"
    git(repo, "worktree", "add", "-q", str(other))
    with parsed.remembered(other):
        parsed.keep("plain", "a\n", "a")
    assert (repo / ".git" / "worktrees" / "other" / "synctool-check.cache").is_file()
    assert not (repo / CACHE).exists()
    assert git(other, "status", "--porcelain") == ""


def test_outside_git_nothing_is_written(tmp_path: Path) -> None:
    if parsed._cache_path(tmp_path) is not None:
        pytest.skip("the temporary folder is itself inside a git repository")
    with parsed.remembered(tmp_path):
        parsed.keep("plain", "a\n", "a")
    assert list(tmp_path.iterdir()) == []
