"""Soak: the real server under a week's kinds of traffic, compressed, and whether it
comes back to where it started.

Connections come and go (thousands a minute: WebSocket sessions, some dropped without a
close, plain HTTP requests), employees vote and comment, the host posts, announces,
exports and closes the week (a rollover with carry-over), snapshots run every few
seconds and retention erases ended weeks (--retain-seconds). It prints RSS, open
descriptors and connection counts at the start (after a warm-up round of the same load)
and at the end, and the service thread's tick lateness p99 and max. The warm-up (70 s)
runs the same load until retention has run once, so the start is the state's steady
size. It fails when, after the load stops, RSS or descriptors are more than 5% above the
start, or anything is still counted open.

    python3 scripts/soak.py --bin .build/release/townhall --minutes 30
"""

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import free_port, rss_kib, secret_of, sign  # noqa: E402

from websockets.sync.client import connect  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        return reply.read().decode()


def metric(text, name, labels=""):
    match = re.search(rf"^{re.escape(name + labels)} ([0-9.e+-]+)$", text, re.M)
    return float(match.group(1)) if match else float("nan")


def lateness_buckets(text):
    """The tick-lateness histogram: [(upper bound in s, cumulative count)], +Inf last."""
    buckets = []
    for bound, count in re.findall(r'^townhall_loop_tick_lateness_seconds_bucket\{le="([^"]+)"\} (\d+)$', text, re.M):
        buckets.append((float("inf") if bound == "+Inf" else float(bound), int(count)))
    return buckets


def lateness_p99(before, after):
    """p99 of the ticks between two scrapes, as the bucket bound that holds it."""
    deltas = [(bound, count - dict(before).get(bound, 0)) for bound, count in after]
    total = deltas[-1][1] if deltas else 0
    for bound, cumulative in deltas:
        if total and cumulative >= 0.99 * total:
            return bound
    return float("nan")


def reading(process, port):
    text = scrape(port)
    states = {s: metric(text, "townhall_open_connections", f'{{state="{s}"}}') for s in
              ("handshake", "http", "websocket", "closing")}
    return {
        "rss": rss_kib(process.pid), "fds": fds(process.pid), "metrics": text, "states": states,
        "per_address_max": metric(text, "townhall_open_connections_per_address_max"),
        "refused": metric(text, "townhall_refused_connections_total"),
        "lateness_max": metric(text, "townhall_loop_tick_lateness_max_seconds"),
        "turn_max": metric(text, "townhall_loop_turn_max_seconds"),
        "busy": metric(text, "townhall_loop_busy_ratio"),
    }


def show(label, r):
    open_now = {k: int(v) for k, v in r["states"].items()}
    print(f"  {label}: RSS {r['rss']} KiB, descriptors {r['fds']}, open {open_now}, "
          f"per-address max {int(r['per_address_max'])}", flush=True)


