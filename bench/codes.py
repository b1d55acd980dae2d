"""Barcode reading: zxing-cpp (the kiosk's decoder, kiosk/barcodes.py) against OpenCV's
QRCodeDetector (the receipt-QR decoder it replaced), on the same camera-like images.

    .venv/bin/python bench/codes.py

The image set is fixed and generated (sim/code_scenes.py, seeded): 1280x720 scenes with
the codes the kiosk reads -- a receipt progress link (QR), a government-app identity
code (QR, ~150 characters), a payment code as QR and as Code 128 (18 digits) -- on a
phone screen or paper slip, each sharp and degraded (defocus blur, hand-shake blur,
rotation 15-40 degrees, perspective tilt, low contrast, sensor noise, glare).

zxing-cpp decodes with the purpose the kiosk step uses (kiosk.barcodes.FORMATS: "qr" or
"payment"); OpenCV with the kiosk's former decode_qr (detectAndDecode on the colour frame,
then once more on grey). OpenCV has no Code 128 reader in its QR detector (cv2.barcode
reads EAN/UPC only), so its Code 128 images count as not decoded; `opencv_qr_decoded`
on stderr gives the QR-only comparison. A decode counts only when the text is exact.

MRZ reads of passport pages come from bench/mrz.py (`measure_mrz()`, the document-camera
work); while that file is absent the MRZ figures are 0 and a line says so.

Last line: {"images", "zxing_decoded", "opencv_decoded", "zxing_ms", "opencv_ms", "ratio",
"mrz_images", "mrz_ok"} (times are medians per image, in milliseconds).
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import cv2  # noqa: E402

from kiosk.barcodes import decode_codes  # noqa: E402
from sim.code_scenes import code_scene  # noqa: E402

SEEDS = range(4)
DEGRADATIONS = ("sharp", "blur", "motion", "rotation", "perspective", "low_contrast", "noise", "glare")
# (kind, text, symbology, kiosk purpose)
KINDS = (
    ("receipt", "https://zwfw.gd.gov.cn/kiosk/applications/q7Hk2Lm9Xp4Rt6Vw8Yz1Ab3C", "qr", "qr"),
    ("identity", "GDID1.eyJ2IjoxLCJpc3MiOiJnZC1nb3YtYXBwIiwianRpIjoiN2YzYzFhOWUwYjVkNGM4ZiIsImlhdCI6MTc2NDc3MzEyMCwi"
                 "ZXhwIjoxNzY0NzczMTgwfQ.Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg", "qr", "qr"),
    ("payment_qr", "134567890123456789", "qr", "payment"),
    ("payment_code128", "284567890123456781", "code128", "payment"),
)


def opencv_decode_qr(frame_bgr) -> str | None:
    """The kiosk's receipt-QR decoder before issue 16 (kiosk/qr_scan.py), unchanged."""
    detector = cv2.QRCodeDetector()
    text, _points, _ = detector.detectAndDecode(frame_bgr)
    if text:
        return text
    grey = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY) if frame_bgr.ndim == 3 else frame_bgr
    if max(grey.shape) < 1000:
        grey = cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)
    text, _, _ = detector.detectAndDecode(grey)
    return text or None


def zxing_decode(frame_bgr, purpose: str) -> str | None:
    codes = decode_codes(frame_bgr, purpose)
    return codes[0].text if codes else None


def image_set():
    for kind, text, symbology, purpose in KINDS:
        for degradation in DEGRADATIONS:
            for seed in SEEDS:
                yield kind, degradation, text, purpose, code_scene(text, symbology, degradation=degradation,
                                                                   seed=seed * 101 + len(kind))


def timed(function, *args) -> tuple[str | None, float]:
    started = time.perf_counter()
    result = function(*args)
    return result, (time.perf_counter() - started) * 1000.0


def measure_codes() -> dict:
    images = list(image_set())
    for _kind, _degradation, _text, purpose, frame in images[:3]:   # warm-up: first-call allocations
        zxing_decode(frame, purpose)
        opencv_decode_qr(frame)
    zx_ok = cv_ok = zx_qr_ok = cv_qr_ok = 0
    zx_ms: list[float] = []
    cv_ms: list[float] = []
    per_degradation: dict[str, list[int]] = {}
    for kind, degradation, text, purpose, frame in images:
        zx_text, zx_time = timed(zxing_decode, frame, purpose)
        cv_text, cv_time = timed(opencv_decode_qr, frame)
        zx_ms.append(zx_time)
        cv_ms.append(cv_time)
        zx_ok += zx_text == text
        cv_ok += cv_text == text
        zx_qr_ok += zx_text == text and kind != "payment_code128"
        cv_qr_ok += cv_text == text and kind != "payment_code128"
        tally = per_degradation.setdefault(degradation, [0, 0, 0])
        tally[0] += 1
        tally[1] += zx_text == text
        tally[2] += cv_text == text
    qr_images = sum(1 for image in images if image[0] != "payment_code128")
    print(f"per degradation (images, zxing, opencv): {per_degradation}", file=sys.stderr)
    print(f"QR images only: {qr_images}, zxing_qr_decoded {zx_qr_ok}, opencv_qr_decoded {cv_qr_ok}", file=sys.stderr)
    zxing_ms, opencv_ms = statistics.median(zx_ms), statistics.median(cv_ms)
    return {"images": len(images), "zxing_decoded": zx_ok, "opencv_decoded": cv_ok,
            "zxing_ms": round(zxing_ms, 2), "opencv_ms": round(opencv_ms, 2),
            "ratio": round(opencv_ms / zxing_ms, 2) if zxing_ms > 0 else None}


def measure_mrz_part() -> dict:
    try:
        from mrz import measure_mrz  # bench/mrz.py (document camera work); wired at merge
    except ImportError:
        print("MRZ part missing: bench/mrz.py (measure_mrz) is not in this tree; mrz figures are 0")
        return {"mrz_images": 0, "mrz_ok": 0}
    result = measure_mrz()
    return {"mrz_images": int(result["mrz_images"]), "mrz_ok": int(result["mrz_ok"])}


def main() -> int:
    figures = measure_codes()
    figures.update(measure_mrz_part())
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
