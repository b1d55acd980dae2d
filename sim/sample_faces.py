"""Where the sample face photos live (`../shared/faces` next to the repository).

The photos are test material whose rights were never cleared, so they are read
from the shared folder at run time and never copied into the repository or a
build. `KIOSK_FACES_DIR` or an explicit argument overrides the location.
"""
from __future__ import annotations

import os
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[1]


def faces_dir(override: str | os.PathLike | None = None) -> Path:
    if override:
        return Path(override)
    from_env = os.environ.get("KIOSK_FACES_DIR")
    if from_env:
        return Path(from_env)
    return (_REPO_ROOT / ".." / "shared" / "faces").resolve()
