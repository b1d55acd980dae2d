"""Finding one of 500 services: catalog load, search per keystroke, choose-screen render.

    .venv/bin/python bench/catalog.py

The reference catalog (reference_platform/catalog.json, ~305 services) is padded to exactly
500 services the way real provincial catalogs grow: the same directory services offered by
the city's district branches ("社会保障卡申领（端州区）"), with their own ids.

* services: 500.
* search_p95_ms: 95th percentile of one keystroke on the choose screen's letter keyboard, from
  the key's click to the result tiles refilled and painted (offscreen, 1920x1080), over
  realistic queries typed letter by letter: pinyin initials (gljt), full pinyin (gaolingjintie),
  English words (elderly allowance), pinyin of Hong Kong (traditional) names and their Cantonese
  readings (Jyutping without tones: gouling = 高齡). The search
  alone (kiosk.core.service_search) is printed above the JSON as search_only_p95_ms.
* choose_render_ms: median time to render the choose screen (Popular tab, 500 services: page
  cut, tiles filled, laid out and painted offscreen), alternating language and care mode so
  every run refills the tiles.

Also printed (not in the JSON): catalog load (JSON parse + validation) and index build times.
Prints one JSON object as its last line.
"""
from __future__ import annotations

import copy
import json
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 500
DISTRICTS = [("dz", "端州区", "Duanzhou"), ("dh", "鼎湖区", "Dinghu"), ("gy", "高要区", "Gaoyao"),
             ("sh", "四会市", "Sihui"), ("gn", "广宁县", "Guangning"), ("hj", "怀集县", "Huaiji")]
QUERIES = {
    "initials": ["gljt", "sbk", "ylbx", "zfgjj", "hz", "jhdj", "csyxzm", "jszhz", "bdcqs", "wfzm", "zdshbz",
                 "ybjf", "sydj", "gtgsh", "jzz"],
    "pinyin": ["gaolingjintie", "shebaoka", "huzhao", "jiehundengji", "yanglaojin", "gongjijin", "jiashizheng",
               "chushengyixuezhengming", "yiliaobaoxian", "juzhuzheng", "dibao", "shiyebaoxianjin"],
    "english": ["elderly allowance", "passport", "marriage", "pension", "housing fund", "driving licence",
                "birth certificate", "social security card", "unemployment", "residence permit"],
    "hong_kong_names": ["gaolingjintie", "yanglaodaiyu", "gangaotongxingzheng", "yanglaobaoxian", "shenfenzheng"],
    "cantonese": ["gouling", "joenglou", "wuziu", "sanfanzing", "zoengze"],     # Jyutping of zh_HK names
}


def padded_catalog() -> dict:
    raw = json.loads((ROOT / "reference_platform" / "catalog.json").read_text(encoding="utf-8"))
    pool = [s for s in raw["services"] if not s.get("available", True)]
    extra, index = [], 0
    while len(raw["services"]) + len(extra) < TARGET:
        base = pool[index % len(pool)]
        code, zh, en = DISTRICTS[(index // len(pool)) % len(DISTRICTS)]
        clone = copy.deepcopy(base)
        clone["id"] = f"{base['id']}-{code}"[:64]
        for lang, suffix in (("zh_CN", f"（{zh}）"), ("zh_HK", f"（{zh}）"), ("en", f" ({en})")):
            clone["names"][lang] += suffix
        clone["popularity"] = max(0, base.get("popularity", 0) - 5)
        extra.append(clone)
        index += 1
    raw["services"] += extra
    raw["version"] += "-bench500"
    return raw


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    from qt_setup import apply_qt_workarounds
    apply_qt_workarounds()
    from PySide6.QtWidgets import QApplication

    from kiosk.core.catalog import validate_catalog
    from kiosk.service_index import build_service_search
    from screens.finder import ChooseServiceScreen
    from screens.theme import Theme

    raw = padded_catalog()
    data = json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    loads = []
    for _ in range(7):
        started = time.perf_counter()
        catalog = validate_catalog(json.loads(data))
        loads.append((time.perf_counter() - started) * 1000)
    assert len(catalog.services) == TARGET, len(catalog.services)
    started = time.perf_counter()
    search = build_service_search(catalog)
    first_build_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    search = build_service_search(catalog)
    build_ms = (time.perf_counter() - started) * 1000

    app = QApplication.instance() or QApplication([])
    intents = SimpleNamespace(choose_service=lambda _id: None, cancel=lambda: None, call_staff=lambda: None)
    screen = ChooseServiceScreen(intents)
    screen.resize(1920, 880)               # the screen's share of a 1920x1080 window (bars above and below)
    view = SimpleNamespace(service_search=search)

    def session(language: str, care: bool):
        return SimpleNamespace(catalog=catalog, language=language, care_mode=care)

    renders, render_cpu = [], []
    for run in range(12):
        language, care = (("zh_CN", False), ("en", False), ("zh_HK", True), ("zh_CN", True))[run % 4]
        screen.setStyleSheet(Theme(care_mode=care).style_sheet())   # the window's restyle: not timed
        screen.show()
        app.processEvents()
        started, cpu = time.perf_counter(), time.thread_time()
        screen.render(session(language, care), view)
        screen.grab()                      # layout and paint, offscreen
        app.processEvents()
        renders.append((time.perf_counter() - started) * 1000)
        render_cpu.append((time.thread_time() - cpu) * 1000)
        screen.show_tab("departments")     # leave Popular so the next run refills it
        app.processEvents()

    screen.setStyleSheet(Theme().style_sheet())
    screen.render(session("zh_CN", False), view)
    keystrokes, search_only, keystroke_cpu = [], [], []
    for kind, queries in QUERIES.items():
        for query in queries:
            search.forget_recent()             # each query as a new citizen types it
            screen.show_tab("search")
            screen._edit_query("")
            app.processEvents()
            for letter in query.replace(" ", ""):
                started, cpu = time.perf_counter(), time.thread_time()
                screen.keyboard.buttons[letter.upper()].click()
                screen.grid_host.grab()
                keystrokes.append((time.perf_counter() - started) * 1000)
                keystroke_cpu.append((time.thread_time() - cpu) * 1000)
            search.forget_recent()
            for end in range(1, len(query) + 1):      # the search alone, letter by letter
                started = time.perf_counter()
                search.search(query[:end])
                search_only.append((time.perf_counter() - started) * 1000)
    found = {q: len(search.search(q)) for qs in QUERIES.values() for q in qs}
    missing = [q for q, n in found.items() if n == 0]

    print(f"catalog load (parse + validate, {TARGET} services, {len(data)} bytes): "
          f"median {statistics.median(loads):.1f} ms")
    print(f"search index build: first {first_build_ms:.0f} ms (pinyin and Jyutping dictionaries), then {build_ms:.0f} ms")
    print(f"keystrokes: {len(keystrokes)}; search_only_p95_ms {percentile(search_only, 0.95):.2f}; "
          f"keystroke max {max(keystrokes):.1f} ms; first render {renders[0]:.1f} ms")
    print(f"GUI-thread CPU time (what a busy machine does not inflate): keystroke p95 "
          f"{percentile(keystroke_cpu, 0.95):.1f} ms, choose render median {statistics.median(render_cpu):.1f} ms")
    print(f"queries with no result: {missing}; load average during the run: {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    print(json.dumps({"services": len(catalog.services),
                      "search_p95_ms": round(percentile(keystrokes, 0.95), 2),
                      "choose_render_ms": round(statistics.median(renders), 2)}))


if __name__ == "__main__":
    main()
