"""A minimal raw-socket WebSocket client, for frames a real client library won't send
(invalid UTF-8 in a text frame, a header announcing a huge payload)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import struct
import time
from typing import Optional

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class RawWS:
    def __init__(self, host: str, port: int, path: str = "/ws", subprotocol: str = "townhall.v1",
                 timeout: float = 5.0, source: str = ""):
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.buf = b""
        key = base64.b64encode(os.urandom(16)).decode()
        req = (
            f"GET {path} HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: {subprotocol}\r\n"
            "\r\n"
        )
        self.sock.sendall(req.encode())
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            if time.monotonic() > deadline:
                raise AssertionError("no handshake response")
            chunk = self.sock.recv(4096)
            if not chunk:
                raise AssertionError(f"connection closed during handshake: {self.buf!r}")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        assert " 101 " in lines[0] + " ", f"handshake failed: {lines[0]}"
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        expect = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        assert headers.get("sec-websocket-accept") == expect, f"bad accept header: {headers}"
        self.headers = headers

    # ------------------------------------------------------------------ frames
    @staticmethod
    def frame_header(opcode: int, length: int, fin: bool = True, mask_key: bytes = b"") -> bytes:
        b0 = (0x80 if fin else 0) | opcode
        m = 0x80 if mask_key else 0
        if length < 126:
            hdr = struct.pack("!BB", b0, m | length)
        elif length < 65536:
            hdr = struct.pack("!BBH", b0, m | 126, length)
        else:
            hdr = struct.pack("!BBQ", b0, m | 127, length)
        return hdr + mask_key

    @staticmethod
    def mask(payload: bytes, key: bytes) -> bytes:
        return bytes(b ^ key[i % 4] for i, b in enumerate(payload))

    def send_frame(self, opcode: int, payload: bytes, fin: bool = True) -> None:
        key = os.urandom(4)
        self.sock.sendall(self.frame_header(opcode, len(payload), fin, key) + self.mask(payload, key))

    def send_text(self, text: str) -> None:
        self.send_frame(0x1, text.encode("utf-8"))

    def send_json(self, obj) -> None:
        self.send_text(json.dumps(obj))

    def _read_exact(self, n: int, deadline: float) -> Optional[bytes]:
        while len(self.buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("timed out reading from raw websocket")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise TimeoutError("timed out reading from raw websocket")
            except ConnectionResetError:
                return None
            if not chunk:
                return None
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_frame(self, timeout: float = 5.0):
        """Return (opcode, payload) or None when the TCP connection ended."""
        deadline = time.monotonic() + timeout
        h = self._read_exact(2, deadline)
        if h is None:
            return None
        b0, b1 = h
        opcode = b0 & 0x0F
        length = b1 & 0x7F
        if length == 126:
            ext = self._read_exact(2, deadline)
            if ext is None:
                return None
            length = struct.unpack("!H", ext)[0]
        elif length == 127:
            ext = self._read_exact(8, deadline)
            if ext is None:
                return None
            length = struct.unpack("!Q", ext)[0]
        key = b""
        if b1 & 0x80:
            key = self._read_exact(4, deadline)
        payload = self._read_exact(length, deadline) if length else b""
        if payload is None:
            return None
        if key:
            payload = self.mask(payload, key)
        return opcode, payload

    def recv_json(self, timeout: float = 5.0):
        """Next data message as parsed JSON (skips control frames other than close)."""
        deadline = time.monotonic() + timeout
        parts = b""
        while True:
            fr = self.recv_frame(max(0.01, deadline - time.monotonic()))
            if fr is None:
                raise AssertionError("connection ended while waiting for a message")
            op, payload = fr
            if op == 0x8:
                raise AssertionError(f"closed while waiting for a message: {self.parse_close(payload)}")
            if op in (0x9, 0xA):
                continue
            parts += payload
            # Fragmented messages: keep reading continuation frames until FIN.
            # (recv_frame does not return FIN; servers send whole small messages.)
            try:
                return json.loads(parts.decode("utf-8"))
            except ValueError:
                continue

    @staticmethod
    def parse_close(payload: bytes):
        if len(payload) >= 2:
            return struct.unpack("!H", payload[:2])[0], payload[2:].decode("utf-8", "replace")
        return None, ""

    def wait_close(self, timeout: float = 5.0):
        """Read until a close frame; return (code, reason, messages_before). code None if the
        TCP connection ended without a close frame."""
        deadline = time.monotonic() + timeout
        before = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no close frame from server")
            fr = self.recv_frame(remaining)
            if fr is None:
                return None, "", before
            op, payload = fr
            if op == 0x8:
                code, reason = self.parse_close(payload)
                return code, reason, before
            before.append((op, payload))

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
