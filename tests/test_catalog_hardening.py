"""A hostile or broken catalog cannot stall or empty the kiosk:

* field patterns outside the safe subset (`(\\d|\\d)*x` takes minutes on 30 digits) are
  refused at catalog load, every pattern of the reference catalog is still accepted, and
  matching any accepted pattern on the longest allowed value takes milliseconds;
* an empty or degenerate catalog (no services, nothing to offer) is refused: the last good
  one stays;
* deeply nested or oversized JSON is refused with a clear error instead of a RecursionError
  escaping `CatalogCache.accept()`.
"""
from __future__ import annotations

import copy
import json
import re
import time
from pathlib import Path

import pytest

from kiosk.core.catalog import CatalogError, validate_catalog
from kiosk.core.safe_regex import UnsafePattern, check_safe_pattern
from offline_cache.catalog_cache import CatalogCache, CatalogRejected

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_BYTES = (ROOT / "reference_platform" / "catalog.json").read_bytes()
REFERENCE = json.loads(REFERENCE_BYTES)
EVIL = r"(\d|\d)*x"


def with_pattern(pattern: str) -> dict:
    raw = copy.deepcopy(REFERENCE)
    phone = next(f for f in raw["services"][0]["fields"] if f["id"] == "phone")
    phone["pattern"] = pattern
    return raw


# --- finding 6: catalog regex ---------------------------------------------------------

def test_the_evil_pattern_is_refused_at_catalog_load():
    with pytest.raises(CatalogError, match=r"fields\[3\] \(phone\)\.pattern: .*quantifier"):
        validate_catalog(with_pattern(EVIL))


@pytest.mark.parametrize("pattern", [
    EVIL, r"(a+)+$", r"(a|aa)*$", r"(a*)*b", r"(\d+)*x", r"(?:\d{1,3})+x",   # quantified groups
    r"\d*\d*\d*x",                                           # too many variable quantifiers
    "(a|a)(a|a)(a|a)(a|a)x",                                 # 16 ways through the alternations
    r"(a)\1", r"(?=\d)\d", r"(?<=a)b", r"(?(1)a|b)", r"(?i)abc", r"(?i:abc)",
    "a" * 201,
])
def test_patterns_outside_the_safe_subset_are_refused(pattern):
    with pytest.raises(UnsafePattern):
        check_safe_pattern(pattern)


def reference_patterns() -> list[str]:
    return sorted({f["pattern"] for s in REFERENCE["services"] for f in s.get("fields", []) if f.get("pattern")})


def test_every_reference_catalog_pattern_is_accepted():
    assert reference_patterns(), "the reference catalog has patterns"
    for pattern in reference_patterns():
        check_safe_pattern(pattern)
    validate_catalog(REFERENCE)


ACCEPTED_WORST_CASES = reference_patterns() + [
    r"^[A-Z0-9]{5,9}$", r"\d*\d*x", r"^(\d*|[0-9]{2})(\d+|x)y$", r"(a|b|c|d)(e|f)[0-9]*.*z", r".*.*x",
]


@pytest.mark.parametrize("pattern", ACCEPTED_WORST_CASES)
def test_matching_an_accepted_pattern_is_fast_on_the_longest_value(pattern):
    compiled = check_safe_pattern(pattern)
    for value in ("1" * 500, "a" * 500, "9" * 499 + "!", "13812345678" * 45):
        start = time.perf_counter()
        compiled.fullmatch(value)
        assert time.perf_counter() - start < 0.2, (pattern, value[:12])


def test_the_evil_pattern_really_is_slow_without_the_check():
    """What the check prevents (kept small: 18 digits already take measurable time)."""
    start = time.perf_counter()
    re.fullmatch(EVIL, "1" * 18)
    assert time.perf_counter() - start > 0.005


def test_the_form_never_runs_an_unchecked_pattern():
    """A field built by the catalog parser validates with the checked pattern."""
    catalog = validate_catalog(REFERENCE)
    phone = next(f for f in catalog.services[0].fields if f.id == "phone")
    assert phone.validate("13812345678") is None and phone.validate("1234") == "invalid_phone"


# --- finding 5 (part): empty or degenerate catalogs --------------------------------------

WHERE = {"channel": "counter", "texts": {"zh_CN": "请到窗口办理", "zh_HK": "請到窗口辦理", "en": "Go to a counter"}}


@pytest.mark.parametrize("mutate, message", [
    (lambda raw: raw.update(services=[]), "no services"),
    (lambda raw: [s.update(listed=False) for s in raw["services"]], "no service to offer"),
    # (each with where_to_go, which a service that is not available needs: issue 17)
    (lambda raw: [s.update(available=False, where_to_go=s.get("where_to_go") or WHERE) for s in raw["services"]],
     "no service to offer"),
])
def test_empty_or_degenerate_catalogs_are_refused(mutate, message):
    raw = copy.deepcopy(REFERENCE)
    mutate(raw)
    with pytest.raises(CatalogError, match=message):
        validate_catalog(raw)


def test_an_empty_catalog_does_not_replace_the_last_good_one(tmp_path):
    cache = CatalogCache(tmp_path / "catalog.json")
    cache.accept(REFERENCE_BYTES)
    empty = json.dumps({**REFERENCE, "services": []}).encode()
    with pytest.raises(CatalogRejected) as info:
        cache.accept(empty)
    assert info.value.code == "schema_invalid" and "no services" in str(info.value)
    assert cache.load() == REFERENCE


# --- finding 8 (part): deeply nested or oversized JSON ----------------------------------

def test_deeply_nested_json_is_refused_with_a_clear_error(tmp_path):
    cache = CatalogCache(tmp_path / "catalog.json")
    cache.accept(REFERENCE_BYTES)
    nested = b'{"services": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(CatalogRejected) as info:
        cache.accept(nested)
    assert info.value.code == "too_deep" and "nest" in str(info.value)
    assert cache.load() == REFERENCE
    assert [a.code for a in cache.alerts()] == ["too_deep"]


def test_nesting_inside_strings_does_not_count(tmp_path):
    raw = json.loads(REFERENCE_BYTES)
    raw["services"][0]["descriptions"]["en"] += " [[[[{{{{" * 40 + ' \\" ]'
    CatalogCache(tmp_path / "catalog.json").accept(json.dumps(raw).encode())


def test_oversized_catalog_is_refused(tmp_path):
    cache = CatalogCache(tmp_path / "catalog.json")
    huge = b'{"services": [], "padding": "' + b"x" * (CatalogCache.MAX_BYTES + 1) + b'"}'
    with pytest.raises(CatalogRejected) as info:
        cache.accept(huge)
    assert info.value.code == "too_large"


def test_a_nested_cached_file_is_not_trusted(tmp_path):
    (tmp_path / "catalog.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    cache = CatalogCache(tmp_path / "catalog.json")
    assert cache.load() is None
    assert [a.code for a in cache.alerts()] == ["cache_corrupt"]
