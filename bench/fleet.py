"""Fleet simulation: 200 kiosks' outboxes reconnecting after a 1-hour platform outage.

    .venv/bin/python bench/fleet.py

SIMULATED TIME (discrete events), not wall-clock: 200 kiosks x 3 hours would otherwise take
3 hours. What is real: each kiosk's retry timing comes from the production classes
`offline_cache.backoff.BackoffPolicy` (full-jitter exponential backoff, cap 300 s) and
`CircuitBreaker` (opens after 5 consecutive failures, half-open probe after a 30 s cool-down,
cool-down jitter 0.5 as the SyncWorker uses it), driven by a simulated clock, and the
worker's rules of offline_cache/sync.py: one request at a time per kiosk, a failed row waits
for its own backoff, a half-open breaker probes with the oldest row at once, a successful probe after an outage makes the whole backlog due at once
(expedite) and the kiosk then drains back to back (one request per `SERVICE_S`).

Load: every kiosk receives applications as a Poisson process (`RATE_PER_H` per hour) for
1 hour of steady state, then the platform is down for 1 hour (kiosks keep accepting and
queueing), then up again. Every attempt that reaches the platform's address is counted in
1-second bins (failed attempts during the outage too: they are the load a returning
platform or its load balancer sees).

Compared: "jitter" (the shipped policy) vs "no_jitter" (same exponential schedule and
cool-down, deterministic). Reported: steady-state request rate, peak 1-s rate after the
platform returns, their ratio, and the time until every backlog is drained.
The last line is one JSON object.
"""
from __future__ import annotations

import heapq
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from offline_cache.backoff import BackoffPolicy, CircuitBreaker  # noqa: E402

KIOSKS = 200
RATE_PER_H = 6.0            # applications per kiosk per hour (a busy service hall terminal)
STEADY_S = 3600.0
OUTAGE_S = 3600.0
AFTER_S = 3600.0
SERVICE_S = 0.05            # one submission round trip when the platform is healthy
SEED = 20261123


class NoJitterPolicy(BackoffPolicy):
    def delay(self, failed_attempts, retry_after_s=None, rng=None):
        return min(self.cap_s, self.base_s * (2 ** min(max(0, failed_attempts - 1), 62)))


class SimClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def simulate(jitter: bool) -> dict:
    rng = random.Random(SEED)
    clock = SimClock()
    outage_start, outage_end = STEADY_S, STEADY_S + OUTAGE_S
    end = outage_end + AFTER_S
    policy = BackoffPolicy() if jitter else NoJitterPolicy()
    kiosks = []
    events: list[tuple[float, int, int, str]] = []   # (time, seq, kiosk, kind)
    seq = 0

    def push(t, k, kind):
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t, seq, k, kind))

    for k in range(KIOSKS):
        breaker = CircuitBreaker(failure_threshold=5, cooldown_s=30.0, clock=clock,
                                 jitter=0.5 if jitter else 0.0, rng=random.Random(rng.random()))
        kiosks.append({"queue": [], "breaker": breaker, "wake_at": None, "busy": False})
        t = rng.expovariate(RATE_PER_H / 3600.0)
        while t < end:
            push(t, k, "arrival")
            t += rng.expovariate(RATE_PER_H / 3600.0)

    requests_per_s: dict[int, int] = {}
    backlog_kiosks = None            # kiosks holding a backlog when the platform came back
    last_drained = {}

    def platform_up(t):
        return not (outage_start <= t < outage_end)

    def schedule_wake(k, t):
        kiosk = kiosks[k]
        if kiosk["wake_at"] is None or t < kiosk["wake_at"]:
            kiosk["wake_at"] = t
            push(t, k, "wake")

    def next_wake(k):
        kiosk = kiosks[k]
        breaker = kiosk["breaker"]
        if not kiosk["queue"]:
            return
        if not breaker.allow_request():
            # +1 ms: a wake computed as exactly opened_at + cooldown can land a rounding error short.
            schedule_wake(k, clock.now + max(breaker.seconds_until_probe(), 0.001))
            return
        if breaker.state == CircuitBreaker.HALF_OPEN:
            schedule_wake(k, clock.now)        # probe with the oldest row at once (SyncWorker._probe_due)
            return
        schedule_wake(k, max(clock.now, min(item["due"] for item in kiosk["queue"])))

    while events:
        t, _, k, kind = heapq.heappop(events)
        if t > end:
            break
        clock.now = t
        if t >= outage_end and backlog_kiosks is None:
            backlog_kiosks = {i for i, ks in enumerate(kiosks) if ks["queue"]}
        kiosk = kiosks[k]
        if kind == "arrival":
            kiosk["queue"].append({"due": t, "attempts": 0})
            next_wake(k)
            continue
        if kind == "wake":
            if kiosk["wake_at"] != t:
                continue                       # superseded by an earlier wake
            kiosk["wake_at"] = None
        breaker = kiosk["breaker"]
        if not breaker.allow_request():
            next_wake(k)
            continue
        probing = breaker.state != CircuitBreaker.CLOSED
        due = kiosk["queue"] if probing else [item for item in kiosk["queue"] if item["due"] <= t]
        if not due:
            next_wake(k)
            continue
        item = min(due, key=lambda i: i["due"])
        requests_per_s[int(t)] = requests_per_s.get(int(t), 0) + 1
        item["attempts"] += 1
        if platform_up(t):
            outage_ended = probing or breaker.consecutive_failures > 0
            breaker.record_success()
            kiosk["queue"].remove(item)
            if outage_ended:
                for other in kiosk["queue"]:
                    other["due"] = t
            if not kiosk["queue"] and backlog_kiosks and k in backlog_kiosks and k not in last_drained:
                last_drained[k] = t          # first moment this kiosk's outage backlog is gone
            clock.now = t + SERVICE_S
            next_wake(k)
        else:
            breaker.record_failure()
            item["due"] = t + policy.delay(item["attempts"], None, rng)
            next_wake(k)

    steady = sum(n for s, n in requests_per_s.items() if 600 <= s < outage_start) / (outage_start - 600)
    after = {s: n for s, n in requests_per_s.items() if s >= outage_end}
    peak_after = max(after.values()) if after else 0
    during = {s: n for s, n in requests_per_s.items() if outage_start <= s < outage_end}
    backlog_done = max(last_drained.values(), default=outage_end) - outage_end
    first_10s = sum(n for s, n in after.items() if s < outage_end + 10)
    return {"steady_rps": steady, "peak_rps_after_outage": peak_after, "peak_ratio": peak_after / steady,
            "peak_rps_during_outage": max(during.values()) if during else 0,
            "requests_first_10s_after": first_10s, "drain_all_backlogs_s": backlog_done,
            "kiosks_with_backlog": len(backlog_kiosks or ()), "backlogs_drained": len(last_drained)}


def main() -> None:
    with_jitter = simulate(jitter=True)
    without = simulate(jitter=False)
    for name, r in (("jitter", with_jitter), ("no jitter", without)):
        print(f"{name:9}: steady {r['steady_rps']:.3f} req/s; after the outage peak {r['peak_rps_after_outage']} req/s "
              f"({r['peak_ratio']:.0f}x steady), {r['requests_first_10s_after']} requests in the first 10 s, "
              f"backlogs drained in {r['drain_all_backlogs_s']:.0f} s; peak during outage "
              f"{r['peak_rps_during_outage']} req/s")
    result = {"kiosks": KIOSKS, "outage_s": OUTAGE_S, "simulated_time": True,
              "steady_rps": round(with_jitter["steady_rps"], 3),
              "peak_rps_jitter": with_jitter["peak_rps_after_outage"],
              "peak_rps_no_jitter": without["peak_rps_after_outage"],
              "peak_ratio_jitter": round(with_jitter["peak_ratio"], 1),
              "peak_ratio_no_jitter": round(without["peak_ratio"], 1),
              "peak_rps_during_outage_jitter": with_jitter["peak_rps_during_outage"],
              "peak_rps_during_outage_no_jitter": without["peak_rps_during_outage"],
              "drain_s_jitter": round(with_jitter["drain_all_backlogs_s"], 1),
              "drain_s_no_jitter": round(without["drain_all_backlogs_s"], 1),
              "kiosks_with_backlog": with_jitter["kiosks_with_backlog"],
              "backlogs_drained_jitter": with_jitter["backlogs_drained"],
              "backlogs_drained_no_jitter": without["backlogs_drained"]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
