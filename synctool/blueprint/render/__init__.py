"""Rendering a blueprint: the only package that imports copier (lazily).

copier renders into a private staging folder; synctool then reads the result
into memory as a tree (path -> bytes + mode) and decides itself what reaches
the service. So a blueprint that tries to write outside the service, into
``.git``, or through a symlink is stopped before anything is written.

``render`` (entry.py) is the way in; one copier run is run.py, and the rest
is what it hands copier or reads back from it: hooks.py (prompts, operation,
stderr), answers.py and recorded.py (answers given now and recorded),
destination.py (the service the render is for), taskcontext.py (what tasks
get), policy.py (the blueprint's synctool.yml, _skip_if_exists), result.py
(``Rendered``) and job.py (one render as asked).
"""

from synctool.blueprint.render.entry import render

__all__ = ["render"]
