"""A blueprint whose Jinja extension is not installed: one line naming the
module and how to install it beside synctool, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import make_blueprint, run_cli

COPIER = "_subdirectory: template\n_jinja_extensions:\n  - acme_jinja_helpers.Slug\n"


def test_a_missing_extension_is_named_with_how_to_install_it(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp = make_blueprint(
        workdir / "bp", {"v1.0.0": {"copier.yml": COPIER, "template/a.txt": "a\n"}}
    )
    result = run_cli(
        capsys, "init", "svc", "--blueprint", str(bp), "--defaults", "--trust"
    )
    assert result.code == 2
    assert "module 'acme_jinja_helpers'" in result.err
    assert "pip install acme-jinja-helpers" in result.err
    assert result.err.count("\n") == 1  # one line
    assert not (workdir / "svc").exists()
