"""Kiosk configuration: one TOML file, validated strictly.

Every section is a dataclass; its fields are the only keys allowed, with their
types and defaults. A mistake in the file becomes one `ConfigError` naming the
key (`devices.printer.paper_width_mm: expected an integer, got "80mm"`), which
main.py prints as a single line before exiting with code 2: a technician at a
service point must be able to fix it without reading a traceback.
"""
from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

LANGUAGES = ("zh_CN", "zh_HK", "en")
LOOPBACK_HOSTS = ("localhost",)   # plus every 127.0.0.0/8 and ::1 address


def setting(default, help: str):  # noqa: A002 (the word the docs use)
    """A configuration key declared once: type (the annotation), default and help text
    (`dataclasses.fields(Section)[i].metadata["help"]`); kiosk.toml and docs/deploy.md repeat it."""
    return field(default=default, metadata={"help": help})


class ConfigError(Exception):
    """A configuration problem, phrased for a technician. `key` is dotted."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key


@dataclass(frozen=True)
class KioskSection:
    id: str = "KIOSK-DEMO-0001"
    location: str = "示例市政务服务中心 自助区 1 号机"
    languages: list = field(default_factory=lambda: list(LANGUAGES))
    default_language: str = "zh_CN"
    data_dir: str = "var"
    fullscreen: bool = True


@dataclass(frozen=True)
class PlatformSection:
    url: str = "http://127.0.0.1:8700"
    connect_timeout_s: float = 3.05
    read_timeout_s: float = 10.0
    ca_bundle: str = ""
    # How long the citizen waits on the "submitting" screen for the platform's
    # application number before getting an "offline, saved" receipt instead.
    submit_wait_s: float = 8.0
    # Request signatures (docs/platform-api.md): per-kiosk secret shared with the platform.
    signature_alg: str = "HMAC-SM3"
    signing_key_path: str = ""    # "" = data_dir/platform-signing.key (0600, created on first start)
    # mTLS: the kiosk's certificate and (unencrypted, 0600) key, PEM; "" = no client certificate.
    client_cert: str = ""
    client_key: str = ""
    # Delivered submissions keep only receipt metadata (number, status, token) this long.
    receipt_retention_days: float = 30.0
    catalog_public_key: str = setting("", (
        "PEM file with the platform's Ed25519 catalog-signing public key. When set, every catalog "
        "must carry a valid X-Catalog-Signature; a missing or bad one keeps the last good catalog and "
        "is shown to the technician. \"\" = catalogs are accepted unsigned."))
    allow_insecure_http: bool = setting(False, (
        "Allow a plain http:// platform URL to a host other than this machine. Off: the platform must "
        "be https:// unless it is on the loopback interface (127.0.0.1, ::1, localhost)."))


@dataclass(frozen=True)
class TimeoutsSection:
    idle_s: float = 60.0          # no touch for this long -> "Are you still there?"
    countdown_s: float = 15.0     # countdown shown before the session ends
    card_read_s: float = 30.0
    face_s: float = 25.0
    receipt_s: float = 20.0       # receipt screen stays this long, then rating


# Each engine's threshold: accept when the smallest distance over the gated
# frames is <= threshold, in the engine's own metric (kiosk.face_engine.ENGINES).
# Each default is the largest value with FAR <= 0.1 % on all calibration pairs
# AND on the East Asian ones alone (bench/face_calibrate.py; docs/face.md).
@dataclass(frozen=True)
class SFaceEngineSection:
    threshold: float = 0.57
    metric: str = "cosine"        # 1 - cosine similarity of the 128-d SFace embeddings


@dataclass(frozen=True)
class DlibEngineSection:
    threshold: float = 0.37
    metric: str = "euclidean"     # distance of the 128-d dlib ResNet embeddings


@dataclass(frozen=True)
class FaceEnginesSection:
    sface: SFaceEngineSection = field(default_factory=SFaceEngineSection)
    dlib: DlibEngineSection = field(default_factory=DlibEngineSection)


# Plausible thresholds per metric: outside them a typo (or an uncalibrated value) is refused.
FACE_THRESHOLD_RANGES = {"cosine": (0.2, 0.7), "euclidean": (0.2, 0.6)}


@dataclass(frozen=True)
class FaceSection:
    # The face engine (kiosk.face_engine.ENGINES): "sface" (YuNet + SFace on
    # OpenCV DNN, the default) or "dlib" (kept for comparison; 68 % of genuine
    # chip pairs rejected at its safe threshold, docs/face.md).
    engine: str = "sface"
    engines: FaceEnginesSection = field(default_factory=FaceEnginesSection)
    frames_needed: int = 5
    # Liveness challenge: "on", "off", or "auto" = on with a real camera, off
    # with the simulator (its still photos cannot turn a head or blink).
    # "off" is refused with a real camera.
    liveness: str = "auto"
    # Blink as a challenge step (needs the face mesh model); false = turns only.
    blink: bool = True
    no_face_timeout_s: float = 20.0   # nobody in front of the camera this long -> end the check
    challenge_timeout_s: float = 8.0  # time for each challenge step once asked
    turn_delta: float = 0.12          # yaw change past the citizen's own frontal yaw (docs/face.md)
    blink_min_closed_s: float = 0.4   # a deliberate eye closure; natural blinks are shorter

    @property
    def engine_settings(self) -> SFaceEngineSection | DlibEngineSection:
        return getattr(self.engines, self.engine)

    @property
    def threshold(self) -> float:
        """The active engine's threshold."""
        return self.engine_settings.threshold


