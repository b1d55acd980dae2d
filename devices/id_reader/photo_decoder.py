"""Decoders for the 1024-byte chip photo (WLT) behind one small interface.

WLT is a proprietary wavelet format; no open decoder is known (fact sheet §2.6),
so every real deployment links the reader vendor's native library. The reader
driver only knows `PhotoDecoder.decode(wlt) -> JPEG bytes | None`:

* `NoWltDecoder` (default, `wlt_decoder = ""`): no photo. The document still
  reads with `photo_jpeg=None`; face verification then uses the photo the
  platform returns for that ID number (docs/id-readers.md).
* `VendorWltDecoder` (`wlt_decoder = "/opt/vendor/libwlt2bmp.so"` or
  `"/path/lib.so:symbol"`): a ctypes binding to the vendor's
  `int unpack(const char *wlt, char *bmp, int save_file)` convention (the
  common Linux SDK export; 1 = success, output a 102x126 24-bit BMP of 38 862
  bytes or raw BGR of 38 556 bytes).
* `SimWltDecoder` (`wlt_decoder = "sim"`): the SAM simulator cannot produce
  real WLT, so it stores a WebP image of at most 1024 bytes (the same
  information budget as WLT) padded with zeros; this decodes that stand-in.

Decoding happens on the reader's worker thread, never in the GUI thread, and
the decoded photo is only held in memory (biometric data never goes to disk).
"""
from __future__ import annotations

import ctypes
import logging

import cv2
import numpy as np

log = logging.getLogger(__name__)

WLT_SIZE = 1024
PHOTO_WIDTH = 102
PHOTO_HEIGHT = 126
RAW_BGR_SIZE = PHOTO_WIDTH * PHOTO_HEIGHT * 3                 # 38 556
BMP_SIZE = 14 + 40 + ((PHOTO_WIDTH * 3 + 3) // 4 * 4) * PHOTO_HEIGHT   # 38 862 (rows padded to 308)
JPEG_QUALITY = 90


class PhotoDecodeError(ValueError):
    """The decoder could not turn these bytes into a picture."""


class PhotoDecoder:
    name = "none"

    def decode(self, wlt: bytes) -> bytes | None:
        """JPEG bytes of the holder's photo, None when no decoder is available.

        Raises PhotoDecodeError for bytes the decoder rejects."""
        raise NotImplementedError


class NoWltDecoder(PhotoDecoder):
    name = "none"

    def decode(self, wlt: bytes) -> bytes | None:
        return None


def _to_jpeg(image: np.ndarray) -> bytes:
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise PhotoDecodeError("JPEG encoding failed")
    return buf.tobytes()


class SimWltDecoder(PhotoDecoder):
    """Decodes the simulator's stand-in: a WebP image padded with zeros to 1024 bytes.

    WebP rather than JPEG because its header is ~30 bytes instead of ~600, so
    1 KB holds a colour face that still verifies (measured dlib distance to
    the camera photo: elderly 0.36, expired 0.42, young 0.51; the 3 KB JPEG
    chip photo gives 0.29 / 0.32 / 0.41), roughly what a real WLT's 1 KB holds.
    """

    name = "sim"

    def decode(self, wlt: bytes) -> bytes | None:
        data = bytes(wlt)
        if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
            raise PhotoDecodeError("not the simulator's photo stand-in")
        size = 8 + int.from_bytes(data[4:8], "little")
        if size > len(data):
            raise PhotoDecodeError("stand-in image longer than the photo field")
        image = cv2.imdecode(np.frombuffer(data[:size], np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise PhotoDecodeError("stand-in image does not decode")
        return _to_jpeg(image)


def encode_sim_wlt(jpeg: bytes | None) -> bytes:
    """The simulator's 1024-byte stand-in for a chip photo (see SimWltDecoder);
    all zeros (no photo) when there is no picture to put in."""
    image = None if not jpeg else cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return bytes(WLT_SIZE)
    for quality in range(95, 0, -2):       # highest quality that fits
        ok, buf = cv2.imencode(".webp", image, [cv2.IMWRITE_WEBP_QUALITY, quality])
        if ok and len(buf) <= WLT_SIZE:
            return buf.tobytes() + bytes(WLT_SIZE - len(buf))
    return bytes(WLT_SIZE)


class VendorWltDecoder(PhotoDecoder):
    """ctypes binding to a vendor WLT library (`unpack(wlt, out, save_file=0)`)."""

    name = "vendor"

    def __init__(self, library_path: str, symbol: str = "unpack"):
        try:
            self._library = ctypes.CDLL(library_path)
            self._unpack = getattr(self._library, symbol)
        except (OSError, AttributeError) as exc:
            raise PhotoDecodeError(f"cannot load WLT decoder {library_path}:{symbol}: {exc}") from exc
        self._unpack.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
        self._unpack.restype = ctypes.c_int
        self.library_path = library_path

    def decode(self, wlt: bytes) -> bytes | None:
        if len(wlt) != WLT_SIZE:
            raise PhotoDecodeError(f"WLT photo of {len(wlt)} bytes, expected {WLT_SIZE}")
        # Room for the BMP plus slack: some vendor builds write a few bytes past 38 862.
        output = ctypes.create_string_buffer(BMP_SIZE + 1024)
        result = self._unpack(bytes(wlt), output, 0)
        if result != 1:
            raise PhotoDecodeError(f"vendor decoder returned {result}")
        raw = output.raw
        if raw[:2] == b"BM":
            image = cv2.imdecode(np.frombuffer(raw[:BMP_SIZE], np.uint8), cv2.IMREAD_COLOR)
        else:
            image = np.frombuffer(raw[:RAW_BGR_SIZE], np.uint8).reshape(PHOTO_HEIGHT, PHOTO_WIDTH, 3)
        if image is None:
            raise PhotoDecodeError("vendor decoder output is not a picture")
        return _to_jpeg(image)


def create_photo_decoder(setting: str) -> PhotoDecoder:
    """From the `devices.id_reader.wlt_decoder` setting: "", "sim", or "path[:symbol]"."""
    setting = (setting or "").strip()
    if not setting:
        return NoWltDecoder()
    if setting == "sim":
        return SimWltDecoder()
    path, _, symbol = setting.partition(":")
    return VendorWltDecoder(path, symbol or "unpack")