class Load:
    """The traffic, in threads, until `stop` is set; counts what happened."""

    def __init__(self, port, secret, churn_per_minute, churners=4):
        self.port, self.secret = port, secret
        self.url = f"ws://127.0.0.1:{port}/ws"
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counts = {"sessions": 0, "dropped": 0, "http": 0, "votes": 0, "comments": 0, "posts": 0,
                       "exports": 0, "rollovers": 0, "errors": 0}
        self.churners = churners
        self.churn_interval = 60.0 * churners / churn_per_minute
        self.posts = []

    def count(self, key, n=1):
        with self.lock:
            self.counts[key] += n

    def session(self, sub, role="employee"):
        ws = connect(self.url, subprotocols=["townhall.v1"], open_timeout=10, max_size=None)
        ws.send(json.dumps({"type": "hello", "token": sign(self.secret, sub, "Dublin", role)}))
        while True:
            message = json.loads(ws.recv(timeout=10))
            if message.get("type") == "welcome":
                return ws, message
            if message.get("type") == "error":
                raise RuntimeError(f"hello refused: {message}")

    def churner(self, index):
        """Opens and closes connections in turn: sessions (some dropped without a close)
        and plain HTTP requests."""
        n = 0
        next_at = time.monotonic()
        while not self.stop.is_set():
            next_at += self.churn_interval
            n += 1
            try:
                if n % 3 == 0:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=5) as raw:
                        raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n")
                        while raw.recv(4096):
                            pass
                    self.count("http")
                else:
                    ws, _ = self.session(f"churn-{index}-{n % 10}")
                    if n % 4 == 1:
                        ws.socket.close()  # gone without a close frame
                        self.count("dropped")
                    else:
                        ws.close()
                    self.count("sessions")
            except Exception:
                self.count("errors")
            time.sleep(max(0.0, next_at - time.monotonic()))

    def voter(self, index):
        """One employee who stays: flips votes (every vote a real change) and comments."""
        rng = random.Random(index)
        try:
            ws, _ = self.session(f"voter-{index}")
        except Exception:
            self.count("errors")
            return
        value, sent = 1, 0
        voted = {}
        try:
            while not self.stop.is_set():
                with self.lock:
                    post = rng.choice(self.posts) if self.posts else None
                if post is not None:
                    value = -value
                    ws.send(json.dumps({"type": "vote", "post": post, "value": value, "id": sent}))
                    voted[sent] = post
                    self.count("votes")
                if sent % 40 == 0:
                    # 15 a minute, within the 30 comments a minute one person may write.
                    ws.send(json.dumps({"type": "comment", "post": None, "text": f"soak comment {index}-{sent}",
                                        "id": f"c{sent}"}))
                    self.count("comments")
                sent += 1
                self.drain(ws, voted)
                time.sleep(0.1)
        finally:
            ws.close()

    def drain(self, ws, voted=None):
        """Reads what arrived; a vote refused (its post's week ended, or it was erased)
        takes that post off the list, so refusals stay far from the 4008 limit."""
        try:
            while True:
                message = json.loads(ws.recv(timeout=0))
                if message.get("type") == "error" and voted is not None:
                    gone = voted.pop(message.get("id"), None)
                    with self.lock:
                        if gone in self.posts:
                            self.posts.remove(gone)
                elif message.get("type") == "ack" and voted is not None:
                    voted.pop(message.get("id"), None)
        except TimeoutError:
            pass

    def host(self, rollover_every):
        """Posts (as several people: 5 posts a minute each), announces, exports and
        closes the week."""
        ws, _ = self.session("soak-host", role="host")
        started = time.monotonic()
        last_rollover = started
        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                try:
                    poster, _ = self.session(f"poster-{n % 60}")
                except Exception:
                    self.count("errors")
                    time.sleep(0.2)
                    continue
                poster.send(json.dumps({"type": "post", "text": f"Soak question {n}", "id": 1}))
                reply = json.loads(poster.recv(timeout=10))
                if reply.get("type") == "ack" and reply.get("post"):
                    with self.lock:
                        self.posts.append(reply["post"]["id"])
                    self.count("posts")
                    if n % 4 == 0:
                        ws.send(json.dumps({"type": "moderate", "post": reply["post"]["id"], "status": "shortlisted"}))
                poster.close()
                if n % 10 == 0:
                    ws.send(json.dumps({"type": "announce", "text": f"Soak announcement {n}"}))
                if n % 15 == 0:
                    self.export(1 + self.counts["rollovers"])
                if time.monotonic() - last_rollover >= rollover_every:
                    ws.send(json.dumps({"type": "cycle", "action": "close", "carryOver": True}))
                    last_rollover = time.monotonic()
                    self.count("rollovers")
                    with self.lock:
                        self.posts = []  # votes go to the new week's posts
                self.drain(ws)
                time.sleep(0.2)
        finally:
            ws.close()

    def export(self, cycle):
        token = sign(self.secret, "soak-host", "Dublin", "host")
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/export?cycle={cycle}&format=csv",
                                         headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                reply.read()
            self.count("exports")
        except Exception:
            self.count("errors")

    def run(self, seconds, voters, rollover_every, on_minute=None):
        threads = [threading.Thread(target=self.churner, args=(i,), daemon=True) for i in range(self.churners)]
        threads += [threading.Thread(target=self.voter, args=(i,), daemon=True) for i in range(voters)]
        threads.append(threading.Thread(target=self.host, args=(rollover_every,), daemon=True))
        for thread in threads:
            thread.start()
        ends = time.monotonic() + seconds
        while not self.stop.wait(min(60.0, max(0.0, ends - time.monotonic()))) and time.monotonic() < ends:
            if on_minute:
                on_minute()
        self.stop.set()
        for thread in threads:
            thread.join(30)


