"""What `check` parsed, remembered (synctool.service.parsed) and carried
without a YAML library (synctool.service.lined): the same values, the same
lines, nothing kept outside a check, nothing kept from a failed one."""

from __future__ import annotations

import datetime as dt
import marshal
import os
from pathlib import Path
from typing import Any

import pytest

from synctool.service import lined, linedyaml, parsed
from tests.helpers import git, new_repo
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
    return new_repo(tmp_path / "svc")


CACHE = Path(".git") / "synctool-check.cache"


class Parser:
    """A parse that counts its calls: ``value(text)``, or raises ``fails``."""

    def __init__(self, value: Any = lambda text: {"text": [text]}) -> None:
        self.value, self.calls = value, 0

    def __call__(self, text: str) -> Any:
        self.calls += 1
        return self.value(text)


def test_a_reading_is_recalled_in_the_next_check_as_a_fresh_copy(repo: Path) -> None:
    parse = Parser()
    with parsed.remembered(repo):
        assert parsed.reading("plain", "a\n", parse) == {"text": ["a\n"]}
    assert parse.calls == 1
    with parsed.remembered(repo):
        value = parsed.reading("plain", "a\n", parse)
        assert value == {"text": ["a\n"]}
        value["text"].append("changed")  # a rule may change what it was given
        assert parsed.reading("plain", "a\n", parse) == {"text": ["a\n"]}
        assert parse.calls == 1
        parsed.reading("plain", "b\n", parse)  # another text
        parsed.reading("documents", "a\n", parse)  # another kind
    assert parse.calls == 3


def test_outside_a_check_everything_is_parsed(repo: Path) -> None:
    parse = Parser()
    for _ in range(2):
        parsed.reading("plain", "a\n", parse)
    assert parse.calls == 2
    assert not (repo / CACHE).exists()


def test_nothing_is_kept_from_a_check_that_failed(repo: Path) -> None:
    with pytest.raises(RuntimeError), parsed.remembered(repo):
        parsed.reading("plain", "a\n", Parser())
        raise RuntimeError
    assert not (repo / CACHE).exists()


def test_an_error_is_never_remembered(repo: Path) -> None:
    def fails(text: str) -> Any:
        raise ValueError(text)

    for _ in range(2):
        with pytest.raises(ValueError), parsed.remembered(repo):
            parsed.reading("plain", "bad\n", fails)
    with parsed.remembered(repo):
        parse = Parser()
        parsed.reading("plain", "bad\n", parse)
    assert parse.calls == 1


def test_only_what_a_check_used_is_kept(repo: Path) -> None:
    with parsed.remembered(repo):
        parsed.reading("plain", "old\n", Parser())
        parsed.reading("plain", "kept\n", Parser())
    with parsed.remembered(repo):
        parsed.reading("plain", "kept\n", Parser())
    assert list(_entries(repo)) == [("plain", "kept\n")]


def _entries(repo: Path) -> dict[tuple[str, str], bytes]:
    _magic, _tag, _digest, payload = marshal.loads((repo / CACHE).read_bytes())
    entries: dict[tuple[str, str], bytes] = marshal.loads(payload)
    return entries


def _write_entries(repo: Path, entries: dict[tuple[str, str], bytes]) -> None:
    payload = marshal.dumps(entries)
    data = (parsed._MAGIC, parsed._tag(), parsed._digest(payload), payload)
    (repo / CACHE).write_bytes(marshal.dumps(data))


def test_a_cache_unchanged_is_not_rewritten(repo: Path) -> None:
    with parsed.remembered(repo):
        parsed.reading("plain", "a\n", Parser())
    os.utime(repo / CACHE, ns=(10**18, 10**18))
    with parsed.remembered(repo):
        parsed.reading("plain", "a\n", Parser())
    assert (repo / CACHE).stat().st_mtime_ns == 10**18


def test_what_marshal_cannot_hold_or_a_huge_text_is_read_anew(repo: Path) -> None:
    huge = "x" * (1 << 20) + "y"
    dated = Parser(lambda text: {"when": dt.date(2026, 1, 2)})
    big = Parser()
    for _ in range(2):
        with parsed.remembered(repo):
            parsed.reading("plain", "d\n", dated)
            parsed.reading("plain", huge, big)
    assert (dated.calls, big.calls) == (2, 2)


