"""Health checks shared by the technician screens and `python main.py diagnose`.

Every check returns a `CheckResult` (name, ok, one-line summary for a technician,
details for --json). Nothing here touches Qt widgets, and everything may block
(DNS, TCP, TLS, HTTP, device open): the GUI runs it on a worker thread
(`kiosk.flows.technician`), the CLI runs it directly.

Health rule (exit code of `diagnose`): every device and every platform check ok.
Outbox and catalog findings are reported as warnings (`ok=True, warning=...`): a
dead-lettered application needs a technician, but the kiosk still serves citizens.

No personal data passes through here: device errors are technician strings,
outbox entries are clear-text metadata (ids, states, error codes).
"""
from __future__ import annotations

import datetime as dt
import socket
import ssl
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

HEALTHY_DEVICE_STATES = ("online", "busy")
CERT_EXPIRY_WARNING_DAYS = 21


@dataclass(frozen=True)
class CheckResult:
    name: str                   # "device.printer", "platform.tls", ...
    ok: bool
    summary: str                # one line for a technician (no personal data)
    details: dict = field(default_factory=dict)
    warning: str | None = None  # ok but needs attention (paper low, cert expiring, dead letters)


@dataclass
class DiagnosticsReport:
    kiosk_id: str
    software_version: str
    checks: list[CheckResult] = field(default_factory=list)
    started_at: str = field(default_factory=lambda: dt.datetime.now().astimezone().isoformat(timespec="seconds"))

    @property
    def healthy(self) -> bool:
        return all(check.ok for check in self.checks)

    def check(self, name: str) -> CheckResult | None:
        return next((c for c in self.checks if c.name == name), None)

    def to_dict(self) -> dict:
        return {"kiosk_id": self.kiosk_id, "software_version": self.software_version,
                "started_at": self.started_at, "healthy": self.healthy,
                "checks": [asdict(check) for check in self.checks]}

    def format_text(self) -> str:
        lines = [f"Kiosk {self.kiosk_id}  software {self.software_version}  {self.started_at}"]
        for check in self.checks:
            mark = "OK  " if check.ok else "FAIL"
            lines.append(f"  [{mark}] {check.name:<22} {check.summary}")
            if check.warning:
                lines.append(f"         {'':<22} warning: {check.warning}")
        lines.append("HEALTHY" if self.healthy else "UNHEALTHY")
        return "\n".join(lines)


def software_version() -> str:
    from kiosk import __version__
    return __version__


# --- devices ----------------------------------------------------------------------------

def wait_until_settled(device, timeout_s: float) -> None:
    """After open(), a device is `starting` until its worker has tried the hardware."""
    deadline = time.monotonic() + timeout_s
    while device.status().value == "starting" and time.monotonic() < deadline:
        time.sleep(0.02)


def check_device(device, counters: dict | None = None) -> CheckResult:
    status = device.status().value
    details = {"status": status, "last_error": device.last_error()}
    if counters:
        details["counters"] = dict(counters)
    warning = None
    if device.name == "printer" and hasattr(device, "paper_status"):
        paper = device.paper_status()
        details["paper"] = paper
        if paper in ("low",):
            warning = "paper low: refill soon"
        elif paper in ("out", "jammed"):
            warning = f"paper {paper}"
    ok = status in HEALTHY_DEVICE_STATES
    summary = status if ok else f"{status}: {details['last_error'] or 'no detail'}"
    if status == "starting":
        summary = "did not finish starting (driver hung?)"
    return CheckResult(f"device.{device.name}", ok, summary, details, warning)


# --- face verification ----------------------------------------------------------------------

def check_face_verifier(verifier) -> CheckResult:
    """The running kiosk's face worker: engine, models, blink step available."""
    info = verifier.worker_info()
    reason = verifier.unavailable_reason()
    if reason:
        return CheckResult("face.engine", False, f"face checks unavailable: {reason}", {"error": reason})
    if not verifier.is_ready():
        return CheckResult("face.engine", False, "face worker not ready (starting or restarting)", info)
    warning = None if info.get("blink") else "eye model not loaded: liveness uses head turns only"
    return CheckResult("face.engine", True, f"{info.get('engine')} ({info.get('metric')} distance)", info, warning)


