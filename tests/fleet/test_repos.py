"""The same repository named as a path and as a file:// URL is one repo:
one record, one shard."""

from __future__ import annotations

from pathlib import Path

from synctool.fleet import repos as fleet_repos


def test_a_path_and_its_file_url_are_one_repo(tmp_path: Path) -> None:
    repo = tmp_path / "svc.git"
    listed = tmp_path / "fleet.txt"
    listed.write_text(f"{repo}\n{repo.as_uri()}\nfile://localhost{repo}/\n")
    got, dropped = fleet_repos.collect([], listed, tmp_path)
    assert [r.id for r in got] == [str(repo)]
    assert dropped == [repo.as_uri(), f"file://localhost{repo}/"]
    shards = fleet_repos.shard_of(
        [fleet_repos.parse_repo(s, tmp_path) for s in (str(repo), repo.as_uri())], 4
    )
    assert len(set(shards.values())) == 1


def test_a_file_url_on_another_host_stays_a_url(tmp_path: Path) -> None:
    got = fleet_repos.parse_repo("file://fileserver/srv/svc.git", tmp_path)
    assert got.id == "file://fileserver/srv/svc"
