from __future__ import annotations

from synctool.cli import main

if __name__ == "__main__":
    main()