def check_face_engine(face) -> CheckResult:
    """Loads the configured engine's models once (technician's `diagnose`): a missing or
    corrupt model file is named here instead of surfacing as a failed citizen check."""
    from kiosk.face_engine import FaceModelError, create_engine
    started = time.monotonic()
    try:
        engine = create_engine(face.engine, blink=face.blink)
    except FaceModelError as exc:
        return CheckResult("face.engine", False, f"face checks unavailable: {exc}", {"engine": face.engine})
    details = {"engine": engine.name, "metric": engine.metric, "threshold": face.threshold,
               "blink": engine.eyes is not None, "load_ms": _ms(started)}
    warning = None if engine.eyes is not None or not face.blink else \
        "eye model not loaded: liveness uses head turns only"
    return CheckResult("face.engine", True, f"{engine.name} ({engine.metric}, threshold {face.threshold})",
                       details, warning)


# --- platform link ------------------------------------------------------------------------

def _ms(start: float) -> float:
    return round((time.monotonic() - start) * 1000.0, 1)


def check_platform_link(url: str, *, ca_bundle: str | None = None, timeout_s: float = 3.0) -> list[CheckResult]:
    """DNS, TCP connect, and for https the TLS handshake with certificate expiry.

    Stops at the first failing layer: a TLS result after a refused TCP connect says nothing.
    """
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    results: list[CheckResult] = []

    start = time.monotonic()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        results.append(CheckResult("platform.dns", False, f"cannot resolve {host}: {exc.strerror}",
                                   {"host": host}))
        return results
    addresses = sorted({info[4][0] for info in infos})
    results.append(CheckResult("platform.dns", True, f"{host} -> {', '.join(addresses)} ({_ms(start)} ms)",
                               {"host": host, "addresses": addresses, "ms": _ms(start)}))

    start = time.monotonic()
    try:
        sock = socket.create_connection((host, port), timeout=timeout_s)
    except OSError as exc:
        results.append(CheckResult("platform.tcp", False, f"cannot connect to {host}:{port}: "
                                   f"{exc.strerror or type(exc).__name__}", {"host": host, "port": port}))
        return results
    connect_ms = _ms(start)
    results.append(CheckResult("platform.tcp", True, f"connected to {host}:{port} in {connect_ms} ms",
                               {"port": port, "ms": connect_ms}))
    try:
        if parsed.scheme == "https":
            results.append(_check_tls(sock, host, ca_bundle, timeout_s))
    finally:
        sock.close()
    return results


def _check_tls(sock: socket.socket, host: str, ca_bundle: str | None, timeout_s: float) -> CheckResult:
    context = ssl.create_default_context(cafile=ca_bundle or None)
    port = sock.getpeername()[1]   # read before the handshake: a failed wrap closes the socket
    start = time.monotonic()
    try:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
            version = tls.version()
    except ssl.SSLCertVerificationError as exc:
        # Fetch the certificate without verifying, only to tell the technician *why* it failed.
        expiry = _unverified_expiry(host, port, timeout_s)
        reason = _verification_reason(exc, expiry)
        return CheckResult("platform.tls", False, reason,
                           {"verify_code": exc.verify_code, "verify_message": exc.verify_message,
                            "not_after": expiry.isoformat() if expiry else None})
    except (ssl.SSLError, OSError) as exc:
        return CheckResult("platform.tls", False, f"TLS handshake failed: {type(exc).__name__}: {exc}", {})
    not_after = _not_after(der)
    days_left = (not_after - dt.datetime.now(dt.timezone.utc)).total_seconds() / 86400.0
    warning = (f"certificate expires in {days_left:.0f} days" if days_left < CERT_EXPIRY_WARNING_DAYS else None)
    return CheckResult("platform.tls", True,
                       f"{version}, certificate valid until {not_after:%Y-%m-%d} ({days_left:.0f} days), "
                       f"handshake {_ms(start)} ms",
                       {"tls_version": version, "not_after": not_after.isoformat(),
                        "days_left": round(days_left, 1), "ms": _ms(start)}, warning)


