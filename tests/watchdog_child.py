"""A kiosk-like process for the watchdog test: a Qt event loop with the real GuiWatchdog.

On its first run (no marker file yet) it freezes its GUI thread after FREEZE_AFTER_S, the
way a blocking call on the GUI thread would; on later runs it stays healthy.
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk.watchdog import GuiWatchdog  # noqa: E402

FREEZE_AFTER_S = 1.0


def main() -> None:
    marker = Path(sys.argv[1])
    first_run = not marker.exists()
    marker.write_text(str(os.getpid()))
    app = QApplication(sys.argv[:1])
    watchdog = GuiWatchdog()
    watchdog.start()
    if first_run:
        QTimer.singleShot(int(FREEZE_AFTER_S * 1000), lambda: time.sleep(3600))   # the GUI thread hangs
    app.exec()


if __name__ == "__main__":
    main()