@dataclass(frozen=True)
class IdReaderSection:
    backend: str = "sim"          # sim
    identity: str = "elderly"     # sim: which sample card is presented
    scenario: str = "ok"          # sim: ok | no_card | card_removed | unplugged
    delay_s: float = 0.4          # sim: time to "read" the card
    port: str = ""                # serial SAM reader, e.g. /dev/ttyUSB0
    baudrate: int = 115200
    wlt_decoder: str = ""         # sam_serial: vendor WLT library "path[:symbol]"; "" = no chip photo
    card_type: str = "resident"   # sam_sim: resident | hmt | foreigner2017 | foreigner2023
    # pcsc / pcsc_sim (docs/pcsc-cards.md):
    reader_filter: str = ""       # pcsc: use readers whose name contains this ("" = any)
    card_types: list = field(default_factory=lambda: ["ssse", "emrtd"])   # pcsc: tried in order
    apdu_timeout_s: float = 3.0   # pcsc: a card silent this long is reported mute
    sim_card: str = "ssse"        # pcsc_sim: card the virtual card process inserts (ssse | emrtd)
    vpcd_port: int = 35963        # pcsc_sim: vpcd slot 0 port


@dataclass(frozen=True)
class CameraSection:
    backend: str = "sim"          # sim | opencv
    source: str = ""              # sim: image, folder or video; "" = the sample identity's photo
    scenario: str = "ok"          # sim: ok | no_face | black | unplugged | two_faces | photo_attack | dark | overexposed | unplug_after
    device: str = "0"             # opencv: index or /dev/videoN
    width: int = 640
    height: int = 480
    fps: int = 10


@dataclass(frozen=True)
class PrinterSection:
    backend: str = "sim"          # sim | network | serial | usb | file
    scenario: str = "ok"          # sim: ok | paper_low | paper_out | cover_open | offline
    output_dir: str = ""          # sim: where captured bytes and previews go ("" = data_dir/receipts)
    host: str = ""
    port: int = 9100
    device: str = ""              # serial/file path
    profile: str = "default"
    paper_width_px: int = 512
    # Receipt printing (docs/printing.md). "image": Chinese drawn with a CJK font,
    # every character prints; "gb18030": printer's own font, lines it cannot encode as pictures.
    text_mode: str = "image"
    printer_charset: str = "gbk"  # what the printer's Chinese font covers (gb2312 | gbk | gb18030)
    qr_native: bool = True        # GS ( k; false = QR as a raster picture for printers without it
    status_timeout_s: float = 1.5
    write_timeout_s: float = 10.0
    poll_interval_s: float = 5.0  # background DLE EOT status check between jobs
    confirm_s: float = 1.5        # status watched this long after the last byte before "printed"
    reprint_keep: int = 20        # receipts kept (encrypted) for technician reprint


