"""Kiosk configuration: one TOML file, validated strictly.

Every section is a dataclass (declared once in kiosk/settings.py, re-exported here);
its fields are the only keys allowed, with their types, defaults, help text and
choices. A mistake in the file becomes one `ConfigError` naming the
key (`devices.printer.paper_width_mm: expected an integer, got "80mm"`), which
main.py prints as a single line before exiting with code 2: a technician at a
service point must be able to fix it without reading a traceback.
"""
from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from pathlib import Path
from urllib.parse import urlparse

from kiosk.settings import (BACKENDS, CAMERA_BACKENDS, FACE_THRESHOLD_RANGES, ID_READER_BACKENDS,  # noqa: F401
                            LANGUAGES, LIVENESS_MODES, PCSC_CARD_TYPES, PRINTER_BACKENDS, PRINTER_CHARSETS,
                            PRINTER_TEXT_MODES, SAM_SIM_CARD_TYPES, SIGNATURE_ALGORITHMS, Backend, CameraSection,
                            DevicesSection, DisplaySection, DlibEngineSection, FaceEnginesSection, FaceSection,
                            HeartbeatSection, IdReaderSection, KioskConfig, KioskSection, LoggingSection,
                            MetricsSection, PlatformSection, PrinterSection, SecuritySection, SFaceEngineSection,
                            TechnicianSection, TimeoutsSection, section, setting, only_in_demo,
                            FleetSection, LOCAL_ONLY, REMOTE_APPLY,
                            CertificatesSection, DOCUMENT_PRINTER_BACKENDS, DocumentPrinterSection)

LOOPBACK_HOSTS = ("localhost",)   # plus every 127.0.0.0/8 and ::1 address
MIN_WARNING_S = 20.0   # WCAG 2.2.1 Timing Adjustable: warned, with at least 20 s to extend


class ConfigError(Exception):
    """A configuration problem, phrased for a technician. `key` is dotted."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key


# --- loading ---------------------------------------------------------------

def load_config(path: str | os.PathLike, *, demo: bool = False) -> KioskConfig:
    """The validated configuration in `path`; `demo=True` (main.py --demo) sets `[kiosk] demo`."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("", f"configuration file not found: {path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("", f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{path} is not valid TOML: {exc}") from None
    config = config_from_dict(raw, demo=demo)
    config = dataclasses.replace(config, source_path=str(path))
    _resolve_relative_paths_against(path.parent, config)
    return config


def config_from_dict(raw: dict, *, demo: bool = False) -> KioskConfig:
    if demo:
        kiosk = raw.get("kiosk", {})
        raw = {**raw, "kiosk": {**kiosk, "demo": True} if isinstance(kiosk, dict) else kiosk}
    config = _build(KioskConfig, raw, prefix="", skip={"source_path"})
    check_semantics(config)
    return config


def _build(cls, raw: dict, prefix: str, skip=frozenset()):
    if not isinstance(raw, dict):
        raise ConfigError(prefix.rstrip("."), "expected a table")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in skip}
    known = set(fields)
    for key in raw:
        if key not in known:
            raise ConfigError(prefix + key, f"unknown key (allowed: {', '.join(sorted(known))})")
    values = {}
    for name in known:
        if name not in raw:
            continue
        values[name] = _coerce(hints[name], raw[name], prefix + name)
        choices = fields[name].metadata.get("choices")
        if choices is not None:
            for value in (values[name] if isinstance(values[name], list) else [values[name]]):
                _check_choice(prefix + name, value, tuple(choices))
    return cls(**values)


def _coerce(expected, value, key: str):
    if dataclasses.is_dataclass(expected):
        return _build(expected, value, key + ".")
    if expected is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, f"expected true or false, got {value!r}")
        return value
    if expected is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, f"expected an integer, got {value!r}")
        return value
    if expected is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(key, f"expected a number, got {value!r}")
        return float(value)
    if expected is str:
        if not isinstance(value, str):
            raise ConfigError(key, f"expected a string, got {value!r}")
        return value
    if expected is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(key, f"expected a list of strings, got {value!r}")
        return list(value)
    raise ConfigError(key, f"unsupported type {expected}")


