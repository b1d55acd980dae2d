"""Barcode scanner in USB HID keyboard mode, read from its own input device with evdev.

A keyboard-wedge scanner "types" its codes into whatever widget has the focus, under the desktop's
keyboard layout (wrong characters under non-US layouts). This driver instead opens the scanner's
/dev/input/eventN (by path or by name, e.g. /dev/input/by-id/usb-...-event-kbd) and *grabs* it
(EVIOCGRAB): no other reader, the desktop included, sees its key events. Key codes are mapped to
characters here with a fixed US layout; Enter ends a code.
"""
from __future__ import annotations

import select

from devices.scanner.interface import BarcodeScanner, ScannerCapabilities, ScannerUnavailable

# evdev key names -> (unshifted, shifted) characters: the US layout scanners send in.
_KEYS = {**{f"KEY_{d}": (d, ")!@#$%^&*("[int(d)]) for d in "0123456789"},
         **{f"KEY_{c}": (c.lower(), c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
         "KEY_MINUS": ("-", "_"), "KEY_EQUAL": ("=", "+"), "KEY_SLASH": ("/", "?"), "KEY_DOT": (".", ">"),
         "KEY_COMMA": (",", "<"), "KEY_SEMICOLON": (";", ":"), "KEY_SPACE": (" ", " ")}
_SHIFTS = ("KEY_LEFTSHIFT", "KEY_RIGHTSHIFT")
_ENTERS = ("KEY_ENTER", "KEY_KPENTER")
KEY_DOWN = 1


class KeyDecoder:
    """Key events (evdev `InputEvent`s of type EV_KEY) -> bytes for the frame parser."""

    def __init__(self) -> None:
        from evdev import ecodes
        self._ecodes = ecodes
        self._shift = False

    def decode(self, events) -> bytes:
        out = bytearray()
        for event in events:
            if event.type != self._ecodes.EV_KEY:
                continue
            name = self._ecodes.KEY.get(event.code)
            if isinstance(name, list):
                name = name[0]
            if name in _SHIFTS:
                self._shift = event.value != 0
                continue
            if event.value != KEY_DOWN:
                continue
            if name in _ENTERS:
                out += b"\r"
            elif name in _KEYS:
                out += _KEYS[name][1 if self._shift else 0].encode("ascii")
            else:
                out += b"\x00"          # a key no code contains: the frame is refused as unprintable
        return bytes(out)


class HidScanner(BarcodeScanner):
    capabilities = ScannerCapabilities("hid", grabs_input=True)

    def __init__(self, device: str, parent=None, **options):
        super().__init__(parent, **options)
        self.device_path = device
        self._device = None
        self._decoder: KeyDecoder | None = None

    def _connect(self) -> None:
        try:
            from evdev import InputDevice
        except ImportError as exc:
            raise ScannerUnavailable(f"evdev missing: {exc}") from None
        if not self.device_path:
            raise ScannerUnavailable("no input device configured ([devices.scanner] device)")
        try:
            device = InputDevice(self.device_path)
            device.grab()     # exclusive: its keystrokes never reach the focused widget
        except OSError as exc:
            raise ScannerUnavailable(f"{self.device_path}: {exc}") from None
        self._device, self._decoder = device, KeyDecoder()

    def _disconnect(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            try:
                device.ungrab()
            except OSError:
                pass
            device.close()

    def _read_chunk(self, timeout_s: float) -> bytes:
        device, decoder = self._device, self._decoder
        if device is None or decoder is None:
            raise ScannerUnavailable("input device closed")
        try:
            ready, _, _ = select.select([device.fd], [], [], timeout_s)
            if not ready:
                return b""
            return decoder.decode(device.read())
        except OSError as exc:       # unplugged: ENODEV
            raise ScannerUnavailable(f"{self.device_path}: {exc}") from None
