"""copier's own semantics under synctool, compared with the copier commands.

What real templates rely on beyond rendering files: the answers file copier
writes (and its `_commit`/`_src_path`), tasks and migrations with copier's
context (`_copier_python`, `_copier_conf`, `_copier_operation`), the
service's real folder name and path (`_folder_name`,
`_copier_conf.dst_path`), and `_external_data` read from the service. Every
expectation is what `copier copy` / `copier update` does with the same
template, run as commands in their own processes; where `copier update`
renders in temporary folders and so conflicts with itself (`_folder_name`,
`_external_data`, task outputs), what a fresh `copier copy` of the release
writes, or copier's documented values.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import Files, git, make_blueprint, run_cli, write_tree

ANSWERS_TEMPLATE = "{{ _copier_answers|to_nice_yaml -}}\n"


def copier(*args: str, cwd: Path | None = None) -> None:
    cmd = [sys.executable, "-m", "copier", *args, "--defaults", "--quiet"]
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def copier_copy(bp: Path, ref: str, dst: Path, *extra: str) -> Path:
    copier("copy", "--vcs-ref", ref, *extra, str(bp), str(dst))
    return dst


def copier_update(dst: Path, ref: str, *extra: str) -> None:
    copier("update", "--vcs-ref", ref, *extra, cwd=dst)


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message, "--allow-empty")


def init(
    capsys: pytest.CaptureFixture[str], bp: Path, svc: Path, ref: str, *extra: str
) -> None:
    result = run_cli(
        capsys,
        "init",
        str(svc),
        "--blueprint",
        str(bp),
        "--ref",
        ref,
        "--defaults",
        *extra,
    )
    assert result.code == 0, result.out + result.err


def update(capsys: pytest.CaptureFixture[str], svc: Path, ref: str, *extra: str) -> str:
    result = run_cli(capsys, "update", str(svc), "--to", ref, *extra)
    assert result.code == 0, result.out + result.err
    return result.out


# --- 1. the answers file ------------------------------------------------------

ANSWERS_V1: Files = {
    "copier.yml": "name: {type: str, default: demo}\n"
    "_answers_file: .config/answers.yml\n",
    "{{ _copier_conf.answers_file }}.jinja": ANSWERS_TEMPLATE,
    "README.md.jinja": "# {{ name }}\n",
}
ANSWERS_V2: Files = {
    **ANSWERS_V1,
    "copier.yml": str(ANSWERS_V1["copier.yml"]) + "port: {type: int, default: 8080}\n",
}


def test_the_answers_file_is_written_at_init_and_kept_current_at_sync(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": ANSWERS_V1, "v2.0.0": ANSWERS_V2})
    svc = tmp_path / "mine" / "svc"
    init(capsys, bp, svc, "v1.0.0", "--data", "name=shop")
    copied = copier_copy(
        bp, "v1.0.0", tmp_path / "copier" / "svc", "--data", "name=shop"
    )
    answers = ".config/answers.yml"
    assert (svc / answers).read_text() == (copied / answers).read_text()
    recorded = yaml.safe_load((svc / answers).read_text())
    assert recorded == {"_commit": "v1.0.0", "_src_path": str(bp), "name": "shop"}
    assert git(svc, "status", "--porcelain") == ""  # committed with the rest

    update(capsys, svc, "v2.0.0")
    git(copied, "init", "-q")
    commit_all(copied, "copier copy")
    copier_update(copied, "v2.0.0", "--answers-file", answers)
    assert (svc / answers).read_text() == (copied / answers).read_text()
    assert yaml.safe_load((svc / answers).read_text())["_commit"] == "v2.0.0"
    commit_all(svc, "update")
    again = run_cli(capsys, "check", str(svc))
    assert again.code == 0, again.out + again.err


# --- 2. tasks and migrations ---------------------------------------------------

LOG = (
    "{{ _copier_operation }} {{ _folder_name }} {{ _copier_conf.answers_file }} "
    "{{ _copier_conf.dst_path }} {{ _copier_conf.vcs_ref }} {{ package }} "
    "$STAGE $COPIER_OPERATION"
)
TASKS_COPIER = f"""\
name: {{type: str, default: demo}}
package:
  type: str
  default: "{{{{ name }}}}_pkg"
  when: false
