"""`synctool fleet`: a fleet of real services with local "remotes", no network.

The story: blueprint v1.0.0, five repos (four services generated at v1 with
different customisations, one repo that is not a service), blueprint v2.0.0
released, then `fleet update`, `fleet check` and `fleet plan` over them. The
remotes are bare repos, non-bare repos and a file:// URL, as all-repos tests
push into local remotes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from synctool.fleet import repos as fleet_repos
from tests.helpers import git, make_blueprint, run_cli

COPIER_YML = """\
_subdirectory: template
service_name:
  type: str
port:
  type: int
  default: 8080
"""
POLICY = """\
ownership:
  managed:
    - Makefile
rules:
  - id: no-secrets
    kind: forbidden
    paths: [.env]
    message: Secrets must not be committed.
"""
SETTINGS_V1 = (
    "name={{ service_name }}\nport={{ port }}\nlog_level=info\nworkers=2\ntimeout=30\n"
)
SETTINGS_V2 = "name={{ service_name }}\nport={{ port }}\nlog_level=info\nworkers=2\ntimeout=60\nretries=3\n"
V1 = {
    "copier.yml": COPIER_YML,
    "synctool.yml": POLICY,
    "template/README.md.jinja": "# {{ service_name }}\n\nOwned by the platform team.\n",
    "template/app/settings.txt.jinja": SETTINGS_V1,
    "template/Makefile": "test:\n\tpytest\n",
}
V2 = {
    **V1,
    "template/README.md.jinja": "# {{ service_name }}\n\nOwned by the platform team.\nSee docs/runbook.md.\n",
    "template/app/settings.txt.jinja": SETTINGS_V2,
    "template/docs/runbook.md": "# Runbook\n",
    "template/Makefile": "test:\n\tpytest -q\n",
}
BRANCH = "synctool/update-2.0.0"
RECORD_KEYS = {
    "repo",
    "status",
    "from_version",
    "to_version",
    "files_changed",
    "conflicts",
    "error",
    "branch",
    "note",
    "commit",
    "pushed",
    "clone",
}


class Fleet(NamedTuple):
    root: Path
    blueprint: Path
    remotes: dict[str, Path]  # name -> the repo the fleet pushes to
    specs: dict[str, str]  # name -> how the fleet file names it
    repos_file: Path
    workdir: Path


def _service(
    capsys: pytest.CaptureFixture[str], bp: Path, dest: Path, *data: str
) -> Path:
    args = ["init", str(dest), "--blueprint", str(bp), "--ref", "v1.0.0"]
    result = run_cli(capsys, *args, "--defaults", *[f"-d{d}" for d in data])
    assert result.code == 0, result.err
    return dest


def _commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def build_fleet(tmp: Path, capsys: pytest.CaptureFixture[str]) -> Fleet:
    bp = make_blueprint(tmp / "bp", {"v1.0.0": V1})
    work = tmp / "work"
    # alpha: untouched, pushed to a bare remote.
    alpha = _service(capsys, bp, work / "alpha", "service_name=alpha")
    # beta: a local edit the blueprint does not touch; it is its own remote.
    beta = _service(capsys, bp, work / "beta", "service_name=beta")
    settings = beta / "app/settings.txt"
    settings.write_text(
        settings.read_text().replace("log_level=info", "log_level=debug")
    )
    _commit(beta, "Debug logging")
    # gamma: another answer and a file of its own; a bare remote named by URL.
    gamma = _service(capsys, bp, work / "gamma", "service_name=gamma", "port=9000")
    (gamma / "src").mkdir()
    (gamma / "src/extra.py").write_text("print('extra')\n")
    _commit(gamma, "Extra module")
    # delta: edits the very line v2 changes: a conflict.
    delta = _service(capsys, bp, work / "delta", "service_name=delta")
    settings = delta / "app/settings.txt"
    settings.write_text(settings.read_text().replace("timeout=30", "timeout=45"))
    _commit(delta, "Longer timeout")
    # broken: a git repo that is not a synctool service.
    broken = work / "broken"
    broken.mkdir()
    git(broken, "init", "-q", "-b", "main")
    (broken / "README.md").write_text("# not a service\n")
    _commit(broken, "Initial")

    remotes_dir = tmp / "remotes"
    remotes_dir.mkdir()
    remotes = {"beta": beta, "delta": delta, "broken": broken}
    for name, src in (("alpha", alpha), ("gamma", gamma)):
        remotes[name] = remotes_dir / f"{name}.git"
        git(tmp, "clone", "-q", "--bare", str(src), str(remotes[name]))
    for name in ("beta", "delta", "broken"):
        git(remotes[name], "config", "receive.denyCurrentBranch", "updateInstead")
    specs = {name: str(path) for name, path in remotes.items()}
    specs["gamma"] = remotes["gamma"].as_uri()
    repos_file = tmp / "fleet.txt"
    order = ("alpha", "beta", "gamma", "delta", "broken")
    repos_file.write_text(
        "# the services of the orders team\n\n"
        + "".join(f"{specs[n]}  # {n}\n" for n in order)
    )
    make_blueprint(bp, {"v2.0.0": V2})  # the platform team releases v2
    return Fleet(tmp, bp, remotes, specs, repos_file, tmp / "fleet-workdir")


@pytest.fixture
def fleet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Fleet:
    return build_fleet(tmp_path, capsys)


def fleet_update(
    capsys: pytest.CaptureFixture[str], fleet: Fleet, *args: str
) -> tuple[int, dict[str, Any], str]:
    """Run `fleet update` over the fleet file; (exit code, report, stderr)."""
    report = fleet.root / "report.json"
    report.unlink(missing_ok=True)
    result = run_cli(
        capsys,
        "fleet",
        "update",
        "--repos",
        str(fleet.repos_file),
        "--workdir",
        str(fleet.workdir),
        "--report",
        str(report),
        *args,
    )
    assert result.code in (0, 1), result.err
    return result.code, json.loads(report.read_text()), result.err


def by_name(fleet: Fleet, doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    names = {spec: name for name, spec in fleet.specs.items()}
    return {names[r["repo"]]: r for r in doc["repos"]}


def refs(repo: Path) -> str:
    return git(repo, "for-each-ref", "--format=%(refname) %(objectname)")


def show(repo: Path, rev: str) -> str:
    return git(repo, "show", rev)


# -- fleet update ------------------------------------------------------------


def test_update_pushes_each_service_a_branch_with_the_merged_result(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    code, doc, err = fleet_update(capsys, fleet, "--jobs", "2", "--push")
    assert code == 1  # a conflict and a failure
    got = by_name(fleet, doc)
    assert {n: r["status"] for n, r in got.items()} == {
        "alpha": "updated",
        "beta": "updated",
        "gamma": "updated",
        "delta": "conflicts",
        "broken": "failed",
    }
    assert [r["repo"] for r in doc["repos"]] == [
        fleet.specs[n] for n in ("alpha", "beta", "gamma", "delta", "broken")
    ]
    for name in ("alpha", "beta", "gamma", "delta"):
        record = got[name]
        assert record["from_version"] == "1.0.0"
        assert record["to_version"] == "2.0.0"
        assert record["branch"] == BRANCH
        assert record["pushed"] is True
        remote = fleet.remotes[name]
        assert git(remote, "rev-parse", BRANCH).strip() == record["commit"]
        # The default branch is left alone: the branch is for review.
        assert "ref: v1.0.0" in show(remote, "HEAD:.synctool.yml")

    # beta's own edit and v2's change, merged.
    assert show(fleet.remotes["beta"], f"{BRANCH}:app/settings.txt") == (
        "name=beta\nport=8080\nlog_level=debug\nworkers=2\ntimeout=60\nretries=3\n"
    )
    assert show(fleet.remotes["gamma"], f"{BRANCH}:app/settings.txt").startswith(
        "name=gamma\nport=9000\n"
    )
    assert show(fleet.remotes["gamma"], f"{BRANCH}:src/extra.py") == "print('extra')\n"
    assert show(fleet.remotes["alpha"], f"{BRANCH}:docs/runbook.md") == "# Runbook\n"
    assert "ref: v2.0.0" in show(fleet.remotes["alpha"], f"{BRANCH}:.synctool.yml")
    assert got["alpha"]["files_changed"] == 4  # README, settings, Makefile, runbook

    # delta: committed and pushed with the markers, for the team to resolve.
    assert got["delta"]["conflicts"] == ["app/settings.txt"]
    merged = show(fleet.remotes["delta"], f"{BRANCH}:app/settings.txt")
    assert "<<<<<<< service (working tree)\ntimeout=45\n" in merged
    assert "=======\ntimeout=60\nretries=3\n>>>>>>> blueprint 2.0.0\n" in merged
    message = git(fleet.remotes["delta"], "log", "-1", "--format=%B", BRANCH)
    assert message.startswith("Update blueprint 1.0.0 -> 2.0.0 (1 conflict(s))\n")
    assert "- app/settings.txt" in message

    # broken fails alone, saying why.
    assert ".synctool.yml" in got["broken"]["error"]
    assert got["broken"]["branch"] is None
    assert "synctool/" not in refs(fleet.remotes["broken"])

    # The report: one record per repo, the same fields for every status.
    assert doc["command"] == "fleet update"
    assert doc["dry_run"] is False
    assert doc["summary"] == {
        "updated": 3,
        "conflicts": 1,
        "up-to-date": 0,
        "failed": 1,
        "skipped": 0,
    }
    for record in doc["repos"]:
        assert set(record) == RECORD_KEYS
    assert "conflicts" in err and "failed" in err  # progress, off a terminal


def test_rerun_is_a_no_op_for_finished_repos_and_retries_failed_ones(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    fleet_update(capsys, fleet, "--jobs", "2", "--push")
    before = {name: refs(path) for name, path in fleet.remotes.items()}
    # The broken repo gets fixed: made a service (at v1) and committed.
    broken = fleet.remotes["broken"]
    _service(capsys, fleet.blueprint, broken / "svc-tmp", "service_name=broken")
    for item in (broken / "svc-tmp").iterdir():
        if item.name != ".git":
            item.rename(broken / item.name)
    _commit(broken, "Now a service")
    fixed = refs(broken)

    code, doc, _err = fleet_update(capsys, fleet, "--jobs", "2", "--push")
    got = by_name(fleet, doc)
    for name in ("alpha", "beta", "gamma"):
        assert got[name]["status"] == "up-to-date"
        assert got[name]["note"] == "done in an earlier run"
        assert (got[name]["from_version"], got[name]["to_version"]) == (
            "1.0.0",
            "2.0.0",
        )
        assert got[name]["branch"] == BRANCH
        assert refs(fleet.remotes[name]) == before[name]
    # Still conflicted, still reported; the branch is not touched.
    assert got["delta"]["status"] == "conflicts"
    assert got["delta"]["conflicts"] == ["app/settings.txt"]
    assert got["delta"]["note"] == "done in an earlier run; conflicts still open"
    assert refs(fleet.remotes["delta"]) == before["delta"]
    assert code == 1
    # The failed repo was tried again.
    assert got["broken"]["status"] == "updated"
    assert refs(broken) != fixed
    assert "timeout=60" in show(broken, f"{BRANCH}:app/settings.txt")


def test_repos_merged_to_the_target_are_up_to_date(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    beta = fleet.remotes["beta"]
    fleet.repos_file.write_text(fleet.specs["beta"] + "\n")
    fleet_update(capsys, fleet, "--push", "--jobs", "1")
    git(beta, "merge", "-q", "--ff-only", BRANCH)  # the team merged the PR
    git(beta, "branch", "-D", BRANCH)
    code, doc, _err = fleet_update(capsys, fleet, "--push", "--jobs", "1")
    assert code == 0
    (record,) = doc["repos"]
    assert record["status"] == "up-to-date"
    assert record["branch"] is None
    assert record["to_version"] == "2.0.0"
    assert BRANCH not in refs(beta)


def test_dry_run_commits_and_pushes_nothing(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    before = {name: refs(path) for name, path in fleet.remotes.items()}
    code, doc, _err = fleet_update(capsys, fleet, "--dry-run", "--push", "--jobs", "2")
    assert code == 1
    got = by_name(fleet, doc)
    assert doc["dry_run"] is True
    assert got["alpha"]["status"] == "updated"
    assert got["alpha"]["files_changed"] == 4
    assert got["delta"]["status"] == "conflicts"
    assert got["delta"]["conflicts"] == ["app/settings.txt"]
    for name, path in fleet.remotes.items():
        assert refs(path) == before[name]
        assert got[name]["commit"] is None
        assert got[name]["pushed"] is False
    for clone in fleet.workdir.glob("*/*"):
        if clone.is_dir():
            assert git(clone, "branch", "--list", "synctool/*") == ""
            assert git(clone, "status", "--porcelain") == ""


def test_no_commit_leaves_the_change_in_the_clone(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    fleet.repos_file.write_text(fleet.specs["alpha"] + "\n")
    code, doc, _err = fleet_update(capsys, fleet, "--no-commit", "--jobs", "1")
    assert code == 0
    (record,) = doc["repos"]
    assert record["status"] == "updated"
    assert record["commit"] is None
    clone = Path(record["clone"])
    assert "docs/runbook.md" in git(clone, "status", "--porcelain")
    assert BRANCH not in refs(fleet.remotes["alpha"])


def test_limit_takes_the_first_repos_and_skips_the_rest(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    code, doc, _err = fleet_update(capsys, fleet, "--limit", "2", "--jobs", "1")
    assert code == 0
    assert [r["status"] for r in doc["repos"]] == [
        "updated",
        "updated",
        "skipped",
        "skipped",
        "skipped",
    ]
    assert doc["repos"][2]["note"] == "beyond --limit 2"
    # Without --push the commit stays in the clone; the origin is untouched.
    assert BRANCH not in refs(fleet.remotes["alpha"])
    clone = Path(doc["repos"][0]["clone"])
    assert git(clone, "rev-parse", BRANCH).strip() == doc["repos"][0]["commit"]


def test_a_crash_in_one_repo_is_recorded_and_the_others_go_on(
    capsys: pytest.CaptureFixture[str], fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synctool.sync import prepare

    real = prepare.prepare

    def flaky(root: Path, *args: Any, **kwargs: Any) -> Any:
        if "gamma" in root.name:
            raise RuntimeError("boom")
        return real(root, *args, **kwargs)

    monkeypatch.setattr(prepare, "prepare", flaky)
    _code, doc, _err = fleet_update(capsys, fleet, "--jobs", "1")  # serial: patched
    got = by_name(fleet, doc)
    assert got["gamma"]["status"] == "failed"
    assert got["gamma"]["error"].startswith("internal error: RuntimeError: boom")
    assert got["alpha"]["status"] == "updated"
    assert got["delta"]["status"] == "conflicts"


def test_jobs_counts_every_process_at_work(
    capsys: pytest.CaptureFixture[str], fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--jobs 1 is one process: no sync renders its base in a second one; a
    lone repo with --jobs 2 has a CPU to spare for it, as `update` does."""
    from synctool.sync import renders

    real = renders.render_sides
    seen: list[tuple[str, bool]] = []

    def spy(root: Path, *args: Any, **kwargs: Any) -> Any:
        name = next(n for n in ("alpha", "beta", "gamma", "delta") if n in root.name)
        seen.append((name, kwargs["side_process"]))
        return real(root, *args, **kwargs)

    monkeypatch.setattr(renders, "render_sides", spy)
    fleet_update(capsys, fleet, "--jobs", "1")
    assert sorted(seen) == [
        ("alpha", False),
        ("beta", False),
        ("delta", False),
        ("gamma", False),
    ]
    seen.clear()
    fleet.repos_file.write_text(fleet.specs["alpha"] + "\n")
    _code, doc, _err = fleet_update(capsys, fleet, "--jobs", "2", "--branch", "b2")
    assert doc["repos"][0]["status"] == "updated"
    assert seen == [("alpha", True)]


