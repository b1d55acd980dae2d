"""Start and drive the virtual card process (tests, benchmark, demo)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from sim.id_reader.virtual_card.vpcd_link import DEFAULT_PORT

PROJECT_ROOT = Path(__file__).resolve().parents[3]


class VirtualCardError(RuntimeError):
    pass


class VirtualCardProcess:
    """A separate Python process holding at most one card in one vpcd slot."""

    def __init__(self, port: int = DEFAULT_PORT, python: str = sys.executable):
        env = dict(os.environ)
        env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        self.port = port
        self._proc = subprocess.Popen(
            [python, "-m", "sim.id_reader.virtual_card", "--port", str(port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=PROJECT_ROOT)
        self._lock = threading.Lock()
        self._read_reply(timeout_s=20)        # {"ready": true}

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _read_reply(self, timeout_s: float) -> dict:
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self._proc.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(timeout_s)
        if not result or not result[0]:
            raise VirtualCardError("virtual card process did not answer")
        reply = json.loads(result[0])
        if not reply.get("ok"):
            raise VirtualCardError(reply.get("error", "failed"))
        return reply

    def request(self, timeout_s: float = 10.0, **fields) -> dict:
        with self._lock:
            if self._proc.poll() is not None:
                raise VirtualCardError(f"virtual card process exited ({self._proc.returncode})")
            self._proc.stdin.write(json.dumps(fields) + "\n")
            self._proc.stdin.flush()
            return self._read_reply(timeout_s)

    def insert(self, card: str = "ssse", **params) -> None:
        self.request(cmd="insert", card=card, params=params)

    def remove(self) -> None:
        self.request(cmd="remove")

    def scenario(self, *, remove_after: int | None = None, mute: bool = False) -> None:
        self.request(cmd="scenario", remove_after=remove_after, mute=mute)

    def apdu_log(self) -> list[str]:
        return self.request(cmd="log")["apdus"]

    def connected(self) -> bool:
        return self.request(cmd="log")["connected"]

    def running(self) -> bool:
        return self._proc.poll() is None

    def stop(self) -> None:
        if self._proc.poll() is None:
            try:
                self.request(cmd="quit", timeout_s=3)
            except (VirtualCardError, OSError, ValueError):
                pass
            try:
                self._proc.wait(3)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                stream.close()
            except OSError:
                pass

    def kill(self) -> None:
        """SIGKILL, as when the card process (or the machine) dies."""
        self._proc.kill()
        self._proc.wait()
