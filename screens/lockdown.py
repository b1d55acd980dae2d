"""Kiosk lockdown: nothing a citizen can press leaves the application.

Installed application-wide by main.py for the full-screen kiosk:

* context menus are swallowed (no "Copy"/"Select all" menus on long press or right click);
* key combinations that could quit, close or switch away (Alt+F4, Ctrl+Q, Ctrl+W,
  Alt+Tab, Super, Escape, the F-keys) are swallowed before any widget or shortcut sees
  them, both as ShortcutOverride and KeyPress;
* the window itself ignores close events (KioskWindow.allow_close) and is frameless
  and full screen.

Digits, letters and editing keys still reach the form fields (a USB keyboard or
barcode scanner may be attached). VT switching (Ctrl+Alt+Fn) and X server kill
(Ctrl+Alt+Backspace) are the X server's business: docs/deploy.md turns them off.
Only technician mode (PIN) can exit the application.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt

_BLOCKED_KEYS = {Qt.Key_Escape, Qt.Key_Tab, Qt.Key_Backtab, Qt.Key_Meta, Qt.Key_Super_L, Qt.Key_Super_R,
                 Qt.Key_Menu, Qt.Key_Close, Qt.Key_Exit, Qt.Key_PowerOff, Qt.Key_Sleep}
_BLOCKED_KEYS |= {getattr(Qt, f"Key_F{n}") for n in range(1, 36)}
_MODIFIERS = Qt.AltModifier | Qt.ControlModifier | Qt.MetaModifier


class LockdownFilter(QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.blocked = 0     # how many events were swallowed (technician board / tests)

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind == QEvent.ContextMenu:
            self.blocked += 1
            return True
        if kind in (QEvent.KeyPress, QEvent.KeyRelease, QEvent.ShortcutOverride) and self._blocked_key(event):
            self.blocked += 1
            return True
        return False

    @staticmethod
    def _blocked_key(event) -> bool:
        if event.modifiers() & _MODIFIERS:
            return True
        return event.key() in _BLOCKED_KEYS


def install_lockdown(app, window) -> LockdownFilter:
    lockdown = LockdownFilter(app)
    app.installEventFilter(lockdown)
    window.setContextMenuPolicy(Qt.NoContextMenu)
    app.setQuitOnLastWindowClosed(False)   # even if the window manager destroyed the window
    return lockdown
