"""Work copier repeats on every render that a staging render never needs.

copier is written for one render per process; synctool renders the same
blueprint again and again (two versions per sync, hundreds in a fleet).
These patches act on copier objects render/run.py hands over (this module never
imports copier): each is checked against copier's internals first and left
out when they moved, so a copier change makes a render slower, never
different. `tests/blueprint/test_render_fidelity.py` compares renders with `copier
copy` byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from synctool.blueprint import checkouts

# A compiled template depends on its source, its name and the environment's
# syntax, never on the render: one cache for the whole process.
_COMPILED: dict[tuple[Any, ...], Any] = {}
_COMPILED_MAX = 8192
# Extensions whose preprocess only resets their own state, whatever the file.
_RESETS_IN_PREPROCESS = frozenset({"copier._jinja_ext.YieldExtension"})
# The answers file's path (and its unrendered source) per worker (by id)
# while its render phase runs.
_ANSWERS_RELPATH: dict[int, tuple[Path, str]] = {}
# What copier asks git about a template checkout (Template's cached properties).
_GIT_FACTS = ("commit", "commit_hash", "version", "git_index_modes")


def speed_up(worker: Any) -> None:
    """Patch one copier Worker (and the process's compile cache) for speed.

    - every path component ("src", "tests", ...) is compiled as a Jinja
      template per file: compile each distinct string once, and skip a
      component without any Jinja delimiter;
    - every template's compiled code is kept for the process, so the next
      render of the same blueprint (a fleet's next repo) compiles nothing;
    - the render context is built again per path component and file, and
      the answers file's path rendered again for each: during the render
      phase the answers are fixed, so both are built once;
    - `git config core.fileMode` runs per file to fix the destination's git
      index: the staging folder is never a repository.
    """
    env = worker.jinja_env
    syntax = _syntax(env)  # None: an extension may act per file, cache nothing
    _cache_compiles(env, syntax)
    if hasattr(worker, "_sync_git_index_executable_bit"):
        worker._sync_git_index_executable_bit = lambda *args, **kwargs: None
    _skip_plain_parts(worker, env, syntax)
    _fix_render_context(worker)


def _skip_plain_parts(worker: Any, env: Any, syntax: object) -> None:
    render_string = getattr(worker, "_render_string", None)
    # An extension's preprocess may turn any text into a template (`%%x%%`).
    if render_string is None or syntax is None:
        return
    markers = [
        m
        for m in (
            env.block_start_string,
            env.variable_start_string,
            env.comment_start_string,
            env.line_statement_prefix,
            env.line_comment_prefix,
        )
        if m
    ]

    def render_plain_fast(string: str, extra_context: Any = None) -> str:
        if isinstance(string, str) and not any(m in string for m in markers):
            return string
        return str(render_string(string, extra_context=extra_context))

    worker._render_string = render_plain_fast


def _fix_render_context(worker: Any) -> None:
    render_template = getattr(worker, "_render_template", None)
    build_context = getattr(worker, "_render_context", None)
    # copier's answers_relpath writes into the context it builds: sharing one
    # context is only safe when that path is computed once, beforehand.
    if (
        render_template is None
        or build_context is None
        or not hasattr(worker, "answers_file")
        or not hasattr(worker.template, "answers_relpath")
        or not _fix_answers_relpath(type(worker))
    ):
        return

    def render_with_fixed_context() -> None:
        source = str(worker.answers_file or worker.template.answers_relpath)
        _ANSWERS_RELPATH[id(worker)] = (Path(worker.answers_relpath), source)
        context = build_context()
        worker._render_context = lambda: dict(context)
        try:
            render_template()
        finally:
            worker._render_context = build_context
            _ANSWERS_RELPATH.pop(id(worker), None)

    worker._render_template = render_with_fixed_context


def _fix_answers_relpath(cls: type) -> bool:
    """Let Worker.answers_relpath return the fixed path during a render phase."""
    original = cls.__dict__.get("answers_relpath")
    if getattr(getattr(original, "fget", None), "synctool_fixed", False):
        return True
    if not isinstance(original, property) or original.fget is None:
        return False
    compute = original.fget

    def answers_relpath(self: Any) -> Any:
        fixed = _ANSWERS_RELPATH.get(id(self))
        if fixed is None:
            return compute(self)
        path, source = fixed
        # What copier's getter does before rendering: extensions act when a
        # string is compiled (the yield tag's state is reset there), and
        # copier's yield handling relies on that.
        self.jinja_env.from_string(source)
        return path

    answers_relpath.synctool_fixed = True  # type: ignore[attr-defined]
    setattr(cls, "answers_relpath", property(answers_relpath))  # noqa: B010
    return True


def _cache_compiles(env: Any, signature: tuple[Any, ...] | None) -> None:
    """Compile each template once per process, and each string once per render.

    Extensions may act while a template is compiled: copier's yield tag
    resets its state in ``preprocess``. So a cached compile still runs the
    environment's ``preprocess``, and an environment with an extension not
    known to be safe this way is not cached at all.
    """
    if signature is None:
        return
    compile_now: Callable[..., Any] = env.compile
    from_string_now: Callable[[str], Any] = env.from_string
    templates: dict[str, Any] = {}

    def from_string_cached(source: str, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:  # globals or a template class: not cached
            return from_string_now(source, *args, **kwargs)
        template = templates.get(source)
        if template is None:
            template = templates[source] = from_string_now(source)
        else:
            env.preprocess(source)
        return template

    def compile_cached(
        source: str,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw:
            return compile_now(source, name, filename, raw, defer_init)
        key = (signature, source, name, defer_init)
        code = _COMPILED.get(key)
        if code is None:
            code = compile_now(source, name, filename, raw, defer_init)
            if len(_COMPILED) >= _COMPILED_MAX:
                _COMPILED.clear()
            _COMPILED[key] = code
        else:
            env.preprocess(source, name, filename)
        return code

    env.compile = compile_cached
    env.from_string = from_string_cached


def _syntax(env: Any) -> tuple[Any, ...] | None:
    """Everything of a Jinja environment that shapes compiled code; None when
    a part of it could depend on the file (then nothing is cached)."""
    try:
        from jinja2.ext import Extension

        for ext in env.extensions.values():
            kind = type(ext)
            if kind.filter_stream is not Extension.filter_stream or (
                kind.preprocess is not Extension.preprocess
                and _name(kind) not in _RESETS_IN_PREPROCESS
            ):
                return None
        if callable(env.autoescape) or env.finalize is not None:
            return None
        return (
            type(env),
            env.code_generator_class,
            env.block_start_string,
            env.block_end_string,
            env.variable_start_string,
            env.variable_end_string,
            env.comment_start_string,
            env.comment_end_string,
            env.line_statement_prefix,
            env.line_comment_prefix,
            env.trim_blocks,
            env.lstrip_blocks,
            env.newline_sequence,
            env.keep_trailing_newline,
            env.optimized,
            env.autoescape,
            env.is_async,
            tuple(
                sorted(
                    f"{type(e).__module__}.{type(e).__qualname__}"
                    for e in env.extensions.values()
                )
            ),
            frozenset(env.filters),
            frozenset(env.tests),
        )
    except (AttributeError, ImportError):
        return None


def _name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


# -- the template's checkout --------------------------------------------------


def reuse_checkout(template: Any, url: str, ref: str, commit: str) -> bool:
    """Point copier's Template at a kept checkout of ``commit``; False if none.

    Called before copier first touches the checkout: the clone and the git
    calls about it are then never made.
    """
    if not _knows_git_facts(type(template)):
        return False
    found = checkouts.find(url, ref, commit)
    if found is None:
        return False
    from packaging.version import InvalidVersion, Version

    meta = found.meta
    try:
        version = Version(meta["version"]) if meta["version"] is not None else None
        facts = {
            "commit": meta["commit"],
            "commit_hash": meta["commit_hash"],
            "version": version,
            "git_index_modes": {
                PurePosixPath(path): int(mode)
                for path, mode in meta["git_index_modes"].items()
            },
        }
    except (KeyError, TypeError, ValueError, AttributeError, InvalidVersion):
        return False
    # cached_property values live in the instance's __dict__; with these set,
    # copier never clones (and, having no temporary clone, deletes nothing).
    template.__dict__.update(facts, local_abspath=found.root.resolve())
    return True


def keep_checkout(template: Any, url: str, ref: str, commit: str) -> None:
    """After a render that cloned: keep its clone for the next render.

    The clone is moved away, so this comes last, once nothing reads the
    template any more (copier's clean-up then finds nothing to delete).
    """
    clone = getattr(template, "_temp_clone_path", None)
    if not _knows_git_facts(type(template)) or not isinstance(clone, Path):
        return
    try:
        if template.vcs != "git" or Path(template.local_abspath) != clone.resolve():
            return
        version = template.version
        meta = {
            "commit": template.commit,
            "commit_hash": template.commit_hash,
            "version": str(version) if version is not None else None,
            "git_index_modes": {
                str(path): int(mode) for path, mode in template.git_index_modes.items()
            },
        }
    except Exception:  # copier's git failing here only costs speed
        return
    checkouts.keep(url, ref, commit, clone, meta)


def _knows_git_facts(cls: type) -> bool:
    return all(
        isinstance(getattr(cls, name, None), cached_property)
        for name in (*_GIT_FACTS, "local_abspath")
    )
