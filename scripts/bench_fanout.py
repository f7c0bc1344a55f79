#!/usr/bin/env python3
"""Fan-out benchmark: many watching connections, a burst of votes, printed figures.

Starts its own `townhall serve` on a free loopback port, connects W watchers and V
voters (real WebSocket clients), has the voters cast `votes` votes spread over one
second, and prints: ack latency p50/p99, updates each watcher received per tick during
the burst, the time until every watcher saw the final counts, whether those counts are
exact, and the server's memory. A benchmark, not a test: it prints, it does not time-assert.
It exits non-zero only if the counts are wrong or a vote was not acknowledged.
"""
import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.request

import websockets

from bench_common import percentile, rss_kib, secret_of, sign, start_server, stop_server








class Watcher:
    """Counts the updates it gets and keeps the latest view of every post."""

    def __init__(self, ws):
        self.ws = ws
        self.update_times = []
        self.posts = {}

    async def run(self):
        async for raw in self.ws:
            message = json.loads(raw)
            if message.get("type") == "update":
                self.update_times.append(time.monotonic())
                for post in message.get("posts", []):
                    self.posts[post["id"]] = post


async def hello(url, token):
    ws = await websockets.connect(url, subprotocols=["townhall.v1"], max_size=None, open_timeout=30)
    await ws.send(json.dumps({"type": "hello", "token": token}))
    welcome = json.loads(await asyncio.wait_for(ws.recv(), 30))
    assert welcome["type"] == "welcome", welcome
    return ws


def ack_percentiles(port):
    """p50 and p99 of the server-side ack latency, as the upper bounds of their buckets."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    buckets = [(line.split('le="')[1].split('"')[0], int(line.split()[-1])) for line in text.splitlines()
               if line.startswith("townhall_ack_latency_seconds_bucket")]
    total = buckets[-1][1]

    def bound(share):
        bucket = next(le for le, count in buckets if count >= share * total)
        return "inf" if bucket == "+Inf" else f"{float(bucket) * 1000:g}"
    return bound(0.5), bound(0.99)


async def main(args):
    data = tempfile.mkdtemp(prefix="townhall-bench-")
    server, port = start_server(args.bin, args.web, data, "--tick-ms", str(args.tick_ms))
    try:
        secret = secret_of(data)

        def token(sub, office):
            return sign(secret, sub, office)

        url = f"ws://127.0.0.1:{port}/ws"
        offices = ["Dublin", "Berlin", "Austin", "Tokyo", "Sydney"]
        watcher_tokens = [token(f"watcher-{i}", offices[i % 5]) for i in range(args.watchers)]
        voter_tokens = [token(f"voter-{i}", offices[i % 5]) for i in range(args.voters)]
        rss_idle = rss_kib(server.pid)

        watchers = []
        for start in range(0, args.watchers, 200):
            sockets = await asyncio.gather(*(hello(url, watcher_tokens[i])
                                             for i in range(start, min(start + 200, args.watchers))))
            watchers += [Watcher(ws) for ws in sockets]
        readers = [asyncio.create_task(w.run()) for w in watchers]
        voters = await asyncio.gather(*(hello(url, t) for t in voter_tokens))

        # Posts first (5 a minute per user: spread over the voters).
        post_ids = []
        for i in range(args.posts):
            ws = voters[i % len(voters)]
            await ws.send(json.dumps({"type": "post", "text": f"Question {i}", "id": f"post-{i}"}))
            while True:
                reply = json.loads(await ws.recv())
                if reply.get("id") == f"post-{i}":
                    assert reply["type"] == "ack", reply
                    post_ids.append(reply["post"]["id"])
                    break
        await asyncio.sleep(0.5)

        # The burst: each voter casts its share over one second, on distinct posts.
        per_voter = args.votes // len(voters)
        expected = {pid: [0, 0] for pid in post_ids}
        sent_at, acked_at = {}, {}
        rng = random.Random(7)

        async def vote(index, ws):
            targets = rng.sample(post_ids, per_voter)
            pending = set()

            async def read_acks():
                while pending or len(sent_at) < per_voter * len(voters):
                    reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    rid = reply.get("id")
                    if rid in pending:
                        if reply["type"] != "ack":
                            raise SystemExit(f"vote {rid} refused: {reply}")
                        acked_at[rid] = time.monotonic()
                        pending.discard(rid)
                        if not pending and len([r for r in sent_at if r.startswith(f"{index}-")]) == per_voter:
                            return

            reader = asyncio.create_task(read_acks())
            await asyncio.sleep(rng.random() / per_voter)  # voters out of step with each other
            for n, pid in enumerate(targets):
                value = rng.choice([1, -1])
                expected[pid][0 if value == 1 else 1] += 1
                rid = f"{index}-{n}"
                pending.add(rid)
                sent_at[rid] = time.monotonic()
                await ws.send(json.dumps({"type": "vote", "post": pid, "value": value, "id": rid}))
                await asyncio.sleep(1.0 / per_voter)
            await reader

        for w in watchers:
            w.update_times.clear()
        burst_start = time.monotonic()
        await asyncio.gather(*(vote(i, ws) for i, ws in enumerate(voters)))
        last_vote = max(sent_at.values())

        def settled(w):
            return all(w.posts.get(pid, {}).get("up") == up and w.posts.get(pid, {}).get("down") == down
                       for pid, (up, down) in expected.items())

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(settled(w) for w in watchers):
            await asyncio.sleep(0.01)
        all_seen = time.monotonic()
        exact = all(settled(w) for w in watchers)
        burst_end = max(last_vote, max(acked_at.values()))
        window = burst_end - burst_start
        ticks = window / (args.tick_ms / 1000)
        per_watcher = [sum(1 for t in w.update_times if burst_start <= t <= burst_end) for w in watchers]
        latencies = [(acked_at[r] - sent_at[r]) * 1000 for r in acked_at]
        rss_busy = rss_kib(server.pid)
        server_side = ack_percentiles(port)

        print(f"connections: {len(watchers)} watchers + {len(voters)} voters; tick {args.tick_ms} ms")
        print(f"votes: {len(sent_at)} sent in {last_vote - burst_start:.2f} s, {len(acked_at)} acked")
        print(f"ack latency ms: p50 {percentile(latencies, 50):.1f}  p99 {percentile(latencies, 99):.1f}  max {max(latencies):.1f}")
        print(f"updates per watcher during the burst ({window:.2f} s = {ticks:.1f} ticks): "
              f"max {max(per_watcher)}  mean {statistics.mean(per_watcher):.1f}  ({max(per_watcher) / ticks:.2f} per tick at most)")
        print(f"every watcher saw the final counts {(all_seen - last_vote) * 1000:.0f} ms after the last vote; exact: {exact}")
        print(f"  the server's own measure (arrival to ack sent, from /metrics buckets): "
              f"p50 <= {server_side[0]} ms, p99 <= {server_side[1]} ms")
        print(f"server RSS: {rss_idle} KiB before connections, {rss_busy} KiB after the burst")
        for ws in voters:
            await ws.close()
        for task in readers:
            task.cancel()
        return 0 if exact and len(acked_at) == len(sent_at) else 1
    finally:
        stop_server(server)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--bin", default=os.path.join(root, ".build", "debug", "townhall"))
    parser.add_argument("--web", default=os.path.join(root, "Web"))
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--voters", type=int, default=50)
    parser.add_argument("--votes", type=int, default=500)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--tick-ms", type=int, default=100)
    sys.exit(asyncio.run(main(parser.parse_args())))
