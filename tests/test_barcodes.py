"""kiosk/barcodes.py and kiosk/qr_scan.py: the kiosk's one decoder (zxing-cpp) on camera-like
frames (sim/code_scenes.py): degraded codes it must read, codes it cannot read (no crash, no
hang), and the decoder thread."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from kiosk.barcodes import decode_codes, first_text
from kiosk.qr_scan import QrScanner, decode_qr
from sim.code_scenes import code_scene

IDENTITY = ("GDID1.eyJ2IjoxLCJpc3MiOiJnZC1nb3YtYXBwIiwianRpIjoiN2YzYzFhOWUwYjVkNGM4ZiIsImV4cCI6MTc2NDc3MzE4MH0"
            ".Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg")
PAYMENT = "134567890123456789"


@pytest.mark.parametrize("degradation,seed", [
    ("sharp", 1), ("blur", 5), ("rotation", 2), ("perspective", 3), ("low_contrast", 4), ("noise", 6), ("glare", 2),
    ("motion", 1),
])
def test_identity_qr_is_read_through_camera_degradations(degradation, seed):
    frame = code_scene(IDENTITY, "qr", degradation=degradation, seed=seed)
    assert frame.shape == (720, 1280, 3)
    assert decode_qr(frame) == IDENTITY


def test_a_payment_code_128_is_read_with_the_payment_purpose_only():
    frame = code_scene(PAYMENT, "code128", degradation="sharp", seed=0)
    codes = decode_codes(frame, "payment")
    assert [(c.symbology, c.text) for c in codes] == [("Code128", PAYMENT)]
    assert len(codes[0].corners) == 4
    assert decode_codes(frame, "qr") == []     # a QR step does not pick up a stray 1-D code


def test_a_code_mostly_out_of_the_picture_gives_nothing_quickly():
    frame = code_scene(IDENTITY, "qr", degradation="partial", seed=2)
    started = time.perf_counter()
    assert decode_qr(frame) is None
    assert time.perf_counter() - started < 1.0


def test_a_glare_covering_too_much_is_not_misread():
    """Whatever zxing makes of a code under glare, it is the code's exact text or nothing."""
    for seed in range(4, 6):
        text = first_text(code_scene(IDENTITY, "qr", degradation="glare", seed=seed), "qr")
        assert text in (None, IDENTITY)


@pytest.mark.parametrize("frame", [np.zeros((720, 1280), np.uint8), np.full((4, 4, 3), 255, np.uint8),
                                   np.random.default_rng(1).integers(0, 255, (480, 640, 3), dtype=np.uint8)])
def test_frames_without_a_code_give_an_empty_list(frame):
    assert decode_codes(frame, "any") == []


def test_unknown_purpose_is_a_programming_error():
    with pytest.raises(KeyError):
        decode_codes(np.zeros((10, 10), np.uint8), "lottery")


def test_scanner_decodes_on_its_own_thread_latest_frame_only_and_survives_bad_frames():
    results: list[str] = []
    done = threading.Event()
    scanner = QrScanner(lambda text: (results.append(text), done.set()), name="test-decoder")
    try:
        scanner.begin()
        scanner.offer("not an image")             # a broken frame: no code, the thread lives on
        scanner.offer(code_scene(IDENTITY, "qr", seed=3))
        assert done.wait(5.0)
        assert results == [IDENTITY]
        assert scanner.decode_threads == {"test-decoder"} and not scanner.active   # one result per scan
    finally:
        scanner.stop()
