"""Every client→server message type, end to end, with its reply checked field by field."""

import time

import pytest

from checks import assert_ack, assert_comment, assert_error, assert_post, near_now_ms


def emp(server, sub, name=None, office="Dublin"):
    return server.client(sub=sub, name=name or f"Name {sub}", office=office, role="employee")


def host(server, sub="host-1", name="Hana Host", office="Dublin"):
    return server.client(sub=sub, name=name, office=office, role="host")


def test_post_ack(server):
    a = emp(server, "alice", "Alice Anders", "Dublin")
    r = a.request({"type": "post", "id": "m1", "text": "  How do we plan Q3?  "})
    assert_ack(r, "m1")
    assert_post(r["post"], id="p1", text="How do we plan Q3?",
                author={"name": "Alice Anders", "office": "Dublin"}, office="Dublin")
    r2 = a.request({"type": "post", "id": "m2", "text": "Second question"})
    assert_post(assert_ack(r2, "m2")["post"], id="p2", text="Second question")
    # the author sees their own post in an update and in a fresh welcome
    a.wait_view(lambda v: {"p1", "p2"} <= set(v.posts), what="own posts in updates")
    w = server.fresh_welcome("employee")
    ids = [p["id"] for p in w["posts"]]
    assert sorted(ids) == ["p1", "p2"], ids
    assert w["ranks"]["new"] == ["p2", "p1"]


def test_post_anonymous_ack(server):
    a = emp(server, "anon-author", "Secret Person")
    r = assert_ack(a.request({"type": "post", "id": 1, "text": "Anonymous question",
                              "anonymous": True}), 1)
    assert_post(r["post"], id="p1", text="Anonymous question", author=None)


def test_vote_up_down_take_back(server):
    a = emp(server, "author-v", "Author V")
    b = emp(server, "voter-v", "Voter V", "Austin")
    pid = a.request({"type": "post", "text": "Vote on me"})["post"]["id"]

    r = assert_ack(b.request({"type": "vote", "id": "v1", "post": pid, "value": 1}), "v1")
    assert r["value"] == 1
    assert_post(r["post"], id=pid, up=1, down=0)

    r = assert_ack(b.request({"type": "vote", "id": "v2", "post": pid, "value": 1}), "v2")
    assert r["value"] == 1
    assert_post(r["post"], id=pid, up=1, down=0)  # same vote twice changes nothing

    r = assert_ack(b.request({"type": "vote", "id": "v3", "post": pid, "value": -1}), "v3")
    assert r["value"] == -1
    assert_post(r["post"], id=pid, up=0, down=1)

    r = assert_ack(b.request({"type": "vote", "id": "v4", "post": pid, "value": 0}), "v4")
    assert r["value"] == 0
    assert_post(r["post"], id=pid, up=0, down=0)

    r = assert_ack(a.request({"type": "vote", "id": "v5", "post": pid, "value": -1}), "v5")
    assert_post(r["post"], id=pid, up=0, down=1)

    # myVotes in a new welcome of the voter
    b2 = server.client(sub="voter-v", name="Voter V", office="Austin")
    assert b2.welcome["myVotes"].get(pid, 0) == 0
    a2 = server.client(sub="author-v", name="Author V")
    assert a2.welcome["myVotes"] == {pid: -1}
    assert_post(next(p for p in a2.welcome["posts"] if p["id"] == pid), id=pid, up=0, down=1)


def test_comment_on_post(server):
    a = emp(server, "poster-c", "Poster C")
    b = emp(server, "commenter-c", "Commenter C", "Austin")
    pid = a.request({"type": "post", "text": "Discuss"})["post"]["id"]
    r = assert_ack(b.request({"type": "comment", "id": "c-1", "post": pid, "text": "  I agree  "}),
                   "c-1")
    assert_comment(r["comment"], id="c1", post=pid, text="I agree",
                   author={"name": "Commenter C", "office": "Austin"})
    a.wait_view(lambda v: v.posts[pid]["comments"] == 1, what="comment count 1 in update")
    a.wait_view(lambda v: any(c["id"] == "c1" and c["post"] == pid for c in v.comments),
                what="comment c1 in update")


