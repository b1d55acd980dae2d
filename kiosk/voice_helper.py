"""The voice helper process: owns Qt's text-to-speech engine for the kiosk.

Run as `python -m kiosk.voice_helper ENGINE`. It is the only process that
calls into speech-dispatcher, because speech-dispatcher can block any call —
creating the engine, speaking, even destroying it at exit (measured on this
project's build machines: the constructor hung for more than 60 s, and a
process that had spoken never exited). A blocked helper costs nothing: the
kiosk stops waiting and kills it.

Protocol (one JSON object per line, UTF-8):
  kiosk -> helper, on stdin:   {"say": "...", "language": "zh_CN"}   {"stop": true}
  helper -> kiosk, on stdout:  {"event": "ready"}   {"event": "error", "reason": "..."}
                               {"event": "state", "state": "speaking" | "ready" | "error"}
End of stdin (the kiosk closed the pipe or died) ends the helper at once,
without running the engine's destructor, which is one of the calls that hangs.
"""
from __future__ import annotations

import json
import os
import sys
import threading

# Qt locale names for the kiosk languages (espeak-ng voices: cmn = Mandarin, yue = Cantonese).
LOCALES = {"zh_CN": "zh_CN", "zh_HK": "zh_HK", "en": "en_GB"}


def _send(message: dict) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _read_commands(deliver) -> None:
    """stdin reader thread: hands each command to the Qt thread; EOF ends the process."""
    for raw in sys.stdin.buffer:
        try:
            command = json.loads(raw)
        except ValueError:
            continue
        if isinstance(command, dict):
            deliver(command)
    os._exit(0)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m kiosk.voice_helper ENGINE", file=sys.stderr)
        return 2
    engine = argv[1]
    from PySide6.QtCore import QCoreApplication, QLocale, QObject, Signal
    from PySide6.QtTextToSpeech import QTextToSpeech

    class CommandBridge(QObject):
        # Emitted on the reader thread, delivered (queued) on the Qt thread that owns the engine.
        command = Signal(dict)

    app = QCoreApplication([argv[0]])
    bridge = CommandBridge()
    # Reader first: if the engine constructor below hangs, closing stdin still ends this process.
    threading.Thread(target=_read_commands, args=(bridge.command.emit,), name="voice-stdin", daemon=True).start()

    tts = QTextToSpeech(engine)
    if tts.state() == QTextToSpeech.State.Error:
        _send({"event": "error", "reason": tts.errorString() or f"engine {engine!r} reported an error"})
        sys.stdout.flush()
        os._exit(3)
    state_names = {QTextToSpeech.State.Speaking: "speaking", QTextToSpeech.State.Ready: "ready",
                   QTextToSpeech.State.Error: "error"}
    tts.stateChanged.connect(lambda state: _send({"event": "state", "state": state_names.get(state, "ready")}))
    current_language: list[str | None] = [None]

    def run(command: dict) -> None:
        if command.get("stop"):
            tts.stop()
            return
        text, language = command.get("say"), command.get("language", "zh_CN")
        if not isinstance(text, str) or not text:
            return
        if language != current_language[0]:
            tts.setLocale(QLocale(LOCALES.get(language, "zh_CN")))
            current_language[0] = language
        tts.stop()                  # a new step interrupts the previous instruction
        tts.say(text)

    bridge.command.connect(run)
    _send({"event": "ready"})
    app.exec()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
