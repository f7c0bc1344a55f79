"""A join storm through one NAT address: 1,000 WebSockets from 127.0.0.3 at once, five
times the default rate of new connections per address (200 a second). Over the rate they
wait their turn instead of being reset: every one is welcomed, none is refused, and
afterwards the ledger and the join queue are back to nothing."""

import asyncio
import json
import time

from websockets.asyncio.client import connect

from ledger import IDLE, REFUSED, open_counts, samples, settled_scrape

USERS = 50
PER_USER = 20  # the per-user cap
SOURCE = "127.0.0.3"


async def storm(url: str, tokens: list) -> list:
    async def one(token: str):
        started = time.monotonic()
        ws = await connect(url, subprotocols=["townhall.v1"], local_addr=(SOURCE, 0),
                           open_timeout=30, max_size=2**22)
        await ws.send(json.dumps({"type": "hello", "token": token}))
        first = json.loads(await asyncio.wait_for(ws.recv(), 30))
        return ws, first["type"], time.monotonic() - started

    return await asyncio.gather(*(one(t) for t in tokens for _ in range(PER_USER)))


def test_a_thousand_from_one_address_at_once_are_all_welcomed(make_server):
    server = make_server()
    tokens = server.tokens([dict(sub=f"storm-{i}", office=f"Office {i % 7}") for i in range(USERS)])

    async def run():
        started = time.monotonic()
        joined = await storm(server.ws_url, tokens)
        elapsed = time.monotonic() - started
        types = [kind for _, kind, _ in joined]
        waits = sorted(wait for _, _, wait in joined)
        during = samples(*server.http_get("/metrics")[:3:2])
        for ws, _, _ in joined:
            await ws.close()
        return types, waits, elapsed, during

    types, waits, elapsed, during = asyncio.run(run())
    print(f"\n  1,000 from one address: all welcomed in {elapsed:.1f} s; welcome after "
          f"p50 {waits[500]:.2f} s, max {waits[-1]:.2f} s; held to wait their turn: "
          f"{during['townhall_joins_held_total']:g}")
    assert types == ["welcome"] * USERS * PER_USER
    assert during["townhall_joins_held_total"] > 0, "the storm was over the rate, so some waited"
    assert during[REFUSED] == 0
    assert elapsed < 20, "at 200 a second, 1,000 take about 5 s"

    after = settled_scrape(server)
    assert open_counts(after) == IDLE
    assert after["townhall_joins_waiting"] == 0
    assert after["townhall_connections_admitted_total"] - after["townhall_connections_released_total"] == 1
