"""The technician's device helpers: the card test and the device event counters."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from kiosk.core.pii import mask_id_number, mask_name


class CardTest(QObject):
    """Owns the technician's card test: one read on the ID reader, of which only masked
    fields (or the failure reason) reach `on_result` on the GUI thread; the document is
    dropped at once."""

    def __init__(self, reader, on_result: Callable[[dict], None], parent: QObject | None = None):
        super().__init__(parent)
        self.reader = reader
        self.on_result = on_result

    def start(self, timeout_s: float = 20.0) -> None:
        self.reader.card_read.connect(self._on_card)
        self.reader.read_failed.connect(self._on_failed)
        self.reader.read_card(timeout_s)

    def _disconnect(self) -> None:
        reader = self.reader
        for signal, slot in ((reader.card_read, self._on_card), (reader.read_failed, self._on_failed)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass

    def _on_card(self, document) -> None:
        self._disconnect()
        self.on_result({
            "card_type": document.card_type.value, "name": mask_name(document.name),
            "id_number": mask_id_number(document.id_number),
            "valid_until": document.valid_until.isoformat() if document.valid_until else "long-term",
            "photo": f"{len(document.photo_jpeg)} bytes" if document.photo_jpeg else "none",
        })

    def _on_failed(self, reason: str, detail: str) -> None:
        self._disconnect()
        self.on_result({"error": reason, "detail": detail})


def count_device_events(id_reader, camera, printer, counters: Callable[[], dict]) -> None:
    """Counters for the device board: reads, failures, prints, status changes since start.
    `counters()` is the technician state's device -> {event: count} dict."""

    def bump(device, event):
        per_device = counters().setdefault(device, {})
        per_device[event] = per_device.get(event, 0) + 1
    id_reader.card_read.connect(lambda _doc: bump("id_reader", "cards_read"))
    id_reader.read_failed.connect(lambda reason, _d: bump("id_reader", f"failed_{reason}"))
    printer.print_done.connect(lambda _job: bump("printer", "printed"))
    printer.print_failed.connect(lambda _job, reason: bump("printer", f"failed_{reason}"))
    for device in (id_reader, camera, printer):
        device.status_changed.connect(lambda _s, name=device.name: bump(name, "status_changes"))
