"""Updates fan out to everyone: posts, votes, comments, ranks, presence, seq."""

import time

from checks import assert_ack, expected_ranks


def consecutive_seqs(c):
    seqs = [c.welcome["seq"]] + [u.obj["seq"] for u in c.updates()]
    assert all(isinstance(s, int) for s in seqs), seqs
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), \
        f"{c.label}: update seqs not +1 each: {seqs}"


def test_two_employees_and_host_see_everything(server):
    a = server.client(sub="fan-a", name="Fan A", office="Dublin")
    b = server.client(sub="fan-b", name="Fan B", office="Austin")
    h = server.client(sub="fan-h", name="Fan H", office="London", role="host")

    pa = assert_ack(a.request({"type": "post", "id": 1, "text": "from A"}), 1)["post"]["id"]
    pb = assert_ack(b.request({"type": "post", "id": 2, "text": "from B"}), 2)["post"]["id"]
    for c in (a, b, h):
        c.wait_view(lambda v: v.posts[pa]["text"] == "from A" and v.posts[pb]["text"] == "from B",
                    what="both posts")
        author = c.view.posts[pa]["author"]
        assert {k: author.get(k) for k in ("name", "office")} == {"name": "Fan A", "office": "Dublin"}

    assert_ack(b.request({"type": "vote", "id": 3, "post": pa, "value": 1}), 3)
    assert_ack(a.request({"type": "vote", "id": 4, "post": pb, "value": -1}), 4)
    for c in (a, b, h):
        c.wait_view(lambda v: (v.posts[pa]["up"], v.posts[pa]["down"], v.posts[pa]["score"]) == (1, 0, 1)
                    and (v.posts[pb]["up"], v.posts[pb]["down"], v.posts[pb]["score"]) == (0, 1, -1),
                    what="votes visible")

    assert_ack(a.request({"type": "comment", "id": 5, "post": pb, "text": "A on B"}), 5)
    assert_ack(b.request({"type": "comment", "id": 6, "text": "live from B"}), 6)
    for c in (a, b, h):
        c.wait_view(lambda v: v.posts[pb]["comments"] == 1
                    and any(x["text"] == "A on B" and x["post"] == pb for x in v.comments)
                    and any(x["text"] == "live from B" and x["post"] is None for x in v.comments),
                    what="comments visible")
    time.sleep(0.3)
    for c in (a, b, h):
        consecutive_seqs(c)
        assert not c.errors(), c.errors()


def test_employee_updates_are_identical_bytes(server):
    a = server.client(sub="same-a", office="Dublin")
    b = server.client(sub="same-b", office="Austin")
    time.sleep(0.3)
    ma, mb = a.mark(), b.mark()
    p = a.request({"type": "post", "text": "same bytes"})["post"]["id"]
    b.request({"type": "vote", "post": p, "value": 1})
    for c in (a, b):
        c.wait_view(lambda v: v.posts[p]["up"] == 1, what="vote seen")
    time.sleep(0.3)
    ua = {u.obj["seq"]: u.raw for u in a.updates(ma)}
    ub = {u.obj["seq"]: u.raw for u in b.updates(mb)}
    common = set(ua) & set(ub)
    assert common, (ua, ub)
    for s in common:
        assert ua[s] == ub[s], f"seq {s} differs between two employees:\n{ua[s]}\n{ub[s]}"


def test_ranks_reorder_after_votes(server):
    users = [server.client(sub=f"rk{i}", office=["Dublin", "Austin", "Berlin"][i % 3])
             for i in range(5)]
    watcher = server.client(sub="rk-watch")
    h = server.client(sub="rk-host", role="host")
    pids = []
    for i in range(4):
        pids.append(users[i].request({"type": "post", "text": f"post {i}"})["post"]["id"])
        time.sleep(0.02)  # distinct createdAt
    p1, p2, p3, p4 = pids
    watcher.wait_view(lambda v: v.ranks["top"] == [p1, p2, p3, p4], what="initial top order")
    assert watcher.view.ranks["new"] == [p4, p3, p2, p1]

    votes = [  # (user index, post, value)
        (0, p3, 1), (1, p3, 1), (4, p3, 1),  # p3: +3
        (2, p2, -1), (4, p2, -1),  # p2: -2
        (0, p4, 1), (1, p4, 1), (2, p4, 1), (3, p4, -1),  # p4: +3 -1 = 2
        (3, p1, 1), (2, p1, -1),  # p1: 0 with 2 votes
    ]
    for u, p, val in votes:
        r = users[u].request({"type": "vote", "post": p, "value": val})
        assert r["type"] == "ack", r
    tally = {p1: (1, 1), p2: (0, 2), p3: (3, 0), p4: (3, 1)}
    for c in (watcher, h):
        v = c.wait_view(lambda v: all((v.posts[p]["up"], v.posts[p]["down"]) == t
                                      for p, t in tally.items()), what="final tallies")
        time.sleep(0.3)
        posts = [c.view.posts[p] for p in pids]
        exp = expected_ranks(posts, c.welcome["cycle"]["startedAt"])
        assert exp["top"] == [p3, p4, p1, p2]  # hand-computed
        assert c.view.ranks["top"] == [p3, p4, p1, p2], c.view.ranks
        for k in ("new", "best", "hot"):
            assert c.view.ranks[k] == exp[k], f"{k}: expected {exp[k]}, got {c.view.ranks[k]}"
    w = server.fresh_welcome("employee")
    assert w["ranks"]["top"] == [p3, p4, p1, p2]


