"""A vote burst: 50 voters, 3 watchers, 500 votes in about a second."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

TICK = 0.1
N_USERS = 50
N_POSTS = 20
VOTES_EACH = 10
OFFICES = ["Dublin", "Austin", "Berlin", "Lagos", "Tokyo"]


def test_vote_burst(make_server):
    server = make_server(tick_ms=100)
    rng = random.Random(20240613)
    specs = [dict(sub=f"burst-{i}", name=f"Burst {i}", office=OFFICES[i % 5], role="employee")
             for i in range(N_USERS)]
    watcher_specs = [dict(sub="watch-e1", name="Watch E1", office="Dublin", role="employee"),
                     dict(sub="watch-e2", name="Watch E2", office="Austin", role="employee"),
                     dict(sub="watch-h", name="Watch H", office="Dublin", role="host")]
    toks = server.tokens(specs + watcher_specs)

    def join(args):
        spec, tok = args
        return server.client(sub=spec["sub"], name=spec["name"], office=spec["office"],
                             role=spec["role"], token=tok)

    with ThreadPoolExecutor(max_workers=16) as pool:
        clients = list(pool.map(join, zip(specs + watcher_specs, toks)))
    voters, watchers = clients[:N_USERS], clients[N_USERS:]

    # 20 posts first, by 20 different users
    pids = []
    for i in range(N_POSTS):
        r = voters[i].request({"type": "post", "text": f"burst question {i}"})
        assert r["type"] == "ack", r
        pids.append(r["post"]["id"])
    own = {i: pids[i] for i in range(N_POSTS)}
    for w in watchers:
        w.wait_view(lambda v: len(v.ranks["top"]) == N_POSTS, timeout=5, what="20 posts ranked")
    time.sleep(0.5)

    # each voter: 10 distinct posts (not their own), random +1/-1
    plan = {}
    for i in range(N_USERS):
        choices = [p for p in pids if p != own.get(i)]
        plan[i] = [(p, rng.choice((1, -1))) for p in rng.sample(choices, VOTES_EACH)]
    tally = {p: [0, 0] for p in pids}
    for votes in plan.values():
        for p, v in votes:
            tally[p][0 if v == 1 else 1] += 1

    marks = [w.mark() for w in watchers]
    barrier = threading.Barrier(N_USERS + 1)
    results = {}

    def vote(i):
        c = voters[i]
        barrier.wait(timeout=10)
        ids = []
        for k, (p, v) in enumerate(plan[i]):
            ids.append(c.send_request({"type": "vote", "post": p, "value": v}))
            time.sleep(0.09)  # spread each voter's 10 votes over ~1 s
        results[i] = [c.reply(rid, timeout=10) for rid in ids]

    threads = [threading.Thread(target=vote, args=(i,), daemon=True) for i in range(N_USERS)]
    for t in threads:
        t.start()
    barrier.wait(timeout=10)
    t0 = time.monotonic()
    for t in threads:
        t.join(timeout=20)
    t_acked = time.monotonic()
    assert not any(t.is_alive() for t in threads), "voter threads did not finish"
    assert len(results) == N_USERS, f"only {len(results)} voters got all replies"
    nacks = [(i, r) for i, rs in results.items() for r in rs if r["type"] != "ack"]
    assert not nacks, f"votes not acked: {nacks[:10]}"
    for i, rs in results.items():
        for (p, v), r in zip(plan[i], rs):
            assert r["value"] == v and r["post"]["id"] == p, r
    burst = t_acked - t0
    assert burst < 5.0, f"500 votes took {burst:.2f}s to be acked"

    # watchers converge on the exact tally
    for w in watchers:
        w.wait_view(lambda v: all([v.posts[p]["up"], v.posts[p]["down"]] == tally[p] for p in pids),
                    timeout=5, what="watcher sees exact tally")
    t_end = t_acked + 3 * TICK
    time.sleep(max(0.0, t_end - time.monotonic()))

    for w, m in zip(watchers, marks):
        ups = [u for u in w.updates(m) if t0 <= u.t <= t_end]
        allowed = (t_end - t0) / TICK + 2
        assert len(ups) <= allowed, \
            f"{w.label}: {len(ups)} updates in {t_end - t0:.2f}s, at most {allowed:.0f} allowed at tick 100 ms"
        seqs = [u.obj["seq"] for u in w.updates(m)]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"{w.label}: seq gaps {seqs}"
        assert not w.errors()

    # a fresh welcome has exactly the expected counts
    for role in ("employee", "host"):
        wel = server.fresh_welcome(role)
        got = {p["id"]: [p["up"], p["down"]] for p in wel["posts"]}
        assert got == tally, f"{role} welcome tally differs: " + str(
            {p: (got.get(p), tally[p]) for p in pids if got.get(p) != tally[p]})
        for p in wel["posts"]:
            assert p["score"] == p["up"] - p["down"]

    # and a voter's myVotes are exactly their votes
    for i in (0, 25, 49):
        w = server.client(sub=f"burst-{i}", name=f"Burst {i}", office=OFFICES[i % 5]).welcome
        assert w["myVotes"] == {p: v for p, v in plan[i]}, (i, w["myVotes"], plan[i])
