"""The kill -9 rig of the payment step: a real platform (in this process), a kiosk-side process
(sim/payment/kiosk_child.py) killed with SIGKILL at random moments, and the citizen's phone
paying the QR codes it shows at random moments (sometimes after the kill). `verdict()` counts
what must never happen: double charges, orphan payments (money kept, no application), anything
shown as paid that the provider never charged. Used by tests/test_payment_kill9.py (a few
rounds) and bench/payment.py (100+ rounds)."""
from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from reference_platform.server import ReferencePlatformServer

REPO = Path(__file__).resolve().parents[2]


class PaymentKillRig:
    def __init__(self, workdir: Path, *, seed: int = 1, pay_probability: float = 0.7, session_s: float = 0.6,
                 poll_s: float = 0.05):
        self.workdir = Path(workdir)
        (self.workdir / "kiosk").mkdir(parents=True, exist_ok=True)
        self.random = random.Random(seed)
        self.pay_probability = pay_probability
        self.session_s = session_s
        self.poll_s = poll_s        # the kiosk's query interval ([payment] poll_s; default 1 s)
        self.server = ReferencePlatformServer(self.workdir / "platform.sqlite3")
        self.url = self.server.start()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sim.payment.kiosk_child", str(self.workdir / "kiosk"), self.url,
             str(self.workdir / "kiosk.log")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
        # The child's lines are read on a thread into a queue: select() on the buffered pipe would miss
        # lines already read into its buffer (two lines arriving together left "exited" unseen).
        self._lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True, name="kill-rig-reader").start()
        self.http = requests.Session()
        self.shown_paid: dict[str, tuple[str, float, bool]] = {}   # app id -> (order, time, live path)
        self.sessions = 0
        self.kill_rounds = 0
        self._payers: list[threading.Thread] = []

    def _pump(self) -> None:
        for line in iter(self.proc.stdout.readline, b""):
            self._lines.put(line)
        self._lines.put(b"")                       # end of file: the zygote died

    def _line(self, timeout_s: float | None = None) -> list[str] | None:
        """The child's next line, split; None when `timeout_s` passes without one (None: wait)."""
        try:
            line = self._lines.get(timeout=timeout_s)
        except queue.Empty:
            return None
        if not line:
            raise RuntimeError("kiosk zygote died")
        return line.decode().split()

    def _child_pid(self) -> int:
        words = self._line(60.0)
        if words is None or words[0] != "child":
            raise RuntimeError(f"kiosk zygote did not fork a child: {words}")
        return int(words[1])

    def _pay_later(self, qr: str, delay_s: float) -> None:
        def pay():
            time.sleep(delay_s)
            try:
                self.http.post(self.url + "/payments/sim/pay", json={"qr_content": qr}, timeout=5)
            except requests.RequestException:
                pass
        thread = threading.Thread(target=pay, daemon=True)
        thread.start()
        self._payers.append(thread)

    def _read_until_exit(self, pid: int, kill_at: float | None, timeout_s: float = 120.0,
                         kill_after_first_qr_s: float | None = None) -> int:
        """Read the child's events until it exits; SIGKILL it at `kill_at` (monotonic), or
        `kill_after_first_qr_s` after the first QR code it shows (so a slow machine, where the
        child takes longer to reach its first QR, still kills it during the payment sessions)."""
        deadline = time.monotonic() + timeout_s
        no_qr_by = time.monotonic() + 20.0      # a child that never shows a QR is killed all the same
        killed = False
        while True:
            if time.monotonic() > deadline:
                raise RuntimeError("kiosk process did not finish")
            if kill_at is None and kill_after_first_qr_s is not None and time.monotonic() > no_qr_by:
                kill_at = time.monotonic()
            if kill_at is not None and not killed and time.monotonic() >= kill_at:
                os.kill(pid, signal.SIGKILL)
                killed = True
            if killed:
                wait_s = max(0.0, deadline - time.monotonic())
            else:
                wait_s = max(0.0, kill_at - time.monotonic()) if kill_at is not None else 0.5
            words = self._line(wait_s)
            if words is None:
                continue
            if words[0] == "qr":
                self.sessions += 1
                if kill_at is None and kill_after_first_qr_s is not None:
                    kill_at = time.monotonic() + kill_after_first_qr_s
                if self.random.random() < self.pay_probability:
                    # Mostly within the countdown; some land after it or after the kill (late payments).
                    self._pay_later(words[2], self.random.uniform(0.0, self.session_s * 1.5))
            elif words[0] == "paid":
                self.shown_paid[words[1]] = (words[2], float(words[3]), True)
            elif words[0] == "exited" and int(words[1]) == pid:
                return int(words[2])

    def kill_round(self) -> None:
        """One kiosk process, SIGKILLed at a random moment: in 1 round of 5 early (while it starts
        and creates its first order), otherwise at a random moment after its first QR code."""
        self.proc.stdin.write(f"run {self.session_s} {self.poll_s}\n".encode())
        self.proc.stdin.flush()
        pid = self._child_pid()
        if self.random.random() < 0.2:
            self._read_until_exit(pid, time.monotonic() + self.random.uniform(0.05, 0.3))
        else:
            self._read_until_exit(pid, None, kill_after_first_qr_s=self.random.uniform(0.0, 2.0 * self.session_s))
        self.kill_rounds += 1

    def finish(self) -> int:
        """Let the late payments land, then a last kiosk resolves everything and drains the outbox."""
        for thread in self._payers:
            thread.join(10)
        self.proc.stdin.write(b"finish\n")
        self.proc.stdin.flush()
        pid = self._child_pid()
        return self._read_until_exit(pid, None)

    def verdict(self) -> dict:
        desk = self.server.payments
        trades = {t.out_trade_no: t for t in desk.provider.trades()}
        applications = {a["application_id"] for a in self.server.store.applications()}
        double = orphan = unpaid_shown = 0
        for order in desk.orders():
            trade = trades.get(order.order_no)
            net = 0 if trade is None else sum(c.amount_fen for c in trade.charges) - sum(r.amount_fen for r in trade.refunds)
            if net > order.amount_fen:
                double += 1
            if net > 0 and order.application_id not in applications:
                orphan += 1
            if order.application_id in applications and net != order.amount_fen:
                unpaid_shown += 1                   # submitted without its money
        for application_id, (order_no, _, _) in self.shown_paid.items():
            trade = trades.get(order_no)
            if trade is None or not trade.charges:
                unpaid_shown += 1
        return {"double_charged": double, "orphan_payments": orphan, "unpaid_marked_paid": unpaid_shown}

    def paid_to_screen_ms(self) -> list[float]:
        trades = {t.out_trade_no: t for t in self.server.payments.provider.trades()}
        latencies = []
        for order_no, shown_at, live in self.shown_paid.values():
            trade = trades.get(order_no)
            if live and trade is not None and trade.charges:
                latencies.append((shown_at - trade.charges[0].at) * 1000.0)
        return latencies

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(10)
        except Exception:
            self.proc.kill()
        self.server.stop()
