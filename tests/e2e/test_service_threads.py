"""Two libwebsockets service threads: the listener's thread hands sockets out in turn, so
both hold connections; an update reaches every connection on either thread, a reply
reaches the one that asked, and when all have gone the shared ledger is back to
nothing."""

import asyncio
import json
import time

from websockets.asyncio.client import connect

from ledger import IDLE, open_counts, samples, settled_scrape

N = 40


def test_two_service_threads_share_the_connections_and_the_fan_out(make_server):
    server = make_server(extra_args=("--service-threads", "2"))
    tokens = server.tokens([dict(sub=f"thread-{i}") for i in range(N)] + [dict(sub="thread-host", role="host")])

    async def run():
        sockets = []
        for token in tokens:
            ws = await connect(server.ws_url, subprotocols=["townhall.v1"])
            await ws.send(json.dumps({"type": "hello", "token": token}))
            assert json.loads(await ws.recv())["type"] == "welcome"
            sockets.append(ws)
        during = samples(*server.http_get("/metrics")[:3:2])
        host = sockets[-1]
        await host.send(json.dumps({"type": "announce", "text": "to both threads", "id": 1}))
        got = []
        for ws in sockets:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
                if msg["type"] == "ack" and msg.get("id") == 1:
                    got.append("ack")
                if msg["type"] == "update" and any(a["text"] == "to both threads" for a in msg.get("announcements", [])):
                    got.append("update")
                    break
        for ws in sockets:
            await ws.close()
        return during, got

    during, got = asyncio.run(run())
    per_thread = [during[f'townhall_service_thread_websockets{{thread="{t}"}}'] for t in (0, 1)]
    print(f"\n  WebSockets per service thread: {per_thread}")
    assert sum(per_thread) == N + 1
    assert min(per_thread) >= N // 2 - 1, "handed out in turn"
    assert got.count("update") == N + 1, "every connection on either thread got the update"
    assert got.count("ack") == 1
    after = settled_scrape(server)
    assert open_counts(after) == IDLE
    assert after["townhall_connections_admitted_total"] - after["townhall_connections_released_total"] == 1
