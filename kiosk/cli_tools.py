"""Headless technician commands (`main.py diagnose|queue|set-pin`), for SSH in the field.

    python main.py diagnose [--json] [--demo] [--config FILE]
    python main.py queue status|retry [ID ...]|export FILE [--config FILE] [--json]
    python main.py set-pin

Exit codes: 0 healthy / done, 1 something unhealthy (diagnose) or nothing to do,
2 configuration or usage problem (one line on stderr).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

EXIT_OK, EXIT_UNHEALTHY, EXIT_CONFIG = 0, 1, 2
DEVICE_SETTLE_S = 8.0


def _load_config(path: str, demo: bool):
    from kiosk.config import ConfigError, config_from_dict, load_config
    try:
        if demo and not Path(path).exists():
            return config_from_dict({}, demo=True)
        return load_config(path, demo=demo)
    except ConfigError as exc:
        print(f"kiosk: configuration error: {exc}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)


def _demo_config(config, data_dir: Path):
    """Simulated devices, fresh data dir; the platform URL is set once the server runs."""
    devices = config.devices
    from sim.identities import camera_source_for
    # The sample photos are never bundled (rights not cleared): without them the simulated
    # camera replays plain frames, which still exercises the whole device stack.
    camera_scenario = "ok" if camera_source_for(devices.id_reader.identity).exists() else "no_face"
    return dataclasses.replace(
        config,
        kiosk=dataclasses.replace(config.kiosk, data_dir=str(data_dir), fullscreen=False),
        devices=dataclasses.replace(
            devices,
            id_reader=dataclasses.replace(devices.id_reader, backend="sim", scenario="ok"),
            camera=dataclasses.replace(devices.camera, backend="sim", scenario=camera_scenario, source=""),
            printer=dataclasses.replace(devices.printer, backend="sim", scenario="ok", output_dir="")))


def run_diagnostics(config, *, settle_s: float = DEVICE_SETTLE_S):
    """Opens the configured devices, checks them, the platform link, outbox and catalog."""
    from kiosk import diagnostics as d
    from kiosk.heartbeat import build_heartbeat
    report = d.DiagnosticsReport(kiosk_id=config.kiosk.id, software_version=d.software_version())
    devices = _open_devices(config, report)
    for device in devices:
        d.wait_until_settled(device, settle_s)
    for device in devices:
        report.checks.append(d.check_device(device))
    device_status = {dev.name: dev.status().value for dev in devices}
    paper = next((dev.paper_status() for dev in devices if dev.name == "printer"), "unknown")
    for device in devices:
        device.close()

    outbox = None
    stats = None
    if config.outbox_path.exists():
        from offline_cache.outbox import Outbox
        try:
            outbox = Outbox(config.outbox_path, config.device_key_path)
            report.checks.append(d.check_outbox(outbox))
            stats = outbox.stats()
        except Exception as exc:
            report.checks.append(d.CheckResult("outbox", False, f"cannot open: {type(exc).__name__}: {exc}"))
    else:
        report.checks.append(d.CheckResult("outbox", True, "empty (no outbox database yet)",
                                           {"path": str(config.outbox_path)}))
    report.checks.append(d.check_catalog_cache(config.data_dir / "catalog.json"))
    report.checks.append(d.check_face_engine(config.face))
    report.checks.append(d.check_key_store(config.security.key_store, config.data_dir))
    report.checks.append(d.check_updates(config.update))

    report.checks += d.check_platform_link(config.platform.url, ca_bundle=config.platform.ca_bundle or None,
                                           timeout_s=config.platform.connect_timeout_s)
    if all(c.ok for c in report.checks if c.name.startswith("platform.")):
        client = make_platform_client(config)
        from kiosk.technician_pin import lockout_report, lockout_state_path
        body = build_heartbeat(config.kiosk.id, device_status, paper, stats, source="diagnose",
                               technician=lockout_report(lockout_state_path(config.data_dir)))
        report.checks += d.check_platform_api(client, body)
        client.close()
    if outbox is not None:
        outbox.close()
    return report


def make_platform_client(config):
    """The client exactly as the kiosk builds it (kiosk/app.py): pinned CA, mTLS, request signatures."""
    from kiosk.crypto import load_or_create_device_key
    from kiosk.platform import PlatformClient
    from kiosk.signing import make_signer
    p = config.platform
    return PlatformClient(p.url, config.kiosk.id, connect_timeout=p.connect_timeout_s, read_timeout=p.read_timeout_s,
                          ca_bundle=p.ca_bundle or None,
                          client_cert=(p.client_cert, p.client_key) if p.client_cert else None,
                          signer=make_signer(p.signature_alg, load_or_create_device_key(config.signing_key_path)))


def _open_devices(config, report) -> list:
    """Builds and opens each configured device; a device that cannot even be built is a failed check."""
    from devices.camera import create_camera
    from devices.id_reader import create_id_reader
    from devices.printer import create_printer
    from kiosk.diagnostics import CheckResult

    devices = []
    builders = (
        ("id_reader", lambda: create_id_reader(config.devices.id_reader)),
        ("camera", lambda: create_camera(config.devices.camera, sim_identity=config.devices.id_reader.identity)),
        ("printer", lambda: create_printer(config.devices.printer,
                                           output_dir=config.receipts_dir)),
    )
    for name, build in builders:
        try:
            device = build()
        except Exception as exc:
            report.checks.append(CheckResult(f"device.{name}", False,
                                             f"cannot be created: {type(exc).__name__}: {exc}", {}))
            continue
        device.open()
        devices.append(device)
    return devices


def diagnose_main(argv: list[str], default_config: str, start_demo_platform=None) -> int:
    """`main.py diagnose`. With --demo, `start_demo_platform(config, workdir) -> (server, url)`
    starts the in-process reference platform; main.py (the demo composition) passes it, so
    product code never imports `reference_platform` (contract in .importlinter)."""
    parser = argparse.ArgumentParser(prog="main.py diagnose",
                                     description="Check devices, platform link, outbox and catalog; "
                                                 "exit 1 when a device or the platform link is unhealthy.")
    parser.add_argument("--config", default=default_config)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--demo", action="store_true",
                        help="simulated devices and an in-process reference platform on 127.0.0.1")
    args = parser.parse_args(argv)
    config = _load_config(args.config, args.demo)
    _quiet_logging()
    server = None
    workdir = None
    if args.demo:
        workdir = tempfile.TemporaryDirectory(prefix="kiosk-diagnose-")
        config = _demo_config(config, Path(workdir.name))
        if start_demo_platform is None:
            raise SystemExit("diagnose --demo: no demo platform wired in (run it as `main.py diagnose --demo`)")
        server, url = start_demo_platform(config, Path(workdir.name))
        config = dataclasses.replace(config, platform=dataclasses.replace(config.platform, url=url))
    try:
        from PySide6.QtCore import QCoreApplication
        app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])  # noqa: F841 (devices are QObjects)
        report = run_diagnostics(config)
    finally:
        if server is not None:
            server.stop()
        if workdir is not None:
            workdir.cleanup()
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(report.format_text())
    return EXIT_OK if report.healthy else EXIT_UNHEALTHY


def queue_main(argv: list[str], default_config: str) -> int:
    parser = argparse.ArgumentParser(prog="main.py queue", description="Technician view of the outbox.")
    parser.add_argument("--config", default=default_config)
    parser.add_argument("--json", action="store_true")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("status", help="pending, oldest age, dead-lettered entries with reasons")
    retry = sub.add_parser("retry", help="send dead-lettered entries again (all, or the ids given)")
    retry.add_argument("ids", nargs="*")
    export = sub.add_parser("export", help="copy of the outbox; personal data stays encrypted")
    export.add_argument("file")
    args = parser.parse_args(argv)
    config = _load_config(args.config, demo=False)
    _quiet_logging()
    from offline_cache import queue_admin
    from offline_cache.outbox import Outbox, OutboxError
    if not config.outbox_path.exists():
        print(f"kiosk: no outbox at {config.outbox_path} (nothing was ever submitted here)", file=sys.stderr)
        return EXIT_CONFIG
    try:
        outbox = Outbox(config.outbox_path, config.device_key_path)
    except (OutboxError, OSError, ValueError) as exc:
        print(f"kiosk: cannot open the outbox: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        if args.action == "status":
            status = queue_admin.queue_status(outbox)
            if args.json:
                print(json.dumps(status, ensure_ascii=False))
            else:
                print(queue_admin.format_queue_status(status))
            return EXIT_OK
        if args.action == "retry":
            revived = queue_admin.retry_dead(outbox, args.ids or None)
            print(json.dumps({"revived": revived}) if args.json else f"{revived} entries queued again")
            return EXIT_OK if revived else EXIT_UNHEALTHY
        target, count = queue_admin.export_queue(outbox, Path(args.file))
        print(json.dumps({"exported": str(target), "entries": count}) if args.json
              else f"{count} undelivered entries exported to {target} (payloads stay encrypted)")
        return EXIT_OK
    finally:
        outbox.close()


def payments_main(argv: list[str], default_config: str) -> int:
    """`main.py payments reconcile DATE`: the kiosk's payment journal against the platform's bill."""
    import datetime as dt
    parser = argparse.ArgumentParser(prog="main.py payments", description="Technician view of payments.")
    parser.add_argument("--config", default=default_config)
    parser.add_argument("--json", action="store_true")
    sub = parser.add_subparsers(dest="action", required=True)
    reconcile_cmd = sub.add_parser("reconcile", help="compare the journal with the platform's bill of DATE; "
                                                     "exit 1 on differences")
    reconcile_cmd.add_argument("date", help="YYYY-MM-DD (Beijing calendar day)")
    sub.add_parser("status", help="today's count and sum, pending payments, last errors")
    args = parser.parse_args(argv)
    config = _load_config(args.config, demo=False)
    _quiet_logging()
    from kiosk.core.payment_reconcile import KioskPayment, reconcile
    from offline_cache.payments import PaymentJournal
    beijing = dt.timezone(dt.timedelta(hours=8))
    journal = PaymentJournal(config.payments_path, config.device_key_path)
    try:
        if args.action == "status":
            summary = journal.summary(dt.datetime.now(beijing).date(), beijing)
            print(json.dumps(summary, ensure_ascii=False) if args.json else "\n".join(
                f"{key}: {value}" for key, value in summary.items()))
            return 0
        try:
            day = dt.date.fromisoformat(args.date)
        except ValueError:
            print(f"kiosk: {args.date!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
            return EXIT_CONFIG
        from kiosk.payments import PaymentClient
        client = PaymentClient(make_platform_client(config), config.kiosk.id)
        try:
            bill = client.bill(day.isoformat())
        except Exception as exc:
            print(f"kiosk: the platform's bill could not be fetched: {exc}", file=sys.stderr)
            return 2
        start = dt.datetime.combine(day, dt.time(), beijing).timestamp()
        billed = {str(entry.get("order_no")) for entry in bill.get("entries", [])}
        rows = [row for row in journal.rows() if start <= row.created_at < start + 86400 or row.order_no in billed]
        differences = reconcile([KioskPayment(r.order_no, r.state.value, r.amount_fen) for r in rows],
                                bill.get("entries", []))
        if args.json:
            print(json.dumps({"date": day.isoformat(), "orders": len(rows), "differences": [
                {"order_no": d.order_no, "kind": d.kind, "kiosk_fen": d.kiosk_fen, "platform_fen": d.platform_fen}
                for d in differences]}))
        else:
            print(f"{day}: {len(rows)} kiosk payments, {len(bill.get('entries', []))} bill entries, "
                  f"{len(differences)} differences")
            for difference in differences:
                print("  " + difference.describe())
        return 1 if differences else 0
    finally:
        journal.close()


def set_pin_main(argv: list[str]) -> int:
    from kiosk.technician_pin import main
    return main()


def _quiet_logging() -> None:
    import logging
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("devices").setLevel(logging.ERROR)
