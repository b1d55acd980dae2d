"""Technician mode: hidden corner gesture + PIN, then diagnostic screens.

    technician = install_technician_mode(window, controller, config)

adds the gesture filter and the (hidden) technician panel to the kiosk window.
`technician.service.exit_requested` is the only way the kiosk application exits.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QApplication

from kiosk.flows.technician import TechnicianService, TechnicianState
from screens.main_window import TouchActivityFilter
from screens.technician.gesture import CornerTapGesture
from screens.technician.panel import TechnicianPanel

__all__ = ["CornerTapGesture", "TechnicianMode", "TechnicianPanel", "TechnicianService", "TechnicianState",
           "install_technician_mode"]


@dataclass
class TechnicianMode:
    service: TechnicianService
    panel: TechnicianPanel
    gesture: CornerTapGesture


def install_technician_mode(window, controller, config, *, log_file=None) -> TechnicianMode:
    service = TechnicianService(controller, config, log_file=log_file)
    panel = TechnicianPanel(service, window.centralWidget())
    gesture = CornerTapGesture(window)
    gesture.triggered.connect(service.request_entry)
    QApplication.instance().installEventFilter(gesture)
    # Any touch while technician mode is open keeps it open.
    QApplication.instance().installEventFilter(TouchActivityFilter(service.touch, window))
    return TechnicianMode(service, panel, gesture)
