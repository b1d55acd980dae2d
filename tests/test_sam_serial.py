"""The real SAM driver (pyserial) against the simulator process on a pty.

The simulator is a separate process speaking GA/T 467 byte for byte; the
driver opens its port by path as it would open /dev/ttyUSB0. Scenarios are
switched at run time through the simulator's control pipe.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import select
import signal
import threading
import time

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from devices.base import DeviceStatus
from devices.id_reader import create_id_reader
from kiosk.core.document_checks import check_document
from devices.id_reader.interface import MediaStatus
from devices.id_reader.photo_decoder import NoWltDecoder, SimWltDecoder
from devices.id_reader.sam_protocol import (STATUS_TABLE, FrameError, SamCommand, SamStatus, encode_response,
                                            split_base_message)
from devices.id_reader.sam_serial import NoResponseError, SamLink, SamSerialIdReader
from sim.id_reader.sam_sim_cards import sim_card
from sim.id_reader.sam_simulator import SamSimulatorProcess
from devices.id_reader.text_block import parse_text_block
from kiosk.config import IdReaderSection
from kiosk.core.identity import CardType

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def simulator():
    process = SamSimulatorProcess()
    process.start()
    yield process
    process.stop()


@pytest.fixture
def sim(simulator):
    """The shared simulator, reset to "resident card on the reader, no delay"."""
    if simulator.pid is None:
        simulator.start()
    simulator.delay(0)
    simulator.card("elderly", "resident")
    simulator.scenario("card")
    return simulator


@pytest.fixture
def reader_factory(qtbot):
    readers = []

    def make(port, **kwargs):
        kwargs.setdefault("photo_decoder", SimWltDecoder())
        kwargs.setdefault("poll_interval_s", 0.05)
        kwargs.setdefault("idle_poll_s", 0.1)
        reader = SamSerialIdReader(port, **kwargs)
        readers.append(reader)
        return reader

    yield make
    for reader in readers:
        reader.close()


def open_reader(qtbot, reader, expected=DeviceStatus.ONLINE):
    reader.open()
    qtbot.waitUntil(lambda: reader.status() == expected, timeout=5000)


def read(qtbot, reader, timeout_s=3.0, wait_ms=8000):
    """Start a read; return ("card", document) or ("failed", (reason, detail))."""
    results = []
    reader.card_read.connect(lambda doc: results.append(("card", doc)))
    reader.read_failed.connect(lambda reason, detail: results.append(("failed", (reason, detail))))
    reader.read_card(timeout_s)
    qtbot.waitUntil(lambda: bool(results), timeout=wait_ms)
    return results[0]


# --- every command through SamLink ---------------------------------------------------------

def test_every_command_over_the_pty(sim):
    link = SamLink(sim.path)
    link.open()
    try:
        assert link.reset().status is SamStatus.SUCCESS
        assert link.sam_status().status is SamStatus.SUCCESS
        assert link.sam_id() == "05.01-20101012-0012345678-0087654321"
        assert link.set_max_rf_frame().status is SamStatus.SUCCESS
        assert link.find_card().status is SamStatus.FIND_OK
        assert link.select_card().status is SamStatus.SUCCESS
        base = link.read_base()
        assert base.status is SamStatus.SUCCESS and len(base.data) == 4 + 256 + 1024
        document = parse_text_block(split_base_message(base.data).text)
        assert document.name == "梁国栋" and document.valid_until is None
        with_fp = link.read_base(with_fingerprint=True)
        message = split_base_message(with_fp.data, with_fingerprint=True)
        assert len(message.fingerprint) == 1024 and message.text == split_base_message(base.data).text
        assert link.read_new_address() is None          # SW3 91: no 追加住址 on this card
        sim.scenario("no_card")
        assert link.find_card().status is SamStatus.FIND_FAILED
        assert link.select_card().status is SamStatus.SELECT_FAILED
        assert link.read_base().status is SamStatus.READ_FAILED
    finally:
        link.close()


def test_simulator_answers_bad_host_frames_with_host_error_codes(sim):
    """The simulator is protocol-true on its side too: our checksum error -> SW3 10."""
    import serial
    port = serial.Serial(sim.path, 115200, timeout=2)
    try:
        frame = bytearray(bytes.fromhex("AAAAAA9669000311FFED"))
        frame[-1] ^= 0xFF
        port.write(bytes(frame))
        answer = port.read(11)
        assert answer == bytes.fromhex("AAAAAA966900040000 1014".replace(" ", ""))
        port.write(bytes.fromhex("AAAAAA9669000377FF") + bytes([0x03 ^ 0x77 ^ 0xFF]))  # no such command
        assert port.read(11)[9] == SamStatus.COMMAND_ERROR
    finally:
        port.close()


# --- every card type through the reader --------------------------------------------------------

@pytest.mark.parametrize("card, card_type", [
    ("resident", CardType.RESIDENT_ID),
    ("hmt", CardType.HMT_RESIDENCE_PERMIT),
    ("foreigner2017", CardType.FOREIGNER_PERMANENT_2017),
    ("foreigner2023", CardType.FOREIGNER_PERMANENT_2023),
])
def test_every_card_type_reads(qtbot, sim, reader_factory, card, card_type):
    sim.card("young", card)
    reader = reader_factory(sim.path)
    open_reader(qtbot, reader)
    kind, document = read(qtbot, reader)
    assert kind == "card", document
    assert document.card_type is card_type
    expected = sim_card("young", card, dt.date.today(), with_photo=False)
    assert document == expected            # photo is not compared
    assert check_document(document) == []
    # The chip photo went through the WLT plug-in (the simulator's 1 KB stand-in).
    image = cv2.imdecode(np.frombuffer(document.photo_jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[:2] == (126, 102)
    assert reader.media_status() == MediaStatus.PRESENT
    assert reader.status() == DeviceStatus.ONLINE
    assert reader.sam_id == "05.01-20101012-0012345678-0087654321"


def test_without_a_wlt_decoder_the_card_reads_without_photo(qtbot, sim, reader_factory):
    reader = reader_factory(sim.path, photo_decoder=NoWltDecoder())
    open_reader(qtbot, reader)
    kind, document = read(qtbot, reader)
    assert kind == "card" and document.photo_jpeg is None and document.name == "梁国栋"


# --- fault scenarios ------------------------------------------------------------------------

def test_no_card_times_out_at_the_deadline(qtbot, sim, reader_factory):
    sim.scenario("no_card")
    reader = reader_factory(sim.path)
    open_reader(qtbot, reader)
    started = time.monotonic()
    kind, (reason, _) = read(qtbot, reader, timeout_s=0.6)
    assert (kind, reason) == ("failed", "timeout")
    assert 0.55 <= time.monotonic() - started < 1.5
    assert reader.media_status() == MediaStatus.NOT_PRESENT
    assert reader.status() == DeviceStatus.ONLINE


def test_card_removed_between_select_and_read(qtbot, sim, reader_factory):
    sim.scenario("card_removed")
    reader = reader_factory(sim.path)
    removed = []
    reader.card_removed.connect(lambda: removed.append(True))
    open_reader(qtbot, reader)
    kind, (reason, detail) = read(qtbot, reader)
    assert (kind, reason) == ("failed", "card_removed")
    assert "0x41" in detail
    qtbot.waitUntil(lambda: bool(removed), timeout=3000)
    assert reader.media_status() == MediaStatus.NOT_PRESENT


@pytest.mark.faults
def test_slow_reader_still_reads_within_the_deadline(qtbot, sim, reader_factory):
    sim.delay(0.3)
    reader = reader_factory(sim.path)
    open_reader(qtbot, reader)
    started = time.monotonic()
    kind, document = read(qtbot, reader, timeout_s=5)
    assert kind == "card", document
    assert time.monotonic() - started >= 0.9     # find, select, read: three slow answers


@pytest.mark.faults
def test_slow_reader_past_the_deadline_is_a_clean_timeout(qtbot, sim, reader_factory):
    sim.scenario("slow")                          # 0.8 s per answer
    reader = reader_factory(sim.path)
    open_reader(qtbot, reader)
    started = time.monotonic()
    kind, (reason, _) = read(qtbot, reader, timeout_s=1.0)
    elapsed = time.monotonic() - started
    assert (kind, reason) == ("failed", "timeout")
    assert elapsed < 1.6
    # The late answer is not taken for the next one: a fast read works right after.
    sim.scenario("card")
    kind, document = read(qtbot, reader, timeout_s=5)
    assert kind == "card" and document.name == "梁国栋"


@pytest.mark.parametrize("scenario, detail", [("corrupt_checksum", "bad_checksum"), ("truncated", "truncated"),
                                              ("bad_text", "unknown_card_type")])
@pytest.mark.faults
def test_damaged_reads_are_typed_failures_and_the_reader_recovers(qtbot, sim, reader_factory, scenario, detail):
    sim.scenario(scenario)
    reader = reader_factory(sim.path, response_timeout_s=0.5)
    open_reader(qtbot, reader)
    kind, (reason, text) = read(qtbot, reader, timeout_s=3)
    assert (kind, reason) == ("failed", "unreadable")
    assert detail in text
    assert reader.status() == DeviceStatus.ONLINE
    sim.scenario("card")
    kind, document = read(qtbot, reader, timeout_s=3)
    assert kind == "card" and document.name == "梁国栋"


@pytest.mark.faults
def test_sam_fault_is_a_hardware_error(qtbot, sim, reader_factory):
    sim.scenario("sam_fault")
    reader = reader_factory(sim.path)
    open_reader(qtbot, reader, expected=DeviceStatus.HARDWARE_ERROR)
    assert "self-test" in reader.last_error()
    kind, (reason, _) = read(qtbot, reader)
    assert (kind, reason) == ("failed", "device_offline")
    # Repaired: the idle poll brings the reader back online by itself.
    sim.scenario("card")
    qtbot.waitUntil(lambda: reader.status() == DeviceStatus.ONLINE, timeout=3000)


@pytest.mark.faults
def test_unplugged_reader_is_no_device_and_reconnects_when_plugged_back(qtbot, sim, reader_factory):
    reader = reader_factory(sim.path)
    open_reader(qtbot, reader)
    sim.scenario("unplugged")
    qtbot.waitUntil(lambda: reader.status() == DeviceStatus.NO_DEVICE, timeout=3000)
    assert reader.media_status() == MediaStatus.UNKNOWN
    kind, (reason, _) = read(qtbot, reader)
    assert (kind, reason) == ("failed", "device_offline")
    sim.replug()
    qtbot.waitUntil(lambda: reader.status() == DeviceStatus.ONLINE, timeout=3000)
    kind, document = read(qtbot, reader)
    assert kind == "card" and document.name == "梁国栋", document


@pytest.mark.faults
def test_unplugged_during_a_read(qtbot, sim, reader_factory):
    sim.scenario("no_card")
    reader = reader_factory(sim.path)
    open_reader(qtbot, reader)
    results = []
    reader.read_failed.connect(lambda reason, detail: results.append(reason))
    reader.read_card(10)
    qtbot.wait(200)
    started = time.monotonic()
    sim.unplug()
    qtbot.waitUntil(lambda: bool(results), timeout=3000)
    assert results == ["device_offline"] and time.monotonic() - started < 1.0
    assert reader.status() == DeviceStatus.NO_DEVICE
    sim.replug()


@pytest.mark.faults
def test_simulator_killed_with_sigkill(qtbot, reader_factory):
    """The reader's process dies (SIGKILL: no goodbye): the pty hangs up -> noDevice."""
    process = SamSimulatorProcess()
    process.start()
    try:
        reader = reader_factory(process.path)
        open_reader(qtbot, reader)
        os.kill(process.pid, signal.SIGKILL)
        qtbot.waitUntil(lambda: reader.status() == DeviceStatus.NO_DEVICE, timeout=3000)
        kind, (reason, _) = read(qtbot, reader)
        assert (kind, reason) == ("failed", "device_offline")
    finally:
        process.stop()


