"""Retry timing for the sync worker: full-jitter exponential backoff and a small circuit breaker.

Full jitter (Brooker, AWS Architecture Blog 2015): delay = U(0, min(cap, base * 2**n)).
It spreads the retries of many kiosks that lost the network at the same moment, so a
regional outage does not end in a synchronized stampede on the platform.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class BackoffPolicy:
    base_s: float = 1.0
    cap_s: float = 300.0
    retry_after_cap_s: float = 300.0   # a server asking for hours must not park a citizen's file that long

    def delay(self, failed_attempts: int, retry_after_s: float | None = None,
              rng: random.Random | None = None) -> float:
        """Seconds to wait after the `failed_attempts`-th consecutive failure (1-based).

        The server's Retry-After is a lower bound (capped); the jittered backoff may exceed it.
        """
        rng = rng or random
        exponent = max(0, failed_attempts - 1)
        ceiling = min(self.cap_s, self.base_s * (2 ** min(exponent, 62)))
        delay = rng.uniform(0.0, ceiling)
        if retry_after_s is not None and retry_after_s > 0:
            delay = max(delay, min(retry_after_s, self.retry_after_cap_s))
        return delay


class CircuitBreaker:
    """CLOSED: send. OPEN after `failure_threshold` consecutive retryable failures: send
    nothing for `cooldown_s`. HALF_OPEN after the cool-down: one probe; success closes,
    failure re-opens for another cool-down.

    With one worker and one upstream, this only stops the kiosk from hammering a
    platform (or a dead network) with every queued item in turn.
    """

    CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"

    def __init__(self, failure_threshold: int = 5, cooldown_s: float = 30.0, clock=time.monotonic,
                 jitter: float = 0.0, rng: random.Random | None = None):
        """`jitter` spreads each cool-down uniformly over cooldown * [1 - jitter, 1 + jitter]. Kiosks
        that lost the platform at the same moment would otherwise probe it in lock-step every
        cool-down and all reconnect within the same second (see bench/fleet.py)."""
        if not 0.0 <= jitter < 1.0:
            raise ValueError("jitter must be in [0, 1)")
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self.jitter = jitter
        self._rng = rng or random.SystemRandom()
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._cooldown = cooldown_s

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return self.CLOSED
        if self._clock() - self._opened_at >= self._cooldown:
            return self.HALF_OPEN
        return self.OPEN

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def allow_request(self) -> bool:
        return self.state != self.OPEN

    def seconds_until_probe(self) -> float:
        if self._opened_at is None:
            return 0.0
        return max(0.0, self._opened_at + self._cooldown - self._clock())

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None

    def record_failure(self) -> None:
        self._failures += 1
        if self._opened_at is not None or self._failures >= self.failure_threshold:
            self.trip()   # a failed half-open probe re-opens for a full cool-down

    def trip(self, cooldown_s: float | None = None) -> None:
        """Open now (also used to pause the queue when the platform refuses our credentials)."""
        self._opened_at = self._clock()
        base = self.cooldown_s if cooldown_s is None else cooldown_s
        self._cooldown = base * self._rng.uniform(1.0 - self.jitter, 1.0 + self.jitter) if self.jitter else base
