"""Technician command line for the receipt journal: list recent receipts, reprint one.

    .venv/bin/python -m devices.printer.technician [--config kiosk.toml] list
    .venv/bin/python -m devices.printer.technician [--config kiosk.toml] reprint ENTRY_ID

Runs as the kiosk user (it needs the device key to decrypt the journal). The
list shows masked data only: entry id, time, state (printed/failed + reason),
reprint count, language, application number. `reprint` prints the stored
receipt marked "补打 / REPRINT" on the configured printer and exits 0 when it
printed, 1 when the printer refused (reason printed), 2 on usage errors.
Inside the running kiosk the same is `ReceiptPrinter.journal_entries()` and
`ReceiptPrinter.reprint(entry_id)`.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys


def journal_for(config):
    from devices.printer.journal import ReceiptJournal
    return ReceiptJournal(config.journal_path, config.device_key_path,
                          keep=config.devices.printer.reprint_keep)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devices.printer.technician", description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="kiosk.toml")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="recent receipts, newest first")
    reprint = sub.add_parser("reprint", help="reprint one receipt, marked REPRINT")
    reprint.add_argument("entry_id")
    reprint.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)

    from kiosk.config import ConfigError, load_config
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    journal = journal_for(config)
    if args.command == "list":
        for entry in journal.entries():
            when = dt.datetime.fromtimestamp(entry.created_at).strftime("%Y-%m-%d %H:%M:%S")
            state = entry.state + (f" ({entry.reason})" if entry.reason else "")
            offline = "  queued-offline" if entry.queued_offline else ""
            print(f"{entry.entry_id}  {when}  {state:<22} reprints={entry.reprints}  "
                  f"{entry.language:<5}  {entry.application_number}{offline}")
        return 0
    return _reprint(config, journal, args.entry_id, args.timeout)


def _reprint(config, journal, entry_id: str, timeout_s: float) -> int:
    from kiosk.pyside_refcount_fix import apply as apply_pyside_refcount_fix
    apply_pyside_refcount_fix()   # this CLI is a Qt program's start-up (see the module)
    from PySide6.QtCore import QCoreApplication, QTimer

    from devices.printer import create_printer
    app = QCoreApplication.instance() or QCoreApplication([])
    section = dataclasses.replace(config.devices.printer, poll_interval_s=0)
    printer = create_printer(section, output_dir=config.receipts_dir, journal=journal)
    outcome = {}

    def finish(result: str) -> None:
        outcome.setdefault("result", result)
        app.quit()
    printer.print_done.connect(lambda _job: finish("printed"))
    printer.print_failed.connect(lambda _job, reason: finish(f"failed: {reason}"))
    try:
        printer.reprint(entry_id)
    except KeyError:
        print(f"no receipt {entry_id!r} in the journal (see `list`)", file=sys.stderr)
        return 2
    QTimer.singleShot(int(timeout_s * 1000), lambda: finish("failed: timeout"))
    app.exec()
    printer.close()
    print(f"reprint {entry_id}: {outcome['result']}")
    return 0 if outcome["result"] == "printed" else 1


if __name__ == "__main__":
    sys.exit(main())
