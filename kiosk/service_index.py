"""Builds the service search index (kiosk.core.service_search) with pypinyin readings.

Why here and not in the core: pypinyin loads ~20 MB of dictionaries on first use (~0.3 s) and
building readings for 500 services takes ~0.5 s, so the index is built once per catalog load,
never on the GUI thread; the core's matching stays pure and is tested with any tokenizer.

Where: `build_service_search_apart` builds it in a short-lived child process and hands back only
the finished index (a few thousand small objects). In the kiosk's own process the dictionaries
(pypinyin's and ToJyutping's: ~0.5 million Python objects, ~60 MB) would stay for good, make
every full garbage collection 0.3-0.5 s (a GUI stall), and the build itself would hold the GIL
for 0.4-2 s, which the GUI thread feels as jank while it runs.

Cantonese: the zh_HK names' Jyutping readings (ToJyutping), tones dropped, ranked after pinyin.

Readings of a Chinese character: the phrase-aware default (pypinyin's phrase dictionary:
银行 = yin hang, 长沙 = chang sha), then its other readings (so 长 also matches zhang and 重 also
matches zhong). Latin letters and digits in a name are one token each run (`12345`, `ETC`).
"""
from __future__ import annotations

import hashlib
import multiprocessing
import pickle
import re
import threading
from functools import lru_cache

from kiosk.core.catalog import Catalog
from kiosk.core.service_search import ServiceSearch

_RUNS = re.compile(r"([\u3400-\u9fff\uf900-\ufaff]+)|([A-Za-z0-9]+)")


@lru_cache(maxsize=8192)
def _char_readings(char: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin
    return tuple(pinyin(char, style=Style.NORMAL, heteronym=True, v_to_u=False)[0])


def pinyin_tokens(text: str) -> list[tuple[str, ...]]:
    """One tuple of readings per Chinese character (default first) or Latin/digit run."""
    from pypinyin import Style, lazy_pinyin
    tokens: list[tuple[str, ...]] = []
    for han, word in _RUNS.findall(text):
        if word:
            tokens.append((word.lower(),))
            continue
        defaults = lazy_pinyin(han, style=Style.NORMAL, v_to_u=False)
        if len(defaults) != len(han):           # never seen; fall back to character by character
            defaults = [_char_readings(c)[0] for c in han]
        for char, default in zip(han, defaults):
            tokens.append(tuple(dict.fromkeys((default, *_char_readings(char)))))
    return tokens


def jyutping_tokens(text: str) -> list[tuple[str, ...]]:
    """Cantonese readings (Jyutping, tones dropped: 高齡津貼 = gou ling zeon tip), for zh_HK names;
    Latin/digit runs as in pinyin_tokens. ToJyutping's dictionary (~4 MB) loads on first use."""
    import ToJyutping
    tokens: list[tuple[str, ...]] = []
    for han, word in _RUNS.findall(text):
        if word:
            tokens.append((word.lower(),))
            continue
        for _char, reading in ToJyutping.get_jyutping_list(han):
            if reading:
                tokens.append((reading.split()[0].rstrip("0123456789"),))
    return tokens


def build_service_search(catalog: Catalog) -> ServiceSearch:
    """The index for one catalog version, one-letter queries answered (call off the GUI thread)."""
    search = ServiceSearch.build(catalog, pinyin_tokens, cantonese=jyutping_tokens)
    search.warm_up()
    return search


BUILD_TIMEOUT_S = 120.0       # a child that has not answered by then is given up (browsing still works)
_MEMO_SIZE = 2
_memo: dict[str, bytes] = {}  # catalog fingerprint -> the pickled, warmed index (last _MEMO_SIZE)
_memo_lock = threading.Lock()


def _build_pickled(catalog_bytes: bytes) -> bytes:
    """The catalog in, the warmed index out, both pickled."""
    return pickle.dumps(build_service_search(pickle.loads(catalog_bytes)), protocol=pickle.HIGHEST_PROTOCOL)


def _child(catalog_bytes: bytes, answer) -> None:
    """The child process: (True, pickled index) or (False, what went wrong) down the pipe."""
    try:
        answer.send((True, _build_pickled(catalog_bytes)))
    except Exception as exc:           # reported to the parent, which logs it and keeps browsing
        answer.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        answer.close()


def _build_in_child(catalog_bytes: bytes, timeout_s: float) -> bytes:
    """One daemon child per build (a kiosk told to stop never waits for it; a child killed with
    kill -9 is an EOF here, not a hang); killed if it has not answered in `timeout_s`."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(catalog_bytes, send), name="search-index", daemon=True)
    child.start()
    send.close()                       # ours closed: the child's death reads as EOF
    try:
        if not receive.poll(timeout_s):
            raise TimeoutError(f"search index child silent for {timeout_s:.0f} s")
        try:
            ok, payload = receive.recv()
        except EOFError:
            raise RuntimeError(f"search index child died (exit code {child.exitcode})") from None
        if not ok:
            raise RuntimeError(f"search index child failed: {payload}")
        return payload
    finally:
        receive.close()
        if child.is_alive():
            child.join(2.0)
        if child.is_alive():
            child.kill()
            child.join(2.0)


def build_service_search_apart(catalog: Catalog, timeout_s: float = BUILD_TIMEOUT_S) -> ServiceSearch:
    """build_service_search(catalog), done in a child process (spawned, so no thread or lock of
    this process is copied into it); raises TimeoutError, or RuntimeError if the build failed or
    the child died. Call off the GUI thread: it waits for the child (1-4 s).

    The same catalog again (a cached copy then the platform's, or a second kiosk in one test
    process) is answered from a memo of the pickled index without a child; every call returns a
    fresh object, since an index remembers its session's recent queries."""
    catalog_bytes = pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL)
    key = hashlib.sha256(catalog_bytes).hexdigest()
    with _memo_lock:
        built = _memo.get(key)
    if built is None:
        built = _build_in_child(catalog_bytes, timeout_s)
        with _memo_lock:
            _memo[key] = built
            while len(_memo) > _MEMO_SIZE:
                _memo.pop(next(iter(_memo)))
    search = pickle.loads(built)
    if not isinstance(search, ServiceSearch):
        raise TypeError(f"search index child returned {type(search).__name__}")
    return search
