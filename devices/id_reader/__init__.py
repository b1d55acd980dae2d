"""ID card readers. `create_id_reader(section)` builds the configured one."""
from __future__ import annotations

from devices.id_reader.interface import IdReader, ReadFailure
from devices.id_reader.sim import SimIdReader
from kiosk.settings import ID_READER_BACKENDS, IdReaderSection, checked_backend

__all__ = ["ID_READER_BACKENDS", "IdReader", "ReadFailure", "SimIdReader", "create_id_reader"]


def create_id_reader(section: IdReaderSection) -> IdReader:
    """`section` is the validated `[devices.id_reader]` table (`kiosk.settings.IdReaderSection`):
    every value, default included, comes from there (each backend's keys: `ID_READER_BACKENDS`)."""
    backend = checked_backend(section, IdReaderSection, ID_READER_BACKENDS, "create_id_reader", "devices.id_reader")
    if backend == "sim":
        return SimIdReader(identity=section.identity, scenario=section.scenario, delay_s=section.delay_s)
    if backend == "sam_serial":
        from devices.id_reader.photo_decoder import create_photo_decoder
        from devices.id_reader.sam_serial import SamSerialIdReader
        return SamSerialIdReader(port=section.port, baudrate=section.baudrate,
                                 photo_decoder=create_photo_decoder(section.wlt_decoder))
    if backend == "sam_sim":
        from devices.id_reader.photo_decoder import create_photo_decoder
        from sim.id_reader.sam_sim_reader import SamSimIdReader
        return SamSimIdReader(identity=section.identity, card_type=section.card_type, scenario=section.scenario,
                              photo_decoder=create_photo_decoder(section.wlt_decoder or "sim"))
    # pcsc, pcsc_sim. Imported here: pyscard needs libpcsclite, which a sim-only kiosk does not.
    pcsc_options = {"reader_filter": section.reader_filter, "card_types": tuple(section.card_types),
                    "apdu_timeout_s": section.apdu_timeout_s}
    if backend == "pcsc":
        from devices.id_reader.pcsc.reader import PcscIdReader
        return PcscIdReader(**pcsc_options)
    from sim.id_reader.pcsc_rig import PcscSimIdReader
    return PcscSimIdReader(sim_card=section.sim_card, identity=section.identity, vpcd_port=section.vpcd_port,
                           **pcsc_options)
