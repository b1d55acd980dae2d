"""The application receipt's two renderers (the content, `Receipt`, is kiosk.core.receipt's).

`layout_receipt()` (devices/printer/receipt_layout.py, re-exported here) turns a
Receipt into a list of blocks; `render_receipt()`
sends the blocks to a python-escpos printer and `render_receipt_preview()` draws
the same blocks into a picture, so the PNG in the demo folder shows what the
printer got.

Chinese text is printed, by default (`text_mode="image"`), as a picture drawn
with a CJK font, not as GB18030 text: printer fonts stop at GBK or GB2312, and a
citizen's name may hold a rare character (䶮, 𠮷) that would come out as "?".
`text_mode="gb18030"` sends Chinese lines as text (far fewer bytes) and falls
back to a picture for any line the printer cannot encode. ASCII items the staff may need
to read back or scan (application number, date, kiosk id) are sent as ESC/POS
text, and the application number also travels in the QR code, so the captured
bytes contain it.
"""
from __future__ import annotations

import copy
import functools
import logging
import shutil
import subprocess
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from devices.printer.receipt_layout import QrBlock as QrBlock
from devices.printer.receipt_layout import RuleBlock as RuleBlock
from devices.printer.receipt_layout import TextBlock as TextBlock
from devices.printer.receipt_layout import layout_receipt as layout_receipt
from kiosk.core.receipt import Receipt

log = logging.getLogger(__name__)

DEFAULT_PAPER_WIDTH_PX = 512     # safe printable width of an 80 mm head (576 dots on most)
_KNOWN_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
# Noto Sans CJK stops short of CJK Extension B..F in places (e.g. U+20000, U+2A6A5).
# HanaMin A/B (Debian fonts-hanazono) cover those extensions; a character the
# main font lacks is drawn with the first of these that has it.
_FALLBACK_CJK_FONTS = (
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
)


# --- fonts -------------------------------------------------------------------

class FontNotFoundError(RuntimeError):
    pass


def find_cjk_font() -> str:
    """Path of a font with Chinese glyphs: fontconfig first, then known locations."""
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"],
                                   capture_output=True, text=True, timeout=5).stdout.strip()
            if found and Path(found).is_file() and _has_cjk(found):
                return found
        except (OSError, subprocess.SubprocessError):
            pass
    for candidate in _KNOWN_CJK_FONTS:
        if Path(candidate).is_file():
            return candidate
    raise FontNotFoundError("no CJK font for receipts: install fonts-noto-cjk "
                            "(apt-get install fonts-noto-cjk) or pass font_path")


def _has_cjk(path: str) -> bool:
    try:
        font = ImageFont.truetype(path, 24)
    except OSError:
        return False
    return not _is_notdef(font, "中")


@functools.lru_cache(maxsize=32)
def load_font(path: str, size: int, language: str = "zh_CN") -> ImageFont.FreeTypeFont:
    """The face of a collection (.ttc) that suits the language: Traditional
    glyph shapes for zh_HK, Simplified otherwise."""
    wanted = ("HK", "TC") if language == "zh_HK" else ("SC",)
    if path.lower().endswith(".ttc"):
        faces = []
        for index in range(16):
            try:
                font = ImageFont.truetype(path, size, index=index)
            except OSError:
                break
            faces.append(font)
            family = font.getname()[0] or ""
            if "Mono" not in family and any(family.endswith(" " + tag) for tag in wanted):
                return font
        if faces:
            return faces[0]
    return ImageFont.truetype(path, size)


@functools.lru_cache(maxsize=8)
def _notdef_mask(font: ImageFont.FreeTypeFont) -> bytes:
    return _mask_signature(font, "\U0010FFFD")   # a private-use point no font maps


def _mask_signature(font, char: str) -> bytes:
    mask = font.getmask(char)
    return repr(mask.size).encode() + bytes(mask)


def _is_notdef(font, char: str) -> bool:
    return _mask_signature(font, char) == _notdef_mask(font)


def missing_glyphs(font: ImageFont.FreeTypeFont, text: str) -> list[str]:
    """Characters the font would draw as an empty box."""
    return [ch for ch in dict.fromkeys(text) if not ch.isspace() and _is_notdef(font, ch)]


# --- text pictures -----------------------------------------------------------

def _wrap(text: str, font, width: int) -> list[str]:
    """Greedy wrap: CJK may break anywhere, Latin words stay whole when they fit."""
    lines, current = [], ""
    for token in _tokens(text):
        candidate = current + token
        if current and font.getlength(candidate) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current = candidate
    lines.append(current.rstrip())
    return lines or [""]


