"""Each setting and each device backend is declared once, in kiosk/settings.py
(loaded and validated by kiosk/config.py).

* every key has a type (its annotation), a default and help text; closed sets of values are one
  constant used by validation and by the code acting on them;
* each backend lists the keys its factory reads: every one of them reaches the driver, and the
  factory reads no other key (so it cannot carry a default or a key of its own);
* test-only backends (simulators, emulators, rigs) need demo mode;
* kiosk.toml is checked against the declaration, and `python -m kiosk.config --toml` prints it.
"""
from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tomllib
import typing
from pathlib import Path

import pytest

import devices.camera
import devices.document_printer
import devices.id_reader
import devices.printer
import devices.scanner
from kiosk.settings import DocumentPrinterSection, ScannerSection
from kiosk.config import (BACKENDS, CAMERA_BACKENDS, ID_READER_BACKENDS, PRINTER_BACKENDS, CameraSection,
                          ConfigError, IdReaderSection, KioskConfig, PrinterSection, config_from_dict,
                          load_config, reference_toml)

REPO = Path(__file__).resolve().parents[1]


def schema_keys(cls=KioskConfig, prefix: str = "") -> dict[str, dataclasses.Field]:
    """Dotted key -> field, for every leaf key of the configuration."""
    hints = typing.get_type_hints(cls)
    keys = {}
    for f in dataclasses.fields(cls):
        if f.name == "source_path":
            continue
        dotted = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(hints[f.name]):
            keys.update(schema_keys(hints[f.name], dotted + "."))
        else:
            keys[dotted] = f
    return keys


def default_of(f: dataclasses.Field):
    return f.default_factory() if f.default is dataclasses.MISSING else f.default


# --- every key declared once ---------------------------------------------------------------

def test_every_key_has_a_type_a_default_and_help():
    keys = schema_keys()
    assert len(keys) > 80
    for key, f in keys.items():
        assert f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING, key
        assert len(f.metadata.get("help", "")) >= 10, f"{key}: no help text"


def test_choices_are_validated_from_their_constant():
    for key, f in schema_keys().items():
        choices = f.metadata.get("choices")
        if not choices:
            continue
        section, _, name = key.rpartition(".")
        raw: dict = {}
        node = raw
        for part in section.split("."):
            node = node.setdefault(part, {})
        node[name] = ["not-a-choice"] if isinstance(default_of(f), list) else "not-a-choice"
        with pytest.raises(ConfigError) as info:
            config_from_dict(raw, demo=True)
        assert info.value.key == key and "choose one of: " + ", ".join(choices) in str(info.value)


# --- backends: declared with their keys; test-only ones need demo --------------------------

REAL_DEVICES = {"id_reader": {"backend": "pcsc"}, "camera": {"backend": "opencv"},
                "printer": {"backend": "network", "host": "192.0.2.10"}}


def backend_config(tmp_path, device: str, backend: str) -> dict:
    """Real backends on the other devices, `backend` on `device`, with what it needs to pass the checks."""
    devices = {name: dict(values) for name, values in REAL_DEVICES.items()}
    devices[device] = {"backend": backend}
    path = tmp_path / "device"
    path.touch()
    if (device, backend) == ("id_reader", "sam_serial"):
        devices[device]["port"] = str(path)
    if device == "printer" and backend in ("serial", "file", "usb", "cups", "network"):
        devices[device].update(device="04b8:0e15" if backend == "usb" else str(path), host="192.0.2.10")
    return {"devices": devices}


ALL_BACKENDS = [(key.split(".")[-1], name, backend.test_only)
                for key, backends in BACKENDS.items() for name, backend in backends.items()]


@pytest.mark.parametrize("device, backend, test_only", ALL_BACKENDS)
def test_test_only_backends_need_demo_mode(tmp_path, device, backend, test_only):
    raw = backend_config(tmp_path, device, backend)
    if test_only:
        with pytest.raises(ConfigError) as info:
            config_from_dict(raw)
        assert info.value.key == f"devices.{device}.backend" and "--demo or [kiosk] demo = true" in str(info.value)
        raw["kiosk"] = {"demo": True}
    assert getattr(config_from_dict(raw).devices, device).backend == backend


def test_main_demo_offers_exactly_the_test_only_id_readers():
    import main
    assert main.DEMO_ID_READERS == tuple(n for n, b in ID_READER_BACKENDS.items() if b.test_only)
    assert {"sim", "sam_sim", "pcsc_sim"} == set(main.DEMO_ID_READERS)