def test_port_that_does_not_exist(qtbot, reader_factory, tmp_path):
    reader = reader_factory(str(tmp_path / "ttyUSB9"))
    open_reader(qtbot, reader, expected=DeviceStatus.NO_DEVICE)
    assert "ttyUSB9" in reader.last_error()
    kind, (reason, _) = read(qtbot, reader)
    assert (kind, reason) == ("failed", "device_offline")


def test_cancel_ends_the_read_at_once(qtbot, sim, reader_factory):
    sim.scenario("no_card")
    reader = reader_factory(sim.path)
    open_reader(qtbot, reader)
    results = []
    reader.read_failed.connect(lambda reason, detail: results.append(reason))
    reader.read_card(30)
    qtbot.wait(200)
    started = time.monotonic()
    reader.cancel()
    qtbot.waitUntil(lambda: bool(results), timeout=2000)
    assert results == ["cancelled"] and time.monotonic() - started < 0.5


# --- media status and events ----------------------------------------------------------------------

def test_card_inserted_and_removed_events_outside_a_read(qtbot, sim, reader_factory):
    sim.scenario("no_card")
    reader = reader_factory(sim.path)
    events = []
    threads = set()

    def record(name):
        events.append(name)
        threads.add(threading.get_ident())

    # Direct connections record the order in which the worker emits.
    direct = Qt.ConnectionType.DirectConnection
    reader.card_inserted.connect(lambda: record("inserted"), type=direct)
    reader.card_removed.connect(lambda: record("removed"), type=direct)
    reader.media_status_changed.connect(record, type=direct)
    open_reader(qtbot, reader)
    qtbot.waitUntil(lambda: reader.media_status() == MediaStatus.NOT_PRESENT, timeout=3000)
    sim.present(True)
    qtbot.waitUntil(lambda: "inserted" in events, timeout=3000)
    sim.present(False)
    qtbot.waitUntil(lambda: "removed" in events, timeout=3000)
    assert events == ["notPresent", "present", "inserted", "notPresent", "removed"]
    # Emitted by the device's worker thread, not the GUI thread.
    assert threads and threading.get_ident() not in threads


