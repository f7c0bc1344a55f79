"""`townhall load` against the real server: every connection welcomed, every marker seen by
every client, no seq gaps, every vote acked, in one process and merged from two."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import BIN, HOST, free_port

CONNECTIONS = 300


def run_load(server, *extra: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess, dict]:
    args = [str(BIN), "load", "--url", server.ws_url, "--data", str(server.data),
            "--connections", str(CONNECTIONS), "--voters", "20", "--vote-rate", "100",
            "--announce-rate", "5", "--duration", "5", "--json", *extra]
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"townhall load exited {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, f"--json prints one JSON object and nothing else on stdout: {done.stdout!r}"
    return done, json.loads(lines[0])


def check_clean_run(report: dict, processes: int) -> None:
    context = json.dumps({k: v for k, v in report.items() if k not in ("received",)}, indent=1)
    assert report["failures"] == [] and not report["interrupted"], context
    assert report["plan"]["processes"] == processes
    assert len(report["shards"]) == processes, context
    assert sum(s["welcomed"] for s in report["shards"]) == CONNECTIONS, context

    connections = report["connections"]
    assert connections["attempted"] == CONNECTIONS, context
    assert connections["established"] == CONNECTIONS, context
    assert connections["welcomed"] == CONNECTIONS, context
    assert connections["notWelcomed"] == 0, context
    assert connections["failed"] == 0 and connections["failures"] == {}, context
    assert connections["closed"] == 0 and connections["closeCodes"] == {}, context
    assert report["connect"]["samples"] == CONNECTIONS and report["welcome"]["samples"] == CONNECTIONS, context
    assert report["allWelcomedSeconds"] is not None and report["allWelcomedSeconds"] > 0, context

    markers = report["markers"]
    assert markers["sent"] >= 15, f"5 s at 5 announcements a second: {context}"
    assert markers["acked"] == markers["sent"], context
    # Traffic starts after every welcome, so every client is due every marker.
    assert markers["expected"] == CONNECTIONS * markers["sent"], context
    assert markers["received"] == markers["expected"], context
    assert markers["missed"] == 0 and markers["clientsMissing"] == 0, context
    assert markers["duplicates"] == 0, context

    updates = report["updates"]
    assert updates == {"missed": 0, "clientsWithGaps": 0, "outOfOrder": 0}, context

    votes = report["requests"]["votes"]
    assert votes["sent"] >= 400, f"5 s at 100 votes a second: {context}"
    assert votes["acked"] == votes["sent"], context
    assert votes["errors"] == {} and votes["unanswered"] == 0, context
    announcements = report["requests"]["announcements"]
    assert announcements["acked"] == announcements["sent"] == markers["sent"], context

    delivery = report["delivery"]
    assert delivery["samples"] == markers["received"], context
    assert delivery["p99Ms"] is not None and 0 < delivery["p99Ms"] < 5000, context
    assert delivery["p50Ms"] <= delivery["p99Ms"] <= delivery["p999Ms"] <= delivery["maxMs"], context
    ack = report["ack"]
    assert ack["samples"] == votes["acked"] + announcements["acked"], context
    assert ack["p99Ms"] is not None and ack["p99Ms"] < 5000, context

    assert report["trafficSeconds"] >= 4.9, context
    received = report["received"]
    assert received["total"]["frames"] >= CONNECTIONS * markers["sent"], \
        f"every connection gets at least one update per marker: {received}"
    assert received["total"]["connections"] == CONNECTIONS
    for role in ("watcher", "voter", "host"):
        assert received[role]["frames"] > 0 and received[role]["bytesPerSecond"] > 0, received
    assert received["total"]["frames"] == sum(received[r]["frames"] for r in ("watcher", "voter", "commenter", "host"))


def test_load_one_process(make_server):
    server = make_server()
    done, report = run_load(server)
    check_clean_run(report, processes=1)
    assert report["eventLoop"] == "libev", f"expected the libev loop: {report['eventLoop']}\n{done.stderr}"
    assert server.crashed() is None


def test_load_two_processes_merge(make_server):
    server = make_server()
    done, report = run_load(server, "--processes", "2")
    check_clean_run(report, processes=2)
    assert sorted(s["shard"] for s in report["shards"]) == [0, 1]
    # The host (and so every marker) lives in shard 0; shard 1's clients saw them too.
    shard1 = next(s for s in report["shards"] if s["shard"] == 1)
    assert shard1["welcomed"] == CONNECTIONS // 2 and shard1["markersReceived"] > 0, report["shards"]
    assert server.crashed() is None


def test_load_reaction_storm_counts_every_reaction_once(make_server):
    """Watchers react over two processes; every reaction written is counted exactly once
    in the host's updates (none over the per-user limit), with its latency to the counts."""
    server = make_server()
    _, report = run_load(server, "--processes", "2", "--reaction-rate", "300")
    reactions = report["reactions"]
    assert reactions["sent"] > 1000, reactions
    assert reactions["counted"] == reactions["sent"], reactions
    assert reactions["delivery"]["samples"] > 0 and reactions["delivery"]["p99Ms"] < 5000, reactions
    assert server.crashed() is None