def _tokens(text: str):
    word = ""
    for ch in text:
        if ch.isascii() and not ch.isspace():
            word += ch
            continue
        if word:
            yield word
            word = ""
        yield ch
    if word:
        yield word


def fallback_fonts(size: int) -> list[ImageFont.FreeTypeFont]:
    """The installed fallback faces at `size` (empty if fonts-hanazono is missing)."""
    return [_load_plain_font(path, size) for path in _FALLBACK_CJK_FONTS if Path(path).is_file()]


@functools.lru_cache(maxsize=32)
def _load_plain_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _font_runs(text: str, font, fallbacks) -> list[tuple[str, object]]:
    """Split `text` into runs drawn with one font each: the main font where it has the glyph."""
    runs: list[tuple[str, object]] = []
    for ch in text:
        chosen = font
        if not ch.isspace() and _is_notdef(font, ch):
            chosen = next((f for f in fallbacks if not _is_notdef(f, ch)), font)
        if runs and runs[-1][1] is chosen:
            runs[-1] = (runs[-1][0] + ch, chosen)
        else:
            runs.append((ch, chosen))
    return runs


def render_text_image(block: TextBlock, font_path: str, language: str,
                      width: int = DEFAULT_PAPER_WIDTH_PX) -> Image.Image:
    """A 1-bit picture of the block's text, `width` dots wide."""
    size = block.size * 2 if block.double and block.size < 40 else block.size
    font = load_font(font_path, size, language)
    fallbacks: list = []
    missing = missing_glyphs(font, block.text)
    if missing:
        fallbacks = fallback_fonts(size)
        unprintable = [ch for ch in missing if all(_is_notdef(f, ch) for f in fallbacks)]
        # Counts only: the text may be a name.
        log.info("receipt: %d character(s) drawn with a fallback font", len(missing) - len(unprintable))
        if unprintable:
            log.warning("receipt: %d character(s) in no installed font (printed as a box)", len(unprintable))
    lines = _wrap(block.text, font, width)
    ascent, descent = font.getmetrics()
    line_height = ascent + descent + 4
    image = Image.new("L", (width, line_height * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    stroke = 1 if block.bold else 0    # stroke_width gives bold without needing a bold face
    for row, line in enumerate(lines):
        runs = _font_runs(line, font, fallbacks) if fallbacks else [(line, font)]
        line_width = sum(run_font.getlength(text) for text, run_font in runs)
        x = (width - line_width) / 2 if block.align == "center" else 0
        baseline = row * line_height + ascent
        for text, run_font in runs:
            # One common baseline: the fallback face has other ascent/descent metrics.
            draw.text((x, baseline), text, font=run_font, fill=0, anchor="ls",
                      stroke_width=stroke, stroke_fill=0)
            x += run_font.getlength(text)
    # Hard threshold: thermal heads print dots, and dithering makes small glyphs muddy.
    return image.point(lambda value: 0 if value < 160 else 255, mode="1")


# --- renderers ---------------------------------------------------------------

TEXT_MODES = ("image", "gb18030")

# ESC/POS bytes of the GB18030 text path (Chinese-model printers, e.g. Xprinter,
# Epson TM-T88 Chinese, Sunmi): FS & enters Chinese character mode, FS . leaves.
_FS_CHINESE_ON = b"\x1c&"
_FS_CHINESE_OFF = b"\x1c."


def render_receipt(printer, receipt: Receipt, font_path: str | None = None,
                   paper_width_px: int = DEFAULT_PAPER_WIDTH_PX, text_mode: str = "image",
                   printer_charset: str = "gbk", qr_native: bool = True) -> dict:
    """Send the receipt to a python-escpos printer (any transport, or Dummy).

    `text_mode="image"` (default): every non-ASCII line is a picture drawn with
    the CJK font, so every character of a name prints whatever fonts the
    printer has. `text_mode="gb18030"`: Chinese lines go as text in Chinese
    character mode (FS &), about 10x fewer bytes; a line holding a character
    the printer's font cannot encode (`printer_charset`, GBK on most Chinese
    printers: 𠮷 U+20BB7 and 䶮 U+4DAE are outside it) is sent as a picture
    instead, so nothing prints as "?". Returns counts for the log:
    {"image_lines": n, "text_lines": n, "fallback_lines": n}.
    """
    if text_mode not in TEXT_MODES:
        raise ValueError(f"text_mode: expected one of {', '.join(TEXT_MODES)}, got {text_mode!r}")
    font_path = font_path or find_cjk_font()
    _give_profile_a_width(printer, paper_width_px)
    counts = {"image_lines": 0, "text_lines": 0, "fallback_lines": 0}
    printer.hw("INIT")
    for block in layout_receipt(receipt):
        if isinstance(block, TextBlock):
            if block.as_printer_text and block.text.isascii():
                printer.set(align=block.align, bold=block.bold,
                            double_width=block.double, double_height=block.double)
                printer.textln(block.text)
                printer.set(align="left", bold=False, normal_textsize=True)
                counts["text_lines"] += 1
            elif text_mode == "gb18030" and _encodable(block.text, printer_charset):
                _send_chinese_text(printer, block, printer_charset)
                counts["text_lines"] += 1
            else:
                if text_mode == "gb18030":
                    # Count only: the line may be a citizen's name.
                    log.info("receipt: a line has characters outside %s; printed as a picture",
                             printer_charset)
                    counts["fallback_lines"] += 1
                else:
                    counts["image_lines"] += 1
                printer.image(render_text_image(block, font_path, receipt.language, paper_width_px))
        elif isinstance(block, QrBlock):
            printer.set(align="center")
            if qr_native:
                # Native GS ( k: small in bytes and sharp; center=True is not allowed with native.
                printer.qr(block.payload, size=6, native=True)
            else:
                # Raster QR for printers without GS ( k (profiles say qrCode: false).
                printer.qr(block.payload, size=6, native=False, center=False)
            printer.set(align="left")
        elif isinstance(block, RuleBlock):
            printer.textln("-" * (paper_width_px // 12))   # Font A is 12 dots wide
    printer.ln(2)
    printer.cut(mode="PART")
    return counts


def _encodable(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def _send_chinese_text(printer, block: TextBlock, charset: str) -> None:
    """One line in the printer's own Chinese font (GB18030 bytes; GBK is its 2-byte subset)."""
    align = {"left": 0, "center": 1, "right": 2}[block.align]
    size = 0x11 if block.size >= 40 else 0x00         # GS ! : double width + height for titles
    printer._raw(b"\x1ba" + bytes([align]) + b"\x1bE" + bytes([1 if block.bold else 0])
                 + b"\x1d!" + bytes([size]))
    printer._raw(_FS_CHINESE_ON + block.text.encode(charset) + b"\n" + _FS_CHINESE_OFF)
    printer._raw(b"\x1ba\x00\x1bE\x00\x1d!\x00")


def _give_profile_a_width(printer, paper_width_px: int) -> None:
    """The "default" profile has no paper width, so python-escpos print()s a
    warning for every image and skips its width check. Give this printer's
    profile the width we lay out for, on a private copy: the profile data is
    shared by every printer using the same profile."""
    profile = getattr(printer, "profile", None)
    if profile is None:
        return
    try:
        if profile.profile_data["media"]["width"]["pixels"] != "Unknown":
            return
    except (KeyError, TypeError):
        return
    data = copy.deepcopy(profile.profile_data)
    data["media"]["width"]["pixels"] = paper_width_px
    profile.profile_data = data


def render_receipt_preview(receipt: Receipt, font_path: str | None = None,
                           paper_width_px: int = DEFAULT_PAPER_WIDTH_PX) -> Image.Image:
    """A picture of the printed receipt (greyscale, paper width), for the demo folder."""
    font_path = font_path or find_cjk_font()
    margin = 16
    pieces: list[Image.Image] = []
    for block in layout_receipt(receipt):
        if isinstance(block, TextBlock):
            if block.as_printer_text:
                # Printer Font A is 12x24 dots; double size makes it 24x48.
                block = TextBlock(block.text, size=48 if block.double else 24, align=block.align,
                                  bold=block.bold)
            pieces.append(render_text_image(block, font_path, receipt.language, paper_width_px))
        elif isinstance(block, QrBlock):
            qr = qrcode.QRCode(box_size=6, border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
            qr.add_data(block.payload)
            qr.make(fit=True)
            code = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
            row = Image.new("L", (paper_width_px, code.height), 255)
            row.paste(code, ((paper_width_px - code.width) // 2, 0))
            pieces.append(row)
        elif isinstance(block, RuleBlock):
            rule = Image.new("L", (paper_width_px, 24), 255)
            ImageDraw.Draw(rule).line((0, 12, paper_width_px, 12), fill=0, width=2)
            pieces.append(rule)
    height = sum(piece.height for piece in pieces) + 2 * margin + 48
    page = Image.new("L", (paper_width_px + 2 * margin, height), 255)
    y = margin
    for piece in pieces:
        page.paste(piece.convert("L"), (margin, y))
        y += piece.height
    # Dashed cut line at the bottom, where the cutter goes.
    draw = ImageDraw.Draw(page)
    for x in range(0, page.width, 16):
        draw.line((x, height - 12, x + 8, height - 12), fill=128, width=1)
    return page
