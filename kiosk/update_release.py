"""Repository tooling for signed releases (`main.py release ...`, docs/updates.md "Keys").

A release workspace holds the keys and the TUF repository tufup builds:

    WORKSPACE/keys/          Ed25519 key pairs (root1, root2, targets, snapshot, timestamp)
    WORKSPACE/repository/    metadata/ (root, targets, snapshot, timestamp .json) and targets/
                             (kiosk-<version>.tar.gz archives and kiosk-<version>.patch bsdiff patches)
    WORKSPACE/.tufup-repo-config   tufup's settings (key map, thresholds, expiry)

* `init`     creates the keys and the first, root-signed metadata. Root needs `root_threshold` of its
             keys (default 2 of 2): after `init` move keys/root*.key offline (docs/updates.md).
* `add`      adds a bundle folder as a new version: archive, bsdiff patch from the previous version,
             rollout share (percent of the fleet, signed custom metadata), re-signs targets, snapshot
             and timestamp.
* `rollout`  changes a published version's share (canary 1 % -> 10 % -> 100 %, or 0 to stop it).
* `refresh`  re-signs snapshot and timestamp before they expire (timestamp lives 1 day: a daily job
             with the online snapshot/timestamp keys).
* `publish`  copies the repository to the web root the kiosks read: targets first, then the
             metadata, timestamp last, each by rename, so a kiosk never sees metadata that names a
             file not there yet.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

APP_NAME = "kiosk"
KEY_MAP = {"root": ["root1", "root2"], "targets": ["targets"], "snapshot": ["snapshot"], "timestamp": ["timestamp"]}
THRESHOLDS = {"root": 2, "targets": 1, "snapshot": 1, "timestamp": 1}
# Root lives a year (offline keys), targets a quarter (signed per release), snapshot a week,
# timestamp a day (the freeze-attack window: a kiosk notices a withheld update within a day).
EXPIRATION_DAYS = {"root": 365, "targets": 90, "snapshot": 7, "timestamp": 1}
CONFIG_FILE = ".tufup-repo-config"


def _repository_class():
    from tufup.repo import Repository

    class WorkspaceRepository(Repository):
        """tufup's Repository with its config file in the workspace instead of the current directory."""
        workspace: Path

        def save_config(self):
            data = {"app_name": self.app_name, "key_map": self.key_map, "thresholds": self.thresholds,
                    "expiration_days": self.expiration_days, "encrypted_keys": self.encrypted_keys}
            (self.workspace / CONFIG_FILE).write_text(json.dumps(data, indent=2, sort_keys=True))

        def load_config(self):
            try:
                return json.loads((self.workspace / CONFIG_FILE).read_text())
            except (OSError, ValueError):
                return {}

        @property
        def config_dict(self):
            return {"app_name": self.app_name, "key_map": self.key_map, "thresholds": self.thresholds,
                    "expiration_days": self.expiration_days, "encrypted_keys": self.encrypted_keys}

    return WorkspaceRepository


def open_repository(workspace: str | os.PathLike, *, create: bool = False, expiration_days: dict | None = None):
    workspace = Path(workspace)
    saved = {}
    if (workspace / CONFIG_FILE).exists():
        saved = json.loads((workspace / CONFIG_FILE).read_text())
    elif not create:
        raise FileNotFoundError(f"{workspace} is not a release workspace (run `release init` first)")
    if saved and not (workspace / "keys").is_dir():
        # tufup would ask on stdin whether to create it: say what is wrong instead.
        raise FileNotFoundError(f"{workspace / 'keys'} is missing (it keeps the public keys; private ones may be offline)")
    cls = _repository_class()
    repo = cls(app_name=saved.get("app_name", APP_NAME), repo_dir=workspace / "repository",
               keys_dir=workspace / "keys", key_map=saved.get("key_map", KEY_MAP),
               thresholds=saved.get("thresholds", THRESHOLDS),
               expiration_days=expiration_days or saved.get("expiration_days", EXPIRATION_DAYS),
               encrypted_keys=saved.get("encrypted_keys", []))
    repo.workspace = workspace
    return repo


def key_dirs(workspace: Path, extra: list[str] | None) -> list[Path]:
    return [Path(workspace) / "keys", *(Path(d) for d in extra or [])]


