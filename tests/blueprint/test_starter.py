"""synctool.blueprint.starter: a team's own blueprint starts its own history."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from synctool import __version__
from synctool.blueprint import sources
from synctool.blueprint.starter import first_release, team_steps
from tests.helpers import git, run_cli

BUNDLED = sources.bundled_dir()


def _sections(text: str) -> dict[str, str]:
    return {
        "## " + body.split("\n", 1)[0]: body
        for body in re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    }


def test_a_new_blueprint_begins_its_changelog_and_release_steps_anew(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    assert run_cli(capsys, "blueprint", "new", "platform").code == 0
    bp = workdir / "platform"
    assert git(bp, "tag").split() == ["v1.0.0"]
    assert git(bp, "status", "--porcelain") == ""

    changelog = (bp / "CHANGELOG.md").read_text()
    assert re.findall(r"^## .*", changelog, flags=re.MULTILINE) == ["## 1.0.0"]
    assert f"bundled blueprint {sources.bundled_version()}" in changelog
    bundled_log = (BUNDLED / "CHANGELOG.md").read_text()
    preamble = bundled_log.split("\n## ", 1)[0].rstrip("\n")
    assert changelog.startswith(preamble + "\n\n## 1.0.0\n")

    readme = (bp / "README.md").read_text()
    for maintainers_only in ("VERSION", "freeze", "tests/blueprint", "tests/bundled"):
        assert maintainers_only not in readme
    ours, bundled = _sections(readme), _sections((BUNDLED / "README.md").read_text())
    assert list(ours) == list(bundled)  # the same sections, in the same order
    changed = {h for h in ours if ours[h] != bundled[h]}
    assert changed == {"## Validating a change", "## Releasing"}
    assert "git tag -a v1.1.0 -m v1.1.0" in ours["## Releasing"]
    assert "--blueprint . --ref HEAD" in ours["## Validating a change"]
    assert "\n\n## Files git would ignore\n" in readme  # spaced as before


def test_the_team_steps_render_its_working_tree(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    """What "Validating a change" tells a team to run, run: HEAD and the
    uncommitted edit are rendered."""
    assert run_cli(capsys, "blueprint", "new", "platform").code == 0
    bp = workdir / "platform"
    makefile = bp / "template/Makefile.jinja"
    makefile.write_text(makefile.read_text() + "\n# tried before the tag\n")
    result = run_cli(
        capsys, "init", str(workdir / "try"), "--blueprint", str(bp), "--ref", "HEAD",
        "--defaults",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert (workdir / "try/Makefile").read_text().endswith("# tried before the tag\n")


def test_first_release_keeps_the_preamble_and_drops_the_history() -> None:
    log = "# Changelog\n\nHow a change reaches a service.\n\n## 2.0.0\n\nx\n\n## 1.0.0\n\ny\n"
    text = first_release(log, "2.0.0")
    assert text.startswith(
        "# Changelog\n\nHow a change reaches a service.\n\n## 1.0.0\n\n"
    )
    assert "## 2.0.0" not in text and "\nx\n" not in text
    assert f"bundled blueprint 2.0.0, as synctool {__version__}" in " ".join(
        text.split()
    )


def test_team_steps_are_appended_where_the_readme_has_none() -> None:
    text = team_steps("# A blueprint\n\nWhat it is.\n\n## Questions\n\nname\n")
    assert text.startswith("# A blueprint\n\nWhat it is.\n\n## Questions\n\nname\n\n")
    assert list(_sections(text)) == [
        "## Questions",
        "## Validating a change",
        "## Releasing",
    ]
