"""The bugs of settings declared twice (schema and device factories), issue 13 item 4.

Written against the API that existed before the fix (config_from_dict, the section dataclasses,
the factories), so each test also runs, and fails for its own reason, on the old code."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, PrinterSection, config_from_dict

REPO = Path(__file__).resolve().parents[1]
REAL_DEVICES = {"id_reader": {"backend": "pcsc"}, "camera": {"backend": "opencv"},
                "printer": {"backend": "network", "host": "192.0.2.10"}}


def test_serial_printer_baud_rate_is_settable(tmp_path):
    """create_printer read `baudrate`, but the schema refused devices.printer.baudrate
    ("unknown key"), so a serial printer always ran at the factory's own 9600."""
    from devices.printer import create_printer
    device = tmp_path / "ttyS0"
    device.touch()
    config = config_from_dict({"devices": {**REAL_DEVICES, "printer": {
        "backend": "serial", "device": str(device), "baudrate": 19200}}})
    printer = create_printer(config.devices.printer)
    assert printer._baudrate == 19200
    assert PrinterSection().baudrate == 9600     # what the serial driver used before, now the schema's default
    with pytest.raises(ConfigError) as info:
        config_from_dict({"devices": {**REAL_DEVICES, "printer": {"backend": "serial", "device": str(device),
                                                                  "baudrate": "fast"}}})
    assert info.value.key == "devices.printer.baudrate"


def test_production_config_refuses_the_printer_emulator():
    """The test emulator (a loopback TCP server inside the kiosk process) was accepted as the
    printer of a production kiosk."""
    with pytest.raises(ConfigError) as info:
        config_from_dict({"devices": {**REAL_DEVICES, "printer": {"backend": "emulator"}}})
    assert info.value.key == "devices.printer.backend"
    assert str(info.value).startswith("devices.printer.backend: 'emulator' is a test-only backend")


@pytest.mark.parametrize("device", ["id_reader", "camera", "printer"])
def test_production_config_refuses_simulators(device):
    with pytest.raises(ConfigError) as info:
        config_from_dict({"devices": {**REAL_DEVICES, device: {"backend": "sim"}}})
    assert info.value.key == f"devices.{device}.backend"


@pytest.mark.parametrize("factory", ["devices.id_reader:create_id_reader", "devices.camera:create_camera",
                                     "devices.printer:create_printer"])
def test_factories_take_the_validated_section_not_a_dict(factory):
    """A dict section got the factory's own defaults: sim delay_s 0.3 where the schema said 0.4,
    a serial printer's 9600 baud the schema did not know."""
    import importlib
    module, name = factory.split(":")
    with pytest.raises(TypeError, match="Section"):
        getattr(importlib.import_module(module), name)({"backend": "sim"})


def test_sim_reader_gets_the_schema_delay():
    from devices.id_reader import create_id_reader
    from kiosk.config import IdReaderSection
    reader = create_id_reader(IdReaderSection(backend="sim"))
    assert reader._delay_s == IdReaderSection().delay_s == 0.4


def test_journal_path_is_declared_once(tmp_path):
    """The kiosk (kiosk/app.py) and the technician CLI (devices/printer/technician.py) each spelled
    data_dir/receipts.sqlite3."""
    spelled = [p.relative_to(REPO).as_posix()
               for p in (*REPO.glob("kiosk/*.py"), *REPO.glob("devices/**/*.py"), REPO / "main.py")
               if "receipts.sqlite3" in p.read_text(encoding="utf-8")]
    assert spelled == ["kiosk/settings.py"]
    from devices.printer.technician import journal_for
    config = config_from_dict({"kiosk": {"data_dir": str(tmp_path)}, "devices": REAL_DEVICES})
    journal_for(config).close()
    assert config.journal_path == tmp_path / "receipts.sqlite3" and config.journal_path.is_file()
