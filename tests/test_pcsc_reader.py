"""PcscIdReader through a real pcscd, the vpcd virtual reader and the virtual card process."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from devices.base import DeviceStatus
from devices.id_reader import create_id_reader
from devices.id_reader.pcsc import pcscd
from devices.id_reader.pcsc.reader import PcscIdReader
from devices.id_reader.interface import MediaStatus
from kiosk.config import IdReaderSection
from kiosk.core.identity import CardType
from tests.pcsc_fixtures import READER, pcscd_daemon, virtual_card  # noqa: F401

# One pcscd and one vpcd port (35963) per machine: the PC/SC tests run on their own, one at a time
# (scripts/test.sh runs them after the parallel part).
pytestmark = [pytest.mark.slow, pytest.mark.pcsc]


@pytest.fixture
def make_reader(qtbot, pcscd_daemon):
    readers = []

    def make(**kwargs):
        reader = PcscIdReader(reader_filter=READER, poll_s=0.2, **kwargs)
        readers.append(reader)
        reader.open()
        qtbot.waitUntil(lambda: reader.status() == DeviceStatus.ONLINE, timeout=5000)
        return reader

    yield make
    for reader in readers:
        reader.close()


def read(qtbot, reader, timeout_s=10.0):
    """Start a read; returns ("card", document) or ("failed", (reason, detail))."""
    results = []
    reader.card_read.connect(lambda doc: results.append(("card", doc)))
    reader.read_failed.connect(lambda reason, detail: results.append(("failed", (reason, detail))))
    reader.read_card(timeout_s)
    qtbot.waitUntil(lambda: bool(results), timeout=int(timeout_s * 1000) + 5000)
    return results[0]


# --- social security card ------------------------------------------------------------

def test_reads_the_social_security_card(qtbot, make_reader, virtual_card):
    virtual_card.insert("ssse")
    reader = make_reader()
    kind, doc = read(qtbot, reader)
    assert kind == "card", doc
    assert doc.card_type is CardType.SOCIAL_SECURITY
    assert (doc.name, doc.id_number, doc.sex) == ("张三", "440305199003071236", "male")
    assert doc.birth_date == dt.date(1990, 3, 7)
    assert (doc.valid_from, doc.valid_until) == (dt.date(2019, 5, 20), dt.date(2029, 5, 20))
    assert doc.nation == "01" and doc.issuer == "440300"
    log = virtual_card.apdu_log()
    # SELECT SSSE by AID, answered 61xx (T=0 case 4), then GET RESPONSE.
    assert log[0] == "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"
    assert log[1].startswith("00C00000")
    assert "00B20800" + "14" in log        # READ RECORD 08 (SSN), Le 20


def test_t0_chained_get_response_and_6cxx_wrong_length(qtbot, make_reader, virtual_card):
    # Every record comes back through 61xx, 5 bytes per GET RESPONSE; the card
    # number is 10 characters, not the 9 the reader asks for -> 6C0C, resend.
    virtual_card.insert("ssse", chunk=5, always_61=True, card_number="M123456789",
                        name="欧阳娜娜")
    reader = make_reader()
    kind, doc = read(qtbot, reader)
    assert kind == "card", doc
    assert doc.name == "欧阳娜娜"
    log = virtual_card.apdu_log()
    assert log.count("00B207000B") == 1 and log.count("00B207000C") == 1   # 6C0C -> exact Le
    get_responses = [apdu for apdu in log if apdu.startswith("00C0")]
    assert len(get_responses) > 2 * 13           # several 61xx rounds per record
    assert all(int(apdu[8:], 16) <= 0x20 for apdu in get_responses)


def test_card_removed_mid_read(qtbot, make_reader, virtual_card):
    virtual_card.insert("ssse")
    reader = make_reader()
    virtual_card.scenario(remove_after=6)       # answers 6 APDUs, then is pulled out
    kind, (reason, detail) = read(qtbot, reader)
    assert (kind, reason) == ("failed", "card_removed"), detail
    assert reader.status() == DeviceStatus.ONLINE
    qtbot.waitUntil(lambda: reader.media_status() == "notPresent", timeout=5000)


def test_mute_card_is_reported_not_hung(qtbot, make_reader, virtual_card):
    virtual_card.insert("ssse")
    reader = make_reader(apdu_timeout_s=1.0)
    virtual_card.scenario(mute=True)
    started = time.monotonic()
    kind, (reason, detail) = read(qtbot, reader)
    assert (kind, reason) == ("failed", "unreadable") and "mute" in detail
    assert time.monotonic() - started < 4.0
    virtual_card.remove()                        # frees pcscd's blocked transmit


def test_no_card_times_out_and_cancel_ends_a_read(qtbot, make_reader, virtual_card):
    reader = make_reader()
    kind, (reason, _detail) = read(qtbot, reader, timeout_s=0.5)
    assert (kind, reason) == ("failed", "timeout")
    results = []
    reader.read_failed.connect(lambda r, d: results.append(r))
    reader.read_card(30)
    qtbot.wait(200)
    reader.cancel()
    qtbot.waitUntil(lambda: bool(results), timeout=2000)
    assert results == ["cancelled"]


# --- eMRTD -------------------------------------------------------------------------------

def test_bac_reads_ef_com_and_dg1(qtbot, make_reader, virtual_card):
    virtual_card.insert("emrtd")
    reader = make_reader()
    reader.set_mrz_key("L898902C", "690806", "940623")
    kind, doc = read(qtbot, reader)
    assert kind == "card", doc
    assert doc.card_type is CardType.EMRTD
    assert (doc.name, doc.id_number, doc.sex, doc.nation, doc.issuer) == (
        "ERIKSSON ANNA MARIA", "L898902C", "female", "UTO", "UTO")
    assert (doc.birth_date, doc.valid_until) == (dt.date(1969, 8, 6), dt.date(1994, 6, 23))
    log = virtual_card.apdu_log()
    assert "0084000008" in log and any(apdu.startswith("00820000") for apdu in log)
    protected = [apdu for apdu in log if apdu.startswith("0C")]
    assert len(protected) >= 6               # SELECT + READ BINARY x2 for EF.COM and DG1
    # The key is used for one attempt and then forgotten.
    kind, (reason, detail) = read(qtbot, reader)
    assert reason == "mrz_required" and "MRZ key required" in detail     # the kiosk asks the citizen


def test_bac_with_wrong_mrz_fails_cleanly(qtbot, make_reader, virtual_card):
    virtual_card.insert("emrtd")
    reader = make_reader()
    reader.set_mrz_key("L898902C", "690806", "940624")      # expiry off by one day
    kind, (reason, detail) = read(qtbot, reader)
    assert (kind, reason) == ("failed", "mrz_mismatch") and "BAC" in detail   # "check what you typed"
    log = virtual_card.apdu_log()
    assert not any(apdu.startswith("0C") for apdu in log)   # no file was read


def test_chip_answer_with_a_wrong_mac_is_refused(qtbot, make_reader, virtual_card):
    # The chip accepts the right MRZ key but answers MUTUAL AUTHENTICATE with a wrong MAC
    # (a cloned or relayed chip): the reader must not trust it nor read a file from it.
    virtual_card.insert("emrtd", bad_auth_mac=True)
    reader = make_reader()
    reader.set_mrz_key("L898902C", "690806", "940623")
    kind, (reason, detail) = read(qtbot, reader)
    assert (kind, reason) == ("failed", "unreadable") and "MAC" in detail   # not "check what you typed"
    log = virtual_card.apdu_log()
    assert any(apdu.startswith("00820000") for apdu in log)
    assert not any(apdu.startswith("0C") for apdu in log)   # no file was read


def test_set_mrz_key_refuses_malformed_dates(qtbot, make_reader):
    reader = PcscIdReader()
    with pytest.raises(ValueError):
        reader.set_mrz_key("L898902C", "69-08-06", "940623")


# --- events and hot-plug ------------------------------------------------------------------

def test_insert_and_remove_events(qtbot, make_reader, virtual_card):
    reader = make_reader()
    events = []
    # The IdReader interface's signals, with the same (no) arguments as the SAM and sim readers.
    reader.card_inserted.connect(lambda: events.append(("in", reader.card_readers())))
    reader.card_removed.connect(lambda: events.append(("out", reader.card_readers())))
    media = []
    reader.media_status_changed.connect(media.append)
    virtual_card.insert("ssse")
    qtbot.waitUntil(lambda: len(events) == 1, timeout=5000)
    assert events == [("in", [READER])]
    assert reader.media_status() is MediaStatus.PRESENT
    virtual_card.remove()
    qtbot.waitUntil(lambda: len(events) == 2, timeout=5000)
    assert events[1] == ("out", [])
    assert reader.media_status() is MediaStatus.NOT_PRESENT
    assert media == ["present", "notPresent"]


# pyscard's CardRequest destructor raises when its pcscd was killed underneath it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_reader_hotplug_through_pcscd_restart(qtbot, make_reader, pcscd_daemon, virtual_card):
    if pcscd_daemon is None:
        pytest.skip("a foreign pcscd is in use; this test restarts its own")
    reader = make_reader()
    changes = []
    reader.readers_changed.connect(changes.append)
    pcscd_daemon.kill()                       # SIGKILL: socket and pid file stay behind
    assert pcscd.SOCKET.exists()
    qtbot.waitUntil(lambda: reader.status() == DeviceStatus.NO_DEVICE, timeout=5000)
    assert changes[-1] == [] and reader.media_status() == "unknown"
    kind, (reason, _d) = read(qtbot, reader, timeout_s=1.0)
    assert reason == "device_offline"
    pcscd_daemon.start()                      # must cope with the stale socket
    qtbot.waitUntil(lambda: reader.status() == DeviceStatus.ONLINE, timeout=5000)
    # readers_changed comes from pyscard's monitor thread, queued to this thread: the status can
    # read ONLINE a moment before the signal is delivered (a fresh-clone run saw changes[-1] == []).
    qtbot.waitUntil(lambda: bool(changes) and READER in changes[-1], timeout=5000)
    assert READER in changes[-1]
    # The card monitor was re-armed: a card inserted now is seen and read.
    virtual_card.insert("ssse")
    kind, doc = read(qtbot, reader)
    assert kind == "card", doc


def test_factory_builds_the_pcsc_reader():
    reader = create_id_reader(IdReaderSection(backend="pcsc", reader_filter="Virtual", card_types=["ssse"]))
    assert isinstance(reader, PcscIdReader)
    with pytest.raises(ValueError):
        create_id_reader(IdReaderSection(backend="pcsc", card_types=["magstripe"]))


def test_pcsc_sim_backend_reads_the_sample_holder_through_pcscd(qtbot, pcscd_daemon):
    """The demo back-end: its own virtual card process, the configured sample identity."""
    from sim.identities import sim_identity
    reader = create_id_reader(IdReaderSection(backend="pcsc_sim", identity="young", sim_card="ssse",
                                              reader_filter=READER))
    try:
        reader.open()
        qtbot.waitUntil(lambda: reader.status() == DeviceStatus.ONLINE, timeout=10000)
        kind, doc = read(qtbot, reader)
        assert kind == "card", doc
        assert doc.card_type is CardType.SOCIAL_SECURITY
        assert doc.name == sim_identity("young").name
        assert doc.id_number[6:14] == f"{doc.birth_date:%Y%m%d}"
    finally:
        reader.close()
    assert pcscd.running_pid() is not None      # it used the running pcscd and left it alone


def test_a_second_pcscd_is_refused_while_one_runs(pcscd_daemon):
    assert pcscd.running_pid() is not None
    with pytest.raises(pcscd.PcscdError, match="another pcscd"):
        pcscd.PcscDaemon(vpcd_port=35973).start()
    assert READER in pcscd.list_readers()        # the running one was not disturbed