def test_live_comment(server):
    a = emp(server, "live-commenter", "Live Commenter", "Berlin")
    watcher = emp(server, "live-watcher")
    r = assert_ack(a.request({"type": "comment", "id": "lc", "text": "Great townhall!"}), "lc")
    assert_comment(r["comment"], id="c1", post=None, text="Great townhall!",
                   author={"name": "Live Commenter", "office": "Berlin"})
    watcher.wait_view(lambda v: any(c["id"] == "c1" and c["post"] is None for c in v.comments),
                      what="live comment in update")
    pid = a.request({"type": "post", "text": "a post"})["post"]["id"]
    assert a.request({"type": "comment", "post": pid, "text": "on the post"})["comment"]["id"] == "c2"
    a.request({"type": "comment", "text": "Second"})
    w = server.fresh_welcome("employee")
    # live comments only, oldest first
    assert [c["id"] for c in w["comments"]] == ["c1", "c3"], w["comments"]
    assert_comment(w["comments"][0], id="c1", post=None, text="Great townhall!")


def test_moderate_and_on_air(server):
    a = emp(server, "mod-author")
    b = emp(server, "mod-author-2")
    h = host(server)
    p1 = a.request({"type": "post", "text": "First"})["post"]["id"]
    p2 = b.request({"type": "post", "text": "Second"})["post"]["id"]

    r = h.request({"type": "moderate", "id": "m1", "post": p1, "status": "shortlisted",
                   "note": "ask CEO"})
    assert_ack(r, "m1")
    a.wait_view(lambda v: v.posts[p1]["status"] == "shortlisted", what="p1 shortlisted")
    assert "note" not in a.view.posts[p1]
    h.wait_view(lambda v: v.posts[p1]["status"] == "shortlisted" and v.posts[p1].get("note") == "ask CEO",
                what="host sees note")

    assert_ack(h.request({"type": "moderate", "id": "m2", "post": p1, "status": "onair"}), "m2")
    a.wait_view(lambda v: v.posts[p1]["status"] == "onair" and v.townhall["onAir"] == p1,
                what="p1 on air")

    assert_ack(h.request({"type": "moderate", "id": "m3", "post": p2, "status": "onair"}), "m3")
    a.wait_view(lambda v: v.posts[p2]["status"] == "onair" and v.posts[p1]["status"] == "answered"
                and v.townhall["onAir"] == p2, what="p2 on air, p1 answered")

    w = server.fresh_welcome("employee")
    st = {p["id"]: p["status"] for p in w["posts"]}
    assert st == {p1: "answered", p2: "onair"}, st
    assert w["townhall"]["onAir"] == p2
    assert sum(1 for p in server.fresh_welcome("host")["posts"] if p["status"] == "onair") == 1

    assert_ack(h.request({"type": "moderate", "id": "m4", "post": p2, "status": "dismissed"}), "m4")
    a.wait_view(lambda v: v.posts[p2]["status"] == "dismissed" and v.townhall["onAir"] is None,
                what="onAir null after dismiss")


def test_announce(server):
    e = emp(server, "ann-watcher")
    h = host(server)
    r = assert_ack(h.request({"type": "announce", "id": "a-1", "text": "  Welcome all  "}), "a-1")
    a = r["announcement"]
    assert a["id"] == "a1" and a["text"] == "Welcome all" and near_now_ms(a["createdAt"]), a
    e.wait_view(lambda v: any(x["id"] == "a1" for x in v.announcements), what="announcement a1")
    r2 = assert_ack(h.request({"type": "announce", "id": "a-2", "text": "Break in 5"}), "a-2")
    assert r2["announcement"]["id"] == "a2"
    w = server.fresh_welcome("employee")
    assert [x["id"] for x in w["announcements"]] == ["a2", "a1"], w["announcements"]  # newest first
    assert w["announcements"][1]["text"] == "Welcome all"


def test_townhall_live_and_ended(server):
    e = emp(server, "th-watcher")
    h = host(server)
    stream = "https://video.example.com/live/townhall-42"
    r = h.request({"type": "townhall", "id": "t1", "state": "live", "title": "Q3 Townhall",
                   "stream": stream})
    assert_ack(r, "t1")
    e.wait_view(lambda v: v.townhall["state"] == "live" and v.townhall["title"] == "Q3 Townhall"
                and v.townhall["stream"] == stream, what="townhall live")
    w = server.fresh_welcome("employee")
    assert w["townhall"]["state"] == "live"
    assert w["townhall"]["title"] == "Q3 Townhall"
    assert w["townhall"]["stream"] == stream

    assert_ack(h.request({"type": "townhall", "id": "t2", "state": "ended"}), "t2")
    e.wait_view(lambda v: v.townhall["state"] == "ended", what="townhall ended")
    assert server.fresh_welcome("employee")["townhall"]["state"] == "ended"


