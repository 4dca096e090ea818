"""Where the shared evaluation data lives: $LN_SHARED_DATA, else ../shared/data next to the repo."""

from __future__ import annotations

import os
from pathlib import Path


def shared_data() -> Path:
    env = os.environ.get("LN_SHARED_DATA")
    if env:
        return Path(env)
    return Path.cwd().resolve().parent / "shared" / "data"


def require(path: Path) -> bool:
    """True when the data is there; otherwise say so (the caller exits 0)."""
    if path.exists():
        return True
    print(f"skipped: {path} not found (set LN_SHARED_DATA to the folder holding negex/, e3c_en/, mtsamples/)")
    return False
