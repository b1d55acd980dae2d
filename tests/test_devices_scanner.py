"""devices/scanner: the serial driver on a real pty, garbage and truncated input, the HID key
decoding and grab, the sim transport; codes are reported only while enabled."""
from __future__ import annotations

import os
import time
import tty

import pytest

from devices.base import DeviceStatus
from devices.scanner import ScannerUnavailable
from devices.scanner.framing import FrameParser
from devices.scanner.hid_scanner import HidScanner, KeyDecoder
from devices.scanner.interface import TOO_LONG, TRUNCATED, UNPRINTABLE, ScannerDataError
from devices.scanner.serial_scanner import SerialScanner
from devices.scanner.sim import SimScanner

CODE = "134567890123456789"


@pytest.fixture
def pty_scanner(qtbot):
    master, slave = os.openpty()
    tty.setraw(slave)
    scanner = SerialScanner(os.ttyname(slave), 9600, frame_timeout_s=0.2)
    codes, rejected = [], []
    scanner.code_scanned.connect(codes.append)
    scanner.scan_rejected.connect(rejected.append)
    scanner.open()
    qtbot.waitUntil(lambda: scanner.status() is DeviceStatus.ONLINE, timeout=3000)
    scanner.enable()
    yield scanner, master, codes, rejected
    scanner.close()
    os.close(master)
    os.close(slave)


def test_serial_scanner_reads_codes_from_a_real_pty(qtbot, pty_scanner):
    scanner, master, codes, rejected = pty_scanner
    os.write(master, CODE.encode() + b"\r\n")
    qtbot.waitUntil(lambda: codes == [CODE], timeout=3000)
    os.write(master, CODE[:9].encode())                 # a code split across reads
    time.sleep(0.05)
    os.write(master, CODE[9:].encode() + b"\r")
    qtbot.waitUntil(lambda: codes == [CODE, CODE], timeout=3000)
    assert rejected == []


def test_serial_scanner_refuses_garbage_and_truncated_input(qtbot, pty_scanner):
    scanner, master, codes, rejected = pty_scanner
    os.write(master, b"\x00\xff\x1b[A\r")                # line noise
    qtbot.waitUntil(lambda: rejected == [UNPRINTABLE], timeout=3000)
    os.write(master, CODE[:7].encode())                  # unplugged mid-code: never ends
    qtbot.waitUntil(lambda: rejected == [UNPRINTABLE, TRUNCATED], timeout=3000)
    os.write(master, b"9" * 400 + b"\r")                 # far longer than any code
    qtbot.waitUntil(lambda: rejected == [UNPRINTABLE, TRUNCATED, TOO_LONG], timeout=3000)
    os.write(master, CODE.encode() + b"\r")              # and the scanner still works
    qtbot.waitUntil(lambda: codes == [CODE], timeout=3000)


def test_codes_scanned_while_not_asked_for_are_dropped(qtbot, pty_scanner):
    scanner, master, codes, rejected = pty_scanner
    scanner.disable()
    os.write(master, CODE.encode() + b"\r")
    time.sleep(0.4)
    assert codes == []
    scanner.enable()
    os.write(master, CODE.encode() + b"\r")
    qtbot.waitUntil(lambda: codes == [CODE], timeout=3000)


def test_a_missing_port_is_no_device_not_a_crash(qtbot, tmp_path):
    scanner = SerialScanner(str(tmp_path / "ttyNONE"))
    scanner.open()
    qtbot.waitUntil(lambda: scanner.status() is DeviceStatus.NO_DEVICE, timeout=3000)
    assert "ttyNONE" in scanner.last_error()
    scanner.close()


def test_frame_parser_rules():
    now = [0.0]
    parser = FrameParser(frame_timeout_s=0.3, max_length=20, clock=lambda: now[0])
    assert parser.feed(b"AB") == []
    now[0] = 1.0
    [result] = parser.feed(b"")
    assert isinstance(result, ScannerDataError) and result.reason == TRUNCATED
    assert parser.feed(b"\r\n\r\n") == []                # empty lines are nothing
    assert parser.feed(b"X1\r\nY2\n") == ["X1", "Y2"]


class FakeEvent:
    def __init__(self, code, value, type_=1):
        self.type, self.code, self.value = type_, code, value


def test_hid_key_events_become_characters_with_shift_and_enter():
    from evdev import ecodes
    decoder = KeyDecoder()
    keys = [FakeEvent(ecodes.KEY_1, 1), FakeEvent(ecodes.KEY_1, 0), FakeEvent(ecodes.KEY_LEFTSHIFT, 1),
            FakeEvent(ecodes.KEY_A, 1), FakeEvent(ecodes.KEY_LEFTSHIFT, 0), FakeEvent(ecodes.KEY_B, 1),
            FakeEvent(0, 0, type_=0), FakeEvent(ecodes.KEY_ENTER, 1)]
    assert decoder.decode(keys) == b"1Ab\r"
    assert decoder.decode([FakeEvent(ecodes.KEY_F1, 1)]) == b"\x00"   # refused by the frame parser


def test_hid_scanner_grabs_its_input_device(monkeypatch):
    import evdev
    grabbed = []

    class Device:
        fd = -1

        def __init__(self, path):
            self.path = path

        def grab(self):
            grabbed.append(self.path)

        def ungrab(self):
            grabbed.remove(self.path)

        def close(self):
            pass
    monkeypatch.setattr(evdev, "InputDevice", Device)
    scanner = HidScanner("/dev/input/event-scanner")
    scanner._connect()
    assert grabbed == ["/dev/input/event-scanner"]   # exclusive: no keystrokes reach the desktop
    scanner._disconnect()
    assert grabbed == []
    with pytest.raises(ScannerUnavailable):
        HidScanner("")._connect()
    assert HidScanner.capabilities.grabs_input and not SerialScanner.capabilities.grabs_input


def test_sim_transport_is_the_same_pipeline(qtbot):
    scanner = SimScanner(frame_timeout_s=0.2)
    codes = []
    scanner.code_scanned.connect(codes.append)
    scanner.open()
    scanner.enable()
    scanner.inject(CODE.encode() + b"\r")
    qtbot.waitUntil(lambda: codes == [CODE], timeout=3000)
    scanner.close()
