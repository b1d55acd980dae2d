"""Technician PIN: scrypt hash format, verification, escalating lockout persisted on disk, the heartbeat's
report of it, and the config keys."""
from __future__ import annotations

import json

import pytest

from kiosk.config import ConfigError, config_from_dict
from kiosk.heartbeat import build_heartbeat
from kiosk.metrics import KioskMetrics
from kiosk.technician_pin import PinFormatError, PinGuard, hash_pin, lockout_report, verify_pin

PIN = "471108"
PIN_HASH = hash_pin(PIN)


def test_hash_is_salted_scrypt_and_verifies_only_the_right_pin():
    again = hash_pin(PIN)
    assert PIN_HASH.startswith("scrypt$16384$8$1$") and again != PIN_HASH      # fresh salt every time
    assert verify_pin(PIN, PIN_HASH) and verify_pin(PIN, again)
    assert not verify_pin("471109", PIN_HASH) and not verify_pin("", PIN_HASH) and not verify_pin("47x108", PIN_HASH)
    # Known answer: hashlib.scrypt with a fixed salt gives a fixed hash.
    fixed = hash_pin(PIN, salt=bytes(16))
    assert fixed == hash_pin(PIN, salt=bytes(16))
    assert verify_pin(PIN, fixed)


@pytest.mark.parametrize("pin", ["123", "1234", "12345", "1234567890123", "12a456", ""])
def test_bad_pins_are_refused_with_a_typed_error(pin):
    with pytest.raises(PinFormatError):
        hash_pin(pin)


def test_a_damaged_hash_is_a_typed_error():
    with pytest.raises(PinFormatError):
        verify_pin(PIN, "scrypt$x$y")


def test_a_hash_of_an_old_four_digit_pin_no_longer_opens_the_pad(tmp_path):
    import hashlib
    salt = bytes(16)
    legacy = "scrypt$16384$8$1$" + salt.hex() + "$" + hashlib.scrypt(b"4711", salt=salt, n=2 ** 14, r=8, p=1,
                                                                   dklen=32).hex()
    assert not verify_pin("4711", legacy)
    assert not PinGuard(legacy, tmp_path / "l.json", clock=Clock()).attempt("4711").accepted


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def test_lockout_after_five_failures_persists_and_expires(tmp_path):
    clock = Clock()
    state = tmp_path / "lockout.json"
    guard = PinGuard(PIN_HASH, state, max_failures=5, lockout_s=600, clock=clock)
    for remaining in (4, 3, 2, 1):
        attempt = guard.attempt("000000")
        assert not attempt.accepted and not attempt.locked and attempt.remaining_attempts == remaining
    fifth = guard.attempt("000000")
    assert fifth.locked and fifth.locked_for_s == 600
    # Restart: a new guard on the same file is still locked, also for the right PIN.
    restarted = PinGuard(PIN_HASH, state, max_failures=5, lockout_s=600, clock=clock)
    assert not restarted.attempt(PIN).accepted
    assert json.loads(state.read_text())["failures"] == 5
    clock.now += 601
    assert restarted.attempt(PIN).accepted
    assert json.loads(state.read_text()) == {"failures": 0, "lockouts": 0, "lockouts_total": 1, "locked_until": 0.0}


@pytest.mark.slow
def test_lockout_escalates_doubling_up_to_the_cap_and_a_right_pin_resets_it(tmp_path):
    clock = Clock()
    state = tmp_path / "lockout.json"
    guard = PinGuard(PIN_HASH, state, max_failures=5, lockout_s=900, lockout_max_s=86400, clock=clock)
    lockouts = []
    for _ in range(9):
        for _ in range(5):
            attempt = guard.attempt("000000")
        assert attempt.locked
        lockouts.append(attempt.locked_for_s)
        # A restart does not reset the escalation either.
        guard = PinGuard(PIN_HASH, state, max_failures=5, lockout_s=900, lockout_max_s=86400, clock=clock)
        clock.now += attempt.locked_for_s + 1
    assert lockouts == [900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400]
    # Guessing a 6-digit PIN at 5 tries a day: half the space takes centuries, not days.
    assert (10 ** 6 / 2) / 5 * 86400 / (365 * 86400) > 200
    assert guard.attempt(PIN).accepted
    for _ in range(5):
        attempt = guard.attempt("000000")
    assert attempt.locked_for_s == 900                     # escalation starts again after a right PIN
    assert json.loads(state.read_text())["lockouts_total"] == 10


