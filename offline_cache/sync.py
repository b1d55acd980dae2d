"""The sender: one daemon thread that drains the outbox to the platform.

Everything it needs is in the database (state, attempts, next_attempt_at per row), so a
restarted kiosk simply resumes. Delivery is at-least-once with the submission id as
Idempotency-Key; the platform turns that into exactly-once.

Submissions go out through a `Delivery` (`offline_cache.delivery`; the composition passes
`kiosk.platform.PlatformClient`). Per failed attempt (a `DeliveryError`, classified by the
deliverer):

* retryable -> back to `pending` with next_attempt_at = now + max(full-jitter backoff,
  Retry-After capped at 300 s); counts towards the circuit breaker;
* 401/403 -> also kept and retried, but the whole queue pauses (breaker opened for the
  backoff cap): an expired or revoked device certificate is a technician's problem,
  and the citizens' data must not be dropped because of it;
* other permanent errors -> `dead` (with any rating waiting on it), shown to technicians.

The caller never waits on this thread: it enqueues, calls `kick()` and waits for an
`on_change` with state `delivered` (or gives up and prints an "offline, saved" receipt).
"""
from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable

from offline_cache.backoff import BackoffPolicy, CircuitBreaker
from offline_cache.delivery import Delivery, DeliveryError
from offline_cache.outbox import Outbox, OutboxEntry, OutboxError, UndecryptableEntry

log = logging.getLogger(__name__)

# What of the platform's reply is kept in the outbox (clear text): reference numbers and
# status for the receipt and the progress query, never anything about the applicant.
RESULT_FIELDS = frozenset({
    "application_id", "application_number", "status", "query_token", "query_url", "received_at",
    "expected_completion", "service_id", "rating_id", "recorded", "ticket_number",
})


@dataclass(frozen=True)
class Connectivity:
    """What the screens and the technician need to know about delivery (no personal data).

    Citizen screen: `online is False` -> "offline - your application is saved and will be
    sent automatically", plus `pending`. Technician: everything, including `dead`/alerts.
    """
    online: bool | None            # None until the first attempt this run
    breaker: str                   # closed | open | half_open
    consecutive_failures: int
    last_error: str | None         # short code, e.g. "connection_error", "http_503:injected_fault"
    last_success_at: float | None
    pending: int
    sending: int
    dead: int
    oldest_pending_age_s: float | None
    alerts: tuple = ()             # OutboxAlert codes (database_quarantined, ...)


def public_result(reply: dict) -> dict:
    return {key: value for key, value in reply.items() if key in RESULT_FIELDS}


