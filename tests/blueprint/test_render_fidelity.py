"""synctool's renders equal `copier copy`'s, byte for byte, also when they are fast.

render/run.py hands copier's objects to synctool.blueprint.speedups (one compile cache per
process, a fixed render context, kept checkouts instead of clones). These
tests render real templates through synctool, first and again (the second
time from the kept checkout and the compile cache), and compare every file,
mode and link with what the `copier copy` command writes for the same answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from synctool.blueprint import checkouts
from synctool.blueprint.render import render
from synctool.blueprint.render.result import Rendered
from synctool.blueprint.rendercache import cached_render, commit_of
from synctool.blueprint.sources import resolve_source
from synctool.service.staging import read_tree
from synctool.tree import FileEntry
from tests.helpers import git, make_blueprint

FEATURES_COPIER = """\
service_name:
  type: str
  default: orders
feature:
  type: bool
  default: true
modules:
  type: yaml
  default: [users, billing]
_exclude: ["*.bak", "copier.yml", ".git"]
_preserve_symlinks: true
"""
ANSWERS = "{{ _copier_answers|to_nice_yaml -}}\n"
FEATURES = {
    "copier.yml": FEATURES_COPIER,
    "{{ _copier_conf.answers_file }}.jinja": ANSWERS,
    "info.txt.jinja": (
        "answers at {{ _copier_conf.answers_file }}\n"
        "name={{ service_name }}\n"
        "ref={{ _copier_conf.vcs_ref }}\n"
        "hash={{ _copier_conf.vcs_ref_hash }}\n"
        "{% include 'shared.txt' %}"
    ),
    "shared.txt": "shared {{ raw }}\n",
    "{{ service_name }}/__init__.py.jinja": "NAME = '{{ service_name }}'\n",
    "{% if feature %}feature.txt{% endif %}.jinja": "on\n",
    "{% if not feature %}off.txt{% endif %}.jinja": "off\n",
    "mods/{% yield m from modules %}{{ m }}{% endyield %}.py.jinja": "# module {{ m }} of {{ service_name }}\n",
    "run.sh": "#!/bin/sh\necho hi\n",
    "notes.bak": "left out\n",
    "{{ service_name }}/data/empty.txt": "",
}
ENVOPS_COPIER = """\
service_name:
  type: str
  default: orders
_templates_suffix: .tmpl
_envops:
  block_start_string: "[%"
  block_end_string: "%]"
  variable_start_string: "[["
  variable_end_string: "]]"
  keep_trailing_newline: true
_subdirectory: template
"""
ENVOPS = {
    "copier.yml": ENVOPS_COPIER,
    "template/[[ _copier_conf.answers_file ]].tmpl": "[[ _copier_answers|to_nice_yaml ]]",
    "template/config.yml.tmpl": "name: [[ service_name ]]\nkeep: {{ untouched }}\n[% if true %]yes[% endif %]\n",
    "template/[[ service_name ]].txt.tmpl": "[[ service_name|upper ]]\n\n",
    "template/info.txt.tmpl": "answers at [[ _copier_conf.answers_file ]]\n",
}


def _blueprint(tmp: Path, files: dict[str, str]) -> Path:
    bp = make_blueprint(tmp / "bp", {"v1.0.0": files})
    (bp / "run.sh").exists() and os.chmod(bp / "run.sh", 0o755)
    if (bp / "run.sh").exists():
        os.symlink("run.sh", bp / "link.sh")
        git(bp, "add", "-A")
        git(bp, "commit", "-qm", "exec bit and a link")
        git(bp, "tag", "-f", "v1.0.0")
    return bp


def _copier_copy(src: str, ref: str | None, data: dict[str, Any], dst: Path) -> Path:
    """The `copier copy` command, in its own process (no synctool patch there)."""
    cmd = [sys.executable, "-m", "copier", "copy", "--defaults", "--quiet"]
    cmd += ["--vcs-ref", ref] if ref else []
    for key, value in data.items():
        cmd += ["--data", f"{key}={value}"]
    subprocess.run([*cmd, src, str(dst)], check=True, capture_output=True)
    return dst


def _same(rendered: Rendered, copied: Path, answers_file: str) -> None:
    tree, _notes = read_tree(copied, drop=set())  # the answers file too
    assert rendered.tree == tree
    if not (copied / answers_file).exists():  # a template without one
        return
    recorded = yaml.safe_load((copied / answers_file).read_text())
    public = {k: v for k, v in recorded.items() if not k.startswith("_")}
    assert rendered.answers == public


def _render(src: str, ref: str | None, data: dict[str, Any]) -> Rendered:
    source = resolve_source(src, Path.cwd())
    return cached_render(
        source, ref, data, defaults=True, interactive=False, trust=False
    )


@pytest.mark.parametrize(
    ("files", "answers_file"),
    [(FEATURES, ".copier-answers.yml"), (ENVOPS, ".copier-answers.yml")],
    ids=["features", "custom-envops"],
)
def test_renders_equal_copier_copy_first_time_and_from_the_kept_checkout(
    tmp_path: Path, files: dict[str, str], answers_file: str
) -> None:
    bp = _blueprint(tmp_path, files)
    runs = [{}, {"service_name": "payments"}, {}]
    if "feature" in files["copier.yml"]:
        runs[2] = {"feature": "false", "modules": "[a, b, c]"}
    kept_before = set(checkouts.cache_dir().glob("*"))
    for i, data in enumerate(runs):
        rendered = _render(str(bp), "v1.0.0", data)
        copied = _copier_copy(str(bp), "v1.0.0", data, tmp_path / f"copy-{i}")
        _same(rendered, copied, answers_file)
        assert rendered.version == "1.0.0"
        assert rendered.commit == git(bp, "rev-parse", "v1.0.0^{commit}").strip()
    # The first render kept its checkout; the others used it.
    assert len(set(checkouts.cache_dir().glob("*")) - kept_before) == 1


def test_features_render_what_the_template_says(tmp_path: Path) -> None:
    """The comparison above is only as good as the template's reach: check it."""
    bp = _blueprint(tmp_path, FEATURES)
    sha = git(bp, "rev-parse", "v1.0.0^{commit}").strip()
    for _ in range(2):
        tree = _render(str(bp), "v1.0.0", {"service_name": "shop"}).tree
        assert tree["info.txt"].data.decode() == (
            f"answers at .copier-answers.yml\nname=shop\nref=v1.0.0\nhash={sha}\n"
            "shared \n"  # an include is rendered too: raw is undefined
        )
        assert tree["shop/__init__.py"] == FileEntry(b"NAME = 'shop'\n", 0o644)
        assert tree["mods/users.py"].data == b"# module users of shop\n"
        assert "mods/billing.py" in tree
        assert tree["feature.txt"].data == b"on\n"
        assert tree["run.sh"].mode == 0o755
        assert tree["link.sh"] == FileEntry(b"run.sh", 0o120000)
        assert tree["shop/data/empty.txt"].data == b""
        assert not {"off.txt", "notes.bak", "copier.yml"} & set(tree)


