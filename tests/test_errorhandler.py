"""synctool.errorhandler: outcomes turned into exit codes, each said once."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from synctool import ui
from synctool.errorhandler import guarded
from synctool.errors import GitError, InputError, TaskFailed
from synctool.service.journal.outcome import SyncInterrupted


@pytest.fixture(autouse=True)
def _plain_output() -> Iterator[None]:
    ui.configure(color=False)
    yield
    ui.configure()


def _raise(exc: BaseException) -> Callable[[], int]:
    def fn() -> int:
        raise exc

    return fn


def test_a_normal_return_is_the_exit_code() -> None:
    assert guarded(lambda: 0, []) == 0
    assert guarded(lambda: 1, []) == 1


def test_a_users_error_is_one_line_with_its_hint_and_its_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = guarded(_raise(InputError("bad flag.", "Use --to.")), ["sync"])
    assert code == 2
    assert capsys.readouterr().err == "error: bad flag. Use --to.\n"
    assert guarded(_raise(GitError("dirty.")), []) == 2
    assert capsys.readouterr().err == "error: dirty.\n"
    assert guarded(_raise(TaskFailed("task failed.")), []) == 1


def test_ctrl_c_says_the_state_the_command_left(
    capsys: pytest.CaptureFixture[str],
) -> None:
    inner = SyncInterrupted("interrupted: nothing was written.", "Run it again.")
    try:  # the command line turns it into a bare KeyboardInterrupt on the way
        try:
            raise inner
        except KeyboardInterrupt:
            raise KeyboardInterrupt from None
    except KeyboardInterrupt as outer:
        outer.__context__ = inner
        code = guarded(_raise(outer), [])
    assert code == 130
    assert capsys.readouterr().err == (
        "error: interrupted: nothing was written. Run it again.\n"
    )


def test_ctrl_c_already_reported_is_not_said_twice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exc = SyncInterrupted("interrupted: rolled back.")
    exc.reported = True
    assert guarded(_raise(exc), []) == 130
    assert capsys.readouterr().err == ""
    assert guarded(_raise(KeyboardInterrupt()), []) == 130
    assert capsys.readouterr().err == "error: interrupted.\n"


def test_a_bug_writes_a_crash_report_without_the_arguments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = guarded(
        _raise(ZeroDivisionError("division by zero")),
        ["init", "--data", "token=s3cret"],
    )
    assert code == 3
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: division by zero" in err
    logs = list((Path(os.environ["XDG_STATE_HOME"]) / "synctool").rglob("crash-*.log"))
    assert len(logs) == 1
    assert str(logs[0]) in err.replace("\n", "")
    report = logs[0].read_text()
    assert "command: synctool init\n" in report
    assert "ZeroDivisionError: division by zero" in report
    assert "s3cret" not in report
