"""`PcscIdReader`: social security cards and eMRTDs through pcscd.

Events come from pyscard's monitors, which call us on their own threads:
`ReaderMonitor` (reader list polled every `poll_s`; a reader appears when
pcscd starts or a USB reader is plugged) and `CardMonitor` (blocks in
SCardGetStatusChange; card inserted/removed). Both are process-wide
singletons in pyscard, so there should be one PcscIdReader per process.
Two pyscard behaviours of the card monitor (its thread never restarts after
pcscd goes away; it waits up to 60 s in SCardGetStatusChange) are worked around
in devices/id_reader/pcsc/monitors.py, together with the observer wrapper.

A mute card makes SCardTransmit block until the card goes away (vpcd has no
timeout; many real readers neither). Every APDU therefore runs on a helper
thread and the read gives up after `apdu_timeout_s` with "card mute".
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from PySide6.QtCore import Signal

from devices.base import Command, DeviceStatus
from devices.id_reader.interface import (CANCELLED, CARD_REMOVED, DEVICE_OFFLINE, MRZ_MISMATCH, MRZ_REQUIRED,
                                         TIMEOUT, UNREADABLE, IdReader, MediaStatus, ReadFailure)
from devices.id_reader.pcsc import emrtd, ssse
from devices.id_reader.pcsc.apdu import ApduChannel, ApduError, CardMute, CardRemoved, StatusWordError
from devices.id_reader.pcsc.icao_bac import BacError, ChipAuthenticationError, SecureMessagingError
from devices.id_reader.pcsc.monitors import Observer, new_card_monitor, reset_card_monitor
from devices.id_reader.pcsc.mrz import MrzError
from devices.id_reader.pcsc.pcscd import card_present, list_readers
from devices.id_reader.pcsc.tlv import TlvError
from kiosk.core.identity import IdentityDocument

log = logging.getLogger(__name__)

# XFS4IoT CardReader `media` values.
MEDIA_PRESENT, MEDIA_NOT_PRESENT, MEDIA_UNKNOWN = "present", "notPresent", "unknown"

CARD_TYPES = ("ssse", "emrtd")


class PcscIdReader(IdReader):
    # card_inserted / card_removed / media_status_changed are the IdReader interface's, with the
    # same arguments as every other reader; they are emitted from pyscard's monitor threads, one
    # insert/remove event per card (with two slots, per slot). `card_readers()` names the slots.
    readers_changed = Signal(object)     # list[str] of matching reader names

    def __init__(self, reader_filter: str = "", card_types: tuple[str, ...] = CARD_TYPES,
                 apdu_timeout_s: float = 3.0, poll_s: float = 0.5, parent=None):
        super().__init__(parent)
        unknown = set(card_types) - set(CARD_TYPES)
        if unknown:
            raise ValueError(f"unknown card types {sorted(unknown)} (known: {', '.join(CARD_TYPES)})")
        self._filter = reader_filter
        self._card_types = tuple(card_types)
        self._apdu_timeout_s = apdu_timeout_s
        self._poll_s = poll_s
        self._cond = threading.Condition()
        self._readers: list[str] = []
        self._present: dict[str, bytes] = {}     # reader name -> ATR
        self._media = MEDIA_UNKNOWN
        self._mrz_key: emrtd.MrzKey | None = None
        self._readers_lost = False       # all readers vanished since the monitors started
        self._polls = 0                  # ReaderMonitor polls so far
        self._reader_monitor = None
        self._card_monitor = None
        self._reader_observer = Observer(self._on_readers)
        self._card_observer = Observer(self._on_cards)

    # --- public API ----------------------------------------------------------------

    def set_mrz_key(self, document_number: str, birth_yymmdd: str, expiry_yymmdd: str) -> None:
        """BAC key for the next eMRTD read, from an MRZ scan or typed by the citizen.

        Dates are YYMMDD as printed in the MRZ. Raises ValueError for malformed
        input (the screen shows it). Used for one read attempt, then forgotten.
        """
        key = emrtd.MrzKey(document_number.strip().upper(), birth_yymmdd.strip(), expiry_yymmdd.strip())
        with self._cond:
            self._mrz_key = key

    def clear_mrz_key(self) -> None:
        with self._cond:
            self._mrz_key = None

    def media_status(self) -> MediaStatus:
        with self._cond:
            return MediaStatus(self._media)

    def card_readers(self) -> list[str]:
        """Names of the readers (slots) that hold a card now."""
        with self._cond:
            return sorted(self._present)

    def readers(self) -> list[str]:
        with self._cond:
            return list(self._readers)

    # --- device life cycle ------------------------------------------------------------

    def _open_on_worker(self) -> None:
        from smartcard.ReaderMonitoring import ReaderMonitor

        self._reader_monitor = ReaderMonitor(readerProc=self._list_matching, period=self._poll_s)
        self._card_monitor = new_card_monitor()
        self._reader_monitor.addObserver(self._reader_observer)
        self._card_monitor.addObserver(self._card_observer)
        # Wait for the monitor's first poll to be delivered (its second poll has
        # begun), so a read queued right behind open() sees the true reader state.
        # Listing the readers here instead would race the monitor: if they vanished
        # before its first poll, it would never report them removed.
        with self._cond:
            self._cond.wait_for(lambda: self._polls >= 2, timeout=2 * self._poll_s + 2.0)
        if not self.readers():
            self._set_status(DeviceStatus.NO_DEVICE, "no PC/SC reader"
                             + (f" matching {self._filter!r}" if self._filter else "")
                             + ("" if list_readers() else " (pcscd not running?)"))

    def _close_on_worker(self) -> None:
        if self._reader_monitor is not None:
            self._reader_monitor.deleteObserver(self._reader_observer)
            self._reader_monitor = None
        if self._card_monitor is not None:
            self._card_monitor.deleteObserver(self._card_observer)
            reset_card_monitor()
            self._card_monitor = None
        self.clear_mrz_key()

    def _list_matching(self) -> list:
        """Reader list for ReaderMonitor; [] (never an exception) when pcscd is down,
        because an exception would end pyscard's monitor thread for good."""
        with self._cond:
            self._polls += 1
            self._cond.notify_all()
        try:
            from smartcard.System import readers
            return [r for r in readers() if self._filter in str(r)]
        except Exception:
            return []

    # --- monitor callbacks (pyscard threads) -------------------------------------------------

    def _on_readers(self, added: list, removed: list) -> None:
        with self._cond:
            names_added = [str(r) for r in added if str(r) not in self._readers]
            names_removed = [str(r) for r in removed if str(r) in self._readers]
            if not names_added and not names_removed:
                return
            had_none = not self._readers
            for name in names_added:
                if name not in self._readers:
                    self._readers.append(name)
            for r in removed:
                if str(r) in self._readers:
                    self._readers.remove(str(r))
                self._present.pop(str(r), None)
            readers = list(self._readers)
            self._cond.notify_all()
        log.info("pcsc: readers %s (+%d -%d)", readers, len(names_added), len(names_removed))
        self.readers_changed.emit(readers)
        if readers:
            if self.status() in (DeviceStatus.NO_DEVICE, DeviceStatus.HARDWARE_ERROR,
                                 DeviceStatus.STARTING):
                self._set_status(DeviceStatus.ONLINE)
            if had_none and names_added and self._readers_lost:
                self._readers_lost = False
                self._rearm_card_monitor()
        else:
            self._readers_lost = True
            self._set_status(DeviceStatus.NO_DEVICE,
                             "no PC/SC reader" + (f" matching {self._filter!r}" if self._filter else "")
                             + ("" if list_readers() else " (pcscd not running?)"))
        self._update_media()

    def _on_cards(self, added: list, removed: list) -> None:
        events = []
        with self._cond:
            for card in removed:
                name = str(card.reader)
                if self._filter in name and self._present.pop(name, None) is not None:
                    events.append((False, name))
            for card in added:
                name = str(card.reader)
                if self._filter in name:
                    self._present[name] = bytes(card.atr)
                    events.append((True, name))
            self._cond.notify_all()
        # Media status first: a slot reacting to card_removed must already see notPresent.
        self._update_media()
        for inserted, name in events:
            log.info("pcsc: card %s %s", "inserted in" if inserted else "removed from", name)
            (self.card_inserted if inserted else self.card_removed).emit()

    def _rearm_card_monitor(self) -> None:
        """Readers are back after all were gone (pcscd restarted): the card monitor
        thread has died on SCARD_E_NO_SERVICE, or soon will, holding a context of
        the dead daemon. Replace it."""
        if self._card_monitor is None:
            return
        log.info("pcsc: readers back after an outage; starting a new card monitor thread")
        self._card_monitor.deleteObserver(self._card_observer)
        self._card_monitor = new_card_monitor()
        self._card_monitor.addObserver(self._card_observer)

    def _update_media(self) -> None:
        with self._cond:
            media = (MEDIA_UNKNOWN if not self._readers
                     else MEDIA_PRESENT if self._present else MEDIA_NOT_PRESENT)
            changed, self._media = media != self._media, media
        if changed:
            self.media_status_changed.emit(media)

    # --- reading ------------------------------------------------------------------------------

    def _wait_for_card(self, command: Command) -> str:
        with self._cond:
            while True:
                if command.cancelled:
                    raise ReadFailure(CANCELLED, "cancelled")
                if self._present:
                    return next(iter(self._present))
                if command.expired:
                    if not self._readers:
                        raise ReadFailure(DEVICE_OFFLINE, self.last_error() or "no PC/SC reader")
                    raise ReadFailure(TIMEOUT, f"no card within {command.timeout_s:g} s")
                remaining = command.remaining()
                self._cond.wait(0.1 if remaining is None else min(0.1, remaining))

    def _card_still_present(self, reader_name: str) -> bool:
        """Ask pcscd directly (the monitor may not have seen the removal yet)."""
        return card_present(reader_name)

    def _read_on_worker(self, command: Command) -> IdentityDocument:
        if not self._readers and not list_readers():
            # pcscd down at the start of a read: say so now rather than at the deadline.
            raise ReadFailure(DEVICE_OFFLINE, self.last_error() or "pcscd not reachable")
        reader_name = self._wait_for_card(command)
        with self._cond:
            key, self._mrz_key = self._mrz_key, None      # one attempt per key (personal data)
        connection = None
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pcsc-apdu")
        mute = False
        try:
            connection = self._connect(reader_name)
            channel = ApduChannel(lambda apdu: self._transmit(executor, connection, reader_name,
                                                              apdu, command))
            return self._read_card(channel, key)
        except CardRemoved as exc:
            raise ReadFailure(CARD_REMOVED, str(exc)) from None
        except CardMute as exc:
            mute = True
            raise ReadFailure(UNREADABLE, f"card mute: {exc}") from None
        except ChipAuthenticationError as exc:
            # The chip took our key but its answer does not verify: not a typing mistake, so the
            # citizen is not asked again; nothing from this chip is read.
            raise ReadFailure(UNREADABLE, f"emrtd: chip authentication failed: {exc}") from None
        except BacError as exc:
            # The chip refused the key: almost always a mistyped number or date, so the citizen
            # is asked again (the session limits the attempts).
            raise ReadFailure(MRZ_MISMATCH, f"emrtd: BAC failed: {exc}") from None
        except (StatusWordError, ssse.SsseError, emrtd.EmrtdError, MrzError, SecureMessagingError,
                TlvError, ApduError) as exc:
            raise ReadFailure(UNREADABLE, f"{type(exc).__name__}: {exc}") from None
        finally:
            # A mute card keeps the helper thread inside SCardTransmit: do not wait for it.
            executor.shutdown(wait=False)
            if connection is not None and mute:
                # The helper thread is still inside SCardTransmit; disconnecting would
                # wait behind it. Let it go when the card is finally pulled.
                threading.Thread(target=_disconnect_quietly, args=(connection,), daemon=True,
                                 name="pcsc-disconnect").start()
            elif connection is not None:
                # Synchronous, so the next read never races a power-down of this one.
                _disconnect_quietly(connection)

    def _connect(self, reader_name: str):
        from smartcard.Exceptions import CardConnectionException, NoCardException
        from smartcard.System import readers
        for reader in readers():
            if str(reader) == reader_name:
                connection = reader.createConnection()
                try:
                    connection.connect()
                except (NoCardException, CardConnectionException) as exc:
                    if not self._card_still_present(reader_name):
                        raise CardRemoved(f"card left {reader_name} before connect") from None
                    raise ApduError(f"connect failed: {exc}") from None
                return connection
        raise CardRemoved(f"reader {reader_name} vanished")

    def _transmit(self, executor, connection, reader_name: str, apdu: bytes, command: Command) -> bytes:
        if command.cancelled:
            raise ReadFailure(CANCELLED, "cancelled")
        future = executor.submit(connection.transmit, list(apdu))
        try:
            data, sw1, sw2 = future.result(timeout=self._apdu_timeout_s)
        except FutureTimeout:
            raise CardMute(f"no answer within {self._apdu_timeout_s:g} s") from None
        except Exception as exc:
            # Removed, or a transmission error with the card still there? pcscd polls
            # card presence a few times a second: give it up to 1 s to notice.
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                if not self._card_still_present(reader_name):
                    raise CardRemoved(f"card removed during APDU INS {apdu[1]:02X}") from None
                time.sleep(0.05)
            raise ApduError(f"transmit failed: {type(exc).__name__}") from None
        return bytes(data) + bytes((sw1, sw2))

    def _read_card(self, channel: ApduChannel, key: emrtd.MrzKey | None) -> IdentityDocument:
        if "ssse" in self._card_types:
            try:
                return ssse.read_card(channel).to_identity()
            except StatusWordError as exc:
                # 6A82 / 6A86 to SELECT SSSE: not a social security card; try the next type.
                if "SELECT SSSE" not in str(exc) or "emrtd" not in self._card_types:
                    raise
        if key is None:
            raise ReadFailure(MRZ_REQUIRED, "emrtd: MRZ key required (set_mrz_key)")
        return emrtd.read_document(channel, key).to_identity()


def _disconnect_quietly(connection) -> None:
    try:
        connection.disconnect()
    except Exception:
        pass
    try:
        connection.release()
    except Exception:
        pass
