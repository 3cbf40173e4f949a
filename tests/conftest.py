from __future__ import annotations

from pathlib import Path

import pytest

from synctool import ui


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cache, config and crash logs go to a per-test folder, never the user's."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(autouse=True)
def _fresh_ui(_isolated_user_dirs: None) -> None:
    """The ui's settings as a new process has them: an in-process `-q` run by
    an earlier test or a module fixture (tests/check/test_precommit.py's)
    must not leave the next test's `--version` quiet."""
    ui.configure()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path
