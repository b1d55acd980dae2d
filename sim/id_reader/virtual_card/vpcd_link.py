"""One card in one vpcd slot: the card side of vpcd's socket protocol.

vpcd (the pcscd driver from vsmartcard) listens on TCP 35963 + slot; the card
connects. Every message both ways is a 2-byte big-endian length and a payload.
From vpcd, a 1-byte payload is a control code (00 power off, 01 power on,
02 reset, 04 get ATR - the only one answered, with the ATR); a longer payload is
a command APDU, answered with one response APDU. Closing the socket is how a
card leaves the reader.

Fault scenarios, switchable while connected:
  * `remove_after=N`: after answering N APDUs, the next APDU makes the card
    vanish (socket closed, no answer) - a card pulled out mid-read.
  * `mute=True`: the card still answers the ATR poll but never answers an APDU.
"""
from __future__ import annotations

import logging
import socket
import struct
import threading

from sim.id_reader.virtual_card.cards import Card

log = logging.getLogger(__name__)

POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4
DEFAULT_PORT = 35963
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)   # Linux only


class VpcdLink:
    def __init__(self, card: Card, host: str = "127.0.0.1", port: int = DEFAULT_PORT):
        self.card = card
        self.host, self.port = host, port
        self.remove_after: int | None = None
        self.mute = False
        self.apdu_log: list[str] = []          # hex of every command APDU received
        self.answered = 0
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.closed = threading.Event()

    def connect(self, timeout_s: float = 5.0) -> None:
        """Insert the card: connect to vpcd and serve it on a thread."""
        self._sock = socket.create_connection((self.host, self.port), timeout=timeout_s)
        self._sock.settimeout(None)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._thread = threading.Thread(target=self._serve, name="vpcd-card", daemon=True)
        self._thread.start()

    def disconnect(self) -> None:
        """Remove the card (close the socket)."""
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2.0)
        self.closed.set()

    def _recv_exact(self, sock: socket.socket, n: int) -> bytes | None:
        buf = b""
        while len(buf) < n:
            try:
                # vpcd writes the length and the payload with two send() calls and
                # Nagle holds the second until the first is ACKed; Linux delays that
                # ACK by 40 ms. Quick-ACK (not sticky, so set before every recv)
                # keeps each APDU round trip at loopback speed, as a USB reader's.
                if _QUICKACK is not None:
                    sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
                chunk = sock.recv(n - len(buf))
            except OSError:
                return None
            if not chunk:
                return None
            buf += chunk
        return buf

    def _send(self, sock: socket.socket, payload: bytes) -> None:
        sock.sendall(struct.pack(">H", len(payload)) + payload)

    def _serve(self) -> None:
        sock = self._sock
        try:
            while sock is not None:
                header = self._recv_exact(sock, 2)
                if header is None:
                    break
                (length,) = struct.unpack(">H", header)
                payload = self._recv_exact(sock, length)
                if payload is None:
                    break
                if length == 1:
                    code = payload[0]
                    if code == GET_ATR:
                        self._send(sock, self.card.atr)
                    elif code in (POWER_ON, RESET):
                        self.card.reset()
                    continue
                self.apdu_log.append(payload.hex().upper())
                if self.remove_after is not None and self.answered >= self.remove_after:
                    log.info("virtual card: pulled out before answering APDU #%d", self.answered + 1)
                    threading.Thread(target=self.disconnect, daemon=True).start()
                    break
                if self.mute:
                    continue
                response = self.card.process(payload)
                self.answered += 1
                self._send(sock, response)
        except OSError:
            pass
        finally:
            self.closed.set()
