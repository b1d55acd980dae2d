"""Finding one of 500 services by typing on the kiosk's letter keyboard (issue 17).

A citizen types pinyin initials (`gljt` -> 高龄津贴申领), full pinyin (`gaolingjintie`), a mix
(`gaolingjt`), an English word (`pension`) or a code (`12345`); results come back ranked:

* tier 0 **exact**: the query is the whole name (its full pinyin, its initials, or the English name);
* tier 1 **prefix**: the name starts with it (first syllable / first English word);
* tier 2 **word**: it starts at a later syllable or English word (`jt` -> ...津贴...);
* tier 3 **substring**: inside an English word, or Chinese characters anywhere in the name;

ties by popularity (the catalog's `popularity`), then catalog order.

Pinyin matching works on *readings*: every Chinese character carries all its readings (default
first), so polyphonic characters match either way (重庆 = chongqing, 长 = chang or zhang). Each
syllable may be typed in full or cut short (any prefix: `g`, `ga`, `gao`), syllables contiguous.
Optionally the zh_HK names' Cantonese readings (Jyutping without tones: 高齡 = gou ling) match too,
ranked after pinyin matches of the same tier.

This module is pure (no Qt, no I/O, no pinyin dictionary): `ServiceSearch.build` gets a
`tokenize` function that turns a name into per-token readings. The application layer
(kiosk/service_index.py) passes one built on pypinyin and builds the index once per catalog
load, off the GUI thread, and `warm_up()` answers every one-letter query there too. Typing one
more letter re-checks only the previous hits (a match for `gljt` is always a match for `glj`),
and recent queries are remembered (deleting a letter goes back to an answered query).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from kiosk.core.catalog import Catalog, Service

TIER_EXACT, TIER_PREFIX, TIER_WORD, TIER_SUBSTRING = 0, 1, 2, 3
MAX_QUERY_LENGTH = 40        # longer than any name's pinyin: nothing can match, answered at once
# text -> one tuple of readings per token (a Chinese character, or one Latin/digit word), default first.
Tokenizer = Callable[[str], Sequence[Sequence[str]]]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NOT_WORD = re.compile(r"[^a-z0-9\u3400-\u9fff\uf900-\ufaff]+")


def normalize_query(text: str) -> str:
    """Lower-case letters, digits and Chinese characters, words separated by one space;
    full-width letters folded (ｇｌｊｔ), ü typed as v. Everything else is dropped."""
    folded = unicodedata.normalize("NFKC", text or "").lower().replace("ü", "v")
    return _NOT_WORD.sub(" ", folded).strip()


@dataclass(frozen=True)
class _Name:
    """One searchable name (zh_CN, zh_HK or a keyword) of a service."""
    text: str                                   # normalised, for Chinese substring matches
    tokens: tuple[tuple[str, ...], ...]         # readings per token
    defaults: tuple[tuple[str, ...], ...]       # the default reading only, per token
    starts: dict[str, tuple[int, ...]]          # first letter -> token positions starting with it
    full: str                                   # default readings joined: gaolingjintieshenling
    initials: str                               # first letters of the default readings: gljtsl
    letters: frozenset[str]                     # every letter of every reading: a quick "cannot match"
    alternative: bool = False                   # Cantonese (Jyutping) readings: rank after pinyin ones


@dataclass(frozen=True)
class _Entry:
    service_id: str
    popularity: int
    order: int
    names: tuple[_Name, ...]
    english: str                                # normalised English name (and English keywords)


@dataclass(frozen=True)
class SearchHit:
    service_id: str
    tier: int


def _make_name(text: str, tokenize: Tokenizer, alternative: bool = False) -> _Name:
    tokens = tuple(tuple(dict.fromkeys(r.lower().replace("ü", "v") for r in readings if r))
                   for readings in tokenize(text))
    tokens = tuple(t for t in tokens if t)
    starts: dict[str, list[int]] = {}
    for position, readings in enumerate(tokens):
        for letter in {r[0] for r in readings}:
            starts.setdefault(letter, []).append(position)
    return _Name(text=normalize_query(text), tokens=tokens, defaults=tuple(t[:1] for t in tokens),
                 starts={letter: tuple(p) for letter, p in starts.items()},
                 full="".join(t[0] for t in tokens), initials="".join(t[0][0] for t in tokens),
                 letters=frozenset("".join(r for t in tokens for r in t)), alternative=alternative)


def _consumes(query: str, tokens: tuple[tuple[str, ...], ...], start: int) -> bool:
    """Whether `query` is typed by tokens[start], tokens[start + 1], ... each contributing a
    non-empty prefix of one of its readings, the whole query used up."""
    positions = {0}
    end = len(query)
    for readings in tokens[start:]:
        reached: set[int] = set()
        for offset in positions:
            for reading in readings:
                limit = min(len(reading), end - offset)
                common = 0
                while common < limit and reading[common] == query[offset + common]:
                    common += 1
                if offset + common == end and common:
                    return True
                reached.update(range(offset + 1, offset + common + 1))
        if not reached:
            return False
        positions = reached
    return False


def _pinyin_tier(query: str, letters: frozenset[str], name: _Name) -> tuple[int, int] | None:
    """(tier, 0) when the default readings type the query, (tier, 1) when only other readings do.
    `letters` are the query's letters: a name whose readings lack one of them cannot match."""
    if not letters <= name.letters:
        return None
    if query == name.full or query == name.initials:
        return TIER_EXACT, 0
    starts = name.starts.get(query[0], ())
    # All readings first (most names fail here, once); the default readings only for a match.
    matched = [start for start in starts if _consumes(query, name.tokens, start)]
    if not matched:
        return None
    if not name.alternative:
        for start in matched:
            if _consumes(query, name.defaults, start):
                return (TIER_PREFIX if start == 0 else TIER_WORD), 0
    return (TIER_PREFIX if matched[0] == 0 else TIER_WORD), 1


