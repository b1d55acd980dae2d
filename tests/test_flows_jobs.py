"""The shared background-job helper and the intents interface of kiosk.flows."""
from __future__ import annotations

import threading

from kiosk.flows.intents import CitizenIntents, SessionIntents
from kiosk.flows.jobs import BackgroundJobs


def test_result_and_error_come_back_on_the_gui_thread(qtbot):
    jobs = BackgroundJobs(thread_prefix="test-")
    gui = threading.current_thread()
    seen = []
    release = threading.Event()

    def job():
        release.wait(5)
        return threading.current_thread().name

    jobs.run("probe", job, on_done=lambda name: seen.append(("done", name, threading.current_thread())))
    assert jobs.running == {"probe"}           # named while it runs (technician page, logs)
    release.set()

    def boom():
        raise ValueError("no")
    jobs.run("broken", boom, on_error=lambda exc: seen.append(("error", repr(exc), threading.current_thread())))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5_000)
    assert ("done", "test-probe", gui) in seen
    assert ("error", "ValueError('no')", gui) in seen
    qtbot.waitUntil(lambda: jobs.running == set(), timeout=5_000)


def test_post_from_a_thread_runs_on_the_gui_thread(qtbot):
    jobs = BackgroundJobs()
    seen = []
    threading.Thread(target=lambda: jobs.post(lambda a, b: seen.append((a, b, threading.current_thread())), 1, 2)).start()
    qtbot.waitUntil(lambda: bool(seen), timeout=5_000)
    assert seen == [(1, 2, threading.current_thread())]


def test_a_post_after_the_kiosk_closed_is_dropped_not_raised(qtbot):
    """A daemon thread (the catalog loop) finishing after the QObjects were deleted must not die
    with "Signal source has been deleted" and log an error at every shutdown."""
    import shiboken6
    jobs = BackgroundJobs()
    shiboken6.delete(jobs)
    errors = []

    def from_thread():
        try:
            jobs.post(print, "never")
        except Exception as exc:
            errors.append(exc)
    thread = threading.Thread(target=from_thread)
    thread.start()
    thread.join(5)
    assert errors == []


def test_session_intents_forward_to_the_session():
    calls = []

    class Session:
        def __getattr__(self, name):
            return lambda *args: calls.append((name, args))

    intents = SessionIntents(Session())
    assert isinstance(intents, CitizenIntents)
    intents.rate("satisfied", ["fast"])
    intents.query_number("GD1")
    assert calls == [("rate", ("satisfied", ("fast",))), ("query_number", ("GD1",))]
