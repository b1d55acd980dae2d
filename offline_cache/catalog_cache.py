"""The last good catalog the platform served, kept on disk so the kiosk can offer services
when it starts without a network.

A new catalog replaces the cached one only if it (1) parses as JSON, (2) passes the
catalog schema validation and (3) when a verifier is configured, its detached signature
verifies over the exact bytes received. It must also be at most `MAX_BYTES` long and nest
at most `MAX_DEPTH` levels (checked before parsing: deep nesting would exhaust the stack).
Anything else — truncated download, garbage,
a schema violation, a bad signature — is refused: the last good catalog stays in use and
a technician alert is raised. Written atomically (tmp, fsync, rename, fsync dir) so a
power cut leaves either the old or the new file.

Validation is looked up *by name* ("module:function", default `kiosk.core.catalog:parse_catalog`)
so the catalog schema can live with the catalog model (kiosk/core/catalog.py) and change there
without this module changing: the function must raise on an invalid catalog.
"""
from __future__ import annotations

import base64
import importlib
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

log = logging.getLogger(__name__)

DEFAULT_VALIDATOR = "kiosk.core.catalog:parse_catalog"


class CatalogRejected(Exception):
    """A catalog was refused; `code` is one of not_json | too_large | too_deep | schema_invalid |
    signature_missing | signature_invalid."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CatalogAlert:
    code: str
    message: str       # never catalog content
    at: float


class CatalogSignatureVerifier(Protocol):
    def verify(self, data: bytes, signature: bytes) -> None:
        """Raise on a bad signature."""


class Ed25519CatalogVerifier:
    """Detached Ed25519 signature by the platform's catalog key (an SM2 verifier can replace it
    behind the same interface once an SM2 library is adopted; see docs/platform-api.md)."""

    def __init__(self, public_key_pem: bytes):
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
        self._key = load_pem_public_key(public_key_pem)

    def verify(self, data: bytes, signature: bytes) -> None:
        self._key.verify(signature, data)


_SPECIAL = re.compile(rb'[\[\]{}"\\]')


def nesting_depth(raw: bytes, stop_above: int | None = None) -> int:
    """How deeply JSON arrays/objects nest in `raw` (brackets inside strings do not count),
    found without recursion so that a hostile document cannot exhaust the stack.
    Linear: only the bytes [ ] { } " and backslash are visited; stops early past `stop_above`."""
    depth = deepest = 0
    in_string = False
    escaped_at = -1              # position of the character a backslash escapes
    for match in _SPECIAL.finditer(raw):
        position, byte = match.start(), match.group()
        if position == escaped_at:
            continue
        if byte == b"\\":
            escaped_at = position + 1 if in_string else -1
        elif byte == b'"':
            in_string = not in_string
        elif in_string:
            continue
        elif byte in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if stop_above is not None and deepest > stop_above:
                break
        else:
            depth -= 1
    return deepest


def decode_catalog_json(raw: bytes, max_bytes: int, max_depth: int) -> dict:
    """The JSON object in `raw`, or CatalogRejected: too large, too deeply nested, not JSON."""
    if len(raw) > max_bytes:
        raise CatalogRejected("too_large", f"catalog is {len(raw)} bytes (limit {max_bytes})")
    if nesting_depth(raw, stop_above=max_depth) > max_depth:
        raise CatalogRejected("too_deep", f"catalog JSON nests deeper than {max_depth} levels")
    try:
        catalog = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise CatalogRejected("not_json", f"catalog is not JSON (truncated?): {exc}"[:300]) from None
    if not isinstance(catalog, dict):
        raise CatalogRejected("not_json", "catalog is not a JSON object")
    return catalog


def resolve_validator(name: str) -> Callable[[dict], object]:
    module_name, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


class CatalogCache:
    MAX_BYTES = 1_000_000      # the reference catalog is ~0.43 MB as served (305 services), ~0.72 MB at 500
    MAX_DEPTH = 32             # the schema needs 6 levels

    def __init__(self, path: Path, *, validator: str | Callable[[dict], object] = DEFAULT_VALIDATOR,
                 verifier: CatalogSignatureVerifier | None = None, clock: Callable[[], float] = time.time):
        self.path = Path(path)
        self._validator = validator
        self.verifier = verifier
        self._clock = clock
        self._alerts: list[CatalogAlert] = []

    def alerts(self) -> list[CatalogAlert]:
        return list(self._alerts)

    def _alert(self, code: str, message: str) -> None:
        log.error("catalog refused", extra={"code": code, "reason": message})
        self._alerts.append(CatalogAlert(code, message, self._clock()))

    def _validate(self, catalog: dict) -> None:
        validator = resolve_validator(self._validator) if isinstance(self._validator, str) else self._validator
        try:
            validator(catalog)
        except Exception as exc:  # the validator's own error type; any failure means "not valid"
            raise CatalogRejected("schema_invalid", f"catalog fails schema validation: {exc}"[:300]) from exc

    # --- reading ---------------------------------------------------------------------

    def load(self) -> dict | None:
        """The last good catalog, re-validated (a file damaged on disk is not trusted)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._alert("cache_unreadable", f"{self.path}: {exc.strerror}")
            return None
        try:
            catalog = decode_catalog_json(raw, self.MAX_BYTES, self.MAX_DEPTH)
            self._validate(catalog)
        except CatalogRejected as exc:
            self._alert("cache_corrupt", f"{self.path}: cached catalog unusable ({type(exc).__name__})")
            return None
        return catalog

    # --- accepting a new one -----------------------------------------------------------

    def accept(self, raw: bytes, signature: bytes | str | None = None) -> dict:
        """Validate `raw` (the exact bytes served) and, if good, make it the cached catalog.
        Raises `CatalogRejected` (and raises an alert) otherwise; the old file is untouched."""
        try:
            if self.verifier is not None:
                if not signature:
                    raise CatalogRejected("signature_missing", "catalog has no signature but one is required")
                if isinstance(signature, str):
                    try:
                        signature = base64.b64decode(signature, validate=True)
                    except ValueError:
                        raise CatalogRejected("signature_invalid", "catalog signature is not base64") from None
                try:
                    self.verifier.verify(raw, signature)
                except Exception:
                    raise CatalogRejected("signature_invalid", "catalog signature does not verify") from None
            catalog = decode_catalog_json(raw, self.MAX_BYTES, self.MAX_DEPTH)
            self._validate(catalog)
        except CatalogRejected as exc:
            self._alert(exc.code, str(exc))
            raise
        self._write(raw)
        return catalog

    def save(self, catalog: dict) -> None:
        """Compatibility with callers holding a parsed dict (no signature check possible on a dict:
        refused when a verifier is configured)."""
        self.accept(json.dumps(catalog, ensure_ascii=False).encode("utf-8"), None if self.verifier is None else b"")

    def _write(self, raw: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
