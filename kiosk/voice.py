"""Voice guidance for care mode (适老化): each step's instruction is spoken.

Qt's own QtTextToSpeech (PySide6 Addons) with the `speechd` engine, which needs
speech-dispatcher and an output module such as espeak-ng (voices cmn, yue, en).

speech-dispatcher can block any call into it — the engine's constructor, a
`say()`, the destructor at exit — for minutes or for ever (seen on this
project's machines, and it hung a whole CI run when the engine was created in
the kiosk process). So the kiosk never loads an engine itself: a helper
process (kiosk/voice_helper.py) owns it. This module only
  * starts the helper on a background thread and waits (off the GUI thread)
    for it to report ready within `start_timeout_s`;
  * queues each utterance (bounded, never blocking: when the helper is stuck,
    utterances are dropped) for a writer thread;
  * reads the helper's state reports on a reader thread;
  * kills the helper on close. If the kiosk itself dies, the helper sees the
    end of its stdin and exits.
When the module, the engine or the helper is missing or stuck, the kiosk works
silently: `available` is False, `say()` only remembers the text (the screen
still shows it), and the reason is logged once for the technician.
"""
from __future__ import annotations

import json
import logging
import queue
import subprocess
import sys
import threading

log = logging.getLogger(__name__)

DEFAULT_ENGINE = "speechd"         # "mock" is Qt's test engine ("should not be deployed")
START_TIMEOUT_S = 8.0
QUEUE_LIMIT = 8                    # utterances waiting for the helper; more are dropped, never waited for
_CLOSE = object()


def tts_module_available() -> bool:
    try:
        from PySide6.QtTextToSpeech import QTextToSpeech  # noqa: F401
    except ImportError:   # PySide6 Addons missing, or libpulse0 missing (QtMultimedia needs it)
        return False
    return True


def helper_command(engine: str) -> list[str]:
    if getattr(sys, "frozen", False):       # PyInstaller build: the kiosk binary has a subcommand for it
        return [sys.executable, "voice-helper", engine]
    return [sys.executable, "-m", "kiosk.voice_helper", engine]