def test_custom_branch_and_json_on_stdout(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    fleet.repos_file.write_text(fleet.specs["alpha"] + "\n")
    result = run_cli(
        capsys,
        "fleet",
        "update",
        "--repos",
        str(fleet.repos_file),
        "--workdir",
        str(fleet.workdir),
        "--branch",
        "platform/blueprint",
        "--push",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    doc = json.loads(result.out)  # stdout is the JSON document alone
    assert doc["repos"][0]["branch"] == "platform/blueprint"
    assert "refs/heads/platform/blueprint" in refs(fleet.remotes["alpha"])


# -- shards and plan -----------------------------------------------------------


def test_shards_partition_the_fleet_exactly(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    seen: list[str] = []
    for i in (1, 2, 3):
        _code, doc, _err = fleet_update(
            capsys, fleet, "--dry-run", "--shard", f"{i}/3", "--jobs", "2"
        )
        assert doc["shard"] == f"{i}/3"
        assert doc["repos"], "five repos over three shards: none is empty"
        seen += [r["repo"] for r in doc["repos"]]
    assert sorted(seen) == sorted(fleet.specs.values())  # union, and disjoint

    result = run_cli(
        capsys, "fleet", "plan", "--repos", str(fleet.repos_file), "--shards", "3",
        "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    planned = json.loads(result.out)["shards"]
    assert sorted(s for shard in planned for s in shard["repos"]) == sorted(seen)


def test_sharding_is_deterministic_whatever_the_order(tmp_path: Path) -> None:
    specs = [f"https://git.example.com/team/svc-{i}.git" for i in range(23)]
    repos = [fleet_repos.parse_repo(s, tmp_path) for s in specs]
    for total in (1, 2, 5, 23, 40):
        parts = [
            fleet_repos.select(repos, fleet_repos.Shard(n, total))
            for n in range(1, total + 1)
        ]
        flat = [r.id for part in parts for r in part]
        assert sorted(flat) == sorted(r.id for r in repos)
        assert len(flat) == len(set(flat))
        assert max(map(len, parts)) - min(map(len, parts)) <= 1
        shuffled = list(reversed(repos))
        assert fleet_repos.shard_of(shuffled, total) == fleet_repos.shard_of(
            repos, total
        )


def test_plan_prints_a_github_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(
        capsys, "fleet", "plan", "--shards", "3", "--format", "github-matrix"
    )
    assert result.code == 0, result.err
    assert result.out == (
        '{"include":[{"shard":"1/3"},{"shard":"2/3"},{"shard":"3/3"}]}\n'
    )


def test_plan_leaves_out_shards_that_would_be_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    listed = tmp_path / "fleet.txt"
    listed.write_text("https://git.example.com/a.git\nhttps://git.example.com/b\n")
    result = run_cli(
        capsys, "fleet", "plan", "--repos", str(listed), "--shards", "4",
        "--format", "github-matrix",
    )  # fmt: skip
    assert json.loads(result.out) == {"include": [{"shard": "1/4"}, {"shard": "2/4"}]}


def test_repos_file_comments_blank_lines_and_duplicates(tmp_path: Path) -> None:
    listed = tmp_path / "fleet.txt"
    listed.write_text(
        "# platform fleet\n\n"
        "https://git.example.com/team/orders.git   # orders\n"
        "https://git.example.com/team/orders/\n"
        "  ./svc/billing  \n"
        "svc/../svc/billing\n"
        "git@git.example.com:team/users.git\n"
    )
    got, dropped = fleet_repos.collect([], listed, tmp_path)
    assert [r.id for r in got] == [
        "https://git.example.com/team/orders",
        str(tmp_path / "svc/billing"),
        "git@git.example.com:team/users",
    ]
    assert [r.local for r in got] == [False, True, False]
    assert dropped == ["https://git.example.com/team/orders/", "svc/../svc/billing"]
    assert len({r.name for r in got}) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fleet", "update"], "no repositories given"),
        (["fleet", "update", "--repos", "missing.txt"], "--repos missing.txt"),
        (["fleet", "update", "x", "--shard", "0/3"], "--shard 0/3"),
        (["fleet", "update", "x", "--shard", "4/3"], "--shard 4/3"),
        (["fleet", "update", "x", "--shard", "two"], "expected I/N"),
        (["fleet", "update", "x", "--push", "--no-commit"], "--push needs --commit"),
        (["fleet", "update", "x", "--jobs", "0"], "--jobs 0"),
        (
            ["fleet", "update", "x", "--format", "xml"],
            "Invalid value for '--format': 'xml' is not one of",
        ),
        (["fleet", "check", "x", "--report", "nowhere/r.json"], "--report"),
        (["fleet", "plan", "--shards", "0"], "--shards 0"),
        (["fleet", "plan", "--shards", "2"], "no repositories given"),
    ],
)
def test_bad_input_is_exit_2_and_touches_nothing(
    capsys: pytest.CaptureFixture[str], workdir: Path, args: list[str], message: str
) -> None:
    if args[1] != "plan":  # plan clones nothing, so it has no --workdir
        args = [*args, "--workdir", str(workdir / "w")]
    result = run_cli(capsys, *args)
    assert result.code == 2
    assert message in result.err
    assert not (workdir / "w").exists()


# -- fleet check ---------------------------------------------------------------


def _check_fleet(capsys: pytest.CaptureFixture[str], fleet: Fleet) -> Path:
    """The local services, checked in place: one at v2, two with findings."""
    work = fleet.root / "work"
    fleet.repos_file.write_text(
        "\n".join(str(work / n) for n in ("alpha", "beta", "gamma", "delta", "broken"))
    )
    result = run_cli(capsys, "update", str(work / "alpha"), "--to", "v2.0.0")
    assert result.code == 0, result.err
    _commit(work / "alpha", "Blueprint 2.0.0")
    (work / "beta/.env").write_text("TOKEN=x\n")
    _commit(work / "beta", "Oops")
    (work / "gamma/.env").write_text("TOKEN=y\n")
    (work / "gamma/Makefile").write_text("test:\n\techo skipped\n")
    _commit(work / "gamma", "Oops too")
    return work


def test_check_json_reports_versions_behind_and_findings(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    _check_fleet(capsys, fleet)
    result = run_cli(
        capsys, "fleet", "check", "--repos", str(fleet.repos_file), "--jobs", "2",
        "--format", "json",
    )  # fmt: skip
    assert result.code == 1, result.err
    doc = json.loads(result.out)
    names = [Path(r["repo"]).name for r in doc["repos"]]
    assert names == ["alpha", "beta", "gamma", "delta", "broken"]
    got = {Path(r["repo"]).name: r for r in doc["repos"]}
    assert got["alpha"]["status"] == "ok"
    assert (got["alpha"]["version"], got["alpha"]["behind"]) == ("2.0.0", 0)
    assert (got["delta"]["version"], got["delta"]["behind"]) == ("1.0.0", 1)
    assert got["delta"]["latest"] == "2.0.0"
    assert got["beta"]["status"] == "findings"
    assert [f["rule"] for f in got["beta"]["findings"]] == ["no-secrets"]
    assert sorted(f["rule"] for f in got["gamma"]["findings"]) == [
        "managed-drift",
        "no-secrets",
    ]
    assert got["gamma"]["errors"] == 2
    assert got["broken"]["status"] == "failed"
    assert doc["summary"] == {"ok": 2, "findings": 2, "failed": 1}
    assert doc["versions"] == [
        {"version": "2.0.0", "repos": 1},
        {"version": "1.0.0", "repos": 3},
    ]
    assert doc["top_findings"][0] == {
        "rule": "no-secrets",
        "severity": "error",
        "repos": 2,
        "occurrences": 2,
    }


def test_check_markdown_and_text(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    _check_fleet(capsys, fleet)
    report = fleet.root / "fleet.md"
    result = run_cli(
        capsys, "fleet", "check", "--repos", str(fleet.repos_file), "--jobs", "1",
        "--report", str(report),
    )  # fmt: skip
    assert result.code == 1
    assert "no-secrets" in result.out  # the text summary
    assert "5 repo(s): 2 ok, 2 findings, 1 failed" in result.out
    text = report.read_text()
    assert text.startswith("## synctool fleet check\n\n5 repo(s): 2 ok, 2 findings")
    assert "| version | repos |\n|---|---|\n| 2.0.0 | 1 |\n| 1.0.0 | 3 |\n" in text
    assert "| no-secrets | error | 2 | 2 |" in text
    assert (
        f"| {fleet.root / 'work/delta'} | ok | 1.0.0 | 2.0.0 | 1 | 0 | 0 |  |" in text
    )


def test_check_a_url_checks_its_default_branch(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    result = run_cli(
        capsys, "fleet", "check", fleet.specs["gamma"], "--workdir",
        str(fleet.workdir), "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    (record,) = json.loads(result.out)["repos"]
    assert (record["status"], record["version"], record["behind"]) == ("ok", "1.0.0", 1)


def test_blueprint_tasks_need_trust_and_never_print_into_the_json(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # capfd, not capsys: the task is a process writing to file descriptor 1.
    with_task = {**V2, "copier.yml": COPIER_YML + '_tasks:\n  - "echo task-ran"\n'}
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": V1})
    svc = _service(capfd, bp, tmp_path / "svc", "service_name=svc")
    make_blueprint(bp, {"v2.0.0": with_task})
    args = ["fleet", "update", str(svc), "--workdir", str(tmp_path / "wd")]

    refused = run_cli(capfd, *args, "--format", "json")
    (record,) = json.loads(refused.out)["repos"]
    assert record["status"] == "failed"
    assert "--trust" in record["error"]

    trusted = run_cli(capfd, *args, "--trust", "--format", "json")
    (record,) = json.loads(trusted.out)["repos"]  # stdout: the document alone
    assert record["status"] == "updated", record
    assert "task-ran" in trusted.err


def test_a_template_showing_the_folder_name_sees_the_repo_s_own_in_a_fleet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Clones are kept as `<hash>/<repo name>`: `_folder_name` is the repo's
    name, as it was at init, so the fleet's merge sees no false change."""
    v1 = {
        "copier.yml": "x: {type: int, default: 1}\n",
        "name.txt.jinja": "{{ _folder_name }}\n",
    }
    v2 = {**v1, "new.txt": "added\n"}
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": v1, "v2.0.0": v2})
    svc = _service(capsys, bp, tmp_path / "work" / "orders")
    remote = tmp_path / "remotes" / "orders.git"
    git(tmp_path, "clone", "-q", "--bare", str(svc), str(remote))
    report = tmp_path / "report.json"
    result = run_cli(
        capsys,
        "fleet",
        "update",
        str(remote),
        "--workdir",
        str(tmp_path / "wd"),
        "--report",
        str(report),
    )
    assert result.code == 0, result.err
    (record,) = json.loads(report.read_text())["repos"]
    assert record["status"] == "updated", record
    clone = Path(record["clone"])
    assert clone.name == "orders"
    assert (clone / "name.txt").read_text() == "orders\n"
    assert (clone / "new.txt").read_text() == "added\n"