def test_lockouts_are_in_the_heartbeat_and_the_metrics(tmp_path):
    clock = Clock()
    state = tmp_path / "lockout.json"
    assert lockout_report(state, now=clock.now) == {"pin_failures": 0, "pin_lockouts": 0, "pin_lockouts_total": 0,
                                                    "pin_locked_for_s": 0.0}
    guard = PinGuard(PIN_HASH, state, max_failures=3, lockout_s=600, clock=clock)
    for _ in range(3):
        guard.attempt("000000")
    report = lockout_report(state, now=clock.now + 100)
    assert report == {"pin_failures": 3, "pin_lockouts": 1, "pin_lockouts_total": 1, "pin_locked_for_s": 500.0}
    body = build_heartbeat("GD-TEST-1", {"printer": "online"}, "full", None, technician=report)
    assert body["technician"] == report
    metrics = KioskMetrics("GD-TEST-1")
    metrics.update(body)
    sample = metrics.registry.get_sample_value
    assert sample("kiosk_technician_pin_locked") == 1 and sample("kiosk_technician_pin_lockouts") == 1
    assert sample("kiosk_technician_pin_failures") == 3
    state.write_text("{damaged")
    assert lockout_report(state)["pin_state_damaged"] is True


def test_success_resets_the_count(tmp_path):
    guard = PinGuard(PIN_HASH, tmp_path / "l.json", max_failures=3, clock=Clock())
    guard.attempt("000000")
    guard.attempt("000000")
    assert guard.attempt(PIN).accepted
    assert guard.attempt("000000").remaining_attempts == 2


@pytest.mark.faults
def test_corrupt_lockout_file_keeps_the_pad_locked(tmp_path):
    state = tmp_path / "l.json"
    state.write_text("{not json")
    guard = PinGuard(PIN_HASH, state, clock=Clock())
    assert guard.locked_for_s() > 0 and not guard.attempt(PIN).accepted


def test_no_configured_hash_never_accepts(tmp_path):
    guard = PinGuard("", tmp_path / "l.json", clock=Clock())
    assert not guard.enabled and not guard.attempt(PIN).accepted


@pytest.mark.parametrize("raw,key", [
    ({"technician": {"pin_hash": "plaintext1234"}}, "technician.pin_hash"),
    ({"technician": {"max_failures": 0}}, "technician.max_failures"),
    ({"technician": {"idle_exit_s": 0}}, "technician.idle_exit_s"),
    ({"technician": {"min_pin_length": 4}}, "technician.min_pin_length"),
    ({"technician": {"min_pin_length": "6"}}, "technician.min_pin_length"),
    ({"technician": {"lockout_s": 900, "lockout_max_s": 60}}, "technician.lockout_max_s"),
    ({"heartbeat": {"interval_s": 0.5}}, "heartbeat.interval_s"),
    ({"metrics": {"port": 70000}}, "metrics.port"),
    ({"metrics": {"address": ""}}, "metrics.address"),
])
def test_new_config_sections_are_validated(raw, key):
    with pytest.raises(ConfigError) as info:
        config_from_dict(raw, demo=True)
    assert info.value.key == key


def test_new_config_sections_have_safe_defaults():
    config = config_from_dict({}, demo=True)
    assert config.metrics.port == 0 and config.metrics.address == "127.0.0.1"   # off, and localhost when on
    assert config.technician.pin_hash == "" and config.technician.max_failures == 5
    assert config.technician.min_pin_length == 6 and config.technician.lockout_max_s == 86400
    assert config_from_dict({"technician": {"min_pin_length": 8}}, demo=True).technician.min_pin_length == 8
    assert config_from_dict({"technician": {"pin_hash": PIN_HASH}}, demo=True).technician.pin_hash == PIN_HASH


def test_a_site_may_require_longer_pins(tmp_path):
    guard = PinGuard(PIN_HASH, tmp_path / "l.json", min_length=8, clock=Clock())
    assert not guard.attempt(PIN).accepted               # the right 6-digit PIN, but the site wants 8
    with pytest.raises(PinFormatError):
        hash_pin(PIN, min_length=8)
