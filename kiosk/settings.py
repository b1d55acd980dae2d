"""Every configuration key, declared once: the sections of kiosk.toml as frozen dataclasses.

A key's type is its annotation; `setting()` gives its default, help text and, for a closed set of
values, its `choices` (one constant here, used by validation and by the code acting on the value).
Each device's backends are declared with the keys their factory reads and whether they are test-only
(`ID_READER_BACKENDS`, `CAMERA_BACKENDS`, `PRINTER_BACKENDS`). Loading and validation: kiosk/config.py,
which re-exports every name here. Standard library only: importing it loads neither Qt nor OpenCV.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

LANGUAGES = ("zh_CN", "zh_HK", "en")


def setting(default, help: str, *, choices=None):  # noqa: A002 (the word the docs use)
    """A configuration key declared once: its type is the field's annotation; `default`, `help`
    and, for a closed set of values, `choices` (one module constant, also used by the code that
    acts on the value) go into `dataclasses.fields(Section)[i].metadata`. `_build` validates
    choices (kiosk.config._build); kiosk.toml is checked against these declarations (tests/test_config_schema.py) and
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
    "emulator": Backend("the network driver on a loopback ESC/POS emulator (sim/printer/)",
                        ("scenario", "output_dir", *_ESCPOS_OPTIONS), test_only=True),
}
DOCUMENT_PRINTER_BACKENDS = {
    "none": Backend("no A4 printer at this kiosk: certificate services say the printer is unavailable", ()),
    "cups": Backend("A4 printer through a CUPS queue over IPP (pycups; docs/certificates.md)",
                    ("server", "queue", "error_policy", "job_deadline_s", "poll_interval_s", "job_cancel_after_s",
                     "distrust_completed_on_printer_error")),
    "sim": Backend("in-process simulated A4 printer; printed PDFs into output_dir (demo)",
                   ("scenario", "output_dir", "job_deadline_s", "poll_interval_s"), test_only=True),
}
SCANNER_BACKENDS = {
    "none": Backend("no barcode scanner: payment codes are read by the camera only", ()),
    "serial": Backend("scanner in USB-COM / RS-232 mode (pyserial); device = the port", ("device", "baudrate",
                                                                                          "frame_timeout_s")),
    "hid": Backend("scanner in USB HID mode, its /dev/input/event* read and grabbed with evdev (never typed into "
                   "the screen); device = the input device path", ("device", "frame_timeout_s")),
    "sim": Backend("in-memory simulated scanner (tests, demo)", ("frame_timeout_s",), test_only=True),
}
BACKENDS = {"devices.id_reader": ID_READER_BACKENDS, "devices.camera": CAMERA_BACKENDS,
            "devices.printer": PRINTER_BACKENDS, "devices.document_printer": DOCUMENT_PRINTER_BACKENDS,
            "devices.scanner": SCANNER_BACKENDS}


def only_in_demo(backends: dict[str, Backend]) -> tuple[str, ...]:
    """The names of the test-only backends among `backends`."""
    return tuple(name for name, backend in backends.items() if backend.test_only)


