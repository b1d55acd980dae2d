"""Payment flow (统一支付): carries out the session's payment commands off the GUI thread.

The money logic is `kiosk.payments.PaymentRunner` (journal first, then the platform, Qt-free and
shared with the kill -9 rig); this coordinator adds the threads and the devices around it:

* StartPayment  -> job: journal the intent, create the order -> `payment_opened` (QR on screen);
                   then a poll loop (every poll_s, backoff on errors) until the platform's final word;
                   the scanner is enabled and the camera decodes payment codes while the QR is shown
* PayWithCode   -> job: micropay once, then USERPAYING queries up to code_wait_s, then reverse
* ClosePayment  -> job: close / reverse; a payment that landed first is settled (honoured)
* start-up      -> pending payments of earlier runs (crash, kill -9, power loss) are resolved
                   before the kiosk serves; then a sweeper every sweep_interval_s

Every platform call for one payment is serialised by one lock, so the poll loop and a cancel
never race on the journal. Nothing is reported as paid except a `PaymentStatus` whose outcome is
paid / paid_late (the platform said SUCCESS for the journalled amount and the application is in
the outbox with the payment reference).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading

from kiosk.core import session as s
from kiosk.flows.context import UNAVAILABLE, Coordinator, FlowContext
from kiosk.qr import qr_png
from kiosk.payments import PaymentClient, PaymentFailed, PaymentIntent, PaymentRunner, PaymentStatus, PaymentTimings

log = logging.getLogger(__name__)
BEIJING = dt.timezone(dt.timedelta(hours=8))   # the platform's calendar day (bills, "today")


def paid_receipt_fields(payment) -> dict:
    """Receipt fields for a settled payment only (kiosk.core.receipt.Receipt); {} otherwise."""
    if payment is None or payment.phase != "paid" or not payment.reference:
        return {}
    return {"paid_amount_fen": payment.amount_fen, "payment_reference": payment.reference,
            "payment_order_no": payment.order_no}


def timings_from(config) -> PaymentTimings:
    p = config.payment
    return PaymentTimings(poll_s=p.poll_s, poll_max_s=max(p.poll_s, 8.0), code_poll_s=p.code_poll_s,
                          code_wait_s=p.code_wait_s, create_timeout_s=p.create_timeout_s,
                          expire_s=max(60.0, p.qr_timeout_s * 2 + 60.0))


class PaymentFlow(Coordinator):
    def __init__(self, ctx: FlowContext, *, journal, scanner, parent=None):
        super().__init__(ctx, parent)
        self.journal = journal
        self.scanner = scanner
        self.runner = PaymentRunner(journal, ctx.outbox, PaymentClient(ctx.platform_client, ctx.config.kiosk.id),
                                    timings=timings_from(ctx.config),
                                    on_submitted=lambda _id: ctx.sync_worker.kick())
        self.last_summary: dict | None = None
        self.unresolved = 0
        self._lock = threading.Lock()          # one platform conversation per payment at a time
        self._active: str | None = None        # application id being paid in this session
        self._active_token = 0
        self._stop_poll = threading.Event()
        self._stopping = threading.Event()
        self._code_scanner = None
        if scanner is not None:
            scanner.code_scanned.connect(self._on_code)
            scanner.scan_rejected.connect(self._on_rejected)
        ctx.camera.frame_ready.connect(self._on_frame)

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Resolve earlier runs' payments before serving; then sweep periodically. Only when the
        journal holds unfinished payments (one indexed read at start-up) does the first session wait
        for their resolution (normally well under a second)."""
        pending = bool(self.journal.pending())
        self.session.payments_recovering = pending
        self.unresolved = -1 if pending else 0
        self.update_availability()
        self.ctx.jobs.start_loop("payment-sweeper", self._sweep_loop)

    def stop(self) -> None:
        self._stopping.set()
        self._stop_poll.set()

    def _sweep_loop(self) -> None:
        first = True
        while not self._stopping.is_set():
            try:
                exclude = frozenset({self._active}) if self._active else frozenset()
                with self._lock:
                    _resolved, unresolved = self.runner.resolve_pending(exclude)
            except Exception as exc:
                log.error("payment sweep failed", extra={"error": type(exc).__name__})
                unresolved = -1
            self.ctx.jobs.post(self._swept, unresolved, first)
            first = False
            if self._stopping.wait(self.ctx.config.payment.sweep_interval_s if unresolved == 0 else
                                   min(10.0, self.ctx.config.payment.sweep_interval_s)):
                return

    def _swept(self, unresolved: int, first: bool) -> None:
        self.unresolved = unresolved
        if first:
            self.session.payments_recovering = False
        self.update_availability()
        self.ctx.changed()

    def update_availability(self) -> None:
        """Fee-bearing services need the platform and no unresolved earlier payment."""
        self.session.payments_available = (self.unresolved == 0 and self.view.platform_online is not False
                                            and not self.session.payments_recovering)

    def summary(self) -> dict:
        """Technician: today's count and sum, pending, last errors (Beijing calendar day)."""
        data = self.journal.summary(dt.datetime.now(BEIJING).date(), BEIJING)
        data["unresolved"] = self.unresolved
        return data

    # --- commands -------------------------------------------------------------------------

    def start_payment(self, command: s.StartPayment) -> None:
        intent = PaymentIntent(command.application_id, self.ctx.config.kiosk.id, command.service_id,
                               command.amount_fen, command.items, dict(command.body))
        self._active, self._active_token = command.application_id, command.token
        self._stop_poll.clear()

        def open_order() -> tuple[PaymentStatus, bytes | None]:
            with self._lock:
                status = self.runner.open_order(intent)
            return status, (qr_png(status.qr_content) if status.qr_content else None)
        self.ctx.jobs.run("payment-open", open_order,
                          on_done=lambda result: self._opened(command.token, *result),
                          on_error=lambda exc: self._open_failed(command.token, exc))

    def _opened(self, token: int, status: PaymentStatus, png: bytes | None = None) -> None:
        if status.outcome is not None:
            self._final(token, status)
            return
        if token == self.session.token:
            self.view.payment_qr_png = png
        self.session.payment_opened(token, status.order_no, status.qr_content or "")
        payment = self.session.payment
        if token != self.session.token or payment is None or payment.phase != "waiting":
            return        # cancelled while the order was being created: ClosePayment takes it from here
        self._listen(True)
        application_id = status.application_id
        self.ctx.jobs.run("payment-poll", lambda: self._poll_loop(token, application_id))

    def _open_failed(self, token: int, exc: Exception) -> None:
        outcome = exc.status.outcome if isinstance(exc, PaymentFailed) else "unavailable"
        self._final(token, PaymentStatus(self._active or "", "", 0, outcome=outcome))

    def _poll_loop(self, token: int, application_id: str) -> None:
        timings = self.runner.timings
        delay = timings.poll_s
        while not self._stop_poll.wait(delay):
            if not self._lock.acquire(blocking=False):
                continue                      # a code payment or a close is talking to the platform
            try:
                status = self.runner.poll(application_id)
                delay = timings.poll_s
            except Exception as exc:
                log.info("payment poll failed", extra={"error": type(exc).__name__})
                delay = min(delay * 2, timings.poll_max_s)
                continue
            finally:
                self._lock.release()
            if status.outcome is not None:
                self.ctx.jobs.post(self._final, token, status)
                return

    def pay_with_code(self, command: s.PayWithCode) -> None:
        def pay() -> PaymentStatus:
            with self._lock:
                status = self.runner.pay_with_code(command.application_id, command.code)
                if status.outcome is None and status.trade_state in ("USERPAYING", None):
                    status = self.runner.wait_for_code(command.application_id, stop=self._stop_poll.is_set)
                return status
        self.ctx.jobs.run("payment-code", pay, on_done=lambda status: self._code_done(command.token, status),
                          on_error=lambda exc: self.session.payment_code_back_to_qr(command.token, "code_failed"))

    def _code_done(self, token: int, status: PaymentStatus) -> None:
        if status.outcome is not None:
            self._final(token, status)
        else:
            self.session.payment_code_back_to_qr(token, "code_not_accepted")

    def close_payment(self, command: s.ClosePayment) -> None:
        self._stop_poll.set()

        def close() -> PaymentStatus:
            with self._lock:
                return self.runner.cancel(command.application_id, command.reason)
        self.ctx.jobs.run("payment-close", close, on_done=lambda status: self._final(command.token, status),
                          on_error=lambda exc: self._final(command.token, PaymentStatus(
                              command.application_id, "", 0, outcome="unresolved")))

    def _final(self, token: int, status: PaymentStatus) -> None:
        self._stop_poll.set()
        self._listen(False)
        if token == self._active_token:
            self._active = None
        if status.settled:
            log.info("payment settled", extra={"order": status.order_no, "outcome": status.outcome})
            self.session.payment_settled(token, status.outcome or "paid", status.reference or "", status.paid_at)
        else:
            log.info("payment ended unpaid", extra={"order": status.order_no, "outcome": status.outcome})
            self.session.payment_ended(token, status.outcome or "unresolved")

    def session_ended(self) -> None:
        """The citizen is gone. A payment not brought to an end (the session gave up waiting on the
        platform) is resolved now by the sweeper's code: queried, then settled or closed."""
        self._listen(False)
        self.view.payment_qr_png = None
        self._stop_poll.set()
        if self._active is not None:
            self._active = None
            self.ctx.jobs.run("payment-resolve", self._resolve_now)

    def _resolve_now(self) -> None:
        with self._lock:
            self.runner.resolve_pending()

    def resolve_now(self) -> dict:
        """Technician "Resolve pending" (background thread): the sweeper's work now, then the summary."""
        exclude = frozenset({self._active}) if self._active else frozenset()
        with self._lock:
            _resolved, self.unresolved = self.runner.resolve_pending(exclude)
        return self.summary()

    # --- payment codes: scanner and camera --------------------------------------------------

    def _listen(self, on: bool) -> None:
        if self.scanner is not None:
            (self.scanner.enable if on else self.scanner.disable)()
        camera_ok = self.ctx.camera.status().value not in UNAVAILABLE
        if on and camera_ok:
            if self._code_scanner is None:
                from kiosk.barcodes import first_text
                from kiosk.qr_scan import QrScanner
                self._code_scanner = QrScanner(lambda text: self.ctx.jobs.post(self._on_code, text),
                                               decode=lambda frame: first_text(frame, "payment"))
            self._code_scanner.begin()
            self.ctx.camera.start()
        elif not on and self._code_scanner is not None and self._code_scanner.active:
            self._code_scanner.cancel()
            self.ctx.camera.stop()

    def _on_frame(self, frame) -> None:
        if self._code_scanner is not None and self._code_scanner.active:
            self._code_scanner.offer(frame)

    def _on_code(self, code: str) -> None:
        self.session.payment_code_read(code)
        payment = self.session.payment
        if payment is not None and payment.phase == "waiting" and self._code_scanner is not None:
            self._code_scanner.begin()      # one result per scan: keep looking while the QR is shown

    def _on_rejected(self, reason: str) -> None:
        self.session.payment_code_read("")   # shown as "not a payment code, please scan again"

    def close(self) -> None:
        self.stop()
        if self._code_scanner is not None:
            self._code_scanner.stop()

