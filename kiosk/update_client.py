"""Check, download, verify and stage a new application bundle with tufup (docs/updates.md).

Runs in its own process (`main.py update fetch`, started by the update guard when the kiosk is
idle), never in the kiosk's GUI process. One call of `fetch_and_stage`:

1. TUF refresh (python-tuf `ngclient` under tufup): root -> timestamp -> snapshot -> targets, each
   signature checked against the trusted root, versions never going back (rollback attack),
   nothing expired (a kiosk with a wrong clock refuses valid metadata too: NTP first, deploy.md).
2. Picks the newest archive that is published for this kiosk: its rollout share (signed custom
   metadata) covers this kiosk's bucket (kiosk.core.update_policy) and it was not rolled back here
   before. tufup prefers bsdiff patches from the installed version when they are smaller.
3. Downloads with a bandwidth cap; length and hashes from the signed targets metadata are checked
   before a byte is used (a tampered target is refused); a patched archive is checked against the
   size and hash signed with the patch.
4. Unpacks into releases/.staging-<version>, syncs, and renames it to releases/<version>: only a
   complete release ever has its final name. The switch happens later, at an idle moment
   (kiosk.update_guard).

Every failure leaves the running release untouched and is reported as one `FetchResult`.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import tarfile
import tempfile
import time
from pathlib import Path

from kiosk.core.update_policy import in_rollout, rollout_percent
from kiosk.update_layout import EXECUTABLE, ReleaseLayout, fsync_dir

log = logging.getLogger(__name__)

APP_NAME = "kiosk"
CHUNK_BYTES = 64 * 1024


@dataclasses.dataclass
class FetchResult:
    result: str                  # staged | up_to_date | refused | failed | disk_full | no_trust_anchor
    version: str | None = None
    reason: str = ""
    downloaded_bytes: int = 0
    patch: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.result in ("staged", "up_to_date")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


class DiskSpaceError(OSError):
    """Not enough room for the download and the unpacked release (checked before downloading)."""


def _client_classes():
    """tufup/tuf are imported lazily: `main.py --help` and the kiosk itself never load them."""
    from tufup.client import AuthRequestsFetcher, Client

    class ThrottledFetcher(AuthRequestsFetcher):
        """tufup's fetcher with a bandwidth cap: sleeps so the average rate stays <= max_bytes_s."""

        def __init__(self, max_bytes_s: float, on_chunk=None):
            super().__init__()
            self.chunk_size = CHUNK_BYTES
            self.max_bytes_s = max_bytes_s
            self.on_chunk = on_chunk
            self.received = 0

        def _chunks(self, response):
            started, sent = time.monotonic(), 0
            for data in super()._chunks(response):
                sent += len(data)
                self.received += len(data)
                if self.on_chunk is not None:
                    self.on_chunk(self.received)
                if self.max_bytes_s > 0:
                    ahead = sent / self.max_bytes_s - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
                yield data

    class KioskUpdateClient(Client):
        """tufup's client, restricted to the releases meant for this kiosk."""

        def __init__(self, *, kiosk_id: str, refused_versions: set[str], max_bytes_s: float, on_chunk=None,
                     **kwargs):
            super().__init__(**kwargs)
            self._fetcher = ThrottledFetcher(max_bytes_s, on_chunk)
            self.kiosk_id = kiosk_id
            self.refused_versions = refused_versions
            self.refresh_error: Exception | None = None

        def refresh(self) -> None:
            # tufup turns some refresh failures into "no update" silently; keep the reason.
            try:
                super().refresh()
            except Exception as exc:
                self.refresh_error = exc
                raise

        @property
        def trusted_target_metas(self) -> list:
            metas = super().trusted_target_metas
            allowed = {m.version for m in metas if m.is_archive and str(m.version) not in self.refused_versions
                       and in_rollout(self.kiosk_id, rollout_percent(m.custom))}
            # Every patch stays: tufup chains those between the installed and the chosen version, and
            # a chain may pass through a version this kiosk refused (its patch is just a diff).
            return [m for m in metas if (m.is_archive and m.version in allowed) or m.is_patch]

        @property
        def fetched_bytes(self) -> int:
            return self._fetcher.received

    return KioskUpdateClient


