"""The PROXY protocol from a real HAProxy (Debian's) in TCP mode: with --trusted-proxy and
--proxy-protocol the per-address cap applies to the clients HAProxy names in its v1 and
v2 headers, over plain connections and over TLS passed through, while HAProxy's own
health checks (v2 LOCAL) are not capped; a trusted peer without a header is dropped, and
anyone else's made-up header is never believed."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import HOST, free_port
from ledger import IDLE, PER_ADDRESS_MAX, assert_idle, open_counts, samples
from rawws import RawWS

CAP = 3
PROXY = "127.0.0.2"    # HAProxy's source address towards the server: the one trusted peer
CHECKER = "127.0.3.1"  # scrapes /metrics directly, from an address no proxy uses
FAILURES = "townhall_proxy_header_failures_total"


class HAProxy:
    """HAProxy in the foreground: one frontend sending v1 headers, one v2 (with health
    checks that send v2 LOCAL), one v2 in front of the TLS server."""

    def __init__(self, folder: Path, plain: int, tls: int):
        self.ports = {"v1": free_port(), "v2": free_port(), "tls": free_port()}
        config = folder / "haproxy.cfg"
        config.write_text(f"""
global
    maxconn 2000
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend v1
    bind {HOST}:{self.ports['v1']}
    default_backend plain_v1
frontend v2
    bind {HOST}:{self.ports['v2']}
    default_backend plain_v2
frontend tls
    bind {HOST}:{self.ports['tls']}
    default_backend tls_v2
backend plain_v1
    server townhall {HOST}:{plain} send-proxy source {PROXY}
backend plain_v2
    server townhall {HOST}:{plain} send-proxy-v2 source {PROXY} check check-send-proxy inter 300ms
backend tls_v2
    server townhall {HOST}:{tls} send-proxy-v2 source {PROXY}
""")
        self.log = open(folder / "haproxy.log", "wb")
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, self.ports["v1"]), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("haproxy did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


@pytest.fixture
def proxied(make_server, tmp_path):
    if shutil.which("haproxy") is None:
        pytest.fail("haproxy is not installed (scripts/setup.sh --test installs it)", pytrace=False)
    args = ("--trusted-proxy", f"{PROXY}/32", "--proxy-protocol", "--max-conns-per-address", str(CAP))
    plain = make_server(extra_args=args)
    tls = make_server(extra_args=args, tls=True)
    context = tls.context
    proxy = HAProxy(tmp_path, plain.port, tls.port)
    yield plain, tls, proxy, context
    proxy.stop()


def scrape(port: int, context=None) -> dict:
    """/metrics straight from the server, from an address HAProxy never uses."""
    with socket.create_connection((HOST, port), timeout=5, source_address=(CHECKER, 0)) as raw:
        sock = context.wrap_socket(raw, server_hostname="localhost") if context else raw
        sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return samples(int(head.split()[1]), body.decode())


def answer(source: str, request: bytes, port: int = 0) -> bytes:
    """What the server sends back to `request` from `source`, straight to it (b"" when it
    just closes, or resets)."""
    with socket.create_connection((HOST, port), timeout=5, source_address=(source, 0)) as sock:
        sock.sendall(request)
        try:
            return sock.recv(4096)
        except ConnectionResetError:
            return b""


def session(port: int, source: str, token: str) -> RawWS:
    ws = RawWS(HOST, port, timeout=5, source=source)
    ws.send_json({"type": "hello", "token": token})
    assert ws.recv_json(timeout=5)["type"] == "welcome"
    return ws


def refused(port: int, source: str) -> bool:
    """True when an upgrade through the proxy gets no 101 (the server dropped it)."""
    try:
        RawWS(HOST, port, timeout=5, source=source).close()
        return False
    except (AssertionError, OSError):
        return True


def test_the_cap_applies_to_the_clients_haproxy_names(proxied):
    plain, tls, proxy, context = proxied
    token = plain.token("proxied-user", role="employee")
    held = []
    for frontend, clients in (("v1", ("127.0.4.1", "127.0.4.2")), ("v2", ("127.0.5.1", "127.0.5.2"))):
        port = proxy.ports[frontend]
        held += [session(port, clients[0], token) for _ in range(CAP)]
        assert refused(port, clients[0]), f"{frontend}: the client over its cap of {CAP} is refused"
        held.append(session(port, clients[1], token))
    m = scrape(plain.port)
    assert open_counts(m)["websocket"] == 2 * (CAP + 1)
    assert m[PER_ADDRESS_MAX] == CAP, "counted per client, and the proxy's own connections not at all"
    health_failures = m[FAILURES]

    # A trusted peer without a header is dropped. An untrusted peer's made-up header
    # naming 127.0.4.1 (at its cap) is not read as one: the connection counts against
    # the peer itself and is answered (had it counted as 127.0.4.1 it would be dropped).
    assert answer(PROXY, port=plain.port, request=b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") == b"", \
        "no PROXY header from the proxy's address: dropped"
    forged = answer("127.0.6.1", port=plain.port, request=b"PROXY TCP4 127.0.4.1 127.0.0.1 5555 80\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert forged.startswith(b"HTTP/1.1 "), f"a header from outside is not believed: {forged[:80]!r}"
    assert session(proxy.ports["v1"], "127.0.4.2", token), "127.0.4.1's count was not touched by the forger"

    # TLS passed through HAProxy end to end: the header comes first, then the handshake.
    with socket.create_connection((HOST, proxy.ports["tls"]), timeout=5, source_address=("127.0.7.1", 0)) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    time.sleep(1)  # a few of HAProxy's health checks (v2 LOCAL) go by
    m = scrape(plain.port)
    assert m[FAILURES] == health_failures + 1, "only the bare connection failed; LOCAL health checks pass"

    for ws in held:
        ws.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and open_counts(scrape(plain.port)) != IDLE:
        time.sleep(0.2)
    assert_idle(scrape(plain.port), "plain after closing")
    assert_idle(scrape(tls.port, context), "tls after closing")
