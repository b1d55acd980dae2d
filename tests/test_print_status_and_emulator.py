"""DLE EOT decoding against the published bit tables, and the emulator's ESC/POS parser.

Status bytes: Epson ESC/POS reference (DLE EOT), as tabled in
../shared/reference/receipt-printer.md section 2.1: every reply is 0xx1xx10;
paper out on DLE EOT 4 typically reads 0x7E, near end 0x1E, cover open on DLE EOT 2 is bit 2.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from escpos.printer import Dummy
from PIL import Image

from devices.base import DeviceStatus
from sim.printer.escpos_parser import decode_job, decode_receipt
from sim.printer.renderer import render_job
from sim.printer.server import EmulatorState
from devices.printer.receipt import render_receipt
from devices.printer.status import decode_status, is_status_byte, query_status
from tests.test_devices_printer import APPLICATION_NUMBER, make_receipt

RARE_NAME = "\U00020BB7*"     # 𠮷 (U+20BB7, outside GBK and the BMP), masked as on the receipt


def black(image: Image.Image) -> np.ndarray:
    """Dots that print, as booleans, whatever the image mode."""
    return np.array(image.convert("L")) < 128


# --- status bytes -------------------------------------------------------------------

def test_all_clear_is_online_and_full():
    state = decode_status(0x12, 0x12, 0x12, 0x12)
    assert state.reachable and state.paper == "full" and state.failure_reason is None
    assert state.device_status is DeviceStatus.ONLINE


@pytest.mark.parametrize("replies, paper, reason, status", [
    ((0x12, 0x12, 0x12, 0x1E), "low", None, DeviceStatus.ONLINE),                 # near end: bits 2,3
    ((0x1A, 0x32, 0x12, 0x7E), "out", "paper_out", DeviceStatus.USER_ERROR),       # paper out: 0x7E
    ((0x1A, 0x16, 0x12, 0x12), "full", "cover_open", DeviceStatus.USER_ERROR),     # DLE EOT 2 bit 2
    ((0x1A, 0x52, 0x1A, 0x12), "jammed", "io_error", DeviceStatus.HARDWARE_ERROR),  # autocutter: 3 bit 3
    ((0x1A, 0x12, 0x32, 0x12), "full", "io_error", DeviceStatus.HARDWARE_ERROR),   # unrecoverable: 3 bit 5
    ((0x1A, 0x12, 0x12, 0x12), "full", "offline", DeviceStatus.OFFLINE),           # offline, no cause
])
def test_published_status_bytes(replies, paper, reason, status):
    state = decode_status(*replies)
    assert (state.paper, state.failure_reason, state.device_status) == (paper, reason, status)


@pytest.mark.parametrize("value", [0x00, 0xFF, 0x13, 0x11, 0x10, 0x92])
def test_bytes_without_the_fixed_bits_are_not_status(value):
    assert not is_status_byte(value)
    state = decode_status(0x12, value, 0x12, 0x12)
    assert not state.reachable and state.failure_reason == "offline"
    assert state.paper == "unknown"       # never "out" on a bad reply (python-escpos #714)


class ScriptedChannel:
    """A byte channel fed from a script: what the printer 'sends' back per query."""

    def __init__(self, replies: dict[int, bytes], stale: bytes = b""):
        self.replies, self.incoming, self.drained, self.sent = replies, bytearray(stale), 0, []

    def drain(self):
        self.drained += 1
        self.incoming.clear()

    def write(self, data):
        self.sent.append(data)
        self.incoming += self.replies.get(data[2], b"")

    def read_byte(self, timeout_s):
        return self.incoming.pop(0) if self.incoming else None


def test_query_drains_stale_input_and_skips_noise():
    # A stale "paper out" byte waits from an earlier query; XOFF (0x13) precedes a real reply.
    channel = ScriptedChannel({1: b"\x12", 2: b"\x13\x12", 3: b"\x12", 4: b"\x1e"}, stale=b"\x7e")
    state = query_status(channel, timeout_s=1.0)
    assert channel.drained == 1
    assert channel.sent == [b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x03", b"\x10\x04\x04"]
    assert state.reachable and state.paper == "low"


def test_query_without_reply_is_unknown_not_paper_out():
    state = query_status(ScriptedChannel({1: b"\x12", 2: b"\x12"}), timeout_s=0.3)
    assert not state.reachable and "DLE EOT 3" in state.detail and state.paper == "unknown"


def test_emulator_state_answers_like_the_tables():
    assert EmulatorState(paper="out").status_byte(4) == 0x7E
    assert EmulatorState(paper="near_end").status_byte(4) == 0x1E
    assert EmulatorState(cover_open=True).status_byte(2) == 0x16
    for n in (1, 2, 3, 4):
        assert is_status_byte(EmulatorState(jammed=True, paper="out", cover_open=True).status_byte(n))


# --- the parser ---------------------------------------------------------------------------

def test_raster_image_round_trip_bit_exact():
    """GS v 0 bytes for a known picture decode back to the same dots."""
    picture = Image.new("1", (64, 16), 1)
    for x in range(0, 64, 3):
        picture.putpixel((x, x % 16), 0)
    printer = Dummy()
    printer.image(picture)
    images = [item.value for item in decode_job(printer.output) if item.kind == "image"]
    assert len(images) == 1
    assert images[0].size == picture.size
    assert (black(images[0]) == black(picture)).all()
    assert black(picture).sum() > 20


def test_status_bytes_inside_raster_data_are_not_queries():
    # GS v 0, 3 bytes wide, 1 row, the data is exactly DLE EOT 1.
    data = b"\x1dv0\x00\x03\x00\x01\x00" + b"\x10\x04\x01" + b"\x10\x04\x04"
    kinds = [(item.kind, item.value if item.kind == "status" else None) for item in decode_job(data)]
    assert kinds == [("image", None), ("status", 4)]


def test_commands_split_across_chunks_parse_the_same():
    printer = Dummy()
    render_receipt(printer, make_receipt(), text_mode="gb18030")
    whole = decode_receipt(printer.output)
    from sim.printer.escpos_parser import EscPosParser
    parser = EscPosParser()
    items = []
    for start in range(0, len(printer.output), 7):      # 7-byte chunks cut every command somewhere
        items += parser.feed(printer.output[start:start + 7])
    items += parser.finish()
    assert [i.value for i in items if i.kind == "text"] == whole.lines
    assert parser.data == printer.output


@pytest.mark.parametrize("qr_native", [True, False])
def test_qr_round_trip_through_opencv(qr_native):
    """The printed QR (native GS ( k drawn by the emulator, or raster) decodes to the payload."""
    printer = Dummy()
    render_receipt(printer, make_receipt(), qr_native=qr_native)
    page = np.array(render_job(printer.output))
    text, points, _ = cv2.QRCodeDetector().detectAndDecode(page)
    assert text == f"https://zwfw.example.gov.cn/q/{APPLICATION_NUMBER}"
    assert (b"\x1d(k" in printer.output) is qr_native


# --- Chinese text modes ---------------------------------------------------------------------

def test_gb18030_mode_sends_chinese_as_text():
    printer = Dummy()
    counts = render_receipt(printer, make_receipt(), text_mode="gb18030")
    assert b"\x1c&" in printer.output and "老年人优待证办理".encode("gbk") in printer.output
    receipt = decode_receipt(printer.output)
    assert "办理事项：老年人优待证办理" in receipt.lines
    assert "申请人：梁**" in receipt.lines and APPLICATION_NUMBER in receipt.lines
    assert counts["fallback_lines"] == 0 and receipt.images == []
    assert receipt.cut


def test_gb18030_mode_prints_a_rare_name_as_a_picture_not_a_question_mark():
    from devices.printer.receipt import TextBlock, find_cjk_font, render_text_image
    printer = Dummy()
    counts = render_receipt(printer, make_receipt(applicant_name_masked=RARE_NAME), text_mode="gb18030")
    receipt = decode_receipt(printer.output)
    assert counts["fallback_lines"] == 1
    assert not any("?" in line or "\ufffd" in line or "申请人" in line for line in receipt.lines)
    # The one picture is exactly the applicant line drawn with the CJK font.
    expected = render_text_image(TextBlock(f"申请人：{RARE_NAME}"), find_cjk_font(), "zh_CN")
    assert len(receipt.images) == 1
    got = receipt.images[0]
    assert got.size[1] == expected.size[1]
    assert (black(got.crop((0, 0) + expected.size)) == black(expected)).all()


def test_image_mode_sends_no_chinese_bytes():
    printer = Dummy()
    counts = render_receipt(printer, make_receipt(applicant_name_masked="䶮*"), text_mode="image")
    assert b"\x1c&" not in printer.output and "办理".encode("gbk") not in printer.output
    assert counts["text_lines"] == 4 and counts["image_lines"] > 10


def test_unknown_text_mode_is_a_typed_error():
    with pytest.raises(ValueError, match="text_mode"):
        render_receipt(Dummy(), make_receipt(), text_mode="utf8")


@pytest.mark.parametrize("changes, expected", [
    ({"reprint": True}, "补打 / REPRINT"),
    ({"queued_offline": True}, "已保存，联网后自动提交"),
    ({"language": "zh_HK"}, "受理回執"),
    ({"language": "en"}, "Application receipt"),
])
def test_variants_in_the_printed_text(changes, expected):
    printer = Dummy()
    render_receipt(printer, make_receipt(**changes), text_mode="gb18030")
    assert expected in decode_receipt(printer.output).lines


def test_characters_missing_from_noto_cjk_print_with_the_fallback_font():
    """U+20000 and U+2A6A5 (CJK Ext. B) are not in Noto Sans CJK: drawn with HanaMin, not as boxes."""
    from devices.printer.receipt import (TextBlock, fallback_fonts, find_cjk_font, load_font,
                                         render_text_image)
    main_font = load_font(find_cjk_font(), 26)
    from devices.printer.receipt import missing_glyphs
    rare = "\U00020000\U0002A6A5"
    assert missing_glyphs(main_font, rare) == list(rare)          # the main font really lacks them
    assert fallback_fonts(26), "fonts-hanazono is in bootstrap's DEBIAN_PACKAGES"
    printed = black(render_text_image(TextBlock(f"申请人：{rare}"), find_cjk_font(), "zh_CN"))
    boxes = black(render_text_image(TextBlock("申请人：\U0010FFFD\U0010FFFD"), find_cjk_font(), "zh_CN"))
    assert printed.shape == boxes.shape
    assert (printed != boxes).sum() > 50          # without the fallback both are the same two .notdef boxes
