"""Government self-service kiosk.

    python main.py                      kiosk per kiosk.toml: full screen, frameless
    python main.py --config FILE        another configuration file
    python main.py --demo               simulated devices + reference platform on 127.0.0.1;
                                        with no display: a scripted citizen session offscreen,
                                        screenshots and the receipt written to demo-output/
    python main.py diagnose [--json] [--demo]   headless health checks (exit 1 when unhealthy)
    python main.py queue status|retry|export    technician view of the outbox
    python main.py payments reconcile DATE|status   payment journal vs the platform's bill (exit 1 on differences)
    python main.py set-pin                      hash for [technician] pin_hash
    python main.py config show [--config FILE]  central config bundles in force, every key's value and source
    python main.py voice-helper ENGINE          internal: the care-mode speech process (kiosk/voice.py)
    python main.py update fetch|status|adopt    signed application updates (docs/updates.md)
    python main.py update-guard [--on-start|--watch S]   switch at idle, confirm or roll back a release
    python main.py release init|add|rollout|refresh|rotate-key|publish|show|serve   central release tooling
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from kiosk.config import ID_READER_BACKENDS, only_in_demo   # stdlib only: --help stays without Qt

REPO = Path(__file__).resolve().parent
EXIT_CONFIG = 2
DEMO_ID_READERS = only_in_demo(ID_READER_BACKENDS)   # ID-reader backends the demo may use (no hardware)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="main.py", description="Government self-service kiosk (PySide6).",
        epilog="Exit codes: 0 normal, 2 configuration or start-up problem (one line on stderr names it).")
    parser.add_argument("--config", default=str(REPO / "kiosk.toml"), help="configuration file (TOML)")
    parser.add_argument("--demo", action="store_true",
                        help="simulated devices and an in-process reference platform on 127.0.0.1")
    parser.add_argument("--autopilot", action="store_true",
                        help="run one scripted citizen session and quit (default with --demo and no display)")
    parser.add_argument("--output", default=str(REPO / "demo-output"),
                        help="where --autopilot writes step screenshots and the receipt")
    parser.add_argument("--language", choices=("zh_CN", "zh_HK", "en"), help="autopilot language")
    parser.add_argument("--id-reader", choices=DEMO_ID_READERS,
                        help="with --demo: sim (in-process) or sam_sim (real SAM driver on the pty simulator)")
    return parser.parse_args(argv)


def fail(message: str) -> "NoReturn":  # noqa: F821
    print(f"kiosk: {message}", file=sys.stderr)
    sys.exit(EXIT_CONFIG)


def load_configuration(args):
    from kiosk.config import ConfigError, config_from_dict, load_config
    try:
        if args.demo and not Path(args.config).exists():
            config = config_from_dict({}, demo=True)
        else:
            config = load_config(args.config, demo=args.demo)
    except ConfigError as exc:
        fail(f"configuration error: {exc}")
    if args.demo:
        # The demo never touches hardware, whatever the file says.
        devices = config.devices
        config = dataclasses.replace(
            config,
            kiosk=dataclasses.replace(config.kiosk, data_dir=str(REPO / "var" / "demo"), fullscreen=False),
            devices=dataclasses.replace(
                devices,
                # Simulated readers only: the in-process sim, or the real SAM driver on its pty simulator.
                id_reader=dataclasses.replace(
                    devices.id_reader,
                    backend=args.id_reader or (devices.id_reader.backend
                                               if devices.id_reader.backend in DEMO_ID_READERS else "sim")),
                camera=dataclasses.replace(devices.camera, backend="sim"),
                # The demo prints over TCP to a loopback ESC/POS emulator (sim/printer/),
                # which saves each job's bytes and a PNG rendering into the receipts folder.
                printer=dataclasses.replace(devices.printer, backend="emulator", output_dir=""),
                # A4 certificates: the in-process transport; the autopilot keeps the PDF it printed.
                document_printer=dataclasses.replace(devices.document_printer, backend="sim", output_dir="")))
    return config


HEADLESS_QPA = ("offscreen", "minimal")   # Qt platform plugins that draw on no screen


def qt_platform() -> str:
    """The Qt platform plugin asked for in QT_QPA_PLATFORM ("offscreen:opts" -> "offscreen")."""
    return os.environ.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()


def has_display() -> bool:
    """A screen someone can look at: X11, Wayland, or a Qt plugin that draws on a panel (eglfs,
    linuxfb, ...). QT_QPA_PLATFORM=offscreen or minimal draws nowhere, even with DISPLAY set."""
    if qt_platform() in HEADLESS_QPA:
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or qt_platform())


def wants_autopilot(args) -> bool:
    """--autopilot, or the demo where nobody could watch it (no display, or offscreen)."""
    return args.autopilot or (args.demo and not has_display())


def quit_kiosk(app, window) -> None:
    """Leave the event loop. A fullscreen kiosk window refuses to close (citizens must not close
    it) and Qt 6's quit() asks every window first, so the window is told to allow it."""
    window.allow_close = True
    app.quit()


