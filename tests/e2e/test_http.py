"""HTTP side of the single port: pages, health, metrics, path traversal."""

import http.client
import json
import re

import pytest

from conftest import HOST


def raw_get(port: int, path: str, timeout: float = 5.0):
    """GET with the path sent exactly as written (no client-side normalisation)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.putrequest("GET", path, skip_host=False, skip_accept_encoding=True)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/", "/host", "/screen"])
def test_pages_are_html(module_server, path):
    status, headers, body = raw_get(module_server.port, path)
    assert status == 200, f"GET {path}: expected 200, got {status}"
    assert headers.get("content-type", "").startswith("text/html"), \
        f"GET {path}: expected text/html, got {headers.get('content-type')!r}"
    assert b"<" in body and len(body) > 0


def test_healthz(module_server):
    status, headers, body = raw_get(module_server.port, "/healthz")
    assert status == 200
    doc = json.loads(body)
    assert isinstance(doc, dict) and doc.get("status") == "ok", doc
    assert "json" in headers.get("content-type", ""), headers.get("content-type")


METRIC_LINE = re.compile(
    r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?\s+[-+]?([0-9.eE+-]+|NaN|[+-]?Inf)(\s+-?\d+)?$")


def test_metrics_exposition_format(module_server):
    status, headers, body = raw_get(module_server.port, "/metrics")
    assert status == 200
    assert headers.get("content-type", "").startswith("text/plain"), headers.get("content-type")
    text = body.decode()
    samples = [l for l in text.splitlines() if l and not l.startswith("#")]
    assert samples, "no samples in /metrics"
    bad = [l for l in samples if not METRIC_LINE.match(l)]
    assert not bad, f"lines not in Prometheus text format: {bad[:5]}"
    assert any(l.startswith("townhall_") for l in samples), "no townhall_ metrics"


@pytest.mark.parametrize("name", [
    "townhall_connections",
    "townhall_frames_in_total",
    "townhall_frames_out_total",
    "townhall_updates_sent_total",
    "townhall_ack_latency_seconds",
    "townhall_queue_drops_total",
])
def test_metrics_names(module_server, name):
    status, _, body = raw_get(module_server.port, "/metrics")
    assert status == 200
    names = {re.split(r"[{\s]", l, 1)[0] for l in body.decode().splitlines()
             if l and not l.startswith("#")}
    # histograms/summaries expose name_bucket/_sum/_count
    assert any(n == name or n.startswith(name + "_") for n in names), \
        f"metric {name} missing from /metrics; townhall metrics present: " \
        f"{sorted(n for n in names if n.startswith('townhall_'))}"


def metric_value(text: str, name: str) -> float:
    """Sum of all samples of `name` (over all label sets)."""
    total, found = 0.0, False
    for l in text.splitlines():
        if l.startswith("#"):
            continue
        if l.startswith(name + " ") or l.startswith(name + "{"):
            total += float(l.rsplit("}", 1)[-1].split()[0] if "{" in l else l.split()[1])
            found = True
    assert found, f"{name} not in /metrics"
    return total


def test_metrics_count_websocket_traffic(module_server):
    _, _, before = raw_get(module_server.port, "/metrics")
    frames_in_before = metric_value(before.decode(), "townhall_frames_in_total")
    c = module_server.client(sub="metrics-user")
    for _ in range(3):
        assert c.ping()["type"] == "pong"
    _, _, after = raw_get(module_server.port, "/metrics")
    text = after.decode()
    assert metric_value(text, "townhall_frames_in_total") >= frames_in_before + 4  # hello + 3 pings
    assert metric_value(text, "townhall_connections") >= 1
    c.close()


@pytest.mark.parametrize("path", [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/js/../../Package.swift",
])
def test_path_traversal_is_404(module_server, path):
    status, _, body = raw_get(module_server.port, path)
    assert status == 404, f"GET {path}: expected 404, got {status}: {body[:200]!r}"
    assert b"root:" not in body and b"PackageDescription" not in body
