"""While 1,000 malformed or hostile connections come and go, a well-behaved client's
round trip stays fast and the server's memory stays bounded. Prints the figures."""

import itertools
import json
import socket
import statistics
import struct
import threading
import time

from rawws import RawWS

HOST = "127.0.0.1"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def attack(kind, port, source, token):
    """One hostile connection of the given kind; returns once it has done its harm."""
    try:
        if kind == "garbage-before-handshake":
            with socket.create_connection((HOST, port), timeout=3, source_address=(source, 0)) as sock:
                sock.sendall(b"\x16\x03\x01\xff\xff" + bytes(range(256)) * 4)
                sock.recv(64)
            return
        if kind == "connect-and-drop":
            socket.create_connection((HOST, port), timeout=3, source_address=(source, 0)).close()
            return
        raw = RawWS(HOST, port, timeout=3, source=source)
        if kind == "binary-frame":
            raw.send_frame(0x2, b"\x00" * 100)
        elif kind == "bad-token":
            raw.send_json({"type": "hello", "token": "eyJhbGciOiJub25lIn0.e30."})
        elif kind == "invalid-utf8":
            raw.send_frame(0x1, b"\xc3\x28\xff")
        elif kind == "oversized":
            raw.send_frame(0x1, b"a" * 20_000)
        elif kind == "huge-announced":
            raw.sock.sendall(bytes([0x81, 0xFF]) + struct.pack("!Q", 2**63 - 1) + b"\x00\x00\x00\x00" + b"z" * 32)
        elif kind == "malformed-flood":
            raw.send_json({"type": "hello", "token": token})
            raw.recv_json(timeout=3)
            for _ in range(60):
                raw.send_text("{not json")
        elif kind == "silent":
            time.sleep(0.5)  # says nothing; the hello timeout closes it later
            raw.sock.close()
            return
        try:
            raw.wait_close(timeout=3)
        except TimeoutError:
            pass
        raw.close()
    except OSError:
        pass


def test_hostile_connections_do_not_hurt_a_well_behaved_client(server):
    kinds = ["garbage-before-handshake", "connect-and-drop", "binary-frame", "bad-token", "invalid-utf8",
             "oversized", "huge-announced", "malformed-flood", "silent"]
    good = server.client(sub="steady")
    token = server.token("flooder")
    pid = server.proc.pid
    rss_start = rss_kib(pid)

    round_trips = {"baseline": [], "attack": []}
    phase = ["baseline"]
    stop = threading.Event()

    def pinger():
        while not stop.is_set():
            started = time.monotonic()
            good.ping(timeout=5)
            round_trips[phase[0]].append((time.monotonic() - started) * 1000)
            time.sleep(0.06)  # under the 20 pings a second a user may send

    ping_thread = threading.Thread(target=pinger)
    ping_thread.start()
    time.sleep(2)
    phase[0] = "attack"
    jobs = iter(itertools.islice(zip(itertools.cycle(kinds), itertools.cycle(range(10, 40))), 1000))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                job = next(jobs, None)
            if job is None:
                return
            kind, host_byte = job
            attack(kind, server.port, f"127.0.0.{host_byte}", token)

    started = time.monotonic()
    workers = [threading.Thread(target=worker) for _ in range(16)]
    for thread in workers:
        thread.start()
    peak = rss_start
    while any(thread.is_alive() for thread in workers):
        peak = max(peak, rss_kib(pid))
        time.sleep(0.1)
    attack_seconds = time.monotonic() - started
    stop.set()
    ping_thread.join(10)

    # Silent connections linger until the 10 s hello timeout; then all is freed.
    deadline = time.monotonic() + 20
    while json.loads(server.http_get("/healthz")[2])["connections"] > 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    connections_after = json.loads(server.http_get("/healthz")[2])["connections"]
    rss_end = rss_kib(pid)
    base, hot = round_trips["baseline"], round_trips["attack"]
    print(f"\nhostile load: 1000 connections ({len(kinds)} kinds) in {attack_seconds:.1f} s from 30 addresses")
    print(f"  good client round trip ms: baseline p50 {statistics.median(base):.1f} p99 {percentile(base, 99):.1f}; "
          f"under attack p50 {statistics.median(hot):.1f} p99 {percentile(hot, 99):.1f} ({len(hot)} pings)")
    print(f"  server RSS KiB: start {rss_start}, peak {peak}, after {rss_end}; connections left {connections_after}")

    assert server.proc.poll() is None, "the server survived"
    assert len(hot) > 10, "the good client kept getting answers during the attack"
    assert good.ping()["type"] == "pong" and not good.closed
    assert connections_after == 1, "every hostile connection was closed"
    assert peak - rss_start < 64 * 1024, "memory stayed bounded (under 64 MiB of growth)"
