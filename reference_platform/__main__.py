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
    parser.add_argument("--kiosk-key", action="append", default=[], metavar="KIOSK_ID=KEYFILE",
                        help="require KSIG1 request signatures; KEYFILE holds that kiosk's raw HMAC-SM3 key "
                             "(the kiosk's platform-signing.key). Repeat per kiosk.")
    parser.add_argument("--catalog-signing-key", metavar="PEM",
                        help="sign GET /catalog (X-Catalog-Signature) with this Ed25519 private key, created if "
                             "missing; its public key is written next to it as PEM.pub for the kiosk's "
                             "[platform] catalog_public_key")
    parser.add_argument("--config-bundle", action="append", default=[], metavar="SCOPE/TARGET=FILE",
                        help="publish a signed configuration bundle (needs --catalog-signing-key): SCOPE is group or "
                             "kiosk, FILE a JSON object {\"version\": N, \"settings\": {...}}. Repeat per bundle.")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="private key of --tls-cert (PEM)")
    parser.add_argument("--tls-client-ca", help="require client certificates issued by this CA (mTLS)")
    args = parser.parse_args(argv)
    keys = None
    if args.kiosk_key:
        keys = {}
        for item in args.kiosk_key:
            kiosk_id, _, path = item.partition("=")
            with open(path, "rb") as handle:
                keys[kiosk_id] = handle.read()
    tls = None
    if args.tls_cert:
        import ssl
        tls = {"ssl_certfile": args.tls_cert, "ssl_keyfile": args.tls_key}
        if args.tls_client_ca:
            tls.update(ssl_ca_certs=args.tls_client_ca, ssl_cert_reqs=ssl.CERT_REQUIRED)

    catalog_key = None
    if args.catalog_signing_key:
        from reference_platform.catalog_signing import load_or_create_signing_key, write_public_key
        catalog_key = load_or_create_signing_key(args.catalog_signing_key)
        print(f"catalog public key: {write_public_key(catalog_key, args.catalog_signing_key + '.pub')}", flush=True)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = ReferencePlatformServer(args.db, host=args.host, port=args.port, catalog_path=args.catalog,
                                     signature_keys=keys, tls=tls, catalog_signing_key=catalog_key)
    for item in args.config_bundle:
        import json
        where, _, path = item.partition("=")
        scope, _, target = where.partition("/")
        with open(path, encoding="utf-8") as handle:
            spec = json.load(handle)
        server.config_bundles.publish(scope, target, spec["version"], spec["settings"])
        print(f"config bundle: {scope} {target} v{spec['version']}", flush=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    server.licences.warm_up()     # signed sample licences (reference_platform/licences.py)
    print(f"reference platform: {server.start()}  (fleet page: {server.base_url}/fleet)", flush=True)
    try:
        stop.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
