"""A card reader without hardware: presents one of the sample cards.

Scenarios: `ok` (card read after `delay_s`), `no_card` (nobody presents a card:
`timeout` at the deadline), `card_removed` (pulled out half-way), `unplugged`
(status noDevice; every read fails with `device_offline`).
"""
from __future__ import annotations

import os

from devices.base import Command, DeviceStatus
from devices.id_reader.interface import CARD_REMOVED, DEVICE_OFFLINE, IdReader, MediaStatus, ReadFailure
from kiosk.core.identity import IdentityDocument

SCENARIOS = ("ok", "no_card", "card_removed", "unplugged")


class SimIdReader(IdReader):
    def __init__(self, identity: str = "elderly", scenario: str = "ok", delay_s: float = 0.3,
                 faces_dir: str | os.PathLike | None = None, parent=None):
        super().__init__(parent)
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown id reader scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
        # The sample card holders are test data (sim/, see .importlinter); imported here so that
        # importing devices.id_reader loads neither sim nor cv2.
        from sim.identities import sim_identity
        self._identity = sim_identity(identity)   # fail early on a typo in the config
        self._scenario = scenario
        self._delay_s = delay_s
        self._faces_dir = faces_dir

    def set_scenario(self, scenario: str) -> None:
        """From the next read on, this scenario (tests, the demo: a citizen without a card is "no_card")."""
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown id reader scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
        self._scenario = scenario

    def set_delay(self, delay_s: float) -> None:
        """From the next read on, the card is on the reader after `delay_s` (tests: a screen held
        long enough to look at, then quick reads)."""
        self._delay_s = delay_s

    def present(self, identity: str) -> None:
        """The next visitor's card (the demo's second citizen, who pays a fee)."""
        from sim.identities import sim_identity
        self._identity = sim_identity(identity)

    def _open_on_worker(self) -> None:
        if self._scenario == "unplugged":
            self._set_status(DeviceStatus.NO_DEVICE, "sim: reader unplugged")
            return
        self._set_status(DeviceStatus.ONLINE)
        self._set_media(MediaStatus.NOT_PRESENT)

    def place_card(self) -> None:
        """Demo and tests: a citizen puts a card on the reader (no read is running)."""
        self._set_media(MediaStatus.PRESENT)

    def take_card(self) -> None:
        """Demo and tests: the card is taken off the reader."""
        self._set_media(MediaStatus.NOT_PRESENT)

    def _read_on_worker(self, command: Command) -> IdentityDocument:
        if self._scenario == "unplugged":
            raise ReadFailure(DEVICE_OFFLINE, "sim: reader unplugged")
        if self._scenario == "no_card":
            self._wait(command, float("inf"))
        # A card is on the reader after `delay_s`; the read itself takes a moment too.
        self._wait(command, self._delay_s / 2)
        self._set_media(MediaStatus.PRESENT)
        if self._scenario == "card_removed":
            self._set_media(MediaStatus.NOT_PRESENT)
            raise ReadFailure(CARD_REMOVED, "sim: card removed during read")
        self._wait(command, self._delay_s / 2)
        # Building the chip photo (decode, crop, JPEG) is the slow part; it runs here, on the worker.
        document = self._identity.document(faces_override=self._faces_dir)
        # The simulated citizen takes the card straight back (no "please take your card").
        self._set_media(MediaStatus.NOT_PRESENT)
        return document