# --- configuration ---------------------------------------------------------------------------------

def test_factory_builds_the_sam_backends(sim):
    reader = create_id_reader(IdReaderSection(backend="sam_serial", port=sim.path, baudrate=115200))
    assert isinstance(reader, SamSerialIdReader) and reader.port == sim.path
    with pytest.raises(ValueError, match="port"):
        create_id_reader(IdReaderSection(backend="sam_serial", port=""))
    with pytest.raises(ValueError, match="WLT"):
        create_id_reader(IdReaderSection(backend="sam_serial", port=sim.path, wlt_decoder="/nonexistent/libwlt.so"))
    from sim.id_reader.sam_sim_reader import SamSimIdReader
    with pytest.raises(ValueError, match="card type"):
        create_id_reader(IdReaderSection(backend="sam_sim", card_type="passport"))
    reader = create_id_reader(IdReaderSection(backend="sam_sim", card_type="hmt", scenario="ok"))
    assert isinstance(reader, SamSimIdReader)
    reader.close()              # never opened: removes its port folder, starts nothing
    assert reader.simulator.pid is None and not os.path.exists(os.path.dirname(reader.port))


def test_sam_sim_backend_starts_its_simulator_and_reads(qtbot):
    from kiosk.config import config_from_dict
    config = config_from_dict({"devices": {"id_reader": {"backend": "sam_sim", "identity": "young",
                                                         "card_type": "foreigner2023"}}}, demo=True)
    reader = create_id_reader(config.devices.id_reader)
    try:
        reader.open()
        qtbot.waitUntil(lambda: reader.status() == DeviceStatus.ONLINE, timeout=15000)
        kind, document = read(qtbot, reader)
        assert kind == "card" and document.card_type is CardType.FOREIGNER_PERMANENT_2023
        assert document.photo_jpeg is not None
    finally:
        reader.close()
    assert reader.simulator.pid is None


