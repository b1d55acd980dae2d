"""The kiosk view model: non-citizen state the screens show (device and platform
status, the camera preview, receipt extras), kept up to date by the flows."""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QImage


@dataclass
class KioskView:
    """Non-citizen state the screens show, kept by the flows."""
    platform_online: bool | None = None          # None = not known yet
    queue_pending: int = 0
    device_status: dict = field(default_factory=dict)   # name -> DeviceStatus value
    paper_status: str = "unknown"
    camera_image: QImage | None = None
    face_feedback: str | None = None
    catalog_loaded: bool = False
    face_models_ready: bool = False
    receipt_qr_png: bytes | None = None          # progress-query QR for the receipt screen
    payment_qr_png: bytes | None = None          # the payment order's dynamic QR (kiosk/flows/payment.py)
    printer_available: bool | None = None        # None = not known yet; False -> on-screen receipt (+ SMS)
    receipt_sms_to: str | None = None            # masked phone the platform will text the receipt to
    help_requested_state: str | None = None      # screen on which a citizen last pressed Help
    catalog_error: str | None = None             # last catalog refused (technician message)
    card_left_on_reader: bool = False            # session over, ID card still on the reader
    face_progress: float = 0.0                   # 0..1, the face step's progress indicator
