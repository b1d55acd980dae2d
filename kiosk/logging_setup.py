"""Structured (JSON-lines) logging with personal data masked on every handler.

The masking filter sits on the handlers, not on loggers, so records from any
library (requests, urllib3, Qt messages) pass through it too. ID and phone
numbers are found by pattern; names cannot be, so the controller registers the
current citizen's name with `SensitiveNames` while a session holds it and
clears it when the session ends.
"""
from __future__ import annotations

import json
import logging
import sys
import threading
import time
from pathlib import Path

from kiosk.core.pii import mask_text
from kiosk.private_files import create_private_file


class SensitiveNames:
    """Names to mask in log lines while a citizen session is active."""

    _lock = threading.Lock()
    _names: tuple[str, ...] = ()

    @classmethod
    def set(cls, *names: str) -> None:
        with cls._lock:
            cls._names = tuple(n for n in names if n)

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls._names = ()

    @classmethod
    def current(cls) -> tuple[str, ...]:
        return cls._names


class PiiMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = mask_text(message, SensitiveNames.current())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text, SensitiveNames.current())
        return True


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, plus `extra` fields."""

    _STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created)) + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._STANDARD and not key.startswith("_"):
                entry[key] = mask_text(str(value), SensitiveNames.current())
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", log_file: Path | None = None, stream=sys.stderr) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk_handler", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level.upper())
    handlers: list[logging.Handler] = []
    if stream is not None:
        handlers.append(logging.StreamHandler(stream))
    if log_file is not None:
        create_private_file(log_file)        # 0600 in a 0700 directory, whatever the umask
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler._kiosk_handler = True
        handler.addFilter(PiiMaskingFilter())
        handler.setFormatter(JsonLineFormatter())
        root.addHandler(handler)
    # requests/urllib3 at DEBUG would log URLs and headers; keep them quiet.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    logging.getLogger("uvicorn").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").disabled = True
