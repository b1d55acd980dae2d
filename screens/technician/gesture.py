"""The hidden gesture that opens technician mode: N taps in a screen corner within T seconds.

A citizen does not tap an empty corner five times in a row by accident; a technician
knows to. The taps are observed by an application-wide event filter and are NOT
consumed, so the corner keeps working for whatever is drawn there.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Signal

TAPS_NEEDED = 5
WINDOW_S = 3.0
CORNER_PX = 90


class CornerTapGesture(QObject):
    triggered = Signal()

    def __init__(self, window, taps: int = TAPS_NEEDED, window_s: float = WINDOW_S, corner_px: int = CORNER_PX,
                 clock=time.monotonic):
        super().__init__(window)
        self.window = window
        self.taps, self.window_s, self.corner_px = taps, window_s, corner_px
        self.clock = clock
        self._times: list[float] = []
        self._last_event = None

    def eventFilter(self, watched, event) -> bool:
        if event.type() in (QEvent.MouseButtonPress, QEvent.TouchBegin) and watched.isWidgetType() \
                and watched.window() is self.window:
            point = event.globalPosition().toPoint()
            # One press is offered to the widget and then to each parent that ignores it:
            # count it once.
            key = (event.timestamp(), point.x(), point.y())
            if key != self._last_event:
                self._last_event = key
                self.tap_at(self.window.mapFromGlobal(point))
        return False

    def tap_at(self, local_point) -> None:
        # The top-left corner of the window: away from every citizen control.
        if local_point.x() > self.corner_px or local_point.y() > self.corner_px or local_point.x() < 0 \
                or local_point.y() < 0:
            self._times.clear()
            return
        now = self.clock()
        self._times = [t for t in self._times if now - t <= self.window_s] + [now]
        if len(self._times) >= self.taps:
            self._times.clear()
            self.triggered.emit()