class SyncWorker:
    def __init__(self, outbox: Outbox, client: Delivery,
                 on_change: Callable[[OutboxEntry], None] | None = None, *,
                 policy: BackoffPolicy | None = None, breaker: CircuitBreaker | None = None,
                 clock: Callable[[], float] = time.time, rng: random.Random | None = None,
                 idle_poll_s: float = 5.0, name: str = "outbox-sync"):
        self.outbox = outbox
        self.client = client
        self.on_change = on_change or (lambda entry: None)
        self.policy = policy or BackoffPolicy()
        self.breaker = breaker or CircuitBreaker(jitter=0.5)
        self._clock = clock          # wall clock: next_attempt_at is persisted across restarts
        self._rng = rng or random.SystemRandom()
        self._idle_poll_s = idle_poll_s   # also re-reads the DB now and then, in case of a missed kick
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._name = name
        self._online: bool | None = None
        self._prefetched: tuple[OutboxEntry, dict] | None = None   # claimed together with the last delivery
        self._last_error: str | None = None
        self._last_success_at: float | None = None

    def connectivity(self) -> Connectivity:
        """Snapshot for the screens and the technician; cheap, callable from any thread."""
        stats = self.outbox.stats()
        return Connectivity(
            online=self._online, breaker=self.breaker.state, consecutive_failures=self.breaker.consecutive_failures,
            last_error=self._last_error, last_success_at=self._last_success_at, pending=stats.pending,
            sending=stats.sending, dead=stats.dead, oldest_pending_age_s=stats.oldest_pending_age_s,
            alerts=tuple(alert.code for alert in self.outbox.alerts()))

    # --- control ------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        self.kick()

    def kick(self) -> None:
        """Look at the queue now (after an enqueue, or when the network comes back)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop and join. Returns False if a request was still running after `timeout`; that
        row stays `sending` and goes back to `pending` when the outbox is next opened."""
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        if thread.is_alive():
            return False
        prefetched, self._prefetched = self._prefetched, None
        if prefetched is not None:   # claimed with the last delivery but never sent: hand it back
            try:
                self.outbox.unclaim(prefetched[0].submission_id)
            except OutboxError as exc:
                log.error("could not release a claimed submission at stop: %s", type(exc).__name__)
        return True

    def is_running(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    # --- loop -----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()   # before looking, so a kick during the step is not lost
            try:
                worked = self._step()
            except Exception as exc:  # a bug or a broken DB must not kill the sender for good
                log.error("sync worker step failed: %s: %s", type(exc).__name__, exc)
                worked = False
            if not worked and not self._stopping.is_set():
                self._wake.wait(self._sleep_s())

    def _sleep_s(self) -> float:
        if not self.breaker.allow_request():
            return max(0.01, min(self.breaker.seconds_until_probe(), self._idle_poll_s))
        try:
            due = self.outbox.next_due_at()
        except OutboxError:
            return self._idle_poll_s
        if due is None:
            return self._idle_poll_s
        if self._probe_due():
            return 0.01
        # The floor keeps a row that is due but not claimable from turning this into a busy loop.
        return min(max(due - self._clock(), 0.01), self._idle_poll_s)

    def _step(self) -> bool:
        """Send at most one submission. True if a row changed (look again at once)."""
        if not self.breaker.allow_request():
            return False
        probing = self.breaker.state != CircuitBreaker.CLOSED
        claimed, self._prefetched = self._prefetched, None
        if claimed is None:
            # Half-open after an outage: probe with the oldest pending row at once rather than waiting
            # for its backoff (up to the 300 s cap) to expire; recovery is noticed within one cool-down.
            claim_at = float("inf") if self._probe_due() else self._clock()
            try:
                claimed = self.outbox.claim_next(claim_at)
            except UndecryptableEntry as exc:
                self._notify(self.outbox.entry(exc.submission_id))
                return True
        if claimed is None:
            return False
        entry, body = claimed
        self._notify(entry)
        try:
            reply = self.client.submit(entry.kind, entry.submission_id, body)
        except DeliveryError as err:
            del body
            self._handle_failure(entry, err)
        except Exception as exc:  # a client bug: keep the row, retry later, say what broke
            del body
            log.error("submission %s: unexpected %s from the platform client", entry.submission_id,
                      type(exc).__name__)
            self._schedule_retry(entry, f"client_{type(exc).__name__}", None)
        else:
            del body
            self._handle_success(entry, reply, probing)
        return True

    def _probe_due(self) -> bool:
        return self.breaker.state == CircuitBreaker.HALF_OPEN and self.breaker.consecutive_failures > 0

    def _handle_success(self, entry: OutboxEntry, reply: dict, probing: bool) -> None:
        outage_ended = probing or self.breaker.consecutive_failures > 0
        self.breaker.record_success()
        self._online, self._last_error, self._last_success_at = True, None, self._clock()
        if outage_ended:
            # The platform answers again: stop waiting out backoff timers that the outage set.
            delivered = self.outbox.mark_delivered(entry.submission_id, public_result(reply), now=self._clock())
            self.outbox.expedite_pending(self._clock())
        elif self._stopping.is_set():
            delivered = self.outbox.mark_delivered(entry.submission_id, public_result(reply), now=self._clock())
        else:
            # Draining: record this delivery and claim the next row in one durable transaction.
            delivered, self._prefetched, undecryptable = self.outbox.mark_delivered_and_claim_next(
                entry.submission_id, public_result(reply), now=self._clock())
            if undecryptable:
                self._notify(self.outbox.entry(undecryptable))
        log.info("submission %s delivered after %d attempt(s)", entry.submission_id, entry.attempts)
        self._notify(delivered)

    def _handle_failure(self, entry: OutboxEntry, err: DeliveryError) -> None:
        self._last_error = err.reason
        # A transport failure or 5xx means "cannot deliver now"; a 4xx answer means the platform is up.
        self._online = not (err.retryable or err.credentials_refused)
        if err.credentials_refused:
            log.error("submission %s: platform refused our credentials (HTTP %s); pausing the queue",
                      entry.submission_id, err.status)
            self.breaker.trip(cooldown_s=self.policy.cap_s)
            self._schedule_retry(entry, err.reason, err.retry_after, count_failure=False)
        elif err.retryable:
            log.warning("submission %s: attempt %d failed (%s); will retry", entry.submission_id,
                        entry.attempts, err.reason)
            self._schedule_retry(entry, err.reason, err.retry_after)
        else:
            log.error("submission %s: rejected permanently (%s); needs a technician", entry.submission_id,
                      err.reason)
            self.breaker.record_success()   # the platform is up; it just said no
            for changed in self.outbox.mark_dead(entry.submission_id, err.reason):
                self._notify(changed)

    def _schedule_retry(self, entry: OutboxEntry, error: str, retry_after: float | None,
                        count_failure: bool = True) -> None:
        if count_failure:
            self.breaker.record_failure()
        delay = self.policy.delay(entry.attempts, retry_after, self._rng)
        self._notify(self.outbox.mark_retry(entry.submission_id, error, self._clock() + delay))

    def _notify(self, entry: OutboxEntry | None) -> None:
        if entry is None:
            return
        try:
            self.on_change(entry)
        except Exception as exc:
            log.error("outbox on_change callback failed: %s", type(exc).__name__)
