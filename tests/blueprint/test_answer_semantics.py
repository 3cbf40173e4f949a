"""Answers as a careful user expects them, and a journal undone twice.

Recorded answers are copier's last answers: hand-written spellings copier
accepts (`flag: no`, `port: "9000"`) render as their type; an answer typed
at a prompt is not refused for the recorded one it replaces; a computed
(`when: false`) question is never demanded; a bad answer given now is the
answer's fault, named, not the blueprint's. And a roll back that is killed
and run again never deletes what it had already restored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from synctool.blueprint.render import render
from synctool.errors import InputError
from synctool.service import journal
from synctool.service.journal import steps
from synctool.service.names import JOURNAL
from synctool.tree import FileEntry
from tests.helpers import git, make_blueprint, run_cli

COPIER = """\
name: {type: str, default: orders}
use_db: {type: bool, default: true}
port: {type: int, default: 8080}
"""
FILES = {
    "copier.yml": COPIER,
    "{% if use_db %}db.txt{% endif %}.jinja": "db for {{ name }}\n",
    "app.txt.jinja": "next port {{ port + 1 }}\n",
}


def _service(tmp: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    bp = make_blueprint(tmp / "bp", {"v1.0.0": FILES})
    svc = tmp / "svc"
    args = ["init", str(svc), "--blueprint", str(bp), "--ref", "v1.0.0", "--defaults"]
    assert run_cli(capsys, *args).code == 0
    v2 = {**FILES, "app.txt.jinja": "next port {{ port + 1 }}\nv2\n"}
    make_blueprint(bp, {"v2.0.0": v2})
    return bp, svc


def test_hand_written_answers_render_as_their_question_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _bp, svc = _service(tmp_path, capsys)
    declared = svc / ".synctool.yml"
    text = declared.read_text()
    text = text.replace("use_db: true", "use_db: no").replace(
        "port: 8080", "port: '9000'"
    )
    declared.write_text(text)
    git(svc, "commit", "-qam", "answers by hand")
    result = run_cli(capsys, "update", str(svc), "--to", "v2.0.0")
    assert result.code == 0, result.err
    assert (svc / "app.txt").read_text() == "next port 9001\nv2\n"
    assert not (svc / "db.txt").exists()  # `no` is false, as copier reads it


def test_an_answer_typed_at_the_prompt_replaces_an_invalid_recorded_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import copier._main

    v1 = {
        "copier.yml": "db: {type: str, choices: [postgres, mysql]}\n",
        "db.txt.jinja": "{{ db }}\n",
    }
    v2 = {**v1, "copier.yml": "db: {type: str, choices: [postgres, sqlite]}\n"}
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": v1, "v2.0.0": v2})

    def typed(
        questions: list[dict[str, Any]], answers: dict[str, Any]
    ) -> dict[str, Any]:
        return {questions[0]["name"]: "sqlite"}

    monkeypatch.setattr(copier._main, "unsafe_prompt", typed)
    out = render(
        str(bp), "v2.0.0", {}, defaults=False, interactive=True, trust=False,
        recorded={"db": "mysql"}, operation="update",
    )  # fmt: skip
    assert out.answers == {"db": "sqlite"}
    assert out.tree["db.txt"].data == b"sqlite\n"
    with pytest.raises(InputError, match=r"recorded answer db: 'mysql'.*--data db="):
        render(
            str(bp), "v2.0.0", {}, defaults=True, interactive=False, trust=False,
            recorded={"db": "mysql"}, operation="update",
        )  # fmt: skip


def test_a_computed_question_is_never_demanded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "copier.yml": "name: {type: str}\nslug:\n  default: '{{ name|lower }}'\n  when: false\n",
        "{{ slug }}.txt.jinja": "{{ name }}\n",
    }
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": files})
    svc = tmp_path / "svc"
    result = run_cli(
        capsys, "init", str(svc), "--blueprint", str(bp), "-d", "name=Orders"
    )
    assert result.code == 0, result.err
    assert (svc / "orders.txt").read_text() == "Orders\n"
    missing = run_cli(capsys, "init", str(tmp_path / "other"), "--blueprint", str(bp))
    assert missing.code == 2
    assert "no answer for: name." in missing.err and "slug" not in missing.err


@pytest.mark.parametrize(
    ("question", "value"),
    [("tags", "a,b"), ("cfg", "[unclosed"), ("count", "many")],
)
def test_a_bad_answer_given_now_names_the_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], question: str, value: str
) -> None:
    files = {
        "copier.yml": (
            "tags: {type: str, multiselect: true, choices: [a, b, c], default: [a]}\n"
            "cfg: {type: yaml, default: {}}\ncount: {type: int, default: 1}\n"
        ),
        "x.txt.jinja": "{{ tags }} {{ cfg }} {{ count }}\n",
    }
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": files})
    svc = tmp_path / "svc"
    args = ["init", str(svc), "--blueprint", str(bp), "--defaults"]
    result = run_cli(capsys, *args, "-d", f"{question}={value}")
    assert result.code == 2, result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert question in lines[0] and "could not be rendered" not in lines[0], lines[0]
    assert not svc.exists()


def test_a_folder_turned_file_survives_a_roll_back_killed_and_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "svc"
    (root / "conf").mkdir(parents=True)
    (root / "conf/x").write_text("user x\n")
    (root / "conf/y").write_text("user y\n")
    changes = {"conf/x": None, "conf/y": None, "conf": FileEntry(b"a file\n", 0o644)}

    class Killed(Exception):
        pass

    def kill_at(step: str) -> None:
        def hook(name: str) -> None:
            if name == step:
                raise Killed(name)

        monkeypatch.setattr(steps, "step_hook", hook)

    kill_at("write conf")
    with pytest.raises(Killed):
        journal.apply(root, changes)
    kill_at("restore conf/y")
    with pytest.raises(Killed):
        journal.roll_back(root)
    monkeypatch.setattr(steps, "step_hook", None)
    assert journal.finish(root) is True  # the begun roll back is finished
    assert (root / "conf/x").read_text() == "user x\n"
    assert (root / "conf/y").read_text() == "user y\n"
    assert not (root / JOURNAL).exists()


def test_a_bug_in_code_copier_calls_back_is_a_crash_not_a_blueprint_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from synctool.blueprint import speedups

    def broken(worker: Any, *_args: Any) -> None:
        worker._render_string = lambda string, extra_context=None: {}["boom"]

    monkeypatch.setattr(speedups, "_skip_plain_parts", broken)
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": FILES})
    args = ["init", str(tmp_path / "svc"), "--blueprint", str(bp), "--defaults"]
    result = run_cli(capsys, *args)
    assert result.code == 3, result.err
    assert "internal error: KeyError" in result.err


def test_an_answer_to_no_question_is_refused_with_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _bp, svc = _service(tmp_path, capsys)
    before = (svc / ".synctool.yml").read_text()
    result = run_cli(capsys, "update", str(svc), "--to", "v2.0.0", "-d", "prot=9000")
    assert result.code == 2
    assert (
        "--data prot: the blueprint has no question 'prot' (did you mean 'port'?)"
        in (result.err)
    )
    assert (svc / ".synctool.yml").read_text() == before
    assert git(svc, "status", "--porcelain") == ""
