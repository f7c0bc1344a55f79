"""What test_connection_accounting.py and test_trusted_proxy.py both use: the names of the
connection ledger's lines on /metrics and a parser for them, the raw WebSocket bits their
own clients are built from (upgrade request, Sec-WebSocket-Accept, masked client frames),
and a process's resident memory for the figures they print."""

from __future__ import annotations

import base64
import hashlib
import os
import time
from typing import Optional

from conftest import HOST
from rawws import GUID, RawWS

STATES = ("handshake", "http", "websocket", "closing")
OPEN = 'townhall_open_connections{state="%s"}'
PER_ADDRESS_MAX = "townhall_open_connections_per_address_max"
ADMITTED = "townhall_connections_admitted_total"
RELEASED = "townhall_connections_released_total"
REFUSED = "townhall_refused_connections_total"
BOOKS = [OPEN % s for s in STATES] + [PER_ADDRESS_MAX, ADMITTED, RELEASED]  # the ledger's own lines
IDLE = {"handshake": 0, "http": 1, "websocket": 0, "closing": 0}  # the one http is the scrape itself


def samples(status: int, body: str) -> dict:
    """A /metrics answer as {sample name with labels: value}; asserts it was a 200."""
    assert status == 200, f"/metrics answered {status}"
    out = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def open_counts(m: dict) -> dict:
    """{state: open connections} from a scrape."""
    return {s: int(m[OPEN % s]) for s in STATES}


def assert_idle(m: dict, who: str) -> None:
    """Asserts that a scrape counts nothing but itself: open, for its address, and
    admitted but not yet released."""
    assert open_counts(m) == IDLE, f"{who}: still open (the one http is the scrape itself): {open_counts(m)}"
    assert m[PER_ADDRESS_MAX] == 1, f"{who}: per-address max {m[PER_ADDRESS_MAX]:g} (1: the scrape)"
    assert m[ADMITTED] - m[RELEASED] == 1, \
        f"{who}: admitted {m[ADMITTED]:g}, released {m[RELEASED]:g}: only the scrape should be unreleased"


def settled_scrape(server, timeout: float = 10.0) -> dict:
    """Scrapes until the ledger counts nothing but the scrape (or `timeout` passes): the
    connections a test closed are released as their closes complete."""
    deadline = time.time() + timeout
    while True:
        m = samples(*server.http_get("/metrics")[:3:2])
        if open_counts(m) == IDLE or time.time() > deadline:
            return m
        time.sleep(0.2)


def upgrade_request(port: int, path: str, key: str, headers: tuple = ()) -> bytes:
    """A townhall.v1 WebSocket upgrade for HOST:port, with any extra header lines."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: townhall.v1",
             *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def accept_for(key: str) -> str:
    """The Sec-WebSocket-Accept that answers `key`."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def frame(opcode: int, payload: bytes) -> bytes:
    """One masked client frame, FIN set."""
    key = os.urandom(4)
    return RawWS.frame_header(opcode, len(payload), mask_key=key) + RawWS.mask(payload, key)


def rss_kib(pid: Optional[int]) -> Optional[int]:
    """VmRSS of `pid` in KiB; None when there is no pid or /proc cannot be read."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    except (OSError, TypeError):
        return None
