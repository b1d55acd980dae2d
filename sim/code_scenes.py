"""Camera-like pictures of codes: a QR or Code 128 on a phone screen or a paper slip,
in a 1280x720 scene, then degraded the way a kiosk camera sees them.

Used by bench/codes.py (the fixed, seeded image set), the barcode tests (blurred,
tilted, partial, low-contrast, glare-covered codes) and sim/phone_app.py (the phone
held up to the simulated camera). Deterministic for a given seed.

    scene = code_scene("GDID1....", "qr", degradation="blur", seed=3)

Degradations (`DEGRADATIONS`): sharp, blur (defocus), motion (hand shake), rotation
(in-plane, 15-40 degrees), perspective (phone tilted 25-40 degrees), low_contrast (dim
screen, grey on grey), noise (sensor noise in a dim hall), glare (a bright reflection
over part of the code), partial (the code half out of the frame: cannot be read, must
not crash or hang).
"""
from __future__ import annotations

import math

import cv2
import numpy as np
import zxingcpp

FRAME_SIZE = (720, 1280)   # rows, cols
DEGRADATIONS = ("sharp", "blur", "motion", "rotation", "perspective", "low_contrast", "noise", "glare", "partial")
SYMBOLOGIES = {"qr": zxingcpp.BarcodeFormat.QRCode, "code128": zxingcpp.BarcodeFormat.Code128}


def code_image(text: str, symbology: str = "qr", module_px: int = 4) -> np.ndarray:
    """The code alone, black on white, with its quiet zone (grey uint8)."""
    barcode = zxingcpp.create_barcode(text, SYMBOLOGIES[symbology])
    image = np.array(barcode.to_image(scale=module_px, add_quiet_zones=True), dtype=np.uint8)
    if symbology == "code128":   # a 1-D code is drawn one row high by some writers: give it height
        image = cv2.resize(image, (image.shape[1], max(image.shape[0], 30 * module_px)),
                           interpolation=cv2.INTER_NEAREST)
    return image


def _background(rng: np.random.Generator) -> np.ndarray:
    """A hall seen by the kiosk camera: a soft gradient with some blobs (people, furniture)."""
    rows, cols = FRAME_SIZE
    base = rng.uniform(70, 170, size=3)
    gy, gx = np.mgrid[0:rows, 0:cols].astype(np.float32)
    gradient = (gx / cols * rng.uniform(-40, 40) + gy / rows * rng.uniform(-40, 40))[..., None]
    frame = np.clip(base[None, None, :] + gradient, 0, 255).astype(np.uint8)
    for _ in range(6):
        center = (int(rng.integers(0, cols)), int(rng.integers(0, rows)))
        axes = (int(rng.integers(40, 260)), int(rng.integers(40, 200)))
        colour = tuple(int(c) for c in rng.integers(20, 235, size=3))
        cv2.ellipse(frame, center, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1)
    return cv2.GaussianBlur(frame, (0, 0), 6)


def _carrier(code: np.ndarray, rng: np.random.Generator, contrast: float) -> np.ndarray:
    """The code on its carrier: a phone (dark body, white screen) or a paper slip, BGR."""
    h, w = code.shape
    ink, paper = (128 - 64 * contrast, 128 + 64 * contrast) if contrast < 1 else (10, 245)
    shown = (code.astype(np.float32) / 255.0 * (paper - ink) + ink).astype(np.uint8)
    pad = int(max(h, w) * 0.12)
    screen = np.full((h + 2 * pad, w + 2 * pad), int(paper), np.uint8)
    screen[pad:pad + h, pad:pad + w] = shown
    phone = bool(rng.integers(0, 2))
    border = int(max(h, w) * (0.08 if phone else 0.0))
    body = np.full((screen.shape[0] + 2 * border, screen.shape[1] + 2 * border), 25 if phone else int(paper),
                   np.uint8)
    body[border:border + screen.shape[0], border:border + screen.shape[1]] = screen
    return cv2.cvtColor(body, cv2.COLOR_GRAY2BGR)