def test_a_damaged_entry_is_parsed_anew(repo: Path) -> None:
    text = "a: 1\n"
    read = Parser(lambda text: linedyaml.load(text))
    with parsed.remembered(repo):
        parsed.reading("lined", text, read, encode=lined.encode, decode=lined.decode)
    for damaged in (("m", 0), ("t", "not a time"), ("m", 0, 0, [("a", ("x",))], [])):
        _write_entries(repo, {("lined", text): marshal.dumps(damaged)})
        with parsed.remembered(repo):
            value = parsed.reading(
                "lined", text, read, encode=lined.encode, decode=lined.decode
            )
        assert value == {"a": 1}
        assert value.lc.key("a") == (0, 0)
    assert read.calls == 4


def test_a_file_whose_content_does_not_match_its_digest_is_passed_over(
    repo: Path,
) -> None:
    parse = Parser()
    with parsed.remembered(repo):
        parsed.reading("plain", "a\n", parse)
    magic, tag, digest, _payload = marshal.loads((repo / CACHE).read_bytes())
    forged = marshal.dumps({("plain", "a\n"): marshal.dumps("forged")})
    (repo / CACHE).write_bytes(marshal.dumps((magic, tag, digest, forged)))
    with parsed.remembered(repo):
        assert parsed.reading("plain", "a\n", parse) == {"text": ["a\n"]}
    assert parse.calls == 2


def test_another_synctool_python_or_parser_starts_afresh(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse = Parser()
    with parsed.remembered(repo):
        parsed.reading("plain", "a\n", parse)
    monkeypatch.setattr(parsed, "_tag", lambda: "another version")
    with parsed.remembered(repo):
        parsed.reading("plain", "a\n", parse)
    assert parse.calls == 2


def test_the_tag_follows_a_readers_source_not_its_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = tmp_path / "some_reader.py"
    reader.write_text("YES = 'yes'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(parsed, "_READERS", ("some_reader",))
    before = parsed._tag()
    stamp = reader.stat().st_mtime_ns
    reader.write_text("YES = True\n")
    os.utime(reader, ns=(stamp, stamp))  # as on Nix, or after `cp -a`
    assert parsed._tag() != before
    assert parsed._tag().startswith(f"{parsed.__version__} ")
    assert " __init__.py:" in parsed._tag()  # PyYAML's files


def test_a_part_file_a_killed_check_left_is_removed(repo: Path) -> None:
    old = repo / ".git" / "synctool-check.cache.123-abcd.part"
    new = repo / ".git" / "synctool-check.cache.456-abcd.part"
    for part in (old, new):
        part.write_bytes(b"half")
    os.utime(old, (1, 1))
    with parsed.remembered(repo):
        parsed.reading("plain", "a\n", Parser())
    assert not old.exists()
    assert new.exists()  # maybe another check's, still writing
    assert (repo / CACHE).is_file()


def test_a_folder_name_that_is_not_utf8_has_its_cache(repo: Path) -> None:
    svc = Path(os.fsdecode(bytes(repo) + b"/caf\xe9"))
    svc.mkdir()
    parse = Parser()
    for _ in range(2):
        with parsed.remembered(svc):
            parsed.reading("plain", "a\n", parse)
    assert parse.calls == 1
    [cache] = (repo / ".git").glob("synctool-check-*.cache")
    assert cache.is_file()


def test_a_check_inside_a_check_leaves_the_outer_one_remembering(repo: Path) -> None:
    parse = Parser()
    with parsed.remembered(repo):
        with parsed.remembered(repo):
            pass
        parsed.reading("plain", "a\n", parse)
    with parsed.remembered(repo):
        parsed.reading("plain", "a\n", parse)
    assert parse.calls == 1


def test_a_worktree_keeps_it_in_its_own_git_folder(repo: Path, tmp_path: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "init")
    other = tmp_path / "other"
    git(repo, "worktree", "add", "-q", str(other))
    with parsed.remembered(other):
        parsed.reading("plain", "a\n", Parser())
    assert (repo / ".git" / "worktrees" / "other" / "synctool-check.cache").is_file()
    assert not (repo / CACHE).exists()
    assert git(other, "status", "--porcelain") == ""


def test_outside_git_nothing_is_written(tmp_path: Path) -> None:
    if parsed._cache_path(tmp_path) is not None:
        pytest.skip("the temporary folder is itself inside a git repository")
    with parsed.remembered(tmp_path):
        parsed.reading("plain", "a\n", Parser())
    assert list(tmp_path.iterdir()) == []
