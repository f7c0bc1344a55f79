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
