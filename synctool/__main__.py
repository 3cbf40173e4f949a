from __future__ import annotations

from synctool.entry import main

if __name__ == "__main__":
    main()
