"""Turn an ordinary photo into something like an ID-card chip photo.

A second-generation resident ID card stores a 102x126 photo of roughly 1 KB
(WLT wavelet); the decoded picture is small and blocky. Verification tests
against sharp photos would overstate the match rate, so the simulator degrades
its sample photos the same way: head-and-shoulders crop, 102x126, JPEG at about
3 KB (the size the face reference measured its error rates with).

No face detector runs here: this module is imported by the GUI process, and
the face boxes of the few sample photos are fixed constants (see
sim/identities.py).
"""
from __future__ import annotations

import cv2
import numpy as np

CHIP_WIDTH = 102
CHIP_HEIGHT = 126
TARGET_JPEG_BYTES = 3000


def head_and_shoulders_box(face_box: tuple[int, int, int, int],
                           image_shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) crop around a dlib-style face box.

    ID photos show the head at about half the picture width with the face
    slightly above the centre; a dlib HOG box covers brows to chin.
    """
    left, top, right, bottom = face_box
    face_w = right - left
    cx = (left + right) / 2
    cy = (top + bottom) / 2
    crop_w = 2.0 * face_w
    crop_h = crop_w * CHIP_HEIGHT / CHIP_WIDTH
    x0 = cx - crop_w / 2
    y0 = cy - 0.48 * crop_h
    height, width = image_shape[:2]
    # Keep the aspect ratio; shift rather than shrink when the box leaves the picture.
    x0 = min(max(0.0, x0), max(0.0, width - crop_w))
    y0 = min(max(0.0, y0), max(0.0, height - crop_h))
    x1 = min(width, x0 + crop_w)
    y1 = min(height, y0 + crop_h)
    return int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))


def encode_jpeg_near(image_bgr: np.ndarray, target_bytes: int = TARGET_JPEG_BYTES) -> bytes:
    """The highest-quality JPEG not larger than `target_bytes` (quality >= 5)."""
    best = None
    low, high = 5, 95
    while low <= high:  # binary search on quality; size grows with quality
        quality = (low + high) // 2
        ok, buf = cv2.imencode(".jpg", image_bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise ValueError("JPEG encoding failed")
        if len(buf) <= target_bytes:
            best = buf.tobytes()
            low = quality + 1
        else:
            high = quality - 1
    if best is None:
        ok, buf = cv2.imencode(".jpg", image_bgr, [cv2.IMWRITE_JPEG_QUALITY, 5])
        best = buf.tobytes()
    return best


def make_chip_photo(image_bgr: np.ndarray, face_box: tuple[int, int, int, int],
                    target_bytes: int = TARGET_JPEG_BYTES) -> bytes:
    """Crop, shrink to 102x126 and compress: the JPEG bytes a card read would yield."""
    x0, y0, x1, y1 = head_and_shoulders_box(face_box, image_bgr.shape)
    crop = image_bgr[y0:y1, x0:x1]
    small = cv2.resize(crop, (CHIP_WIDTH, CHIP_HEIGHT), interpolation=cv2.INTER_AREA)
    return encode_jpeg_near(small, target_bytes)