def test_ranks_update_only_when_changed(server):
    a = server.client(sub="ro-a")
    b = server.client(sub="ro-b")
    p = a.request({"type": "post", "text": "only"})["post"]["id"]
    a.wait_view(lambda v: v.ranks["top"] == [p])
    time.sleep(0.3)
    m = a.mark()
    b.request({"type": "vote", "post": p, "value": 1})  # one post: no ordering changes
    a.wait_view(lambda v: v.posts[p]["up"] == 1)
    time.sleep(0.3)
    for u in a.updates(m):
        if "ranks" in u.obj:
            assert False, f"ranks sent although no ordering changed: {u.raw}"


def test_presence(server):
    a = server.client(sub="pr-a", office="Dublin")
    b = server.client(sub="pr-b", office="Austin")
    h = server.client(sub="pr-h", office="Dublin", role="host")
    a2 = server.client(sub="pr-a", office="Dublin")  # same user, second connection
    want = {"total": 3, "offices": {"Dublin": 2, "Austin": 1}}

    def norm(p):
        return p and {"total": p["total"], "offices": {k: v for k, v in p["offices"].items() if v}}

    for c in (a, b, h, a2):
        c.wait_view(lambda v: norm(v.presence) == want, timeout=3.5, what=f"presence {want}")
    b.close()
    want2 = {"total": 2, "offices": {"Dublin": 2}}
    for c in (a, h):
        c.wait_view(lambda v: norm(v.presence) == want2, timeout=3.5, what=f"presence {want2}")
    # at most once a second
    times = [u.t for u in a.updates() if "presence" in u.obj]
    gaps = [t2 - t1 for t1, t2 in zip(times, times[1:])]
    assert all(g >= 0.9 for g in gaps), f"presence more often than once a second: {gaps}"


def test_at_most_one_update_per_tick(server):
    users = [server.client(sub=f"tk{i}") for i in range(5)]
    watcher = server.client(sub="tk-watch")
    pids = [u.request({"type": "post", "text": f"t{i}"})["post"]["id"] for i, u in enumerate(users)]
    watcher.wait_view(lambda v: len(v.ranks["top"]) == 5)
    time.sleep(0.3)
    m = watcher.mark()
    t0 = time.monotonic()
    ids = []
    for value in (1, -1, 1):  # 15 votes per user over ~0.75 s, under 20/s
        for p in pids:
            for u in users:
                ids.append((u, u.send_request({"type": "vote", "post": p, "value": value})))
                time.sleep(0.01)  # a change in every 10 ms: updates must still be coalesced
    for u, rid in ids:
        assert u.reply(rid)["type"] == "ack"
    t1 = time.monotonic() + 0.3
    time.sleep(0.3)
    ups = [u for u in watcher.updates(m) if t0 <= u.t <= t1]
    allowed = (t1 - t0) / 0.1 + 2
    assert len(ups) <= allowed, f"{len(ups)} updates in {t1 - t0:.2f}s (tick 100 ms)"
    watcher.wait_view(lambda v: all((v.posts[p]["up"], v.posts[p]["down"]) == (5, 0) for p in pids))


def test_ranks_hold_top_100(server):
    """105 posts: each ordering lists 100 ids, and welcome.posts covers every ranked id."""
    from concurrent.futures import ThreadPoolExecutor
    posters = [server.client(sub=f"hundred-{i}") for i in range(21)]

    def post_five(c):
        return [c.request({"type": "post", "text": f"{c.sub} #{k}"})["post"]["id"] for k in range(5)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        pids = sum(pool.map(post_five, posters), [])
    voter = server.client(sub="hundred-voter")
    last = max(pids, key=lambda p: int(p[1:]))
    first = min(pids, key=lambda p: int(p[1:]))
    assert voter.request({"type": "vote", "post": last, "value": 1})["type"] == "ack"
    time.sleep(0.3)
    w = server.fresh_welcome("employee")
    for k in ("top", "hot", "best", "new"):
        assert len(w["ranks"][k]) == 100, (k, len(w["ranks"][k]))
    assert w["ranks"]["top"][0] == last
    assert w["ranks"]["new"][0] == last
    named = set(sum((w["ranks"][k] for k in ("top", "hot", "best", "new")), []))
    assert named <= {p["id"] for p in w["posts"]}, "welcome.posts must hold every ranked post"
    # top: the voted post, then the rest oldest first, so the newest unvoted one is cut
    assert w["ranks"]["top"][1] == first


def test_update_carries_only_what_changed(server):
    a = server.client(sub="owc-a")
    b = server.client(sub="owc-b")
    h = server.client(sub="owc-h", role="host")
    p1 = a.request({"type": "post", "text": "one"})["post"]["id"]
    p2 = b.request({"type": "post", "text": "two"})["post"]["id"]
    assert h.request({"type": "announce", "text": "earlier news"})["type"] == "ack"
    a.wait_view(lambda v: v.announcements and set(v.ranks["top"]) == {p1, p2})
    time.sleep(0.5)
    m = a.mark()
    assert b.request({"type": "vote", "post": p2, "value": 1})["type"] == "ack"
    f = a.wait_for(lambda f: f.type == "update" and any(p["id"] == p2 for p in f.obj.get("posts") or []),
                   start=m, what="update with the voted post")
    u = f.obj
    assert [p["id"] for p in u["posts"]] == [p2], u
    for k in ("announcements", "comments", "townhall", "cycle", "removed"):
        assert not u.get(k), f"update after one vote carries unrelated `{k}`: {u}"
    assert u["ranks"]["top"] == [p2, p1]  # the order did change
