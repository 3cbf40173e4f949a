"""The typer application: conventional help, the root options, the groups.

Commands register on ``app``, ``fleet_app`` and ``blueprint_app`` from the
modules beside this one; ``printing`` gives each the output options.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar, cast

import typer
import typer.core

from synctool import __version__, ui
from synctool.cli.options import NoColor, Quiet, Verbose
from synctool.errors import OutputClosed

_F = TypeVar("_F", bound=Callable[..., Any])


def _conventional(params: list[Any]) -> list[Any]:
    """Help as click users know it: a flag shows no type (typer shows
    ``<bool>``), a choice its choices (``[text|json]``). Options declare
    their own metavar otherwise (``--data KEY=VALUE``)."""
    for param in params:
        if not isinstance(param, typer.core.TyperOption) or param.metavar is not None:
            continue
        if param.is_flag and not param.count:
            param.metavar = ""
            continue
        choices = getattr(param.type_descriptor, "choices", None)
        if getattr(param.type_descriptor, "is_choice", False) and choices:
            param.metavar = "[" + "|".join(str(c) for c in choices) + "]"
    return params


class _Command(typer.core.TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _conventional(super().get_params(ctx))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:  # click would make it a bare exit 1
            raise OutputClosed from exc


class _Group(typer.core.TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _conventional(super().get_params(ctx))


class _App(typer.Typer):
    """A typer app whose commands and groups show conventional help."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", _Group)
        kwargs.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[_F], _F]:
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


app = _App(
    name="synctool",
    help="Keep services conformant with a versioned blueprint (a copier template).",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion: bash, zsh, fish
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,  # answers may hold secrets
)
fleet_app = _App(
    help="Run update and check across many services.", no_args_is_help=True
)
blueprint_app = _App(help="Create and manage blueprints.", no_args_is_help=True)
app.add_typer(fleet_app, name="fleet")
app.add_typer(blueprint_app, name="blueprint")


def _version_callback(value: bool) -> None:
    if value:
        ui.info(f"synctool {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    quiet: Quiet = False,
    verbose: Verbose = False,
    no_color: NoColor = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the version.",
        ),
    ] = False,
) -> None:
    """Generate services from a blueprint, merge its releases in, check for drift."""
    ui.configure(quiet=quiet, verbose=verbose, color=not no_color)


def printing(command: _F) -> _F:
    """Give ``command`` -q, -v and --no-color (last in its help) and apply
    them before it runs."""
    signature = inspect.signature(command, eval_str=True)
    added = {"quiet": Quiet, "verbose": Verbose, "no_color": NoColor}
    params = [
        inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=False, annotation=hint
        )
        for name, hint in added.items()
    ]

    @functools.wraps(command)
    def run(
        *args: Any,
        quiet: bool = False,
        verbose: bool = False,
        no_color: bool = False,
        **kwargs: Any,
    ) -> Any:
        if quiet or verbose or no_color:
            ui.configure(quiet=quiet, verbose=verbose, color=not no_color)
        return command(*args, **kwargs)

    shown = cast(Any, run)
    shown.__signature__ = signature.replace(
        parameters=[*signature.parameters.values(), *params]
    )
    shown.__annotations__ = {**command.__annotations__, **added}
    return cast(_F, run)
