"""A remote-write outage on loopback with the real Prometheus binaries (tests and bench only).

    kiosk /metrics (kiosk/metrics.py)  <-scrape-  Prometheus agent  -remote_write->  link  ->  central Prometheus
                                                  (deploy/telemetry/prometheus-agent.yml.in)   (cut/restore)  (--web.enable-remote-write-receiver,
                                                                                                                deploy/telemetry/central-prometheus.yml)

`run_outage()` starts all of it in `workdir`, cuts the link for `outage_s`, restores it and
reports, from the central query API, whether the samples scraped during the outage arrived
(held in the agent's write-ahead log meanwhile) with no gap. tests/test_remote_write.py and
bench/remote_write.py both use it, with different durations.

The link is a TCP relay: `cut()` closes every open connection and holds new ones silent (what
a dead 4G link looks like to the sender: timeouts, not refusals); `restore()` forwards again.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import requests
import yaml

REPO = Path(__file__).resolve().parents[1]
TELEMETRY = REPO / "deploy" / "telemetry"
AGENT_TEMPLATE = TELEMETRY / "prometheus-agent.yml.in"
CENTRAL_CONFIG = TELEMETRY / "central-prometheus.yml"
PROMETHEUS = "prometheus"
KIOSK_ID = "GD-RIG-0001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def template_variables(text: str) -> list[str]:
    """The ${NAME} placeholders of a template, in order of first use."""
    return list(dict.fromkeys(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", text)))


def render_agent_config(values: dict[str, str], template: Path = AGENT_TEMPLATE) -> str:
    """The agent configuration rendered exactly as the unit does it: envsubst with an explicit
    variable list (so any other `$` stays). A placeholder without a value is an error."""
    text = template.read_text(encoding="utf-8")
    names = template_variables(text)
    missing = [n for n in names if n not in values]
    if missing:
        raise ValueError(f"no value for {', '.join(missing)}")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **values}
    return subprocess.run(["envsubst", " ".join("$" + n for n in names)], input=text, env=env,
                          capture_output=True, text=True, check=True).stdout


class TcpLink:
    """A loopback TCP relay to `upstream_port` that can be cut and restored."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._up = True
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._stopped = False
        threading.Thread(target=self._accept, name="tcp-link", daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            self._up = False
            self._close_all()

    def restore(self) -> None:
        with self._lock:
            self._up = True
            self._close_all()     # connections held silent during the cut fail now; the sender reconnects

    def close(self) -> None:
        self._stopped = True
        self._listener.close()
        with self._lock:
            self._close_all()

    def _close_all(self) -> None:
        for sock in self._open:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self._open.clear()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._open.append(client)
                if not self._up:
                    continue          # held silent: the sender times out
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=2)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class PrometheusProcess:
    """One real prometheus process on a loopback port, its log in `workdir`/NAME.log."""

    def __init__(self, name: str, workdir: Path, args: list[str], port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"{name}.log"
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([PROMETHEUS, *args, f"--web.listen-address=127.0.0.1:{self.port}",
                                      "--log.level=warn"], stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout_s: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prometheus exited ({self.proc.returncode}): {self.log_tail()}")
            try:
                if requests.get(self.url + "/-/ready", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"prometheus not ready in {timeout_s} s: {self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def metric(self, name: str) -> float:
        """Sum of a metric on the process's own /metrics (0 when absent)."""
        total = 0.0
        for line in requests.get(self.url + "/metrics", timeout=5).text.splitlines():
            if line.startswith((name + " ", name + "{")):
                total += float(line.rsplit(" ", 1)[1])
        return total


def query(url: str, promql: str, at: float | None = None) -> list[dict]:
    params = {"query": promql}
    if at is not None:
        params["time"] = f"{at:.3f}"
    reply = requests.get(url + "/api/v1/query", params=params, timeout=5).json()
    if reply.get("status") != "success":
        raise RuntimeError(f"query {promql!r} failed: {reply}")
    return reply["data"]["result"]


def sample_times(url: str, selector: str, window_s: int, at: float) -> list[float]:
    """Timestamps of the raw samples of `selector` in the `window_s` before `at` (one series)."""
    result = query(url, f"{selector}[{window_s}s]", at=at)
    return sorted(float(t) for series in result for t, _ in series["values"])


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class KioskMetricsFeeder:
    """The kiosk's real metrics endpoint (kiosk.metrics.KioskMetrics), its figures moving like a
    running kiosk's; the technician PIN pad locked so a central alert (no `for:`) fires at once."""

    def __init__(self, kiosk_id: str):
        from kiosk.metrics import KioskMetrics
        self.metrics = KioskMetrics(kiosk_id)
        self.port = self.metrics.serve("127.0.0.1", 0)
        self._started = time.time()
        self._stop = threading.Event()
        self._update()
        threading.Thread(target=self._run, name="metrics-feeder", daemon=True).start()

    def _update(self) -> None:
        self.metrics.update({
            "versions": {"software": "rig"},
            "devices": {"id_reader": "online", "camera": "online", "printer": "online"},
            "paper": "full",
            "queue": {"pending": 0, "dead": 0, "oldest_pending_age_s": 0},
            "technician": {"pin_failures": 5, "pin_locked_for_s": 900, "pin_lockouts_total": 1},
            "uptime_s": time.time() - self._started})
        self.metrics.heartbeat_result(True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._update()

    def stop(self) -> None:
        self._stop.set()
        self.metrics.stop()


@dataclasses.dataclass
class OutageResult:
    scrape_interval_s: float
    outage_s: float
    expected_in_outage: int          # scrapes the agent made while the link was cut
    delivered_during_outage: int     # of those, seen centrally before the restore (must be 0)
    arrived_after_restore: int       # of those, seen centrally after the restore
    max_gap_s: float                 # largest hole between central samples around the outage
    catch_up_s: float                # restore -> the last outage sample visible centrally
    wal_bytes: int                   # agent WAL on disk at the end of the outage
    wire_bytes_per_sample: float     # compressed remote-write bytes per sample, outage + catch-up (agent's counters)
    steady_wire_bytes_per_sample: float   # the same while connected (small batches: labels weigh more)
    wal_bytes_per_sample: float      # WAL growth during the outage / samples scraped in it (compressed WAL)
    series_per_kiosk: int            # series the centre holds for this kiosk (kiosk job + agent's own, kept)
    central_alert_labels: dict       # the KioskTechnicianPinLockout alert the central server raised
    series_after_outage_ok: bool

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def start_central(workdir: Path, evaluation_interval: str = "1s") -> PrometheusProcess:
    """The central receiver with deploy/telemetry/central-prometheus.yml (rule paths made absolute)."""
    config = yaml.safe_load(CENTRAL_CONFIG.read_text(encoding="utf-8"))
    config["global"]["evaluation_interval"] = evaluation_interval
    config["rule_files"] = [str((CENTRAL_CONFIG.parent / p).resolve()) for p in config["rule_files"]]
    path = workdir / "central.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    central = PrometheusProcess("central", workdir, [
        f"--config.file={path}", f"--storage.tsdb.path={workdir / 'central-data'}",
        "--web.enable-remote-write-receiver"])
    central.wait_ready()
    return central


def start_agent(workdir: Path, remote_write_port: int, metrics_port: int, scrape_interval_s: float,
                kiosk_id: str = KIOSK_ID) -> PrometheusProcess:
    interval = f"{int(scrape_interval_s * 1000)}ms"
    agent_port = free_port()
    values = {"KIOSK_ID": kiosk_id, "KIOSK_SITE": "rig-hall", "KIOSK_GROUP": "rig",
              "KIOSK_METRICS_PORT": str(metrics_port), "KIOSK_AGENT_PORT": str(agent_port),
              "KIOSK_REMOTE_WRITE_URL": f"http://127.0.0.1:{remote_write_port}/api/v1/write",
              "KIOSK_SCRAPE_INTERVAL": interval, "KIOSK_SCRAPE_TIMEOUT": interval,
              "KIOSK_REMOTE_TIMEOUT": "2s", "KIOSK_BATCH_SEND_DEADLINE": "500ms", "KIOSK_MAX_BACKOFF": "500ms"}
    path = workdir / "agent.yml"
    path.write_text(render_agent_config(values), encoding="utf-8")
    agent = PrometheusProcess("agent", workdir, [
        "--enable-feature=agent", f"--config.file={path}", f"--storage.agent.path={workdir / 'agent-wal'}",
        "--storage.agent.wal-compression", "--storage.agent.retention.max-time=48h"], port=agent_port)
    agent.wait_ready()
    return agent


def _wait_for(predicate, timeout_s: float, step_s: float = 0.25):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step_s)


def run_outage(workdir: Path, *, outage_s: float = 6.0, scrape_interval_s: float = 1.0,
               warmup_s: float = 3.0, catch_up_timeout_s: float = 20.0,
               restart_agent: bool = False) -> OutageResult:
    """Kiosk metrics -> agent -> link -> central; cut the link for `outage_s`; restore; measure.
    `restart_agent`: stop and restart the agent (same WAL) in the middle of the outage, as a
    reboot would (bench/remote_write.py reports what survives)."""
    if shutil.which(PROMETHEUS) is None or shutil.which("envsubst") is None:
        raise FileNotFoundError("prometheus and envsubst are needed (scripts/bootstrap.sh installs them)")
    workdir.mkdir(parents=True, exist_ok=True)
    feeder = KioskMetricsFeeder(KIOSK_ID)
    central = link = agent = None
    try:
        central = start_central(workdir)
        link = TcpLink(central.port)
        agent = start_agent(workdir, link.port, feeder.port, scrape_interval_s)
        selector = f'kiosk_uptime_seconds{{kiosk="{KIOSK_ID}",site="rig-hall",group="rig",instance="{KIOSK_ID}"}}'
        if not _wait_for(lambda: query(central.url, selector), 15.0):
            raise RuntimeError(f"no samples reached the central server before the outage: {agent.log_tail()}")
        steady_start = (agent.metric("prometheus_remote_storage_bytes_total"),
                        agent.metric("prometheus_remote_storage_samples_total"))
        time.sleep(warmup_s)
        alert = _wait_for(lambda: query(central.url, f'ALERTS{{alertname="KioskTechnicianPinLockout",'
                                                     f'alertstate="firing",kiosk="{KIOSK_ID}"}}'), 10.0)
        alert_labels = alert[0]["metric"] if alert else {}

        sent_before = (agent.metric("prometheus_remote_storage_bytes_total"),
                       agent.metric("prometheus_remote_storage_samples_total"))
        steady_bytes = sent_before[0] - steady_start[0]
        steady_samples = sent_before[1] - steady_start[1]
        wal_at_cut = dir_bytes(workdir / "agent-wal")
        series = int(float(query(central.url, f'count({{kiosk="{KIOSK_ID}"}})')[0]["value"][1]))
        cut_at = time.time()
        link.cut()
        if restart_agent:
            time.sleep(outage_s / 2)
            agent.stop()
            agent = start_agent(workdir, link.port, feeder.port, scrape_interval_s)
            time.sleep(max(0.0, cut_at + outage_s - time.time()))
            sent_before = (0.0, 0.0)
        else:
            time.sleep(outage_s)
        restored_at = time.time()
        window = int(outage_s + warmup_s + 30)
        # Scrapes strictly inside the outage (a margin for the batch in flight when it started).
        inside = (cut_at + 1.5, restored_at - 0.1)
        seen_during = [t for t in sample_times(central.url, selector, window, restored_at)
                       if inside[0] <= t <= inside[1]]
        wal_bytes = dir_bytes(workdir / "agent-wal")
        link.restore()

        def caught_up():
            times = sample_times(central.url, selector, window + 60, time.time())
            return times if times and times[-1] >= restored_at else None
        times = _wait_for(caught_up, catch_up_timeout_s) or []
        catch_up_s = time.time() - restored_at
        after = [t for t in times if inside[0] <= t <= inside[1]]
        around = [t for t in times if t >= cut_at - 2]      # up to the first samples after the restore
        gaps = [b - a for a, b in zip(around, around[1:])]
        max_gap = max(gaps) if gaps else float("inf")
        expected = int((inside[1] - inside[0]) / scrape_interval_s)
        bytes_sent = agent.metric("prometheus_remote_storage_bytes_total") - sent_before[0]
        samples_sent = agent.metric("prometheus_remote_storage_samples_total") - sent_before[1]
        ok = (bool(times) and not seen_during and len(after) >= expected
              and max_gap <= 2.5 * scrape_interval_s and bool(alert_labels))
        return OutageResult(scrape_interval_s=scrape_interval_s, outage_s=round(restored_at - cut_at, 2),
                            expected_in_outage=expected, delivered_during_outage=len(seen_during),
                            arrived_after_restore=len(after), max_gap_s=round(max_gap, 3),
                            catch_up_s=round(catch_up_s, 2), wal_bytes=wal_bytes,
                            wire_bytes_per_sample=round(bytes_sent / samples_sent, 2) if samples_sent else 0.0,
                            steady_wire_bytes_per_sample=round(steady_bytes / steady_samples, 2) if steady_samples else 0.0,
                            wal_bytes_per_sample=round((wal_bytes - wal_at_cut) / (series * outage_s / scrape_interval_s), 2),
                            series_per_kiosk=series,
                            central_alert_labels=alert_labels, series_after_outage_ok=ok)
    finally:
        for part in (agent, link, central):
            if part is not None:
                part.stop() if isinstance(part, PrometheusProcess) else part.close()
        feeder.stop()


def main_json(result: OutageResult) -> str:
    return json.dumps(result.as_dict(), sort_keys=True)
