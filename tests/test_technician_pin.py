"""Technician PIN: scrypt hash format, verification, lockout persisted on disk, and the config keys."""
from __future__ import annotations

import json

import pytest

from kiosk.config import ConfigError, config_from_dict
from kiosk.technician_pin import PinFormatError, PinGuard, hash_pin, verify_pin

PIN_HASH = hash_pin("4711")


def test_hash_is_salted_scrypt_and_verifies_only_the_right_pin():
    again = hash_pin("4711")
    assert PIN_HASH.startswith("scrypt$16384$8$1$") and again != PIN_HASH      # fresh salt every time
    assert verify_pin("4711", PIN_HASH) and verify_pin("4711", again)
    assert not verify_pin("4712", PIN_HASH) and not verify_pin("", PIN_HASH) and not verify_pin("47x1", PIN_HASH)
    # Known answer: hashlib.scrypt with a fixed salt gives a fixed hash.
    fixed = hash_pin("4711", salt=bytes(16))
    assert fixed == hash_pin("4711", salt=bytes(16))
    assert verify_pin("4711", fixed)


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", ""])
def test_bad_pins_are_refused_with_a_typed_error(pin):
    with pytest.raises(PinFormatError):
        hash_pin(pin)


def test_a_damaged_hash_is_a_typed_error():
    with pytest.raises(PinFormatError):
        verify_pin("4711", "scrypt$x$y")


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
        attempt = guard.attempt("0000")
        assert not attempt.accepted and not attempt.locked and attempt.remaining_attempts == remaining
    fifth = guard.attempt("0000")
    assert fifth.locked and fifth.locked_for_s == 600
    # Restart: a new guard on the same file is still locked, also for the right PIN.
    restarted = PinGuard(PIN_HASH, state, max_failures=5, lockout_s=600, clock=clock)
    assert not restarted.attempt("4711").accepted
    assert json.loads(state.read_text())["failures"] == 5
    clock.now += 601
    assert restarted.attempt("4711").accepted
    assert json.loads(state.read_text()) == {"failures": 0, "locked_until": 0.0}


def test_success_resets_the_count(tmp_path):
    guard = PinGuard(PIN_HASH, tmp_path / "l.json", max_failures=3, clock=Clock())
    guard.attempt("0000")
    guard.attempt("0000")
    assert guard.attempt("4711").accepted
    assert guard.attempt("0000").remaining_attempts == 2


def test_corrupt_lockout_file_keeps_the_pad_locked(tmp_path):
    state = tmp_path / "l.json"
    state.write_text("{not json")
    guard = PinGuard(PIN_HASH, state, clock=Clock())
    assert guard.locked_for_s() > 0 and not guard.attempt("4711").accepted


def test_no_configured_hash_never_accepts(tmp_path):
    guard = PinGuard("", tmp_path / "l.json", clock=Clock())
    assert not guard.enabled and not guard.attempt("4711").accepted


@pytest.mark.parametrize("raw,key", [
    ({"technician": {"pin_hash": "plaintext1234"}}, "technician.pin_hash"),
    ({"technician": {"max_failures": 0}}, "technician.max_failures"),
    ({"technician": {"idle_exit_s": 0}}, "technician.idle_exit_s"),
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
    assert config_from_dict({"technician": {"pin_hash": PIN_HASH}}, demo=True).technician.pin_hash == PIN_HASH