class VoiceGuide:
    """Speaks through the helper process; every method returns at once."""

    def __init__(self, engine: str = DEFAULT_ENGINE, start_timeout_s: float = START_TIMEOUT_S,
                 command: list[str] | None = None):
        self.engine_name = engine
        self.start_timeout_s = start_timeout_s
        self.unavailable_reason: str | None = None
        self.last_spoken: str | None = None
        self._last_language = "zh_CN"
        self.spoken: list[str] = []          # what was said this session (wiped at session end)
        self._command = command or helper_command(engine)
        self._helper_state = "ready"
        self._process: subprocess.Popen | None = None
        self._outgoing: queue.Queue = queue.Queue(maxsize=QUEUE_LIMIT)
        self._ready = threading.Event()
        self._start_finished = threading.Event()
        self._start_lock = threading.Lock()
        self._started = False
        self._closed = False
        self._check_engine = command is None    # the real helper: first make sure the engine exists

    @staticmethod
    def _engine_missing_reason(engine: str) -> str | None:
        if not tts_module_available():
            return "QtTextToSpeech cannot be loaded (install PySide6 Addons and libpulse0)"
        from PySide6.QtTextToSpeech import QTextToSpeech
        engines = QTextToSpeech.availableEngines()     # plugin list only; no engine is created here
        if engine not in engines:
            return f"text-to-speech engine {engine!r} not present (have: {', '.join(engines) or 'none'})"
        return None

    # -- start-up (background) ---------------------------------------------------------------

    def start(self) -> None:
        """Start the helper in the background (idempotent). The first `say()` calls it, so a kiosk
        whose citizens never choose care mode never starts speech-dispatcher."""
        with self._start_lock:
            if self._started or self._closed:
                return
            self._started = True
        threading.Thread(target=self._run_start, name="voice-start", daemon=True).start()

    def _run_start(self) -> None:
        if self._check_engine:
            # Loading QtTextToSpeech (and QtMultimedia with it) takes ~50 ms: here, not on the GUI thread.
            reason = self._engine_missing_reason(self.engine_name)
            if reason:
                self._unavailable(reason)
                self._start_finished.set()
                return
        try:
            self._process = subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.DEVNULL, close_fds=True)
        except OSError as exc:
            self._unavailable(f"voice helper could not start: {exc}")
            self._start_finished.set()
            return
        threading.Thread(target=self._read_reports, args=(self._process,), name="voice-reports",
                         daemon=True).start()
        threading.Thread(target=self._write_commands, args=(self._process,), name="voice-commands",
                         daemon=True).start()
        if not self._ready.wait(self.start_timeout_s) and self.unavailable_reason is None:
            self._unavailable(f"engine {self.engine_name!r} did not start within {self.start_timeout_s:.0f} s "
                              f"(speech-dispatcher without a working audio output?)")
            self._kill()
        self._start_finished.set()
        if self._closed:
            self._kill()

    def _read_reports(self, process: subprocess.Popen) -> None:
        for raw in process.stdout:
            try:
                report = json.loads(raw)
            except ValueError:
                continue
            event = report.get("event") if isinstance(report, dict) else None
            if event == "ready":
                self._helper_state = "ready"
                self._ready.set()
            elif event == "state":
                self._helper_state = str(report.get("state", "ready"))
            elif event == "error":
                self._unavailable(f"engine {self.engine_name!r} failed to start: {report.get('reason')}")
        # End of output: the helper exited (or was killed).
        if not self._closed and self.unavailable_reason is None:
            self._unavailable(f"voice helper exited (code {process.poll()})")
        self._ready.clear()
        self._start_finished.set()

    def _write_commands(self, process: subprocess.Popen) -> None:
        while True:
            command = self._outgoing.get()
            if command is _CLOSE:
                return
            # Still starting (the helper is started by the first instruction): wait for it, so the
            # first instruction in care mode is spoken; a helper that never gets ready drops it.
            if not self._ready.wait(self.start_timeout_s):
                continue
            try:
                process.stdin.write((json.dumps(command, ensure_ascii=False) + "\n").encode("utf-8"))
                process.stdin.flush()       # may block if the helper is stuck; only this thread waits
            except (OSError, ValueError):
                return

    # -- what the window calls (GUI thread, never blocks) -------------------------------------

    def wait_started(self, timeout_s: float) -> bool:
        """For tests and start-up diagnostics: True once the start attempt has ended (ready or not)."""
        return self._ready.is_set() or self._start_finished.wait(timeout_s)

    @property
    def available(self) -> bool:
        return self._ready.is_set() and not self._closed

    @property
    def state(self) -> str:
        """"speaking", "ready", "error" as reported by the helper, or "silent" (no engine)."""
        return self._helper_state if self.available else "silent"

    def say(self, text: str, language: str) -> None:
        """Speak `text` (interrupting what is being said); silent without an engine."""
        if not text or text == self.last_spoken:
            return
        self.last_spoken = text
        self._last_language = language
        self.spoken.append(text)
        self.start()
        self._send({"say": text, "language": language})

    def repeat(self) -> bool:
        """Say the last instruction again (the care mode's "Repeat" button; ADA 707.5.1: speech
        can be repeated). False when nothing has been said this session."""
        if self.last_spoken is None:
            return False
        self.spoken.append(self.last_spoken)
        self.start()
        self._send({"say": self.last_spoken, "language": self._last_language})
        return True

    def stop(self) -> None:
        self.last_spoken = None
        self.spoken.clear()
        if self._started:
            self._send({"stop": True})

    def close(self) -> None:
        """End the helper. Returns at once; the helper is killed, never waited for."""
        self._closed = True
        self.stop()
        try:
            self._outgoing.put_nowait(_CLOSE)
        except queue.Full:
            pass
        self._kill()

    # -- internals ----------------------------------------------------------------------------

    def _send(self, command: dict) -> None:
        if self.unavailable_reason is not None or self._closed:
            return
        try:
            self._outgoing.put_nowait(command)
        except queue.Full:
            log.debug("voice helper is not keeping up; instruction dropped")

    def _kill(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        # SIGKILL, not a polite end of input: closing stdin could wait for the writer thread's
        # blocked write, and a helper stuck inside the engine would not read it anyway.
        process.kill()
        threading.Thread(target=process.wait, name="voice-reap", daemon=True).start()

    def _unavailable(self, reason: str) -> None:
        if self.unavailable_reason is None:
            self.unavailable_reason = reason
            log.info("voice guidance unavailable, the kiosk stays silent", extra={"reason": reason})

