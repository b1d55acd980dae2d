"""Benchmark: the passport MRZ read by the camera (kiosk/mrz_ocr.py, Tesseract).

A fixed, seeded set of camera-like 1280x720 frames of invented passport photo pages
(sim/documents.py: ICAO TD3 page, MRZ in OCR-B from Debian fonts-ocr-b) under rotation
(up to 15 degrees), perspective, blur, low contrast, dim and bright light and noise is
read one frame at a time. A read counts as ok when document number, birth date and
expiry date all equal the truth and their check digits are valid (read_mrz only
returns keys whose three check digits hold).

    .venv/bin/python bench/mrz.py            # last line: {"mrz_images": N, "mrz_ok": K, ...}

`measure_mrz()` is imported by bench/codes.py: keep its name and return shape.
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.mrz_ocr import read_mrz  # noqa: E402
from sim.documents import camera_view, passport_page, random_td3  # noqa: E402

SEED = 16
IMAGES = 40
DAY = dt.date(2026, 12, 3)   # the invented passports' dates are drawn around this day, not today


def conditions(index: int, rng: np.random.Generator) -> dict:
    """The degradation of image `index`: a cycle of five kinds, amounts drawn from `rng`."""
    kind = index % 5
    base = dict(fill=float(rng.uniform(0.72, 0.9)), angle_deg=float(rng.uniform(-4, 4)),
                tilt=float(rng.uniform(0, 0.04)), blur=float(rng.uniform(0.3, 0.8)),
                contrast=float(rng.uniform(0.85, 1.0)), noise=3.0)
    if kind == 1:      # held at an angle
        base.update(angle_deg=float(rng.choice([-1, 1]) * rng.uniform(6, 15)), tilt=float(rng.uniform(0.03, 0.08)))
    elif kind == 2:    # out of focus / moving
        base.update(blur=float(rng.uniform(1.2, 1.8)))
    elif kind == 3:    # low contrast, dim hall
        base.update(contrast=float(rng.uniform(0.45, 0.6)), brightness=float(rng.uniform(0.7, 0.85)), noise=5.0)
    elif kind == 4:    # strong perspective
        base.update(tilt=float(rng.uniform(0.08, 0.13)), angle_deg=float(rng.uniform(-8, 8)))
    return base


def bench_images(count: int = IMAGES, seed: int = SEED):
    """[(frame, truth key, condition dict)] -- the same every run."""
    rng = np.random.default_rng(seed)
    images = []
    for index in range(count):
        td3 = random_td3(rng, today=DAY)
        condition = conditions(index, rng)
        frame = camera_view(passport_page(td3.mrz), rng, **condition)
        images.append((frame, td3.key, condition))
    return images


def measure_mrz(count: int = IMAGES, seed: int = SEED, details: dict | None = None) -> dict:
    """{"mrz_images": int, "mrz_ok": int}; `details` (optional) receives timings and failures."""
    ok, times, failures = 0, [], []
    for index, (frame, truth, condition) in enumerate(bench_images(count, seed)):
        started = time.perf_counter()
        read = read_mrz(frame)
        times.append((time.perf_counter() - started) * 1000)
        if read is not None and read.key == truth:
            ok += 1
        else:
            failures.append({"index": index, "kind": index % 5, "read": bool(read)})
    if details is not None:
        details.update(median_ms=round(statistics.median(times)), max_ms=round(max(times)), failures=failures)
    return {"mrz_images": count, "mrz_ok": ok}


def main() -> None:
    details: dict = {}
    started = time.perf_counter()
    result = measure_mrz(details=details)
    print(f"median {details['median_ms']} ms, max {details['max_ms']} ms per frame; "
          f"{time.perf_counter() - started:.0f} s in all; failures: {details['failures']}", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
