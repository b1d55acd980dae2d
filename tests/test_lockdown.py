"""Lockdown of the full-screen kiosk window: no context menu, no key combination that closes or
leaves the app, close events ignored; ordinary typing still reaches the form fields."""
from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from kiosk.app import build_kiosk
from screens.lockdown import install_lockdown
from tests.conftest import kiosk_config

pytestmark = pytest.mark.slow


@pytest.fixture
def locked_window(qtbot, tmp_path):
    config = kiosk_config(tmp_path, "http://127.0.0.1:9", kiosk={"fullscreen": True})
    parts = build_kiosk(config)
    qtbot.addWidget(parts.window)
    parts.window.showFullScreen()
    lockdown = install_lockdown(QApplication.instance(), parts.window)
    yield parts, lockdown
    QApplication.instance().removeEventFilter(lockdown)
    QApplication.instance().setQuitOnLastWindowClosed(True)
    parts.close()
    logging.getLogger().handlers.clear()


def test_window_is_frameless_fullscreen_and_ignores_close(qtbot, locked_window):
    parts, _ = locked_window
    window = parts.window
    assert window.windowFlags() & Qt.FramelessWindowHint
    assert window.isFullScreen()
    assert window.close() is False
    assert window.isVisible()


def test_context_menu_events_are_swallowed(qtbot, locked_window):
    parts, lockdown = locked_window
    event = QContextMenuEvent(QContextMenuEvent.Mouse, QPoint(10, 10), parts.window.mapToGlobal(QPoint(10, 10)))
    QApplication.sendEvent(parts.window.centralWidget(), event)
    assert lockdown.blocked == 1
    assert parts.window.contextMenuPolicy() == Qt.NoContextMenu


@pytest.mark.parametrize("key,modifiers", [
    (Qt.Key_F4, Qt.AltModifier), (Qt.Key_Q, Qt.ControlModifier), (Qt.Key_W, Qt.ControlModifier),
    (Qt.Key_Tab, Qt.AltModifier), (Qt.Key_Escape, Qt.NoModifier), (Qt.Key_F11, Qt.NoModifier),
    (Qt.Key_Super_L, Qt.NoModifier), (Qt.Key_Backspace, Qt.ControlModifier | Qt.AltModifier)])
def test_escape_keys_are_swallowed(qtbot, locked_window, key, modifiers):
    parts, lockdown = locked_window
    for kind in (QEvent.ShortcutOverride, QEvent.KeyPress):
        # sendEvent returns True when a filter consumed the event before the window saw it.
        assert QApplication.sendEvent(parts.window, QKeyEvent(kind, key, modifiers)) is True
    assert lockdown.blocked >= 2
    assert parts.window.isVisible()


def test_plain_typing_still_reaches_a_field(qtbot, locked_window):
    parts, lockdown = locked_window
    field = QLineEdit(parts.window.centralWidget())
    field.show()
    field.setFocus()
    qtbot.keyClicks(field, "13812345678")
    assert field.text() == "13812345678"
    assert lockdown.blocked == 0
