"""`synctool completion SHELL`: the shell completion script typer writes."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from synctool import ui
from synctool.cli.app import app


@app.command()
def completion(
    shell: Annotated[
        Literal["bash", "zsh", "fish"],
        typer.Argument(metavar="SHELL", help="bash, zsh or fish."),
    ],
) -> int:
    """Print the shell completion script for SHELL.

    bash: add `eval "$(synctool completion bash)"` to ~/.bashrc; zsh: the
    same with zsh in ~/.zshrc (after compinit); fish: `synctool completion
    fish > ~/.config/fish/completions/synctool.fish`. `synctool
    --install-completion` does this for the shell it runs in.
    """
    from typer._completion_shared import get_completion_script

    script = get_completion_script(
        prog_name="synctool", complete_var="_SYNCTOOL_COMPLETE", shell=shell
    )
    ui.emit_text(script.strip("\n"))
    return 0
