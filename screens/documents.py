"""Supporting materials by camera: the live view with the page outline and one line of
guidance, the materials of the service (required ones marked), the pages taken so far as
thumbnails, each with "Retake", and "Take this page" / "Done".

Pages are personal data: the thumbnails are made from the session's compressed pages at
render time and dropped with the screen (`wipe`); nothing is written to disk here.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from screens.base import KioskView, Screen, clear_layout
from screens.texts import DOCUMENT_GUIDANCE, tr
from screens.widgets import WrappingButton, big_button, label, touch_scroll_area

THUMB_HEIGHT = 110
PREVIEW_SIZE = (240, 135)   # the minimum (care mode at 1280 x 800, with two lines of guidance); it grows


def page_pixmap(data: bytes, height: int = THUMB_HEIGHT) -> QPixmap:
    """A page's small JPEG thumbnail (made on the camera worker), decoded by Qt in memory."""
    image = QImage.fromData(data)
    if image.isNull():
        return QPixmap()
    return QPixmap.fromImage(image.scaledToHeight(height, Qt.SmoothTransformation))


class DocumentScanScreen(Screen):
    compact_spacing = True      # the preview, its guidance and the buttons in 800 px in care mode

    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.hint = label(role="subtitle")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.hint)
        body = QHBoxLayout()
        left = QVBoxLayout()
        self.preview = QLabel()
        self.preview.setObjectName("documentPreview")
        self.preview.setTextFormat(Qt.PlainText)           # shows a pixmap or our own status text
        self.preview.setMinimumSize(*PREVIEW_SIZE)
        # The pixmap never sizes the label (a large frame would push the buttons off screen).
        self.preview.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        self.preview.setAlignment(Qt.AlignCenter)
        left.addWidget(self.preview, 1)
        self.guidance = label(role="subtitle")
        self.guidance.setObjectName("documentGuidance")
        left.addWidget(self.guidance)
        self.error = label(role="error")
        self.error.setObjectName("error")
        left.addWidget(self.error)
        body.addLayout(left, 3)
        right = QVBoxLayout()
        self.materials_host = QWidget()
        self.materials = QVBoxLayout(self.materials_host)
        right.addWidget(touch_scroll_area(self.materials_host), 1)
        self.pages_host = QWidget()
        self.pages = QGridLayout(self.pages_host)        # thumbnails: page, caption, Retake
        right.addWidget(touch_scroll_area(self.pages_host), 1)
        body.addLayout(right, 2)
        self.layout_.addLayout(body, 1)
        row = QHBoxLayout()
        self.back_button = big_button()
        self.back_button.clicked.connect(intents.back)
        self.capture_button = big_button(name="capturePage")
        self.capture_button.clicked.connect(intents.capture_page)
        self.done_button = big_button(primary=True, name="documentsDone")
        self.done_button.clicked.connect(intents.finish_documents)
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.capture_button)
        row.addWidget(self.done_button)
        self.layout_.addLayout(row)
        self.retake_buttons: list[QPushButton] = []
        self._thumbnails: dict[int, QPixmap] = {}     # id(page) -> pixmap, dropped with the pages
        self._shown_pages: tuple = ()                  # what the thumbnails row shows now
        self._shown_materials: tuple = ()              # what the materials list shows now

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Scan your documents"))
        self.hint.setText(tr("Lay each page flat under the camera, then press \"Take this page\". The pages go "
                             "with your application and are not kept on this kiosk."))
        self._render_guidance(session, view)
        problem = session.documents_error or session.page_problem
        self.error.setText(tr(DOCUMENT_GUIDANCE[problem]) if problem in DOCUMENT_GUIDANCE else "")
        self.error.setVisible(bool(self.error.text()))
        self._render_materials(session)
        self._render_pages(session)
        self.back_button.setText(tr("Back"))
        self.capture_button.setText(tr("Taking the page…") if session.page_capturing else tr("Take this page"))
        self.capture_button.setEnabled(not session.page_capturing)
        self.done_button.setText(tr("Done"))
        self.done_button.setEnabled(not session.page_capturing)
        self.render_preview(session, view)

    def render_preview(self, session, view: KioskView) -> None:
        self._render_guidance(session, view)
        image = view.document_image
        if image is None:
            self.preview.setPixmap(QPixmap())
            self.preview.setText(tr("Starting the camera…"))
            return
        pixmap = QPixmap.fromImage(image).scaled(self.preview.width(), self.preview.height(),
                                                 Qt.KeepAspectRatio, Qt.SmoothTransformation)
        self.preview.setPixmap(pixmap)

    def _render_guidance(self, session, view: KioskView) -> None:
        key = view.document_guidance
        if view.document_image is None:
            text = ""
        elif key is None:
            text = tr("Hold still — taking the page…") if session.page_capturing else \
                tr("The page looks good. Press \"Take this page\".")
        else:
            text = tr(DOCUMENT_GUIDANCE.get(key, DOCUMENT_GUIDANCE["no_page"]))
        self.guidance.setText(text)

    def _render_materials(self, session) -> None:
        shown = (session.token, session.language, session.care_mode, session.current_material) + tuple(
            (m.id, len(session.pages_of(m.id))) for m in session.scan_materials)
        if shown == self._shown_materials:
            return                  # the same list: keep the buttons (this screen renders at every guidance change)
        self._shown_materials = shown
        clear_layout(self.materials)
        for material in session.scan_materials:
            count = len(session.pages_of(material.id))
            marker = "▶ " if material.id == session.current_material else ""
            need = tr("required") if material.required else tr("optional")
            # Catalog names are long (and longer in care mode): a wrapping button, never clipped.
            button = WrappingButton(f"{marker}{material.name(session.language)} ({need})\n"
                                    + tr("%d of at most %d pages") % (count, material.max_pages))
            button.setObjectName(f"material-{material.id}")
            button.clicked.connect(lambda _=False, m=material.id: self.intents.choose_material(m))
            self.materials.addWidget(button)
        self.materials.addStretch(1)

    def _render_pages(self, session) -> None:
        shown = (session.language, session.care_mode) + tuple(
            (m.id, id(page)) for m in session.scan_materials for page in session.pages_of(m.id))
        if shown == self._shown_pages and self.retake_buttons:
            return                                      # same pages: keep the widgets (no churn per frame)
        self._shown_pages = shown
        live = {page_id for _m, page_id in shown[2:]}
        self._thumbnails = {k: v for k, v in self._thumbnails.items() if k in live}
        clear_layout(self.pages)
        self.retake_buttons = []
        column = 0
        for material in session.scan_materials:
            for index, page in enumerate(session.pages_of(material.id)):
                thumb = QLabel()
                thumb.setTextFormat(Qt.PlainText)
                thumb.setObjectName("pageThumbnail")
                if id(page) not in self._thumbnails:
                    self._thumbnails[id(page)] = page_pixmap(page.thumbnail)
                thumb.setPixmap(self._thumbnails[id(page)])
                thumb.setMinimumSize(self._thumbnails[id(page)].size())   # never squeezed to a stamp
                caption = label(tr("Page %d") % (index + 1))   # the material is named in the list beside
                retake = big_button(tr("Retake"), name=f"retake-{material.id}-{index}")
                retake.clicked.connect(lambda _=False, m=material.id, i=index: self.intents.retake_page(m, i))
                self.retake_buttons.append(retake)
                row = column // 2 * 3          # two pages side by side, as many rows as needed
                self.pages.addWidget(thumb, row, column % 2)
                self.pages.addWidget(caption, row + 1, column % 2)
                self.pages.addWidget(retake, row + 2, column % 2)
                column += 1

    def wipe(self) -> None:
        super().wipe()
        self.preview.setPixmap(QPixmap())
        clear_layout(self.pages)
        clear_layout(self.materials)
        self.retake_buttons = []
        self._thumbnails = {}
        self._shown_pages = ()
        self._shown_materials = ()
        self.error.clear()
        self.guidance.clear()
