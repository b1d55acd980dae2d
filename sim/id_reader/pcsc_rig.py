"""`backend = "pcsc_sim"`: the real PC/SC path with a virtual card, for the demo.

Starts what a test bench would: pcscd with the vpcd reader (only if we are
root and no pcscd runs; otherwise the running one is used), then the virtual
card process with one card inserted, then reads it through `PcscIdReader`
exactly as a real card. The card holder is the configured sample identity, so
the simulated camera shows the same person.

Neither card model carries a photo, so the sample identity's chip photo is
attached to the document read; it stands in for the platform's photo lookup by
ID number (issue 3, item 2), which a real deployment needs for these cards.
"""
from __future__ import annotations

import datetime as dt
import logging
import os

from devices.base import Command, DeviceStatus
from devices.id_reader.pcsc import pcscd
from devices.id_reader.pcsc.mrz import make_td3_mrz, parse_mrz
from devices.id_reader.pcsc.reader import PcscIdReader
from kiosk.core.identity import IdentityDocument

log = logging.getLogger(__name__)

DEMO_PASSPORT_NUMBER = "K12345678"


class PcscSimIdReader(PcscIdReader):
    def __init__(self, sim_card: str = "ssse", identity: str = "elderly", vpcd_port: int = 35963,
                 faces_dir=None, **kwargs):
        super().__init__(**kwargs)
        if sim_card not in ("ssse", "emrtd"):
            raise ValueError(f"unknown pcsc_sim card {sim_card!r} (ssse | emrtd)")
        from sim.identities import sim_identity
        self._identity = sim_identity(identity)
        self._sim_card = sim_card
        self._vpcd_port = vpcd_port
        self._faces_dir = faces_dir
        self._daemon: pcscd.PcscDaemon | None = None
        self._card_process = None

    def _card_params(self) -> dict:
        from kiosk.core.id_number import make_id_number
        today = dt.date.today()
        birth = self._identity.birth_date(today)
        return {"name": self._identity.name,
                "ssn": make_id_number(self._identity.region_code, birth, self._identity.sequence),
                "sex": "1" if self._identity.sex == "male" else "2",
                "birth": birth.isoformat(),
                "card_id_code": self._identity.region_code + "D156000005"}

    def _open_on_worker(self) -> None:
        from sim.id_reader.virtual_card.process import VirtualCardProcess
        try:
            if pcscd.running_pid() is None:
                if os.geteuid() != 0:
                    raise pcscd.PcscdError("pcscd is not running and only root can start it")
                self._daemon = pcscd.PcscDaemon(vpcd_port=self._vpcd_port)
                self._daemon.start()
            self._card_process = VirtualCardProcess(self._vpcd_port)
            if self._sim_card == "ssse":
                self._card_process.insert("ssse", **self._card_params())
            else:
                self._card_process.insert("emrtd", mrz=self.passport_mrz())
        except Exception as exc:
            log.error("pcsc_sim: rig did not start: %s", exc)
            self._set_status(DeviceStatus.HARDWARE_ERROR, f"pcsc_sim rig: {exc}")
            return
        super()._open_on_worker()

    def _close_on_worker(self) -> None:
        super()._close_on_worker()
        if self._card_process is not None:
            self._card_process.stop()
            self._card_process = None
        if self._daemon is not None:
            self._daemon.stop()
            self._daemon = None

    def passport_mrz(self) -> str:
        """The virtual passport of the demo identity: valid for five more years, so the kiosk's
        expiry rules accept it (the ICAO specimen expired in 1994)."""
        today = dt.date.today()
        expiry = dt.date(today.year + 5, today.month, min(today.day, 28))
        return make_td3_mrz(surname="CHAN", given_names="TAI MAN", document_number=DEMO_PASSPORT_NUMBER,
                            nationality="GBR", birth_yymmdd=self._identity.birth_date(today).strftime("%y%m%d"),
                            sex="M" if self._identity.sex == "male" else "F",
                            expiry_yymmdd=expiry.strftime("%y%m%d"))

    def demo_mrz_key(self) -> tuple[str, str, str] | None:
        """What the demo citizen reads off the photo page (the demo's autopilot types it);
        None for the social security card."""
        if self._sim_card != "emrtd":
            return None
        mrz = parse_mrz(self.passport_mrz())
        return mrz.document_number, mrz.birth_yymmdd, mrz.expiry_yymmdd

    def _read_on_worker(self, command: Command) -> IdentityDocument:
        # A passport is read only with the key the citizen typed on the MRZ screen (set_mrz_key).
        document = super()._read_on_worker(command)
        import dataclasses
        from sim.identities import chip_photo_jpeg, faces_dir
        photo = chip_photo_jpeg(self._identity.key, str(faces_dir(self._faces_dir)))
        return dataclasses.replace(document, photo_jpeg=photo)