def apply_qt_workarounds() -> None:
    """Once, before the first Qt signal: the PySide6 6.12 refcount workaround (version-gated,
    opt-out KIOSK_PYSIDE_REFCOUNT_FIX=0; bug and removal condition in kiosk/pyside_refcount_fix.py)."""
    from kiosk.pyside_refcount_fix import apply
    apply()


SUBCOMMANDS = ("diagnose", "queue", "set-pin", "voice-helper", "face-compare", "update", "update-guard", "release", "config", "payments")


def start_diagnose_platform(config, workdir: Path):
    """`diagnose --demo`: an in-process reference platform on 127.0.0.1 -> (server, url).

    Demo composition lives here, not in kiosk/: product code never imports reference_platform
    (.importlinter, contract "product-never-imports-reference-platform"). Like `main.py --demo`,
    the platform knows this kiosk's signing key and requires signatures, so "heartbeat accepted"
    also proves the request signature is accepted.
    """
    from kiosk.crypto import load_or_create_device_key
    from reference_platform.server import ReferencePlatformServer
    server = ReferencePlatformServer(workdir / "platform.sqlite3", signature_keys={
        config.kiosk.id: load_or_create_device_key(config.signing_key_path)})
    return server, server.start()


def demo_phone(platform_url: str):
    """The demo citizen's phone: pays a payment QR through the reference platform's provider simulator
    (POST /payments/sim/pay), off the GUI thread like a real phone would."""
    import threading

    import requests

    def pay(qr_content: str) -> None:
        threading.Thread(target=lambda: requests.post(platform_url + "/payments/sim/pay",
                                                      json={"qr_content": qr_content}, timeout=10),
                         name="demo-phone", daemon=True).start()
    return pay


