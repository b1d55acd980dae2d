"""Device board: what the kiosk knows about its devices, for the screens and the heartbeat."""
from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.core import session as s
from kiosk.flows.context import UNAVAILABLE, Coordinator, FlowContext

log = logging.getLogger(__name__)


class DeviceBoard(Coordinator):
    """Owns the view's device lines: each device's status, the printer's paper status and
    whether a paper receipt is possible (known before the receipt step, so the screens
    offer the on-screen receipt and SMS instead), and the citizen's Help press (CallStaff).
    A camera that goes away is reported to `on_camera_lost` (the face flow)."""

    def __init__(self, ctx: FlowContext, *, on_camera_lost: Callable[[], None], parent=None):
        super().__init__(ctx, parent)
        self._on_camera_lost = on_camera_lost
        for device in (ctx.id_reader, ctx.camera, ctx.printer):
            device.status_changed.connect(lambda status, name=device.name: self._on_device_status(name, status))
        ctx.printer.paper_status_changed.connect(self._on_paper_status)

    def call_staff(self, command: s.CallStaff) -> None:
        # The technician/hall system picks this up from the log and the heartbeat.
        self.view.help_requested_state = command.state
        log.warning("citizen asked for help", extra={"session": command.token, "screen": command.state})

    def _on_device_status(self, name: str, status: str) -> None:
        previous = self.view.device_status.get(name)
        self.view.device_status[name] = status
        if name == "printer":
            self._update_printer_available()
        if previous != status:
            log.info("device status", extra={"device": name, "status": status})
            self.ctx.changed()
        if name == "camera" and status in UNAVAILABLE:
            self._on_camera_lost()

    def _on_paper_status(self, status: str) -> None:
        self.view.paper_status = status
        self._update_printer_available()
        self.ctx.changed()

    def _update_printer_available(self) -> None:
        """Known before the receipt step: the screens offer the on-screen receipt (+ SMS) instead."""
        printer = self.ctx.printer
        starting = printer.status().value == "starting"   # not known yet: no notice at boot
        available = None if starting else printer.can_print()
        if available != self.view.printer_available:
            self.view.printer_available = available
            log.info("receipt printing", extra={"available": available, "alert": printer.supply_report()["alert"]})
            self.ctx.changed()
