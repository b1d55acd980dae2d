"""The last catalog the platform served, kept on disk so the kiosk can offer
services when it starts without a network. Written atomically (tmp, fsync,
rename, fsync dir) so a power cut leaves either the old or the new file.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


class CatalogCache:
    def __init__(self, path: Path):
        self.path = Path(path)

    def load(self) -> dict | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            # A corrupt cache is not fatal: the platform will serve a fresh one.
            log.warning("catalog cache unreadable, ignoring it", extra={"file": str(self.path), "error": str(exc)})
            return None

    def save(self, catalog: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(catalog, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
