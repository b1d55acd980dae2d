"""Child process for the update disk-full test: a file-size limit (RLIMIT_FSIZE) stands in for a full disk.

Usage: python tests/update_diskfull_child.py CONFIG LIMIT_BYTES

Runs one `fetch_and_stage` with every file it writes capped at LIMIT_BYTES (the download's
temporary file, the archive, the unpacked files) and prints its result as JSON. A real full disk
returns ENOSPC where this returns EFBIG: the same OSError path in kiosk/update_client.py. The
limit works without root and on any CI file system (a loop-mounted or tmpfs disk needs mount rights).
"""
from __future__ import annotations

import json
import resource
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.config import load_config_sections  # noqa: E402
from kiosk.update_client import fetch_and_stage  # noqa: E402
from kiosk.update_layout import ReleaseLayout  # noqa: E402


def main() -> None:
    config = load_config_sections(sys.argv[1], ("kiosk", "update"))
    limit = int(sys.argv[2])
    u = config.update
    layout = ReleaseLayout(u.install_root, u.state_dir)
    # Without this the kernel kills us with SIGXFSZ instead of returning EFBIG.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    result = fetch_and_stage(layout, repository_url=u.repository_url, trusted_root=u.trusted_root,
                             kiosk_id=config.kiosk.id, free_space_margin_mb=u.free_space_margin_mb)
    print(json.dumps(result.to_dict()), flush=True)


if __name__ == "__main__":
    main()
