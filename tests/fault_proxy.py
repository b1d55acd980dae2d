"""A small fault-injecting HTTP/1.1 proxy on 127.0.0.1 (asyncio, own thread), for the outbox tests.

It sits between the kiosk's PlatformClient and the real reference platform. Each request
the kiosk sends takes the next fault from `plan` (then "pass"), so a test can script
"the 3rd request loses its response after the platform committed":

  pass           forward, return the platform's response
  drop_before    close the client connection without forwarding (nothing done upstream)
  reset_before   TCP RST to the client without forwarding
  drop_after     forward (the platform commits), then close without a response
  reset_after    forward, then RST
  delay          forward, then hold the response for `delay_s` (past the client's read timeout)
  truncate       forward, then send only half of the response bytes and close
  500_after      forward, then answer 500 instead of the real response
  503 / 429      answer 503 / 429 with Retry-After: 1, without forwarding
  garbage_json   forward, then answer 200 application/json with a body that is not JSON
  wrong_type     forward, then answer 200 text/html
  huge           forward, then answer 200 application/json with a `huge_bytes` body
  garbage_422    answer 422 with a non-JSON body, without forwarding

Only Content-Length framed messages are handled (what requests and uvicorn send here).
"""
from __future__ import annotations

import asyncio
import collections
import socket
import struct
import threading


async def _read_message(reader: asyncio.StreamReader) -> bytes | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return head + body


def _response(status: int, reason: str, body: bytes, content_type: str, extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            f"{extra}Connection: close\r\n\r\n").encode() + body


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int, *, delay_s: float = 1.0,
                 huge_bytes: int = 5 * 1024 * 1024):
        self.upstream = (upstream_host, upstream_port)
        self.delay_s = delay_s
        self.huge_bytes = huge_bytes
        self.plan: collections.deque[str] = collections.deque()
        self.log: list[tuple[str, str]] = []        # (fault, request line)
        self._loop = asyncio.new_event_loop()
        self._server = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)
        self.port = 0

    def start(self) -> str:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop).result(5)
        self.port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        async def close():
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def fired(self, fault: str) -> int:
        return sum(1 for f, _ in self.log if f == fault)

    async def _forward(self, request: bytes) -> bytes:
        reader, writer = await asyncio.open_connection(*self.upstream)
        try:
            writer.write(request)
            await writer.drain()
            response = await _read_message(reader)
            return response or b""
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_message(reader)
                if request is None:
                    break
                fault = self.plan.popleft() if self.plan else "pass"
                self.log.append((fault, request.split(b"\r\n", 1)[0].decode("latin-1")))
                if not await self._apply(fault, request, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            if not writer.transport.is_closing():
                writer.close()

    async def _apply(self, fault: str, request: bytes, writer: asyncio.StreamWriter) -> bool:
        """Returns False when the client connection was closed by the fault."""
        if fault == "drop_before":
            writer.close()
            return False
        if fault == "reset_before":
            _reset(writer)
            return False
        if fault in ("503", "429"):
            reason = "Service Unavailable" if fault == "503" else "Too Many Requests"
            writer.write(_response(int(fault), reason, b'{"error":{"code":"proxy_fault","message":"injected"}}',
                                   "application/json", "Retry-After: 1\r\n"))
            await writer.drain()
            writer.close()
            return False
        if fault == "garbage_422":
            writer.write(_response(422, "Unprocessable Content", b"<<not json>>", "application/json"))
            await writer.drain()
            writer.close()
            return False
        response = await self._forward(request)
        if fault == "pass":
            writer.write(response)
            await writer.drain()
            return True
        if fault == "drop_after":
            writer.close()
        elif fault == "reset_after":
            _reset(writer)
        elif fault == "delay":
            await asyncio.sleep(self.delay_s)
            writer.write(response)
            await writer.drain()
            writer.close()
        elif fault == "truncate":
            writer.write(response[: len(response) // 2])
            await writer.drain()
            writer.close()
        elif fault == "500_after":
            writer.write(_response(500, "Internal Server Error", b'{"error":{"code":"proxy_fault","message":"x"}}',
                                   "application/json"))
            await writer.drain()
            writer.close()
        elif fault == "garbage_json":
            writer.write(_response(200, "OK", b'{"application_number": "2026', "application/json"))
            await writer.drain()
            writer.close()
        elif fault == "wrong_type":
            writer.write(_response(200, "OK", b"<html><body>maintenance</body></html>", "text/html"))
            await writer.drain()
            writer.close()
        elif fault == "huge":
            head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {self.huge_bytes}\r\n"
                    "Connection: close\r\n\r\n").encode()
            writer.write(head)
            chunk = b" " * 65536
            sent = 0
            try:
                while sent < self.huge_bytes:
                    writer.write(chunk)
                    await writer.drain()
                    sent += len(chunk)
            except ConnectionError:
                pass
            writer.close()
        else:
            raise ValueError(f"unknown fault {fault!r}")
        return False
