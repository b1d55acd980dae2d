"""Rules of over-the-air application updates (docs/updates.md): no I/O, no clock of its own.

* Staged rollout: every kiosk has a fixed bucket 0..9999 from the SHA-256 of its id. A release
  reaches the kiosks whose bucket is below its rollout share (percent, in the release's signed
  TUF custom metadata, set centrally with `main.py release rollout`). The buckets do not depend
  on the version, so the canary share is the same kiosks for every release (operators know
  which halls are canaries) and raising the share only ever adds kiosks.
* Idle: the kiosk may check, download and switch only when the citizen screen has been the
  attract screen (State.IDLE) for a while, never during a citizen session.
* The trial of a new release: after the switch it must pass its self-check (`diagnose` checks
  before it starts, then a first idle screen reached) within a deadline and a number of starts,
  or the guard puts the previous release back (`guard_verdict`).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from enum import Enum

# Key in the archive target's custom "user" metadata: the share in basis points (1/100 %), an
# integer because TUF signs canonical JSON, which has no floating-point numbers.
ROLLOUT_KEY = "rollout_basis_points"
BUCKETS = 10_000


def rollout_bucket(kiosk_id: str) -> int:
    """This kiosk's fixed place in the fleet, 0..9999 (uniform over kiosk ids)."""
    digest = hashlib.sha256(("kiosk-rollout:" + kiosk_id).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def rollout_percent(custom_user: object) -> float:
    """The rollout share a release's signed custom metadata publishes; 0 when it is missing or
    malformed (a release nobody shared reaches nobody)."""
    if not isinstance(custom_user, dict):
        return 0.0
    value = custom_user.get(ROLLOUT_KEY)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    value = float(value) / 100
    if not math.isfinite(value) or value < 0:
        return 0.0
    return min(value, 100.0)


def basis_points(percent: float) -> int:
    """The signed form of a rollout share given in percent (0..100)."""
    if not 0 <= percent <= 100:
        raise ValueError("rollout percent must be 0..100")
    return round(percent * 100)


def in_rollout(kiosk_id: str, percent: float) -> bool:
    """True when a release shared with `percent` % of the fleet is meant for this kiosk."""
    return rollout_bucket(kiosk_id) < round(percent * BUCKETS / 100)


def idle_long_enough(state: str, idle_since: float | None, now: float, min_idle_s: float) -> bool:
    """The citizen screen is the attract screen and has been for `min_idle_s` (an idle beacon
    older than that with state "idle"); any other state, or no beacon, is not idle."""
    return state == "idle" and idle_since is not None and now - idle_since >= min_idle_s


def parse_window(text: str) -> tuple[int, int] | None:
    """"22-6" -> (22, 6): the hours [start, end) in local time when a switch may happen (wrapping
    past midnight); "" -> None (any idle moment). ValueError for anything else."""
    text = text.strip()
    if not text:
        return None
    start_text, sep, end_text = text.partition("-")
    if not sep or not start_text.strip().isdigit() or not end_text.strip().isdigit():
        raise ValueError(f"switch window {text!r}: expected \"START-END\" hours, e.g. \"22-6\"")
    start, end = int(start_text), int(end_text)
    if not (0 <= start <= 23 and 0 <= end <= 24) or start == end:
        raise ValueError(f"switch window {text!r}: hours 0-24, start != end")
    return start, end


def in_window(hour: int, window: tuple[int, int] | None) -> bool:
    """True when a switch may happen at this local hour (outside opening hours)."""
    if window is None:
        return True
    start, end = window
    return start <= hour < end if start < end else (hour >= start or hour < end)


@dataclass(frozen=True)
class Trial:
    """A release on probation: switched to, not yet confirmed good."""
    version: str
    previous: str
    started_at: float          # wall clock of the switch
    starts: int = 0            # kiosk starts seen by the guard since the switch
    self_check: str = "pending"   # pending | passed | passed_offline | failed (diagnose before the first start)

    def to_dict(self) -> dict[str, object]:
        return {"version": self.version, "previous": self.previous, "started_at": self.started_at,
                "starts": self.starts, "self_check": self.self_check}

    @classmethod
    def from_dict(cls, data: object) -> Trial | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(str(data["version"]), str(data["previous"]), float(data["started_at"]),
                       int(data.get("starts", 0)), str(data.get("self_check", "pending")))
        except (KeyError, TypeError, ValueError):
            return None


# Failures that say "no network here right now", not "this release is broken": a 4G cell down
# during the trial must not roll back a good release. TLS, HTTP and the signed heartbeat failing
# while the platform is reachable are the release's fault (CA bundle, client, signing) and count.
NETWORK_ONLY_CHECKS = frozenset({"platform.dns", "platform.tcp"})


def self_check_outcome(checks: list[tuple[str, bool]], healthy: bool) -> str:
    """`diagnose --json` of a release on trial -> passed | passed_offline | failed.
    No checks at all (it did not run, or printed no report) is a failure."""
    if not checks:
        return "failed"
    failed = {name for name, ok in checks if not ok}
    if not failed and healthy:
        return "passed"
    if failed and failed <= NETWORK_ONLY_CHECKS:
        return "passed_offline"
    return "failed"


class Verdict(str, Enum):
    WAIT = "wait"              # still within the deadline, not yet healthy
    CONFIRM = "confirm"        # self-check passed and the first idle screen was reached
    ROLLBACK = "rollback"      # failed its self-check, crashed too often or ran out of time


def guard_verdict(trial: Trial, *, now: float, healthy_version: str | None, deadline_s: float,
                  max_starts: int) -> tuple[Verdict, str]:
    """What the guard does with a release on trial, and why (one line for the log and status)."""
    if trial.self_check == "failed":
        return Verdict.ROLLBACK, "self-check (diagnose) failed"
    if trial.self_check in ("passed", "passed_offline") and healthy_version == trial.version:
        return Verdict.CONFIRM, "self-check passed and the first idle screen was reached"
    if trial.starts > max_starts:
        return Verdict.ROLLBACK, f"started {trial.starts} times without reaching the idle screen"
    if now - trial.started_at > deadline_s:
        return Verdict.ROLLBACK, f"no healthy idle screen within {deadline_s:g} s"
    return Verdict.WAIT, "on trial"
