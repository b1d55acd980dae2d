"""Remote-write outage with the real Prometheus binaries, on loopback (sim/telemetry_rig.py).

The kiosk's metrics endpoint -> Prometheus agent (deploy/telemetry/prometheus-agent.yml.in) ->
a cut-able TCP link -> a central Prometheus with the remote-write receiver
(deploy/telemetry/central-prometheus.yml). The link is cut for OUTAGE_S, then restored; the
central query API must then hold every scrape from the outage window (buffered in the agent's
WAL), with no hole. A second round restarts the agent in the middle of the outage (a reboot) and
reports what survives that.

    .venv/bin/python bench/remote_write.py

Last line: one JSON object. `measure_remote_write()` is imported by bench/update.py: it returns
True when the series were complete after the outage.
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.telemetry_rig import run_outage  # noqa: E402

OUTAGE_S = 20.0
SCRAPE_INTERVAL_S = 1.0


def measure_remote_write(outage_s: float = OUTAGE_S) -> bool:
    """True when every sample scraped during a remote-write outage reached the central server."""
    with tempfile.TemporaryDirectory(prefix="remote-write-") as tmp:
        return run_outage(Path(tmp), outage_s=outage_s, scrape_interval_s=SCRAPE_INTERVAL_S).series_after_outage_ok


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="remote-write-") as tmp:
        plain = run_outage(Path(tmp) / "outage", outage_s=OUTAGE_S, scrape_interval_s=SCRAPE_INTERVAL_S)
        restarted = run_outage(Path(tmp) / "restart", outage_s=OUTAGE_S, scrape_interval_s=SCRAPE_INTERVAL_S,
                               restart_agent=True)
    for name, result in (("outage", plain), ("outage with agent restart", restarted)):
        print(f"{name}: {json.dumps(result.as_dict(), sort_keys=True)}")
    print(json.dumps({
        "series_after_outage_ok": plain.series_after_outage_ok,
        "outage_s": plain.outage_s,
        "scrape_interval_s": SCRAPE_INTERVAL_S,
        "samples_in_outage": plain.expected_in_outage,
        "samples_arrived_after_restore": plain.arrived_after_restore,
        "max_gap_s": plain.max_gap_s,
        "catch_up_s": plain.catch_up_s,
        "wal_bytes": plain.wal_bytes,
        "wire_bytes_per_sample": plain.wire_bytes_per_sample,
        "steady_wire_bytes_per_sample": plain.steady_wire_bytes_per_sample,
        "wal_bytes_per_sample": plain.wal_bytes_per_sample,
        "series_per_kiosk": plain.series_per_kiosk,
        "central_alert_fired": bool(plain.central_alert_labels),
        "restart_during_outage_samples_arrived": restarted.arrived_after_restore,
        "restart_during_outage_samples_expected": restarted.expected_in_outage,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