def init(workspace: str | os.PathLike, expiration_days: dict | None = None) -> Path:
    """New keys and a new repository; returns the root.json to ship with the kiosk."""
    workspace = Path(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    repo = open_repository(workspace, create=True, expiration_days=expiration_days)
    repo.initialize()
    repo.save_config()
    return repo.metadata_dir / "root.json"


def add(workspace: str | os.PathLike, bundle_dir: str | os.PathLike, version: str, rollout_percent: float,
        *, skip_patch: bool = False, extra_key_dirs: list[str] | None = None) -> dict:
    """Add a bundle folder (with its `kiosk` executable) as `version`, shared with rollout_percent %."""
    from packaging.version import Version
    from kiosk.core.update_policy import ROLLOUT_KEY, basis_points
    if not (Path(bundle_dir) / "kiosk").is_file():
        raise FileNotFoundError(f"{bundle_dir} has no `kiosk` executable (a PyInstaller one-folder bundle)")
    share = basis_points(rollout_percent)
    Version(version)                      # raises InvalidVersion for a malformed version
    repo = open_repository(workspace)
    repo._load_keys_and_roles(create_keys=False)
    latest = repo.roles.get_latest_archive()
    if latest is not None and latest.version >= Version(version):
        raise ValueError(f"version {version} must be newer than the latest release {latest.version}")
    archive = repo.targets_dir / f"{APP_NAME}-{version}.tar.gz"
    if archive.exists():              # tufup would ask on stdin whether to overwrite it
        raise FileExistsError(f"{archive} exists but is not published (an interrupted add?): remove it first")
    repo.add_bundle(new_bundle_dir=bundle_dir, new_version=version, skip_patch=skip_patch,
                    custom_metadata={ROLLOUT_KEY: share})
    repo.publish_changes(private_key_dirs=key_dirs(Path(workspace), extra_key_dirs))
    return describe(workspace)


def rollout(workspace: str | os.PathLike, version: str, percent: float,
            extra_key_dirs: list[str] | None = None) -> dict:
    """Change the rollout share of a published version (re-signs targets, snapshot, timestamp)."""
    from kiosk.core.update_policy import ROLLOUT_KEY, basis_points
    share = basis_points(percent)
    repo = open_repository(workspace)
    repo._load_keys_and_roles(create_keys=False)
    name = f"{APP_NAME}-{version}.tar.gz"
    target = repo.roles.targets.signed.targets.get(name)
    if target is None:
        raise KeyError(f"no published archive {name}")
    custom = target.unrecognized_fields.setdefault("custom", {"user": {}, "tufup": {}})
    custom["user"] = {**(custom.get("user") or {}), ROLLOUT_KEY: share}
    repo.publish_changes(private_key_dirs=key_dirs(Path(workspace), extra_key_dirs))
    return describe(workspace)


def refresh(workspace: str | os.PathLike, extra_key_dirs: list[str] | None = None,
            days: dict | None = None) -> dict:
    """Re-sign snapshot and timestamp with fresh expiry dates (the daily online job)."""
    repo = open_repository(workspace)
    repo._load_keys_and_roles(create_keys=False)
    for role in ("snapshot", "timestamp"):
        repo.refresh_expiration_date(role, days=(days or {}).get(role))
        getattr(repo.roles, role).signed.version += 1
    repo.publish_changes(private_key_dirs=key_dirs(Path(workspace), extra_key_dirs))
    return describe(workspace)


def rotate_key(workspace: str | os.PathLike, old_key_name: str, new_key_name: str,
               extra_key_dirs: list[str] | None = None) -> dict:
    """Replace a key (lost, stolen or due) by a new one, for every role that used it.

    The new root metadata is signed by the old and the new keys (tufup keeps the revoked key for
    that one signature), so a kiosk that trusts the previous root accepts the next one and walks the
    chain of N.root.json files on its next check; the root.json shipped in old bundles keeps working.
    Needs the root keys (threshold) in the key folders: run it on the offline machine."""
    from tufup.repo import Keys
    workspace = Path(workspace)
    repo = open_repository(workspace)
    repo._load_keys_and_roles(create_keys=False)
    if not any(old_key_name in names for names in repo.key_map.values()):
        raise KeyError(f"no key named {old_key_name!r} in the key map")
    new_private = workspace / "keys" / new_key_name
    if new_private.exists() or new_private.with_suffix(".pub").exists():
        raise FileExistsError(f"{new_private} exists already")
    Keys.create_key_pair(private_key_path=new_private, encrypted=False)
    repo.replace_key(old_key_name=old_key_name, new_public_key_path=new_private.with_suffix(".pub"),
                     new_private_key_encrypted=False)
    repo.publish_changes(private_key_dirs=key_dirs(workspace, extra_key_dirs))
    return describe(workspace)


def describe(workspace: str | os.PathLike) -> dict:
    """Published versions with their rollout share and sizes, from the signed targets metadata."""
    meta = Path(workspace) / "repository" / "metadata"
    targets = json.loads((meta / "targets.json").read_text())["signed"]
    releases = {}
    for name, info in sorted(targets["targets"].items()):
        custom = info.get("custom") or {}
        releases[name] = {"length": info["length"], "custom": custom.get("user")}
    versions = {role: json.loads((meta / f"{role}.json").read_text())["signed"]["version"]
                for role in ("root", "targets", "snapshot", "timestamp")}
    return {"targets": releases, "metadata_versions": versions}


def publish(workspace: str | os.PathLike, web_root: str | os.PathLike) -> None:
    """Copy the repository to the static web root: targets, then metadata, timestamp last."""
    source = Path(workspace) / "repository"
    web_root = Path(web_root)
    for sub in ("targets", "metadata"):
        (web_root / sub).mkdir(parents=True, exist_ok=True)
    order = sorted((source / "targets").iterdir())
    meta = sorted((source / "metadata").iterdir(), key=lambda p: (p.name == "timestamp.json", p.name))
    for path in order + meta:
        dest = web_root / path.parent.name / path.name
        tmp = dest.with_name(f".{dest.name}.tmp")
        shutil.copyfile(path, tmp)
        os.replace(tmp, dest)


def serve(directory: str | os.PathLike, host: str = "127.0.0.1", port: int = 0):
    """A static HTTP server for a repository folder (demo, tests, bench) -> (server, base URL).
    Production serves the same files from any web server or CDN over HTTPS."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((host, port), functools.partial(QuietHandler, directory=str(directory)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="update-repo-http",
                     daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"
