"""Technician PIN: salted scrypt hash in the configuration, lockout kept on disk.

    python -m kiosk.technician_pin        (or `python main.py set-pin`)

asks for a PIN twice and prints the `pin_hash = "..."` line for `[technician]`.

The hash format is `scrypt$N$r$p$salt_hex$hash_hex` (hashlib.scrypt, RFC 7914).
N=2**14, r=8, p=1 costs ~16 MB and ~50 ms: slow enough that a stolen kiosk.toml
does not give the PIN away in seconds per guess, fast enough for a PIN pad.

PINs have at least 6 digits (`technician.min_pin_length`, never less than 6): the
pad refuses shorter entries, so a hash made from an older 4-digit PIN no longer opens
it and `set-pin` must be run again.

The lockout escalates: `max_failures` wrong PINs in a row lock the pad for
`lockout_s`, and each further lockout before a correct PIN doubles that, up to
`lockout_max_s`. With the defaults (5 tries, 15 min doubling to 24 h) guessing a
6-digit PIN takes on average ~270 years instead of the ~10 days a fixed 15-minute
lockout allowed for 4 digits. The state (failures in a row, lockouts in a row,
lockouts ever, locked-until time) lives in a small JSON file in the data directory,
written atomically, so pulling the power plug does not reset it; the heartbeat
reports it (`lockout_report`). Wall-clock time is used on purpose: monotonic clocks
restart with the machine.
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
MIN_PIN_LENGTH, MAX_PIN_LENGTH = 6, 12
LOCKOUT_FILE = "technician-lockout.json"


class PinFormatError(ValueError):
    """The PIN or the stored hash is not acceptable (typed error, never a crash)."""


def lockout_state_path(data_dir: str | os.PathLike) -> Path:
    """Where the PIN pad keeps its lockout state (technician screen, heartbeat)."""
    return Path(data_dir) / LOCKOUT_FILE


def check_pin_format(pin: str, min_length: int = MIN_PIN_LENGTH) -> None:
    min_length = max(min_length, MIN_PIN_LENGTH)
    if not pin.isdigit() or not min_length <= len(pin) <= MAX_PIN_LENGTH:
        raise PinFormatError(f"the PIN must be {min_length}-{MAX_PIN_LENGTH} digits")


def hash_pin(pin: str, *, salt: bytes | None = None, min_length: int = MIN_PIN_LENGTH) -> str:
    check_pin_format(pin, min_length)
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
    if not pin.isdigit() or not MIN_PIN_LENGTH <= len(pin) <= MAX_PIN_LENGTH:
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


_FRESH = {"failures": 0, "lockouts": 0, "lockouts_total": 0, "locked_until": 0.0}


def _read_state(path: Path) -> dict:
    """The lockout file's fields; FileNotFoundError when there is none, ValueError when damaged."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {"failures": int(raw.get("failures", 0)), "lockouts": int(raw.get("lockouts", 0)),
                "lockouts_total": int(raw.get("lockouts_total", 0)),
                "locked_until": float(raw.get("locked_until", 0))}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"damaged technician lockout file {path}: {exc}") from None


def lockout_report(state_path: str | os.PathLike, now: float | None = None) -> dict:
    """What the heartbeat says about the PIN pad (no PIN, no hash): wrong PINs in a row,
    lockouts in a row and ever, seconds still locked. A damaged file is reported as such."""
    now = time.time() if now is None else now
    try:
        state = _read_state(Path(state_path))
    except FileNotFoundError:
        state = dict(_FRESH)
    except ValueError:
        return {"pin_failures": None, "pin_lockouts": None, "pin_lockouts_total": None, "pin_locked_for_s": None,
                "pin_state_damaged": True}
    return {"pin_failures": state["failures"], "pin_lockouts": state["lockouts"],
            "pin_lockouts_total": state["lockouts_total"],
            "pin_locked_for_s": round(max(0.0, state["locked_until"] - now), 1)}


class PinGuard:
    """Checks PINs against the configured hash with a persistent, escalating lockout."""

    def __init__(self, pin_hash: str, state_path: Path, *, max_failures: int = 5, lockout_s: float = 900.0,
                 lockout_max_s: float = 86400.0, min_length: int = MIN_PIN_LENGTH, clock=time.time):
        self.pin_hash = pin_hash
        self.state_path = Path(state_path)
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.lockout_max_s = max(lockout_max_s, lockout_s)
        self.min_length = max(min_length, MIN_PIN_LENGTH)
        self.clock = clock

    @property
    def enabled(self) -> bool:
        return bool(self.pin_hash)

    def lockout_for(self, lockouts: int) -> float:
        """Length of the n-th lockout in a row (1-based): lockout_s doubled each time, capped."""
        return min(self.lockout_max_s, self.lockout_s * 2.0 ** min(max(lockouts - 1, 0), 60))

    def _load(self) -> dict:
        try:
            return _read_state(self.state_path)
        except FileNotFoundError:
            return dict(_FRESH)
        except ValueError:
            # A damaged lockout file must not unlock the pad (nor reset the escalation): locked now, longest.
            return {"failures": self.max_failures, "lockouts": 0, "lockouts_total": 0,
                    "locked_until": self.clock() + self.lockout_max_s}

    def _save(self, state: dict) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.state_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8") as handle:
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
        if state["locked_until"]:           # a lockout that has run out: a fresh count, the escalation stays
            state.update(failures=0, locked_until=0.0)
        if self.enabled and len(pin) >= self.min_length and verify_pin(pin, self.pin_hash):
            self._save({**_FRESH, "lockouts_total": state["lockouts_total"]})
            return PinAttempt(True, False, 0, self.max_failures, 0.0)
        state["failures"] += 1
        locked_for = 0.0
        if state["failures"] >= self.max_failures:
            state["lockouts"] += 1
            state["lockouts_total"] += 1
            locked_for = self.lockout_for(state["lockouts"])
            state["locked_until"] = now + locked_for
        self._save(state)
        return PinAttempt(False, locked_for > 0, state["failures"], max(0, self.max_failures - state["failures"]),
                          locked_for)


def prompt_and_hash(stdin=sys.stdin) -> str:
    """Interactive: asks twice (no echo on a terminal); returns the hash."""
    read = getpass.getpass if stdin.isatty() else (lambda prompt: stdin.readline().rstrip("\n"))
    first = read(f"New technician PIN ({MIN_PIN_LENGTH}-{MAX_PIN_LENGTH} digits): ")
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