@pytest.mark.parametrize("stream", ["http://video.example.com/live", "javascript:alert(1)",
                                    "ftp://video.example.com/x", "not a url"])
def test_townhall_non_https_stream_rejected(server, stream):
    h = host(server)
    before = server.fresh_welcome("host")["townhall"]
    r = h.request({"type": "townhall", "id": "t", "state": "live", "title": "X", "stream": stream})
    assert_error(r, "bad_request", "t")
    assert server.fresh_welcome("host")["townhall"] == before
    assert h.ping()["type"] == "pong"


def test_cycle_close(server):
    a = emp(server, "cyc-a")
    b = emp(server, "cyc-b")
    h = host(server)
    p1 = a.request({"type": "post", "text": "Old one"})["post"]["id"]
    p2 = b.request({"type": "post", "text": "Old two"})["post"]["id"]
    a.wait_view(lambda v: set(v.ranks["top"]) == {p1, p2}, what="both posts ranked")

    r = assert_ack(h.request({"type": "cycle", "id": "cy", "action": "close"}), "cy")
    cyc = r["cycle"]
    assert cyc["id"] == 2 and near_now_ms(cyc["startedAt"]), cyc
    a.wait_view(lambda v: v.cycle["id"] == 2, what="cycle 2 in update")
    a.wait_view(lambda v: all(v.ranks[k] == [] for k in ("top", "hot", "best", "new")),
                what="old posts leave the ranks")

    for role in ("employee", "host"):
        w = server.fresh_welcome(role)
        assert w["cycle"]["id"] == 2
        assert all(w["ranks"][k] == [] for k in ("top", "hot", "best", "new")), w["ranks"]
        assert w["posts"] == [], w["posts"]
    wa = server.client(sub="cyc-a", name="Name cyc-a").welcome
    assert wa["posts"] == [] and wa["myVotes"] == {}, "own posts of the old cycle are not this cycle's"

    r = a.request({"type": "post", "text": "New cycle post"})
    assert_post(r["post"], id="p3", cycle=2, text="New cycle post")
    a.wait_view(lambda v: v.ranks["top"] == ["p3"], what="new post ranked in cycle 2")


def test_cycle_close_bad_action(server):
    h = host(server)
    assert_error(h.request({"type": "cycle", "id": "x", "action": "explode"}), "bad_request", "x")
    assert server.fresh_welcome()["cycle"]["id"] == 1


def test_thread(server):
    a = emp(server, "thread-a", "Thread A")
    b = emp(server, "thread-b", "Thread B", "Austin")
    pid = a.request({"type": "post", "text": "Thread me"})["post"]["id"]
    other = b.request({"type": "post", "text": "Other"})["post"]["id"]
    b.request({"type": "comment", "post": pid, "text": "one"})
    a.request({"type": "comment", "post": other, "text": "elsewhere"})
    a.request({"type": "comment", "text": "live"})
    a.request({"type": "comment", "post": pid, "text": "two"})
    r = assert_ack(b.request({"type": "thread", "id": "th", "post": pid}), "th")
    assert_post(r["post"], id=pid, text="Thread me", comments=2)
    cs = r["comments"]
    assert [c["text"] for c in cs] == ["one", "two"], cs
    assert_comment(cs[0], id="c1", post=pid, author={"name": "Thread B", "office": "Austin"})
    assert_comment(cs[1], id="c4", post=pid, author={"name": "Thread A", "office": "Dublin"})


def test_ping_pong_ids(server):
    a = emp(server, "pinger")
    r = a.request({"type": "ping", "id": "x-1"})
    assert r == {"type": "pong", "id": "x-1"} or (r["type"] == "pong" and r["id"] == "x-1"), r
    r = a.request({"type": "ping", "id": 7})
    assert r["type"] == "pong" and r["id"] == 7 and isinstance(r["id"], int), r
    # integer id on an ack, echoed as integer
    r = a.request({"type": "post", "id": 42, "text": "int id"})
    assert_ack(r, 42)


def test_exactly_one_reply_per_id(server):
    a = emp(server, "one-reply")
    ids = []
    pid = a.request({"type": "post", "text": "target"})["post"]["id"]
    for i, msg in enumerate([
        {"type": "ping"},
        {"type": "vote", "post": pid, "value": 1},
        {"type": "vote", "post": "p999", "value": 1},
        {"type": "comment", "post": pid, "text": "c"},
        {"type": "nonsense"},
        {"type": "post", "text": ""},
    ]):
        msg["id"] = f"one-{i}"
        ids.append(msg["id"])
        a.send(msg)
    for rid in ids:
        a.reply(rid)
    time.sleep(0.5)
    for rid in ids:
        got = a.replies_to(rid)
        assert len(got) == 1, f"id {rid}: expected exactly one reply, got {got}"


