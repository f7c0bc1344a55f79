"""Resume after a disconnect; restarts; durability of acks."""

import time

import pytest

from checks import assert_ack


def last_seq(c):
    ups = c.updates()
    return ups[-1].obj["seq"] if ups else c.welcome["seq"]


@pytest.mark.parametrize("role", ["employee", "host"])
def test_resume_replays_missed_updates(server, role):
    r = server.client(sub="res-r", name="Res R", role=role)
    observer = server.client(sub="res-obs", role=role)
    actor = server.client(sub="res-actor", name="Res Actor")
    p0 = actor.request({"type": "post", "text": "before"})["post"]["id"]
    r.wait_view(lambda v: p0 in v.posts)
    time.sleep(0.3)
    epoch, seq = r.welcome["epoch"], last_seq(r)
    r.close()
    server.clients.remove(r)

    # several separate updates while r is away
    p1 = actor.request({"type": "post", "text": "missed 1"})["post"]["id"]
    time.sleep(0.25)
    actor.request({"type": "vote", "post": p0, "value": 1})
    time.sleep(0.25)
    actor.request({"type": "comment", "post": p1, "text": "missed comment"})
    time.sleep(0.25)
    observer.wait_view(lambda v: p1 in v.posts and v.posts[p0]["up"] == 1
                       and v.posts[p1]["comments"] == 1, what="observer saw the changes")
    time.sleep(0.3)
    obs_missed = [u.obj for u in observer.updates() if u.obj["seq"] > seq]
    assert len(obs_missed) >= 3, obs_missed

    r2 = server.client(sub="res-r", name="Res R", role=role, resume={"epoch": epoch, "seq": seq})
    w = r2.welcome
    assert w["recovered"] is True, w
    assert w["seq"] == seq, f"recovered welcome seq {w['seq']}, expected {seq}"
    assert w["epoch"] == epoch
    last = obs_missed[-1]["seq"]
    r2.wait_for(lambda f: f.type == "update" and f.obj["seq"] >= last, what=f"replay up to seq {last}")
    replay = [u.obj for u in r2.updates()]
    seqs = [u["seq"] for u in replay]
    assert seqs[:len(obs_missed)] == list(range(seq + 1, seq + 1 + len(obs_missed))), seqs
    # the replay is what the observer of the same audience got
    for got, want in zip(replay, obs_missed):
        got_wo = {k: v for k, v in got.items() if k != "presence"}
        want_wo = {k: v for k, v in want.items() if k != "presence"}
        assert got_wo == want_wo, f"replayed update differs:\n{got}\n{want}"
    v = r2.view
    assert v.posts[p1]["comments"] == 1 and v.posts[p0]["up"] == 1
    assert any(c["text"] == "missed comment" for c in v.comments)
    # and the connection is live afterwards
    p2 = actor.request({"type": "post", "text": "after resume"})["post"]["id"]
    r2.wait_view(lambda v: p2 in v.posts, what="live after resume")
    s2 = [u.obj["seq"] for u in r2.updates()]
    assert s2 == list(range(seq + 1, seq + 1 + len(s2))), s2


def test_resume_unknown_epoch_gets_full_welcome(server):
    a = server.client(sub="ue-a")
    pid = a.request({"type": "post", "text": "exists"})["post"]["id"]
    w = server.client(sub="ue-b", resume={"epoch": "no-such-epoch", "seq": 3}).welcome
    assert w["recovered"] is False
    assert [p["id"] for p in w["posts"]] == [pid]
    assert w["ranks"]["top"] == [pid]
    assert isinstance(w["epoch"], str) and w["epoch"] != "no-such-epoch"


def test_restart_changes_epoch_and_keeps_state(make_server):
    s = make_server()
    a = s.client(sub="rs-a", name="Rs A")
    b = s.client(sub="rs-b", name="Rs B")
    h = s.client(sub="rs-h", role="host")
    pid = assert_ack(a.request({"type": "post", "id": "x", "text": "survives"}), "x")["post"]["id"]
    assert_ack(b.request({"type": "vote", "id": "y", "post": pid, "value": 1}), "y")
    assert_ack(b.request({"type": "comment", "id": "z", "post": pid, "text": "me too"}), "z")
    assert_ack(h.request({"type": "announce", "id": "an", "text": "kept"}), "an")
    time.sleep(0.3)
    epoch, seq = b.welcome["epoch"], last_seq(b)
    s.stop()
    s.start()
    w = s.client(sub="rs-b", name="Rs B", resume={"epoch": epoch, "seq": seq}).welcome
    assert w["recovered"] is False, "a restart cannot recover the old epoch"
    assert w["epoch"] != epoch
    p = next((p for p in w["posts"] if p["id"] == pid), None)
    assert p is not None, f"acked post {pid} lost across a clean restart; welcome posts: {w['posts']}"
    assert (p["text"], p["up"], p["comments"]) == ("survives", 1, 1), p
    assert w["myVotes"] == {pid: 1}
    assert [x["text"] for x in w["announcements"]] == ["kept"]
    # ids continue after a restart
    r = s.client(sub="rs-a2").request({"type": "post", "text": "next"})
    assert r["post"]["id"] == "p2", r


def test_ack_is_durable_across_kill_9(make_server):
    s = make_server()
    a = s.client(sub="k9-a")
    b = s.client(sub="k9-b")
    pid = assert_ack(a.request({"type": "post", "id": 1, "text": "durable"}), 1)["post"]["id"]
    assert_ack(b.request({"type": "vote", "id": 2, "post": pid, "value": -1}), 2)
    s.kill9()  # right after the ack
    s.start()
    w = s.fresh_welcome("host")
    p = next((p for p in w["posts"] if p["id"] == pid), None)
    assert p is not None, "acked post lost after kill -9"
    assert (p["text"], p["down"]) == ("durable", 1), p
