"""copier's answers file, rendered as one JSON line (`_copier_answers|to_json`),
never conflicts on an update because its answers come in another order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synctool.sync.answersfile import align_base
from synctool.tree import FileEntry
from tests.helpers import git, release, run_cli

COPIER = """\
_answers_file: .copier-answers.json
zeta:
  type: str
  default: z
alpha:
  type: str
  default: a
mid:
  type: int
  default: 3
"""
FILES = {
    "copier.yml": COPIER,
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_json }}\n",
    "README.md.jinja": "hello {{ alpha }}\n",
}
ANSWERS = ".copier-answers.json"


def _service(
    capsys: pytest.CaptureFixture[str], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """A service whose answers were given in an order copier keeps (`--data`
    first), from a blueprint with a second release."""
    bp = workdir / "bp"
    release(bp, "v1.0.0", FILES)
    made = run_cli(
        capsys,
        *("init", "svc", "--blueprint", str(bp), "--defaults", "--data", "alpha=b"),
    )
    assert made.code == 0, made.err
    svc = workdir / "svc"
    assert git(svc, "status", "--porcelain") == ""  # init committed it
    release(bp, "v1.1.0", {**FILES, "NEW.md": "new\n"})
    monkeypatch.chdir(svc)
    return svc, bp


def test_update_takes_the_new_answers_file_whole(
    capsys: pytest.CaptureFixture[str], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc, _ = _service(capsys, workdir, monkeypatch)
    before = json.loads((svc / ANSWERS).read_text())

    result = run_cli(capsys, "update")

    assert result.code == 0, result.out + result.err
    text = (svc / ANSWERS).read_text()
    assert "<<<<<<<" not in text
    assert json.loads(text) == {**before, "_commit": "v1.1.0"}
    assert not (svc / (ANSWERS + ".blueprint")).exists()
    check = run_cli(capsys, "check")
    assert check.code == 0, check.out + check.err


def test_an_answer_edited_in_the_answers_file_is_merged_not_dropped(
    capsys: pytest.CaptureFixture[str], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc, _ = _service(capsys, workdir, monkeypatch)
    edited = (svc / ANSWERS).read_text().replace('"zeta": "z"', '"zeta": "team"')
    assert edited != (svc / ANSWERS).read_text()
    (svc / ANSWERS).write_text(edited)
    git(svc, "commit", "-qam", "team edit")

    result = run_cli(capsys, "update")

    assert result.code == 1, result.out + result.err
    text = (svc / ANSWERS).read_text()
    assert '"zeta": "team"' in text  # the team's line is in the conflict
    assert '"_commit": "v1.1.0"' in text


@pytest.mark.parametrize(
    ("base", "ours", "aligned"),
    [
        (b'{"a": 1, "b": 2}\n', b'{"b": 2, "a": 1}\n', True),  # order only
        (b"a: 1\nb: 2\n", b"# kept\nb: 2\na: 1\n", True),  # YAML, a comment
        (b'{"a": 1}\n', b'{"a": 2}\n', False),  # an answer edited
        (b'{"a": 1}\n', b'{"a": 1, "a": 2}\n', False),  # JSON keeps the last
        (b'{"a": 1}\n', b"\xff\xfe", False),  # not text
        (b"a: [\n", b"a: [\n ", False),  # not YAML either
    ],
)
def test_align_base_only_when_the_data_is_the_same(
    base: bytes, ours: bytes, aligned: bool
) -> None:
    path = ".copier-answers.yml"
    base_tree = {path: FileEntry(base, 0o644), "other": FileEntry(b"x")}
    got = align_base(base_tree, {path: FileEntry(ours, 0o755)}, path)
    want = FileEntry(ours, 0o644) if aligned else FileEntry(base, 0o644)
    assert got[path] == want
    assert got["other"] == FileEntry(b"x")
    assert align_base(base_tree, {path: FileEntry(ours)}, None) is base_tree