def _not_after(der: bytes) -> dt.datetime:
    from cryptography import x509
    return x509.load_der_x509_certificate(der).not_valid_after_utc


def _unverified_expiry(host: str, port: int, timeout_s: float) -> dt.datetime | None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                return _not_after(tls.getpeercert(binary_form=True))
    except (OSError, ValueError):
        return None


def _verification_reason(exc: ssl.SSLCertVerificationError, expiry: dt.datetime | None) -> str:
    # OpenSSL X509_V_ERR_* codes: 10 expired, 9 not yet valid, 62 hostname / 64 IP address mismatch,
    # 18/19/20/21 self-signed or unknown issuer.
    code = exc.verify_code
    if code == 10:
        when = f" on {expiry:%Y-%m-%d}" if expiry else ""
        return f"platform certificate EXPIRED{when}: renew it on the platform, or check the kiosk clock"
    if code == 9:
        return "platform certificate not yet valid: check the kiosk clock (NTP)"
    if code in (62, 64):
        return f"certificate does not match the host name in platform.url: {exc.verify_message}"
    if code in (18, 19, 20, 21):
        return f"certificate issuer not trusted (platform.ca_bundle?): {exc.verify_message}"
    return f"certificate rejected: {exc.verify_message} (code {code})"


_SIGNATURE_HINTS = {
    "signature_expired": "the kiosk clock is off (check NTP/chrony)",
    "unknown_kiosk": "the platform has no signing key for this kiosk id",
    "signature_invalid": "the platform holds a different signing key for this kiosk",
    "digest_mismatch": "the body was changed on the way (proxy?)",
    "signature_missing": "the request was not signed (platform.signature_alg / signing key)",
    "nonce_replayed": "a request nonce was reused",
}


def _platform_failure(what: str, exc) -> str:
    """One line for a technician; a 401 from the signature check says what to fix."""
    if exc.status == 401 and exc.server_code in _SIGNATURE_HINTS:
        return f"{what}: request signature rejected ({exc.server_code}): {_SIGNATURE_HINTS[exc.server_code]}"
    return f"{what}: {exc.reason}"


def check_platform_api(client, heartbeat_body: dict | None) -> list[CheckResult]:
    """An HTTP round trip (catalog) with latency, and whether the platform accepts a heartbeat."""
    from kiosk.platform import PlatformError
    results = []
    start = time.monotonic()
    try:
        catalog = client.get_catalog()
    except PlatformError as exc:
        results.append(CheckResult("platform.http", False, _platform_failure("catalog request failed", exc),
                                   {"code": exc.reason, "status": exc.status}))
        return results
    latency = _ms(start)
    results.append(CheckResult("platform.http", True,
                               f"catalog version {catalog.get('version', '?')} in {latency} ms",
                               {"latency_ms": latency, "catalog_version": catalog.get("version")}))
    if heartbeat_body is not None:
        try:
            ack = client.heartbeat(heartbeat_body)
            signed = " (signed request)" if getattr(getattr(client, "_session", None), "auth", None) else ""
            results.append(CheckResult("platform.heartbeat", True,
                                       f"accepted{signed}, server time {ack.get('server_time')}",
                                       {"server_time": ack.get("server_time")}))
        except PlatformError as exc:
            results.append(CheckResult("platform.heartbeat", False, _platform_failure("heartbeat rejected", exc),
                                       {"code": exc.reason, "status": exc.status}))
    return results


# --- outbox and catalog ---------------------------------------------------------------------

