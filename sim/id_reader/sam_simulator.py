"""A SAM ID-card reader in a separate process, on a pseudo-terminal.

The simulator owns the master side of an `os.openpty()` pair and speaks the
GA/T 467 host protocol byte for byte (sam_protocol.py); the real driver opens
the slave side by path, exactly as it opens /dev/ttyUSB0. A stable symlink
(like a udev rule's /dev/idreader) points at the current slave, so "unplug"
and "replug" can change the pty underneath, as a USB re-enumeration does.

    python -m sim.id_reader.sam_simulator [--link PATH] [--identity elderly]
        [--card resident|hmt|foreigner2017|foreigner2023] [--scenario card] [--delay 0]

prints the port path on its first stdout line, then takes commands on stdin,
one per line, each answered with one line ("ok ..." or "error ..."):

    scenario NAME        no_card | card | card_removed | slow | corrupt_checksum |
                         truncated | sam_fault | bad_text | unplugged
    card IDENTITY TYPE   which card lies on the reader (sim identities x card types)
    delay SECONDS        wait this long before every response
    read_status HEX      answer read commands with this SW3 (any code, known or not); "none" clears
    present 0|1          take the card off the reader / put it back
    unplug / replug      close the pty (reader gone) / create a new one behind the link
    quit

`SamSimulatorProcess` starts and drives it from tests, the bench and the demo.
"""
from __future__ import annotations

import argparse
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tty
from pathlib import Path

from devices.id_reader.sam_protocol import (BadLengthError, BaseMessage, FrameError, FrameReassembler, SamCommand,
                                            SamStatus, decode_request, encode_response, join_base_message)

SCENARIOS = ("no_card", "card", "card_removed", "slow", "corrupt_checksum", "truncated",
             "sam_fault", "bad_text", "unplugged")
SLOW_DELAY_S = 0.8          # per response in the "slow" scenario (a read takes 4 round trips)
SAM_ID_BYTES = (bytes([0x05, 0x00, 0x01, 0x00]) + (20101012).to_bytes(4, "little")
                + (12345678).to_bytes(4, "little") + (87654321).to_bytes(4, "little"))
REPO_ROOT = Path(__file__).resolve().parents[2]


# --- the simulator process ------------------------------------------------------------

