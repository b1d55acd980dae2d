"""Rules of OTA updates (kiosk/core/update_policy.py): rollout buckets, idle, switch window, self-check, trial verdicts."""
from __future__ import annotations

import math

import pytest

from kiosk.core.update_policy import (BUCKETS, Trial, Verdict, guard_verdict, idle_long_enough, in_rollout,
                                      rollout_bucket, rollout_percent, self_check_outcome)


def test_rollout_share_is_deterministic_uniform_and_only_grows():
    ids = [f"KIOSK-GZ-{n:05d}" for n in range(20_000)]
    assert [rollout_bucket(i) for i in ids[:50]] == [rollout_bucket(i) for i in ids[:50]]
    assert all(0 <= rollout_bucket(i) < BUCKETS for i in ids)
    for percent in (1, 10, 50):
        share = sum(in_rollout(i, percent) for i in ids) / len(ids) * 100
        assert abs(share - percent) < max(0.5, percent * 0.1), (percent, share)
    canaries = {i for i in ids if in_rollout(i, 1)}
    assert canaries <= {i for i in ids if in_rollout(i, 10)}      # raising the share only adds kiosks
    assert not any(in_rollout(i, 0) for i in ids) and all(in_rollout(i, 100) for i in ids)


@pytest.mark.parametrize("custom, expected", [
    ({"rollout_basis_points": 1000}, 10.0), ({"rollout_basis_points": 50}, 0.5),
    ({"rollout_basis_points": 25000}, 100.0), ({"rollout_basis_points": -1}, 0.0),
    ({"rollout_basis_points": math.nan}, 0.0), ({"rollout_basis_points": True}, 0.0),
    ({"rollout_basis_points": "5000"}, 0.0), ({"rollout_percent": 50}, 0.0),
    ({}, 0.0), (None, 0.0), ([], 0.0)])
def test_rollout_percent_from_signed_metadata_defaults_to_nobody(custom, expected):
    assert rollout_percent(custom) == expected


def test_idle_only_after_min_idle_on_the_attract_screen():
    assert idle_long_enough("idle", 100.0, 250.0, 120.0)
    assert not idle_long_enough("idle", 200.0, 250.0, 120.0)
    assert not idle_long_enough("busy", 0.0, 250.0, 120.0)
    assert not idle_long_enough("idle", None, 250.0, 0.0)


def test_guard_verdicts():
    trial = Trial("2.0", "1.0", started_at=1000.0, starts=1, self_check="passed")
    verdict = lambda t, now=1010.0, healthy=None: guard_verdict(   # noqa: E731
        t, now=now, healthy_version=healthy, deadline_s=60, max_starts=3)[0]
    assert verdict(trial) is Verdict.WAIT
    assert verdict(trial, healthy="2.0") is Verdict.CONFIRM
    assert verdict(trial, healthy="1.0") is Verdict.WAIT               # the old release's marker does not count
    assert verdict(trial, now=1061.0) is Verdict.ROLLBACK             # deadline
    assert verdict(Trial("2.0", "1.0", 1000.0, starts=4, self_check="passed")) is Verdict.ROLLBACK   # crash loop
    assert verdict(Trial("2.0", "1.0", 1000.0, self_check="failed"), healthy="2.0") is Verdict.ROLLBACK
    assert verdict(Trial("2.0", "1.0", 1000.0, self_check="pending"), healthy="2.0") is Verdict.WAIT
    assert Trial.from_dict(trial.to_dict()) == trial
    assert Trial.from_dict({"version": "x"}) is None and Trial.from_dict("junk") is None


def test_self_check_outcome_tells_a_broken_release_from_a_missing_network():
    ok = [("device.printer", True), ("platform.dns", True), ("platform.tcp", True), ("platform.heartbeat", True)]
    assert self_check_outcome(ok, healthy=True) == "passed"
    offline = [("device.printer", True), ("platform.dns", False)]
    assert self_check_outcome(offline, healthy=False) == "passed_offline"
    assert self_check_outcome([("device.printer", False), ("platform.tcp", False)], healthy=False) == "failed"
    assert self_check_outcome([("device.printer", True), ("platform.heartbeat", False)], healthy=False) == "failed"
    assert self_check_outcome([("device.printer", True), ("platform.tls", False)], healthy=False) == "failed"
    assert self_check_outcome([], healthy=True) == "failed"                  # no report: it did not run
    assert self_check_outcome([("device.printer", True)], healthy=False) == "failed"   # exit code says unhealthy
    trial = Trial("2.0", "1.0", 1000.0, starts=1, self_check="passed_offline")
    assert guard_verdict(trial, now=1001.0, healthy_version="2.0", deadline_s=60, max_starts=3)[0] is Verdict.CONFIRM


def test_switch_window_outside_opening_hours():
    from kiosk.core.update_policy import in_window, parse_window
    night = parse_window("22-6")
    assert night == (22, 6) and parse_window("") is None and parse_window(" 1-5 ") == (1, 5)
    assert [h for h in range(24) if in_window(h, night)] == [0, 1, 2, 3, 4, 5, 22, 23]
    assert [h for h in range(24) if in_window(h, (1, 5))] == [1, 2, 3, 4]
    assert all(in_window(h, None) for h in range(24))
    for bad in ("22", "22-", "a-b", "25-3", "5-5", "-1-3"):
        with pytest.raises(ValueError):
            parse_window(bad)
