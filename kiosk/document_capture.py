"""Paper under the camera: find the page, straighten it, judge it, compress it.

Pure image functions on numpy BGR frames (OpenCV); CPU work of 5-40 ms per 1280x720
frame, so callers run them off the GUI thread (kiosk/flows/documents.py does).

* `find_page(frame)`: the page outline -- downscale to ~600 px, blur, Canny, dilate,
  the largest contour that `approxPolyDP` (2 % of the perimeter) reduces to a convex
  quadrilateral; falls back to the largest bright region's minimum-area rectangle.
  Returns corners in full-frame pixels, ordered TL, TR, BR, BL, and whether any corner
  touches the frame edge (the page is cut off).
* `straighten(frame, corners)`: perspective correction onto an upright rectangle
  with the page's own aspect ratio (this is also the deskew: the warp removes rotation).
* `assess(frame)`: one `PageCheck` with the measures and at most one guidance key, in the
  order a citizen can fix them: no page -> whole page visible -> too dark -> glare -> blur.
* `encode_page(image, target_bytes, fmt)`: JPEG or WebP at the highest quality that fits
  the target size (downscaling when even low quality does not fit).

Thresholds are settings (`[documents]`), calibrated on the simulator's pages and the
bench images; a real camera needs its own calibration (docs/documents.md).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_HEIGHT = 600           # detection runs on a copy this high
EDGE_MARGIN_PX = 4          # a corner this close to the frame edge = the page is cut off
MIN_PAGE_AREA = 0.12        # a page smaller than this share of the frame is "no page"
MIN_PAGE_CONTRAST = 30.0    # fallback region: page median this much brighter than the rest
GLARE_LEVEL = 252           # smoothed grey at or above this = blown out by a reflection

# Guidance keys (citizen texts: screens/texts.py DOCUMENT_GUIDANCE), in the order they are checked.
NO_PAGE = "no_page"
CUT_OFF = "cut_off"
TOO_DARK = "too_dark"
GLARE = "glare"
BLURRED = "blurred"
GUIDANCE_KEYS = (NO_PAGE, CUT_OFF, TOO_DARK, GLARE, BLURRED)


@dataclass(frozen=True)
class Thresholds:
    min_sharpness: float = 20.0      # variance of the Laplacian on the straightened page (grey, 1000 px)
    max_glare_share: float = 0.012   # share of the page's pixels blown out (>= GLARE_LEVEL after smoothing)
    min_brightness: float = 90.0     # median grey of the page


@dataclass(frozen=True)
class PageCheck:
    corners: np.ndarray | None        # 4x2 float32, TL TR BR BL, frame pixels; None = no page
    cut_off: bool
    sharpness: float                  # variance of the Laplacian (higher = sharper)
    glare_share: float                # share of saturated pixels on the page
    brightness: float                 # median grey on the page
    guidance: str | None              # one of GUIDANCE_KEYS, or None when the page is good

    @property
    def ok(self) -> bool:
        return self.guidance is None


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points -> TL, TR, BR, BL (by coordinate sums and differences)."""
    points = np.asarray(points, np.float32).reshape(4, 2)
    sums, diffs = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.float32([points[np.argmin(sums)], points[np.argmin(diffs)],
                       points[np.argmax(sums)], points[np.argmax(diffs)]])


def find_page(frame: np.ndarray) -> tuple[np.ndarray | None, bool]:
    """(corners, cut_off) of the largest page-like quadrilateral, or (None, False)."""
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    height, width = grey.shape
    scale = WORK_HEIGHT / height
    small = cv2.resize(grey, (round(width * scale), WORK_HEIGHT), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    edges = cv2.Canny(small, 40, 120)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8), iterations=2)
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    min_area = MIN_PAGE_AREA * small.shape[0] * small.shape[1]
    quad = None
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        if cv2.contourArea(contour) < min_area:
            break
        approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            quad = approx.reshape(4, 2).astype(np.float32)
            break
    if quad is None:
        # Rounded or hidden corners: the bright region's minimum-area rectangle.
        _, mask = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if not contours:
            return None, False
        largest = max(contours, key=cv2.contourArea)
        if cv2.contourArea(largest) < min_area or cv2.contourArea(largest) > 0.97 * small.size:
            return None, False
        region = np.zeros_like(mask)
        cv2.drawContours(region, [largest], -1, 255, -1)
        if np.median(small[region > 0]) - np.median(small[region == 0]) < MIN_PAGE_CONTRAST:
            return None, False          # the desk's own texture, not a sheet of paper
        quad = cv2.boxPoints(cv2.minAreaRect(largest)).astype(np.float32)
    corners = order_corners(quad / scale)
    margin = EDGE_MARGIN_PX / scale + 2
    cut_off = bool(np.any(corners[:, 0] <= margin) or np.any(corners[:, 0] >= width - 1 - margin)
                   or np.any(corners[:, 1] <= margin) or np.any(corners[:, 1] >= height - 1 - margin))
    return corners, cut_off


def straighten(frame: np.ndarray, corners: np.ndarray, long_side: int = 1600) -> np.ndarray:
    """The page inside `corners`, perspective-corrected and upright, its long side `long_side` px."""
    tl, tr, br, bl = corners
    page_w = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    page_h = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    scale = long_side / max(page_w, page_h, 1.0)
    out_w, out_h = max(1, round(page_w * scale)), max(1, round(page_h * scale))
    target = np.float32([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]])
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(frame, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)