@dataclass(frozen=True)
class DevicesSection:
    id_reader: IdReaderSection = field(default_factory=IdReaderSection)
    camera: CameraSection = field(default_factory=CameraSection)
    printer: PrinterSection = field(default_factory=PrinterSection)


@dataclass(frozen=True)
class SecuritySection:
    # Where the device key and the request-signing key come from (kiosk/keystore.py):
    # "systemd-creds" = systemd credentials sealed with the TPM2 / host key, loaded by the
    # unit (LoadCredentialEncrypted=) into $CREDENTIALS_DIRECTORY: production.
    # "file" = plain 0600 files in data_dir: demo and tests, or a disk with full-disk encryption.
    key_store: str = "file"
    device_key_path: str = ""     # key_store "file": "" = data_dir/device.key (0600)


@dataclass(frozen=True)
class LoggingSection:
    level: str = "INFO"
    file: str = ""                # "" = data_dir/kiosk.log


@dataclass(frozen=True)
class DisplaySection:
    """The touch panel's physical size: touch targets and text are sized in
    millimetres from it (>= 20 mm targets), not in pixels."""
    width_px: int = 1920
    height_px: int = 1080
    diagonal_in: float = 21.5
    voice_guidance: bool = True   # care mode speaks each step when a TTS engine is present

    @property
    def px_per_mm(self) -> float:
        import math
        return math.hypot(self.width_px, self.height_px) / self.diagonal_in / 25.4


@dataclass(frozen=True)
class TechnicianSection:
    # Salted scrypt hash of the technician PIN ("scrypt$n$r$p$salt_hex$hash_hex"),
    # made by `python main.py set-pin`. "" = technician mode cannot be entered.
    pin_hash: str = ""
    max_failures: int = 5         # wrong PINs in a row before the lockout
    lockout_s: float = 900.0      # first lockout; each further one in a row doubles it ...
    lockout_max_s: float = 86400.0   # ... up to this (escalating lockout, kiosk/technician_pin.py)
    min_pin_length: int = 6       # digits; 6 is the floor (a 4-digit PIN fell in ~10 days of guessing)
    idle_exit_s: float = 120.0    # technician mode ends after this long without a touch


@dataclass(frozen=True)
class HeartbeatSection:
    interval_s: float = 60.0      # heartbeat to the platform every N seconds


@dataclass(frozen=True)
class MetricsSection:
    # Prometheus metrics (prometheus_client). Port 0 = off. Keep the address on
    # localhost unless the fleet network is trusted (no auth on the endpoint).
    address: str = "127.0.0.1"
    port: int = 0


@dataclass(frozen=True)
class KioskConfig:
    kiosk: KioskSection = field(default_factory=KioskSection)
    platform: PlatformSection = field(default_factory=PlatformSection)
    timeouts: TimeoutsSection = field(default_factory=TimeoutsSection)
    face: FaceSection = field(default_factory=FaceSection)
    devices: DevicesSection = field(default_factory=DevicesSection)
    security: SecuritySection = field(default_factory=SecuritySection)
    logging: LoggingSection = field(default_factory=LoggingSection)
    display: DisplaySection = field(default_factory=DisplaySection)
    technician: TechnicianSection = field(default_factory=TechnicianSection)
    heartbeat: HeartbeatSection = field(default_factory=HeartbeatSection)
    metrics: MetricsSection = field(default_factory=MetricsSection)
    source_path: str = ""         # where it was loaded from (not a TOML key)

    @property
    def data_dir(self) -> Path:
        return Path(self.kiosk.data_dir)

    @property
    def device_key_path(self) -> Path:
        if self.security.key_store == "systemd-creds":
            from kiosk.keystore import DEVICE_KEY_CREDENTIAL, credential_path
            return credential_path(DEVICE_KEY_CREDENTIAL)
        return Path(self.security.device_key_path or self.data_dir / "device.key")

    @property
    def outbox_path(self) -> Path:
        return self.data_dir / "outbox.sqlite3"

    @property
    def signing_key_path(self) -> Path:
        if self.security.key_store == "systemd-creds":
            from kiosk.keystore import SIGNING_KEY_CREDENTIAL, credential_path
            return credential_path(SIGNING_KEY_CREDENTIAL)
        return Path(self.platform.signing_key_path or self.data_dir / "platform-signing.key")

    @property
    def receipts_dir(self) -> Path:
        return Path(self.devices.printer.output_dir or self.data_dir / "receipts")