_tasks:
  - echo "{LOG}" >> tasks.log
  - ["{{{{ _copier_python }}}}", "-c", "import sys; open('python.txt', 'w').write(sys.executable)"]
  - command: echo "updated from {{{{ _copier_conf.vcs_ref }}}}" >> update-only.log
    when: "{{{{ _copier_operation == 'update' }}}}"
  - command: echo "$STAGE in sub" > here.txt
    working_directory: "{{{{ name }}}}-sub"
"""
MIGRATIONS = """\
_migrations:
  - version: v1.1.0
    command: echo "{{ _stage }} $VERSION_PEP440_FROM $VERSION_PEP440_TO $VERSION_CURRENT {{ _copier_operation }}" >> migrations.log
    when: "{{ _stage in ['before', 'after'] }}"
  - version: v1.1.0
    command: echo "{{ _stage }} default when" >> migrations.log
  - version: v1.1.0
    command: [sh, -c, "echo {{ _stage }} {{ _copier_operation }} > migrated.txt"]
    working_directory: demo-sub
    when: "{{ _stage == 'before' }}"
  - version: v1.1.0
    command: echo "{{ _stage }} $VERSION_FROM $VERSION_TO {{ _version_from }}" >> described.log
  - version: v9.0.0
    command: echo never >> migrations.log
"""
TASKS_V1: Files = {
    "copier.yml": TASKS_COPIER,
    "{{ _copier_conf.answers_file }}.jinja": ANSWERS_TEMPLATE,
    "{{ name }}-sub/keep.txt": "kept\n",
    "README.md.jinja": "# {{ name }}\n",
}
TASKS_V2: Files = {
    **TASKS_V1,
    "copier.yml": TASKS_COPIER + MIGRATIONS,
    "README.md.jinja": "# {{ name }}\n\nv2\n",
}
TASK_OUTPUTS = ("tasks.log", "python.txt", "update-only.log", "demo-sub/here.txt")
MIGRATION_OUTPUTS = ("migrations.log", "demo-sub/migrated.txt", "described.log")


def outputs(root: Path, dst: Path, names: tuple[str, ...]) -> dict[str, str | None]:
    """Task outputs, with the destination's path written as DST."""
    return {
        name: (root / name).read_text().replace(str(dst), "DST")
        if (root / name).exists()
        else None
        for name in names
    }


def test_tasks_and_migrations_see_what_they_see_under_copier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": TASKS_V1, "v1.1.0": TASKS_V2})
    svc = tmp_path / "mine" / "svc"
    copied = tmp_path / "copier" / "svc"
    init(capsys, bp, svc, "v1.0.0", "--trust")
    copier_copy(bp, "v1.0.0", copied, "--trust")
    assert outputs(svc, svc, TASK_OUTPUTS) == outputs(copied, copied, TASK_OUTPUTS)
    assert (svc / "python.txt").read_text() == sys.executable
    assert (svc / "tasks.log").read_text() == (
        f"copy svc .copier-answers.yml {svc} v1.0.0 demo_pkg task copy\n"
    )

    update(capsys, svc, "v1.1.0", "--trust")
    git(copied, "init", "-q")
    commit_all(copied, "copier copy")
    copier_update(copied, "v1.1.0", "--trust")
    # copier update also runs the tasks in its two temporary renders, and
    # merges their outputs into conflicts: its migrations are the reference,
    # its tasks are what its final render in the destination runs.
    names = MIGRATION_OUTPUTS
    assert outputs(svc, svc, names) == outputs(copied, copied, names)
    assert (svc / "tasks.log").read_text() == (
        f"copy svc .copier-answers.yml {svc} v1.0.0 demo_pkg task copy\n"
        f"update svc .copier-answers.yml {svc} v1.1.0 demo_pkg task update\n"
    )
    assert (svc / "migrations.log").read_text() == (
        "before 1.0.0 1.1.0 v1.1.0 update\n"
        "after 1.0.0 1.1.0 v1.1.0 update\n"
        "after default when\n"
    )
    # copier's descriptions (`git describe`), read from the answers file
    assert (svc / "described.log").read_text() == "after v1.0.0 v1.1.0 v1.0.0\n"
    assert (svc / "update-only.log").read_text() == "updated from v1.1.0\n"
    assert (svc / "demo-sub/migrated.txt").read_text() == "before update\n"