LIVENESS_MODES = ("auto", "on", "off")
PCSC_CARD_TYPES = ("ssse", "emrtd")
SAM_SIM_CARD_TYPES = ("resident", "hmt", "foreigner2017", "foreigner2023")
PRINTER_TEXT_MODES = ("image", "gb18030")
PRINTER_CHARSETS = ("gb2312", "gbk", "gb18030")
SIGNATURE_ALGORITHMS = ("HMAC-SM3",)
# CUPS printer-error-policy values (devices/document_printer/interface.py ERROR_POLICIES)
DOCUMENT_ERROR_POLICIES = ("abort-job", "retry-job", "retry-current-job", "stop-printer")
DOCUMENT_PRINTER_SCENARIOS = ("ok", "paper_out", "paper_out_mid_job", "offline", "hang", "toner_low")
KEY_STORES = ("file", "systemd-creds")   # kiosk/keystore.py


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
        + "; ".join(f"{key.split('.')[-1]}: {', '.join(only_in_demo(b))}" for key, b in BACKENDS.items())
        + ") are accepted. `main.py --demo` sets it. false = real drivers only."))
    malloc_arenas: int = setting(2, ("glibc malloc arenas (M_ARENA_MAX): fewer arenas, less memory kept by threads "
                                     "that free what others reuse (kiosk/native_memory.py); 0 = glibc's default."))
    malloc_mmap_threshold_kb: int = setting(4096, (
        "glibc M_MMAP_THRESHOLD: blocks larger than this (document-camera frames) are mapped and unmapped on "
        "their own instead of staying in an arena; fixed, it also stops glibc raising the thresholds after a "
        "large block (kiosk/native_memory.py). Keep it above a face-camera frame (1280 x 720 x 3 = 2.6 MiB): "
        "blocks mapped afresh are paid for in page faults. 0 = glibc's dynamic threshold."))
    malloc_trim_threshold_kb: int = setting(4096, (
        "glibc M_TRIM_THRESHOLD: an arena gives free memory at its top back once there is more than this "
        "(malloc_trim cannot for arenas other than the main one); 0 = glibc's dynamic threshold."))
    malloc_trim_arena_tops: bool = setting(True, (
        "When the kiosk stands idle, also give back the free top of the arenas other than the main one "
        "(up to malloc_trim_threshold_kb each, which malloc_trim leaves): the trim threshold is lowered for "
        "a moment while short-lived threads free a block (kiosk/native_memory.py). Needs a fixed "
        "malloc_trim_threshold_kb; false = malloc_trim alone."))
    presize_interned_strings: bool = setting(True, (
        "Grow CPython's table of interned strings to its steady size at start-up (~0.1 s), instead of a "
        "one-time 1.9 MB step after ~1,800 sessions: pathlib before Python 3.14 interns each unique file "
        "name (python/cpython gh-119518; kiosk/interned_strings.py). Does nothing on Python >= 3.14."))
    helper_niceness: int = setting(10, ("CPU priority of the helper processes (face models, document checks, receipt "
                                        "drawing), as a Linux niceness 0-19: the scheduler serves the "
                                        "GUI thread first when both want the CPU (devices/helper_process.py); "
                                        "0 = the kiosk's own priority."))
    worker_thread_niceness: int = setting(5, (
        "Linux niceness 0-19 of this process's threads other than the GUI thread (camera, outbox sender, the "
        "face frames' feeder, Qt's pool), set by a sweep every 2 s (kiosk/thread_priority.py): on 2 cores the "
        "GUI thread then gets a core first. 0 = all threads at the kiosk's own priority."))
    gil_switch_interval_ms: float = setting(0.5, (
        "How long another Python thread may keep the interpreter lock once the GUI thread asks for it "
        "(sys.setswitchinterval; CPython's default is 5 ms). The GUI thread lets the lock go at every Qt "
        "call; while a device or outbox thread runs Python, taking it back costs up to this long each "
        "time (the convoy effect, python/cpython#52194), so a screen change waited tens of ms with the "
        "CPU idle (bench/soak.py: longest stall 85 ms at 5 ms, 53 ms at 0.5 ms). 0 = CPython's default."))
    trim_memory_idle_s: float = setting(30.0, ("After a session, once the kiosk has stood idle this long, freed "
                                                "memory goes back to the system (glibc malloc_trim, on a worker "
                                                "thread; it holds the allocator's locks, so not while a citizen is "
                                                "served); 0 = never."))


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
    countdown_s: float = setting(30.0, ("Countdown shown before the session ends, with one tap to continue "
                                        "(WCAG 2.2.1: >= 20 s; checked outside demo mode). Doubled in care mode."))
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
class DocumentPrinterSection:
    """The A4 printer for certificates (issue 15, docs/certificates.md)."""
    backend: str = setting("none", "A4 document printer driver; the keys each backend reads are listed with it.",
                           choices=DOCUMENT_PRINTER_BACKENDS)
    server: str = setting("127.0.0.1:631", "cups: cupsd address \"host:port\" or its domain socket path.")
    queue: str = setting("KioskA4", "cups: the CUPS queue of the A4 printer.")
    error_policy: str = setting("abort-job", (
        "cups: printer-error-policy set on the queue at start: abort-job = a failing job is aborted and "
        "the queue goes on (one bad job never stops the queue; the kiosk offers a reprint)."),
        choices=DOCUMENT_ERROR_POLICIES)
    job_deadline_s: float = setting(90.0, "A job not completed within this long is cancelled; the citizen is told.")
    poll_interval_s: float = setting(0.25, "How often a running job's state is asked.")
    job_cancel_after_s: int = setting(300, "cups: job-cancel-after sent with each job: cupsd cancels it itself "
                                           "if the kiosk stopped following it (crash, power loss).")
    distrust_completed_on_printer_error: bool = setting(True, (
        "cups: a job cupsd calls completed is not counted as printed while the printer reports a jam, no "
        "paper or an open door right after it (workaround for CUPS's ipp backend recording a job aborted at "
        "the printer as completed; devices/document_printer/jobs.py). false = trust cupsd."))
    scenario: str = setting("ok", "sim: ok | paper_out | paper_out_mid_job | offline | hang | toner_low.",
                            choices=DOCUMENT_PRINTER_SCENARIOS)
    output_dir: str = setting("", "sim: folder for the PDFs it printed (\"\" = keep them in memory only).")


