"""The real SAM driver connected to the pty simulator process (demo and tests).

`backend = "sam_sim"` builds this: on open (on the worker thread, never the
GUI thread) it starts `python -m sim.id_reader.sam_simulator` and then
opens the simulator's port exactly as `SamSerialIdReader` opens /dev/ttyUSB0;
on close it stops the process. Everything between is the production driver.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from devices.id_reader.photo_decoder import PhotoDecoder, SimWltDecoder
from devices.id_reader.sam_serial import SamSerialIdReader
from sim.id_reader.sam_simulator import SCENARIOS, SamSimulatorProcess
from sim.id_reader.sam_sim_cards import CARD_TYPES

log = logging.getLogger(__name__)


class SamSimIdReader(SamSerialIdReader):
    def __init__(self, identity: str = "elderly", card_type: str = "resident", scenario: str = "card",
                 delay_s: float = 0.0, photo_decoder: PhotoDecoder | None = None, **kwargs):
        if scenario == "ok":
            scenario = "card"       # the `sim` backend's name for "a card is on the reader"
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown sam_sim scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
        if card_type not in CARD_TYPES:
            raise ValueError(f"unknown sam_sim card type {card_type!r} (known: {', '.join(CARD_TYPES)})")
        link = Path(tempfile.mkdtemp(prefix="kiosk-samsim-")) / "ttySAM0"
        super().__init__(str(link), photo_decoder=photo_decoder or SimWltDecoder(), **kwargs)
        self.simulator = SamSimulatorProcess(identity=identity, card=card_type, scenario=scenario,
                                             delay_s=delay_s, link=link)

    def _open_on_worker(self) -> None:
        try:
            self.simulator.start()
        except (OSError, ValueError, RuntimeError, TimeoutError) as exc:
            log.error("id_reader: SAM simulator did not start: %s", exc)
        super()._open_on_worker()

    def close(self) -> None:
        super().close()
        self.simulator.stop()
        shutil.rmtree(Path(self.port).parent, ignore_errors=True)
