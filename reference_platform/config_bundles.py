"""Signed configuration bundles per group and per kiosk (docs/fleet.md, "Configuration from the centre").

The reference platform publishes a bundle as the exact JSON bytes the kiosk will check
(kiosk/central_config.py) and signs them with its Ed25519 key, the catalog's key, over
`SIGNING_CONTEXT + bytes` (domain separation: a catalog signature never verifies as a bundle).
`GET /config-bundles/{scope}/{target}` serves the bytes with the base64 signature in
`X-Config-Signature`. A real platform builds bundles in its release tooling and signs them in
an HSM; versions only go up (the kiosk refuses an older one).
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import threading

SIGNING_CONTEXT = b"kiosk-config-bundle-v1\n"     # the same constant as kiosk.central_config
SCOPES = ("group", "kiosk")


class ConfigBundles:
    """The published bundles, in memory: (scope, target) -> (bytes, base64 signature)."""

    def __init__(self, signing_key=None):
        self.signing_key = signing_key
        self._bundles: dict[tuple[str, str], tuple[bytes, str]] = {}
        self._lock = threading.Lock()

    def sign(self, raw: bytes) -> str:
        if self.signing_key is None:
            raise RuntimeError("the platform has no signing key: bundles cannot be published")
        return base64.b64encode(self.signing_key.sign(SIGNING_CONTEXT + raw)).decode()

    def publish(self, scope: str, target: str, version: int, settings: dict, *, issued_at: str | None = None) -> bytes:
        """Builds, signs and serves a bundle; returns its bytes."""
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}")
        doc = {"format": 1, "kind": "kiosk-config", "scope": scope, "target": target, "version": version,
               "issued_at": issued_at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "settings": settings}
        raw = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        self.put_raw(scope, target, raw, self.sign(raw))
        return raw

    def put_raw(self, scope: str, target: str, raw: bytes, signature: str) -> None:
        """Serves exactly these bytes and signature (tests use it for damaged bundles)."""
        with self._lock:
            self._bundles[(scope, target)] = (raw, signature)

    def get(self, scope: str, target: str) -> tuple[bytes, str] | None:
        with self._lock:
            return self._bundles.get((scope, target))
