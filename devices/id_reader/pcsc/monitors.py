"""pyscard's reader and card monitors, made safe to restart (used by `PcscIdReader`).

Split from devices/id_reader/pcsc/reader.py (issue 13): the hot-plug plumbing
below the reader. pyscard calls observers on its own monitor threads; `Observer`
makes sure an exception in our callback never ends such a thread.

Two pyscard behaviours are worked around here, deliberately:
* `CardMonitor` is a process-wide singleton whose thread starts with the first
  `CardMonitor()` and ends for good when pcscd goes away (SCARD_E_NO_SERVICE);
  pyscard never restarts it. `new_card_monitor()` stops the old thread and
  resets the two singletons, so opening the reader, or readers re-appearing
  after a pcscd restart, always gets a live monitor thread.
* That thread waits up to 60 s inside SCardGetStatusChange; stopping it wakes
  it with SCardCancel on its PC/SC context instead of waiting.
"""
from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


class Observer:
    """pyscard observers are called as `update(observable, (added, removed))`."""

    def __init__(self, callback):
        self._callback = callback

    def update(self, _observable, handlers) -> None:
        added, removed = handlers
        try:
            self._callback(added, removed)
        except Exception:     # an exception here would end pyscard's monitor thread
            log.exception("pcsc: monitor callback failed")


def _stop_card_monitor_thread(timeout_s: float = 5.0) -> None:
    """Wake CardMonitor's thread out of SCardGetStatusChange so it can be joined."""
    from smartcard.CardMonitoring import CardMonitoringThread
    from smartcard.scard import SCardCancel
    thread = CardMonitoringThread.instance
    if thread is None:
        return
    thread.stopEvent.set()
    deadline = time.monotonic() + timeout_s
    while thread.is_alive() and time.monotonic() < deadline:
        # CardRequest wraps a PCSCCardRequest, which owns the PC/SC context.
        request = getattr(getattr(thread, "cardrequest", None), "pcsccardrequest", None)
        if request is not None and getattr(request, "hcontext", None) is not None:
            try:
                SCardCancel(request.hcontext)
            except Exception:
                pass
        thread.join(0.1)


def reset_card_monitor() -> None:
    """Stop pyscard's card monitor thread and forget both singletons."""
    from smartcard import CardMonitoring
    _stop_card_monitor_thread()
    with CardMonitoring.CardMonitor.lock:
        CardMonitoring.CardMonitor.instance = None
    with CardMonitoring.CardMonitoringThread.lock:
        CardMonitoring.CardMonitoringThread.instance = None


def new_card_monitor():
    """A CardMonitor with a freshly started thread (see the module docstring)."""
    from smartcard.CardMonitoring import CardMonitor
    reset_card_monitor()
    return CardMonitor()
