"""GA/T 467 frames against the published bytes (fact sheet §1.3-1.5), and bad input."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.id_reader.sam_protocol import (PREAMBLE, STATUS_TABLE, BadChecksumError, BadLengthError,
                                            BadPreambleError, BaseMessage, FrameError, FrameReassembler,
                                            Outcome, SamCommand, SamStatus, TruncatedFrameError,
                                            UnknownStatusError, decode_request, decode_response,
                                            encode_request, encode_response, format_sam_id,
                                            join_base_message, split_base_message, status_info)

# Request frames exactly as published (every checksum re-verified in the fact sheet).
PUBLISHED_REQUESTS = {
    SamCommand.RESET: "AA AA AA 96 69 00 03 10 FF EC",
    SamCommand.SAM_STATUS: "AA AA AA 96 69 00 03 11 FF ED",
    SamCommand.SAM_ID: "AA AA AA 96 69 00 03 12 FF EE",
    SamCommand.FIND_CARD: "AA AA AA 96 69 00 03 20 01 22",
    SamCommand.SELECT_CARD: "AA AA AA 96 69 00 03 20 02 21",
    SamCommand.READ_BASE: "AA AA AA 96 69 00 03 30 01 32",
    SamCommand.READ_NEW_ADDRESS: "AA AA AA 96 69 00 03 30 03 30",
    SamCommand.READ_BASE_FINGERPRINT: "AA AA AA 96 69 00 03 30 10 23",
}

PUBLISHED_RESPONSES = [
    ("AA AA AA 96 69 00 04 00 00 90 94", SamStatus.SUCCESS, b""),
    ("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", SamStatus.FIND_OK, bytes(4)),
    ("AA AA AA 96 69 00 04 00 00 9F 9B", SamStatus.FIND_OK, b""),
    ("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C", SamStatus.SUCCESS, bytes(8)),
    ("AA AA AA 96 69 00 04 00 00 80 84", SamStatus.FIND_FAILED, b""),
    ("AA AA AA 96 69 00 04 00 00 81 85", SamStatus.SELECT_FAILED, b""),
    ("AA AA AA 96 69 00 04 00 00 41 45", SamStatus.READ_FAILED, b""),
    ("AA AA AA 96 69 00 04 00 00 10 14", SamStatus.HOST_CHECKSUM_ERROR, b""),
    ("AA AA AA 96 69 00 04 00 00 60 64", SamStatus.SAM_SELF_TEST_FAILED, b""),
]


def h(text: str) -> bytes:
    return bytes.fromhex(text)


@pytest.mark.parametrize("command", list(PUBLISHED_REQUESTS))
def test_every_request_matches_the_published_frame(command):
    frame = encode_request(command)
    assert frame == h(PUBLISHED_REQUESTS[command])
    request = decode_request(frame)
    assert request.command is command and request.data == b""


def test_set_max_rf_frame_carries_its_data_byte():
    assert encode_request(SamCommand.SET_MAX_RF_FRAME, b"\x50") == h("AA AA AA 96 69 00 04 61 FF 50 CA")


@pytest.mark.parametrize("frame, status, data", PUBLISHED_RESPONSES)
def test_published_responses_decode(frame, status, data):
    response = decode_response(h(frame))
    assert response.status is status
    assert response.data == data
    # ...and the encoder produces the same bytes back.
    assert encode_response(status, data) == h(frame)


def test_read_base_response_has_the_published_size_and_offsets():
    text = bytes(range(256))
    photo = bytes(1024)
    frame = encode_response(SamStatus.SUCCESS, join_base_message(BaseMessage(text, photo)))
    assert len(frame) == 1295
    assert frame[:14] == h("AA AA AA 96 69 05 08 00 00 90 01 00 04 00")
    assert frame[14:14 + 256] == text   # hev reads the text at data + 14
    message = split_base_message(decode_response(frame).data)
    assert message.text == text and message.photo_wlt == photo and message.fingerprint is None


def test_read_base_with_fingerprint_response_has_the_published_size():
    message = BaseMessage(bytes(256), bytes(1024), bytes(range(256)) * 4)
    frame = encode_response(SamStatus.SUCCESS, join_base_message(message))
    assert len(frame) == 2321
    assert frame[5:7] == h("09 0A")
    assert frame[16:16 + 256] == message.text
    assert split_base_message(decode_response(frame).data, with_fingerprint=True) == message


def test_read_parts_must_add_up():
    data = join_base_message(BaseMessage(bytes(256), bytes(1024)))
    with pytest.raises(BadLengthError):
        split_base_message(data[:-1])
    with pytest.raises(TruncatedFrameError):
        split_base_message(b"\x01")
    with pytest.raises(BadLengthError):   # text block of the wrong size
        split_base_message(join_base_message(BaseMessage(bytes(254), bytes(1026))))


def test_sam_id_vendor_notation():
    data = bytes([0x05, 0, 0x01, 0]) + (20101012).to_bytes(4, "little") + (42).to_bytes(4, "little") \
        + (1234567890).to_bytes(4, "little")
    assert format_sam_id(data) == "05.01-20101012-0000000042-1234567890"
    with pytest.raises(BadLengthError):
        format_sam_id(data[:15])


# --- status codes -------------------------------------------------------------------

def test_every_published_status_code_is_mapped():
    published = {0x90, 0x91, 0x9F, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47,
                 0x60, 0x66, 0x80, 0x81}
    assert set(STATUS_TABLE) == published
    for code in published:
        info = status_info(code)
        assert info.status == code and info.description
        if info.outcome in (Outcome.OK, Outcome.NO_CONTENT):
            assert info.reason is None and info.message_key is None
        else:
            assert info.reason in ("timeout", "card_removed", "unreadable", "device_offline")
            assert info.message_key


@pytest.mark.parametrize("code, outcome, reason", [
    (0x80, Outcome.NO_CARD, "timeout"),
    (0x41, Outcome.CARD_ERROR, "card_removed"),
    (0x32, Outcome.CARD_REJECTED, "unreadable"),
    (0x60, Outcome.SAM_FAULT, "device_offline"),
    (0x66, Outcome.SAM_FAULT, "device_offline"),
    (0x10, Outcome.HOST_ERROR, "unreadable"),
])
def test_status_meanings(code, outcome, reason):
    info = status_info(code)
    assert (info.outcome, info.reason) == (outcome, reason)


def test_unknown_status_is_a_typed_error():
    with pytest.raises(UnknownStatusError) as caught:
        decode_response(encode_response(0x55))
    assert caught.value.sw3 == 0x55
    # Vendor DLL return codes never appear on the wire.
    for dll_code in (0x01, 0x02, 0x03, 0x05):
        with pytest.raises(UnknownStatusError):
            status_info(dll_code)


# --- typed errors ----------------------------------------------------------------------

def test_bad_checksum():
    frame = bytearray(h("AA AA AA 96 69 00 04 00 00 90 94"))
    frame[-1] ^= 1
    with pytest.raises(BadChecksumError):
        decode_response(bytes(frame))


def test_wrong_length():
    with pytest.raises(BadLengthError):     # more bytes than the length field says
        decode_response(h("AA AA AA 96 69 00 04 00 00 90 94 00"))
    with pytest.raises(BadLengthError):     # impossible length field
        decode_response(h("AA AA AA 96 69 FF FF 00 00 90 94"))
    with pytest.raises(BadLengthError):     # too short for SW1 SW2 SW3
        decode_response(h("AA AA AA 96 69 00 02 00 02"))


def test_truncated_and_bad_preamble():
    full = h("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
    for cut in (3, 6, 10, len(full) - 1):
        with pytest.raises(TruncatedFrameError):
            decode_response(full[:cut])
    with pytest.raises(BadPreambleError):
        decode_response(b"\x00" + full[1:])


# --- reassembly ---------------------------------------------------------------------------

def test_reassembler_joins_byte_by_byte_and_splits_back_to_back_frames():
    frames = [h(text) for text, _, _ in PUBLISHED_RESPONSES]
    stream = b"\x00\x13noise" + b"".join(frames)
    reassembler = FrameReassembler()
    out = []
    for byte in stream:
        reassembler.feed(bytes([byte]))
        while (frame := reassembler.pop()) is not None:
            out.append(frame)
    assert out == frames
    assert reassembler.discarded == 7
    reassembler.feed(b"".join(frames))
    assert [reassembler.pop() for _ in frames] == frames
    assert reassembler.pop() is None and reassembler.pending == 0


def test_reassembler_keeps_a_preamble_split_across_reads():
    reassembler = FrameReassembler()
    reassembler.feed(b"\x01\x02\xAA\xAA")
    assert reassembler.pop() is None
    reassembler.feed(h("AA 96 69 00 04 00 00 90 94"))
    assert reassembler.pop() == h("AA AA AA 96 69 00 04 00 00 90 94")


def test_reassembler_resynchronises_after_an_impossible_length():
    reassembler = FrameReassembler()
    good = h("AA AA AA 96 69 00 04 00 00 80 84")
    reassembler.feed(PREAMBLE + b"\xFF\xFF" + good)
    with pytest.raises(BadLengthError):
        reassembler.pop()
    assert reassembler.pop() == good


# --- property tests: any bytes give a typed error or a valid result -------------------------

frames = st.one_of(
    st.binary(max_size=3000),
    st.binary(max_size=300).map(lambda data: PREAMBLE + data),
    st.tuples(st.sampled_from([h(f) for f, _, _ in PUBLISHED_RESPONSES]), st.integers(0, 20), st.integers(0, 255))
      .map(lambda t: t[0][:t[1]] + bytes([t[2]]) + t[0][t[1] + 1:]),   # one byte mutated
)


@settings(max_examples=400, deadline=None)
@given(frames)
def test_decoders_never_raise_anything_but_frame_errors(data):
    for decoder in (decode_response, decode_request):
        try:
            result = decoder(data)
        except FrameError:
            continue
        # A valid result re-encodes to exactly the input.
        if decoder is decode_response:
            assert encode_response(result.sw3, result.data, result.sw1, result.sw2) == data
            assert result.sw3 in STATUS_TABLE


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=400), max_size=12))
def test_reassembler_on_random_chunks_terminates_with_frames_or_typed_errors(chunks):
    reassembler = FrameReassembler()
    for chunk in chunks:
        reassembler.feed(chunk)
        for _ in range(len(chunk) + 2):     # bounded: each pop consumes input or returns None
            try:
                frame = reassembler.pop()
            except BadLengthError:
                continue
            if frame is None:
                break
            assert frame.startswith(PREAMBLE)
            assert len(frame) == 7 + int.from_bytes(frame[5:7], "big")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2400), st.booleans())
def test_split_base_message_only_raises_frame_errors(data, fingerprint):
    try:
        message = split_base_message(data, fingerprint)
    except FrameError:
        return
    assert len(message.text) == 256
    assert join_base_message(message) == data