class SamSimulator:
    def __init__(self, link: Path, identity: str, card: str, scenario: str, delay_s: float):
        self.link = link
        self.scenario = scenario
        self.delay_s = delay_s
        self.master: int | None = None
        self.slave: int | None = None
        self.reassembler = FrameReassembler()
        self.card_present = False
        self.selected = False
        self.read_status: int | None = None    # forced SW3 for read commands (any status code)
        self._texts: dict[tuple[str, str], tuple[bytes, bytes]] = {}
        self.set_card(identity, card)
        self.set_scenario(scenario)

    # -- state -------------------------------------------------------------------------

    def set_card(self, identity: str, card: str) -> None:
        self._card_data(identity, card)      # build now: a bad name is an error for the caller
        self.identity, self.card = identity, card

    def set_scenario(self, scenario: str) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
        self.scenario = scenario
        self.read_status = None
        if scenario != "unplugged":     # pulling the reader's cable leaves the card where it was
            self.card_present = scenario not in ("no_card", "sam_fault")
        self.selected = False
        if scenario == "unplugged":
            self.unplug()
        elif self.master is None:
            self.plug()

    def _card_data(self, identity: str, card: str) -> tuple[bytes, bytes]:
        key = (identity, card)
        if key not in self._texts:
            # Imported here: they pull in OpenCV, which the controller side
            # (SamSimulatorProcess, imported by the kiosk) does not need.
            from devices.id_reader.photo_decoder import encode_sim_wlt
            from sim.id_reader.sam_sim_cards import sim_card
            from devices.id_reader.text_block import encode_text_block
            document = sim_card(identity, card)
            self._texts[key] = (encode_text_block(document), encode_sim_wlt(document.photo_jpeg))
        return self._texts[key]

    # -- the pty -----------------------------------------------------------------------

    def plug(self) -> None:
        if self.master is not None:
            return
        self.master, self.slave = os.openpty()
        # Raw mode on our side too: no echo, no CR/LF translation, 8-bit clean.
        tty.setraw(self.slave)
        tmp = self.link.with_name(self.link.name + ".new")
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(os.ttyname(self.slave), tmp)
        os.replace(tmp, self.link)          # atomic: the driver never sees a half-made link
        self.reassembler.clear()

    def unplug(self) -> None:
        if self.link.is_symlink():
            self.link.unlink()
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None
        self.selected = False

    # -- protocol ---------------------------------------------------------------------------

    def on_bytes(self, data: bytes) -> None:
        self.reassembler.feed(data)
        while True:
            try:
                frame = self.reassembler.pop()
            except BadLengthError:
                self.send(encode_response(SamStatus.HOST_LENGTH_ERROR))
                continue
            if frame is None:
                return
            try:
                request = decode_request(frame)
            except FrameError as exc:
                status = SamStatus.HOST_CHECKSUM_ERROR if exc.reason == "bad_checksum" else SamStatus.HOST_LENGTH_ERROR
                self.send(encode_response(status))
                continue
            self.send(self.respond(request))

    def respond(self, request) -> bytes:
        command = request.command
        if command is None:
            return encode_response(SamStatus.COMMAND_ERROR)
        if self.scenario == "sam_fault":
            return encode_response(SamStatus.SAM_SELF_TEST_FAILED)
        if command in (SamCommand.RESET, SamCommand.SAM_STATUS):
            self.selected = False
            return encode_response(SamStatus.SUCCESS)
        if command is SamCommand.SAM_ID:
            return encode_response(SamStatus.SUCCESS, SAM_ID_BYTES)
        if command is SamCommand.SET_MAX_RF_FRAME:
            if len(request.data) != 1:
                return encode_response(SamStatus.HOST_LENGTH_ERROR)
            return encode_response(SamStatus.SUCCESS)
        if command is SamCommand.FIND_CARD:
            if not self.card_present:
                return encode_response(SamStatus.FIND_FAILED)
            return encode_response(SamStatus.FIND_OK, bytes(4))
        if command is SamCommand.SELECT_CARD:
            if not self.card_present:
                return encode_response(SamStatus.SELECT_FAILED)
            self.selected = True
            return encode_response(SamStatus.SUCCESS, bytes(8))
        if command is SamCommand.READ_NEW_ADDRESS:
            if not (self.card_present and self.selected):
                return encode_response(SamStatus.READ_FAILED)
            return encode_response(SamStatus.NO_CONTENT)     # the sample cards have no 追加住址
        # READ_BASE / READ_BASE_FINGERPRINT
        if self.scenario == "card_removed" and self.selected:
            self.card_present = self.selected = False        # pulled away between select and read
        if not (self.card_present and self.selected):
            return encode_response(SamStatus.READ_FAILED)
        if self.read_status is not None:
            return encode_response(self.read_status)
        text, photo = self._card_data(self.identity, self.card)
        if self.scenario == "bad_text":
            text = text[:248] + "Q".encode("utf-16-le") + text[250:]   # no such card type
        fingerprint = None
        if command is SamCommand.READ_BASE_FINGERPRINT:
            fingerprint = bytes((i * 7) & 0xFF for i in range(1024))  # opaque template stand-in
        frame = encode_response(SamStatus.SUCCESS, join_base_message(BaseMessage(text, photo, fingerprint)))
        if self.scenario == "corrupt_checksum":
            frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
        elif self.scenario == "truncated":
            frame = frame[:len(frame) // 2]
        return frame

    def send(self, frame: bytes) -> None:
        delay = self.delay_s or (SLOW_DELAY_S if self.scenario == "slow" else 0.0)
        if delay:
            time.sleep(delay)
        if self.master is None:
            return
        view = memoryview(frame)
        while view:
            written = os.write(self.master, view)
            view = view[written:]

    # -- control ----------------------------------------------------------------------------

    def control(self, line: str) -> str:
        words = line.split()
        if not words:
            return "error empty command"
        try:
            if words[0] == "scenario" and len(words) == 2:
                self.set_scenario(words[1])
            elif words[0] == "card" and len(words) == 3:
                self.set_card(words[1], words[2])
                self.card_present = self.scenario not in ("no_card", "sam_fault", "unplugged")
                self.selected = False
            elif words[0] == "delay" and len(words) == 2:
                self.delay_s = max(0.0, float(words[1]))
            elif words[0] == "unplug":
                self.unplug()
            elif words[0] == "replug":
                if self.scenario == "unplugged":
                    self.scenario = "card" if self.card_present else "no_card"
                self.plug()
            elif words[0] == "read_status" and len(words) == 2:   # e.g. "read_status 32"; "none" clears
                self.read_status = None if words[1] == "none" else int(words[1], 16) & 0xFF
            elif words[0] == "present" and len(words) == 2:     # put the card on / take it off
                self.card_present = words[1] == "1"
                self.selected = self.selected and self.card_present
            else:
                return f"error unknown command {line.strip()!r}"
        except ValueError as exc:
            return f"error {exc}"
        return f"ok {self.link}"

    def run(self, control_in) -> None:
        control_fd = control_in.fileno()
        pending = b""
        while True:
            fds = [control_fd] + ([self.master] if self.master is not None else [])
            readable, _, _ = select.select(fds, [], [])
            if self.master is not None and self.master in readable:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    data = b""
                if data:
                    self.on_bytes(data)
            if control_fd in readable:
                chunk = os.read(control_fd, 4096)
                if not chunk:
                    return          # parent went away
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    text = line.decode("utf-8", "replace").strip()
                    if text == "quit":
                        return
                    print(self.control(text), flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.id_reader.sam_simulator",
                                     description="SAM ID-card reader simulator on a pseudo-terminal.")
    parser.add_argument("--link", help="stable symlink to the pty (default: a new temp dir/ttySAM0)")
    parser.add_argument("--identity", default="elderly")
    parser.add_argument("--card", default="resident")
    parser.add_argument("--scenario", default="card", choices=SCENARIOS)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before every response")
    args = parser.parse_args(argv)
    own_dir = None if args.link else Path(tempfile.mkdtemp(prefix="samsim-"))
    link = Path(args.link) if args.link else own_dir / "ttySAM0"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        simulator = SamSimulator(link, args.identity, args.card, args.scenario, args.delay)
    except ValueError as exc:
        print(f"error {exc}", flush=True)
        return 2
    print(link, flush=True)
    try:
        simulator.run(sys.stdin)
    except KeyboardInterrupt:
        pass
    finally:
        simulator.unplug()
        if own_dir is not None:
            shutil.rmtree(own_dir, ignore_errors=True)
    return 0


# --- the controller used by tests, bench and demo ----------------------------------------

class SamSimulatorProcess:
    """Starts the simulator as a child process and sends it control commands."""

    def __init__(self, identity: str = "elderly", card: str = "resident", scenario: str = "card",
                 delay_s: float = 0.0, link: str | os.PathLike | None = None):
        # The link lives in a folder this object owns and removes in stop(), even
        # when the child was killed and could not clean up after itself.
        self._own_dir = None if link else Path(tempfile.mkdtemp(prefix="samsim-"))
        link = Path(link) if link else self._own_dir / "ttySAM0"
        self._args = ["--identity", identity, "--card", card, "--scenario", scenario,
                      "--delay", str(delay_s), "--link", str(link)]
        self._process: subprocess.Popen | None = None
        self._buffer = b""
        self.path: str = ""

    def start(self, timeout_s: float = 30.0) -> str:
        if self._own_dir is not None:
            self._own_dir.mkdir(exist_ok=True)     # stop() removed it; a restart needs it again
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "sim.id_reader.sam_simulator", *self._args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=str(REPO_ROOT), env=env)
        first = self._read_line(timeout_s)
        if first.startswith("error"):
            self.stop()
            raise ValueError(f"SAM simulator: {first}")
        self.path = first
        return first

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def command(self, line: str, timeout_s: float = 10.0) -> str:
        if self._process is None or self._process.poll() is not None:
            raise RuntimeError("SAM simulator is not running")
        self._process.stdin.write(line.encode() + b"\n")
        self._process.stdin.flush()
        reply = self._read_line(timeout_s)
        if not reply.startswith("ok"):
            raise ValueError(f"SAM simulator: {reply}")
        return reply

    def scenario(self, name: str) -> None:
        self.command(f"scenario {name}")

    def card(self, identity: str, card_type: str) -> None:
        self.command(f"card {identity} {card_type}")

    def delay(self, seconds: float) -> None:
        self.command(f"delay {seconds}")

    def read_status(self, sw3: int | None) -> None:
        self.command(f"read_status {'none' if sw3 is None else format(sw3, '02X')}")

    def present(self, on_reader: bool) -> None:
        self.command(f"present {1 if on_reader else 0}")

    def unplug(self) -> None:
        self.command("unplug")

    def replug(self) -> None:
        self.command("replug")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.poll() is None:
                process.stdin.write(b"quit\n")
                process.stdin.flush()
                process.wait(timeout=3)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait(timeout=3)
        finally:
            for stream in (process.stdin, process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            if self._own_dir is not None:
                shutil.rmtree(self._own_dir, ignore_errors=True)

    def _read_line(self, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        fd = self._process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("SAM simulator did not answer")
            readable, _, _ = select.select([fd], [], [], remaining)
            if readable:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise RuntimeError("SAM simulator exited")
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode().strip()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":
    sys.exit(main())
