"""Simulated scanner: an in-memory transport (tests and the demo). `inject(data)` is a scan."""
from __future__ import annotations

import queue

from devices.scanner.interface import BarcodeScanner, ScannerCapabilities


class SimScanner(BarcodeScanner):
    capabilities = ScannerCapabilities("sim")

    def __init__(self, parent=None, **options):
        super().__init__(parent, **options)
        self._chunks: queue.Queue[bytes] = queue.Queue()

    def inject(self, data: bytes) -> None:
        """Bytes as the scanner would send them (a code is b"134567890123456789\\r")."""
        self._chunks.put(bytes(data))

    def _read_chunk(self, timeout_s: float) -> bytes:
        try:
            return self._chunks.get(timeout=timeout_s)
        except queue.Empty:
            return b""