def run_subcommand(argv) -> int:
    """Technician commands; they never open a window (safe over SSH)."""
    from kiosk import cli_tools
    command, rest = argv[0], list(argv[1:])
    if command in ("diagnose", "face-compare"):   # these run Qt objects (devices, face verification)
        apply_qt_workarounds()
    if command == "diagnose":
        return cli_tools.diagnose_main(rest, str(REPO / "kiosk.toml"), start_demo_platform=start_diagnose_platform)
    if command == "queue":
        return cli_tools.queue_main(rest, str(REPO / "kiosk.toml"))
    if command == "payments":
        return cli_tools.payments_main(rest, str(REPO / "kiosk.toml"))
    if command == "face-compare":
        from kiosk import face_compare
        return face_compare.main(rest, str(REPO / "kiosk.toml"))
    if command in ("update", "update-guard", "release"):   # no Qt: kiosk/update_cli.py
        from kiosk import update_cli
        if command == "release":
            return update_cli.release_main(rest)
        main_of = update_cli.update_main if command == "update" else update_cli.guard_main
        return main_of(rest, str(REPO / "kiosk.toml"))
    if command == "config":
        from kiosk.central_config import config_command
        return config_command(rest, str(REPO / "kiosk.toml"))
    if command == "voice-helper":   # how the PyInstaller build starts the speech process (no `-m` there)
        from kiosk import voice_helper
        return voice_helper.main([command, *rest])
    return cli_tools.set_pin_main(rest)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from kiosk.private_files import restrict_umask
    restrict_umask()          # everything this process creates (data, log, exports) is the kiosk user's alone
    if argv and argv[0] in SUBCOMMANDS:
        return run_subcommand(argv)
    args = parse_args(argv)
    config = load_configuration(args)
    from kiosk.central_config import at_start as central_config_at_start
    from kiosk.config import ConfigError
    try:
        config, central_store = central_config_at_start(config)   # kiosk.toml < group bundle < kiosk bundle
    except (ConfigError, OSError) as exc:
        fail(f"central configuration: {exc}")
    autopilot = wants_autopilot(args)
    if autopilot:
        # A scripted session in a 1280x800 window: no fullscreen lock, whatever the file says.
        config = dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, fullscreen=False))
        if not qt_platform():
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif not (has_display() or qt_platform()):   # an explicit QT_QPA_PLATFORM (tests, CI) is obeyed
        fail("no display: set DISPLAY (X11), WAYLAND_DISPLAY, or run with --demo for the offscreen autopilot")

    from kiosk.logging_setup import configure_logging
    log_file = Path(config.logging.file) if config.logging.file else config.data_dir / "kiosk.log"
    configure_logging(config.logging.level, log_file, stream=None if autopilot else sys.stderr)

    apply_qt_workarounds()
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv[:1])
    from screens.fonts import check_cjk_font
    font_problem = check_cjk_font()
    if font_problem:
        print(f"kiosk: warning: {font_problem}", file=sys.stderr)

    platform_server = None
    if args.demo:
        from reference_platform.server import ReferencePlatformServer
        from kiosk.crypto import load_or_create_device_key
        from reference_platform.catalog_signing import load_or_create_signing_key, write_public_key
        # The demo platform knows this kiosk's signing key, so signatures are checked end to end;
        # it signs its catalog with a demo key whose public half the demo kiosk requires.
        catalog_key = load_or_create_signing_key(config.data_dir / "demo-catalog-signing.pem")
        platform_server = ReferencePlatformServer(
            config.data_dir / "reference-platform.sqlite3",
            signature_keys={config.kiosk.id: load_or_create_device_key(config.signing_key_path)},
            catalog_signing_key=catalog_key)
        catalog_public_key = write_public_key(catalog_key, config.data_dir / "demo-catalog-public.pem")
        from reference_platform.photos import enrol_sim_identities
        # Face-only demo service; and each sample holder has the government app (identity by phone).
        enrol_sim_identities(platform_server.reference_photos, platform_server.app_identity.people)
        # Electronic licences: the platform's test issuer root is the demo kiosk's trust anchor.
        platform_server.licences.warm_up()
        anchor = config.data_dir / "demo-licence-root.pem"
        anchor.parent.mkdir(parents=True, exist_ok=True)
        anchor.write_bytes(platform_server.licences.root_pem())
        config = dataclasses.replace(config, certificates=dataclasses.replace(
            config.certificates, trust_anchor=str(anchor)))
        try:
            url = platform_server.start()
        except Exception as exc:
            fail(f"could not start the reference platform on 127.0.0.1: {exc}")
        config = dataclasses.replace(config, platform=dataclasses.replace(
            config.platform, url=url, catalog_public_key=str(catalog_public_key)))

    from kiosk.app import build_kiosk
    from kiosk.config import ConfigError
    try:
        parts = build_kiosk(config)
    except (ConfigError, ValueError, OSError) as exc:
        fail(f"start-up error: {exc}")
    parts.controller.open()
    window = parts.window
    from kiosk.field_kit import install_field_kit
    field_kit = install_field_kit(app, parts, config, log_file, demo=args.demo, autopilot=autopilot,
                                  central_store=central_store)
    if autopilot:
        from sim.demo.autopilot import Autopilot
        window.resize(1280, 800)
        window.show()
        # The PC/SC cards (social security card, passport) are not accepted for the elderly
        # allowance; with them the scripted citizen takes a queue ticket.
        service_id = "queue-ticket" if config.devices.id_reader.backend == "pcsc_sim" else "elderly-allowance"
        pilot = Autopilot(parts, Path(args.output), language=args.language or config.kiosk.default_language,
                          service_id=service_id,
                          # The in-process demo platform gives the sample holders the government app.
                          phone_sessions=args.demo and config.devices.id_reader.backend == "sim",
                          # issue 15: an A4 certificate (the embedded demo platform's issuer is the trust anchor)
                          certificate=platform_server is not None and config.devices.id_reader.backend == "sim",
                          phone_pays=demo_phone(config.platform.url)
                          if platform_server is not None and config.devices.id_reader.backend == "sim" else None)
        pilot.finished.connect(lambda: quit_kiosk(app, window))
        pilot.run()
    elif config.kiosk.fullscreen:
        window.showFullScreen()
    else:
        window.resize(1280, 800)
        window.show()
    code = app.exec()
    field_kit.stop()
    parts.close()
    if platform_server is not None:
        platform_server.stop()
    if autopilot:
        print(pilot.summary())
        return 0 if pilot.succeeded else 1
    return code


if __name__ == "__main__":
    # Helper processes (face worker, search index, receipt drawing) are spawned: in the frozen
    # bundle (PyInstaller) a child must not run main() again (pyinstaller docs, "multiprocessing").
    import multiprocessing
    multiprocessing.freeze_support()
    sys.exit(main())