def _english_tier(query: str, english: str) -> int | None:
    if not english:
        return None
    if english == query:
        return TIER_EXACT
    if english.startswith(query):
        return TIER_PREFIX
    if f" {query}" in english:
        return TIER_WORD
    if query in english:
        return TIER_SUBSTRING
    return None


class ServiceSearch:
    """The search index of one catalog version: `search(text)` -> ranked service ids."""

    CACHE_SIZE = 64

    def __init__(self, entries: Sequence[_Entry], catalog_version: str = ""):
        self._entries = tuple(entries)
        self.catalog_version = catalog_version
        # query -> (hits, matching entry indexes): recent queries (the citizen deletes a letter and
        # is back at a query already answered) and, filled by warm_up(), every single letter.
        self._cache: dict[str, tuple[tuple[SearchHit, ...], tuple[int, ...]]] = {}
        self._last_query = ""

    def warm_up(self) -> None:
        """Answers every one-letter and one-digit query now (on the thread that builds the index):
        the first keystroke, which scans every service, then costs a dictionary look-up."""
        for first in "abcdefghijklmnopqrstuvwxyz0123456789":
            self._answer(first, range(len(self._entries)))

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def build(cls, catalog: Catalog, tokenize: Tokenizer, cantonese: Tokenizer | None = None) -> ServiceSearch:
        """Index the catalog's listed services (names in both Chinese scripts, English, keywords);
        with `cantonese`, the zh_HK names' Cantonese readings too (ranked after pinyin matches)."""
        entries = []
        for order, service in enumerate(catalog.listed):
            entries.append(_entry(service, order, tokenize, cantonese))
        return cls(entries, catalog.version)

    def forget_recent(self) -> None:
        """Drops the remembered queries but the warmed-up letters (called at session end: what
        one citizen searched for is not kept for the next)."""
        self._cache = {query: answer for query, answer in self._cache.items() if len(query) == 1}
        self._last_query = ""

    def search(self, text: str) -> tuple[SearchHit, ...]:
        """Ranked hits for what the citizen typed; () for an empty, too long or unmatched query."""
        query = normalize_query(text)
        if not query or len(query) > MAX_QUERY_LENGTH:
            return ()
        cached = self._cache.get(query)
        if cached is not None:
            self._last_query = query
            return cached[0]
        # A match of a query is a match of each of its prefixes: only the hits of the longest
        # prefix answered (the previous keystroke, or the first letter) can still match.
        candidates: Iterable[int] = range(len(self._entries))
        for prefix in (self._last_query, query[0]):
            if prefix and query.startswith(prefix) and prefix in self._cache:
                candidates = self._cache[prefix][1]
                break
        hits = self._answer(query, candidates)
        self._last_query = query
        return hits

    def _answer(self, query: str, candidates: Iterable[int]) -> tuple[SearchHit, ...]:
        compact = query.replace(" ", "")
        letters = frozenset(compact)
        latin = not _CJK.search(query)
        hits: list[tuple[int, int, int, int, int]] = []
        for index in candidates:
            entry = self._entries[index]
            rank = _rank(entry, query, compact, letters, latin)
            if rank is not None:
                hits.append((rank[0], rank[1], -entry.popularity, entry.order, index))
        hits.sort()
        answer = tuple(SearchHit(self._entries[h[4]].service_id, h[0]) for h in hits)
        if len(self._cache) >= self.CACHE_SIZE + 36:       # keep the warmed-up letters, drop the oldest
            oldest = next((q for q in self._cache if len(q) > 1), None)
            if oldest is not None:
                del self._cache[oldest]
        self._cache[query] = (answer, tuple(sorted(h[4] for h in hits)))
        return answer

    def ids(self, text: str) -> tuple[str, ...]:
        return tuple(hit.service_id for hit in self.search(text))


