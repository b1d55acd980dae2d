"""The WLT decoder plug-ins: none, the simulator's stand-in, and a real ctypes binding.

No vendor WLT library can be shipped, so the ctypes test compiles a small C
library with the vendor calling convention (`int unpack(const char *wlt,
char *bmp, int save_file)`, 1 = success, 102x126 24-bit BMP out) and loads it
through the same code path as a vendor .so.
"""
from __future__ import annotations

import shutil
import subprocess

import cv2
import numpy as np
import pytest

from devices.id_reader.photo_decoder import (BMP_SIZE, RAW_BGR_SIZE, WLT_SIZE, NoWltDecoder, PhotoDecodeError,
                                             SimWltDecoder, VendorWltDecoder, create_photo_decoder,
                                             encode_sim_wlt)

VENDOR_LIKE_C = r"""
/* Vendor calling convention; output depends on every input byte so the test
   can tell the bytes really went through. */
static void put32(unsigned char *p, unsigned v) { p[0]=v; p[1]=v>>8; p[2]=v>>16; p[3]=v>>24; }

int unpack(const unsigned char *wlt, unsigned char *bmp, int save_file) {
    int x, y, row = 308;
    if (wlt[0] == 0x7F) return -2;                 /* "not a WLT photo" */
    for (x = 0; x < 54; x++) bmp[x] = 0;
    bmp[0] = 'B'; bmp[1] = 'M'; put32(bmp + 2, 54 + row * 126); put32(bmp + 10, 54);
    put32(bmp + 14, 40); put32(bmp + 18, 102); put32(bmp + 22, 126);
    bmp[26] = 1; bmp[28] = 24; put32(bmp + 34, row * 126);
    for (y = 0; y < 126; y++)                      /* BMP rows run bottom-up */
        for (x = 0; x < row; x++) {
            int source_row = 125 - y;
            bmp[54 + y * row + x] = x < 306 ? wlt[(source_row * 8 + x / 3) % 1024] : 0;
        }
    return 1;
}

int unpack_raw(const unsigned char *wlt, unsigned char *out, int save_file) {
    int i;
    for (i = 0; i < 102 * 126 * 3; i++) out[i] = wlt[(i / 3) % 1024];
    return 1;
}
"""


@pytest.fixture(scope="module")
def vendor_library(tmp_path_factory):
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler: scripts/bootstrap.sh installs gcc (CI has it)")
    folder = tmp_path_factory.mktemp("wlt")
    source = folder / "libwlt_test.c"
    source.write_text(VENDOR_LIKE_C)
    library = folder / "libwlt_test.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", str(library), str(source)], check=True)
    return library


def wlt_bytes(seed: int = 1) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, WLT_SIZE, dtype=np.uint8).tobytes()


def expected_bmp_image(wlt: bytes) -> np.ndarray:
    data = np.frombuffer(wlt, np.uint8)
    image = np.zeros((126, 102, 3), np.uint8)
    for row in range(126):
        for x in range(306):
            image[row, x // 3, x % 3] = data[(row * 8 + x // 3) % 1024]
    return image


def test_sizes_match_the_fact_sheet():
    assert (RAW_BGR_SIZE, BMP_SIZE) == (38556, 38862)


def test_no_decoder_gives_no_photo():
    assert NoWltDecoder().decode(wlt_bytes()) is None
    assert isinstance(create_photo_decoder(""), NoWltDecoder)


def test_vendor_library_through_ctypes(vendor_library):
    decoder = create_photo_decoder(str(vendor_library))
    assert isinstance(decoder, VendorWltDecoder)
    wlt = wlt_bytes()
    jpeg = decoder.decode(wlt)
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (126, 102, 3)
    # JPEG is lossy and the test pattern is noise: compare smoothed pictures.
    expected = cv2.GaussianBlur(expected_bmp_image(wlt), (9, 9), 0).astype(int)
    difference = np.abs(cv2.GaussianBlur(image, (9, 9), 0).astype(int) - expected).mean()
    assert difference < 12, difference
    other = cv2.imdecode(np.frombuffer(decoder.decode(wlt_bytes(2)), np.uint8), cv2.IMREAD_COLOR)
    assert np.abs(cv2.GaussianBlur(other, (9, 9), 0).astype(int) - expected).mean() > difference + 5


def test_vendor_library_raw_output_and_symbol_syntax(vendor_library):
    decoder = create_photo_decoder(f"{vendor_library}:unpack_raw")
    wlt = bytes([200]) * WLT_SIZE
    image = cv2.imdecode(np.frombuffer(decoder.decode(wlt), np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (126, 102, 3) and abs(int(image.mean()) - 200) <= 2


def test_vendor_failures_are_typed(vendor_library):
    decoder = VendorWltDecoder(str(vendor_library))
    with pytest.raises(PhotoDecodeError, match="returned -2"):
        decoder.decode(b"\x7F" + bytes(WLT_SIZE - 1))
    with pytest.raises(PhotoDecodeError, match="1023 bytes"):
        decoder.decode(bytes(WLT_SIZE - 1))
    with pytest.raises(PhotoDecodeError, match="no_such_symbol"):
        VendorWltDecoder(str(vendor_library), "no_such_symbol")
    with pytest.raises(PhotoDecodeError):
        create_photo_decoder("/nonexistent/libwlt.so")


def test_simulator_stand_in_round_trip():
    photo = np.full((126, 102, 3), 90, np.uint8)
    cv2.circle(photo, (51, 50), 30, (220, 220, 220), -1)
    ok, jpeg = cv2.imencode(".jpg", photo)
    wlt = encode_sim_wlt(jpeg.tobytes())
    assert len(wlt) == WLT_SIZE
    decoded = cv2.imdecode(np.frombuffer(SimWltDecoder().decode(wlt), np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (126, 102, 3)
    assert decoded[50, 51].mean() > 180 and decoded[5, 5].mean() < 120
    with pytest.raises(PhotoDecodeError):
        SimWltDecoder().decode(wlt_bytes())
    assert encode_sim_wlt(None) == bytes(WLT_SIZE)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.one_of(
    st.binary(min_size=WLT_SIZE, max_size=WLT_SIZE),
    st.tuples(st.integers(0, 1023), st.binary(min_size=1, max_size=64)).map(
        lambda t: (lambda good: good[:t[0]] + t[1] + good[t[0] + len(t[1]):])(
            encode_sim_wlt(cv2.imencode(".jpg", np.full((126, 102, 3), 128, np.uint8))[1].tobytes()))[:WLT_SIZE])))
def test_sim_decoder_on_garbage_gives_a_picture_or_a_typed_error(data):
    try:
        jpeg = SimWltDecoder().decode(data)
    except PhotoDecodeError:
        return
    assert jpeg[:2] == b"\xff\xd8"
