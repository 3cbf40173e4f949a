"""synctool.service.mutex: one sync at a time per service."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from synctool.errors import InputError
from synctool.service.mutex import held, lock_path
from tests.helpers import git, new_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return new_repo(tmp_path / "repo")


def test_the_lock_of_a_service_at_the_repo_root_is_in_its_git_folder(
    repo: Path,
) -> None:
    assert lock_path(repo) == (repo / ".git" / "synctool-sync.lock").resolve()


def test_services_sharing_a_repository_have_a_lock_each(repo: Path) -> None:
    (repo / "svc-a").mkdir()
    (repo / "svc-b").mkdir()
    a, b = lock_path(repo / "svc-a"), lock_path(repo / "svc-b")
    assert a != b
    assert a.parent == b.parent == (repo / ".git").resolve()
    assert re.fullmatch(r"synctool-sync-[0-9a-f]{16}\.lock", a.name)


def test_outside_git_the_lock_is_in_the_state_folder(tmp_path: Path) -> None:
    svc = tmp_path / "plain"
    svc.mkdir()
    path = lock_path(svc)
    state = Path(os.environ["XDG_STATE_HOME"])
    assert path.is_relative_to(state / "synctool" / "locks")
    assert not path.is_relative_to(svc)


def test_a_second_sync_is_refused_naming_the_holder(repo: Path) -> None:
    with held(repo, "sync"):
        info = json.loads(lock_path(repo).read_text())
        assert info["pid"] == os.getpid()
        with pytest.raises(InputError) as caught, held(repo, "update"):
            pass  # pragma: no cover - never entered
    assert re.fullmatch(
        rf"another synctool is syncing {re.escape(str(repo))}: pid {os.getpid()} "
        r"\(`sync`\) since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.",
        caught.value.message,
    )
    assert caught.value.hint == "Wait for it to finish, then run again."
    assert caught.value.exit_code == 2


def test_the_lock_is_free_again_once_the_sync_ends(repo: Path) -> None:
    with held(repo, "sync"):
        pass
    assert lock_path(repo).read_text() == ""  # the holder's record is cleared
    with held(repo, "sync --abort"):
        assert json.loads(lock_path(repo).read_text())["command"] == "sync --abort"


def test_the_lock_is_released_when_the_sync_raises(repo: Path) -> None:
    with pytest.raises(RuntimeError), held(repo, "sync"):
        raise RuntimeError("boom")
    with held(repo, "sync"):
        pass


def test_the_lock_never_lands_in_the_working_tree(repo: Path) -> None:
    with held(repo, "sync"):
        assert git(repo, "status", "--porcelain", "--ignored") == ""
