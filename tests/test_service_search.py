"""Service search (kiosk.core.service_search, readings from kiosk.service_index): pinyin initials,
Cantonese (Jyutping) readings of zh_HK names,
full and mixed pinyin, English, zh_HK names, polyphonic characters, ranking, bad input, and
the keystroke cache giving the same answers as a fresh index."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kiosk.core.catalog import validate_catalog
from kiosk.core.service_search import (MAX_QUERY_LENGTH, TIER_EXACT, TIER_PREFIX, TIER_SUBSTRING, TIER_WORD,
                                       ServiceSearch, normalize_query)
from kiosk.service_index import build_service_search, jyutping_tokens, pinyin_tokens

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = json.loads((ROOT / "reference_platform" / "catalog.json").read_text(encoding="utf-8"))
WHERE = {"channel": "counter", "texts": {"zh_CN": "请到窗口", "zh_HK": "請到窗口", "en": "Go to a counter"}}


@pytest.fixture(scope="module")
def catalog():
    return validate_catalog(REFERENCE)


@pytest.fixture(scope="module")
def search(catalog):
    return build_service_search(catalog)


def ids(search, query):
    return search.ids(query)


def small_catalog(*names, popularity=None):
    """A catalog of not-built services named (zh_CN, zh_HK, en), ids s0, s1, ..."""
    services = []
    for index, (zh, hk, en) in enumerate(names):
        services.append({
            "id": f"s{index}", "names": {"zh_CN": zh, "zh_HK": hk, "en": en},
            "descriptions": {"zh_CN": zh, "zh_HK": hk, "en": en},
            "department": {"code": "X", "names": {"zh_CN": "部门", "zh_HK": "部門", "en": "Dept"}},
            "region_code": "441200", "identity": "none", "available": False, "where_to_go": WHERE,
            "popularity": (popularity or [0] * len(names))[index]})
    services[0]["available"] = True
    services[0].pop("where_to_go")
    return validate_catalog({"schema_version": 2, "version": "t", "services": services})


def test_pinyin_initials_full_and_mixed(search):
    for query in ("gljt", "GLJT", "gaolingjintie", "gaolingjt", "gao ling jin tie", "gljtsl"):
        assert ids(search, query)[0] == "elderly-allowance", query
    assert search.search("gljtsl")[0].tier == TIER_EXACT          # the whole name's initials
    assert ids(search, "ylj")[:1] != ()                            # 养老金...
    assert "hf-withdraw-rent" in ids(search, "zfgjj")              # ...住房公积金 (word, not prefix)
    assert "pension-certification" in ids(search, "yanglaodaiyu")


def test_english_words_and_hong_kong_names(search):
    assert ids(search, "elderly allowance")[0] == "elderly-allowance"
    assert ids(search, "passport")[0] in ("ee-passport-apply", "ee-passport-renew")
    assert "ee-passport-apply" in ids(search, "passport")
    assert "hl-birth-cert" in ids(search, "birth certificate")      # English keyword
    # zh_HK names: traditional characters anywhere in the name, and their pinyin.
    assert "individual-business" in ids(search, "個體工商戶")
    assert "elderly-allowance" in ids(search, "高齡")
    assert "ca-min-living" in ids(search, "低保")                    # keyword
    assert "si-card-apply" in ids(search, "sbk")                    # keyword 社保卡 by initials


def test_polyphonic_characters_match_either_reading():
    catalog = small_catalog(("重庆籍人员社保转移", "重慶籍人員社保轉移", "Chongqing transfer"),
                            ("长者饭堂助餐登记", "長者飯堂助餐登記", "Seniors' canteen"),
                            ("长期护理保险", "長期護理保險", "Long-term care"),
                            ("银行卡绑定", "銀行卡綁定", "Bank card"))
    search = ServiceSearch.build(catalog, pinyin_tokens)
    assert ids(search, "chongqing") == ("s0",) and set(ids(search, "cq")) == {"s0", "s2"}   # 重庆, 长期
    assert "s1" in ids(search, "zzft") and "s1" in ids(search, "czft")     # 长者: zhang (phrase), chang
    assert "s2" in ids(search, "changqi") and "s2" in ids(search, "cqhl")  # 长期: chang
    assert "s3" in ids(search, "yinhang") and "s3" in ids(search, "yh")    # 银行: hang, not xing
    # The phrase reading ranks first: for "zhang" 长者 (default) before 长期 (another reading).
    assert ids(search, "zhang")[:2] == ("s1", "s2")


def test_ranking_exact_prefix_word_substring_then_popularity():
    catalog = small_catalog(("养老金测算", "養老金測算", "Pension estimate"),
                            ("基本养老金申领", "基本養老金申領", "Basic pension claim"),
                            ("养老保险缴费", "養老保險繳費", "Pension insurance payment"),
                            ("测算", "測算", "Estimate"),
                            popularity=[1, 50, 90, 5])
    search = ServiceSearch.build(catalog, pinyin_tokens)
    hits = search.search("ylj")
    assert [(h.service_id, h.tier) for h in hits] == [("s0", TIER_PREFIX), ("s1", TIER_WORD)]
    hits = search.search("yl")                    # prefix for s0 and s2: the popular one first
    assert [h.service_id for h in hits][:2] == ["s2", "s0"] and hits[2].service_id == "s1"
    assert search.search("cesuan")[0] == search.search("cs")[0]
    assert search.search("cesuan")[0].service_id == "s3" and search.search("cesuan")[0].tier == TIER_EXACT
    tiers = {h.service_id: h.tier for h in search.search("stimat")}
    assert tiers == {"s0": TIER_SUBSTRING, "s3": TIER_SUBSTRING}


@pytest.mark.parametrize("query", ["", "   ", "!!!", "？？", "@#$%^&*()", "x" * (MAX_QUERY_LENGTH + 1),
                                   "gljt" * 2500, "\x00\n\t", "🙂🙂"])
def test_empty_garbage_and_very_long_input_find_nothing_quickly(search, query):
    started = time.perf_counter()
    assert search.search(query) == ()
    assert time.perf_counter() - started < 0.5


def test_nothing_found_for_letters_that_spell_no_name(search):
    assert search.search("qqqqqq") == () and search.search("zzzzzzzzzz") == ()
    assert normalize_query("ＧＬＪＴ") == "gljt" and ids(search, "ＧＬＪＴ")[0] == "elderly-allowance"
    assert normalize_query("lü") == "lv"
    assert ids(search, "12345") == ("gn-hotline-12345",)


def test_typing_letter_by_letter_and_deleting_gives_the_answers_of_a_fresh_index(catalog):
    """The keystroke cache (previous hits, first letters, recent queries) never changes an answer."""
    typed = build_service_search(catalog)
    scan = ServiceSearch.build(catalog, pinyin_tokens, cantonese=jyutping_tokens)   # answers by scanning all
    everything = range(len(scan))
    sequences = ["gljt", "shebaoka", "passport", "housing fund", "ylbx", "zfgjj", "hzbf", "jszhz", "abcxyz"]
    for word in sequences:
        for end in list(range(1, len(word) + 1)) + list(range(len(word) - 1, 0, -1)):   # type, then delete
            query = normalize_query(word[:end])
            assert typed.search(query) == scan._answer(query, everything), query
    typed.forget_recent()
    assert typed._cache and all(len(query) == 1 for query in typed._cache)
    assert typed.search("gljt") == scan._answer("gljt", everything)


def test_each_keystroke_on_the_reference_catalog_is_fast(search):
    """Generous bound only (2-core CI shared with other jobs); the real figure is bench/catalog.py."""
    search.forget_recent()
    timings = []
    for word in ("gaolingjintie", "elderly allowance", "zfgjj", "shebaoka", "csyxzm"):
        for end in range(1, len(word) + 1):
            started = time.perf_counter()
            search.search(word[:end])
            timings.append(time.perf_counter() - started)
    assert max(timings) < 0.25, max(timings)


def test_cantonese_readings_of_hong_kong_names(search):
    """Jyutping without tones (ToJyutping) of the zh_HK names: 高齡 gou ling, 長者 zoeng ze, 護照 wu ziu."""
    assert ids(search, "gouling")[0] == "elderly-allowance"
    assert "ca-elderly-meal" in ids(search, "zoengzefaantong")
    assert "ee-passport-renew" in ids(search, "wuziu")
    # A Cantonese match ranks after a pinyin match of the same tier.
    catalog = small_catalog(("高龄津贴", "高齡津貼", "Elderly allowance"), ("沟通登记", "溝通登記", "Talk"))
    both = ServiceSearch.build(catalog, pinyin_tokens, cantonese=jyutping_tokens)
    assert both.ids("gou") == ("s1", "s0")          # 沟 gou (pinyin) before 高 gou (Cantonese)
    assert ServiceSearch.build(catalog, pinyin_tokens).ids("gouling") == ()


@pytest.mark.slow
def test_the_index_built_in_a_child_process_answers_like_one_built_here(catalog, search):
    """The kiosk builds its index apart (kiosk.service_index.build_service_search_apart), so the
    pinyin and Jyutping dictionaries never load in its process: same answers, fresh objects."""
    from kiosk.service_index import build_service_search_apart
    apart = build_service_search_apart(catalog)
    again = build_service_search_apart(catalog)     # from the memo: no second child, a new object
    assert apart is not again and apart.catalog_version == catalog.version == search.catalog_version
    for query in ("gljt", "gaolingjintie", "sbk", "gouling", "passport", "g", "zzzzq"):
        assert apart.ids(query) == search.ids(query)
    apart.search("gljt")
    assert again.search("gl") == search.search("gl")   # one index's remembered queries are its own


@pytest.mark.slow
def test_building_apart_keeps_the_dictionaries_out_of_this_process(tmp_path):
    import subprocess
    import sys
    script = ("import sys, json; from kiosk.core.catalog import validate_catalog;"
              "from kiosk.service_index import build_service_search_apart;"
              "c = validate_catalog(json.load(open('reference_platform/catalog.json', encoding='utf-8')));"
              "s = build_service_search_apart(c);"
              "print(len(s.ids('gljt')) > 0, 'pypinyin' in sys.modules, 'ToJyutping' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "False", "False"]


@pytest.mark.faults
def test_a_search_index_child_killed_with_sigkill_is_an_error_not_a_hang(catalog, monkeypatch):
    import kiosk.service_index as service_index
    monkeypatch.setattr(service_index, "_child", die_before_answering)
    monkeypatch.setattr(service_index, "_memo", {})
    with pytest.raises(RuntimeError, match="died"):
        service_index.build_service_search_apart(catalog, timeout_s=60)


def die_before_answering(catalog_bytes, answer):
    """A search-index child killed with SIGKILL before it answers (module level: spawn imports it)."""
    import os
    import signal
    os.kill(os.getpid(), signal.SIGKILL)
