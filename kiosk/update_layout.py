"""The A/B folders of the application bundle and the updater's state file (docs/updates.md).

    /opt/kiosk/releases/<version>/   one unpacked bundle per version (its `kiosk` executable)
    /opt/kiosk/current  -> releases/<version>   what kiosk.service starts (/opt/kiosk/current/kiosk)
    /opt/kiosk/previous -> releases/<version>   what a rollback returns to
    /opt/kiosk/good     -> releases/<version>   the last release confirmed healthy: the guard runs
                                                from here, never from a release on trial
    /var/lib/kiosk-update/state.json            trial, staged release, refused versions, last result

Every change is crash-safe: a symlink is switched by creating a new link beside it and
`rename()`-ing it over the old one (atomic on POSIX: a reader sees the old or the new target,
never none), the state file is written to a temporary file, fsynced and renamed, and the
directory is fsynced after each rename. A release folder appears under its final name only
after it was completely unpacked and synced (`.staging-*` folders are leftovers of a crash and
are removed). kill -9 or power loss at any point leaves `current` on a complete release.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

EXECUTABLE = "kiosk"
LINKS = ("current", "previous", "good")
STAGING_PREFIX = ".staging-"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, data: dict) -> None:
    """tmp file, fsync, rename, fsync the directory: the old or the new content, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def read_json(path: Path) -> dict:
    """The file's object, or {} when it is missing or unreadable (a torn file cannot exist:
    it is always renamed into place)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class ReleaseLayout:
    """The install root (`/opt/kiosk`) and the updater's state directory."""

    def __init__(self, install_root: str | os.PathLike, state_dir: str | os.PathLike):
        self.root = Path(install_root)
        self.releases = self.root / "releases"
        self.state_dir = Path(state_dir)
        self.state_path = self.state_dir / "state.json"

    # --- releases and links -------------------------------------------------------------
    def release_dir(self, version: str) -> Path:
        if not version or "/" in version or version.startswith("."):
            raise ValueError(f"not a release version: {version!r}")
        return self.releases / version

    def executable(self, version: str) -> Path:
        return self.release_dir(version) / EXECUTABLE

    def is_runnable(self, version: str | None) -> bool:
        """A complete release: its folder and executable are there."""
        if not version:
            return False
        exe = self.executable(version)
        return exe.is_file() and os.access(exe, os.X_OK)

    def version_of(self, link: str) -> str | None:
        """The version a link points to (`current` -> "1.2.0"), None when there is no link."""
        try:
            target = os.readlink(self.root / link)
        except OSError:
            return None
        return Path(target).name

    def switch(self, link: str, version: str) -> None:
        """Point `link` at releases/<version> atomically (new link + rename over the old one)."""
        if link not in LINKS:
            raise ValueError(f"unknown link {link!r}")
        if not self.is_runnable(version):
            raise FileNotFoundError(f"release {version} is not complete: {self.executable(version)}")
        tmp = self.root / f".{link}.{os.getpid()}.tmp"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(f"releases/{version}", tmp)
        os.replace(tmp, self.root / link)
        fsync_dir(self.root)

    def adopt(self, version: str, bundle_dir: str | os.PathLike) -> None:
        """First installation: copy a bundle in as releases/<version> and make it current and good."""
        self.releases.mkdir(parents=True, exist_ok=True)
        staging = self.releases / f"{STAGING_PREFIX}{version}"
        if staging.exists():
            shutil.rmtree(staging)
        shutil.copytree(bundle_dir, staging, symlinks=True)
        os.sync()
        os.replace(staging, self.release_dir(version))
        fsync_dir(self.releases)
        self.switch("current", version)
        self.switch("good", version)

    def installed_versions(self) -> list[str]:
        if not self.releases.is_dir():
            return []
        return sorted(p.name for p in self.releases.iterdir() if not p.name.startswith("."))

    def staging_dir(self, version: str) -> Path:
        return self.releases / f"{STAGING_PREFIX}{version}"

    def remove_leftovers(self, keep: set[str]) -> list[str]:
        """Delete crash leftovers (`.staging-*`, temporary links) and releases nobody needs
        (not current, previous, good or in `keep`). Returns what was removed."""
        removed = []
        needed = {self.version_of(link) for link in LINKS} | keep
        if self.releases.is_dir():
            for entry in self.releases.iterdir():
                if entry.name.startswith(STAGING_PREFIX) or (entry.name not in needed
                                                             and not entry.name.startswith(".")):
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry.name)
        for entry in self.root.glob(".*.tmp") if self.root.is_dir() else ():
            if entry.is_symlink() or entry.is_file():
                entry.unlink()
        return removed

    # --- state --------------------------------------------------------------------------
    def load_state(self) -> dict:
        return read_json(self.state_path)

    def save_state(self, state: dict) -> None:
        write_json_atomic(self.state_path, state)

    def update_state(self, **changes) -> dict:
        """Read-modify-write under an exclusive lock: the guard and a fetch process both write it."""
        import fcntl
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.state_dir / ".state.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = self.load_state()
            state.update(changes)
            self.save_state(state)
        return state
