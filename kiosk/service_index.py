"""Builds the service search index (kiosk.core.service_search) with pypinyin readings.

Why here and not in the core: pypinyin loads ~20 MB of dictionaries on first use (~0.3 s) and
building readings for 500 services takes ~0.5 s, so the index is built once per catalog load on
the catalog loop's thread (kiosk.flows.platform_link), never on the GUI thread; the core's
matching stays pure and is tested with any tokenizer.

Cantonese: the zh_HK names' Jyutping readings (ToJyutping), tones dropped, ranked after pinyin.

Readings of a Chinese character: the phrase-aware default (pypinyin's phrase dictionary:
银行 = yin hang, 长沙 = chang sha), then its other readings (so 长 also matches zhang and 重 also
matches zhong). Latin letters and digits in a name are one token each run (`12345`, `ETC`).
"""
from __future__ import annotations

import re
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
