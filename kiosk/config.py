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


def setting(default, help: str, *, choices=None):  # noqa: A002 (the word the docs use)
    """A configuration key declared once: its type is the field's annotation; `default`, `help`
    and, for a closed set of values, `choices` (one module constant, also used by the code that
    acts on the value) go into `dataclasses.fields(Section)[i].metadata`. `_build` validates
    choices; kiosk.toml is checked against these declarations (tests/test_config_schema.py) and
    `python -m kiosk.config --toml` prints the reference. A list default is copied per instance."""
    metadata = {"help": help}
    if choices is not None:
        metadata["choices"] = choices
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def section(cls):
    """A nested table (`[devices.printer]`): its own dataclass, defaults from its fields."""
    return field(default_factory=cls)


@dataclass(frozen=True)
class Backend:
    """One device backend, declared once: the section keys its factory reads (besides `backend`)
    and whether it is test-only (a simulator, emulator or rig): those are accepted only in demo
    mode (`main.py --demo`, or `[kiosk] demo = true`)."""
    help: str
    options: tuple[str, ...]
    test_only: bool = False


ID_READER_BACKENDS = {
    "sim": Backend("in-process simulated reader presenting a sample card",
                   ("identity", "scenario", "delay_s"), test_only=True),
    "sam_serial": Backend("GA/T 467 SAM reader on a serial port (docs/id-readers.md)",
                          ("port", "baudrate", "wlt_decoder")),
    "sam_sim": Backend("the sam_serial driver on its pty SAM simulator",
                       ("identity", "card_type", "scenario", "wlt_decoder"), test_only=True),
    "pcsc": Backend("PC/SC smart-card reader: social security card, passport (docs/pcsc-cards.md)",
                    ("reader_filter", "card_types", "apdu_timeout_s")),
    "pcsc_sim": Backend("the pcsc driver on pcscd + vpcd + a virtual card process",
                        ("reader_filter", "card_types", "apdu_timeout_s", "sim_card", "identity", "vpcd_port"),
                        test_only=True),
}
CAMERA_BACKENDS = {
    "sim": Backend("replays an image, a folder of images or a video", ("source", "scenario", "fps"), test_only=True),
    "opencv": Backend("a real camera through OpenCV", ("device", "width", "height", "fps")),
}
_ESCPOS_OPTIONS = ("profile", "paper_width_px", "text_mode", "printer_charset", "qr_native", "status_timeout_s",
                   "write_timeout_s", "poll_interval_s", "confirm_s")
PRINTER_BACKENDS = {
    "sim": Backend("in-process simulated printer: bytes and previews into output_dir",
                   ("scenario", "output_dir", "paper_width_px"), test_only=True),
    "network": Backend("ESC/POS over TCP (port 9100)", ("host", "port", *_ESCPOS_OPTIONS)),
    "serial": Backend("ESC/POS on a serial port", ("device", "baudrate", *_ESCPOS_OPTIONS)),
    "usb": Backend("ESC/POS over USB; device = \"vendor:product\" in hex", ("device", *_ESCPOS_OPTIONS)),
    "file": Backend("ESC/POS written to a device file such as /dev/usb/lp0", ("device", *_ESCPOS_OPTIONS)),
    "cups": Backend("ESC/POS through a raw CUPS queue; device = the queue name", ("device", *_ESCPOS_OPTIONS)),
    "emulator": Backend("the network driver on a loopback ESC/POS emulator (devices/printer/emulator.py)",
                        ("scenario", "output_dir", *_ESCPOS_OPTIONS), test_only=True),
}
BACKENDS = {"devices.id_reader": ID_READER_BACKENDS, "devices.camera": CAMERA_BACKENDS,
            "devices.printer": PRINTER_BACKENDS}


def test_only_backends(backends: dict[str, Backend]) -> tuple[str, ...]:
    return tuple(name for name, backend in backends.items() if backend.test_only)


LIVENESS_MODES = ("auto", "on", "off")
PCSC_CARD_TYPES = ("ssse", "emrtd")
SAM_SIM_CARD_TYPES = ("resident", "hmt", "foreigner2017", "foreigner2023")
PRINTER_TEXT_MODES = ("image", "gb18030")
PRINTER_CHARSETS = ("gb2312", "gbk", "gb18030")
SIGNATURE_ALGORITHMS = ("HMAC-SM3",)