@dataclass(frozen=True)
class ScannerSection:
    backend: str = setting("none", "Barcode scanner for payment codes (付款码); the keys each backend reads are "
                                   "listed with it.", choices=SCANNER_BACKENDS)
    device: str = setting("", "serial: the port (/dev/kiosk-scanner); hid: the input device "
                              "(/dev/input/by-id/usb-...-event-kbd).")
    baudrate: int = setting(9600, "serial: line speed.")
    frame_timeout_s: float = setting(0.3, "A code not ended (CR/Enter) within this pause is refused as truncated.")


@dataclass(frozen=True)
class DevicesSection:
    id_reader: IdReaderSection = section(IdReaderSection)
    camera: CameraSection = section(CameraSection)
    printer: PrinterSection = section(PrinterSection)
    document_printer: DocumentPrinterSection = section(DocumentPrinterSection)
    scanner: ScannerSection = section(ScannerSection)


@dataclass(frozen=True)
class CertificatesSection:
    """Printing electronic licences (电子证照) on A4 (docs/certificates.md)."""
    trust_anchor: str = setting("", (
        "PEM file with the licence issuers' root certificate(s): a licence PDF prints only when its "
        "PAdES signature chains to one of them. \"\" = every licence is refused (no trust, no print)."))
    max_document_bytes: int = setting(5_000_000, "A licence PDF larger than this is refused as malformed.")
    max_pages: int = setting(10, "A licence with more pages than this is refused.")
    preview_dpi: int = setting(60, "Resolution of the on-screen preview of the first page (pdftoppm).")


@dataclass(frozen=True)
class PaymentSection:
    """统一支付 (docs/payment.md). Durations are settings so tests can shrink them."""
    qr_timeout_s: float = setting(120.0, "Countdown of the payment QR (doubled in care mode); then the order closes.")
    poll_s: float = setting(1.0, "While the QR is shown, ask the platform this often (backoff on errors).")
    code_poll_s: float = setting(3.0, "Payment code USERPAYING: ask this often (WeChat: 5 s, Alipay: 3-5 s).")
    code_wait_s: float = setting(30.0, "Payment code USERPAYING longer than this: reversed (WeChat: 30 s).")
    create_timeout_s: float = setting(10.0, "Keep trying to create the payment order this long.")
    settle_wait_s: float = setting(45.0, "Closing or paying by code: the citizen waits at most this long on screen.")
    sweep_interval_s: float = setting(60.0, "Unfinished payments (after a crash or an outage) are resolved this "
                                            "often.")


@dataclass(frozen=True)
class SecuritySection:
    key_store: str = setting("file", (
        "Where the device key and the request-signing key come from (kiosk/keystore.py): \"systemd-creds\" = "
        "systemd credentials sealed with the TPM2 / host key, loaded by the unit (LoadCredentialEncrypted=) into "
        "$CREDENTIALS_DIRECTORY: production. \"file\" = plain 0600 files in data_dir: demo and tests, or a disk "
        "with full-disk encryption."), choices=KEY_STORES)
    device_key_path: str = setting("", ("key_store \"file\": encryption key of the outbox and journal; "
                                        "\"\" = data_dir/device.key (0600)."))


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
    lockout_s: float = setting(900.0, "First lockout; each further one in a row doubles it, up to lockout_max_s.")
    lockout_max_s: float = setting(86400.0, "The longest lockout (escalating lockout, kiosk/technician_pin.py).")
    min_pin_length: int = setting(6, "Digits a PIN needs at least; 6 is the floor (a 4-digit PIN fell in ~10 days).")
    idle_exit_s: float = setting(120.0, "Technician mode ends after this long without a touch.")


