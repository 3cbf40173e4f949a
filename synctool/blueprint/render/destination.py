"""The service a render is for: templates see it, not the staging folder.

`_folder_name`, `_copier_conf.dst_path` and `_external_data` are the
service's, and what of them a render read is noted (``Seen``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from synctool.errors import BlueprintError

if TYPE_CHECKING:
    from copier._main import Worker


class Seen:
    """What a render read of the service it is for."""

    def __init__(self) -> None:
        self.destination = False  # `_folder_name` or `_copier_conf.dst_path`
        self.service_files = False  # `_external_data`


def at_destination(worker: Worker, dest: Path, seen: Seen) -> None:
    """Make the render see the service ``dest``, not the staging folder:
    `_folder_name`, `_copier_conf.dst_path` and `_external_data` are the
    service's, as they are under `copier copy` and `copier update`."""
    build_context = worker._render_context

    def render_context() -> Any:
        context = build_context()
        context["_folder_name"] = dest.name
        conf = context.get("_copier_conf")
        if isinstance(conf, MutableMapping):
            context["_copier_conf"] = _Conf(conf, PurePath(dest), seen)
        return context

    # `_folder_name` is a plain string: notice its use where Jinja looks it up.
    env = worker.jinja_env

    class NoticingContext(env.context_class):  # type: ignore[name-defined,misc]
        def resolve_or_missing(self, key: str) -> Any:
            if key == "_folder_name":
                seen.destination = True
            return super().resolve_or_missing(key)

    env.context_class = NoticingContext
    worker._render_context = render_context  # type: ignore[method-assign]
    if worker.template.external_data:
        seen.service_files = True
        worker._external_data = lambda: _external_data(worker, dest)  # type: ignore[method-assign]


class _Conf(MutableMapping[str, Any]):
    """copier's `_copier_conf`, with the service's path as `dst_path`."""

    def __init__(self, inner: MutableMapping[str, Any], dest: PurePath, seen: Seen):
        self._inner, self._dest, self._seen = inner, dest, seen

    def __getitem__(self, key: str) -> Any:
        if key == "dst_path":
            self._seen.destination = True
            return self._dest
        return self._inner[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._inner[key] = value

    def __delitem__(self, key: str) -> None:
        del self._inner[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._inner)

    def __len__(self) -> int:
        return len(self._inner)


def _external_data(worker: Worker, dest: Path) -> Any:
    """copier's `_external_data`, read from the service (copier reads its
    destination; synctool's is a staging folder)."""
    from copier._types import LazyDict, Phase
    from copier._user_data import load_answersfile_data

    def load(path: str) -> Any:
        with Phase.use(Phase.UNDEFINED):
            rel = str(worker._render_string(path))
        inside = (dest / rel).resolve().is_relative_to(dest.resolve())
        if not inside and not worker.unsafe:
            raise BlueprintError(
                f"the blueprint reads {rel} (`_external_data`), outside the "
                "service; nothing was written.",
                "Re-run with --trust if you trust it to read that file.",
            )
        return load_answersfile_data(dest, rel, warn_on_missing=True)

    def loader(path: str) -> Callable[[], Any]:
        return lambda: load(path)

    return LazyDict(
        {
            name: loader(str(path))
            for name, path in worker.template.external_data.items()
        }
    )
