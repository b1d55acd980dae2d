"""Citizen session: what the camera reads from paper (issue 16).

Two steps, both optional for the citizen and both with a way forward when the camera
cannot help:

* **MRZ by camera** (state MRZ_ENTRY): `scan_mrz()` asks the controller to read the
  passport photo page's MRZ (command `ScanMrz`); `mrz_scanned(token, key, problem)` answers
  with the chip key (document number, birth and expiry YYMMDD, check digits already right)
  and the chip read starts at once -- or with a problem (`mrz_camera_unreadable`,
  `mrz_camera_check_digits`, `mrz_camera_unavailable`) and the citizen types the key as
  before, the message saying why. A key the chip refuses counts as a wrong entry
  (`mrz_attempts`), like a typed one.
* **Supporting materials** (state SCAN_DOCUMENTS): after the form when the service has a
  *required* scannable material, otherwise offered on the confirmation page
  (`open_documents()`, a button there, for optional materials): `capture_page()` asks for one page of the current material
  (command `CapturePage`); `page_captured` / `page_rejected` answer. Pages can be viewed,
  retaken (`retake_page`), the material switched (`choose_material`); `finish_documents()`
  goes on to the confirmation once every required material has a page. The pages travel
  with `Submit` as attachments and are dropped from the session at once; ending the
  session wipes whatever is left (`_CitizenData`).
"""
from __future__ import annotations

from kiosk.core.catalog import ScanMaterial
from kiosk.core.session_base import SessionBase
from kiosk.core.session_types import CancelDeviceWork, CapturePage, ScanMrz, ScannedPage, State

MRZ_CAMERA_PROBLEMS = ("mrz_camera_unreadable", "mrz_camera_check_digits", "mrz_camera_unavailable")
PAGE_PROBLEMS = ("no_page", "cut_off", "too_dark", "glare", "blurred", "camera_unavailable", "too_many_pages")
EXTENSIONS = {"image/jpeg": "jpg", "image/webp": "webp"}


