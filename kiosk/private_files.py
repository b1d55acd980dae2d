"""Private files: the data directory, databases, keys and log are the kiosk user's alone.

The data directory holds the outbox (encrypted payloads, but clear metadata: times,
states, service ids), the receipt journal, the log (masked, still operational detail),
the lockout state and - with the plain-file key store - the keys. Created 0700 (dirs)
and 0600 (files) explicitly, whatever the umask; `restrict_umask()` at start-up covers
every other file the process creates (the systemd unit sets `UMask=0077` as well).

SQLite creates a database's -wal and -shm files with the database file's own mode, so
creating the database file 0600 before the first connection is enough for all three.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
UMASK = 0o077


def restrict_umask() -> int:
    """New files and directories of this process: owner only. Returns the previous umask."""
    return os.umask(UMASK)


def make_private_dir(path: str | os.PathLike) -> Path:
    """Create `path` (and missing parents) 0700. An existing directory of ours is tightened to 0700;
    a shared one (sticky bit, as /tmp, or another owner's) is left alone rather than broken."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    info = path.stat()
    if info.st_mode & 0o777 != DIR_MODE and not info.st_mode & stat.S_ISVTX and info.st_uid == os.geteuid():
        os.chmod(path, DIR_MODE)
    return path


def create_private_file(path: str | os.PathLike, *, companions: tuple[str, ...] = ()) -> Path:
    """Create `path` empty with 0600 if missing (never truncates), or tighten it to 0600.
    `companions` are suffixes of files that belong to it (an SQLite database's "-wal", "-shm"),
    tightened too when they exist."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)    # new parents 0700; existing ones as they are
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    try:
        if os.fstat(fd).st_mode & 0o777 != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    for suffix in companions:
        companion = path.with_name(path.name + suffix)
        if companion.exists() and companion.stat().st_mode & 0o777 != FILE_MODE:
            os.chmod(companion, FILE_MODE)
    return path


SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
