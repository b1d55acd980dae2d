"""What a decoded ESC/POS job would look like on paper (PNG), for the emulator and tests."""
from __future__ import annotations

import qrcode
from PIL import Image, ImageDraw

from sim.printer.escpos_parser import decode_job


def render_job(data: bytes, width: int = 576, font_path: str | None = None) -> Image.Image:
    """What the paper would look like: text in a CJK font, rasters as sent, QR drawn by 'the printer'."""
    from devices.printer.receipt import find_cjk_font, load_font
    font_path = font_path or find_cjk_font()
    rows: list[tuple[Image.Image, int]] = []
    for item in decode_job(data):
        if item.kind == "text":
            font = load_font(font_path, 48 if item.double else 24)
            row = Image.new("L", (width, font.getmetrics()[0] + font.getmetrics()[1] + 6), 255)
            text_width = font.getlength(item.value)
            x = {0: 0, 1: (width - text_width) / 2, 2: width - text_width}.get(item.align, 0)
            ImageDraw.Draw(row).text((max(0, x), 2), item.value, font=font, fill=0)
            rows.append((row, 0))
        elif item.kind == "image":
            rows.append((item.value, item.align))
        elif item.kind == "qr":
            code = qrcode.QRCode(box_size=max(1, item.module_size), border=4,
                                 error_correction=qrcode.constants.ERROR_CORRECT_L)
            code.add_data(item.value)
            code.make(fit=True)
            rows.append((code.make_image().get_image().convert("L"), 1))
        elif item.kind == "feed":
            rows.append((Image.new("L", (width, 30 * int(item.value)), 255), 0))
        elif item.kind == "cut":
            cut = Image.new("L", (width, 16), 255)
            draw = ImageDraw.Draw(cut)
            for x in range(0, width, 16):
                draw.line((x, 8, x + 8, 8), fill=128)
            rows.append((cut, 0))
    page = Image.new("L", (width, max(1, sum(row.height for row, _ in rows))), 255)
    y = 0
    for row, align in rows:
        x = {1: (width - row.width) // 2, 2: width - row.width}.get(align, 0)
        page.paste(row, (max(0, x), y))
        y += row.height
    return page
