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
    app_login_qr_png: bytes | None = None        # identity by phone: the app-login QR (made off the GUI thread)
    document_printer_ready: bool | None = None   # A4 printer (issue 15): None = not known yet
    # The choose-service screen's search index (kiosk.core.service_search.ServiceSearch) for the
    # session's catalog, built with it off the GUI thread; None until then (browsing still works).
    service_search: object | None = None
    # Paper under the document camera (kiosk/flows/documents.py): the outlined preview, the
    # guidance key (kiosk.document_capture.GUIDANCE_KEYS or None = good), and the measures
    # (sharpness, glare share, brightness) for the technician's test screen.
    document_image: QImage | None = None
    document_guidance: str | None = None
    document_measures: tuple[float, float, float] | None = None
