"""What every coordinator shares: the parts of a running kiosk, the session, the
view model, the background-job helper and the two repaint requests."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject

from kiosk.config import KioskConfig
from kiosk.flows.jobs import BackgroundJobs
from kiosk.flows.view import KioskView

UNAVAILABLE = ("noDevice", "hardwareError", "offline")   # device statuses in which it cannot be used


@dataclass
class FlowContext:
    """Shared by the coordinators; built once by the controller facade."""
    config: KioskConfig
    session: Any                 # kiosk.core.session.CitizenSession
    view: KioskView
    jobs: BackgroundJobs
    changed: Callable[[], None]           # the view or session changed: the window renders
    preview_changed: Callable[[], None]   # only the camera preview changed: the preview repaints
    id_reader: Any
    camera: Any
    printer: Any
    face_verifier: Any
    outbox: Any
    sync_worker: Any
    platform_client: Any
    catalog_cache: Any
    document_camera: Any = None           # a second camera for paper; None = the main camera


class Coordinator(QObject):
    """Base of the flows: a QObject (so device signals connected to its methods are
    delivered on the GUI thread) holding the shared context."""

    def __init__(self, ctx: FlowContext, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx

    @property
    def session(self):
        return self.ctx.session

    @property
    def view(self) -> KioskView:
        return self.ctx.view
