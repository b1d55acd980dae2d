"""Command lines of the update system (docs/updates.md). No Qt: safe over SSH and in systemd units.

    main.py update fetch [--now] [--config FILE]     check/download/stage (idle only unless --now)
    main.py update status [--config FILE]            state.json, links, releases as JSON
    main.py update adopt BUNDLE_DIR VERSION          first install into the A/B layout
    main.py update-guard [--on-start | --watch S] [--diagnose-user USER] [--config FILE]
    main.py release init|add|rollout|refresh|rotate-key|publish|show|serve WORKSPACE ...   (central side)

Exit codes: 0 done / nothing to do, 1 refused or failed (the JSON line says why), 2 usage/configuration.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def _config(path: str):
    """[kiosk] and [update] only: the updater never reads the device sections (config.load_config_sections)."""
    from kiosk.config import ConfigError, load_config_sections
    from kiosk.core.update_policy import parse_window
    try:
        config = load_config_sections(path, ("kiosk", "update"))
    except ConfigError as exc:
        print(f"kiosk: configuration error: {exc}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    try:
        parse_window(config.update.switch_window)
    except ValueError as exc:
        print(f"kiosk: configuration error: update.switch_window: {exc}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    return config


def _layout(config):
    from kiosk.update_layout import ReleaseLayout
    return ReleaseLayout(config.update.install_root, config.update.state_dir)


def _logging() -> None:
    import logging
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def update_main(argv: list[str], default_config: str) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=default_config)
    parser = argparse.ArgumentParser(prog="main.py update", description="Application updates (tufup/TUF).")
    sub = parser.add_subparsers(dest="action", required=True)
    fetch = sub.add_parser("fetch", parents=[common], help="check for a release for this kiosk, download, verify and stage it")
    fetch.add_argument("--now", action="store_true", help="do not wait for an idle kiosk (technician)")
    fetch.add_argument("--progress", action="store_true", help="a line per 64 KiB chunk (tests)")
    sub.add_parser("status", parents=[common], help="links, releases and the updater's state as JSON")
    adopt = sub.add_parser("adopt", parents=[common], help="first installation of a bundle folder as VERSION (current and good)")
    adopt.add_argument("bundle")
    adopt.add_argument("version")
    args = parser.parse_args(argv)
    config = _config(args.config)
    _logging()
    layout = _layout(config)
    if args.action == "status":
        print(json.dumps({"links": {link: layout.version_of(link) for link in ("current", "previous", "good")},
                          "releases": layout.installed_versions(), "state": layout.load_state()}, indent=1))
        return EXIT_OK
    if args.action == "adopt":
        layout.adopt(args.version, args.bundle)
        print(json.dumps({"adopted": args.version}))
        return EXIT_OK
    settings = config.update
    if not settings.repository_url:
        print("kiosk: updates are off ([update] repository_url is empty)", file=sys.stderr)
        return EXIT_CONFIG
    from kiosk.update_guard import UpdateGuard
    if not args.now and not UpdateGuard(layout, settings, config.data_dir).kiosk_idle():
        print(json.dumps({"result": "not_idle"}))
        return EXIT_OK
    from kiosk.update_client import fetch_and_stage
    on_chunk = (lambda n: print(json.dumps({"progress": n}), flush=True)) if args.progress else None
    result = fetch_and_stage(layout, repository_url=settings.repository_url, trusted_root=settings.trusted_root,
                             kiosk_id=config.kiosk.id, max_download_kib_s=settings.max_download_kib_s,
                             free_space_margin_mb=settings.free_space_margin_mb, on_chunk=on_chunk)
    print(json.dumps(result.to_dict()), flush=True)
    return EXIT_OK if result.ok else EXIT_FAILED


def guard_main(argv: list[str], default_config: str) -> int:
    parser = argparse.ArgumentParser(prog="main.py update-guard",
                                     description="Switch at idle, confirm or roll back a release on trial.")
    parser.add_argument("--config", default=default_config)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--on-start", action="store_true", help="ExecStartPre of kiosk.service")
    mode.add_argument("--watch", type=float, metavar="SECONDS", help="loop: a step every SECONDS, fetch when due")
    parser.add_argument("--no-fetch", action="store_true", help="with --watch: never start `update fetch`")
    parser.add_argument("--diagnose-user", help="run the self-check's diagnose as this user (the kiosk user)")
    parser.add_argument("--fetch-user", help="with --watch: run `update fetch` as this user (kiosk-update)")
    args = parser.parse_args(argv)
    config = _config(args.config)
    _logging()
    from kiosk.update_guard import UpdateGuard, fetch_command
    guard = UpdateGuard(_layout(config), config.update, config.data_dir, config_path=args.config,
                        diagnose_user=args.diagnose_user)
    if args.on_start:
        print(json.dumps({"guard": guard.on_start()}), flush=True)
        return EXIT_OK                   # never blocks the start: it only chooses what starts
    if args.watch is not None:
        fetch = None if args.no_fetch or not config.update.repository_url else fetch_command(args.config)
        guard.watch(args.watch, fetch, fetch_user=args.fetch_user)
        return EXIT_OK
    print(json.dumps({"guard": guard.step()}), flush=True)
    return EXIT_OK


def release_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="main.py release", description="Build, sign and publish releases.")
    sub = parser.add_subparsers(dest="action", required=True)
    init = sub.add_parser("init", help="new keys and repository in WORKSPACE")
    init.add_argument("workspace")
    add = sub.add_parser("add", help="add a bundle folder as VERSION (archive + bsdiff patch), signed")
    add.add_argument("workspace")
    add.add_argument("bundle")
    add.add_argument("version")
    add.add_argument("--rollout", type=float, default=1.0, help="percent of the fleet (default 1: canary)")
    add.add_argument("--skip-patch", action="store_true")
    rollout = sub.add_parser("rollout", help="change a version's rollout percent (0 stops it)")
    rollout.add_argument("workspace")
    rollout.add_argument("version")
    rollout.add_argument("percent", type=float)
    refresh = sub.add_parser("refresh", help="re-sign snapshot and timestamp (daily job)")
    refresh.add_argument("workspace")
    rotate = sub.add_parser("rotate-key", help="replace a key by a new one (root keys needed: offline machine)")
    rotate.add_argument("workspace")
    rotate.add_argument("old_key")
    rotate.add_argument("new_key")
    show = sub.add_parser("show", help="published versions, rollout shares, metadata versions")
    show.add_argument("workspace")
    publish = sub.add_parser("publish", help="copy the repository to the web root (timestamp last)")
    publish.add_argument("workspace")
    publish.add_argument("web_root")
    serve = sub.add_parser("serve", help="serve a web root over HTTP on loopback (demo)")
    serve.add_argument("web_root")
    serve.add_argument("--port", type=int, default=8765)
    for p in (add, rollout, refresh, rotate):
        p.add_argument("--keys", action="append", help="another folder with private keys (offline media)")
    args = parser.parse_args(argv)
    _logging()
    from kiosk import update_release as rel
    try:
        if args.action == "init":
            root = rel.init(args.workspace)
            print(json.dumps({"root": str(root), "note": "move keys/root1 and keys/root2 offline now"}))
        elif args.action == "add":
            print(json.dumps(rel.add(args.workspace, args.bundle, args.version, args.rollout,
                                     skip_patch=args.skip_patch, extra_key_dirs=args.keys), indent=1))
        elif args.action == "rollout":
            print(json.dumps(rel.rollout(args.workspace, args.version, args.percent, args.keys), indent=1))
        elif args.action == "refresh":
            print(json.dumps(rel.refresh(args.workspace, args.keys), indent=1))
        elif args.action == "rotate-key":
            print(json.dumps(rel.rotate_key(args.workspace, args.old_key, args.new_key, args.keys), indent=1))
        elif args.action == "show":
            print(json.dumps(rel.describe(args.workspace), indent=1))
        elif args.action == "publish":
            rel.publish(args.workspace, args.web_root)
            print(json.dumps({"published": str(Path(args.web_root).resolve())}))
        elif args.action == "serve":
            server, url = rel.serve(args.web_root, port=args.port)
            print(f"serving {args.web_root} at {url} (Ctrl+C stops)", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                server.shutdown()
    except (OSError, ValueError, KeyError) as exc:   # FileExistsError is an OSError
        print(f"kiosk: release {args.action}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
