"""synctool: keep a fleet of services conformant with a versioned blueprint."""

from __future__ import annotations

# Read by the build (pyproject's [tool.hatch.version]); a literal, because
# importlib.metadata costs the pre-commit hook ~10 ms on every commit.
__version__ = "0.1.0"
