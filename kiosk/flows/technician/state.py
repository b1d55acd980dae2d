"""What the technician panel shows (`TechnicianState`) and the masked log reader."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtGui import QImage

from kiosk import diagnostics as d
from kiosk.core.pii import mask_text
from offline_cache.queue_admin import format_queue_status

LOG_LINES_SHOWN = 200


@dataclass
class TechnicianState:
    mode: str = "closed"                  # closed | pin | open
    pin_message: str = ""
    pin_locked_for_s: float = 0.0
    busy: set = field(default_factory=set)            # job names running
    report: d.DiagnosticsReport | None = None         # devices + platform + outbox + catalog
    counters: dict = field(default_factory=dict)      # device -> {event: count}
    card_test: dict | None = None                     # masked fields or {"error": reason}
    camera_image: QImage | None = None
    camera_fps: float = 0.0
    camera_faces: int = 0
    scanner_text: str = ""                # barcode-reader test: codes seen, decode timing
    document_image: QImage | None = None  # document camera test: frame with the detected outline
    document_text: str = ""               # its measures against the thresholds
    print_test: str = ""                  # "", "printing", "printed", "failed: <reason>"
    receipts: list = field(default_factory=list)   # recent journal entries (masked), newest first
    reprint: str = ""                     # "", "printing <application no.>", "printed …", "failed: …"
    queue: dict | None = None             # offline_cache.queue_admin.queue_status()
    log_lines: list = field(default_factory=list)
    config_text: str = ""                 # kiosk.central_config.explain_text(): bundles, every key and its source
    payments: dict | None = None          # kiosk.flows.payment.PaymentFlow.summary()
    message: str = ""                     # last action's result line

    def queue_text(self) -> str:
        """The outbox tab's text (as `main.py queue status` prints it); "" before the first refresh."""
        return format_queue_status(self.queue) if self.queue else ""

    def payments_text(self) -> str:
        return payments_text(self.payments)


def read_masked_log(path: Path, last: int | None) -> list[str]:
    """Log lines with ID and phone numbers masked again (defence in depth: the log is already masked)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return []
    if last is not None:
        lines = lines[-last:]
    return [mask_text(line) for line in lines]


def payments_text(summary: dict | None) -> str:
    """The payments tab (统一支付): today's count and sum, pending, last errors; "" before a refresh."""
    if not summary:
        return ""
    fen = summary.get("paid_sum_fen", 0)
    lines = [f"paid today: {summary.get('paid_count', 0)}  sum: {fen // 100}.{fen % 100:02d} CNY",
             f"refunded today: {summary.get('refunded_count', 0)}",
             f"pending (unresolved): {summary.get('pending', 0)}  last sweep unresolved: {summary.get('unresolved', 0)}",
             "last errors:"]
    lines += [f"  {order}: {error}" for order, error in summary.get("last_errors", [])] or ["  -"]
    lines.append("reconcile: python main.py payments reconcile YYYY-MM-DD")
    return "\n".join(lines)