class ConfigError(Exception):
    """A configuration problem, phrased for a technician. `key` is dotted."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key


@dataclass(frozen=True)
class KioskSection:
    id: str = setting("KIOSK-DEMO-0001", "This kiosk's id: sent with every submission, heartbeat and signature.")
    location: str = setting("示例市政务服务中心 自助区 1 号机", "Where the kiosk stands (shown to technicians, sent "
                            "with heartbeats).")
    languages: list = setting(list(LANGUAGES), "Languages offered on the screen, in this order.", choices=LANGUAGES)
    default_language: str = setting("zh_CN", "Language at the start of each session (one of `languages`).")
    data_dir: str = setting("var", "Outbox, device key, receipts, logs (relative to the configuration file).")
    fullscreen: bool = setting(True, "Full screen, frameless window (false = a window, for development).")
    demo: bool = setting(False, (
        "A demo or test kiosk: test-only device backends (simulators, emulators, rigs: "
        + "; ".join(f"{key.split('.')[-1]}: {', '.join(test_only_backends(b))}" for key, b in BACKENDS.items())
        + ") are accepted. `main.py --demo` sets it. false = real drivers only."))


@dataclass(frozen=True)
class PlatformSection:
    url: str = setting("http://127.0.0.1:8700", "The platform's base URL (https:// unless on this machine).")
    connect_timeout_s: float = setting(3.05, "TCP/TLS connect timeout of each request.")
    read_timeout_s: float = setting(10.0, "Read timeout of each request.")
    ca_bundle: str = setting("", "PEM bundle to verify the platform's TLS certificate (\"\" = the default CA store).")
    submit_wait_s: float = setting(8.0, (
        "How long the citizen waits on the \"submitting\" screen for the platform's application number "
        "before getting an \"offline, saved\" receipt instead."))
    signature_alg: str = setting("HMAC-SM3", "Request signature on every attempt (docs/platform-api.md).",
                                 choices=SIGNATURE_ALGORITHMS)
    signing_key_path: str = setting("", "Per-kiosk secret shared with the platform; \"\" = "
                                        "data_dir/platform-signing.key (0600, created on first start).")
    client_cert: str = setting("", "mTLS: the kiosk's certificate (PEM), with client_key; \"\" = none.")
    client_key: str = setting("", "mTLS: the kiosk's unencrypted 0600 private key (PEM), with client_cert.")
    receipt_retention_days: float = setting(30.0, "Delivered submissions keep only receipt metadata (number, "
                                                  "status, token) this long.")
    catalog_public_key: str = setting("", (
        "PEM file with the platform's Ed25519 catalog-signing public key. When set, every catalog "
        "must carry a valid X-Catalog-Signature; a missing or bad one keeps the last good catalog and "
        "is shown to the technician. \"\" = catalogs are accepted unsigned."))
    allow_insecure_http: bool = setting(False, (
        "Allow a plain http:// platform URL to a host other than this machine. Off: the platform must "
        "be https:// unless it is on the loopback interface (127.0.0.1, ::1, localhost)."))


@dataclass(frozen=True)
class TimeoutsSection:
    idle_s: float = setting(60.0, "No touch for this long -> \"Are you still there?\"")
    countdown_s: float = setting(15.0, "Countdown shown before the session ends.")
    card_read_s: float = setting(30.0, "Time to present the ID card.")
    face_s: float = setting(25.0, "Time for the face check.")
    receipt_s: float = setting(20.0, "The receipt screen stays this long, then the rating.")


# Each engine's threshold: accept when the smallest distance over the gated
# frames is <= threshold, in the engine's own metric (kiosk.face_engine.ENGINES).
# Each default is the largest value with FAR <= 0.1 % on all calibration pairs
# AND on the East Asian ones alone (bench/face_calibrate.py; docs/face.md).
@dataclass(frozen=True)
class SFaceEngineSection:
    threshold: float = setting(0.57, "Cosine distance; calibrated: bench/face_calibrate.py, docs/face.md.")
    metric: str = setting("cosine", "1 - cosine similarity of the 128-d SFace embeddings (fixed).")


@dataclass(frozen=True)
class DlibEngineSection:
    threshold: float = setting(0.37, "Euclidean distance; calibrated the same way.")
    metric: str = setting("euclidean", "Distance of the 128-d dlib ResNet embeddings (fixed).")


@dataclass(frozen=True)
class FaceEnginesSection:
    sface: SFaceEngineSection = section(SFaceEngineSection)
    dlib: DlibEngineSection = section(DlibEngineSection)


# Plausible thresholds per metric: outside them a typo (or an uncalibrated value) is refused.
FACE_THRESHOLD_RANGES = {"cosine": (0.2, 0.7), "euclidean": (0.2, 0.6)}


@dataclass(frozen=True)
class FaceSection:
    engine: str = setting("sface", (
        "The face engine (kiosk.face_engine.ENGINES): sface (YuNet + SFace on OpenCV DNN, the default) "
        "or dlib (kept for comparison; 68 % of genuine chip pairs rejected at its safe threshold, docs/face.md)."))
    engines: FaceEnginesSection = section(FaceEnginesSection)
    frames_needed: int = setting(5, "Gated frames compared before deciding (1-50).")
    liveness: str = setting("auto", (
        "Liveness challenge: on | off | auto (= on with a real camera, off with the simulator, whose still "
        "photos cannot turn a head or blink). off is refused with a real camera."), choices=LIVENESS_MODES)
    blink: bool = setting(True, "Blink as a challenge step (needs the face mesh model); false = head turns only.")
    no_face_timeout_s: float = setting(20.0, "Nobody in front of the camera this long -> end the check.")
    challenge_timeout_s: float = setting(8.0, "Time for each challenge step once asked.")
    turn_delta: float = setting(0.12, "Yaw change past the citizen's own frontal yaw (docs/face.md).")
    blink_min_closed_s: float = setting(0.4, "A deliberate eye closure; natural blinks are shorter.")

    @property
    def engine_settings(self) -> SFaceEngineSection | DlibEngineSection:
        return getattr(self.engines, self.engine)

    @property
    def threshold(self) -> float:
        """The active engine's threshold."""
        return self.engine_settings.threshold