def _place(frame: np.ndarray, item: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Warps `item` into `frame` with a 3x3 homography (a mask keeps the background)."""
    rows, cols = frame.shape[:2]
    warped = cv2.warpPerspective(item, matrix, (cols, rows), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full(item.shape[:2], 255, np.uint8), matrix, (cols, rows))
    out = frame.copy()
    out[mask > 127] = warped[mask > 127]
    return out


def code_scene(text: str, symbology: str = "qr", *, degradation: str = "sharp", seed: int = 0,
               width_px: int | None = None) -> np.ndarray:
    """A 1280x720 BGR frame showing the code, degraded as named; reproducible for a seed."""
    if degradation not in DEGRADATIONS:
        raise ValueError(f"unknown degradation {degradation!r}")
    rng = np.random.default_rng(seed)
    frame = _background(rng)
    contrast = 0.28 if degradation == "low_contrast" else 1.0
    code = code_image(text, symbology, module_px=4)
    item = _carrier(code, rng, contrast)
    rows, cols = FRAME_SIZE
    target_w = width_px or int(rng.uniform(300, 440) if symbology == "qr" else rng.uniform(420, 560))
    scale = target_w / item.shape[1]
    h, w = item.shape[0] * scale, item.shape[1] * scale
    corners = np.float32([[0, 0], [item.shape[1], 0], [item.shape[1], item.shape[0]], [0, item.shape[0]]])
    centre = np.array([rng.uniform(w / 2 + 20, cols - w / 2 - 20), rng.uniform(h / 2 + 20, rows - h / 2 - 20)])
    if degradation == "partial":
        centre[0] = cols - w * 0.2       # most of the code is out of the picture
    angle = math.radians(rng.uniform(-6, 6))
    if degradation == "rotation":
        angle = math.radians(rng.choice([-1, 1]) * rng.uniform(15, 40))
    local = np.float32([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    if degradation == "perspective":      # the phone tilted away: one side nearer the lens
        tilt = rng.uniform(0.25, 0.40) * rng.choice([-1, 1])
        local[:, 1] *= 1 + tilt * np.sign(local[:, 0]) * 0.6
        local[:, 0] *= 1 - abs(tilt) * 0.35
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]], np.float32)
    placed = (local @ rotation.T + centre).astype(np.float32)
    frame = _place(frame, item, cv2.getPerspectiveTransform(corners, placed))
    return _degrade(frame, degradation, rng, placed)


def _degrade(frame: np.ndarray, degradation: str, rng: np.random.Generator, placed: np.ndarray) -> np.ndarray:
    if degradation == "blur":
        frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(1.6, 2.4))
    elif degradation == "motion":
        length = int(rng.integers(7, 11))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        kernel = cv2.warpAffine(kernel, cv2.getRotationMatrix2D((length / 2, length / 2), rng.uniform(0, 180), 1),
                                (length, length))
        frame = cv2.filter2D(frame, -1, kernel / max(kernel.sum(), 1e-6))
    elif degradation == "noise":
        frame = np.clip(frame.astype(np.float32) * 0.7 + rng.normal(0, 14, frame.shape), 0, 255).astype(np.uint8)
    elif degradation == "glare":
        # A reflection of the hall's lights over one corner of the code: saturated, soft-edged.
        corner = placed[int(rng.integers(0, 4))] * 0.45 + placed.mean(axis=0) * 0.55
        size = np.linalg.norm(placed[0] - placed[1])
        glare = np.zeros(frame.shape[:2], np.float32)
        cv2.ellipse(glare, (int(corner[0]), int(corner[1])), (int(size * 0.16), int(size * 0.10)),
                    float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
        glare = cv2.GaussianBlur(glare, (0, 0), size * 0.03)[..., None]
        frame = np.clip(frame.astype(np.float32) * (1 - glare) + 255 * glare, 0, 255).astype(np.uint8)
    # Every camera: a little sensor noise and JPEG-like softness.
    frame = np.clip(frame.astype(np.float32) + rng.normal(0, 3, frame.shape), 0, 255).astype(np.uint8)
    return frame
