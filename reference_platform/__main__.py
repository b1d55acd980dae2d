"""python -m reference_platform --port 8700 --db var/platform.sqlite3"""
from __future__ import annotations

import argparse
import logging
import signal
import threading

from reference_platform.server import ReferencePlatformServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reference_platform",
                                     description="Run the reference government service platform.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--db", default="var/reference_platform.sqlite3", help="SQLite file (created if missing)")
    parser.add_argument("--catalog", default=None, help="catalog JSON (default: the bundled catalog.json)")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = ReferencePlatformServer(args.db, host=args.host, port=args.port, catalog_path=args.catalog)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(f"reference platform: {server.start()}  (fleet page: {server.base_url}/fleet)", flush=True)
    try:
        stop.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
