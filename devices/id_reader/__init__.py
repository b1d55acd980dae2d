"""ID card readers. `create_id_reader(section)` builds the configured one."""
from __future__ import annotations

from devices.config_section import as_dict
from devices.id_reader.interface import IdReader, ReadFailure
from devices.id_reader.sim import SimIdReader

__all__ = ["IdReader", "ReadFailure", "SimIdReader", "create_id_reader"]


def create_id_reader(section) -> IdReader:
    """`section` is the `[devices.id_reader]` table (dict or its config dataclass)."""
    section = as_dict(section)
    backend = section.get("backend", "sim")
    if backend == "sim":
        return SimIdReader(identity=section.get("identity", "elderly"),
                           scenario=section.get("scenario", "ok"),
                           delay_s=float(section.get("delay_s", 0.3)),
                           faces_dir=section.get("faces_dir") or None)
    if backend == "sam_serial":
        from devices.id_reader.photo_decoder import create_photo_decoder
        from devices.id_reader.sam_serial import SamSerialIdReader
        return SamSerialIdReader(port=section.get("port", ""),
                                 baudrate=int(section.get("baudrate", 115200)),
                                 photo_decoder=create_photo_decoder(section.get("wlt_decoder", "")))
    if backend == "sam_sim":
        from devices.id_reader.photo_decoder import create_photo_decoder
        from devices.id_reader.sam_sim_reader import SamSimIdReader
        return SamSimIdReader(identity=section.get("identity", "elderly"),
                              card_type=section.get("card_type", "resident"),
                              scenario=section.get("scenario", "card"),
                              photo_decoder=create_photo_decoder(section.get("wlt_decoder") or "sim"))
    if backend in ("pcsc", "pcsc_sim"):
        # Imported here: pyscard needs libpcsclite, which a sim-only kiosk does not.
        pcsc_options = {"reader_filter": section.get("reader_filter", ""),
                        "card_types": tuple(section.get("card_types") or ("ssse", "emrtd")),
                        "apdu_timeout_s": float(section.get("apdu_timeout_s", 3.0))}
        if backend == "pcsc":
            from devices.id_reader.pcsc.reader import PcscIdReader
            return PcscIdReader(**pcsc_options)
        from devices.id_reader.pcsc.sim_rig import PcscSimIdReader
        return PcscSimIdReader(sim_card=section.get("sim_card", "ssse"),
                               identity=section.get("identity", "elderly"),
                               vpcd_port=int(section.get("vpcd_port", 35963)),
                               faces_dir=section.get("faces_dir") or None, **pcsc_options)
    raise ValueError(f"devices.id_reader.backend: unknown backend {backend!r} "
                     f"(available: sim, sam_serial, sam_sim, pcsc, pcsc_sim)")