def settle(process, port, seconds=15):
    """Waits until nothing but the scrape is open, then reads; descriptors are the fewest
    of a few looks (a journal segment rotating or a socket closing is there a moment)."""
    deadline = time.monotonic() + seconds
    while True:
        r = reading(process, port)
        others = sum(r["states"].values()) - 1
        if others <= 0 or time.monotonic() > deadline:
            for _ in range(5):
                time.sleep(0.2)
                r["fds"] = min(r["fds"], fds(process.pid))
            return r
        time.sleep(0.3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(REPO, ".build", "release", "townhall"))
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--warmup-seconds", type=float, default=70)
    parser.add_argument("--churn-per-minute", type=int, default=3000)
    parser.add_argument("--voters", type=int, default=40)
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="townhall-soak-")
    port = free_port()
    seconds = args.minutes * 60
    rollover_every = max(20.0, seconds / 6)
    # Default connection limits: everything comes from 127.0.0.1, like one office's NAT.
    process = subprocess.Popen(
        [args.bin, "serve", "--host", "127.0.0.1", "--port", str(port), "--data", data, "--web",
         os.path.join(REPO, "Web"), "--log-level", "warning", "--snapshot-every", "5s", "--retain-seconds", "30",
         # The resume ring is a fixed-size buffer: a small one is full within the warm-up,
         # so the start reading is its steady state and growth after it is not the ring.
         "--resume-updates", "128"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        secret = secret_of(data)
        print(f"soak: {args.minutes:g} min after a {args.warmup_seconds:g} s warm-up; {args.churn_per_minute} "
              f"connections a minute, {args.voters} voters, a rollover every {rollover_every:.0f} s, "
              f"snapshots every 5 s, retention 30 s, resume ring 128 updates", flush=True)
        Load(port, secret, args.churn_per_minute).run(args.warmup_seconds, args.voters, rollover_every)
        start = settle(process, port)
        show("start", start)
        print("  descriptors then:", sorted(os.readlink(f"/proc/{process.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{process.pid}/fd")))
        load = Load(port, secret, args.churn_per_minute)
        began = time.monotonic()
        load.run(seconds, args.voters, rollover_every,
                 on_minute=lambda: print(f"  {(time.monotonic() - began) / 60:.0f} min: RSS {rss_kib(process.pid)} KiB, "
                                         f"descriptors {fds(process.pid)}", flush=True))
        during = time.monotonic() - began
        end = settle(process, port)
        show("end  ", end)
        if end["fds"] > start["fds"]:
            print("  descriptors now:", sorted(os.readlink(f"/proc/{process.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{process.pid}/fd")))
        c = load.counts
        print(f"  traffic: {c['sessions']} sessions ({c['dropped']} dropped without a close), {c['http']} HTTP, "
              f"{c['votes']} votes, {c['comments']} comments, {c['posts']} posts, {c['exports']} exports, "
              f"{c['rollovers']} rollovers in {during:.0f} s ({(c['sessions'] + c['http']) / during * 60:.0f} "
              f"connections a minute); {c['errors']} client errors; {int(end['refused'])} refused at accept")
        health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read())
        print(f"  service thread: tick lateness p99 <= {lateness_p99(lateness_buckets(start['metrics']), lateness_buckets(end['metrics'])) * 1000:g} ms, "
              f"max {end['lateness_max'] * 1000:.1f} ms; longest turn {end['turn_max'] * 1000:.1f} ms; "
              f"busy {end['busy']:.2f}; last snapshot {health.get('lastSnapshot', {}).get('records')} records")
        rss_growth = (end["rss"] - start["rss"]) / start["rss"]
        fd_growth = (end["fds"] - start["fds"]) / start["fds"]
        print(f"  after the load: RSS {rss_growth * 100:+.1f}%, descriptors {fd_growth * 100:+.1f}% against the start")
        failures = []
        if rss_growth > 0.05:
            failures.append(f"RSS grew {rss_growth * 100:.1f}% (over 5%)")
        if fd_growth > 0.05:
            failures.append(f"descriptors grew {fd_growth * 100:.1f}% (over 5%)")
        leftover = {k: v for k, v in end["states"].items() if v > (1 if k == "http" else 0)}
        if leftover or end["per_address_max"] > 1:
            failures.append(f"still counted open: {leftover}, per-address max {end['per_address_max']}")
        if c["rollovers"] < 1 or c["exports"] < 1 or c["sessions"] < 100:
            failures.append(f"the load did not do what it should: {c}")
        if c["errors"] > 0.01 * (c["sessions"] + c["http"]):
            failures.append(f"{c['errors']} client errors")
        if process.poll() is not None:
            failures.append(f"the server exited with {process.returncode}")
        for failure in failures:
            print(f"  FAIL: {failure}")
        print("soak: " + ("1 passed, 0 failed" if not failures else "0 passed, 1 failed"))
        return 1 if failures else 0
    finally:
        process.terminate()
        try:
            process.wait(10)
        except Exception:
            process.kill()


if __name__ == "__main__":
    sys.exit(main())