@dataclass(frozen=True)
class IdReaderSection:
    backend: str = setting("sim", "ID card reader driver; the keys each backend reads are listed with it.",
                           choices=ID_READER_BACKENDS)
    identity: str = setting("elderly", "sim, sam_sim, pcsc_sim: which sample card holder (elderly | young | expired).")
    scenario: str = setting("ok", (
        "sim: ok | no_card | card_removed | unplugged; sam_sim: ok (= card) | no_card | card_removed | slow | "
        "corrupt_checksum | truncated | sam_fault | bad_text | unplugged."))
    delay_s: float = setting(0.4, "sim: time to \"read\" the card.")
    port: str = setting("", "sam_serial: serial port, e.g. /dev/ttyUSB0 (better: the udev name /dev/kiosk-id-reader).")
    baudrate: int = setting(115200, "sam_serial: line speed.")
    wlt_decoder: str = setting("", "sam_serial, sam_sim: vendor WLT library \"path[:symbol]\" for the chip photo; "
                                   "\"\" = no chip photo (sam_sim: the simulated decoder).")
    card_type: str = setting("resident", "sam_sim: card the simulator presents.", choices=SAM_SIM_CARD_TYPES)
    reader_filter: str = setting("", "pcsc, pcsc_sim: use readers whose name contains this (\"\" = any).")
    card_types: list = setting(list(PCSC_CARD_TYPES), "pcsc, pcsc_sim: card applications tried in order.",
                               choices=PCSC_CARD_TYPES)
    apdu_timeout_s: float = setting(3.0, "pcsc, pcsc_sim: a card silent this long is reported mute.")
    sim_card: str = setting("ssse", "pcsc_sim: card the virtual card process inserts.", choices=PCSC_CARD_TYPES)
    vpcd_port: int = setting(35963, "pcsc_sim: vpcd slot 0 port.")


@dataclass(frozen=True)
class CameraSection:
    backend: str = setting("sim", "Camera driver; the keys each backend reads are listed with it.",
                           choices=CAMERA_BACKENDS)
    source: str = setting("", "sim: image, folder or video; \"\" = another photo of the sample card holder.")
    scenario: str = setting("ok", ("sim: ok | no_face | black | unplugged | two_faces | photo_attack | dark | "
                                   "overexposed | unplug_after."))
    device: str = setting("0", "opencv: camera index or /dev/videoN.")
    width: int = setting(640, "opencv: capture width in pixels.")
    height: int = setting(480, "opencv: capture height in pixels.")
    fps: int = setting(10, "Frames per second delivered to the face check.")


@dataclass(frozen=True)
class PrinterSection:
    backend: str = setting("sim", "Receipt printer driver; the keys each backend reads are listed with it.",
                           choices=PRINTER_BACKENDS)
    scenario: str = setting("ok", "sim, emulator: ok | paper_low | paper_out | cover_open | offline.")
    output_dir: str = setting("", "sim, emulator: where captured bytes and previews go (\"\" = data_dir/receipts).")
    host: str = setting("", "network: the printer's address.")
    port: int = setting(9100, "network: TCP port.")
    device: str = setting("", ("serial, file: device path; usb: \"vendor:product\" in hex; "
                               "cups: the raw queue's name."))
    baudrate: int = setting(9600, "serial: line speed.")
    profile: str = setting("default", "python-escpos printer profile.")
    paper_width_px: int = setting(512, "Printable width in dots (512 = 80 mm paper at 203 dpi).")
    text_mode: str = setting("image", (
        "Receipt printing (docs/printing.md). image: Chinese drawn with a CJK font, every character "
        "prints; gb18030: the printer's own font, lines it cannot encode as pictures (~40x fewer bytes)."),
        choices=PRINTER_TEXT_MODES)
    printer_charset: str = setting("gbk", "gb18030 mode: what the printer's Chinese font covers.",
                                   choices=PRINTER_CHARSETS)
    qr_native: bool = setting(True, "GS ( k; false = QR as a raster picture for printers without it.")
    status_timeout_s: float = setting(1.5, "Wait this long for a DLE EOT status answer.")
    write_timeout_s: float = setting(10.0, "A job not written within this long fails.")
    poll_interval_s: float = setting(5.0, "Background DLE EOT status check between jobs (0 = off).")
    confirm_s: float = setting(1.5, "Status watched this long after the last byte before \"printed\" (0 = off).")
    reprint_keep: int = setting(20, "Receipts kept (encrypted) for technician reprint.")