# --- 3. the service's real folder name and path --------------------------------

FOLDER_V1: Files = {
    "copier.yml": 'title: {type: str, default: "{{ _folder_name|upper }}"}\n',
    "{{ _copier_conf.answers_file }}.jinja": ANSWERS_TEMPLATE,
    "where.txt.jinja": "{{ _folder_name }} {{ title }}\n",
    "path.txt.jinja": "{{ _copier_conf.dst_path }}\n",
    "{{ _folder_name }}.cfg.jinja": "name = {{ _folder_name }}\n",
}
FOLDER_V2: Files = {
    **FOLDER_V1,
    "where.txt.jinja": "{{ _folder_name }} {{ title }} v2\n",
}


def test_folder_name_and_dst_path_are_the_service_s_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": FOLDER_V1, "v2.0.0": FOLDER_V2})
    copied = copier_copy(bp, "v1.0.0", tmp_path / "copier" / "alpha")
    alpha, beta = tmp_path / "alpha", tmp_path / "beta"
    for svc in (alpha, beta):
        init(capsys, bp, svc, "v1.0.0")
    assert (alpha / "where.txt").read_text() == (copied / "where.txt").read_text()
    assert (alpha / "where.txt").read_text() == "alpha ALPHA\n"
    assert (alpha / "alpha.cfg").read_text() == (copied / "alpha.cfg").read_text()
    assert (alpha / "path.txt").read_text() == f"{alpha}\n"
    assert (beta / "where.txt").read_text() == "beta BETA\n"

    # (copier update renders its two versions in temporary folders named
    # otherwise, and conflicts with itself: a fresh copy is the reference)
    copied = copier_copy(bp, "v2.0.0", tmp_path / "copier-v2" / "alpha")
    for svc in (alpha, beta):  # the same commit and answers: not one render for both
        out = update(capsys, svc, "v2.0.0")
        assert "conflict" not in out
    for name in ("where.txt", "alpha.cfg", ".copier-answers.yml"):
        assert (alpha / name).read_text() == (copied / name).read_text(), name
    assert (alpha / "where.txt").read_text() == "alpha ALPHA v2\n"
    assert (beta / "where.txt").read_text() == "beta BETA v2\n"
    assert (beta / "beta.cfg").read_text() == "name = beta\n"
    assert (beta / "path.txt").read_text() == f"{beta}\n"
    assert not (beta / "alpha.cfg").exists()


# --- 4. _external_data, read from the service ------------------------------------

EXTERNAL_V1: Files = {
    "copier.yml": """\
_external_data:
  shared: .shared/settings.yml
region:
  type: str
  default: "{{ _external_data.shared.region | default('none') }}"
""",
    "{{ _copier_conf.answers_file }}.jinja": ANSWERS_TEMPLATE,
    "deploy.txt.jinja": "region={{ region }} zone={{ _external_data.shared.zone }}\n",
}
EXTERNAL_V2: Files = {
    **EXTERNAL_V1,
    "deploy.txt.jinja": "region={{ region }} v2\n",
    "zone.txt.jinja": "zone={{ _external_data.shared.zone }}\n",
}


