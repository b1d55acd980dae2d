"""Release tooling (kiosk/update_release.py); the signed repository end to end is in tests/test_updates.py."""
from __future__ import annotations

import pytest


def test_release_tooling_refuses_instead_of_prompting(tmp_path):
    """tufup asks on stdin in some situations; the release commands name the problem instead."""
    from kiosk import update_release as rel
    rel.init(tmp_path / "ws")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    with pytest.raises(FileNotFoundError, match="kiosk` executable"):
        rel.add(tmp_path / "ws", bundle, "1.0.0", 1)
    (bundle / "kiosk").write_text("#!/bin/sh\n")
    (tmp_path / "ws" / "repository" / "targets" / "kiosk-1.0.0.tar.gz").write_bytes(b"left over")
    with pytest.raises(FileExistsError, match="interrupted add"):
        rel.add(tmp_path / "ws", bundle, "1.0.0", 1)
    with pytest.raises(ValueError, match="0..100"):
        rel.add(tmp_path / "ws", bundle, "1.0.1", 150)
    with pytest.raises(FileNotFoundError, match="not a release workspace"):
        rel.add(tmp_path / "nothing", bundle, "1.0.1", 1)
