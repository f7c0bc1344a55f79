"""Connection accounting: 50,000 connections opened and closed one after another from one
address with the default per-address limits (2,000 open, 200 new a second), half to a
plain server and half to a TLS one, at once. Each must be admitted and, once closed, given
back: the per-address count once leaked on every plain HTTP connection, so that after
~2,000 `/healthz` requests from one address every new connection was refused. Afterwards
the server's own books (/metrics) must show nothing left open. Prints the figures.

TOWNHALL_ACCOUNTING_CONNECTIONS sets the number (default 50000), for short runs."""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import struct
import threading
import time
from collections import Counter
from typing import Optional

import pytest

from conftest import HOST, Server
from ledger import ADMITTED, BOOKS, IDLE, OPEN, PER_ADDRESS_MAX, REFUSED, RELEASED, STATES, accept_for, \
    assert_idle, frame, rss_kib, samples, upgrade_request

CONNECTIONS = int(os.environ.get("TOWNHALL_ACCOUNTING_CONNECTIONS", "50000"))
RATE = 180           # new connections a second per server: under the default 200, so none may be refused
TIMEOUT = 5.0        # per socket operation
GIVE_UP_AFTER = 200  # failures in one thread: the server has failed already, stop hammering it
KINDS = ("http", "websocket", "refused_upgrade", "drop")
REFUSED_UPGRADES = "townhall_refused_upgrades_total"


# ----------------------------------------------------------------------------- servers
@pytest.fixture
def servers(make_server):
    """A plain and a TLS server, both with the default limits."""
    return make_server(), make_server(tls=True)


def scrape(server: Server) -> dict:
    """/metrics as {sample name with labels: value}. The scrape is itself one connection."""
    status, _, body = server.http_get("/metrics", timeout=TIMEOUT)
    return samples(status, body)


def settled(server: Server, timeout: float = 15.0) -> tuple:
    """Scrapes until only the scrape itself is open (closing sockets are released
    asynchronously); returns (last scrape, scrapes made), settled or not, for the caller
    to judge."""
    deadline = time.monotonic() + timeout
    made = 0
    while True:
        m = scrape(server)
        made += 1
        if any(k not in m for k in BOOKS):
            return m, made  # an old server: the assertions name what is missing
        if ({s: m[OPEN % s] for s in STATES} == IDLE
                and m[PER_ADDRESS_MAX] == 1 and m[ADMITTED] - m[RELEASED] == 1):
            return m, made
        if time.monotonic() > deadline:
            return m, made
        time.sleep(0.25)


# ------------------------------------------------------------------------- the wire
class Closed(Exception):
    """The peer ended the connection."""


