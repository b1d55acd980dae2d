"""Voice guidance for care mode (适老化): each step's instruction is spoken.

Qt's own QtTextToSpeech (PySide6 Addons) with the `speechd` engine, which needs
speech-dispatcher and an output module such as espeak-ng (voices cmn, yue, en).
When the module, the engine or a working audio output is missing, the kiosk
works silently: `available` is False, `say()` only remembers the text (the
screen still shows it), and the reason is logged once for the technician.

Creating the speechd engine blocks for as long as speech-dispatcher hangs
(measured: > 20 s on a machine without an audio device). That must never
happen on the GUI thread, so the engine is first tried in a short-lived probe
process, off the GUI thread, with a timeout; only an engine that started there
is created in the kiosk.
"""
from __future__ import annotations

import logging
import subprocess
import sys
import threading

log = logging.getLogger(__name__)

# Qt locale names for the kiosk languages (espeak-ng: cmn = Mandarin, yue = Cantonese).
LOCALES = {"zh_CN": "zh_CN", "zh_HK": "zh_HK", "en": "en_GB"}
DEFAULT_ENGINE = "speechd"         # "mock" is Qt's test engine ("should not be deployed")
PROBE_TIMEOUT_S = 8.0
_PROBE = ("import sys\n"
          "from PySide6.QtCore import QCoreApplication\n"
          "from PySide6.QtTextToSpeech import QTextToSpeech\n"
          "app = QCoreApplication([])\n"
          "tts = QTextToSpeech(sys.argv[1])\n"
          "sys.exit(0 if tts.state() != QTextToSpeech.State.Error else 3)\n")


def tts_module_available() -> bool:
    try:
        from PySide6.QtTextToSpeech import QTextToSpeech  # noqa: F401
    except ImportError:   # PySide6 Addons missing, or libpulse0 missing (QtMultimedia needs it)
        return False
    return True


class VoiceGuide:
    def __init__(self, engine: str = DEFAULT_ENGINE, probe: bool = True, probe_timeout_s: float = PROBE_TIMEOUT_S):
        self.engine_name = engine
        self.unavailable_reason: str | None = None
        self.last_spoken: str | None = None
        self.spoken: list[str] = []          # what was said this session (wiped at session end)
        self._tts = None
        self._language = None
        self._engine_ok = threading.Event()
        self._probe_done = threading.Event()
        if not tts_module_available():
            self._unavailable("QtTextToSpeech cannot be loaded (install PySide6 Addons and libpulse0)")
            self._probe_done.set()
            return
        from PySide6.QtTextToSpeech import QTextToSpeech
        if engine not in QTextToSpeech.availableEngines():
            self._unavailable(f"text-to-speech engine {engine!r} not present "
                              f"(have: {', '.join(QTextToSpeech.availableEngines()) or 'none'})")
            self._probe_done.set()
            return
        if probe:
            threading.Thread(target=self._probe, args=(probe_timeout_s,), name="tts-probe", daemon=True).start()
        else:   # an engine known not to block (Qt's mock engine in tests)
            self._engine_ok.set()
            self._probe_done.set()

    def _probe(self, timeout_s: float) -> None:
        try:
            result = subprocess.run([sys.executable, "-c", _PROBE, self.engine_name], capture_output=True,
                                    timeout=timeout_s, env=None)
            if result.returncode == 0:
                self._engine_ok.set()
            else:
                self._unavailable(f"engine {self.engine_name!r} failed to start (exit {result.returncode})")
        except subprocess.TimeoutExpired:
            self._unavailable(f"engine {self.engine_name!r} did not start within {timeout_s:.0f} s "
                              f"(speech-dispatcher without a working audio output?)")
        except OSError as exc:
            self._unavailable(f"engine probe could not run: {exc}")
        finally:
            self._probe_done.set()

    def wait_probe(self, timeout_s: float) -> bool:
        """For tests and start-up diagnostics: True once the probe has finished."""
        return self._probe_done.wait(timeout_s)

    @property
    def available(self) -> bool:
        return self._engine_ok.is_set()

    def _unavailable(self, reason: str) -> None:
        self.unavailable_reason = reason
        log.info("voice guidance unavailable, the kiosk stays silent", extra={"reason": reason})

    def _engine(self):
        if self._tts is None and self._engine_ok.is_set():
            from PySide6.QtTextToSpeech import QTextToSpeech
            self._tts = QTextToSpeech(self.engine_name)   # proven not to block by the probe
        return self._tts

    def say(self, text: str, language: str) -> None:
        """Speak `text` (interrupting what is being said); silent without an engine."""
        if not text or text == self.last_spoken:
            return
        self.last_spoken = text
        self.spoken.append(text)
        tts = self._engine()
        if tts is None:
            return
        if language != self._language:
            from PySide6.QtCore import QLocale
            tts.setLocale(QLocale(LOCALES.get(language, "zh_CN")))
            self._language = language
        tts.stop()
        tts.say(text)

    def stop(self) -> None:
        self.last_spoken = None
        self.spoken.clear()
        if self._tts is not None:
            self._tts.stop()

    @property
    def state(self) -> str:
        """"speaking", "ready", "error" or "silent" (no engine)."""
        if self._tts is None:
            return "silent"
        from PySide6.QtTextToSpeech import QTextToSpeech
        return {QTextToSpeech.State.Speaking: "speaking", QTextToSpeech.State.Ready: "ready",
                QTextToSpeech.State.Error: "error"}.get(self._tts.state(), "ready")