@dataclass(frozen=True)
class HeartbeatSection:
    interval_s: float = setting(60.0, "Heartbeat to the platform every N seconds.")


@dataclass(frozen=True)
class MetricsSection:
    address: str = setting("127.0.0.1", ("Prometheus metrics address; keep it on localhost unless the fleet "
                                         "network is trusted (no auth on the endpoint)."))
    port: int = setting(0, "Prometheus metrics port; 0 = off.")


PAGE_FORMATS = ("jpeg", "webp")


@dataclass(frozen=True)
class DocumentsSection:
    """Paper by camera (issue 16): supporting materials and the passport MRZ (docs/documents.md)."""
    page_format: str = setting("jpeg", "Scanned pages are stored and sent as jpeg or webp.", choices=PAGE_FORMATS)
    page_target_kb: int = setting(350, "Each page is compressed to at most this many KiB (quality, then size).")
    page_long_side_px: int = setting(1600, "A straightened page's long side before compression.")
    min_sharpness: float = setting(20.0, "Blur check: variance of the Laplacian on the page; below = \"hold still\".")
    max_glare_share: float = setting(0.012, "Glare check: share of saturated pixels on the page; above = glare.")
    min_brightness: float = setting(90.0, "Darkness check: median grey of the page; below = \"too dark\".")
    good_frames: int = setting(3, "A page is taken after this many good frames in a row (steady, not a blur).")
    analysis_fps: float = setting(10.0, ("How many camera frames per second are checked for a page or an MRZ (the "
                                         "newest each time; the preview shows the checked ones). 30 took half a core "
                                         "of a 2-core kiosk and stalled the GUI; 0 = every frame."))
    mrz_consensus: int = setting(2, "MRZ frames that must agree when line 2's composite check digit fails.")
    camera_device: str = setting("", ("A second, document camera (OpenCV index or /dev/videoN) for paper and the "
                                      "passport page; \"\" = the main camera ([devices.camera]) takes paper too."))
    camera_width: int = setting(1920, "Document camera: capture width in pixels.")
    camera_height: int = setting(1080, "Document camera: capture height in pixels.")


@dataclass(frozen=True)
class UpdateSection:
    """Over-the-air updates of the application bundle with tufup/TUF (docs/updates.md)."""
    repository_url: str = setting("", ("Base URL of the TUF update repository (metadata/ and targets/ below it); "
                                       "\"\" = updates off."))
    trusted_root: str = setting("", ("The repository's root.json shipped with the kiosk (TUF trust anchor); "
                                     "\"\" = state_dir/metadata/root.json must already be there."))
    install_root: str = setting("/opt/kiosk", "A/B layout: releases/<version>, current, previous, good.")
    state_dir: str = setting("/var/lib/kiosk-update", "Trusted metadata, downloaded archives, state.json.")
    check_interval_s: float = setting(3600.0, "Look for a new release this often (only while the kiosk is idle).")
    min_idle_s: float = setting(120.0, ("The attract screen must have been shown this long before a check, "
                                        "download or switch starts (never during a citizen session)."))
    max_download_kib_s: float = setting(1024.0, "Download bandwidth cap in KiB/s (0 = no cap); 4G links are metered.")
    free_space_margin_mb: float = setting(200.0, "Free space kept on the install disk beyond what an update needs.")
    switch_window: str = setting("", ("Local hours when a staged release may be switched to, \"START-END\", e.g. "
                                       "\"22-6\" = outside opening hours (downloads happen at any idle moment); "
                                       "\"\" = at any idle moment."))
    self_check_deadline_s: float = setting(600.0, ("After a switch the new release must pass `diagnose` and reach "
                                                   "its first idle screen within this long, or it is rolled back."))
    max_trial_starts: int = setting(3, "Starts of a release on trial (crash loop) before it is rolled back.")
    diagnose_timeout_s: float = setting(120.0, "The self-check's `kiosk diagnose` run may take this long.")
    restart_command: list = setting(["systemctl", "restart", "kiosk.service"],
                                    "How the guard restarts the kiosk after a switch or a rollback.")