def test_request_without_id_gets_no_ack(server):
    a = emp(server, "no-id")
    start = a.mark()
    a.send({"type": "post", "text": "fire and forget"})
    a.wait_view(lambda v: any(p["text"] == "fire and forget" for p in v.posts.values()),
                what="post visible via update")
    time.sleep(0.3)
    assert not [f for f in a.snapshot()[start:] if f.type in ("ack", "error")], a.describe()
    # a failing request without id does get an error
    a.send({"type": "vote", "post": "p404", "value": 1})
    e = a.wait_for(lambda f: f.type == "error", start=start)
    assert_error(e.obj, "not_found")
    assert "id" not in e.obj or e.obj["id"] is None, e.obj


def test_post_retry_with_key(server):
    a = emp(server, "retrier")
    b = emp(server, "other-keyholder")
    r1 = assert_ack(a.request({"type": "post", "id": "k1", "text": "Idempotent?", "key": "K-123"}), "k1")
    r2 = assert_ack(a.request({"type": "post", "id": "k2", "text": "Idempotent?", "key": "K-123"}), "k2")
    assert r1["post"]["id"] == r2["post"]["id"] == "p1"
    # same key, another user: a different post
    r3 = assert_ack(b.request({"type": "post", "id": "k3", "text": "Idempotent?", "key": "K-123"}), "k3")
    assert r3["post"]["id"] == "p2"
    w = server.fresh_welcome("host")
    assert sorted(p["id"] for p in w["posts"]) == ["p1", "p2"]
    assert sorted(w["ranks"]["top"]) == ["p1", "p2"]


def test_rate_limit_posts(server):
    a = emp(server, "prolific")
    for i in range(5):
        assert_ack(a.request({"type": "post", "id": f"rp{i}", "text": f"q{i}"}), f"rp{i}")
    assert_error(a.request({"type": "post", "id": "rp5", "text": "one too many"}), "rate_limited", "rp5")
    w = server.fresh_welcome("host")
    assert len(w["posts"]) == 5 and "one too many" not in [p["text"] for p in w["posts"]]
    # someone else is not limited
    b = emp(server, "quiet")
    assert_ack(b.request({"type": "post", "id": "ok", "text": "mine"}), "ok")


def test_rate_limit_comments(server):
    a = emp(server, "chatty")
    pid = a.request({"type": "post", "text": "comment target"})["post"]["id"]
    ids = [a.send_request({"type": "comment", "post": pid, "text": f"c{i}"}) for i in range(31)]
    replies = [a.reply(i) for i in ids]
    assert all(r["type"] == "ack" for r in replies[:30]), [r for r in replies[:30] if r["type"] != "ack"]
    assert_error(replies[30], "rate_limited")
    w = server.fresh_welcome("host")
    assert next(p for p in w["posts"] if p["id"] == pid)["comments"] == 30


def test_rate_limit_votes(server):
    posters = [emp(server, f"vp{i}") for i in range(5)]
    pids = [c.request({"type": "post", "text": f"vote target {i}"})["post"]["id"]
            for i, c in enumerate(posters)]
    v = emp(server, "fast-voter")
    msgs = [{"type": "vote", "post": pids[i % 5], "value": 1 if (i // 5) % 2 == 0 else -1}
            for i in range(45)]
    t0 = time.monotonic()
    ids = [v.send_request(m) for m in msgs]
    replies = [v.reply(i) for i in ids]
    sent_in = time.monotonic() - t0
    acked = [m for m, r in zip(msgs, replies) if r["type"] == "ack"]
    limited = [r for r in replies if r["type"] == "error"]
    assert all(r["code"] == "rate_limited" for r in limited), limited
    assert all(r["type"] == "ack" for r in replies[:20]), replies[:20]
    if sent_in < 1.0:
        assert limited, f"45 votes in {sent_in:.2f}s: expected rate_limited beyond 20/s"
    # the refused votes changed nothing: the tally is the last acked value per post
    final = {}
    for m in acked:
        final[m["post"]] = m["value"]
    w = server.fresh_welcome("host")
    for p in w["posts"]:
        exp = final.get(p["id"], 0)
        assert (p["up"], p["down"]) == ((1, 0) if exp == 1 else (0, 1) if exp == -1 else (0, 0)), p