def ensure_trust_anchor(layout: ReleaseLayout, trusted_root: str) -> Path:
    """The client's metadata folder with a root.json: the one shipped with the kiosk is copied
    in once; afterwards TUF updates it itself (root rotation: each new root signed by the old)."""
    metadata_dir = layout.state_dir / "metadata"
    metadata_dir.mkdir(parents=True, exist_ok=True)
    root = metadata_dir / "root.json"
    if not root.exists():
        if not trusted_root or not Path(trusted_root).is_file():
            raise FileNotFoundError("no trusted root.json: set [update] trusted_root")
        shutil.copyfile(trusted_root, root)
    return metadata_dir


def _check_space(layout: ReleaseLayout, archive_bytes: int, margin_mb: float) -> None:
    # The archive, its unpacked copy (a PyInstaller folder compresses ~2-3x) and the margin.
    needed = archive_bytes * 4 + int(margin_mb * 1024 * 1024)
    free = shutil.disk_usage(layout.releases).free
    if free < needed:
        raise DiskSpaceError(f"{free // 2**20} MiB free, the update needs {needed // 2**20} MiB")


def fetch_and_stage(layout: ReleaseLayout, *, repository_url: str, trusted_root: str, kiosk_id: str,
                    max_download_kib_s: float = 0.0, free_space_margin_mb: float = 0.0,
                    on_chunk=None) -> FetchResult:
    """One check: stage the newest release published for this kiosk, or say why not."""
    from tuf.api.exceptions import DownloadError, RepositoryError

    started = time.monotonic()
    layout.releases.mkdir(parents=True, exist_ok=True)
    state = layout.load_state()
    current = layout.version_of("current")
    if current is None:
        return _finish(layout, FetchResult("failed", reason="no current release (install with `update adopt`)"), started)
    layout.remove_leftovers(keep={state.get("staged") or current})
    try:
        metadata_dir = ensure_trust_anchor(layout, trusted_root)
    except OSError as exc:
        return _finish(layout, FetchResult("no_trust_anchor", reason=str(exc)), started)
    target_dir = layout.state_dir / "targets"
    target_dir.mkdir(parents=True, exist_ok=True)
    tmp_dir = layout.state_dir / "tmp"        # tuf downloads into a temporary file: keep it on this disk
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir()
    saved_tempdir, tempfile.tempdir = tempfile.tempdir, str(tmp_dir)
    # tufup unpacks with shutil.unpack_archive: only after the archive's hash was verified, and
    # still with tarfile's "data" filter (no absolute paths, no links or files outside the release
    # folder, no devices, no setuid bits). PyInstaller's in-tree relative symlinks pass.
    saved_filter = tarfile.TarFile.extraction_filter
    tarfile.TarFile.extraction_filter = staticmethod(tarfile.data_filter)
    base = repository_url.rstrip("/")

    def new_client():
        # A tuf Updater refreshes its metadata once; a second attempt needs a new client.
        return _client_classes()(
            kiosk_id=kiosk_id, refused_versions=set(state.get("refused", [])),
            max_bytes_s=max_download_kib_s * 1024, on_chunk=on_chunk,
            app_name=APP_NAME, app_install_dir=layout.root, current_version=current,
            metadata_dir=metadata_dir, metadata_base_url=f"{base}/metadata/",
            target_dir=target_dir, target_base_url=f"{base}/targets/")
    client = new_client()
    result = FetchResult("up_to_date", version=current)
    try:
        new = client.check_for_updates()
        if client.refresh_error is not None:
            raise client.refresh_error
        if new is None:
            return _finish(layout, result, started)
        version = str(new.version)
        if version == state.get("staged") and layout.is_runnable(version):
            return _finish(layout, FetchResult("staged", version=version, reason="already staged"), started)
        patch = not next(iter(client.new_targets)).is_archive
        _check_space(layout, client.new_archive_info.length, free_space_margin_mb)
        staging = layout.staging_dir(version)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        client.extract_dir = staging
        installed: list[str] = []
        client.download_and_apply_update(skip_confirmation=True, install=_installer(layout, version, installed))
        if not installed and patch:
            # tufup marked the failed patch (.failed) and says so in the log: fall back to the full archive.
            log.warning("patch update failed, downloading the full archive", extra={"version": version})
            patch = False
            patch_bytes = client.fetched_bytes
            client = new_client()
            client.check_for_updates(patch=False)
            client._fetcher.received = patch_bytes     # report both downloads
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            client.extract_dir = staging
            client.download_and_apply_update(skip_confirmation=True, install=_installer(layout, version, installed))
        if not installed:
            return _finish(layout, FetchResult("failed", version=version, reason="archive could not be applied",
                                               downloaded_bytes=client.fetched_bytes), started)
        _prune_archives(target_dir, keep={current, version})
        result = FetchResult("staged", version=version, downloaded_bytes=client.fetched_bytes, patch=patch)
        return _finish(layout, result, started, staged=version)
    except RepositoryError as exc:     # bad signature, expired, rolled back, tampered target
        return _finish(layout, FetchResult("refused", reason=f"{type(exc).__name__}: {exc}",
                                           downloaded_bytes=client.fetched_bytes), started)
    except DownloadError as exc:
        return _finish(layout, FetchResult("failed", reason=f"download: {type(exc).__name__}: {exc}",
                                           downloaded_bytes=client.fetched_bytes), started)
    except OSError as exc:             # disk full (ENOSPC, EFBIG), permissions
        import errno
        full = isinstance(exc, DiskSpaceError) or exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
        _cleanup_after_failure(layout, tmp_dir)
        return _finish(layout, FetchResult("disk_full" if full else "failed", reason=f"{type(exc).__name__}: {exc}",
                                           downloaded_bytes=client.fetched_bytes), started)
    except Exception as exc:           # anything else from tufup/tuf: reported, never a crash of the updater
        log.exception("update check failed")
        _cleanup_after_failure(layout, tmp_dir)
        return _finish(layout, FetchResult("failed", reason=f"{type(exc).__name__}: {exc}",
                                           downloaded_bytes=client.fetched_bytes), started)
    finally:
        tempfile.tempdir = saved_tempdir
        tarfile.TarFile.extraction_filter = saved_filter
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _installer(layout: ReleaseLayout, version: str, installed: list[str]):
    """tufup's `install` step: the archive was unpacked into the staging folder; give it its final name."""
    def install(src_dir, dst_dir, **_kwargs) -> None:
        staging = Path(src_dir)
        exe = staging / EXECUTABLE
        if not exe.is_file():
            raise FileNotFoundError(f"release {version} has no {EXECUTABLE} executable")
        os.sync()                                   # every unpacked file on disk before the rename
        final = layout.release_dir(version)
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
        fsync_dir(layout.releases)
        installed.append(version)
    return install


def _prune_archives(target_dir: Path, keep: set[str]) -> None:
    """Keep the archives of the installed and the new release (the next patch starts from them)."""
    names = {f"{APP_NAME}-{v}.tar.gz" for v in keep}
    for entry in target_dir.iterdir():
        if entry.name not in names:
            entry.unlink(missing_ok=True)


def _cleanup_after_failure(layout: ReleaseLayout, tmp_dir: Path) -> None:
    shutil.rmtree(tmp_dir, ignore_errors=True)
    for staging in layout.releases.glob(".staging-*"):
        shutil.rmtree(staging, ignore_errors=True)


def _finish(layout: ReleaseLayout, result: FetchResult, started: float, staged: str | None = None) -> FetchResult:
    result.seconds = round(time.monotonic() - started, 3)
    changes: dict = {"last_check": {**result.to_dict(), "at": time.time()}}
    if staged:
        changes["staged"] = staged
    try:
        layout.update_state(**changes)
    except OSError as exc:       # a full disk may refuse even the state file; the result still says why
        log.warning("update state not saved", extra={"error": str(exc)})
    return result
