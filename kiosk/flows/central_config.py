"""The running kiosk's side of configuration from the centre (kiosk/central_config.py).

Every `fleet.config_poll_s` the bundles are fetched and staged on a worker thread. A staged set
is applied only at an idle moment (attract screen, no citizen): sections declared "runtime" in
`kiosk.settings.REMOTE_APPLY` (the session timeouts) are swapped in at once; anything else asks
the composition to restart the kiosk (`restart_requested`; systemd starts it again, and the new
start reads the layered configuration).

A freshly applied set is on trial: it must pass the self-check (back on the idle screen with
every device healthy, `kiosk.diagnostics.check_device`) within `fleet.config_confirm_s`, else the
last good set is restored (and, when that needs it, the kiosk restarts again). Nothing here
blocks the GUI thread: fetching, disk writes and checks run as background jobs.
"""
from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk import central_config as cc
from kiosk import diagnostics as d
from kiosk.core.session_types import State

log = logging.getLogger(__name__)


class CentralConfigFlow(QObject):
    restart_requested = Signal(str)     # reason; the composition quits so systemd restarts the kiosk

    def __init__(self, controller, store: cc.CentralConfigStore, client, *, poll_s: float, confirm_s: float,
                 session_timeouts, parent=None):
        super().__init__(parent)
        self.controller, self.store, self.client = controller, store, client
        self.poll_s, self.confirm_s = poll_s, confirm_s
        self._session_timeouts = session_timeouts        # KioskConfig -> core Timeouts
        self._staged = False
        self._busy = False
        self._trial_deadline: float | None = None
        self.last_outcome: dict = {}
        self._poll = QTimer(self)
        self._poll.timeout.connect(self.poll_now)
        self._idle = QTimer(self)
        self._idle.setInterval(1000)
        self._idle.timeout.connect(self._tick)

    def start(self) -> None:
        if self.store.state().get("trial"):                 # started with a set on trial (after a restart)
            self._trial_deadline = time.monotonic() + self.confirm_s
        self._staged = bool(self.store.pending())
        self._poll.start(int(self.poll_s * 1000))
        self._idle.start()
        self._report()

    def stop(self) -> None:
        self._poll.stop()
        self._idle.stop()

    def poll_now(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.controller.jobs.run("central-config", lambda: cc.fetch_and_stage(self.client, self.store),
                                 on_done=self._fetched, on_error=lambda _exc: self._done())

    def _done(self) -> None:
        self._busy = False

    def _fetched(self, outcome: dict) -> None:
        self._busy = False
        self.last_outcome = outcome
        self._staged = self._staged or any(value.startswith("staged") for value in outcome.values())

    def _report(self) -> None:
        """Active versions and trial state into the Prometheus metrics, when they are on."""
        metrics = getattr(self.controller, "metrics", None)
        if metrics is not None:
            state = self.store.state()
            metrics.config_bundles({s: b.version for s, b in self.store.active().items()}, bool(state.get("trial")))

    def _idle_now(self) -> bool:
        return self.controller.session.state is State.IDLE and not self._busy

    def _tick(self) -> None:
        if self._trial_deadline is not None:
            self._check_trial()
        elif self._staged and self._idle_now():
            self._apply()

    def _apply(self) -> None:
        self._staged = False
        try:
            result = self.store.apply_pending()
        except Exception as exc:   # disk trouble: keep what runs, try again at the next poll
            log.warning("central config: could not apply: %s", exc)
            return
        if result is None:
            return
        if result.restart:
            self.restart_requested.emit("new central configuration: " + ", ".join(result.changed[:5]))
            return
        self._apply_runtime()
        self._trial_deadline = time.monotonic() + self.confirm_s
        self._report()

    def _apply_runtime(self) -> None:
        config, _sources = self.store.effective()
        self.controller.session.timeouts = self._session_timeouts(config)
        log.info("central config: runtime settings applied")

    def _check_trial(self) -> None:
        if self._idle_now():
            failing = [check.summary for check in (d.check_device(device) for device in
                       (self.controller.id_reader, self.controller.camera, self.controller.printer))
                       if not check.ok]
            if not failing:
                self.store.confirm_good()
                self._trial_deadline = None
                self._report()
                log.info("central config: self-check passed, kept as last good")
                return
            self._last_failure = "; ".join(failing)
        if time.monotonic() >= (self._trial_deadline or 0):
            self._trial_deadline = None
            before = self.store.active()
            self.store.restore_last_good("self-check failed: " + getattr(self, "_last_failure", "idle screen not reached"))
            after = self.store.active()
            changed = cc.changed_keys(cc.build_config(self.store.config_path, before, demo=self.store.demo),
                                      cc.build_config(self.store.config_path, after, demo=self.store.demo))
            if cc.needs_restart(changed):
                self.restart_requested.emit("restored the last good central configuration")
            else:
                self._apply_runtime()
            self._report()