@dataclass(frozen=True)
class DevicesSection:
    id_reader: IdReaderSection = section(IdReaderSection)
    camera: CameraSection = section(CameraSection)
    printer: PrinterSection = section(PrinterSection)


@dataclass(frozen=True)
class SecuritySection:
    device_key_path: str = setting("", "Encryption key of the outbox and journal; \"\" = data_dir/device.key (0600).")


@dataclass(frozen=True)
class LoggingSection:
    level: str = setting("INFO", "DEBUG | INFO | WARNING | ERROR.")
    file: str = setting("", "\"\" = data_dir/kiosk.log.")


@dataclass(frozen=True)
class DisplaySection:
    """The touch panel's physical size: touch targets and text are sized in
    millimetres from it (>= 20 mm targets), not in pixels."""
    width_px: int = setting(1920, "Panel width in pixels.")
    height_px: int = setting(1080, "Panel height in pixels.")
    diagonal_in: float = setting(21.5, "Panel diagonal in inches (5-120).")
    voice_guidance: bool = setting(True, "Care mode speaks each step when a TTS engine is present.")

    @property
    def px_per_mm(self) -> float:
        import math
        return math.hypot(self.width_px, self.height_px) / self.diagonal_in / 25.4


@dataclass(frozen=True)
class TechnicianSection:
    pin_hash: str = setting("", ("Salted scrypt hash of the technician PIN (\"scrypt$n$r$p$salt_hex$hash_hex\"), "
                                 "made by `python main.py set-pin`. \"\" = technician mode cannot be entered."))
    max_failures: int = setting(5, "Wrong PINs in a row before the lockout.")
    lockout_s: float = setting(900.0, "How long the PIN pad stays locked.")
    idle_exit_s: float = setting(120.0, "Technician mode ends after this long without a touch.")


@dataclass(frozen=True)
class HeartbeatSection:
    interval_s: float = setting(60.0, "Heartbeat to the platform every N seconds.")


@dataclass(frozen=True)
class MetricsSection:
    address: str = setting("127.0.0.1", ("Prometheus metrics address; keep it on localhost unless the fleet "
                                         "network is trusted (no auth on the endpoint)."))
    port: int = setting(0, "Prometheus metrics port; 0 = off.")


@dataclass(frozen=True)
class KioskConfig:
    kiosk: KioskSection = section(KioskSection)
    platform: PlatformSection = section(PlatformSection)
    timeouts: TimeoutsSection = section(TimeoutsSection)
    face: FaceSection = section(FaceSection)
    devices: DevicesSection = section(DevicesSection)
    security: SecuritySection = section(SecuritySection)
    logging: LoggingSection = section(LoggingSection)
    display: DisplaySection = section(DisplaySection)
    technician: TechnicianSection = section(TechnicianSection)
    heartbeat: HeartbeatSection = section(HeartbeatSection)
    metrics: MetricsSection = section(MetricsSection)
    source_path: str = ""         # where it was loaded from (not a TOML key)

    @property
    def data_dir(self) -> Path:
        return Path(self.kiosk.data_dir)

    @property
    def device_key_path(self) -> Path:
        return Path(self.security.device_key_path or self.data_dir / "device.key")

    @property
    def outbox_path(self) -> Path:
        return self.data_dir / "outbox.sqlite3"

    @property
    def journal_path(self) -> Path:
        """The receipt journal (kept receipts for reprint): the kiosk and the technician CLI open this one."""
        return self.data_dir / "receipts.sqlite3"

    @property
    def signing_key_path(self) -> Path:
        return Path(self.platform.signing_key_path or self.data_dir / "platform-signing.key")

    @property
    def receipts_dir(self) -> Path:
        return Path(self.devices.printer.output_dir or self.data_dir / "receipts")


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
    if config.logging.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("logging.level", f"expected DEBUG, INFO, WARNING or ERROR, got {config.logging.level!r}")
    _check_test_only_backends(config)


def _check_test_only_backends(config: KioskConfig) -> None:
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
    lines = ["# Every kiosk.toml key with its default, generated from kiosk/config.py",
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