def measure(page: np.ndarray) -> tuple[float, float, float]:
    """(sharpness, glare share, brightness) of a straightened page."""
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    if max(grey.shape) != 1000:
        factor = 1000 / max(grey.shape)
        grey = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    inner = grey[grey.shape[0] // 20: -grey.shape[0] // 20 or None, grey.shape[1] // 20: -grey.shape[1] // 20 or None]
    sharpness = float(cv2.Laplacian(inner, cv2.CV_64F).var())
    smoothed = cv2.blur(inner, (5, 5))       # sensor noise is not glare; a reflection is a blown-out area
    glare = float(np.count_nonzero(smoothed >= GLARE_LEVEL)) / max(1, inner.size)
    brightness = float(np.median(inner))
    return sharpness, glare, brightness


def assess(frame: np.ndarray, thresholds: Thresholds = Thresholds()) -> PageCheck:
    """Find the page in a camera frame and say what, if anything, the citizen must change."""
    corners, cut_off = find_page(frame)
    if corners is None:
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        brightness = float(np.median(grey))
        guidance = TOO_DARK if brightness < thresholds.min_brightness / 2 else NO_PAGE
        return PageCheck(None, False, 0.0, 0.0, brightness, guidance)
    sharpness, glare, brightness = measure(straighten(frame, corners, long_side=1000))
    if cut_off:
        guidance: str | None = CUT_OFF
    elif brightness < thresholds.min_brightness:
        guidance = TOO_DARK
    elif glare > thresholds.max_glare_share:
        guidance = GLARE
    elif sharpness < thresholds.min_sharpness:
        guidance = BLURRED
    else:
        guidance = None
    return PageCheck(corners, cut_off, sharpness, glare, brightness, guidance)


def encode_page(image: np.ndarray, target_bytes: int, fmt: str = "jpeg") -> bytes:
    """The page as JPEG or WebP of at most `target_bytes`: the best quality that fits,
    halving the size when even quality 30 does not. Raises ValueError for a bad format."""
    if fmt not in ("jpeg", "webp"):
        raise ValueError(f"page format {fmt!r} is neither jpeg nor webp")
    extension, flag = (".jpg", cv2.IMWRITE_JPEG_QUALITY) if fmt == "jpeg" else (".webp", cv2.IMWRITE_WEBP_QUALITY)
    current = image
    while True:
        best = None
        low, high = 30, 92
        while low <= high:                      # binary search on quality
            quality = (low + high) // 2
            ok, data = cv2.imencode(extension, current, [flag, quality])
            if ok and len(data) <= target_bytes:
                best, low = data, quality + 1
            else:
                high = quality - 1
        if best is not None:
            return best.tobytes()
        if max(current.shape[:2]) < 300:
            ok, data = cv2.imencode(extension, current, [flag, 30])
            return data.tobytes()
        current = cv2.resize(current, None, fx=0.7, fy=0.7, interpolation=cv2.INTER_AREA)


def outline_overlay(frame: np.ndarray, check: PageCheck) -> np.ndarray:
    """A copy of the frame with the detected outline drawn (green = good, orange = not yet)."""
    shown = frame.copy()
    if check.corners is not None:
        colour = (60, 200, 60) if check.ok else (0, 140, 255)
        cv2.polylines(shown, [check.corners.astype(np.int32)], True, colour, 4)
    return shown


def preview_rgb(frame: np.ndarray, width: int) -> np.ndarray:
    """The frame as a contiguous RGB array at most `width` px wide, unmirrored (paper is read,
    not looked at like a mirror): what the scan screen shows."""
    height, frame_width = frame.shape[:2]
    if frame_width > width:
        frame = cv2.resize(frame, (width, round(height * width / frame_width)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))


@dataclass(frozen=True)
class PageFormat:
    """How a taken page is kept: straightened to `long_side` px, compressed to at most
    `target_bytes` as `fmt` (jpeg or webp), with a JPEG thumbnail `thumbnail_height` px high."""
    long_side: int
    target_bytes: int
    fmt: str
    thumbnail_height: int


def compress_page(frame: np.ndarray, corners: np.ndarray, page: PageFormat) -> tuple[bytes, bytes]:
    """(page bytes, thumbnail JPEG) of the page outlined by `corners` in `frame`."""
    upright = straighten(frame, corners, long_side=page.long_side)
    data = encode_page(upright, page.target_bytes, page.fmt)
    scale = page.thumbnail_height / upright.shape[0]
    small = cv2.resize(upright, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return data, cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()


def check_frame(frame: np.ndarray, thresholds: Thresholds, preview_width: int,
                page: PageFormat | None) -> tuple[PageCheck, np.ndarray, tuple[bytes, bytes] | None]:
    """All the work one document-camera frame needs, in one call so it can run in a helper process
    (kiosk/flows/documents.py): the check, the outlined preview (RGB), and, if `page` is given and
    the frame is good, the compressed page and its thumbnail."""
    check = assess(frame, thresholds)
    preview = preview_rgb(outline_overlay(frame, check), preview_width)
    taken = (compress_page(frame, check.corners, page)
             if page is not None and check.ok and check.corners is not None else None)
    return check, preview, taken
