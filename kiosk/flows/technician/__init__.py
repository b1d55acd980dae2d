"""Technician mode's application side: the service behind the technician panel
(screens/technician), its state, camera preview and device helpers."""
from kiosk.flows.technician.service import TechnicianService
from kiosk.flows.technician.state import (
    LOG_LINES_SHOWN,
    TechnicianState,
    read_masked_log,
)

__all__ = ["LOG_LINES_SHOWN", "TechnicianService", "TechnicianState", "read_masked_log"]
