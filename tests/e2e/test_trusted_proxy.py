"""Behind a trusted reverse proxy (nginx from Debian, as a company would run it), the
per-address caps apply to the clients the proxy names in X-Forwarded-For, not to the
proxy: 3,000 WebSocket sessions from 30 client addresses all come in through one proxy
address with `--max-conns-per-address 100`, each client address is then full, a forged
header changes nothing, and everything is given back once closed. Prints the figures."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import resource
import struct
import time
from collections import Counter
from typing import Optional

import pytest

from conftest import HOST
from nginx import Nginx, ensure_nginx
from ledger import ADMITTED, BOOKS, IDLE, OPEN, PER_ADDRESS_MAX, REFUSED, RELEASED, STATES, accept_for, \
    assert_idle, frame, open_counts, rss_kib, samples, upgrade_request

ADDRESSES = [f"127.0.1.{n}" for n in range(1, 31)]  # the clients behind the proxy
CAP = 100                    # --max-conns-per-address
PER_ADDRESS_RATE = 120       # new sessions a second per client address: under the default 200
USERS = 200                  # 3,000 sessions, 15 each: under the 20 a user may hold
IN_FLIGHT = 200              # handshakes under way at once
OTHER = "127.0.1.31"         # a client behind the proxy that holds nothing
DIRECT = "127.0.2.1"         # a client that skips the proxy and forges X-Forwarded-For
CHECKER = "127.0.3.1"        # scrapes /metrics directly; counts as one http connection


@pytest.fixture
def proxy(tmp_path):
    """A factory: nginx in front of the given townhall port, ready once it forwards."""
    ensure_nginx()
    started: list[Nginx] = []

    def start(upstream: int) -> Nginx:
        nginx = Nginx(tmp_path / "nginx", upstream)
        started.append(nginx)
        deadline = time.monotonic() + 20
        while True:
            assert nginx.proc.poll() is None, f"nginx exited with {nginx.proc.returncode}\n{nginx.log_tail()}"
            try:
                if asyncio.run(http_status(nginx.port, "/healthz", CHECKER)) == 200:
                    return nginx
            except OSError:
                pass
            assert time.monotonic() < deadline, f"nginx did not forward /healthz within 20 s\n{nginx.log_tail()}"
            time.sleep(0.1)

    yield start
    for nginx in started:
        nginx.stop()


def raise_fd_limit(needed: int) -> None:
    """3,000 client sockets here, and townhall inherits the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = needed if hard == resource.RLIM_INFINITY else min(max(soft, needed), hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    assert target >= needed, f"the fd limit is {hard}, this test needs {needed}"


# ------------------------------------------------------------------------- the wire
class Session(asyncio.Protocol):
    """One raw WebSocket session: upgrade, hello, welcome, then it stays open, answering
    pings (silent peers are hung up on) and skipping updates. `outcome` resolves to
    "welcome", or to what happened instead ("status 502", "closed 4001", ...);
    `lost` once the connection has ended."""

    def __init__(self, port: int, token: str, headers: tuple = ()):
        loop = asyncio.get_running_loop()
        self.outcome = loop.create_future()
        self.lost = loop.create_future()
        self.key = base64.b64encode(os.urandom(16)).decode()
        self.token = token
        self.request = upgrade_request(port, "/ws", self.key, headers)
        self.buf = bytearray()
        self.upgraded = False
        self.message = bytearray()
        self.transport: Optional[asyncio.Transport] = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.upgraded:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
            del self.buf[: end + 4]
            status = int(head[0].split(" ", 2)[1])
            accept = accept_for(self.key)
            if status != 101 or not any(h.lower() == f"sec-websocket-accept: {accept.lower()}" for h in head[1:]):
                self._resolve(f"status {status}")
                self.transport.close()
                return
            self.upgraded = True
            self.transport.write(frame(0x1, json.dumps({"type": "hello", "token": self.token}).encode()))
        while len(self.buf) >= 2:
            fin, opcode, length, start = self.buf[0] & 0x80, self.buf[0] & 0x0F, self.buf[1] & 0x7F, 2
            if length == 126:
                if len(self.buf) < 4:
                    return
                length, start = struct.unpack_from("!H", self.buf, 2)[0], 4
            elif length == 127:
                if len(self.buf) < 10:
                    return
                length, start = struct.unpack_from("!Q", self.buf, 2)[0], 10
            if len(self.buf) < start + length:
                return
            payload = bytes(self.buf[start: start + length])
            del self.buf[: start + length]
            if opcode == 0x9:
                self.transport.write(frame(0xA, payload))
            elif opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                self._resolve(f"closed {code}")
                self.transport.close()
                return
            elif opcode in (0x0, 0x1) and not self.outcome.done():
                self.message += payload
                if fin:
                    reply = json.loads(self.message)
                    self._resolve("welcome" if reply.get("type") == "welcome"
                                  else f"hello answered {reply.get('type')} {reply.get('code')}")
            # later messages (presence updates and the like) are skipped

    def connection_lost(self, exc) -> None:
        self._resolve("connection lost")
        if not self.lost.done():
            self.lost.set_result(None)

    def _resolve(self, outcome: str) -> None:
        if not self.outcome.done():
            self.outcome.set_result(outcome)

    def close(self) -> None:
        """A clean close frame, then the connection goes."""
        if not self.transport.is_closing():
            self.transport.write(frame(0x8, struct.pack("!H", 1000)))
            self.transport.close()


async def open_session(port: int, source: str, token: str, headers: tuple = ()) -> tuple:
    """(Session or None, outcome) of a WebSocket from `source`."""
    loop = asyncio.get_running_loop()
    try:
        _, session = await asyncio.wait_for(
            loop.create_connection(lambda: Session(port, token, headers), HOST, port, local_addr=(source, 0)), 10)
    except (OSError, asyncio.TimeoutError) as e:
        return None, f"connect: {type(e).__name__} {e}"
    try:
        return session, await asyncio.wait_for(asyncio.shield(session.outcome), 30)
    except asyncio.TimeoutError:
        session.transport.close()
        return session, "no welcome within 30 s"


async def http_get(port: int, path: str, source: str, headers: tuple = ()) -> tuple:
    """(status, body) of a GET from `source` with Connection: close."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port, local_addr=(source, 0)), 10)
    try:
        lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close", *headers]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        response = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    if not head:
        raise ConnectionResetError(f"no response to GET {path}")
    return int(head.split(b" ", 2)[1]), body.decode("utf-8", "replace")


async def http_status(port: int, path: str, source: str, headers: tuple = ()) -> int:
    return (await http_get(port, path, source, headers))[0]


async def scrape(port: int) -> dict:
    """/metrics straight from townhall (from CHECKER, not through the proxy)."""
    m = samples(*await http_get(port, "/metrics", CHECKER))
    missing = [k for k in BOOKS if k not in m]
    assert not missing, f"/metrics lacks {missing}"
    return m


async def settle(port: int, want: dict, timeout: float = 20.0) -> dict:
    """Scrapes until the open counts are `want` (closing sockets go asynchronously);
    returns the last scrape, settled or not, for the caller to judge."""
    deadline = time.monotonic() + timeout
    while True:
        m = await scrape(port)
        if {s: m[OPEN % s] for s in STATES} == want or time.monotonic() > deadline:
            return m
        await asyncio.sleep(0.25)


# -------------------------------------------------------------------------- the test
def test_per_address_caps_apply_to_the_clients_behind_a_trusted_proxy(make_server, proxy):
    raise_fd_limit(len(ADDRESSES) * CAP + 1000)
    server = make_server(extra_args=("--trusted-proxy", "127.0.0.1/32", "--max-conns-per-address", str(CAP)))
    nginx = proxy(server.port)
    tokens = server.tokens([{"sub": f"behind-proxy-{n}"} for n in range(USERS)])
    asyncio.run(asyncio.wait_for(scenario(server, nginx, tokens), 300))


async def scenario(server, nginx: Nginx, tokens: list) -> None:
    sessions: list[Session] = []
    try:
        await through_the_proxy(server, nginx, tokens, sessions)
    finally:
        for session in sessions:
            session.close()


async def through_the_proxy(server, nginx: Nginx, tokens: list, sessions: list) -> None:
    # 3,000 sessions through the proxy, 100 from each client address, round-robin, each
    # start at least 1/(30 * PER_ADDRESS_RATE) s after the last (no catching up), so no
    # client address opens more than PER_ADDRESS_RATE a second.
    rss_start = (rss_kib(server.proc.pid), rss_kib(nginx.worker_pid()))
    gate = asyncio.Semaphore(IN_FLIGHT)
    interval = 1 / (len(ADDRESSES) * PER_ADDRESS_RATE)

    async def one(source: str, token: str) -> tuple:
        try:
            return source, await open_session(nginx.port, source, token)
        finally:
            gate.release()

    started = time.monotonic()
    next_at = started
    tasks = []
    for i in range(len(ADDRESSES) * CAP):
        await gate.acquire()
        now = time.monotonic()
        if next_at > now:
            await asyncio.sleep(next_at - now)
        next_at = max(next_at, now) + interval
        tasks.append(asyncio.create_task(one(ADDRESSES[i % len(ADDRESSES)], tokens[i % len(tokens)])))
    results = await asyncio.gather(*tasks)
    opened = time.monotonic() - started
    sessions += [session for _, (session, _) in results if session is not None]
    outcomes = Counter(outcome for _, (_, outcome) in results)
    welcomed = Counter(source for source, (_, outcome) in results if outcome == "welcome")
    print(f"\n{len(results)} sessions through nginx in {opened:.1f} s ({len(results) / opened:.0f}/s): {dict(outcomes)}")
    assert outcomes == {"welcome": len(ADDRESSES) * CAP}, \
        f"every session through the proxy should be welcomed: {dict(outcomes)}; per address: {dict(welcomed)}\n" \
        f"nginx: {nginx.log_tail()}"

    full = await settle(server.port, {"handshake": 0, "http": 1, "websocket": len(ADDRESSES) * CAP, "closing": 0})
    print(f"  full: open {open_counts(full)}, per-address max {full[PER_ADDRESS_MAX]:g}, "
          f"townhall RSS {rss_start[0]} -> {rss_kib(server.proc.pid)} KiB, "
          f"nginx worker RSS {rss_start[1]} -> {rss_kib(nginx.worker_pid())} KiB")
    assert open_counts(full) == {"handshake": 0, "http": 1, "websocket": len(ADDRESSES) * CAP, "closing": 0}, \
        f"open connections with every session up (the one http is the scrape): {open_counts(full)}"
    assert full[PER_ADDRESS_MAX] == CAP, \
        f"each client address holds {CAP}, and the proxy's own connections do not count: " \
        f"per-address max is {full[PER_ADDRESS_MAX]:g}"
    assert full[ADMITTED] - full[RELEASED] == sum(open_counts(full).values()), \
        f"admitted {full[ADMITTED]:g} - released {full[RELEASED]:g} should be what is open: {open_counts(full)}"

    # Each client address is full: its 101st session and a plain request are refused,
    # even when it forges an X-Forwarded-For through the proxy (the proxy appends the
    # real peer, and that last hop is what counts).
    first = ADDRESSES[0]
    extra, outcome = await open_session(nginx.port, first, tokens[0])
    if extra is not None:
        sessions.append(extra)
    print(f"  the {CAP + 1}st session from {first}: {outcome}")
    assert outcome.startswith("status ") and outcome != "status 101", \
        f"the {CAP + 1}st session from {first} should be refused its upgrade, got: {outcome}"
    assert await http_status(nginx.port, "/healthz", first) == 429
    assert await http_status(nginx.port, "/healthz", first, ("X-Forwarded-For: 127.0.1.99",)) == 429, \
        "a client must not escape its cap by naming someone else in X-Forwarded-For"
    # Another client behind the same proxy is not affected, nor made to pay for a
    # forged header naming a full address.
    assert await http_status(nginx.port, "/healthz", OTHER) == 200
    assert await http_status(nginx.port, "/healthz", OTHER, (f"X-Forwarded-For: {first}",)) == 200

    # From anyone but a trusted proxy the header is ignored: straight to townhall from
    # DIRECT, naming the full address, it is counted under its own and admitted.
    forged = (f"X-Forwarded-For: {first}",)
    assert await http_status(server.port, "/healthz", DIRECT, forged) == 200
    direct, outcome = await open_session(server.port, DIRECT, tokens[-1], forged)
    if direct is not None:
        sessions.append(direct)
    assert outcome == "welcome", f"a direct client naming {first} in X-Forwarded-For: {outcome}"

    after = await settle(server.port, {"handshake": 0, "http": 1, "websocket": len(ADDRESSES) * CAP + 1, "closing": 0})
    assert open_counts(after)["websocket"] == len(ADDRESSES) * CAP + 1, open_counts(after)
    assert after[PER_ADDRESS_MAX] == CAP, f"per-address max {after[PER_ADDRESS_MAX]:g}"
    lost = [s for s in sessions if s.outcome.done() and s.outcome.result() == "welcome" and s.lost.done()]
    assert not lost, f"{len(lost)} welcomed sessions ended while they should be open"
    print(f"  refused for their address so far (the {CAP + 1}st session, two 429s): {after[REFUSED]:g}")

    # Close everything: nothing stays counted, and the full address may come back.
    closing = time.monotonic()
    for session in sessions:
        session.close()
    await asyncio.wait_for(asyncio.gather(*(s.lost for s in sessions)), 30)
    rest = await settle(server.port, IDLE)
    print(f"  closed in {time.monotonic() - closing:.1f} s: open {open_counts(rest)}, per-address max "
          f"{rest[PER_ADDRESS_MAX]:g}, admitted {rest[ADMITTED]:g}, released {rest[RELEASED]:g}, "
          f"townhall RSS {rss_kib(server.proc.pid)} KiB")
    assert_idle(rest, "after closing everything")
    assert await http_status(nginx.port, "/healthz", first) == 200, f"{first} is still counted as full"