def test_load_text_report_lists_every_figure(make_server):
    server = make_server()
    args = [str(BIN), "load", "--url", server.ws_url, "--data", str(server.data), "--connections", "20",
            "--voters", "4", "--vote-rate", "20", "--duration", "1", "--drain", "1"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    for start in ("connections attempted 20 established 20 welcomed 20", "connections failed 0",
                  "connections closed by the server 0", "all welcomed in ", "connect p50 ", "welcome p50 ",
                  "delivery p50 ", "ack p50 ", "markers sent ", "markers received ", "update seq gaps: 0 updates missed",
                  "votes sent ", "announcements sent ", "comments sent ", "traffic phase ", "received watcher ",
                  "received voter ", "received host ", "received total ", "load generator cpu "):
        assert any(line.startswith(start) for line in text.splitlines()), f"no line starting {start!r}:\n{text}"
    delivery = next(line for line in text.splitlines() if line.startswith("delivery "))
    assert " p99 " in delivery and " p99.9 " in delivery and " max " in delivery and "samples)" in delivery


def test_load_without_a_server_fails():
    port = free_port()
    args = [str(BIN), "load", "--url", f"ws://{HOST}:{port}/ws", "--data", "/nonexistent-townhall-data",
            "--connections", "10", "--voters", "2", "--duration", "1"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode != 0, done.stdout
    assert "could not run" in done.stdout + done.stderr


@pytest.mark.parametrize("bad", [["--connections", "10", "--voters", "10"], ["--url", "http://x/ws"],
                                 ["--duration", "0"], ["--sources", "300.1.1.1"]])
def test_load_refuses_bad_options(bad):
    done = subprocess.run([str(BIN), "load", *bad], capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)
    assert done.returncode != 0 and "Error" in done.stderr, (done.returncode, done.stderr)


# ---------------------------------------------------------------------------------------
# The generator's own WebSocket client (RAW sockets, framing in Swift) against a scripted
# server: frames cut across reads, a fragmented message with a ping between its pieces,
# 7-, 16- and 64-bit lengths, two frames in one write, bytes right after the 101, a close
# from the server; and what it must refuse (a wrong Sec-WebSocket-Accept, a masked frame).

import base64
import hashlib
import socket
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def ws_frame(opcode: int, payload: bytes, fin: bool = True, mask: bool = False) -> bytes:
    head = bytearray([(0x80 if fin else 0) | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n <= 125:
        head.append(bit | n)
    elif n <= 0xFFFF:
        head += bytes([bit | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([bit | 127]) + n.to_bytes(8, "big")
    if mask:
        key = b"\x01\x02\x03\x04"
        return bytes(head) + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return bytes(head) + payload


def compact(value) -> bytes:
    """JSON as servers write it (the generator looks for `"type":"welcome"` as bytes)."""
    return json.dumps(value, separators=(",", ":")).encode()


class ScriptedWebSocketServer:
    """Accepts connections on 127.0.0.1; each one is upgraded and then fed a fixed script.
    Records, per connection, what the client sent (upgrade request, unmasked frames)."""

    def __init__(self, mode: str):
        self.mode = mode
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.connections: list[dict] = []
        self.errors: list[str] = []
        self.threads: list[threading.Thread] = []
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self.serve, args=(sock,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def close(self):
        self.listener.close()
        for thread in self.threads:
            thread.join(timeout=10)

    # -- reading the client --------------------------------------------------------
    @staticmethod
    def read_exact(sock, n: int, buf: bytearray) -> bytes:
        while len(buf) < n:
            chunk = sock.recv(65536)
            if not chunk:
                raise EOFError("client closed")
            buf += chunk
        out = bytes(buf[:n])
        del buf[:n]
        return out

    def read_frame(self, sock, buf: bytearray) -> tuple[int, bytes, bool]:
        b0, b1 = self.read_exact(sock, 2, buf)
        masked = bool(b1 & 0x80)
        n = b1 & 0x7F
        if n == 126:
            n = int.from_bytes(self.read_exact(sock, 2, buf), "big")
        elif n == 127:
            n = int.from_bytes(self.read_exact(sock, 8, buf), "big")
        key = self.read_exact(sock, 4, buf) if masked else b""
        data = self.read_exact(sock, n, buf)
        if masked:
            data = bytes(b ^ key[i % 4] for i, b in enumerate(data))
        return b0 & 0x0F, data, masked and bool(b0 & 0x80)

    @staticmethod
    def send_in_pieces(sock, data: bytes, cuts: list[int]):
        """Writes `data` cut at the given offsets, pausing between pieces so the client
        reads them separately (TCP_NODELAY is on)."""
        last = 0
        for cut in cuts + [len(data)]:
            if cut > last:
                sock.sendall(data[last:cut])
                time.sleep(0.03)
            last = cut

    # -- one connection ------------------------------------------------------------
    def serve(self, sock):
        record = {"request": "", "frames": [], "masked": True}
        with self.lock:
            self.connections.append(record)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = bytearray()
        try:
            while b"\r\n\r\n" not in buf:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                buf += chunk
            head, _, rest = bytes(buf).partition(b"\r\n\r\n")
            buf = bytearray(rest)
            record["request"] = head.decode()
            headers = {}
            for line in head.decode().split("\r\n")[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            accept = base64.b64encode(hashlib.sha1(headers["sec-websocket-key"].encode() + GUID).digest()).decode()
            if self.mode == "bad-accept":
                accept = base64.b64encode(b"\0" * 20).decode()
            response = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: townhall.v1\r\n\r\n").encode()
            # Frame bytes right behind the head, in the same write.
            sock.sendall(response + ws_frame(0x9, b"hs-ping"))
            if self.mode == "bad-accept":
                time.sleep(1)
                return

            def expect(kind: int, payload: bytes | None = None):
                while True:
                    opcode, data, masked = self.read_frame(sock, buf)
                    record["frames"].append((opcode, data))
                    record["masked"] = record["masked"] and masked
                    if opcode == kind and (payload is None or data == payload):
                        return data

            hello = json.loads(expect(0x1))
            assert hello["type"] == "hello", hello
            welcome = compact({"type": "welcome", "seq": 10, "myVotes": {}, "ranks": {"new": []}})
            # The welcome cut inside its header and inside its payload.
            self.send_in_pieces(sock, ws_frame(0x1, welcome), [1, 10])

            if self.mode == "masked":
                sock.sendall(ws_frame(0x1, b'{"seq":11,"type":"update"}', mask=True))
                expect(0x8)
                time.sleep(0.5)
                return

            def update(seq: int, pad: int = 0, marker: bool = False) -> bytes:
                body = {"seq": seq, "type": "update", "pad": "x" * pad}
                if marker:
                    body["announcements"] = [{"text": f"mark:{time.monotonic_ns()}"}]
                return compact(body)

            # seq 11: one message in three fragments, a ping between them, every frame cut.
            message = update(11, pad=200, marker=True)
            third = len(message) // 3
            pieces = [ws_frame(0x1, message[:third], fin=False), ws_frame(0x9, b"frag-ping"),
                      ws_frame(0x0, message[third:2 * third], fin=False), ws_frame(0x0, message[2 * third:], fin=True)]
            for piece in pieces:
                self.send_in_pieces(sock, piece, [1, 3])
            # seq 12: a 16-bit length, cut in its extended length.
            self.send_in_pieces(sock, ws_frame(0x1, update(12, pad=300)), [3])
            # seq 13: a 64-bit length (70 kB), cut into several reads.
            big = ws_frame(0x1, update(13, pad=70_000, marker=True))
            self.send_in_pieces(sock, big, [5, 9, 20_000, 40_000, 65_000])
            # seq 14, 15 and 16 in three reads: the second holds the rest of 14, all of 15
            # and the first 3 bytes of 16 (inside its header).
            f14, f15, f16 = (ws_frame(0x1, update(seq)) for seq in (14, 15, 16))
            self.send_in_pieces(sock, f14 + f15 + f16, [len(f14) // 2, len(f14) + len(f15) + 3])
            expect(0xA, b"frag-ping")
            time.sleep(0.3)
            sock.sendall(ws_frame(0x8, (4009).to_bytes(2, "big") + b"too slow"))
            record["close"] = expect(0x8)
            record["sentPayloads"] = [len(welcome)] + [len(update(s, pad=p)) for s, p in ((12, 300), (14, 0), (15, 0), (16, 0))]
            record["sentPayloads"] += [len(message), len(big) - 10]
            time.sleep(0.3)
        except Exception as error:  # noqa: BLE001 - reported by the test
            with self.lock:
                self.errors.append(repr(error))
        finally:
            sock.close()


def run_against_script(mode: str, tmp_path) -> tuple[subprocess.CompletedProcess, dict, ScriptedWebSocketServer]:
    server = ScriptedWebSocketServer(mode)
    try:
        args = [str(BIN), "load", "--url", f"ws://127.0.0.1:{server.port}/ws", "--data", str(tmp_path),
                "--connections", "2", "--voters", "0", "--announce-rate", "0", "--duration", "1", "--drain", "1",
                "--json"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        assert len(lines) == 1, (done.stdout, done.stderr)
        return done, json.loads(lines[0]), server
    finally:
        server.close()


def test_load_reads_cut_and_fragmented_frames(tmp_path):
    done, report, server = run_against_script("script", tmp_path)
    context = json.dumps({k: v for k, v in report.items() if k not in ("plan", "shards")}, indent=1) + done.stderr
    assert done.returncode == 0, context
    assert server.errors == [], server.errors
    assert len(server.connections) == 2
    for record in server.connections:
        request = record["request"]
        assert request.startswith("GET /ws HTTP/1.1\r\n"), request
        for header in ("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                       "Sec-WebSocket-Protocol: townhall.v1", f"Host: 127.0.0.1:{server.port}"):
            assert header in request, request
        key = next(line.split(":", 1)[1].strip() for line in request.split("\r\n") if line.startswith("Sec-WebSocket-Key:"))
        assert len(base64.b64decode(key)) == 16
        assert record["masked"], "every client frame is masked and final"
        pongs = [data for opcode, data in record["frames"] if opcode == 0xA]
        assert pongs == [b"hs-ping", b"frag-ping"], record["frames"]
        assert record["close"] == (4009).to_bytes(2, "big"), "the close is answered with the server's code"
    # Both connections: a welcome and six updates, every byte counted, no seq gap.
    connections = report["connections"]
    assert connections["established"] == 2 and connections["welcomed"] == 2, context
    assert connections["failed"] == 0, context
    assert connections["closed"] == 2 and connections["closeCodes"] == {"4009": 2}, context
    assert report["updates"] == {"missed": 0, "clientsWithGaps": 0, "outOfOrder": 0}, context
    total = report["received"]["total"]
    payloads = server.connections[0]["sentPayloads"]
    assert total["runFrames"] == 2 * 7, context
    assert total["runBytes"] == 2 * sum(payloads), (payloads, context)
    # The markers in the fragmented update and in the 64-bit one were read.
    assert report["delivery"]["samples"] == 4, context
    assert report["connect"]["samples"] == 2, context
    assert not any("protocol error" in note for note in report["notes"]), report["notes"]


@pytest.mark.parametrize("mode", ["bad-accept", "masked"])
def test_load_refuses_a_broken_server(mode, tmp_path):
    done, report, server = run_against_script(mode, tmp_path)
    context = json.dumps({k: v for k, v in report.items() if k not in ("plan", "shards", "received")}, indent=1) + done.stderr
    connections = report["connections"]
    if mode == "bad-accept":
        assert done.returncode == 1, context
        assert connections["established"] == 0 and connections["failures"] == {"HS: Accept hash wrong": 2}, context
    else:
        assert done.returncode == 0, context
        assert connections["welcomed"] == 2, context
        assert connections["closeCodes"] == {"1002": 2}, context
        assert any("protocol error from the server: a masked frame" in note for note in report["notes"]), context
        for record in server.connections:
            assert (0x8, (1002).to_bytes(2, "big")) in record["frames"], record["frames"]


def during_traffic(server, *extra: str, then) -> tuple[dict, str]:
    """Runs `townhall load --json` against `server`, calls `then()` once its traffic phase
    has begun, and returns the report and the load's stderr."""
    args = [str(BIN), "load", "--url", server.ws_url, "--data", str(server.data), "--voters", "0", "--json", *extra]
    load = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        for line in load.stderr:
            if line.strip() == "phase traffic":
                break
        else:
            pytest.fail(f"no traffic phase; load exited {load.wait()}")
        then()
        out, err = load.communicate(timeout=60)
    finally:
        if load.poll() is None:
            load.kill()
    assert load.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1]), err


def test_load_reconnect_after_a_restart_resumes_or_rewelcomes_everyone(make_server):
    """--reconnect: a server stopped mid-traffic and started again on the same port and
    data; every connection comes back (a fresh welcome: a new run has a new epoch), the
    closes are the restart's own (1001 going away), and the report says how long it took."""
    server = make_server()

    def restart():
        time.sleep(1)
        server.stop()
        server.start(keep_port=True)

    report, _ = during_traffic(server, "--connections", "200", "--announce-rate", "2", "--duration", "12", "--drain", "2",
                               "--reconnect", then=restart)
    context = json.dumps({k: v for k, v in report.items() if k != "received"}, indent=1)
    back = report["reconnects"]
    assert back["dropped"] == 200 and back["back"] == 200 and back["stillOut"] == 0, context
    assert back["fresh"] == 200 and back["recovered"] == 0, context
    assert back["allBackSeconds"] is not None and 0 < back["allBackSeconds"] < 12, context
    assert back["backAfter"]["samples"] == 200 and back["backAfter"]["maxMs"] <= back["allBackSeconds"] * 1000 + 1, context
    assert set(report["connections"]["closeCodes"]) == {"1001"}, context
    # Every client is subscribed again: the markers announced after the restart reach all.
    assert report["markers"]["received"] > 0 and report["connections"]["welcomed"] == 200, context


def test_a_stop_with_thousands_connected_says_1001_to_every_one(make_server):
    """Shutdown starts closes a slice at a time (at most 1024 awaiting their answer):
    with 2,500 connected every one of them still gets its 1001 within the grace."""
    server = make_server()

    def stop():
        server.expect_exit = True
        assert server.stop() == 0

    report, err = during_traffic(server, "--connections", "2500", "--announce-rate", "0", "--duration", "8", "--drain", "1",
                                 then=stop)
    assert report["connections"]["welcomed"] == 2500, err
    assert report["connections"]["closeCodes"] == {"1001": 2500}, report["connections"]