class DocumentsMixin(SessionBase):
    """MRZ by camera and the supporting-materials step of `CitizenSession`."""

    # --- MRZ by camera ---------------------------------------------------------------------

    def scan_mrz(self) -> None:
        """The citizen laid the passport's photo page under the camera and pressed "Read"."""
        if self.state is not State.MRZ_ENTRY or self.mrz_scanning:
            return
        self.touch()
        self.mrz_scanning = True
        self.mrz_error = None
        self._command(ScanMrz(self.token, self.effective_timeouts.card_read_s))
        self._changed()

    def stop_mrz_scan(self) -> None:
        """"Type instead": stops the camera, the typed fields stay."""
        if self.state is State.MRZ_ENTRY and self.mrz_scanning:
            self.mrz_scanning = False
            self._command(CancelDeviceWork(self.token))
            self._changed()

    def mrz_scanned(self, token: int, key: tuple[str, str, str] | None, problem: str | None = None) -> None:
        """The camera's answer: a checked key (the chip read starts) or why there is none."""
        if token != self.token or self.state is not State.MRZ_ENTRY or not self.mrz_scanning:
            return
        self.mrz_scanning = False
        if key is None:
            self.mrz_error = problem if problem in MRZ_CAMERA_PROBLEMS else "mrz_camera_unreadable"
            self._changed()
            return
        self.mrz_error = None
        self.mrz_from_camera = True
        self._start_card_read(mrz=key)

    # --- supporting materials ------------------------------------------------------------------

    @property
    def scan_materials(self) -> tuple[ScanMaterial, ...]:
        return self.service.scan_materials if self.service is not None else ()

    def pages_of(self, material_id: str) -> tuple[ScannedPage, ...]:
        """The pages captured so far for one material (for the thumbnails)."""
        return tuple(self._data.pages.get(material_id, ()))

    @property
    def page_count(self) -> int:
        return sum(len(pages) for pages in self._data.pages.values())

    def _missing_required_materials(self) -> list[ScanMaterial]:
        return [m for m in self.scan_materials if m.required and not self._data.pages.get(m.id)]

    def open_documents(self) -> None:
        """"Scan documents" on the confirmation page (optional materials)."""
        if self.state is State.CONFIRM and self.scan_materials:
            self._enter_documents()

    def _enter_documents(self) -> None:
        materials = self.scan_materials
        if self.current_material not in {m.id for m in materials}:
            self.current_material = materials[0].id if materials else None
        self.documents_error = None
        self.page_problem = None
        self._go(State.SCAN_DOCUMENTS)

    def _material(self, material_id: str | None) -> ScanMaterial | None:
        return next((m for m in self.scan_materials if m.id == material_id), None)

    def choose_material(self, material_id: str) -> None:
        if self.state is State.SCAN_DOCUMENTS and self._material(material_id) and not self.page_capturing:
            self.touch()
            self.current_material = material_id
            self.page_problem = None
            self._changed()

    def capture_page(self) -> None:
        """"Take this page": the flow takes the next good frame of the current material."""
        material = self._material(self.current_material)
        if self.state is not State.SCAN_DOCUMENTS or material is None or self.page_capturing:
            return
        self.touch()
        if len(self._data.pages.get(material.id, ())) >= material.max_pages:
            self.page_problem = "too_many_pages"
            self._changed()
            return
        self.page_capturing = True
        self.page_problem = None
        self.documents_error = None
        self._command(CapturePage(self.token, material.id, self.effective_timeouts.card_read_s))
        self._changed()

    def page_captured(self, token: int, page: ScannedPage) -> None:
        if token != self.token or self.state is not State.SCAN_DOCUMENTS or not self.page_capturing:
            return
        self.page_capturing = False
        material = self._material(page.material_id)
        if material is not None and page.content_type in EXTENSIONS \
                and len(self._data.pages.get(material.id, ())) < material.max_pages:
            self._data.pages.setdefault(material.id, []).append(page)
        self.touch()
        self._changed()

    def page_rejected(self, token: int, problem: str) -> None:
        """No good page within the time: the last guidance stays on screen (the camera keeps
        showing live guidance; the citizen fixes it and presses again)."""
        if token != self.token or self.state is not State.SCAN_DOCUMENTS or not self.page_capturing:
            return
        self.page_capturing = False
        self.page_problem = problem if problem in PAGE_PROBLEMS else "no_page"
        self._changed()

    def retake_page(self, material_id: str, index: int) -> None:
        """Drop one page (the citizen saw it on the preview and wants it again)."""
        if self.state is not State.SCAN_DOCUMENTS or self.page_capturing:
            return
        pages = self._data.pages.get(material_id)
        if pages is None or not 0 <= index < len(pages):
            return
        self.touch()
        del pages[index]
        if not pages:
            del self._data.pages[material_id]
        self.current_material = material_id
        self._changed()

    def finish_documents(self) -> None:
        """"Done": on to the confirmation, unless a required material has no page yet."""
        if self.state is not State.SCAN_DOCUMENTS or self.page_capturing:
            return
        missing = self._missing_required_materials()
        if missing:
            self.documents_error = "documents_missing"
            self.current_material = missing[0].id
            self._changed()
            return
        self._go(State.CONFIRM)

    def _take_attachments(self) -> tuple[tuple[str, str, bytes], ...]:
        """The pages as (name, content type, bytes), named `<material>-p<n>.<ext>`; the session
        lets go of them (the outbox seals them with the application)."""
        attachments = []
        for material in self.scan_materials:
            for number, page in enumerate(self._data.pages.get(material.id, ()), start=1):
                attachments.append((f"{material.id}-p{number}.{EXTENSIONS[page.content_type]}",
                                    page.content_type, page.data))
        self._data.pages = {}
        return tuple(attachments)