def check_outbox(outbox, *, stale_after_s: float = 24 * 3600.0) -> CheckResult:
    try:
        stats = outbox.stats()
        dead = outbox.entries(state="dead", limit=20)
    except Exception as exc:   # a broken database must be reported, not crash the diagnostics
        return CheckResult("outbox", False, f"outbox unreadable: {type(exc).__name__}: {exc}", {})
    details = {"pending": stats.pending, "sending": stats.sending, "delivered": stats.delivered,
               "dead": stats.dead, "oldest_pending_age_s": stats.oldest_pending_age_s,
               "dead_entries": [{"submission_id": e.submission_id, "kind": e.kind, "attempts": e.attempts,
                                 "last_error": e.last_error} for e in dead]}
    warnings = []
    if stats.dead:
        warnings.append(f"{stats.dead} dead-lettered (need a technician)")
    age = stats.oldest_pending_age_s
    if age is not None and age > stale_after_s:
        warnings.append(f"oldest pending is {age / 3600:.1f} h old")
    age_text = "" if age is None else f", oldest {age:.0f} s"
    return CheckResult("outbox", True, f"{stats.pending} pending{age_text}, {stats.dead} dead, "
                       f"{stats.delivered} delivered", details, "; ".join(warnings) or None)


def check_key_store(key_store: str, data_dir) -> CheckResult:
    """Where the keys live; a warning for plain key files on a disk not known to be encrypted."""
    from kiosk.keystore import key_store_warning, on_encrypted_block_device
    details = {"key_store": key_store, "data_dir_encrypted": on_encrypted_block_device(data_dir)}
    summary = ("keys are systemd credentials (sealed; loaded by the service)" if key_store == "systemd-creds"
               else "keys are plain files in the data directory")
    return CheckResult("security.key_store", True, summary, details, key_store_warning(key_store, data_dir))


def check_catalog_cache(cache) -> CheckResult:
    """`cache` is the kiosk's CatalogCache (its alerts name refused catalogs) or a path to one."""
    from offline_cache.catalog_cache import CatalogCache
    if not isinstance(cache, CatalogCache):
        cache = CatalogCache(Path(cache))
    path = cache.path
    raw = cache.load()
    alerts = [f"{a.code}: {a.message}" for a in cache.alerts()[-3:]]
    if raw is None:
        return CheckResult("catalog", True, "no cached catalog yet", {"path": str(path), "alerts": alerts},
                           "; ".join(alerts) or "the kiosk has never loaded a catalog: it cannot serve citizens offline")
    synced = dt.datetime.fromtimestamp(path.stat().st_mtime).astimezone().isoformat(timespec="seconds")
    return CheckResult("catalog", True, f"version {raw.get('version', '?')}, last sync {synced}",
                       {"version": raw.get("version"), "last_sync": synced,
                        "services": len(raw.get("services", [])), "alerts": alerts},
                       "; ".join(alerts) or None)


# --- over-the-air updates -----------------------------------------------------------------

def check_updates(update) -> CheckResult:
    """The A/B layout and the updater's state (docs/updates.md): which release runs, which one is
    confirmed good, a release on trial, the last check's result, the last rollback. Never a failure
    (the kiosk serves citizens whatever the updater says); problems are warnings for the technician."""
    from kiosk.update_layout import ReleaseLayout
    layout = ReleaseLayout(update.install_root, update.state_dir)
    links = {link: layout.version_of(link) for link in ("current", "previous", "good")}
    state = layout.load_state()
    last = state.get("last_check") if isinstance(state.get("last_check"), dict) else {}
    event = state.get("last_event") if isinstance(state.get("last_event"), dict) else {}
    details = {"links": links, "trial": state.get("trial"), "staged": state.get("staged"),
               "refused": state.get("refused", []), "last_check": last, "last_event": event}
    if not update.repository_url:
        return CheckResult("update", True, "updates off ([update] repository_url is empty)", details)
    warnings = []
    if links["current"] is None:
        warnings.append(f"no A/B layout under {update.install_root} (install with `kiosk update adopt`)")
    if state.get("trial"):
        warnings.append(f"release {state['trial'].get('version')} on trial (self-check pending)")
    if last.get("result") not in (None, "staged", "up_to_date"):
        warnings.append(f"last update check {last.get('result')}: {last.get('reason', '')}"[:200])
    if event.get("event") == "rolled_back":
        warnings.append(f"release {event.get('version')} was rolled back: {event.get('reason')}")
    summary = (f"release {links['current'] or '?'} (good {links['good'] or '?'}), last check "
               f"{last.get('result', 'never')}")
    return CheckResult("update", True, summary, details, "; ".join(warnings) or None)