def test_demo_flag_on_the_command_line_sets_the_key(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[devices.printer]\nbackend = "emulator"\n', encoding="utf-8")
    assert load_config(path, demo=True).kiosk.demo is True
    with pytest.raises(ConfigError, match="devices.id_reader.backend"):
        load_config(path)


# --- every backend's keys reach its driver, and only those are read -------------------------

FACTORIES = {"id_reader": (devices.id_reader.create_id_reader, IdReaderSection),
             "camera": (devices.camera.create_camera, CameraSection),
             "printer": (devices.printer.create_printer, PrinterSection),
             "document_printer": (devices.document_printer.create_document_transport, DocumentPrinterSection),
             "scanner": (devices.scanner.create_scanner, ScannerSection)}
DRIVERS = {   # where each factory finds its driver classes (replaced by a recorder below)
    "id_reader": [(devices.id_reader, "SimIdReader"), ("devices.id_reader.sam_serial", "SamSerialIdReader"),
                  ("sim.id_reader.sam_sim_reader", "SamSimIdReader"),
                  ("devices.id_reader.pcsc.reader", "PcscIdReader"),
                  ("sim.id_reader.pcsc_rig", "PcscSimIdReader")],
    "camera": [(devices.camera, "SimCamera"), (devices.camera, "OpenCvCamera")],
    "printer": [(devices.printer, name) for name in ("SimPrinter", "NetworkReceiptPrinter", "SerialReceiptPrinter",
                                                     "UsbReceiptPrinter", "FileReceiptPrinter", "CupsReceiptPrinter")]
               + [("sim.printer.emulated", "EmulatedReceiptPrinter")],
    "document_printer": [(devices.document_printer, "SimTransport"), (devices.document_printer, "CupsTransport"),
                         (devices.document_printer, "AbsentTransport")],
    "scanner": [("devices.scanner.interface", "NoScanner"), ("devices.scanner.sim", "SimScanner"), ("devices.scanner.serial_scanner", "SerialScanner"),
                ("devices.scanner.hid_scanner", "HidScanner")],
}


def other_value(section_cls, name: str, backend: str):
    """A valid value for `name` that differs from its default."""
    f = {f.name: f for f in dataclasses.fields(section_cls)}[name]
    default, choices = default_of(f), f.metadata.get("choices")
    if choices and isinstance(default, list):
        return list(reversed(choices))
    if choices:
        return next(c for c in choices if c != default)
    if (backend, name) == ("usb", "device"):
        return "04b8:0e15"
    if isinstance(default, bool):
        return not default
    if isinstance(default, (int, float)):
        return default + 7
    return f"{name}-set-in-the-config"


def contains(recorded, value) -> bool:
    if recorded == value or (isinstance(value, list) and recorded == tuple(value)):
        return True
    if isinstance(recorded, (tuple, list)):
        return any(contains(item, value) for item in recorded)
    if isinstance(recorded, dict):
        return any(contains(item, value) for item in recorded.values())
    return False


@pytest.fixture
def recorded(monkeypatch):
    """Replaces every driver class (and the WLT decoder loader) by a recorder of its arguments."""
    import importlib
    calls = []

    def recorder(*args, **kwargs):
        calls.append((args, kwargs))
        return object()
    targets = [(importlib.import_module(module) if isinstance(module, str) else module, name)
               for device_drivers in DRIVERS.values() for module, name in device_drivers]   # import all first:
    for module, name in targets:                                           # some subclass others' drivers
        monkeypatch.setattr(module, name, recorder)
    monkeypatch.setattr("devices.id_reader.photo_decoder.create_photo_decoder", lambda spec: ("decoder", spec))
    return calls


def watched(section_cls, **values):
    """A section that records which keys are read."""
    reads = set()

    class Watched(section_cls):
        def __getattribute__(self, name):
            if name in {f.name for f in dataclasses.fields(section_cls)}:
                reads.add(name)
            return super().__getattribute__(name)
    return Watched(**values), reads


@pytest.mark.parametrize("device, backend", [(device, name) for device, name, _ in ALL_BACKENDS])
def test_each_backend_reads_exactly_its_declared_keys(recorded, device, backend):
    factory, section_cls = FACTORIES[device]
    declared = BACKENDS[f"devices.{device}"][backend].options
    values = {"host": "192.0.2.10", "device": "04b8:0e15"} if device == "printer" else {}
    section, reads = watched(section_cls, backend=backend,
                             **{k: v for k, v in values.items() if k in declared})
    factory(section)
    assert len(recorded) == 1
    assert reads - {"backend"} == set(declared), f"{backend}: reads {sorted(reads)}, declares {sorted(declared)}"


@pytest.mark.parametrize("device, backend, option",
                         [(device, name, option) for device, name, _ in ALL_BACKENDS
                          for option in BACKENDS[f"devices.{device}"][name].options])
def test_each_backend_option_reaches_the_driver(recorded, device, backend, option):
    factory, section_cls = FACTORIES[device]
    value = other_value(section_cls, option, backend)
    base = {"host": "192.0.2.10", "device": "04b8:0e15"} if device == "printer" else {}
    base = {k: v for k, v in base.items() if k in BACKENDS[f"devices.{device}"][backend].options}
    factory(section_cls(**{**base, "backend": backend, option: value}))
    (args, kwargs), = recorded
    expected = (0x04B8, 0x0E15) if (backend, option) == ("usb", "device") else value
    if isinstance(expected, tuple):
        assert all(contains((args, kwargs), part) for part in expected)
    else:
        assert contains((args, kwargs), expected), f"{option}={value!r} did not reach {args} {kwargs}"


def test_sim_reader_delay_is_the_schema_default(recorded):
    devices.id_reader.create_id_reader(IdReaderSection())
    (_args, kwargs), = recorded
    assert kwargs["delay_s"] == IdReaderSection().delay_s == 0.4


# --- kiosk.toml against the declaration -------------------------------------------------------

# Values in kiosk.toml that differ from the schema's default on purpose (it is an example).
EXAMPLE_OVERRIDES = {"kiosk.id": "an example kiosk id", "kiosk.location": "an example location",
                     "devices.document_printer.backend": "the demo's A4 printer"}
# Commented-out example values (`# key = value`) that are not the default.
COMMENTED_EXAMPLES = {"devices.id_reader.port", "devices.printer.host", "devices.printer.device"}
LINE = re.compile(r"^(#\s*)?([a-z_][a-z0-9_]*)\s*=\s*(.*?)\s*(?:#.*)?$")


def kiosk_toml_keys() -> dict[str, tuple[bool, object]]:
    """Dotted key -> (commented out, value) for every `key = value` line of kiosk.toml."""
    keys, section = {}, ""
    for line in (REPO / "kiosk.toml").read_text(encoding="utf-8").splitlines():
        header = re.match(r"^\[([a-z_.]+)\]", line)
        if header:
            section = header.group(1)
            continue
        match = LINE.match(line)
        if not match or not section:
            continue
        try:
            value = tomllib.loads(f"v = {match.group(3)}")["v"]
        except tomllib.TOMLDecodeError:
            continue    # a comment line that only looks like a key (prose)
        keys[f"{section}.{match.group(2)}"] = (bool(match.group(1)), value)
    return keys


def test_kiosk_toml_documents_every_key_with_its_default():
    documented, schema = kiosk_toml_keys(), schema_keys()
    assert set(documented) - set(schema) == set(), "keys in kiosk.toml the schema does not know"
    assert set(schema) - set(documented) == set(), "schema keys kiosk.toml does not mention (set or commented)"
    for key, (commented, value) in documented.items():
        if key in EXAMPLE_OVERRIDES or (commented and key in COMMENTED_EXAMPLES):
            continue
        default = default_of(schema[key])
        assert value == default, f"kiosk.toml {key} = {value!r}, schema default {default!r}"


def test_kiosk_toml_set_values_load_as_written():
    config = load_config(REPO / "kiosk.toml", demo=True)
    for key, (commented, value) in kiosk_toml_keys().items():
        if not commented and key != "kiosk.demo":
            node = config
            for part in key.split("."):
                node = getattr(node, part)
            assert node == value or (key == "kiosk.data_dir" and node.endswith(value)), key


def test_reference_toml_is_every_default():
    text = reference_toml()
    assert config_from_dict(tomllib.loads(text)) == config_from_dict({}, demo=True)
    assert sorted(_keys_by_section(text)) == sorted(schema_keys())
    for name, backend in {**ID_READER_BACKENDS, **CAMERA_BACKENDS, **PRINTER_BACKENDS}.items():
        assert f"#   {name} ({'test-only' if backend.test_only else 'real'}): " in text


def _keys_by_section(text: str) -> list[str]:
    keys, section = [], ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif re.match(r"^[a-z_]+ =", line):
            keys.append(f"{section}.{line.split(' =')[0]}")
    return keys


def test_config_module_command_line(tmp_path):
    run = [sys.executable, "-m", "kiosk.config"]
    printed = subprocess.run([*run, "--toml"], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert printed.returncode == 0 and printed.stdout == reference_toml()
    checked = subprocess.run([*run, "--check", str(REPO / "kiosk.toml")], capture_output=True, text=True,
                             timeout=60, cwd=REPO)
    assert checked.returncode == 2 and checked.stdout.count("\n") == 1
    assert "devices.id_reader.backend" in checked.stdout
