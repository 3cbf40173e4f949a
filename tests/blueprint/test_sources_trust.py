"""Blueprint sources and refs under real conditions (issue #10).

- copier.yml is looked for at the ref asked for, not in the blueprint's
  working tree: a blueprint repo whose HEAD moved on still serves its tags;
- a local bare repository is a blueprint source like any other;
- a source or a ref is never handed to git where it could read as an option.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from synctool import git as synctool_git
from synctool.errors import GitError, InputError
from synctool.fleet import repos as fleet_repos
from tests.commands.test_init import V1, V2
from tests.helpers import REPO, git, make_blueprint, run_cli, snapshot


def _init(
    capsys: pytest.CaptureFixture[str], blueprint: str, *args: str, dest: str = "svc"
) -> tuple[int, str, str]:
    return run_cli(
        capsys,
        "init",
        dest,
        "--blueprint",
        blueprint,
        *args,
        "--defaults",
        "-d",
        "service_name=orders",
    )


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def _lock(svc: Path) -> dict:  # type: ignore[type-arg]
    return YAML(typ="safe").load((svc / ".synctool.lock").read_text())


def _commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, "--allow-empty")


# -- copier.yml at the requested ref ----------------------------------------


@pytest.fixture
def moved_on(workdir: Path) -> Path:
    """Releases v1.0.0 and v1.1.0; then HEAD drops copier.yml (the template
    moved into a subfolder on the main branch, unreleased)."""
    return make_blueprint(
        workdir / "bp",
        {"v1.0.0": V1, "v1.1.0": V2, "HEAD": {"NEXT.md": "work in progress\n"}},
    )


def test_head_without_copier_yml_still_serves_its_tags(
    capsys: pytest.CaptureFixture[str], workdir: Path, moved_on: Path
) -> None:
    code, _out, err = _init(capsys, str(moved_on), "--ref", "v1.0.0")
    assert code == 0, err
    svc = workdir / "svc"
    assert (svc / "scripts/run.sh").read_text() == "#!/bin/sh\nexec python -m app\n"
    assert not (svc / "NEXT.md").exists()
    _commit_all(svc, "service")

    # update: the newest release tag, which has copier.yml
    code, _out, err = run_cli(capsys, "update", str(svc))
    assert code == 0, err
    assert (svc / "scripts/run.sh").read_text() == (
        "#!/bin/sh\nset -eu\nexec python -m app\n"
    )
    assert _lock(svc)["ref"] == "v1.1.0"
    assert _lock(svc)["commit"] == git(moved_on, "rev-parse", "v1.1.0").strip()


def test_init_without_ref_takes_the_newest_tag_not_head(
    capsys: pytest.CaptureFixture[str], workdir: Path, moved_on: Path
) -> None:
    code, _out, err = _init(capsys, str(moved_on))
    assert code == 0, err
    assert _lock(workdir / "svc")["ref"] == "v1.1.0"


def test_a_requested_ref_without_copier_yml_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp = make_blueprint(
        workdir / "bp",
        {"v1.0.0": V1, "v2.0.0": {"README.md": "# moved to another repo\n"}},
    )
    git(workdir, "clone", "-q", "--bare", str(bp), str(workdir / "bare"))
    for source in (str(bp), str(workdir / "bare"), (workdir / "bare").as_uri()):
        before = snapshot(workdir)
        code, _out, err = _init(capsys, source, "--ref", "v2.0.0")
        assert code == 2, err
        line = _one_line(err)
        assert "copier.yml" in line and "'v2.0.0'" in line, line
        assert snapshot(workdir) == before
        assert not (workdir / "svc").exists()

    # A service on v1.0.0 asked to update to it: refused, nothing written.
    code, _out, err = _init(capsys, str(bp), "--ref", "v1.0.0")
    assert code == 0, err
    svc = workdir / "svc"
    _commit_all(svc, "service")
    before = snapshot(svc)
    code, _out, err = run_cli(capsys, "update", str(svc), "--to", "v2.0.0")
    assert code == 2, err
    assert "copier.yml" in _one_line(err)
    assert snapshot(svc) == before
    # ... and without --to: the newest tag lacks it too.
    code, _out, err = run_cli(capsys, "update", str(svc))
    assert code == 2, err
    assert "copier.yml" in _one_line(err)
    assert snapshot(svc) == before


def test_a_malformed_copier_yml_counts_only_at_the_ref_rendered(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    broken = {**V1, "copier.yml": "service_name: [unclosed\n"}
    bp = make_blueprint(
        workdir / "bp", {"v1.0.0": V1, "v1.1.0": broken, "HEAD": broken}
    )
    code, _out, err = _init(capsys, str(bp), "--ref", "v1.0.0")
    assert code == 0, err
    code, _out, err = _init(capsys, str(bp), "--ref", "v1.1.0", dest="other")
    assert code == 2, err
    assert "copier.yml" in _one_line(err)
    assert not (workdir / "other").exists()


# -- local bare repositories -------------------------------------------------


@pytest.mark.parametrize("name", ["bp.git", "bp-bare", "file-url"])
def test_a_local_bare_repository_is_a_blueprint_source(
    capsys: pytest.CaptureFixture[str], workdir: Path, name: str
) -> None:
    bp = make_blueprint(workdir / "bp", {"v1.0.0": V1})
    bare = workdir / name
    git(workdir, "clone", "-q", "--bare", str(bp), str(bare))
    # file:// with no .git: copier alone takes it for a folder
    source = bare.as_uri() if name == "file-url" else str(bare)

    code, _out, err = _init(capsys, source)
    assert code == 0, err
    svc = workdir / "svc"
    assert (svc / "README.md").read_text() == "# orders\n"
    assert (svc / "scripts/run.sh").read_text() == "#!/bin/sh\nexec python -m app\n"
    assert not (svc / "HEAD").exists() and not (svc / "objects").exists()
    lock = _lock(svc)
    assert lock["blueprint"] == source
    assert (lock["ref"], lock["version"]) == ("v1.0.0", "1.0.0")
    assert lock["commit"] == git(bare, "rev-parse", "v1.0.0").strip()
    _commit_all(svc, "service")

    make_blueprint(bp, {"v1.1.0": V2})
    git(bp, "push", "-q", "--tags", str(bare), "main")
    code, _out, err = run_cli(capsys, "update", str(svc))
    assert code == 0, err
    assert (svc / "scripts/run.sh").read_text() == (
        "#!/bin/sh\nset -eu\nexec python -m app\n"
    )
    assert _lock(svc)["ref"] == "v1.1.0"
    _commit_all(svc, "update")

    # sync: the declared ref edited by hand, back to v1.0.0
    declared = svc / ".synctool.yml"
    declared.write_text(declared.read_text().replace("v1.1.0", "v1.0.0"))
    _commit_all(svc, "pin")
    code, _out, err = run_cli(capsys, "sync", str(svc))
    assert code == 0, err
    assert (svc / "scripts/run.sh").read_text() == "#!/bin/sh\nexec python -m app\n"
    assert _lock(svc)["ref"] == "v1.0.0"


def test_fleet_update_with_a_bare_blueprint(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp = make_blueprint(workdir / "bp", {"v1.0.0": V1})
    bare = workdir / "blueprint-bare"
    git(workdir, "clone", "-q", "--bare", str(bp), str(bare))
    code, _out, err = _init(capsys, str(bare))
    assert code == 0, err
    make_blueprint(bp, {"v1.1.0": V2})
    git(bp, "push", "-q", "--tags", str(bare), "main")

    report = workdir / "report.json"
    code, _out, err = run_cli(
        capsys,
        "fleet",
        "update",
        str(workdir / "svc"),
        "--workdir",
        str(workdir / "fleet"),
        "--report",
        str(report),
        "--jobs",
        "1",
        "--push",
    )
    assert code == 0, err
    (record,) = json.loads(report.read_text())["repos"]
    assert record["status"] == "updated", record
    assert (record["from_version"], record["to_version"]) == ("1.0.0", "1.1.0")
    branch = record["branch"]
    assert git(workdir / "svc", "show", f"{branch}:scripts/run.sh") == (
        "#!/bin/sh\nset -eu\nexec python -m app\n"
    )


# -- nothing a user wrote reaches git as an option ---------------------------


def _origin_repo(workdir: Path) -> Path:
    """A repo for `origin`: git falls back on it when a command's repository
    argument was swallowed as an option."""
    return make_blueprint(workdir / "origin", {"v0": {"x": "x\n"}})


@pytest.mark.parametrize(
    "spec",
    [
        "--upload-pack=touch {pwned};: x.git",
        "-u touch {pwned};: x.git",
        "--upload-pack=touch {pwned}",
        "-oProxyCommand=touch {pwned}",
        "git+--upload-pack=touch {pwned};: x.git",
    ],
)
def test_init_refuses_a_source_that_git_would_read_as_an_option(
    capsys: pytest.CaptureFixture[str], workdir: Path, spec: str
) -> None:
    pwned = workdir / "pwned"
    repo = _origin_repo(workdir)
    git(repo, "remote", "add", "origin", str(repo))
    # init run from inside a repo that has an origin: the worst case
    code, _out, err = _init_in(capsys, repo, spec.format(pwned=pwned), workdir / "svc")
    assert code == 2, err
    assert "'-'" in _one_line(err)
    assert not pwned.exists()
    assert not (workdir / "svc").exists()


def _init_in(
    capsys: pytest.CaptureFixture[str], cwd: Path, spec: str, dest: Path
) -> tuple[int, str, str]:
    import os

    here = Path.cwd()
    os.chdir(cwd)
    try:
        return run_cli(
            capsys,
            "init",
            str(dest),
            f"--blueprint={spec}",
            "--defaults",
            "-d",
            "service_name=orders",
        )
    finally:
        os.chdir(here)


@pytest.mark.parametrize("kind", ["path", "bare", "url"])
def test_init_refuses_a_ref_that_git_would_read_as_an_option(
    capsys: pytest.CaptureFixture[str], workdir: Path, kind: str
) -> None:
    bp = make_blueprint(workdir / "bp", {"v1.0.0": V1})
    source = {
        "path": str(bp),
        "bare": str(workdir / "bare"),
        "url": (workdir / "bare").as_uri(),
    }[kind]
    git(workdir, "clone", "-q", "--bare", str(bp), str(workdir / "bare"))
    out = workdir / "x"
    for ref in (f"--output={out}", f"-o{out}", "--upload-pack=touch x"):
        code, _o, err = _init(capsys, source, f"--ref={ref}")
        assert code == 2, err
        assert "'-'" in _one_line(err)
        assert not out.exists()
        assert not (workdir / "svc").exists()


def test_a_declared_source_or_ref_that_git_would_read_as_an_option_is_refused(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp = make_blueprint(workdir / "bp", {"v1.0.0": V1, "v1.1.0": V2})
    code, _out, err = _init(capsys, str(bp), "--ref", "v1.0.0")
    assert code == 0, err
    svc = workdir / "svc"
    # An origin, as every clone has: git would fall back on it.
    git(svc, "remote", "add", "origin", str(bp))
    _commit_all(svc, "service")
    pwned = workdir / "pwned"
    declared = svc / ".synctool.yml"
    original = declared.read_text()
    every = (("sync",), ("update",), ("update", "--to", "v1.1.0"))
    for old, new, commands in (
        (
            f"blueprint: {bp}",
            f"blueprint: '--upload-pack=touch {pwned};: x.git'",
            every,
        ),
        # update replaces the declared ref: only sync reads it
        ("ref: v1.0.0", f"ref: '--output={pwned}'", (("sync",),)),
    ):
        declared.write_text(original.replace(old, new))
        _commit_all(svc, "hostile")
        before = snapshot(svc)
        for args in commands:
            code, _o, err = run_cli(capsys, *args, str(svc))
            assert code == 2, (args, err)
            assert "'-'" in _one_line(err), err
            assert not pwned.exists()
            assert snapshot(svc) == before
    code, _o, err = run_cli(capsys, "update", str(svc), f"--to=--output={pwned}")
    assert code == 2, err
    assert not pwned.exists()


@pytest.mark.parametrize("spec", ["-o@host:org/repo", "--upload-pack=touch {pwned}"])
def test_fleet_refuses_a_repo_that_git_would_read_as_an_option(
    capsys: pytest.CaptureFixture[str], workdir: Path, spec: str
) -> None:
    pwned = workdir / "pwned"
    spec = spec.format(pwned=pwned)
    with pytest.raises(InputError):
        fleet_repos.parse_repo(spec, workdir)
    repos_file = workdir / "fleet.txt"
    repos_file.write_text(f"{spec}\n")
    for command in ("check", "update"):
        code, _out, err = run_cli(
            capsys,
            "fleet",
            command,
            "--repos",
            str(repos_file),
            "--workdir",
            str(workdir / "fleet"),
        )
        assert code == 2, err
        assert "'-'" in _one_line(err)
        assert not pwned.exists()
        assert not (workdir / "fleet").exists()
    # A folder named so is given as a path.
    assert fleet_repos.parse_repo(f"./{spec}", workdir).url == str(workdir / spec)


def test_git_helpers_never_take_a_value_as_an_option(workdir: Path) -> None:
    """The helpers themselves refuse, whoever calls them."""
    bp = make_blueprint(workdir / "bp", {"v1.0.0": V1})
    out = workdir / "out"
    assert synctool_git.resolve_commit(bp, f"--output={out}") is None
    with pytest.raises(GitError):
        synctool_git.release_tags(f"--upload-pack=touch {out}")
    assert not out.exists()
    assert [tag for _v, tag in synctool_git.release_tags(str(bp))] == ["v1.0.0"]


# -- dependency bounds -------------------------------------------------------

# Dependencies synctool uses through their internals (private modules,
# attributes or layouts): each needs an upper bound, so that a release that
# moves them reaches users only after the tests ran on it.
THROUGH_INTERNALS = {
    "copier": "copier._main, _types, _tools, _user_data",
    "ruamel.yaml": "comment attachments in merge/yaml/comments.py",
    "tomlkit": "Container.body in merge/toml/edits.py",
    "jinja2": "Environment.compile in speedups.py",
}


def test_dependencies_used_through_internals_have_upper_bounds() -> None:
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement

    pyproject = REPO / "pyproject.toml"
    declared = {
        (req := Requirement(line)).name.lower(): req
        for line in tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    }
    for name, why in THROUGH_INTERNALS.items():
        assert name in declared, f"{name} ({why}) is not a declared dependency"
        spec = declared[name].specifier
        assert any(s.operator in ("<", "<=", "~=", "==") for s in spec), (
            f"{name} ({why}) has no upper bound: {spec}"
        )
        # what is installed (the tests' own run) is inside the bounds
        assert spec.contains(version(name), prereleases=True), (name, spec)
    # render/ imports copier._main, which copier has only since 9.7, and
    # reads Worker.all_skip_if_exists, since 9.11: no lower bound below.
    assert not declared["copier"].specifier.contains("9.10.3")


def test_render_refuses_an_option_like_ref_or_source_before_copier(
    workdir: Path,
) -> None:
    """The copier boundary refuses too: a ref read from the lock (the base of
    a sync) reaches copier without resolve_ref, and copier 9.11 (allowed by
    pyproject) runs `git checkout -f REF` and `git clone URL` without `--`."""
    from synctool.blueprint.render import render

    bp = make_blueprint(workdir / "bp", {"v1.0.0": V1})
    out = workdir / "out"
    for src, ref in (
        (str(bp), f"--output={out}"),
        (f"--upload-pack=touch {out}", None),
    ):
        with pytest.raises(InputError, match="starts with '-'"):
            render(
                src,
                ref,
                {"service_name": "orders"},
                defaults=True,
                interactive=False,
                trust=False,
            )
        assert not out.exists()
