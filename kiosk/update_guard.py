"""The update guard: switches to a staged release at an idle moment, puts a new release on
trial, confirms it or rolls it back by itself (docs/updates.md).

It runs from the last release confirmed good (/opt/kiosk/good/kiosk update-guard), never from
the release on trial, so a release that cannot even start is still rolled back:

* `on_start()` (ExecStartPre of kiosk.service, every start): counts the starts of a release on
  trial; before its first start runs its self-check, `releases/<v>/kiosk diagnose --json`
  (devices, platform link, outbox, catalog) while the devices are free; a failed self-check,
  too many starts (crash loop) or a passed deadline put `current` back to `previous` before
  systemd starts it.
* `step()` (kiosk-update-guard.service, `--watch` every few seconds): confirms a release on trial
  once the kiosk wrote its first-idle health marker (current -> good), rolls back and restarts
  the kiosk when the deadline passed without it, and when nothing is on trial switches to a
  staged release once the kiosk has been idle for min_idle_s, then restarts the kiosk.
* `watch()` also starts `main.py update fetch` in a child process when the kiosk is idle and
  check_interval_s has passed.

The order of writes makes kill -9 harmless at any point: the trial is recorded (atomic state
file) before `previous` and then `current` are switched (atomic renames); a trial whose
`current` was never switched is cancelled by `reconcile()` and tried again at the next idle moment.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from kiosk.core.update_policy import (Trial, Verdict, guard_verdict, idle_long_enough, in_window, parse_window,
                                      self_check_outcome)
from kiosk.update_beacon import HEALTH_FILE, IDLE_FILE, read_beacon
from kiosk.update_layout import ReleaseLayout

log = logging.getLogger(__name__)

PAUSE_ENV = "KIOSK_UPDATE_TEST_PAUSE_AT"    # tests: sleep at a named point so kill -9 lands there


def pause_point(name: str) -> None:
    """Fault-injection hook for the kill -9 tests: does nothing unless the environment names this point."""
    if os.environ.get(PAUSE_ENV) == name:
        print(f"paused at {name}", flush=True)
        time.sleep(60)


class UpdateGuard:
    def __init__(self, layout: ReleaseLayout, settings, data_dir: Path, *, config_path: str = "",
                 diagnose_user: str | None = None, clock=time.time):
        self.layout = layout
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.config_path = config_path
        self.diagnose_user = diagnose_user
        self.clock = clock
        self.window = parse_window(settings.switch_window)     # ValueError for a malformed window

    # --- state --------------------------------------------------------------------------
    def trial(self) -> Trial | None:
        return Trial.from_dict(self.layout.load_state().get("trial"))

    def _save_trial(self, trial: Trial | None, **changes) -> None:
        self.layout.update_state(trial=trial.to_dict() if trial else None, **changes)

    def _record(self, event: str, **details) -> None:
        entry = {"event": event, "at": self.clock(), **details}
        log.warning("update %s", event, extra=details)
        print(json.dumps(entry), flush=True)
        state = self.layout.load_state()
        history = (state.get("history") or [])[-19:] + [entry]
        self.layout.update_state(history=history, last_event=entry)

    def healthy_release(self, trial: Trial) -> str | None:
        marker = read_beacon(self.data_dir / HEALTH_FILE)
        idle_at = marker.get("idle_at")
        if isinstance(idle_at, (int, float)) and idle_at >= trial.started_at:
            return str(marker.get("release"))
        return None

    def kiosk_idle(self) -> bool:
        beacon = read_beacon(self.data_dir / IDLE_FILE)
        since = beacon.get("since")
        return idle_long_enough(str(beacon.get("state")), since if isinstance(since, (int, float)) else None,
                                self.clock(), self.settings.min_idle_s)

    # --- consistency after a crash --------------------------------------------------------
    def reconcile(self) -> None:
        """Make state and links agree after kill -9 or power loss anywhere in a switch."""
        layout = self.layout
        trial = self.trial()
        current = layout.version_of("current")
        if trial is not None and current != trial.version:
            # The trial was recorded but `current` never switched: cancel it; the release stays staged.
            self._save_trial(None, staged=trial.version)
            self._record("switch_cancelled", version=trial.version, reason="interrupted before the switch")
            trial = None
        if not layout.is_runnable(current):
            fallback = next((v for v in (layout.version_of("good"), layout.version_of("previous"))
                             if layout.is_runnable(v)), None)
            if fallback is not None:
                layout.switch("current", fallback)
                self._save_trial(None)
                self._record("current_repaired", version=fallback, was=current)

    # --- the three moves ----------------------------------------------------------------
    def switch_to(self, version: str) -> None:
        layout = self.layout
        current = layout.version_of("current")
        if current is None or not layout.is_runnable(version):
            raise FileNotFoundError(f"cannot switch to {version}: not a complete release")
        trial = Trial(version=version, previous=current, started_at=self.clock())
        self._save_trial(trial)
        pause_point("after_trial_recorded")
        layout.switch("previous", current)
        pause_point("after_previous_link")
        layout.switch("current", version)
        self.layout.update_state(staged=None)
        self._record("switched", version=version, previous=current)

    def rollback(self, trial: Trial, reason: str) -> None:
        layout = self.layout
        back = trial.previous if layout.is_runnable(trial.previous) else layout.version_of("good")
        if back is None or not layout.is_runnable(back):
            self._record("rollback_impossible", version=trial.version, reason=reason)
            return
        layout.switch("current", back)
        refused = sorted(set(layout.load_state().get("refused", [])) | {trial.version})
        self._save_trial(None, refused=refused)
        self._record("rolled_back", version=trial.version, to=back, reason=reason)

    def confirm(self, trial: Trial) -> None:
        self.layout.switch("good", trial.version)
        self._save_trial(None)
        staged = self.layout.load_state().get("staged")
        self.layout.remove_leftovers(keep={staged} if staged else set())
        self._record("confirmed", version=trial.version)

    # --- entry points -------------------------------------------------------------------
    def self_check(self, version: str) -> tuple[str, str]:
        """The new release's own `diagnose` (devices, platform link, outbox, catalog) ->
        (passed | passed_offline | failed, why)."""
        command = [str(self.layout.executable(version)), "diagnose", "--json"]
        if self.config_path:
            command += ["--config", self.config_path]
        try:
            result = subprocess.run(command, capture_output=True, text=True, user=self.diagnose_user,
                                    timeout=self.settings.diagnose_timeout_s)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return "failed", f"diagnose did not run: {type(exc).__name__}: {exc}"
        last = (result.stdout.strip().splitlines() or [""])[-1]
        try:
            report = json.loads(last)
        except ValueError:
            report = {}
        checks = [(str(c.get("name")), bool(c.get("ok"))) for c in report.get("checks", []) if isinstance(c, dict)]
        outcome = self_check_outcome(checks, result.returncode == 0 and report.get("healthy") is True)
        failed = [name for name, ok in checks if not ok]
        return outcome, f"diagnose exit {result.returncode}, failed checks: {failed or 'none'}"

    def verdict(self, trial: Trial) -> tuple[Verdict, str]:
        return guard_verdict(trial, now=self.clock(), healthy_version=self.healthy_release(trial),
                             deadline_s=self.settings.self_check_deadline_s,
                             max_starts=self.settings.max_trial_starts)

    def on_start(self) -> str:
        """ExecStartPre: before every kiosk start. Never fails the start: it only chooses what starts."""
        self.reconcile()
        trial = self.trial()
        if trial is None:
            return "no trial"
        trial = Trial(**{**trial.to_dict(), "starts": trial.starts + 1})
        self._save_trial(trial)
        if trial.self_check == "pending":
            outcome, why = self.self_check(trial.version)
            trial = Trial(**{**trial.to_dict(), "self_check": outcome})
            self._save_trial(trial)
            self._record("self_check", version=trial.version, outcome=outcome, detail=why)
        verdict, why = self.verdict(trial)
        if verdict is Verdict.ROLLBACK:
            self.rollback(trial, why)
            return "rolled back"
        return verdict.value

    def step(self) -> str:
        """One look: confirm, roll back or switch. Returns what it did."""
        self.reconcile()
        trial = self.trial()
        if trial is not None:
            verdict, why = self.verdict(trial)
            if verdict is Verdict.CONFIRM:
                self.confirm(trial)
                return "confirmed"
            if verdict is Verdict.ROLLBACK:
                self.rollback(trial, why)
                self.restart_kiosk()
                return "rolled back"
            return "on trial"
        staged = self.layout.load_state().get("staged")
        if staged and staged != self.layout.version_of("current") and self.layout.is_runnable(staged):
            if not in_window(time.localtime(self.clock()).tm_hour, self.window):
                return "staged, waiting for the switch window"
            if not self.kiosk_idle():
                return "staged, waiting for idle"
            self.switch_to(staged)
            self.restart_kiosk()
            return "switched"
        return "idle" if self.kiosk_idle() else "nothing to do"

    def restart_kiosk(self) -> None:
        command = list(self.settings.restart_command)
        if not command:
            return
        try:
            subprocess.run(command, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            self._record("restart_failed", command=command, error=str(exc))

    def fetch_due(self) -> bool:
        last = self.layout.load_state().get("last_check") or {}
        at = last.get("at") if isinstance(last, dict) else None
        return not isinstance(at, (int, float)) or self.clock() - at >= self.settings.check_interval_s

    def watch(self, interval_s: float, fetch_command: list[str] | None, stop_after: float | None = None,
              fetch_user: str | None = None) -> str:
        """kiosk-update-guard.service: step() every interval_s; a fetch child when idle and due.
        Returns after a confirm or rollback so systemd restarts the guard from the new `good`."""
        started = time.monotonic()
        fetch: subprocess.Popen | None = None
        while stop_after is None or time.monotonic() - started < stop_after:
            did = self.step()
            if did in ("confirmed", "rolled back"):
                if fetch is not None:
                    fetch.wait()
                return did
            if fetch is not None and fetch.poll() is not None:
                fetch = None
            if (fetch is None and fetch_command and self.trial() is None and self.kiosk_idle()
                    and self.fetch_due()):
                fetch = subprocess.Popen(fetch_command, user=fetch_user)
            time.sleep(interval_s)
        if fetch is not None:
            fetch.wait()
        return "stopped"


def fetch_command(config_path: str) -> list[str]:
    """`update fetch` of the release the guard runs from (frozen bundle or `python main.py`).
    `--now`: the guard has just seen the kiosk idle (the fetch user cannot read the kiosk's data dir)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "update", "fetch", "--now", "--config", config_path]
    return [sys.executable, str(Path(__file__).resolve().parents[1] / "main.py"), "update", "fetch", "--now",
            "--config", config_path]
