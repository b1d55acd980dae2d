"""CPython's table of interned strings, grown to its steady size at start-up.

WHY. Before Python 3.14, pathlib interns every component of each path it parses
(`sys.intern` in pathlib's path parsing; removed upstream by python/cpython gh-119518, PR #123356,
first in 3.14). The kiosk's receipt images and the outbox's attachments have unique names
(receipt-<hash>.png, <uuid>.<n>.att), so each session interns ~14 strings that die soon after.
The table of interned strings is a dict: a deleted entry frees its string, not its slot. Slots
come back only when the table runs out of them and is rebuilt, with room for 3x the strings
alive at that moment (CPython's dict GROWTH_RATE). The kiosk holds ~55,000 interned strings when
it has started and ~62,000 after its first sessions, in a table of 2^17 slots (1.9 MB). About
25,000 insertions later (~1,800 sessions in bench/soak.py) the table is rebuilt with 2^18 slots
(3.75 MB): RSS steps up by 1.9 MB once, in the middle of someone's session
(`SOAK_SMAPS=1 .venv/bin/python bench/soak.py --sessions 2200`, 2026-12-05: glibc's memory in
use +3.9 MB and one 1.9 MB mapping gone at session ~1,800). After that the size stays: 3 x 62,000
strings fit in 2^18 slots, so later rebuilds make a table of the same size.

WHAT. `presize()` takes that rebuild at start-up: it interns short-lived unique strings, a small
batch at a time (so the count alive stays what the kiosk holds), until the table has certainly run
out of free slots once, however big it was (PRESIZE_INSERTIONS = the free slots of a 2^18 table).
The rebuild then happens with the kiosk's own strings alive and gives the size the kiosk would
reach anyway. ~0.1 s, once per process, before the window shows.

SWITCH. [kiosk] presize_interned_strings (kiosk/settings.py). Does nothing on Python >= 3.14,
where pathlib no longer interns (remove this module when the kiosk moves there).
"""
from __future__ import annotations

import logging
import sys
import time

log = logging.getLogger(__name__)

FIXED_IN = (3, 14)               # python/cpython gh-119518: pathlib stops interning path parts
PRESIZE_INSERTIONS = (2 ** 18 * 2) // 3 + 1   # more than a 2^18-slot table has free (2/3 usable)
BATCH = 1024                     # strings alive at once while presizing

_done = False


def needed(version: tuple[int, ...] = tuple(sys.version_info[:2])) -> bool:
    return version < FIXED_IN


def presize(insertions: int = PRESIZE_INSERTIONS) -> bool:
    """Intern and drop `insertions` unique strings in batches, once per process.

    True if it ran now; False if it ran before or is not needed on this Python."""
    global _done
    if _done or not needed():
        return False
    _done = True
    started = time.perf_counter()
    intern = sys.intern
    for first in range(0, insertions, BATCH):
        batch = [intern(f"\x00kiosk-presize-{i}") for i in range(first, min(first + BATCH, insertions))]
        del batch
    log.info("interned-string table presized",
             extra={"insertions": insertions, "ms": round((time.perf_counter() - started) * 1000.0, 1)})
    return True
