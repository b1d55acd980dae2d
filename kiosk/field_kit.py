"""What a field kiosk adds around the citizen screens: technician mode, lockdown,
the systemd watchdog, SIGTERM handling and Prometheus metrics (called by main.py)."""
from __future__ import annotations

import dataclasses
import sys


def fail(message: str) -> "NoReturn":  # noqa: F821
    print(f"kiosk: {message}", file=sys.stderr)
    sys.exit(2)


DEMO_TECHNICIAN_PIN = "123456"


class FieldKit:
    """Technician mode, lockdown, systemd watchdog and Prometheus metrics of a running kiosk."""

    def __init__(self):
        self.technician = self.lockdown = self.watchdog = self.metrics = None
        self.update_beacon = self.central_config = None

    def stop(self) -> None:
        if self.central_config is not None:
            self.central_config.stop()
        if self.watchdog is not None:
            self.watchdog.stop()
        if self.metrics is not None:
            self.metrics.stop()
        if self.update_beacon is not None:
            self.update_beacon.stop()


def install_sigterm_quit(app, parts) -> None:
    """`systemctl stop` sends SIGTERM: leave the event loop so devices and the outbox close cleanly.
    Python runs signal handlers only when it gets control, hence the idle timer."""
    import signal

    from PySide6.QtCore import QTimer

    def on_term(_signum, _frame):
        parts.window.allow_close = True
        app.quit()
    signal.signal(signal.SIGTERM, on_term)
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)


def install_field_kit(app, parts, config, log_file, *, demo: bool, autopilot: bool, central_store=None) -> FieldKit:
    kit = FieldKit()
    if demo and not config.technician.pin_hash:
        from kiosk.technician_pin import hash_pin
        config = dataclasses.replace(config, technician=dataclasses.replace(
            config.technician, pin_hash=hash_pin(DEMO_TECHNICIAN_PIN)))
        print(f"kiosk: demo technician mode: tap the top-left corner 5 times, PIN {DEMO_TECHNICIAN_PIN}",
              file=sys.stderr)
    demo_passport = getattr(parts.controller.id_reader, "demo_mrz_key", lambda: None)() if demo else None
    if demo_passport:
        # The virtual passport (pcsc_sim, sim_card = "emrtd"): what its photo page would show.
        print("kiosk: demo passport photo page: number {}, date of birth {}, expiry {} (YYMMDD)".format(
            *demo_passport), file=sys.stderr)
    if not autopilot:
        from screens.technician import install_technician_mode
        kit.technician = install_technician_mode(parts.window, parts.controller, config, log_file=log_file)

        def exit_from_technician():
            parts.window.allow_close = True
            app.quit()
        kit.technician.service.exit_requested.connect(exit_from_technician)
    if config.kiosk.fullscreen and not autopilot:
        from screens.lockdown import install_lockdown
        kit.lockdown = install_lockdown(app, parts.window)
    from kiosk.watchdog import GuiWatchdog
    kit.watchdog = GuiWatchdog()
    kit.watchdog.start()
    install_sigterm_quit(app, parts)
    # Tells the update guard when the kiosk is idle and that this release reached its first
    # idle screen (kiosk/update_beacon.py; docs/updates.md).
    from kiosk.update_beacon import UpdateBeacon
    kit.update_beacon = UpdateBeacon(config.data_dir)
    controller = parts.controller
    controller.changed.connect(lambda: kit.update_beacon.observe(controller.session.state.value))
    kit.update_beacon.observe(controller.session.state.value)
    if config.metrics.port:
        from kiosk.metrics import KioskMetrics
        kit.metrics = KioskMetrics(config.kiosk.id)
        try:
            kit.metrics.serve(config.metrics.address, config.metrics.port)
        except OSError as exc:
            fail(f"metrics.port: cannot listen on {config.metrics.address}:{config.metrics.port}: {exc}")
        parts.controller.metrics = kit.metrics
    if central_store is not None:
        kit.central_config = install_central_config(app, parts, config, central_store)
    return kit


def install_central_config(app, parts, config, store):
    """Configuration from the centre (kiosk/flows/central_config.py): applied at idle; a change that
    needs a restart ends the event loop and systemd (Restart=always) starts the kiosk again."""
    from kiosk.flows.central_config import CentralConfigFlow
    from kiosk.flows.controller import session_timeouts
    flow = CentralConfigFlow(parts.controller, store, parts.controller.platform_client,
                             poll_s=config.fleet.config_poll_s, confirm_s=config.fleet.config_confirm_s,
                             session_timeouts=session_timeouts, parent=app)

    def restart(reason: str) -> None:
        print(f"kiosk: restarting: {reason}", file=sys.stderr)
        parts.window.allow_close = True
        app.exit(RESTART_EXIT_CODE)
    flow.restart_requested.connect(restart)
    flow.start()
    return flow


RESTART_EXIT_CODE = 75   # "restart me" (EX_TEMPFAIL); kiosk.service has Restart=always
