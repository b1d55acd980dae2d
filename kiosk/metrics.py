"""Prometheus metrics: the heartbeat's figures for fleets watched with Prometheus/Alertmanager.

`KioskMetrics.update(heartbeat_body)` sets every gauge from the same dict the
platform heartbeat sends (`kiosk.heartbeat.build_heartbeat`), so the two paths
report the same numbers. `serve(address, port)` starts prometheus_client's HTTP
server on its own daemon thread; port 0 in the configuration means "off".

Metric names follow the Prometheus conventions (base units, `_seconds`, `_total`);
the alert rules in docs/prometheus-alerts.yml use them.
"""
from __future__ import annotations

import logging
import time

from prometheus_client import CollectorRegistry, Gauge, Info, start_http_server

log = logging.getLogger(__name__)

DEVICE_STATES = ("online", "offline", "busy", "hardwareError", "userError", "noDevice", "starting")
PAPER_STATES = ("full", "low", "out", "jammed", "unknown")


class KioskMetrics:
    def __init__(self, kiosk_id: str, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry()
        self.kiosk_id = kiosk_id
        r = self.registry
        self.info = Info("kiosk_build", "Software versions of this kiosk", registry=r)
        self.device_up = Gauge("kiosk_device_up", "1 when the device is online or busy",
                               ["device"], registry=r)
        self.device_state = Gauge("kiosk_device_state", "1 for the device's current XFS4IoT state",
                                  ["device", "state"], registry=r)
        self.paper = Gauge("kiosk_printer_paper_state", "1 for the receipt paper's current state",
                           ["state"], registry=r)
        self.queue_pending = Gauge("kiosk_outbox_pending", "Submissions waiting to be delivered", registry=r)
        self.queue_dead = Gauge("kiosk_outbox_dead", "Dead-lettered submissions (need a technician)",
                                registry=r)
        self.queue_oldest = Gauge("kiosk_outbox_oldest_pending_age_seconds",
                                  "Age of the oldest undelivered submission (0 when none)", registry=r)
        self.pin_failures = Gauge("kiosk_technician_pin_failures",
                                  "Wrong technician PINs in a row (-1 when the lockout file is damaged)", registry=r)
        self.pin_locked = Gauge("kiosk_technician_pin_locked", "1 while the technician PIN pad is locked",
                                registry=r)
        self.pin_lockouts = Gauge("kiosk_technician_pin_lockouts",
                                  "Technician PIN lockouts ever (persisted; someone may be guessing)", registry=r)
        self.uptime = Gauge("kiosk_uptime_seconds", "Seconds since the kiosk process started", registry=r)
        self.platform_up = Gauge("kiosk_platform_up", "1 when the last heartbeat reached the platform",
                                 registry=r)
        self.last_heartbeat = Gauge("kiosk_last_heartbeat_success_timestamp_seconds",
                                    "Unix time of the last heartbeat the platform accepted", registry=r)
        self.config_version = Gauge("kiosk_config_bundle_version",
                                    "Version of the active central configuration bundle (0 = none)",
                                    ["scope"], registry=r)
        self.config_trial = Gauge("kiosk_config_trial", "1 while a new configuration awaits its self-check",
                                  registry=r)
        self._server = None

    def config_bundles(self, versions: dict[str, int], trial: bool) -> None:
        """The central configuration in force (kiosk.central_config): fleet-wide rollout progress."""
        for scope in ("group", "kiosk"):
            self.config_version.labels(scope).set(versions.get(scope, 0))
        self.config_trial.set(1 if trial else 0)

    def update(self, body: dict) -> None:
        versions = body.get("versions") or {}
        self.info.info({"kiosk_id": self.kiosk_id, **{k: str(v) for k, v in versions.items()}})
        for device, state in (body.get("devices") or {}).items():
            self.device_up.labels(device).set(1 if state in ("online", "busy") else 0)
            for candidate in DEVICE_STATES:
                self.device_state.labels(device, candidate).set(1 if candidate == state else 0)
        paper = body.get("paper") or "unknown"
        for candidate in PAPER_STATES:
            self.paper.labels(candidate).set(1 if candidate == paper else 0)
        queue = body.get("queue") or {}
        self.queue_pending.set(queue.get("pending") or 0)
        self.queue_dead.set(queue.get("dead") or 0)
        self.queue_oldest.set(queue.get("oldest_pending_age_s") or 0)
        technician = body.get("technician") or {}
        damaged = bool(technician.get("pin_state_damaged"))
        self.pin_failures.set(-1 if damaged else technician.get("pin_failures") or 0)
        self.pin_locked.set(1 if damaged or (technician.get("pin_locked_for_s") or 0) > 0 else 0)
        self.pin_lockouts.set(technician.get("pin_lockouts_total") or 0)
        self.uptime.set(body.get("uptime_s") or 0)

    def heartbeat_result(self, accepted: bool, now: float | None = None) -> None:
        self.platform_up.set(1 if accepted else 0)
        if accepted:
            self.last_heartbeat.set(time.time() if now is None else now)

    def serve(self, address: str, port: int):
        """Starts the /metrics endpoint; returns the bound port. Raises OSError when it cannot bind."""
        server, _thread = start_http_server(port, addr=address, registry=self.registry)
        self._server = server
        bound = server.server_address[1]
        log.info("prometheus metrics", extra={"address": address, "port": bound})
        return bound

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