def check_semantics(config: KioskConfig) -> None:
    """Checks beyond types: value ranges, choices, reachable device paths."""
    k = config.kiosk
    d = config.display
    if not 5.0 <= d.diagonal_in <= 120.0:
        raise ConfigError("display.diagonal_in", f"{d.diagonal_in} is not a plausible panel size (5-120 inches)")
    if d.width_px < 320 or d.height_px < 240:
        raise ConfigError("display.width_px", "panel resolution too small (at least 320x240)")
    for lang in k.languages:
        if lang not in LANGUAGES:
            raise ConfigError("kiosk.languages", f"unsupported language {lang!r} (supported: {', '.join(LANGUAGES)})")
    if not k.languages:
        raise ConfigError("kiosk.languages", "at least one language is required")
    if k.default_language not in k.languages:
        raise ConfigError("kiosk.default_language", f"{k.default_language!r} is not in kiosk.languages")
    if not k.id.strip():
        raise ConfigError("kiosk.id", "must not be empty")

    url = urlparse(config.platform.url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError("platform.url", f"expected an http(s) URL, got {config.platform.url!r}")
    try:
        url.port
    except ValueError:
        raise ConfigError("platform.url", f"invalid port in {config.platform.url!r}") from None
    _check_platform_transport(config.platform, url)
    if config.platform.ca_bundle and not Path(config.platform.ca_bundle).is_file():
        raise ConfigError("platform.ca_bundle", f"file not found: {config.platform.ca_bundle}")

    for name in ("client_cert", "client_key"):
        if getattr(config.platform, name) and not Path(getattr(config.platform, name)).is_file():
            raise ConfigError(f"platform.{name}", f"file not found: {getattr(config.platform, name)}")
    if bool(config.platform.client_cert) != bool(config.platform.client_key):
        raise ConfigError("platform.client_cert", "client_cert and client_key go together")
    if config.platform.receipt_retention_days <= 0:
        raise ConfigError("platform.receipt_retention_days", "must be greater than 0")

    for name in ("idle_s", "countdown_s", "card_read_s", "face_s", "receipt_s"):
        if getattr(config.timeouts, name) <= 0:
            raise ConfigError(f"timeouts.{name}", "must be greater than 0")
    if config.timeouts.countdown_s < MIN_WARNING_S and not config.kiosk.demo:
        raise ConfigError("timeouts.countdown_s", f"{config.timeouts.countdown_s} s is too short: the citizen must "
                                                  f"get at least {MIN_WARNING_S:.0f} s to continue (WCAG 2.2.1)")
    for name in ("connect_timeout_s", "read_timeout_s", "submit_wait_s"):
        if getattr(config.platform, name) <= 0:
            raise ConfigError(f"platform.{name}", "must be greater than 0")

    _check_face_engines(config.face)
    if not 1 <= config.face.frames_needed <= 50:
        raise ConfigError("face.frames_needed", "must be between 1 and 50")
    if config.face.liveness == "off" and config.devices.camera.backend != "sim":
        raise ConfigError("face.liveness", "\"off\" is only allowed with the simulated camera")
    if not 1.0 <= config.face.no_face_timeout_s <= 120.0:
        raise ConfigError("face.no_face_timeout_s", "must be between 1 and 120 seconds")
    if not 2.0 <= config.face.challenge_timeout_s <= 30.0:
        raise ConfigError("face.challenge_timeout_s", "must be between 2 and 30 seconds")
    if not 0.05 <= config.face.turn_delta <= 0.4:
        raise ConfigError("face.turn_delta", "must be between 0.05 and 0.4")

    if config.devices.id_reader.apdu_timeout_s <= 0:
        raise ConfigError("devices.id_reader.apdu_timeout_s", "must be greater than 0")
    for name in ("status_timeout_s", "write_timeout_s"):
        if getattr(config.devices.printer, name) <= 0:
            raise ConfigError(f"devices.printer.{name}", "must be greater than 0")
    for name in ("confirm_s", "poll_interval_s"):
        if getattr(config.devices.printer, name) < 0:
            raise ConfigError(f"devices.printer.{name}", "must not be negative (0 turns it off)")
    if config.devices.printer.reprint_keep < 1:
        raise ConfigError("devices.printer.reprint_keep", "must be at least 1")
    if config.devices.id_reader.backend == "sam_serial":
        _check_device_path("devices.id_reader.port", config.devices.id_reader.port)
    wlt_library = config.devices.id_reader.wlt_decoder.partition(":")[0]
    if wlt_library and wlt_library != "sim" and not Path(wlt_library).is_file():
        raise ConfigError("devices.id_reader.wlt_decoder", f"WLT decoder library not found: {wlt_library}")
    if config.devices.printer.backend in ("serial", "file"):
        _check_device_path("devices.printer.device", config.devices.printer.device)
    if config.devices.printer.backend == "network" and not config.devices.printer.host:
        raise ConfigError("devices.printer.host", "required for the network backend")
    if not 1 <= config.devices.printer.port <= 65535:
        raise ConfigError("devices.printer.port", "must be a TCP port (1-65535)")
    if config.devices.printer.baudrate <= 0:
        raise ConfigError("devices.printer.baudrate", "must be greater than 0")
    _check_technician_sections(config)
    _check_key_store(config)
    if config.logging.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("logging.level", f"expected DEBUG, INFO, WARNING or ERROR, got {config.logging.level!r}")
    _check_fleet(config)
    _refuse_test_only_backends(config)


def _check_fleet(config: KioskConfig) -> None:
    fleet = config.fleet
    if fleet.config_poll_s < 0 or 0 < fleet.config_poll_s < 10:
        raise ConfigError("fleet.config_poll_s", "must be 0 (off) or at least 10 seconds")
    if fleet.config_poll_s and not config.platform.catalog_public_key:
        raise ConfigError("fleet.config_poll_s", "central configuration needs platform.catalog_public_key "
                                                 "(bundles are signed with the platform's key)")
    if fleet.config_confirm_s <= 0:
        raise ConfigError("fleet.config_confirm_s", "must be greater than 0")


def _refuse_test_only_backends(config: KioskConfig) -> None:
    """Simulators, emulators and rigs run only on a demo/test kiosk: a production configuration that
    names one (or leaves the simulator default) is refused. Checked last, so a more specific
    mistake in the file is reported first."""
    if config.kiosk.demo:
        return
    for key, backends in BACKENDS.items():
        name = getattr(config.devices, key.split(".")[-1]).backend
        if backends[name].test_only:
            real = ", ".join(n for n, b in backends.items() if not b.test_only)
            raise ConfigError(f"{key}.backend", f"{name!r} is a test-only backend (real drivers: {real}); "
                              "it needs main.py --demo or [kiosk] demo = true")


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or localhost: traffic that never leaves the machine."""
    import ipaddress
    if not host:
        return False
    if host.lower() in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_platform_transport(platform: PlatformSection, url) -> None:
    """https for any platform not on this machine (unless explicitly marked insecure), and a
    usable catalog-signing key when one is configured."""
    if url.scheme == "http" and not is_loopback_host(url.hostname) and not platform.allow_insecure_http:
        raise ConfigError("platform.url", f"plain http:// to {url.hostname} would send personal data "
                          "unencrypted: use https://, or set platform.allow_insecure_http = true")
    if platform.catalog_public_key:
        load_catalog_public_key(platform.catalog_public_key)


def load_catalog_public_key(path: str) -> bytes:
    """The PEM bytes of an Ed25519 public key, or ConfigError naming platform.catalog_public_key."""
    name = "platform.catalog_public_key"
    try:
        pem = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(name, f"cannot read {path}: {exc.strerror or exc}") from None
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    try:
        public_key = load_pem_public_key(pem)
    except ValueError:
        raise ConfigError(name, f"{path} is not a PEM public key") from None
    if not isinstance(public_key, Ed25519PublicKey):
        raise ConfigError(name, f"{path} is not an Ed25519 public key")
    return pem


def _check_technician_sections(config: KioskConfig) -> None:
    tech = config.technician
    if tech.pin_hash and not tech.pin_hash.startswith("scrypt$"):
        raise ConfigError("technician.pin_hash", "expected a hash made by `python main.py set-pin` (scrypt$...)")
    if tech.max_failures < 1:
        raise ConfigError("technician.max_failures", "must be at least 1")
    for name in ("lockout_s", "idle_exit_s"):
        if getattr(tech, name) <= 0:
            raise ConfigError(f"technician.{name}", "must be greater than 0")
    if tech.lockout_max_s < tech.lockout_s:
        raise ConfigError("technician.lockout_max_s", "must not be shorter than technician.lockout_s")
    if not 6 <= tech.min_pin_length <= 12:
        raise ConfigError("technician.min_pin_length", "must be between 6 and 12 digits")
    if config.heartbeat.interval_s < 1:
        raise ConfigError("heartbeat.interval_s", "must be at least 1 second")
    if not 0 <= config.metrics.port <= 65535:
        raise ConfigError("metrics.port", "must be 0 (off) or a TCP port (1-65535)")
    if not config.metrics.address:
        raise ConfigError("metrics.address", "must not be empty (127.0.0.1 = this machine only)")


def _check_face_engines(face: FaceSection) -> None:
    from kiosk.face_engine import ENGINES   # no model libraries imported: just the names and metrics
    _check_choice("face.engine", face.engine, tuple(ENGINES))
    for name, metric in ENGINES.items():
        settings = getattr(face.engines, name)
        key = f"face.engines.{name}"
        if settings.metric != metric:
            raise ConfigError(f"{key}.metric", f"the {name} engine measures {metric} distance, not {settings.metric!r}")
        low, high = FACE_THRESHOLD_RANGES[metric]
        if not low <= settings.threshold <= high:
            raise ConfigError(f"{key}.threshold", f"must be between {low} and {high} for {metric} distance "
                                                  "(calibrate with bench/face_calibrate.py)")
    if not 0.1 <= face.blink_min_closed_s <= 2.0:
        raise ConfigError("face.blink_min_closed_s", "must be between 0.1 and 2 seconds")


def _check_key_store(config: KioskConfig) -> None:
    """systemd-creds: the two credentials must be there (the kiosk never creates them), and
    the plain-file paths must not be set (they would silently not be used)."""
    from kiosk.keystore import DEVICE_KEY_CREDENTIAL, KEY_STORES, SIGNING_KEY_CREDENTIAL, KeyStoreError, credential_path
    _check_choice("security.key_store", config.security.key_store, KEY_STORES)
    if config.security.key_store != "systemd-creds":
        return
    for key, value in (("security.device_key_path", config.security.device_key_path),
                       ("platform.signing_key_path", config.platform.signing_key_path)):
        if value:
            raise ConfigError(key, 'only for key_store = "file"; with "systemd-creds" the key is a credential')
    for name in (DEVICE_KEY_CREDENTIAL, SIGNING_KEY_CREDENTIAL):
        try:
            credential_path(name)
        except KeyStoreError as exc:
            raise ConfigError("security.key_store", str(exc)) from None


def _check_choice(key: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(key, f"unknown value {value!r} (choose one of: {', '.join(choices)})")


def _check_device_path(key: str, path: str) -> None:
    if not path:
        raise ConfigError(key, "required for this backend")
    if not Path(path).exists():
        raise ConfigError(key, f"{path} does not exist (device unplugged or wrong port?)")


def _resolve_relative_paths_against(base: Path, config: KioskConfig) -> None:
    """Relative data paths in a config file mean 'relative to that file'."""
    if not Path(config.kiosk.data_dir).is_absolute():
        object.__setattr__(config.kiosk, "data_dir", str((base / config.kiosk.data_dir).resolve()))


# --- the reference of every key --------------------------------------------

def reference_toml() -> str:
    """Every key of every section with its help text, choices (each backend with the keys it reads)
    and default, as TOML: `python -m kiosk.config --toml`. It loads (with demo) into the defaults."""
    import textwrap
    lines = ["# Every kiosk.toml key with its default, generated from kiosk/settings.py",
             "# (`python -m kiosk.config --toml`). Simulated devices are test-only: demo = true below."]

    def emit(cls, prefix: str) -> None:
        hints = typing.get_type_hints(cls)
        fields = [f for f in dataclasses.fields(cls) if f.name != "source_path"]
        plain = [f for f in fields if not dataclasses.is_dataclass(hints[f.name])]
        if plain:
            lines.extend(["", f"[{prefix}]"])
        for f in plain:
            lines.extend("# " + line for line in textwrap.wrap(f.metadata.get("help", ""), 100))
            choices = f.metadata.get("choices")
            if isinstance(choices, dict):
                for name, backend in choices.items():
                    kind = "test-only" if backend.test_only else "real"
                    lines.append(f"#   {name} ({kind}): {backend.help}; keys: {', '.join(backend.options)}")
            elif choices:
                lines.append(f"#   one of: {', '.join(choices)}")
            default = f.default_factory() if f.default is dataclasses.MISSING else f.default
            if prefix == "kiosk" and f.name == "demo":
                default = True    # the reference's own simulated devices need it
            lines.append(f"{f.name} = {_toml_value(default)}")
        for f in fields:
            if dataclasses.is_dataclass(hints[f.name]):
                emit(hints[f.name], f"{prefix}.{f.name}" if prefix else f.name)

    emit(KioskConfig, "")
    return "\n".join(lines) + "\n"


def _toml_value(value) -> str:
    import json
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(prog="python -m kiosk.config",
                                     description="Check a kiosk configuration, or print the reference of every key.")
    parser.add_argument("--toml", action="store_true", help="print every key, its default and help text as TOML")
    parser.add_argument("--check", metavar="FILE", help="load FILE and report the first problem (exit 2)")
    parser.add_argument("--demo", action="store_true", help="with --check: as main.py --demo loads it")
    # Where each value came from (kiosk.toml or a central bundle): python -m kiosk.central_config --explain FILE
    args = parser.parse_args()
    if args.check:
        try:
            load_config(args.check, demo=args.demo)
        except ConfigError as exc:
            print(f"configuration error: {exc}")
            raise SystemExit(2) from None
        print(f"{args.check}: ok")
    else:
        print(reference_toml(), end="")


def load_config_sections(path: str | os.PathLike, sections: tuple[str, ...]) -> KioskConfig:
    """Only `sections` of the file, validated, the rest at their defaults (demo backends allowed,
    since the devices are not read). For tools that must keep working whatever the rest of the
    file says, e.g. the update guard (`[kiosk]` and `[update]`), which must roll back a release even
    when the device sections name a driver that release's schema does not know."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("", f"cannot read {path}: {exc}") from None
    config = config_from_dict({name: raw[name] for name in sections if name in raw}, demo=True)
    config = dataclasses.replace(config, source_path=str(path))
    _resolve_relative_paths_against(path.parent, config)
    return config
