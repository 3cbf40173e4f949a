"""synctool.service.worktree: the service's working tree as the merge sees it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from synctool.service.worktree import (
    WorkTree,
    dirty_paths,
    gitignores_after,
    list_files,
    nested_repos,
    outermost,
)
from synctool.tree import FileEntry
from tests.helpers import git, write_tree


@pytest.fixture
def mono(tmp_path: Path) -> Path:
    """A repository whose service is the folder ``svc`` below its root."""
    root = tmp_path / "mono"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write_tree(
        root,
        {
            "top.txt": "t\n",
            "svc/.gitignore": "*.log\n",
            "svc/a.txt": "a\n",
            "svc/debug.log": "ignored\n",
            "svc/sub/b.txt": "b\n",
            "svc/.synctool.yml": "blueprint: x\n",
            "svc/.synctool.lock": "version: 1\n",
        },
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


def test_list_files_is_relative_to_the_service_without_ignored_or_state(
    mono: Path,
) -> None:
    (mono / "svc" / "new.txt").write_text("untracked\n")
    (mono / "svc" / ".synctool-journal").mkdir()
    (mono / "svc" / ".synctool-journal" / "manifest.json").write_text("{}")
    assert list_files(mono / "svc") == [
        ".gitignore",
        "a.txt",
        "new.txt",
        "sub/b.txt",
    ]


def test_list_files_outside_git_walks_the_folder(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.txt": "a",
            "d/b.txt": "b",
            ".git/config": "x",
            ".synctool-journal/new/0": "x",
            ".synctool.lock": "x",
        },
    )
    assert list_files(tmp_path) == ["a.txt", "d/b.txt"]


def test_dirty_paths_leaves_out_the_declared_file_and_synctool_state(
    mono: Path,
) -> None:
    svc = mono / "svc"
    (svc / "a.txt").write_text("edited\n")
    (svc / ".synctool.yml").write_text("blueprint: y\n")  # the sync's input
    (svc / ".synctool-journal").mkdir()
    (svc / ".synctool-journal" / "x").write_text("x")
    (svc / "sub" / ".synctool-journal").mkdir()  # deeper down: the user's
    (svc / "sub" / ".synctool-journal" / "y").write_text("y")
    assert sorted(dirty_paths(svc)) == [
        "svc/a.txt",
        "svc/sub/.synctool-journal/",
    ]


def test_dirty_paths_outside_git_is_empty(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    assert dirty_paths(tmp_path) == []


def test_a_worktree_reads_contents_lazily_and_only_files(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.txt": "a", "run.sh!x": "#!/bin/sh\n"})
    (tmp_path / "dir").mkdir()
    os.symlink("a.txt", tmp_path / "link")
    tree = WorkTree(tmp_path, ["a.txt", "run.sh", "link", "dir", "gone.txt"])
    assert list(tree) == ["a.txt", "link", "run.sh"]
    assert "dir" not in tree
    assert tree.read_so_far() == {}
    assert tree["run.sh"] == FileEntry(b"#!/bin/sh\n", 0o755)
    assert tree["link"] == FileEntry(b"a.txt", 0o120000)
    assert tree.read_so_far() == {
        "run.sh": FileEntry(b"#!/bin/sh\n", 0o755),
        "link": FileEntry(b"a.txt", 0o120000),
    }
    with pytest.raises(KeyError):
        tree["gone.txt"]
    assert tree.occupied("dir")  # something is there, though not listed
    assert not tree.occupied("gone.txt")


def test_gitignores_after_applies_writes_and_deletes() -> None:
    ours = {
        ".gitignore": FileEntry(b"*.log\n"),
        "a/.gitignore": FileEntry(b"tmp/\n"),
        "a/b.txt": FileEntry(b"x"),
    }
    writes = {
        ".gitignore": FileEntry(b"*.log\n*.tmp\n"),
        "a/.gitignore": None,
        "c/.gitignore": FileEntry(b"build/\n"),
        "d/.gitignore": FileEntry(b"x", 0o120000),  # a link is not read
        "c/other.txt": FileEntry(b"y"),
    }
    assert gitignores_after(ours, writes) == {
        ".gitignore": b"*.log\n*.tmp\n",
        "c/.gitignore": b"build/\n",
    }


def test_outermost_asks_each_folder_once_and_none_below_a_found_one() -> None:
    asked: list[str] = []

    def is_repo(folder: str) -> bool:
        asked.append(folder)
        return folder in {"vendor/lib", "vendor/lib/deep", "other"}

    paths = ["vendor/lib/y.c", "vendor/lib/deep/x.c", "vendor/z.c", "other/a", "top"]
    assert outermost(paths, is_repo) == {"vendor/lib", "other"}
    assert asked == ["vendor", "vendor/lib", "other"]


def test_nested_repos_finds_a_nested_git_folder_and_file(mono: Path) -> None:
    svc = mono / "svc"
    write_tree(svc, {"vendor/lib/x.c": "x", "ext/y.c": "y", "plain/z": "z"})
    git(svc / "vendor" / "lib", "init", "-q")
    (svc / "ext" / ".git").write_text("gitdir: ../../.git/modules/ext\n")
    paths = ["vendor/lib/x.c", "ext/y.c", "plain/z", "a.txt"]
    assert nested_repos(svc, paths) == frozenset({"vendor/lib", "ext"})
