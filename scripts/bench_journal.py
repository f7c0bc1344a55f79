#!/usr/bin/env python3
"""Journal benchmark: acknowledged votes per second and ack latency, group commit
against one fsync per record, in one run on the same machine and disk.

For each mode it starts `townhall serve --journal-sync MODE` on a free loopback port
with a fresh data folder, connects many users (tokens signed here with the server's
secret), and has each keep a few votes in flight (every vote flips the user's value
on a post, so every one is a journaled change) for a fixed time, staying under the
per-user limit of 20 votes a second. It prints votes acked per second, ack latency
p50/p99 and the ratio between the modes. A benchmark, not a test: it prints figures.
"""
import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import urllib.request

import websockets

from bench_common import percentile, secret_of, sign, start_server, stop_server




async def run_mode(args, mode):
    data = tempfile.mkdtemp(prefix=f"townhall-journal-{mode}-", dir=args.dir)
    server, port = start_server(args.bin, args.web, data, "--journal-sync", mode)
    try:
        secret = secret_of(data)
        url = f"ws://127.0.0.1:{port}/ws"

        async def connect(i):
            ws = await websockets.connect(url, subprotocols=["townhall.v1"], max_size=None, open_timeout=30)
            await ws.send(json.dumps({"type": "hello", "token": sign(secret, f"user-{i}", f"Office {i % 7}")}))
            while json.loads(await ws.recv())["type"] != "welcome":
                pass
            return ws

        sockets = []
        for start in range(0, args.users, 100):
            sockets += await asyncio.gather(*(connect(i) for i in range(start, min(start + 100, args.users))))
        posts = []
        for i in range(args.posts):
            ws = sockets[i]
            await ws.send(json.dumps({"type": "post", "text": f"Question {i}", "id": "p"}))
            while True:
                reply = json.loads(await ws.recv())
                if reply.get("id") == "p":
                    posts.append(reply["post"]["id"])
                    break

        latencies = []
        acked = 0
        stop_at = time.monotonic() + args.seconds

        async def voter(index, ws):
            sent = {}
            next_id = 0
            values = {}
            interval = 1.0 / args.per_user_rate
            last_send = 0.0

            async def reader():
                nonlocal acked
                async for raw in ws:
                    message = json.loads(raw)
                    rid = message.get("id")
                    if rid in sent:
                        if message["type"] != "ack":
                            raise SystemExit(f"vote refused in {mode} mode: {message}")
                        latencies.append((time.monotonic() - sent.pop(rid)) * 1000)
                        acked += 1

            task = asyncio.create_task(reader())
            while time.monotonic() < stop_at:
                if len(sent) >= args.window or time.monotonic() - last_send < interval:
                    await asyncio.sleep(0.001)
                    continue
                post = posts[(index + next_id) % len(posts)]
                values[post] = -values.get(post, -1)
                rid = next_id
                next_id += 1
                sent[rid] = last_send = time.monotonic()
                await ws.send(json.dumps({"type": "vote", "post": post, "value": values[post], "id": rid}))
            deadline = time.monotonic() + 10
            while sent and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            task.cancel()

        started = time.monotonic()
        await asyncio.gather(*(voter(i, ws) for i, ws in enumerate(sockets)))
        elapsed = time.monotonic() - started
        health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").read())
        for ws in sockets:
            await ws.close()
        return {"mode": mode, "acked": acked, "per_second": acked / elapsed, "p50": percentile(latencies, 50),
                "p99": percentile(latencies, 99), "durable": health["journal"]["durable"]}
    finally:
        stop_server(server)


async def main(args):
    results = [await run_mode(args, mode) for mode in ("group", "per-record")]
    print(f"journal benchmark: {args.users} users, {args.window} votes in flight each (at most "
          f"{args.per_user_rate}/s each), {args.seconds:.0f} s per mode, data folder on {args.dir or tempfile.gettempdir()}")
    for r in results:
        print(f"  {r['mode']:>10}: {r['per_second']:8.0f} acked votes/s   ack latency p50 {r['p50']:6.1f} ms  "
              f"p99 {r['p99']:6.1f} ms   ({r['acked']} acked, {r['durable']} records durable)")
    group, single = results
    print(f"  group commit / fsync per record: {group['per_second'] / single['per_second']:.1f}x votes/s, "
          f"p99 latency {single['p99'] / group['p99']:.1f}x lower")


if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(root, ".build", "debug", "townhall"))
    parser.add_argument("--web", default=os.path.join(root, "Web"))
    parser.add_argument("--dir", default=None, help="where the data folders go (default: the temp folder)")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--window", type=int, default=2)
    parser.add_argument("--per-user-rate", type=float, default=15)
    parser.add_argument("--seconds", type=float, default=5)
    sys.exit(asyncio.run(main(parser.parse_args())))
