"""Language switching with Qt's own i18n (QTranslator + compiled .qm files).

English is the source language; zh_CN and zh_HK come from
screens/i18n/kiosk_<lang>.ts, compiled by `python -m kiosk.i18n_build`
(scripts/bootstrap.sh runs it). Switching language swaps the translator;
screens re-render on the session change that follows.
"""
from __future__ import annotations

import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QTranslator

I18N_DIR = Path(__file__).resolve().parent.parent / "screens" / "i18n"
log = logging.getLogger(__name__)


class LanguageSwitcher:
    # The translator installed on the application, whichever switcher installed
    # it: a second window (tests, a rebuilt kiosk) must not inherit a stale one.
    _installed: QTranslator | None = None
    # One loaded translator per language for the life of the process. Loading a new
    # one at every switch kept each old one alive (parented to the application) with
    # its mapped .qm file: about 19 KB per session, found by bench/soak.py SOAK_SMAPS=1.
    _loaded: dict[tuple[str, str], QTranslator] = {}      # (folder, language) -> translator
    # The .qm bytes each translator reads from. Loaded from memory, not mapped from the file:
    # a mapped file rewritten in place (an update copied over it, the build step re-run)
    # would crash the kiosk with SIGBUS on the next translated text. Qt keeps a pointer to
    # this buffer, so it must live as long as the translator.
    _data: dict[tuple[str, str], bytes] = {}

    def __init__(self, app: QCoreApplication, i18n_dir: Path = I18N_DIR):
        self._app = app
        self._dir = Path(i18n_dir)
        self.language = None

    def switch(self, language: str) -> None:
        if language == self.language:
            return
        if LanguageSwitcher._installed is not None:
            self._app.removeTranslator(LanguageSwitcher._installed)
            LanguageSwitcher._installed = None
        if language != "en":
            translator = self._translator(language)
            if translator is not None:
                self._app.installTranslator(translator)
                LanguageSwitcher._installed = translator
        self.language = language

    def _translator(self, language: str) -> QTranslator | None:
        key = (str(self._dir), language)
        translator = LanguageSwitcher._loaded.get(key)
        if translator is None or not shiboken6.isValid(translator) or translator.parent() is not self._app:
            # First use, or the application it belonged to is gone (tests build several).
            translator = QTranslator(self._app)
            qm = self._dir / f"kiosk_{language}.qm"
            try:
                data = qm.read_bytes()
            except OSError:
                data = b""
            if not data or not translator.load(data):
                # Missing .qm = the build step was skipped; show English rather
                # than crash, and tell the technician through the log.
                log.error("translation file missing or unreadable", extra={"file": str(qm)})
                translator.deleteLater()
                return None
            LanguageSwitcher._loaded[key], LanguageSwitcher._data[key] = translator, data
        return translator
