#!/usr/bin/env python3
"""Smoke test for the benchmark peer: python3 bench/peer/smoke_test.py bench/peer/peer [peer args]

Starts the peer on a free loopback port, connects 50 clients, checks the welcome,
votes, announce/comment acks, ping/pong, errors and the update every client gets,
drops clients abruptly, checks a too-large frame is closed with 1009, churns 2,000
connections while watching VmRSS, checks a slow client is closed with 4009, and stops the peer
with SIGTERM (exit 0 expected). Exits non-zero on the first failure.
"""
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

POSTS = 20
CLIENTS = 50
CHURN = 2000


def fail(msg):
    print(f"FAIL: {msg}")
    raise SystemExit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


class Client:
    """One connection; a reader task files frames into updates / replies."""

    def __init__(self, ws):
        self.ws = ws
        self.updates = []
        self.replies = []
        self.event = asyncio.Event()
        self.task = asyncio.create_task(self.read())

    async def read(self):
        try:
            async for raw in self.ws:
                m = json.loads(raw)
                (self.updates if m.get("type") == "update" else self.replies).append(m)
                self.event.set()
        except ConnectionClosed:
            pass

    async def wait_for(self, pred, timeout=5.0):
        """Waits until pred() is true; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            v = pred()
            if v:
                return v
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.event.clear()
            try:
                await asyncio.wait_for(self.event.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def request(self, frame, timeout=5.0):
        """Sends frame (which has an id) and returns the reply carrying that id."""
        await self.ws.send(json.dumps(frame))
        rid = frame.get("id")

        def find():
            for i, r in enumerate(self.replies):
                if r.get("id") == rid:
                    return self.replies.pop(i)
            return None
        r = await self.wait_for(find, timeout)
        check(r is not None, f"no reply to {frame}")
        return r


async def open_ws(url, hello=True, **kw):
    ws = await connect(url, subprotocols=["townhall.v1"], max_size=None, open_timeout=10, **kw)
    check(ws.subprotocol == "townhall.v1", f"subprotocol {ws.subprotocol!r}")
    if hello:
        await ws.send(json.dumps({"type": "hello", "token": "anything"}))
        w = json.loads(await asyncio.wait_for(ws.recv(), 5))
        return ws, w
    return ws, None


def check_post(p, pid):
    keys = ["id", "cycle", "text", "author", "office", "createdAt", "up", "down", "score", "comments", "status"]
    check(list(p.keys()) == keys, f"post keys {list(p.keys())}")
    check(p["id"] == pid and p["cycle"] == "c1" and p["text"] == f"post {pid[1:]}", f"post {p}")
    check(p["score"] == p["up"] - p["down"], f"score {p}")


def check_welcome(w, presence_at_least=1):
    check(w.get("type") == "welcome", f"not a welcome: {str(w)[:200]}")
    keys = ["type", "user", "epoch", "seq", "cycle", "townhall", "posts", "ranks", "myVotes",
            "comments", "announcements", "presence", "recovered"]
    check(list(w.keys()) == keys, f"welcome keys {list(w.keys())}")
    check(w["user"] == {"id": "u", "name": "u", "office": "o", "role": "employee"}, "user")
    check(w["epoch"] == "peer" and isinstance(w["seq"], int), "epoch/seq")
    check(w["cycle"] == {"id": "c1", "startedAt": 0}, "cycle")
    check(w["townhall"] == {"state": "idle", "title": None, "stream": None, "onAir": None}, "townhall")
    check(len(w["posts"]) == POSTS, f"{len(w['posts'])} posts")
    for i, p in enumerate(w["posts"]):
        check_post(p, f"p{i + 1}")
    check(set(w["ranks"]) == {"top", "hot", "best", "new"}, "ranks keys")
    check(w["ranks"]["new"] == [f"p{i}" for i in range(POSTS, 0, -1)], "ranks.new")
    check(sorted(w["ranks"]["top"]) == sorted(f"p{i}" for i in range(1, POSTS + 1)), "ranks.top")
    check(w["myVotes"] == {} and w["comments"] == [] and w["announcements"] == [], "empty lists")
    pr = w["presence"]
    check(pr["total"] >= presence_at_least and pr["offices"] == {"o": pr["total"]}, f"presence {pr}")
    check(w["recovered"] is False, "recovered")


async def main(binary, extra):
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--tick-ms", "100", "--posts", str(POSTS), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 10)
        check(line.strip() == f"listening on {port}", f"first line {line!r}")
        url = f"ws://127.0.0.1:{port}/ws"
        rss_start = rss_kib(proc.pid)

        # Frames before hello are ignored: the first reply is the welcome.
        ws = await connect(url, subprotocols=["townhall.v1"], max_size=None)
        await ws.send(json.dumps({"type": "ping", "id": 1}))
        await ws.send(json.dumps({"type": "hello", "token": "t"}))
        w = json.loads(await asyncio.wait_for(ws.recv(), 5))
        check_welcome(w)
        early = Client(ws)

        # 50 clients.
        pairs = await asyncio.gather(*(open_ws(url) for _ in range(CLIENTS)))
        for _, w in pairs:
            check_welcome(w)
        clients = [Client(ws) for ws, _ in pairs] + [early]
        print(f"{len(clients)} clients welcomed; presence {max(w['presence']['total'] for _, w in pairs)}")

        # Other paths do not upgrade.
        try:
            await connect(f"ws://127.0.0.1:{port}/other", subprotocols=["townhall.v1"])
            fail("upgrade on /other was accepted")
        except Exception:
            pass

        a, b, c, d = clients[0], clients[1], clients[2], clients[3]
        r = await a.request({"type": "ping", "id": 41})
        check(r == {"type": "pong", "id": 41}, f"pong {r}")
        r = await a.request({"type": "ping", "id": "str-id"})
        check(r == {"type": "pong", "id": "str-id"}, f"pong {r}")

        # Votes: set, not add. a: +1 then -1 on p3; b, c: +1 on p3; d: -1 on p5, then 0.
        r = await a.request({"type": "vote", "id": 7, "post": "p3", "value": 1})
        check(r["type"] == "ack" and r["id"] == 7 and r["value"] == 1 and r["post"]["id"] == "p3", f"ack {r}")
        check_post(r["post"], "p3")
        check(r["post"]["up"] == 1, f"ack post {r['post']}")
        r = await a.request({"type": "vote", "id": 8, "post": "p3", "value": -1})
        check(r["id"] == 8 and r["post"]["up"] == 0 and r["post"]["down"] == 1, f"re-vote {r}")
        r = await b.request({"type": "vote", "id": "b-1", "post": "p3", "value": 1})
        check(r["id"] == "b-1" and r["post"]["up"] == 1, f"b vote {r}")
        r = await c.request({"type": "vote", "id": 9, "post": "p3", "value": 1})
        check(r["post"]["up"] == 2 and r["post"]["down"] == 1 and r["post"]["score"] == 1, f"c vote {r}")
        r = await d.request({"type": "vote", "id": 10, "post": "p5", "value": -1})
        check(r["post"]["down"] == 1 and r["post"]["score"] == -1, f"d vote {r}")
        await asyncio.sleep(0.25)  # let a tick pass: the rest goes in a later update
        r = await d.request({"type": "vote", "id": 11, "post": "p5", "value": 0})
        check(r["post"]["down"] == 0 and r["value"] == 0, f"d unvote {r}")
        r = await d.request({"type": "vote", "id": 12, "post": "p999", "value": 1})
        check(r == {"type": "error", "id": 12, "code": "not_found", "message": "no such post"}, f"not_found {r}")
        r = await d.request({"type": "vote", "id": 13, "post": "p2", "value": 5})
        check(r["type"] == "error" and r["code"] == "bad_request", f"bad value {r}")
        r = await d.request({"type": "frobnicate", "id": 14})
        check(r == {"type": "error", "id": 14, "code": "bad_request", "message": "unknown type"}, f"unknown {r}")
        await d.ws.send(json.dumps({"type": "frobnicate"}))
        r = await d.wait_for(lambda: d.replies and d.replies.pop(0))
        check(r == {"type": "error", "code": "bad_request", "message": "unknown type"}, f"unknown, no id {r}")

        # Announce and comment (compact JSON too, and text needing escapes).
        t0 = int(time.time() * 1000)
        r = await b.request({"type": "announce", "id": 9, "text": "mark:123456789"})
        an = r.get("announcement", {})
        check(r["type"] == "ack" and r["id"] == 9 and an.get("text") == "mark:123456789"
              and an["id"].startswith("a") and abs(an["createdAt"] - t0) < 5000, f"announce ack {r}")
        await c.ws.send('{"type":"comment","id":3,"text":"say \\"hi\\" \\\\ there"}')
        r = await c.wait_for(lambda: next((x for x in c.replies if x.get("id") == 3), None))
        cm = r.get("comment", {})
        check(r["type"] == "ack" and cm.get("text") == 'say "hi" \\ there' and cm["post"] is None
              and cm["author"] == {"name": "u", "office": "o"} and cm["id"].startswith("c"), f"comment ack {r}")

        # Every client sees the announcement, the comment and p3 at up 2 / down 1, p5 at 0/0.
        def merged(cl):
            posts, anns, coms = {}, [], []
            for u in cl.updates:
                for p in u.get("posts", []):
                    posts[p["id"]] = p
                anns += u.get("announcements", [])
                coms += u.get("comments", [])
            return posts, anns, coms

        def settled(cl):
            posts, anns, coms = merged(cl)
            return ("p3" in posts and posts["p3"]["up"] == 2 and posts["p3"]["down"] == 1
                    and "p5" in posts and posts["p5"]["down"] == 0
                    and any(x["text"] == "mark:123456789" for x in anns)
                    and any(x["id"] == cm["id"] for x in coms))
        oks = await asyncio.gather(*(cl.wait_for(lambda cl=cl: settled(cl), 5) for cl in clients))
        check(all(oks), f"{oks.count(None)} clients did not see the final state")
        seqs = [u["seq"] for u in a.updates]
        check(seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"seq not consecutive: {seqs}")
        for u in a.updates:
            check(u["type"] == "update" and isinstance(u["seq"], int), "update shape")
            for k in ("posts", "announcements", "comments"):
                check(k not in u or u[k], f"empty {k} present in {u}")
            check(("ranks" in u) == ("posts" in u), f"ranks without posts (or the reverse) in {u}")
            if "ranks" in u:
                check(u["ranks"]["top"][0] == "p3", f"top {u['ranks']['top'][:3]}")
        same = {json.dumps(cl.updates[-1]) for cl in clients}
        check(len(same) == 1, "clients' last updates differ")
        check(len(seqs) >= 2, f"expected two updates or more, got seqs {seqs}")
        n_idle = [len(cl.updates) for cl in clients]
        await asyncio.sleep(0.5)
        check(n_idle == [len(cl.updates) for cl in clients], "updates sent while nothing changed")
        print(f"updates seen by client 0: seqs {seqs}; all {len(clients)} clients settled; "
              f"none while idle")

        # A welcome after votes carries the counts and the current seq.
        ws, w = await open_ws(url)
        check_welcome(w, presence_at_least=CLIENTS + 2)
        check(w["seq"] == a.updates[-1]["seq"], f"welcome seq {w['seq']} vs {a.updates[-1]['seq']}")
        check(w["posts"][2]["up"] == 2 and w["ranks"]["top"][0] == "p3", "welcome counts")
        await ws.close()

        # Abrupt disconnects: half the clients vanish without a close handshake, plus raw
        # sockets that stop mid-handshake; the rest still get updates.
        for cl in clients[25:]:
            cl.ws.transport.abort()
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")
            s.close()
        for cl in clients[25:]:
            cl.task.cancel()
        clients = clients[:25]
        await asyncio.sleep(0.3)
        check(proc.poll() is None, "peer died after abrupt disconnects")
        n_before = len(clients[5].updates)
        r = await clients[0].request({"type": "vote", "id": 99, "post": "p7", "value": 1})
        check(r["type"] == "ack", f"ack after aborts {r}")
        ok = await asyncio.gather(*(cl.wait_for(lambda cl=cl: any(
            p["id"] == "p7" and p["up"] == 1 for u in cl.updates for p in u.get("posts", [])), 5)
            for cl in clients))
        check(all(ok), "survivors missed the update after aborts")
        check(len(clients[5].updates) > n_before, "no new update")
        print("survived 25 aborted clients and 20 half-handshakes; survivors updated")

        # Too large a frame: closed with 1009.
        ws, _ = await open_ws(url)
        await ws.send(json.dumps({"type": "announce", "id": 1, "text": "x" * 20000}))
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        except ConnectionClosed as e:
            check(e.rcvd is not None and e.rcvd.code == 1009, f"close {e.rcvd}")
        print("20 KB frame: closed with 1009")

        for cl in clients:
            await cl.ws.close()
            cl.task.cancel()

        # Churn: connect, hello, drop; RSS must not keep growing.
        async def one(i):
            ws, w = await open_ws(url)
            check(w["type"] == "welcome", "churn welcome")
            if i % 2:
                ws.transport.abort()
            else:
                await ws.close()

        rss = [rss_kib(proc.pid)]
        done = 0
        t = time.monotonic()
        while done < CHURN:
            await asyncio.gather(*(one(done + i) for i in range(50)))
            done += 50
            if done % 500 == 0:
                await asyncio.sleep(0.2)
                rss.append(rss_kib(proc.pid))
        churn_s = time.monotonic() - t
        print(f"churn: {CHURN} connections in {churn_s:.1f} s; VmRSS KiB at start {rss_start}, "
              f"before the churn and every 500: {rss}")
        check(rss[-1] - rss[0] < 1024, f"RSS grew {rss[-1] - rss[0]} KiB over the churn")

        # A client that never reads while flooding: its queue fills, it is closed with 4009.
        ws, _ = await open_ws(url, max_queue=None)
        ws.transport.pause_reading()
        big = "y" * 15000
        for i in range(600):
            await ws.send(json.dumps({"type": "announce", "id": i, "text": big}))
        await asyncio.sleep(1.0)
        ws.transport.resume_reading()
        code = None
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 10)
        except ConnectionClosed as e:
            code = e.rcvd.code if e.rcvd else None
        except asyncio.TimeoutError:
            pass
        check(code == 4009, f"slow client closed with {code}, wanted 4009")
        check(proc.poll() is None, "peer died with the slow client")
        print("slow client (600 x 15 KB announces, not reading): closed with 4009")

        # Still serves, and stops with 0 on SIGTERM while a client is connected.
        ws, w = await open_ws(url)
        check(w["presence"]["total"] == 1, f"presence at the end {w['presence']}")
        proc.send_signal(signal.SIGTERM)
        rc = await asyncio.to_thread(proc.wait, 10)
        check(rc == 0, f"exit status {rc} on SIGTERM")
        print("SIGTERM with a client connected: exit 0")
        print("OK")
        return 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        err = proc.stderr.read()
        if err.strip():
            print("peer stderr:", err.strip())


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__.splitlines()[0])
        sys.exit(2)
    sys.exit(asyncio.run(main(os.path.abspath(sys.argv[1]), sys.argv[2:])))