# --- loading ---------------------------------------------------------------

def load_config(path: str | os.PathLike) -> KioskConfig:
    path = Path(path)
    if not path.is_file():
        raise ConfigError("", f"configuration file not found: {path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("", f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{path} is not valid TOML: {exc}") from None
    config = config_from_dict(raw)
    config = dataclasses.replace(config, source_path=str(path))
    _resolve_relative_paths_against(path.parent, config)
    return config


def config_from_dict(raw: dict) -> KioskConfig:
    config = _build(KioskConfig, raw, prefix="", skip={"source_path"})
    check_semantics(config)
    return config


def _build(cls, raw: dict, prefix: str, skip=frozenset()):
    if not isinstance(raw, dict):
        raise ConfigError(prefix.rstrip("."), "expected a table")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)} - set(skip)
    for key in raw:
        if key not in known:
            raise ConfigError(prefix + key, f"unknown key (allowed: {', '.join(sorted(known))})")
    values = {}
    for name in known:
        if name not in raw:
            continue
        values[name] = _coerce(hints[name], raw[name], prefix + name)
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
    if config.platform.signature_alg not in ("HMAC-SM3",):
        raise ConfigError("platform.signature_alg", "supported: HMAC-SM3")
    if config.platform.receipt_retention_days <= 0:
        raise ConfigError("platform.receipt_retention_days", "must be greater than 0")

    for name in ("idle_s", "countdown_s", "card_read_s", "face_s", "receipt_s"):
        if getattr(config.timeouts, name) <= 0:
            raise ConfigError(f"timeouts.{name}", "must be greater than 0")
    for name in ("connect_timeout_s", "read_timeout_s", "submit_wait_s"):
        if getattr(config.platform, name) <= 0:
            raise ConfigError(f"platform.{name}", "must be greater than 0")

    _check_face_engines(config.face)
    if not 1 <= config.face.frames_needed <= 50:
        raise ConfigError("face.frames_needed", "must be between 1 and 50")
    _check_choice("face.liveness", config.face.liveness, ("auto", "on", "off"))
    if config.face.liveness == "off" and config.devices.camera.backend != "sim":
        raise ConfigError("face.liveness", "\"off\" is only allowed with the simulated camera")
    if not 1.0 <= config.face.no_face_timeout_s <= 120.0:
        raise ConfigError("face.no_face_timeout_s", "must be between 1 and 120 seconds")
    if not 2.0 <= config.face.challenge_timeout_s <= 30.0:
        raise ConfigError("face.challenge_timeout_s", "must be between 2 and 30 seconds")
    if not 0.05 <= config.face.turn_delta <= 0.4:
        raise ConfigError("face.turn_delta", "must be between 0.05 and 0.4")

    _check_choice("devices.id_reader.backend", config.devices.id_reader.backend,
                  ("sim", "sam_serial", "sam_sim", "pcsc", "pcsc_sim"))
    for card_type in config.devices.id_reader.card_types:
        _check_choice("devices.id_reader.card_types", card_type, ("ssse", "emrtd"))
    _check_choice("devices.id_reader.sim_card", config.devices.id_reader.sim_card, ("ssse", "emrtd"))
    if config.devices.id_reader.apdu_timeout_s <= 0:
        raise ConfigError("devices.id_reader.apdu_timeout_s", "must be greater than 0")
    _check_choice("devices.camera.backend", config.devices.camera.backend, ("sim", "opencv"))
    _check_choice("devices.printer.backend", config.devices.printer.backend,
                  ("sim", "network", "serial", "usb", "file", "cups", "emulator"))
    _check_choice("devices.printer.text_mode", config.devices.printer.text_mode, ("image", "gb18030"))
    _check_choice("devices.printer.printer_charset", config.devices.printer.printer_charset,
                  ("gb2312", "gbk", "gb18030"))
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
    _check_technician_sections(config)
    _check_key_store(config)
    if config.logging.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("logging.level", f"expected DEBUG, INFO, WARNING or ERROR, got {config.logging.level!r}")


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