def test_external_data_is_read_from_the_service_at_init_and_sync(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": EXTERNAL_V1, "v2.0.0": EXTERNAL_V2})
    shared = {".shared/settings.yml": "region: eu-west-1\nzone: a\n"}
    svc, copied = tmp_path / "mine" / "svc", tmp_path / "copier" / "svc"
    for root in (svc, copied):
        write_tree(root, shared)
    init(capsys, bp, svc, "v1.0.0", "--force")
    copier_copy(bp, "v1.0.0", copied)
    assert (svc / "deploy.txt").read_text() == (copied / "deploy.txt").read_text()
    assert (svc / "deploy.txt").read_text() == "region=eu-west-1 zone=a\n"
    assert (svc / ".copier-answers.yml").read_text() == (
        copied / ".copier-answers.yml"
    ).read_text()

    # The service's data changes, then a release. (copier update renders the
    # applied version in an empty temporary folder, without the data, and
    # conflicts with itself: a fresh copy with the new data is the reference.)
    zone_b = {".shared/settings.yml": "region: eu-west-1\nzone: b\n"}
    write_tree(svc, zone_b)
    commit_all(svc, "zone b")
    copied = tmp_path / "copier-v2" / "svc"
    write_tree(copied, zone_b)
    copier_copy(bp, "v2.0.0", copied)
    out = update(capsys, svc, "v2.0.0")
    assert "conflict" not in out
    for name in ("deploy.txt", "zone.txt", ".copier-answers.yml"):
        assert (svc / name).read_text() == (copied / name).read_text(), name
    assert (svc / "zone.txt").read_text() == "zone=b\n"  # the service's, now


def test_a_service_made_before_synctool_wrote_the_answers_file_gets_it_at_sync(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Older synctool left copier's answers file out: the next sync adds it."""
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": ANSWERS_V1, "v2.0.0": ANSWERS_V2})
    svc = tmp_path / "svc"
    init(capsys, bp, svc, "v1.0.0")
    answers = ".config/answers.yml"
    (svc / answers).unlink()
    lock = svc / ".synctool.lock"
    lines = lock.read_text().splitlines(keepends=True)
    lock.write_text("".join(line for line in lines if answers not in line))
    commit_all(svc, "as an older synctool left it")

    out = update(capsys, svc, "v2.0.0")
    assert "conflict" not in out
    copied = copier_copy(bp, "v2.0.0", tmp_path / "copier" / "svc")
    assert (svc / answers).read_text() == (copied / answers).read_text()


def test_a_render_showing_the_service_s_folder_is_kept_for_that_service_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synctool.blueprint import rendercache
    from synctool.blueprint.sources import resolve_source

    files: Files = {
        "copier.yml": "name: {type: str, default: demo}\n",
        "where.txt.jinja": "{{ name }} in {{ _folder_name }}\n",
    }
    plain: Files = {**files, "where.txt.jinja": "{{ name }}\n"}
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": files, "v2.0.0": plain})
    source = resolve_source(str(bp), tmp_path)

    def where(ref: str, service: str) -> bytes:
        rendered = rendercache.cached_render(
            source,
            ref,
            {},
            defaults=True,
            interactive=False,
            trust=False,
            dest=tmp_path / service,
        )
        return rendered.tree["where.txt"].data

    assert where("v1.0.0", "alpha") == b"demo in alpha\n"
    assert where("v1.0.0", "beta") == b"demo in beta\n"
    assert where("v2.0.0", "alpha") == b"demo\n"

    def no_render(*args: object, **kwargs: object) -> None:
        raise AssertionError("rendered again")

    monkeypatch.setattr(rendercache, "render", no_render)
    assert where("v1.0.0", "alpha") == b"demo in alpha\n"
    assert where("v1.0.0", "beta") == b"demo in beta\n"
    assert where("v2.0.0", "gamma") == b"demo\n"  # one entry for every service


def test_external_data_outside_the_service_needs_trust_as_in_copier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files: Files = {
        "copier.yml": "_external_data:\n  up: ../outside.yml\n",
        "f.txt.jinja": "{{ _external_data.up }}\n",
    }
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": files})
    write_tree(tmp_path, {"outside.yml": "a: 1\n"})
    refused = run_cli(capsys, "init", str(tmp_path / "svc"), "--blueprint", str(bp))
    assert refused.code == 2
    assert "outside the service" in refused.err and "--trust" in refused.err
    assert not (tmp_path / "svc").exists()
    by_copier = subprocess.run(
        [sys.executable, "-m", "copier", "copy", "--defaults", str(bp), "copy"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert by_copier.returncode != 0 and "--trust" in by_copier.stderr
