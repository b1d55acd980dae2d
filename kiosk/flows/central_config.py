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
import random
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
        self._busy = False                                # a fetch, apply, confirm or restore job runs
        self._trial_deadline: float | None = None
        self._last_failure = "the idle screen was not reached"
        self._restart_reason: str | None = None           # asked for; emitted at the next idle moment
        self._fetch_wanted = False
        self._healthy_before: list[str] | None = None     # devices healthy before the change on trial
        self.last_outcome: dict = {}
        self._poll = QTimer(self)
        self._poll.timeout.connect(self.poll_now)
        self._first_poll = QTimer(self)
        self._first_poll.setSingleShot(True)
        self._first_poll.timeout.connect(self.poll_now)
        self._idle = QTimer(self)
        self._idle.setInterval(1000)
        self._idle.timeout.connect(self._tick)

    def start(self) -> None:
        """Reads the store on a worker thread, then polls: the first poll at a random moment within
        one interval, so 10,000 kiosks restarted together do not poll together."""
        def read():
            state = self.store.state()
            return bool(state.get("trial")), bool(self.store.pending()), self._versions(), state.get("healthy_before")
        self._run("central-config-start", read, self._started)
        self._first_poll.start(int(random.uniform(min(5.0, self.poll_s), self.poll_s) * 1000))
        self._poll.start(int(self.poll_s * 1000))
        self._idle.start()

    def _started(self, result) -> None:
        trial, staged, versions, healthy_before = result
        if trial:                                     # started with a set on trial (after a restart)
            self._trial_deadline = time.monotonic() + self.confirm_s
            self._healthy_before = healthy_before
        self._staged = self._staged or staged
        self._report(versions)

    def stop(self) -> None:
        for timer in (self._poll, self._first_poll, self._idle):
            timer.stop()

    def poll_now(self) -> None:
        """Fetch now (or right after the job that is running)."""
        if self._busy:
            self._fetch_wanted = True
            return
        self._fetch_wanted = False
        self._run("central-config-fetch", lambda: cc.fetch_and_stage(self.client, self.store), self._fetched)

    # --- plumbing: every store access is a background job, one at a time ---------------------

    def _run(self, name: str, job, on_done) -> None:
        if self._busy:
            return
        self._busy = True

        def done(result):
            self._busy = False
            on_done(result)
            if self._fetch_wanted:
                self.poll_now()

        def failed(exc):      # disk trouble: keep what runs, try again at the next poll / tick
            self._busy = False
            log.warning("central config: %s failed: %s", name, exc)
            if self._fetch_wanted:
                self.poll_now()
        self.controller.jobs.run(name, job, on_done=done, on_error=failed)

    def _versions(self) -> tuple[dict, bool]:
        return {s: b.version for s, b in self.store.active().items()}, bool(self.store.state().get("trial"))

    def _report(self, versions: tuple[dict, bool]) -> None:
        """Active versions and trial state into the Prometheus metrics, when they are on."""
        metrics = getattr(self.controller, "metrics", None)
        if metrics is not None:
            metrics.config_bundles(*versions)

    def _fetched(self, outcome: dict) -> None:
        self.last_outcome = outcome
        self._staged = self._staged or any(value.startswith("staged") for value in outcome.values())

    def _idle_now(self) -> bool:
        return self.controller.session.state is State.IDLE and not self._busy

    def _tick(self) -> None:
        if not self._idle_now():
            if self._trial_deadline is not None and time.monotonic() >= self._trial_deadline and not self._busy:
                self._restore()
            return
        if self._restart_reason is not None:
            reason, self._restart_reason = self._restart_reason, None
            self.restart_requested.emit(reason)
        elif self._trial_deadline is not None:
            self._check_trial()
        elif self._staged:
            self._staged = False
            healthy = self._healthy_devices()
            self._run("central-config-apply", lambda: self._apply_job(healthy), self._applied)

    # --- applying ----------------------------------------------------------------------------

    def _devices(self):
        return (self.controller.id_reader, self.controller.camera, self.controller.printer)

    def _healthy_devices(self) -> list[str]:
        # Device states are cached by the drivers: no I/O on the GUI thread.
        return [device.name for device in self._devices() if d.check_device(device).ok]

    def _apply_job(self, healthy: list[str]):
        result = self.store.apply_pending(healthy_before=healthy)
        config = self.store.effective()[0] if result is not None and not result.restart else None
        return result, config, self._versions()

    def _applied(self, outcome) -> None:
        result, config, versions = outcome
        self._report(versions)
        if result is None:
            return
        if result.restart:
            self._restart_reason = "new central configuration: " + ", ".join(result.changed[:5])
            return
        self.controller.session.timeouts = self._session_timeouts(config)
        self._healthy_before = result.healthy_before
        log.info("central config: runtime settings applied: %s", ", ".join(result.changed))
        self._trial_deadline = time.monotonic() + self.confirm_s

    # --- the trial ---------------------------------------------------------------------------

    def _check_trial(self) -> None:
        """Passed when, on the idle screen, every device that was healthy before the change still is
        (a printer already out of paper does not condemn a new configuration)."""
        failing = [f"{device.name}: {check.summary}" for device, check in
                   ((device, d.check_device(device)) for device in self._devices())
                   if not check.ok and (self._healthy_before is None or device.name in self._healthy_before)]
        if not failing:
            self._trial_deadline = None

            def confirm():
                self.store.confirm_good()
                return self._versions()
            self._run("central-config-confirm", confirm, self._confirmed)
            return
        self._last_failure = "; ".join(failing)
        if time.monotonic() >= (self._trial_deadline or 0):
            self._restore()

    def _confirmed(self, versions) -> None:
        log.info("central config: self-check passed, kept as last good")
        self._report(versions)

    def _restore(self) -> None:
        self._trial_deadline = None
        reason = "self-check failed: " + self._last_failure

        def restore():
            before = cc.build_config(self.store.config_path, self.store.active(), demo=self.store.demo)
            self.store.restore_last_good(reason)
            after = cc.build_config(self.store.config_path, self.store.active(), demo=self.store.demo)
            return cc.needs_restart(cc.changed_keys(before, after)), after, self._versions()
        self._run("central-config-restore", restore, self._restored)

    def _restored(self, outcome) -> None:
        restart, config, versions = outcome
        self._report(versions)
        if restart:
            self._restart_reason = "restored the last good central configuration"
        else:
            self.controller.session.timeouts = self._session_timeouts(config)
