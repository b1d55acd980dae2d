"""SyncWorker: backoff and breaker logic with a scripted client and a fake clock, then end to
end against the reference platform on 127.0.0.1 (outage, 503s, lost responses, 422, ordering)."""
from __future__ import annotations

import random
import threading
import time
import uuid

import pytest

from kiosk.platform import PlatformClient, PlatformError
from offline_cache.backoff import BackoffPolicy, CircuitBreaker
from offline_cache.outbox import Outbox, Submission
from offline_cache.sync import SyncWorker
from reference_platform.server import ReferencePlatformServer
from tests.test_platform_client import KIOSK_ID, ScriptedServer, application_body, rating_body

FAST = BackoffPolicy(base_s=0.02, cap_s=0.1, retry_after_cap_s=0.3)


def wait_for(predicate, timeout=5.0, interval=0.005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class Recorder:
    """on_change callback: keeps (submission_id, state, last_error) in call order."""

    def __init__(self):
        self.events = []
        self.lock = threading.Lock()

    def __call__(self, entry):
        with self.lock:
            self.events.append((entry.submission_id, entry.state, entry.last_error))

    def states(self, submission_id):
        with self.lock:
            return [state for sid, state, _ in self.events if sid == submission_id]


class FakeClock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


class ScriptedClient:
    """Stands in for PlatformClient: each submit pops the next outcome (dict reply or exception)."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = []

    def submit(self, kind, submission_id, body):
        self.calls.append((kind, submission_id))
        outcome = self.outcomes.pop(0) if self.outcomes else {"application_number": "GD-DEFAULT"}
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def new_application() -> Submission:
    key = str(uuid.uuid4())
    return Submission(key, "application", application_body(key), time.time())


@pytest.fixture
def outbox(tmp_path):
    box = Outbox(tmp_path / "outbox.sqlite3", tmp_path / "device.key")
    yield box
    box.close()


@pytest.fixture
def workers():
    started = []

    def make(*args, **kwargs):
        worker = SyncWorker(*args, **kwargs)
        started.append(worker)
        return worker

    yield make
    for worker in started:
        assert worker.stop(timeout=5), "sync worker did not stop"


# --- backoff and breaker units -------------------------------------------------------

def test_full_jitter_stays_within_exponential_ceiling_and_cap():
    policy, rng = BackoffPolicy(base_s=1.0, cap_s=300.0), random.Random(7)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (5, 16), (9, 256), (10, 300), (60, 300)]:
        delays = [policy.delay(attempt, rng=rng) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8 and min(delays) < ceiling * 0.2   # really jittered over [0, c]


def test_retry_after_is_a_capped_lower_bound():
    policy, rng = BackoffPolicy(base_s=1.0, cap_s=300.0), random.Random(1)
    assert all(policy.delay(1, retry_after_s=120, rng=rng) == 120 for _ in range(20))
    assert policy.delay(1, retry_after_s=10_000, rng=rng) == 300


def test_breaker_opens_after_threshold_then_half_open_probe():
    clock = FakeClock(0.0)
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=30, clock=clock)
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state == "closed"
    breaker.record_failure()
    assert breaker.state == "open" and not breaker.allow_request() and breaker.seconds_until_probe() == 30
    clock.now = 30.0
    assert breaker.state == "half_open" and breaker.allow_request()
    breaker.record_failure()                 # failed probe: a full new cool-down
    assert breaker.state == "open" and breaker.seconds_until_probe() == 30
    clock.now = 60.0
    breaker.record_success()
    assert breaker.state == "closed" and breaker.consecutive_failures == 0


def test_breaker_cooldown_jitter_spreads_probes():
    clock = FakeClock(0.0)
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=30, clock=clock, jitter=0.5, rng=random.Random(3))
    waits = []
    for _ in range(200):
        breaker.record_failure()
        waits.append(breaker.seconds_until_probe())
    assert all(15.0 <= w <= 45.0 for w in waits)
    assert max(waits) - min(waits) > 20       # really spread, not a fixed cool-down
    with pytest.raises(ValueError):
        CircuitBreaker(jitter=1.0)


# --- worker with a scripted client ---------------------------------------------------

def test_kick_delivers_within_milliseconds_and_reports_each_change(outbox, workers):
    recorder = Recorder()
    client = ScriptedClient({"application_number": "GD20261123000001", "status": "received",
                             "query_token": "tok", "id_number": "441202193801011234"})
    worker = workers(outbox, client, recorder, policy=FAST, idle_poll_s=30.0)
    worker.start()
    time.sleep(0.05)   # let it go idle: only kick() can wake it now (idle poll is 30 s)
    sub = new_application()
    outbox.enqueue(sub)
    started = time.monotonic()
    worker.kick()
    assert wait_for(lambda: "delivered" in recorder.states(sub.submission_id), timeout=2)
    assert time.monotonic() - started < 0.5
    assert recorder.states(sub.submission_id) == ["sending", "delivered"]
    entry = outbox.entry(sub.submission_id)
    assert entry.result == {"application_number": "GD20261123000001", "status": "received", "query_token": "tok"}


def test_retry_after_is_persisted_as_next_attempt(outbox, workers):
    clock = FakeClock(time.time() + 1)
    client = ScriptedClient(PlatformError("busy", retryable=True, status=503, retry_after=120, code="http_503"))
    worker = workers(outbox, client, None, policy=BackoffPolicy(), clock=clock, rng=random.Random(3))
    sub = new_application()
    outbox.enqueue(sub)
    worker.start()
    assert wait_for(lambda: outbox.entry(sub.submission_id).last_error == "http_503")
    entry = outbox.entry(sub.submission_id)
    assert entry.state == "pending" and entry.next_attempt_at == clock.now + 120
    worker.kick()
    time.sleep(0.05)
    assert len(client.calls) == 1          # not due yet: kick does not bypass the schedule
    clock.now += 120
    worker.kick()
    assert wait_for(lambda: outbox.entry(sub.submission_id).state == "delivered")
    assert len(client.calls) == 2


def test_permanent_error_goes_dead_and_is_not_retried(outbox, workers):
    recorder = Recorder()
    client = ScriptedClient(PlatformError("bad", retryable=False, status=422, code="http_422",
                                          server_code="invalid_form"))
    worker = workers(outbox, client, recorder, policy=FAST)
    sub = new_application()
    outbox.enqueue(sub)
    worker.start()
    assert wait_for(lambda: "dead" in recorder.states(sub.submission_id))
    time.sleep(0.2)
    assert len(client.calls) == 1
    assert outbox.entry(sub.submission_id).last_error == "http_422:invalid_form"


def test_unauthorized_pauses_the_queue_but_keeps_the_data(outbox, workers):
    client = ScriptedClient(PlatformError("cert", retryable=False, status=403, code="http_403"))
    # The pause lasts the backoff cap (300 s here); the row itself is rescheduled quickly.
    worker = workers(outbox, client, None, policy=BackoffPolicy(base_s=0.02, cap_s=300.0))
    first, second = new_application(), new_application()
    outbox.enqueue(first)
    outbox.enqueue(second)
    worker.start()
    assert wait_for(lambda: outbox.entry(first.submission_id).last_error == "http_403")
    time.sleep(0.3)
    assert worker.breaker.state == "open" and len(client.calls) == 1
    assert outbox.entry(first.submission_id).state == "pending"
    assert outbox.entry(second.submission_id).state == "pending"


def test_breaker_stops_hammering_then_probes_and_drains(outbox, workers):
    breaker_clock = FakeClock(0.0)
    down = [PlatformError("down", retryable=True, code="connection_error") for _ in range(3)]
    client = ScriptedClient(*down)
    worker = workers(outbox, client, None, policy=BackoffPolicy(base_s=0.001, cap_s=0.001),
                     breaker=CircuitBreaker(failure_threshold=3, cooldown_s=60, clock=breaker_clock))
    subs = [new_application() for _ in range(4)]
    for sub in subs:
        outbox.enqueue(sub)
    worker.start()
    assert wait_for(lambda: worker.breaker.state == "open")
    time.sleep(0.2)
    assert len(client.calls) == 3           # open: nothing more is sent
    breaker_clock.now = 60.0                # cool-down over: one probe succeeds, the rest drains
    worker.kick()
    assert wait_for(lambda: all(outbox.entry(s.submission_id).state == "delivered" for s in subs))
    assert worker.breaker.state == "closed"


def test_half_open_probe_uses_the_oldest_row_without_waiting_for_its_backoff(outbox, workers):
    breaker_clock = FakeClock(0.0)
    down = [PlatformError("down", retryable=True, code="connection_error") for _ in range(2)]
    client = ScriptedClient(*down)
    # A backoff of about a year (full jitter: uniform up to the cap, so an hour's cap put a row
    # under 60 s one time in 60): without the half-open probe rule the row would sit it all out.
    worker = workers(outbox, client, None, policy=BackoffPolicy(base_s=3.2e7, cap_s=3.2e7),
                     breaker=CircuitBreaker(failure_threshold=2, cooldown_s=60, clock=breaker_clock))
    subs = [new_application() for _ in range(2)]
    for sub in subs:
        outbox.enqueue(sub)
    worker.start()
    assert wait_for(lambda: worker.breaker.state == "open")
    # The breaker opens on the second failure a moment before that row's backoff is written.
    assert wait_for(lambda: all(outbox.entry(s.submission_id).next_attempt_at > time.time() + 60 for s in subs))
    breaker_clock.now = 60.0
    worker.kick()
    assert wait_for(lambda: all(outbox.entry(s.submission_id).state == "delivered" for s in subs))
    assert len(client.calls) == 4 and client.calls[2][1] == subs[0].submission_id   # oldest first


@pytest.mark.faults
def test_a_crashing_callback_does_not_stop_the_worker(outbox, workers):
    def explode(entry):
        raise RuntimeError("ui went away")

    worker = workers(outbox, ScriptedClient(), explode, policy=FAST)
    worker.start()
    subs = [new_application(), new_application()]
    for sub in subs:
        outbox.enqueue(sub)
        worker.kick()
    assert wait_for(lambda: all(outbox.entry(s.submission_id).state == "delivered" for s in subs))
    assert worker.is_running()


def test_resumes_from_the_database_after_restart(tmp_path, workers):
    paths = (tmp_path / "outbox.sqlite3", tmp_path / "device.key")
    first_life = Outbox(*paths)
    sub = new_application()
    first_life.enqueue(sub)
    first_life.claim_next()          # the process "dies" while sending
    first_life.close()

    second_life = Outbox(*paths)
    try:
        client = ScriptedClient()
        workers(second_life, client, None, policy=FAST).start()
        assert wait_for(lambda: second_life.entry(sub.submission_id).state == "delivered")
        assert client.calls == [("application", sub.submission_id)]
        assert second_life.entry(sub.submission_id).attempts == 2
    finally:
        second_life.close()


def test_stop_joins_within_timeout(outbox):
    worker = SyncWorker(outbox, ScriptedClient(), None, idle_poll_s=30.0)
    worker.start()
    started = time.monotonic()
    assert worker.stop(timeout=2.0)
    assert time.monotonic() - started < 0.5 and not worker.is_running()


# --- end to end with the reference platform --------------------------------------------

@pytest.fixture
def platform(tmp_path):
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", host="127.0.0.1", port=0)
    url = server.start()
    yield server, url
    server.stop()


def live_worker(workers, outbox, url, recorder=None, **kwargs):
    client = PlatformClient(url, KIOSK_ID, connect_timeout=0.5, read_timeout=2.0)
    kwargs.setdefault("policy", FAST)
    kwargs.setdefault("breaker", CircuitBreaker(failure_threshold=1000, cooldown_s=0.1))
    worker = workers(outbox, client, recorder, **kwargs)
    worker.start()
    return worker


def test_submission_is_delivered_exactly_once(platform, outbox, workers):
    server, url = platform
    recorder = Recorder()
    worker = live_worker(workers, outbox, url, recorder)
    sub = new_application()
    outbox.enqueue(sub)
    worker.kick()
    assert wait_for(lambda: "delivered" in recorder.states(sub.submission_id))
    entry = outbox.entry(sub.submission_id)
    assert server.store.application_count() == 1
    assert entry.result["application_number"] == server.store.applications()[0]["application_number"]
    assert entry.attempts == 1


@pytest.mark.faults
@pytest.mark.slow
def test_platform_down_then_back_on_the_same_database(platform, outbox, workers):
    server, url = platform
    server.stop()
    worker = live_worker(workers, outbox, url)
    subs = [new_application(), new_application()]
    for sub in subs:
        outbox.enqueue(sub)
    worker.kick()
    assert wait_for(lambda: all(outbox.entry(s.submission_id).attempts >= 2 for s in subs))
    for sub in subs:
        entry = outbox.entry(sub.submission_id)
        assert entry.state in ("pending", "sending")
        assert entry.last_error in (None, "connection_error")
    assert outbox.stats().pending + outbox.stats().sending == 2     # nothing lost

    server.start()                                                   # same port, same DB
    worker.kick()
    assert wait_for(lambda: all(outbox.entry(s.submission_id).state == "delivered" for s in subs))
    assert server.store.application_count() == 2
    numbers = {outbox.entry(s.submission_id).result["application_number"] for s in subs}
    assert numbers == {row["application_number"] for row in server.store.applications()}


def test_two_503s_then_delivered_once(platform, outbox, workers):
    server, url = platform
    server.faults.fail_next(2, status=503)
    worker = live_worker(workers, outbox, url)
    sub = new_application()
    outbox.enqueue(sub)
    worker.kick()
    assert wait_for(lambda: outbox.entry(sub.submission_id).state == "delivered")
    assert outbox.entry(sub.submission_id).attempts == 3
    assert server.faults.failures_injected == 2 and server.store.application_count() == 1


@pytest.mark.faults
def test_lost_response_after_commit_is_resent_with_the_same_key(platform, outbox, workers):
    server, url = platform
    server.faults.drop_after_commit_next(1)
    recorder = Recorder()
    worker = live_worker(workers, outbox, url, recorder)
    sub = new_application()
    outbox.enqueue(sub)
    worker.kick()
    assert wait_for(lambda: outbox.entry(sub.submission_id).state == "delivered")
    # The worker commits "delivered", then reports it: wait for the report too (a loaded machine
    # can run this line between the two).
    assert wait_for(lambda: recorder.states(sub.submission_id)[-1:] == ["delivered"])
    assert server.faults.responses_dropped == 1
    assert outbox.entry(sub.submission_id).attempts == 2
    assert recorder.states(sub.submission_id) == ["sending", "pending", "sending", "delivered"]
    assert server.store.application_count() == 1
    assert outbox.entry(sub.submission_id).result["application_number"] == \
        server.store.applications()[0]["application_number"]


def test_invalid_submission_goes_dead(platform, outbox, workers):
    server, url = platform
    worker = live_worker(workers, outbox, url)
    key = str(uuid.uuid4())
    sub = Submission(key, "application", application_body(key, phone="123"), time.time())
    outbox.enqueue(sub)
    worker.kick()
    assert wait_for(lambda: outbox.entry(sub.submission_id).state == "dead")
    assert outbox.entry(sub.submission_id).last_error == "http_422:invalid_form"
    assert outbox.entry(sub.submission_id).attempts == 1
    assert server.store.application_count() == 0


@pytest.mark.faults
def test_malformed_reply_is_retried_not_a_crash(outbox, workers):
    scripted = ScriptedServer()
    try:
        scripted.then(200, b"<html>captive portal</html>", {"Content-Type": "text/html"})
        scripted.then(201, {"application_number": "GD20261123000009", "status": "received"})
        worker = live_worker(workers, outbox, scripted.url)
        sub = new_application()
        outbox.enqueue(sub)
        worker.kick()
        assert wait_for(lambda: outbox.entry(sub.submission_id).state == "delivered")
        entry = outbox.entry(sub.submission_id)
        assert entry.attempts == 2 and entry.result["application_number"] == "GD20261123000009"
        assert worker.is_running()
    finally:
        scripted.close()


def test_rating_is_sent_only_after_its_application(platform, outbox, workers):
    server, url = platform
    server.faults.fail_next(2, status=503, path="/applications")
    recorder = Recorder()
    app = new_application()
    rating_id = str(uuid.uuid4())
    rating = Submission(rating_id, "rating", rating_body(rating_id, app.submission_id), time.time())
    outbox.enqueue(app)
    outbox.enqueue(rating)
    live_worker(workers, outbox, url, recorder)   # runs until the fixture stops it
    assert wait_for(lambda: outbox.entry(rating_id).state == "delivered")
    order = [(sid, state) for sid, state, _ in recorder.events]
    assert order.index((app.submission_id, "delivered")) < order.index((rating_id, "sending"))
    assert outbox.entry(app.submission_id).attempts == 3
    assert outbox.entry(rating_id).attempts == 1        # never sent early, never refused
    assert outbox.entry(rating_id).result["application_number"] == \
        outbox.entry(app.submission_id).result["application_number"]
    assert len(server.store.ratings()) == 1