class Stream:
    """Buffered reads on a (possibly TLS) socket: an HTTP head, exact byte counts, frames."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""

    def more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise Closed()
        self.buf += chunk

    def head(self) -> tuple:
        """(status code, {lower-case header: value}) of an HTTP response."""
        while b"\r\n\r\n" not in self.buf:
            self.more()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(parts[1]), headers

    def exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            self.more()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self) -> tuple:
        """(fin, opcode, payload) of one unmasked server frame."""
        b0, b1 = self.exact(2)
        length = b1 & 0x7F
        if length == 126:
            length = struct.unpack("!H", self.exact(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self.exact(8))[0]
        return bool(b0 & 0x80), b0 & 0x0F, self.exact(length)

    def message(self, sock_send) -> tuple:
        """(opcode, payload) of the next data or close message; answers pings on the way."""
        opcode, payload = None, b""
        while True:
            fin, op, data = self.frame()
            if op == 0x9:
                sock_send(frame(0xA, data))
                continue
            if op == 0xA:
                continue
            if op != 0x0:
                opcode = op
            payload += data
            if fin or op == 0x8:
                return opcode, payload


def half_client_hello() -> bytes:
    """The first half of a real TLS ClientHello: a handshake that starts and never ends."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = outgoing.read()
    assert hello[:1] == b"\x16", "the ClientHello should be a TLS handshake record"
    return hello[: len(hello) // 2]


def reset(sock: socket.socket) -> None:
    """Close with a RST instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


# ------------------------------------------------------------------------ the driver
class Driver:
    """Drives one server from 127.0.0.1, one connection at a time, each kind in two
    variants (`k` is how many of that kind came before). A kind returns None when the
    server behaved, else what it did instead."""

    def __init__(self, server: Server, tls: Optional[ssl.SSLContext], tokens: list):
        self.port = server.port
        self.tls = tls
        self.tokens = tokens
        self.partial_hello = half_client_hello()
        self.refusals: Counter = Counter()  # how refused upgrades were refused

    def tcp(self) -> socket.socket:
        sock = socket.create_connection((HOST, self.port), timeout=TIMEOUT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def connect(self) -> socket.socket:
        sock = self.tcp()
        if self.tls is None:
            return sock
        try:
            return self.tls.wrap_socket(sock, server_hostname=HOST)
        except BaseException:
            sock.close()
            raise

    def http(self, k: int) -> Optional[str]:
        """GET /healthz with Connection: close; either wait for the server to close, or
        close first right after the body."""
        with self.connect() as sock:
            sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nConnection: close\r\n\r\n".encode())
            stream = Stream(sock)
            status, headers = stream.head()
            if status != 200:
                return f"status {status}"
            body = stream.exact(int(headers.get("content-length", "0")))
            if json.loads(body).get("status") != "ok":
                return f"health {body[:80]!r}"
            if k % 2 == 0:
                try:
                    stream.more()
                    return "bytes after the response"
                except (Closed, ConnectionResetError):
                    pass  # closed as asked
        return None

    def websocket(self, k: int) -> Optional[str]:
        """Upgrade, hello, welcome; then a clean close handshake, or just hang up."""
        with self.connect() as sock:
            key = base64.b64encode(os.urandom(16)).decode()
            sock.sendall(upgrade_request(self.port, "/ws", key))
            stream = Stream(sock)
            status, headers = stream.head()
            if status != 101:
                return f"upgrade answered {status}"
            if headers.get("sec-websocket-accept") != accept_for(key):
                return "bad Sec-WebSocket-Accept"
            hello = {"type": "hello", "token": self.tokens[k % len(self.tokens)]}
            sock.sendall(frame(0x1, json.dumps(hello).encode()))
            opcode, payload = stream.message(sock.sendall)
            if opcode != 0x1:
                return f"opcode {opcode} instead of the welcome: {payload[:80]!r}"
            reply = json.loads(payload)
            if reply.get("type") != "welcome":
                return f"hello answered {reply.get('type')} {reply.get('code')}"
            if k % 2 == 0:
                sock.sendall(frame(0x8, struct.pack("!H", 1000)))
                while stream.message(sock.sendall)[0] != 0x8:
                    pass  # updates sent before the server saw the close
        return None

    def refused_upgrade(self, k: int) -> Optional[str]:
        """An upgrade on a wrong path, or from a foreign Origin: anything but 101."""
        path, headers = ("/nope", ()) if k % 2 == 0 else ("/ws", ("Origin: https://evil.example.com",))
        with self.connect() as sock:
            sock.sendall(upgrade_request(self.port, path, base64.b64encode(os.urandom(16)).decode(), headers))
            try:
                status, _ = Stream(sock).head()
            except (Closed, ConnectionResetError):
                self.refusals["closed"] += 1
                return None
            self.refusals[f"status {status}"] += 1
            return "101 Switching Protocols" if status == 101 else None

    def drop(self, k: int) -> Optional[str]:
        """Connect and go: plain, say nothing, or half a request line and a RST; TLS,
        say nothing, or half a ClientHello and a RST."""
        sock = self.tcp()
        if k % 2 == 0:
            sock.close()
        else:
            sock.sendall(self.partial_hello if self.tls else b"GET /healthz HTTP/1.1\r\nHo")
            reset(sock)
        return None


class Run(threading.Thread):
    """One server's share, sequential, kinds round-robin, paced to at most RATE new
    connections in any second."""

    def __init__(self, driver: Driver, count: int):
        super().__init__(daemon=True)
        self.driver, self.count = driver, count
        self.made: Counter = Counter()
        self.failures: Counter = Counter()
        self.first_failure: Optional[tuple] = None
        self.seconds = 0.0
        self.error: Optional[BaseException] = None

    def run(self) -> None:
        try:
            started = next_at = time.monotonic()
            for i in range(self.count):
                now = time.monotonic()
                if next_at > now:
                    time.sleep(next_at - now)
                next_at = max(next_at, now) + 1 / RATE  # starts stay 1/RATE apart, no catching up
                kind = KINDS[i % len(KINDS)]
                self.made[kind] += 1
                try:
                    outcome = getattr(self.driver, kind)(i // len(KINDS))
                except Closed:
                    outcome = "closed by the server"
                except (OSError, ValueError) as e:  # timeouts, resets, TLS errors, bad JSON
                    outcome = f"{type(e).__name__}: {e}"[:120]
                if outcome is not None:
                    self.failures[(kind, outcome)] += 1
                    self.first_failure = self.first_failure or (i, kind, outcome)
                    if sum(self.failures.values()) >= GIVE_UP_AFTER:
                        break
            self.seconds = time.monotonic() - started
        except BaseException as e:  # noqa: BLE001 - re-raised in the test
            self.error = e


# -------------------------------------------------------------------------- the test
def test_connections_one_after_another_are_all_admitted_and_released(servers):
    plain, tls = servers
    runs = {
        "plain": Run(Driver(plain, None, [plain.token(f"plain-{n}") for n in range(4)]), CONNECTIONS - CONNECTIONS // 2),
        "tls": Run(Driver(tls, tls.context, [tls.token(f"tls-{n}") for n in range(4)]), CONNECTIONS // 2),
    }
    server_of = {"plain": plain, "tls": tls}
    before = {name: scrape(s) for name, s in server_of.items()}
    rss_start = {name: rss_kib(s.proc.pid) for name, s in server_of.items()}

    started = time.monotonic()
    for run in runs.values():
        run.start()
    for run in runs.values():
        run.join()
    seconds = time.monotonic() - started
    for run in runs.values():
        if run.error is not None:
            raise run.error

    rss_end = {name: rss_kib(s.proc.pid) for name, s in server_of.items()}
    print(f"\n{sum(sum(r.made.values()) for r in runs.values())} connections in {seconds:.1f} s")
    for name, run in runs.items():
        made = sum(run.made.values())
        print(f"  {name}: {made} in {run.seconds:.1f} s ({made / max(run.seconds, 1e-9):.0f}/s), "
              f"{dict(run.made)}; refused upgrades: {dict(run.driver.refusals)}; "
              f"server RSS {rss_start[name]} -> {rss_end[name]} KiB; "
              f"failures: {sum(run.failures.values())}, first: {run.first_failure}")
    for name, run in runs.items():
        assert not run.failures, (
            f"{name}: {sum(run.failures.values())} connections did not get what they asked for "
            f"(first at connection #{run.first_failure[0]}: {run.first_failure[1]} -> {run.first_failure[2]}); "
            f"by kind and outcome: {dict(run.failures)}")

    # Only then the books: an address refused for good could not even scrape them.
    after = {name: settled(s) for name, s in server_of.items()}
    for name, (m, _) in after.items():
        print(f"  {name} /metrics: " + ", ".join(f"{k}={m[k]:g}" for k in m if "connection" in k or "upgrades" in k))

    for name, run in runs.items():
        m, scrapes = after[name]
        missing = [k for k in BOOKS if k not in m]
        assert not missing, f"{name}: /metrics lacks {missing}"
        assert_idle(m, f"{name} after the run")
        made = sum(run.made.values())
        assert m[ADMITTED] - before[name][ADMITTED] == made + scrapes, \
            f"{name}: {m[ADMITTED] - before[name][ADMITTED]:g} admitted, expected {made} connections + {scrapes} scrapes"
        assert m[REFUSED] == before[name][REFUSED], \
            f"{name}: {m[REFUSED] - before[name][REFUSED]:g} sockets refused although under both limits"
        assert m[REFUSED_UPGRADES] - before[name][REFUSED_UPGRADES] == run.made["refused_upgrade"], \
            f"{name}: refused upgrades counted {m[REFUSED_UPGRADES] - before[name][REFUSED_UPGRADES]:g}, sent {run.made['refused_upgrade']}"
