"""Payment sessions through the real platform and provider simulator, with random kill -9 of the
kiosk process (sim/payment/kill_rig.py). Last line: one JSON object.

    .venv/bin/python bench/payment.py            # 120 kill rounds, ~4 minutes on 2 cores

Keys: sessions, kill_rounds, double_charged, orphan_payments, unpaid_marked_paid,
paid_to_screen_p95_ms (provider SUCCESS -> the kiosk shows "paid", live sessions only).
Goals: kill_rounds >= 100, the three error counts 0, p95 <= 2000 ms.
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.payment.kill_rig import PaymentKillRig  # noqa: E402

ROUNDS = 120


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-payment-") as tmp:
        # The kiosk's default query interval (1 s) and a short QR countdown (the countdown only bounds a
        # session; payments land at random moments within 1.5x of it, some after the kill).
        rig = PaymentKillRig(Path(tmp), seed=14, session_s=2.0, poll_s=1.0)
        try:
            for index in range(ROUNDS):
                rig.kill_round()
                if (index + 1) % 20 == 0:
                    print(f"{index + 1} kill rounds, {rig.sessions} sessions, "
                          f"{time.monotonic() - started:.0f} s", file=sys.stderr)
            status = rig.finish()
            verdict = rig.verdict()
            latencies = rig.paid_to_screen_ms()
        finally:
            rig.close()
    print(f"final kiosk exit status {status}; {len(latencies)} live payments; "
          f"{time.monotonic() - started:.0f} s", file=sys.stderr)
    print(json.dumps({"sessions": rig.sessions, "kill_rounds": rig.kill_rounds, **verdict,
                      "paid_to_screen_p95_ms": round(p95(latencies), 1)}))


if __name__ == "__main__":
    main()
