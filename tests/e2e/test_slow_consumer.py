"""A client that never reads is closed with 4009 and its output freed; the others go on."""

import json
import time

from rawws import RawWS


def test_client_that_never_reads_is_closed_4009(make_server):
    server = make_server(extra_args=("--max-queue-kib", "256"))
    host = server.client(sub="host-1", role="host")
    watcher = server.client(sub="watcher", role="employee")

    stalled = RawWS("127.0.0.1", server.port)
    stalled.send_json({"type": "hello", "token": server.token("stalled", role="employee")})
    time.sleep(0.5)  # welcomed; from now on it reads nothing

    text = "x" * 1900
    deadline = time.monotonic() + 60
    sent = 0
    while time.monotonic() < deadline and "connection.too_slow" not in server.log_text():
        # Paced so one tick's update stays well under the cap: readers that keep up,
        # even slowly on a busy machine, are never the ones dropped.
        for _ in range(20):
            host.send({"type": "announce", "text": f"{sent} {text}"})
            sent += 1
        host.ping(timeout=10)
        time.sleep(0.05)
    assert "connection.too_slow" in server.log_text(), f"no drop after {sent} announcements of ~2 KB"

    # The stalled client reads at last: what the kernel still held, then the close 4009.
    code, _, _ = stalled.wait_close(timeout=15)
    assert code == 4009, f"close code {code}"
    metrics = server.http_get("/metrics")[2].splitlines()
    assert "townhall_queue_drops_total 1" in metrics

    # The well-behaved watcher got every announcement and is still served.
    watcher.wait_for(lambda f: any(a.get("text", "").startswith(f"{sent - 1} ")
                                   for a in (f.obj or {}).get("announcements", []) or []), timeout=20)
    assert watcher.ping()["type"] == "pong"
    health = json.loads(server.http_get("/healthz")[2])
    assert health["connections"] == 2
