"""Which paths a service's `.gitignore` files ignore, read as git reads them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from synctool.service.names import GITIGNORE


def ignored_paths(paths: Iterable[str], gitignores: Mapping[str, bytes]) -> set[str]:
    """The ``paths`` that the `.gitignore` files ``gitignores`` (path ->
    content) ignore, as git reads them: a deeper file's match wins."""
    import pathspec

    specs: dict[str, pathspec.GitIgnoreSpec] = {}
    for rel, data in gitignores.items():
        if rel.rsplit("/", 1)[-1] != GITIGNORE:
            continue
        lines = data.decode("utf-8", "replace").splitlines()
        try:
            spec = pathspec.GitIgnoreSpec.from_lines(lines)
        except ValueError:  # a line git would skip: read the others
            spec = pathspec.GitIgnoreSpec.from_lines(_valid_lines(lines))
        specs[rel[: -len(GITIGNORE)].rstrip("/")] = spec
    if not specs:
        return set()
    out: set[str] = set()
    for path in paths:
        parts = path.split("/")
        verdict = None
        for n in range(len(parts)):
            here = specs.get("/".join(parts[:n]))
            if here is not None:
                found = here.check_file("/".join(parts[n:])).include
                verdict = verdict if found is None else found
        if verdict:
            out.add(path)
    return out


def _valid_lines(lines: list[str]) -> list[str]:
    import pathspec

    valid = []
    for line in lines:
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except ValueError:
            continue
        valid.append(line)
    return valid