# --- bad bytes from the line: typed error or a response, never a hang ------------------------------

@pytest.fixture(scope="module")
def raw_pty():
    master, slave = os.openpty()
    import tty
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=st.one_of(
    st.binary(max_size=200),
    st.binary(max_size=60).map(lambda data: bytes.fromhex("AAAAAA9669") + data),
    st.tuples(st.integers(0, 1294), st.integers(1, 255)).map(
        lambda t: (lambda f: f[:t[0]] + bytes([f[t[0]] ^ t[1]]) + f[t[0] + 1:])(
            encode_response(SamStatus.SUCCESS, bytes(1284))))))
@pytest.mark.faults
def test_link_survives_any_answer(raw_pty, answer):
    master, path = raw_pty
    link = SamLink(path, response_timeout_s=0.15)
    link.open()
    try:
        def answer_once():
            # Never blocks for good: a request that never comes (the link gave up first) ends the
            # responder, so no stray reader is left on the master for the drain or the next example.
            if select.select([master], [], [], 1.0)[0]:
                os.read(master, 64)
                os.write(master, answer)
        responder = threading.Thread(target=answer_once)
        responder.start()
        started = time.monotonic()
        try:
            response = link.transact(SamCommand.FIND_CARD)
        except (FrameError, NoResponseError):
            pass
        else:
            # Only a checked frame that really is in the answer is accepted.
            assert response.sw3 in STATUS_TABLE
            assert encode_response(response.sw3, response.data, response.sw1, response.sw2) in answer
        responder.join(2)
        assert time.monotonic() - started < 1.0
    finally:
        link.close()
        # Leave nothing for the next example (non-blocking: another reader may take the bytes
        # between select and read, which once hung this test for its whole timeout).
        flags = fcntl.fcntl(master, fcntl.F_GETFL)
        fcntl.fcntl(master, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        try:
            while select.select([master], [], [], 0)[0]:
                try:
                    os.read(master, 4096)
                except BlockingIOError:
                    break
        finally:
            fcntl.fcntl(master, fcntl.F_SETFL, flags)


def test_config_section_for_sam_readers(sim):
    from kiosk.config import ConfigError, config_from_dict
    config = config_from_dict({"devices": {"id_reader": {"backend": "sam_serial", "port": sim.path,
                                                         "baudrate": 115200, "wlt_decoder": ""}}}, demo=True)
    assert isinstance(create_id_reader(config.devices.id_reader), SamSerialIdReader)
    with pytest.raises(ConfigError, match="devices.id_reader.wlt_decoder"):
        config_from_dict({"devices": {"id_reader": {"wlt_decoder": "/opt/vendor/libnothere.so:unpack"}}}, demo=True)
    with pytest.raises(ConfigError, match="devices.id_reader.backend"):
        config_from_dict({"devices": {"id_reader": {"backend": "sam"}}}, demo=True)


def test_close_is_prompt_and_idempotent(qtbot, sim, reader_factory):
    reader = reader_factory(sim.path, idle_poll_s=2.0)
    open_reader(qtbot, reader)
    qtbot.wait(100)                          # the idle poll is now waiting out its 2 s
    started = time.monotonic()
    reader.close()
    reader.close()
    assert time.monotonic() - started < 0.5
    assert reader.status() == DeviceStatus.OFFLINE and reader.media_status() == MediaStatus.UNKNOWN


@pytest.mark.parametrize("sw3", sorted(code for code, info in STATUS_TABLE.items()
                                       if info.reason and code != 0x80) + [0x55])
def test_every_failure_status_on_a_read_reaches_the_reader_typed(qtbot, sim, reader_factory, sw3):
    sim.read_status(sw3)
    reader = reader_factory(sim.path)
    statuses = []
    reader.status_changed.connect(statuses.append, type=Qt.ConnectionType.DirectConnection)
    open_reader(qtbot, reader)
    kind, (reason, detail) = read(qtbot, reader)
    assert kind == "failed"
    if sw3 in STATUS_TABLE:
        assert reason == STATUS_TABLE[sw3].reason and f"0x{sw3:02X}" in detail
    else:                                     # not a GA/T 467 status at all
        assert reason == "unreadable" and "unknown_status" in detail
    # A SAM fault is a hardware error for the technician (here the SAM passes its next
    # status check, so the idle poll brings it back online); card faults are not.
    assert ("hardwareError" in statuses) == (sw3 in (0x60, 0x66)), statuses


@pytest.fixture(scope="module")
def in_process_simulator(tmp_path_factory):
    from sim.id_reader.sam_simulator import SamSimulator
    simulator = SamSimulator(tmp_path_factory.mktemp("simpty") / "ttySAM0", "elderly", "resident", "card", 0.0)
    yield simulator
    simulator.unplug()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.binary(max_size=40),
                          st.sampled_from([bytes.fromhex(f) for f in (
                              "AAAAAA9669000311FFED", "AAAAAA96690003200122", "AAAAAA96690003200221",
                              "AAAAAA96690003300132", "AAAAAA9669000312FFEE")])),
                max_size=3))     # at most 3 read answers (3.9 KB): fits the pty buffer without a reader
def test_simulator_answers_any_host_bytes_with_valid_frames(in_process_simulator, chunks):
    """The simulator is test equipment, but a crash in it would pass for a reader fault."""
    import select
    from devices.id_reader.sam_protocol import FrameReassembler, decode_response
    simulator = in_process_simulator
    simulator.reassembler.clear()
    for chunk in chunks:
        simulator.on_bytes(chunk)
    answers = FrameReassembler()
    while select.select([simulator.slave], [], [], 0)[0]:
        answers.feed(os.read(simulator.slave, 65536))
    while (frame := answers.pop()) is not None:
        decode_response(frame)        # every answer is a well-formed frame with a known status
    assert answers.pending == 0 and answers.discarded == 0


def test_port_is_locked_against_a_second_user(sim):
    from devices.id_reader.sam_serial import PortLostError
    first = SamLink(sim.path)
    first.open()
    try:
        with pytest.raises(PortLostError, match="lock"):
            SamLink(sim.path).open()
        assert first.sam_status().status is SamStatus.SUCCESS
    finally:
        first.close()
