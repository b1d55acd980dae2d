"""Technician PIN: salted scrypt hash in the configuration, lockout kept on disk.

    python -m kiosk.technician_pin        (or `python main.py set-pin`)

asks for a PIN twice and prints the `pin_hash = "..."` line for `[technician]`.

The hash format is `scrypt$N$r$p$salt_hex$hash_hex` (hashlib.scrypt, RFC 7914).
N=2**14, r=8, p=1 costs ~16 MB and ~50 ms: slow enough that a stolen kiosk.toml
does not give the 4-8 digit PIN away in seconds per guess, fast enough for a PIN pad.

The lockout (failures in a row, locked-until time) lives in a small JSON file in
the data directory, written atomically, so pulling the power plug does not reset
the counter. Wall-clock time is used there on purpose: monotonic clocks restart
with the machine.
"""
from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
MIN_PIN_LENGTH, MAX_PIN_LENGTH = 4, 12


class PinFormatError(ValueError):
    """The PIN or the stored hash is not acceptable (typed error, never a crash)."""


def check_pin_format(pin: str) -> None:
    if not pin.isdigit() or not MIN_PIN_LENGTH <= len(pin) <= MAX_PIN_LENGTH:
        raise PinFormatError(f"the PIN must be {MIN_PIN_LENGTH}-{MAX_PIN_LENGTH} digits")


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    check_pin_format(pin)
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, hash_hex = stored.split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        n, r, p = int(n), int(r), int(p)
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        raise PinFormatError("technician.pin_hash is not a scrypt hash made by `main.py set-pin`") from None
    if not pin.isdigit() or len(pin) > MAX_PIN_LENGTH:
        return False
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected),
                            maxmem=128 * r * (n + p + 2) + 1024)
    return hmac.compare_digest(digest, expected)


@dataclass(frozen=True)
class PinAttempt:
    accepted: bool
    locked: bool                 # the pad is locked (now, or because of this attempt)
    failures: int                # wrong PINs in a row so far
    remaining_attempts: int
    locked_for_s: float          # 0 when not locked


class PinGuard:
    """Checks PINs against the configured hash with a persistent lockout."""

    def __init__(self, pin_hash: str, state_path: Path, *, max_failures: int = 5, lockout_s: float = 900.0,
                 clock=time.time):
        self.pin_hash = pin_hash
        self.state_path = Path(state_path)
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.clock = clock

    @property
    def enabled(self) -> bool:
        return bool(self.pin_hash)

    def _load(self) -> dict:
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
            return {"failures": int(state.get("failures", 0)), "locked_until": float(state.get("locked_until", 0))}
        except FileNotFoundError:
            return {"failures": 0, "locked_until": 0.0}
        except (OSError, ValueError, TypeError, AttributeError):
            # A damaged lockout file must not unlock the pad: treat it as locked now.
            return {"failures": self.max_failures, "locked_until": self.clock() + self.lockout_s}

    def _save(self, state: dict) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.state_path)

    def locked_for_s(self) -> float:
        return max(0.0, self._load()["locked_until"] - self.clock())

    def attempt(self, pin: str) -> PinAttempt:
        """Blocking (scrypt ~50 ms): call it off the GUI thread."""
        state = self._load()
        now = self.clock()
        if state["locked_until"] > now:
            return PinAttempt(False, True, state["failures"], 0, state["locked_until"] - now)
        if state["locked_until"]:           # a lockout that has run out starts a fresh count
            state = {"failures": 0, "locked_until": 0.0}
        if self.enabled and verify_pin(pin, self.pin_hash):
            self._save({"failures": 0, "locked_until": 0.0})
            return PinAttempt(True, False, 0, self.max_failures, 0.0)
        state["failures"] += 1
        if state["failures"] >= self.max_failures:
            state["locked_until"] = now + self.lockout_s
        self._save(state)
        locked = state["locked_until"] > now
        return PinAttempt(False, locked, state["failures"], max(0, self.max_failures - state["failures"]),
                          self.lockout_s if locked else 0.0)


def prompt_and_hash(stdin=sys.stdin) -> str:
    """Interactive: asks twice (no echo on a terminal); returns the hash."""
    read = getpass.getpass if stdin.isatty() else (lambda prompt: stdin.readline().rstrip("\n"))
    first = read("New technician PIN (4-12 digits): ")
    check_pin_format(first)
    if read("Repeat the PIN: ") != first:
        raise PinFormatError("the two PINs differ")
    return hash_pin(first)


def main() -> int:
    try:
        pin_hash = prompt_and_hash()
    except PinFormatError as exc:
        print(f"set-pin: {exc}", file=sys.stderr)
        return 2
    print("Put this line in the [technician] section of kiosk.toml:")
    print(f'pin_hash = "{pin_hash}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
