"""The ID card reader as the controller sees it, whatever the hardware."""
from __future__ import annotations

import logging
import threading
from enum import Enum

from PySide6.QtCore import Signal

from devices.base import Command, Device, DeviceStatus
from kiosk.core.identity import IdentityDocument

log = logging.getLogger(__name__)

# Reason codes of `read_failed`.
TIMEOUT = "timeout"                # no card presented in time
CARD_REMOVED = "card_removed"      # pulled out mid-read
UNREADABLE = "unreadable"
DEVICE_OFFLINE = "device_offline"
CANCELLED = "cancelled"
# eMRTD (passport) chips need a key from the printed MRZ before they answer (ICAO 9303 BAC):
MRZ_REQUIRED = "mrz_required"      # a passport is on the reader and no key was given: ask the citizen
MRZ_MISMATCH = "mrz_mismatch"      # the key the citizen typed does not open the chip (BAC failed)


class MediaStatus(str, Enum):
    """Whether a card is on the reader, in XFS4IoT `CardReader.media` values."""

    PRESENT = "present"
    NOT_PRESENT = "notPresent"
    JAMMED = "jammed"        # motorised readers only; a SAM reader's card lies on a pad
    UNKNOWN = "unknown"      # reader offline, or not polled yet


class ReadFailure(Exception):
    """Raised by `_read_on_worker`; becomes `read_failed(reason, detail)`."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail   # for technicians: never a name or number


class IdReader(Device):
    card_read = Signal(object)          # IdentityDocument
    read_failed = Signal(str, str)      # (reason code, technician detail without PII)
    # XFS4IoT-style media events, emitted from the worker thread (queued to GUI slots).
    # `card_read` is the read-complete event; these report the card itself, also
    # outside a read, so the UI can say "please take your card" at session end.
    media_status_changed = Signal(str)  # MediaStatus value; emitted on every change
    card_inserted = Signal()            # MediaInserted: a card arrived on the reader
    card_removed = Signal()             # MediaRemoved (unsolicited): the card left the reader
    name = "id_reader"

    def __init__(self, parent=None):
        super().__init__(parent)
        self._media = MediaStatus.UNKNOWN
        self._media_lock = threading.Lock()

    def media_status(self) -> MediaStatus:
        with self._media_lock:
            return self._media

    def _set_media(self, media: MediaStatus) -> None:
        """Record the media status and emit the change and insert/remove events."""
        with self._media_lock:
            previous, self._media = self._media, media
        if media == previous:
            return
        self.media_status_changed.emit(media.value)
        if media == MediaStatus.PRESENT:
            self.card_inserted.emit()
        elif previous == MediaStatus.PRESENT and media == MediaStatus.NOT_PRESENT:
            self.card_removed.emit()

    def read_card(self, timeout_s: float) -> None:
        """Wait up to `timeout_s` for a card and read it. Exactly one of
        `card_read` / `read_failed` follows. A read already running is cancelled."""
        command = self._start_command("read_card", timeout_s)
        self._submit(lambda: self._read_job(command))

    def cancel(self) -> None:
        self._cancel_current()

    @staticmethod
    def _wait(command: Command, seconds: float) -> None:
        """Sleep `seconds` within `command`; a cancel or the command's deadline ends the read."""
        if command.wait(seconds):
            return
        if command.cancelled:
            raise ReadFailure(CANCELLED, "cancelled")
        raise ReadFailure(TIMEOUT, f"no card within {command.timeout_s:g} s")

    # --- for subclasses ------------------------------------------------------

    def _read_on_worker(self, command: Command) -> IdentityDocument:
        """Wait for a card within `command`'s deadline and read it, or raise ReadFailure."""
        raise NotImplementedError

    # -------------------------------------------------------------------------

    def _read_job(self, command: Command) -> None:
        try:
            if command.cancelled:
                raise ReadFailure(CANCELLED, "cancelled before start")
            if self.status() in (DeviceStatus.NO_DEVICE, DeviceStatus.OFFLINE,
                                 DeviceStatus.HARDWARE_ERROR):
                raise ReadFailure(DEVICE_OFFLINE, self.last_error() or self.status().value)
            self._set_status(DeviceStatus.BUSY)
            try:
                document = self._read_on_worker(command)
            finally:
                if self.status() == DeviceStatus.BUSY:
                    self._set_status(DeviceStatus.ONLINE)
            if command.cancelled:   # a cancel that raced the last byte still wins
                raise ReadFailure(CANCELLED, "cancelled")
        except ReadFailure as failure:
            log.info("id_reader: read failed: %s (%s)", failure.reason, failure.detail)
            self.read_failed.emit(failure.reason, failure.detail)
        except Exception as exc:   # driver bug: report it as unreadable, do not go silent
            log.exception("id_reader: read crashed")
            self.read_failed.emit(UNREADABLE, f"{type(exc).__name__}")
        else:
            log.info("id_reader: card read (%s)", document.card_type.value)
            self.card_read.emit(document)
        finally:
            self._finish_command(command)