@dataclass(frozen=True)
class FleetSection:
    """Configuration from the centre (kiosk/central_config.py, docs/fleet.md): signed bundles for this
    kiosk's group and for this kiosk, layered over kiosk.toml."""
    group: str = setting("", "Configuration group of this kiosk (e.g. a hall or \"canary\"), set at enrolment; "
                             "\"\" = no group bundle is fetched.")
    config_poll_s: float = setting(0.0, ("Fetch the signed configuration bundles from the platform every N "
                                         "seconds (needs platform.catalog_public_key); 0 = off."))
    config_confirm_s: float = setting(300.0, ("A newly applied bundle must pass the self-check (diagnose checks, "
                                              "then the idle screen) within this long, else the last good one "
                                              "is restored."))


# How a value set by a central configuration bundle takes effect, declared once per section
# (kiosk/central_config.py): "runtime" = swapped in at the next idle moment, "restart" = the
# kiosk restarts itself at the next idle moment (systemd starts it again). Sections absent here
# cannot be set remotely at all.
REMOTE_APPLY = {
    "timeouts": "runtime",
    "kiosk": "restart", "platform": "restart", "face": "restart", "devices": "restart", "logging": "restart",
    "display": "restart", "technician": "restart", "heartbeat": "restart", "metrics": "restart",
}
# Local safety and identity: never settable remotely, whatever the section says. A bundle that
# names one is refused as a whole. (security.* and fleet.* are absent from REMOTE_APPLY.)
LOCAL_ONLY = (
    "kiosk.id", "kiosk.demo", "kiosk.data_dir", "kiosk.fullscreen",
    "platform.url", "platform.ca_bundle", "platform.signing_key_path", "platform.client_cert",
    "platform.client_key", "platform.catalog_public_key", "platform.allow_insecure_http",
    "platform.signature_alg", "technician.pin_hash", "metrics.address",
    "devices.id_reader.backend", "devices.camera.backend", "devices.printer.backend",
)


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
    payment: PaymentSection = section(PaymentSection)
    heartbeat: HeartbeatSection = section(HeartbeatSection)
    metrics: MetricsSection = section(MetricsSection)
    update: UpdateSection = section(UpdateSection)
    fleet: FleetSection = section(FleetSection)
    certificates: CertificatesSection = section(CertificatesSection)
    documents: DocumentsSection = section(DocumentsSection)
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
    def payments_path(self) -> Path:
        """The payment journal (offline_cache/payments.py): the kiosk and `main.py payments` open this one."""
        return self.data_dir / "payments.sqlite3"

    @property
    def journal_path(self) -> Path:
        """The receipt journal (kept receipts for reprint): the kiosk and the technician CLI open this one."""
        return self.data_dir / "receipts.sqlite3"

    @property
    def signing_key_path(self) -> Path:
        if self.security.key_store == "systemd-creds":
            from kiosk.keystore import SIGNING_KEY_CREDENTIAL, credential_path
            return credential_path(SIGNING_KEY_CREDENTIAL)
        return Path(self.platform.signing_key_path or self.data_dir / "platform-signing.key")

    @property
    def receipts_dir(self) -> Path:
        return Path(self.devices.printer.output_dir or self.data_dir / "receipts")


def checked_backend(section: object, section_type: type, backends: dict, factory: str, key: str) -> str:
    """The backend named by a device section, for the device factories: TypeError when the
    factory is given anything but its validated section, ValueError for an unknown backend
    (config loading refuses both first; this guards direct callers)."""
    if not isinstance(section, section_type):
        raise TypeError(f"{factory} takes a kiosk.settings.{section_type.__name__}, not {type(section).__name__}")
    backend = getattr(section, "backend")
    if backend not in backends:
        raise ValueError(f"{key}.backend: unknown backend {backend!r} (available: {', '.join(backends)})")
    return str(backend)
