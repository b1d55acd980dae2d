"""What a citizen can do, as the screens see it: the intents interface.

Screens receive a `CitizenIntents` and call it; they never reach into the
controller, a coordinator or a device. `SessionIntents` forwards each intent to
the citizen session (the session answers with commands that the flows carry out).
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class CitizenIntents(Protocol):
    """The citizen's intents, called by the screens on the GUI thread."""

    def start(self) -> None: ...
    def touch(self) -> None: ...
    def set_language(self, language: str) -> None: ...
    def set_care_mode(self, enabled: bool) -> None: ...
    def choose_service(self, service_id: str) -> None: ...
    def begin_service(self) -> None: ...
    def set_field(self, field_id: str, value: str) -> None: ...
    def submit_form(self) -> None: ...
    def confirm(self) -> None: ...
    def finish_receipt(self) -> None: ...
    def rate(self, level, reasons=()) -> None: ...
    def retry(self) -> None: ...
    def back(self) -> None: ...
    def cancel(self) -> None: ...
    def query_number(self, reference: str) -> None: ...
    def submit_mrz(self, document_number: str, birth_yymmdd: str, expiry_yymmdd: str) -> None: ...
    def scan_receipt_qr(self) -> None: ...
    def finish_query(self) -> None: ...
    def call_staff(self) -> None: ...
    def use_app_code(self) -> None: ...
    def scan_app_code(self) -> None: ...
    def use_app_login(self) -> None: ...
    def use_id_card(self) -> None: ...
    # electronic licences (issue 15)
    def choose_licence(self, licence_id: str) -> None: ...
    def print_licence(self) -> None: ...
    def back_to_licences(self) -> None: ...
    def finish_certificates(self) -> None: ...
    def scan_mrz(self) -> None: ...
    def stop_mrz_scan(self) -> None: ...
    def open_documents(self) -> None: ...
    def choose_material(self, material_id: str) -> None: ...
    def capture_page(self) -> None: ...
    def retake_page(self, material_id: str, index: int) -> None: ...
    def finish_documents(self) -> None: ...


class SessionIntents:
    """Forwards every intent to `self.session` (a kiosk.core.session.CitizenSession).

    Used on its own (`SessionIntents(session)`) or as a base of the controller facade,
    which keeps `controller.start()` etc. for the demo tools and tests."""

    def __init__(self, session=None):
        # Optional: as a base of a QObject, PySide6 calls this without arguments.
        if session is not None:
            self.session = session

    def start(self) -> None:
        """The citizen touched the attract screen."""
        self.session.start()

    def touch(self) -> None:
        self.session.touch()

    def set_language(self, language: str) -> None:
        self.session.set_language(language)

    def set_care_mode(self, enabled: bool) -> None:
        self.session.set_care_mode(enabled)

    def choose_service(self, service_id: str) -> None:
        self.session.choose_service(service_id)

    def begin_service(self) -> None:
        self.session.begin_service()

    def set_field(self, field_id: str, value: str) -> None:
        self.session.set_field(field_id, value)

    def submit_form(self) -> None:
        self.session.submit_form()

    def confirm(self) -> None:
        self.session.confirm()

    def finish_receipt(self) -> None:
        self.session.finish_receipt()

    def rate(self, level, reasons=()) -> None:
        self.session.rate(level, tuple(reasons))

    def retry(self) -> None:
        self.session.retry()

    def back(self) -> None:
        self.session.back()

    def cancel(self) -> None:
        self.session.cancel()

    def query_number(self, reference: str) -> None:
        self.session.query_number(reference)

    def submit_mrz(self, document_number: str, birth_yymmdd: str, expiry_yymmdd: str) -> None:
        self.session.submit_mrz(document_number, birth_yymmdd, expiry_yymmdd)

    def scan_receipt_qr(self) -> None:
        self.session.scan_receipt_qr()

    def finish_query(self) -> None:
        self.session.finish_query()

    def call_staff(self) -> None:
        self.session.call_staff()

    # --- identity by phone (kiosk.core.session_phone) ---

    def use_app_code(self) -> None:
        self.session.use_app_code()

    def scan_app_code(self) -> None:
        """The citizen agreed to the consent line: the camera looks for the app's code."""
        self.session.scan_app_code()

    def use_app_login(self) -> None:
        self.session.use_app_login()

    def use_id_card(self) -> None:
        self.session.use_id_card()
    # --- electronic licences (issue 15) ---

    def choose_licence(self, licence_id: str) -> None:
        self.session.choose_licence(licence_id)

    def print_licence(self) -> None:
        self.session.print_licence()

    def back_to_licences(self) -> None:
        self.session.back_to_licences()

    def finish_certificates(self) -> None:
        self.session.finish_certificates()
    # --- paper by camera (kiosk.core.session_documents) ----------------------------------

    def scan_mrz(self) -> None:
        """Read the passport's photo page with the camera instead of typing."""
        self.session.scan_mrz()

    def stop_mrz_scan(self) -> None:
        self.session.stop_mrz_scan()

    def open_documents(self) -> None:
        """"Scan documents" on the confirmation page."""
        self.session.open_documents()

    def choose_material(self, material_id: str) -> None:
        self.session.choose_material(material_id)

    def capture_page(self) -> None:
        self.session.capture_page()

    def retake_page(self, material_id: str, index: int) -> None:
        self.session.retake_page(material_id, index)

    def finish_documents(self) -> None:
        self.session.finish_documents()