def _rank(entry: _Entry, query: str, compact: str, letters: frozenset[str], latin: bool
          ) -> tuple[int, int] | None:
    """(tier, 1 if only a non-default reading matched else 0), or None: no match."""
    best: tuple[int, int] | None = None
    if latin:
        english = _english_tier(query, entry.english)
        if english is not None:
            best = (english, 0)
            if english == TIER_EXACT:
                return best
        for name in entry.names:
            rank = _pinyin_tier(compact, letters, name) if compact else None
            if rank is not None and (best is None or rank < best):
                best = rank
                if best == (TIER_EXACT, 0):
                    return best
    for name in entry.names:          # Chinese characters (or a code) anywhere in a Chinese name
        if query == name.text:
            return TIER_EXACT, 0
        if query in name.text:
            rank = (TIER_PREFIX if name.text.startswith(query) else TIER_SUBSTRING, 0)
            if best is None or rank < best:
                best = rank
    return best


def _entry(service: Service, order: int, tokenize: Tokenizer, cantonese: Tokenizer | None = None) -> _Entry:
    chinese = [service.names["zh_CN"], service.names["zh_HK"]]
    english_keywords: list[str] = []
    for keyword in service.keywords:
        (chinese if _CJK.search(keyword) else english_keywords).append(keyword)
    names: list[_Name] = []
    for text in dict.fromkeys(chinese):
        name = _make_name(text, tokenize)
        # A zh_HK name read like its zh_CN name (高齡津貼 = 高龄津贴) adds only its characters.
        twin = next((n for n in names if n.tokens == name.tokens), None)
        names.append(name if twin is None else _Name(text=name.text, tokens=(), defaults=(), starts={},
                                                     full="", initials="", letters=frozenset()))
    if cantonese is not None:
        names.append(_make_name(service.names["zh_HK"], cantonese, alternative=True))
    english = normalize_query(" ".join([service.names["en"], *english_keywords]))
    return _Entry(service_id=service.id, popularity=service.popularity, order=order, names=tuple(names),
                  english=english)
