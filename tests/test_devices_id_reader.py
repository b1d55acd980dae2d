"""SimIdReader and the resident ID number check character."""
from __future__ import annotations

import datetime as dt
import time

import cv2
import numpy as np
import pytest

from devices.base import DeviceStatus
from devices.id_reader import SimIdReader, create_id_reader
from devices.id_reader.chip_photo import CHIP_HEIGHT, CHIP_WIDTH
from kiosk.config import IdReaderSection
from kiosk.core.id_number import check_character, is_valid_id_number, make_id_number
from sim.identities import SIM_IDENTITIES, camera_source_for
from kiosk.core.identity import CardType, IdentityDocument


@pytest.fixture
def reader_factory(qtbot):
    readers = []

    def make(**kwargs):
        reader = SimIdReader(**kwargs)
        readers.append(reader)
        return reader

    yield make
    for reader in readers:
        reader.close()


# --- check character ----------------------------------------------------------

def test_published_example_is_valid():
    assert check_character("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002X")
    assert is_valid_id_number("11010519491231002x")


@pytest.mark.parametrize("number", [
    "110105194912310021",      # wrong check character
    "11010519491331002" + check_character("11010519491331002"),   # right check character, month 13
    "1101051949123100",        # too short
    "11010519491231002Y",
])
def test_invalid_numbers_are_refused(number):
    assert not is_valid_id_number(number)


def test_make_id_number_round_trips():
    number = make_id_number("441202", dt.date(1944, 3, 15), 31)
    assert number.startswith("44120219440315031")
    assert is_valid_id_number(number)
    # Flipping any one digit breaks the check.
    broken = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    assert not is_valid_id_number(broken)


# --- sample identities -----------------------------------------------------------

def test_sample_identities_are_what_the_screens_expect():
    today = dt.date.today()
    docs = {key: identity.document(today) for key, identity in SIM_IDENTITIES.items()}
    assert docs["elderly"].age_on(today) >= 80
    assert docs["elderly"].valid_until is None and not docs["elderly"].is_expired(today)
    assert docs["elderly"].id_number.startswith("441202")
    assert 33 <= docs["young"].age_on(today) <= 37 and not docs["young"].is_expired(today)
    assert docs["expired"].is_expired(today)
    for doc in docs.values():
        assert doc.card_type is CardType.RESIDENT_ID
        assert is_valid_id_number(doc.id_number)
        assert doc.id_number[6:14] == f"{doc.birth_date:%Y%m%d}"
        assert "广东省" in doc.address
        # Chip-like photo: 102x126 JPEG of about 3 KB.
        assert doc.photo_jpeg is not None and 2000 <= len(doc.photo_jpeg) <= 3200
        image = cv2.imdecode(np.frombuffer(doc.photo_jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert image.shape[:2] == (CHIP_HEIGHT, CHIP_WIDTH)


def test_camera_source_is_another_photo_of_the_card_holder():
    for key, identity in SIM_IDENTITIES.items():
        source = camera_source_for(key)
        assert source.is_file(), source
        assert source.name != identity.chip_photo.path.rsplit("/", 1)[-1]
        assert source.parent.name == identity.chip_photo.path.split("/")[-2]


# --- reader scenarios -------------------------------------------------------------

def test_ok_reads_the_card(qtbot, reader_factory):
    reader = reader_factory(identity="elderly", scenario="ok", delay_s=0.2)
    reader.open()
    with qtbot.waitSignal(reader.card_read, timeout=5000) as blocker:
        reader.read_card(timeout_s=3)
    document = blocker.args[0]
    assert isinstance(document, IdentityDocument)
    assert is_valid_id_number(document.id_number)
    assert document.name == "梁国栋"
    assert reader.status() == DeviceStatus.ONLINE


def test_no_card_times_out_within_the_timeout(qtbot, reader_factory):
    reader = reader_factory(scenario="no_card")
    reader.open()
    started = time.monotonic()
    with qtbot.waitSignal(reader.read_failed, timeout=3000) as blocker:
        reader.read_card(timeout_s=0.5)
    assert blocker.args[0] == "timeout"
    assert 0.4 <= time.monotonic() - started < 1.5


def test_card_removed_mid_read(qtbot, reader_factory):
    reader = reader_factory(scenario="card_removed", delay_s=0.1)
    with qtbot.waitSignal(reader.read_failed, timeout=3000) as blocker:
        reader.read_card(timeout_s=2)   # without open(): the first command opens the reader
    assert blocker.args[0] == "card_removed"


@pytest.mark.faults
def test_unplugged_is_no_device_and_reads_fail_offline(qtbot, reader_factory):
    reader = reader_factory(scenario="unplugged")
    with qtbot.waitSignal(reader.status_changed, timeout=3000,
                          check_params_cb=lambda status: status == "noDevice"):
        reader.open()
    assert reader.status() == DeviceStatus.NO_DEVICE
    assert reader.last_error()
    with qtbot.waitSignal(reader.read_failed, timeout=3000) as blocker:
        reader.read_card(timeout_s=2)
    assert blocker.args[0] == "device_offline"


def test_cancel_ends_the_read_at_once(qtbot, reader_factory):
    reader = reader_factory(scenario="no_card")
    reader.open()
    reader.read_card(timeout_s=30)
    qtbot.wait(100)
    started = time.monotonic()
    with qtbot.waitSignal(reader.read_failed, timeout=2000) as blocker:
        reader.cancel()
    assert blocker.args[0] == "cancelled"
    assert time.monotonic() - started < 0.5
    assert reader.status() == DeviceStatus.ONLINE


def test_a_new_read_cancels_the_running_one(qtbot, reader_factory):
    reader = reader_factory(scenario="ok", delay_s=0.2)
    reader.open()
    failures, cards = [], []
    reader.read_failed.connect(lambda reason, detail: failures.append(reason))
    reader.card_read.connect(cards.append)
    reader.read_card(timeout_s=5)
    reader.read_card(timeout_s=5)
    qtbot.waitUntil(lambda: len(cards) == 1, timeout=5000)
    qtbot.wait(300)
    assert failures == ["cancelled"] and len(cards) == 1


def test_close_is_idempotent_and_stops_the_worker(qtbot, reader_factory):
    reader = reader_factory(scenario="no_card")
    reader.read_card(timeout_s=30)
    qtbot.wait(50)
    reader.close()
    reader.close()
    assert reader.status() == DeviceStatus.OFFLINE


def test_factory():
    reader = create_id_reader(IdReaderSection(backend="sim", identity="young", scenario="no_card"))
    assert isinstance(reader, SimIdReader)
    with pytest.raises(ValueError, match="sam_serial"):
        create_id_reader(IdReaderSection(backend="sam_serial"))
    with pytest.raises(ValueError, match="nobody"):
        create_id_reader(IdReaderSection(backend="sim", identity="nobody"))


def test_sim_reports_media_events(qtbot, reader_factory):
    reader = reader_factory(scenario="ok", delay_s=0.1)
    reader.open()
    qtbot.waitUntil(lambda: reader.media_status().value == "notPresent", timeout=3000)
    events = []
    reader.card_inserted.connect(lambda: events.append("inserted"))
    reader.card_removed.connect(lambda: events.append("removed"))
    with qtbot.waitSignal(reader.card_read, timeout=5000):
        reader.read_card(timeout_s=3)
    qtbot.waitUntil(lambda: events == ["inserted", "removed"], timeout=2000)
    assert reader.media_status().value == "notPresent"