def test_the_bundled_blueprint_renders_as_copier_copy_does(tmp_path: Path) -> None:
    from synctool.blueprint import sources

    bundled = sources.resolve_source("bundled", Path.cwd())
    rendered = render(
        bundled.location, None, {}, defaults=True, interactive=False, trust=False
    )
    copied = _copier_copy(bundled.location, None, {}, tmp_path / "copy")
    _same(rendered, copied, ".copier-answers.yml")


def test_a_second_render_of_a_commit_clones_and_compiles_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import copier._template
    import jinja2

    bp = _blueprint(tmp_path, FEATURES)
    first = _render(str(bp), "v1.0.0", {"service_name": "a"})

    def no_clone(*args: object, **kwargs: object) -> str:
        raise AssertionError("cloned although the checkout was kept")

    real_compile = jinja2.Environment.compile

    def no_compile(env: jinja2.Environment, source: Any, *args: Any) -> Any:
        if isinstance(source, str):
            raise AssertionError(f"compiled again: {source!r}")
        return real_compile(env, source, *args)  # copier tries non-strings too

    monkeypatch.setattr(copier._template, "clone", no_clone)
    monkeypatch.setattr(jinja2.Environment, "compile", no_compile)
    second = _render(str(bp), "v1.0.0", {"service_name": "b"})
    assert second.tree["info.txt"].data.replace(b"=b\n", b"=a\n") == (
        first.tree["info.txt"].data
    )


def test_a_damaged_kept_checkout_is_a_miss(tmp_path: Path) -> None:
    bp = _blueprint(tmp_path, FEATURES)
    first = _render(str(bp), "v1.0.0", {"service_name": "a"})
    for meta in checkouts.cache_dir().glob("*/meta.json"):
        meta.write_text("{not json")
    again = _render(str(bp), "v1.0.0", {"service_name": "a", "feature": "true"})
    assert again.tree == first.tree


def test_uncommitted_changes_at_head_are_rendered_not_a_kept_checkout(
    tmp_path: Path,
) -> None:
    bp = _blueprint(tmp_path, FEATURES)
    source = resolve_source(str(bp), Path.cwd())
    sha = commit_of(source, "HEAD")
    assert sha is not None
    render(
        str(bp), "HEAD", {}, defaults=True, interactive=False, trust=False, commit=sha
    )
    (bp / "shared.txt").write_text("dirty\n")
    tree = render(
        str(bp), "HEAD", {}, defaults=True, interactive=False, trust=False, commit=sha
    ).tree
    assert tree["info.txt"].data.endswith(b"dirty\n")


def test_a_kept_checkout_deleted_during_a_render_means_a_clone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caches may be deleted at any time, even while a render reads one."""
    import shutil

    from synctool.blueprint import speedups

    bp = _blueprint(tmp_path, FEATURES)
    first = _render(str(bp), "v1.0.0", {"service_name": "a"})
    reuse = speedups.reuse_checkout

    def reuse_then_delete(template: Any, *args: str) -> bool:
        found = reuse(template, *args)
        shutil.rmtree(checkouts.cache_dir())  # e.g. a cache clean-up, right now
        return found

    monkeypatch.setattr(speedups, "reuse_checkout", reuse_then_delete)
    again = _render(str(bp), "v1.0.0", {"service_name": "a", "feature": "true"})
    assert again.tree == first.tree
