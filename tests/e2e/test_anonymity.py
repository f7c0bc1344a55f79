import pytest
"""Anonymous means anonymous to everyone: no frame, export or log line names the author."""

import copy
import json
import time

from checks import assert_ack, assert_post

NAME = "Zephyrine Quillfeather"
SUB = "anon-sub-7f3kq"
OFFICE = "Reykjavik"


def leaks(text: str) -> list[str]:
    return [s for s in (NAME, SUB, "Zephyrine", "Quillfeather") if s.lower() in text.lower()]


def author_frames_text(c) -> str:
    """The author's own frames, minus the welcome's `user` (which is, rightly, them)."""
    out = []
    for f in c.snapshot():
        if f.type == "welcome":
            o = copy.deepcopy(f.obj)
            o.pop("user", None)
            out.append(json.dumps(o, ensure_ascii=False))
        else:
            out.append(f.raw if isinstance(f.raw, str) else f.raw.decode("utf-8", "replace"))
    return "\n".join(out)


def test_anonymous_post_never_names_author(server):
    e = server.client(sub="an-emp", name="Eve Employee", office="Dublin")
    m = server.client(sub="an-mod", name="Mia Moderator", office="Dublin", role="moderator")
    h = server.client(sub="an-host", name="Hal Host", office="Dublin", role="host")
    u = server.client(sub=SUB, name=NAME, office=OFFICE)
    observers = [e, m, h]

    r = assert_ack(u.request({"type": "post", "id": "ap", "text": "Why are salaries secret?",
                              "anonymous": True, "key": "anon-key-1"}), "ap")
    pid = r["post"]["id"]
    assert_post(r["post"], id=pid, author=None)
    # retry with the same key: same post, still anonymous
    r2 = assert_ack(u.request({"type": "post", "id": "ap2", "text": "Why are salaries secret?",
                               "anonymous": True, "key": "anon-key-1"}), "ap2")
    assert r2["post"]["id"] == pid and r2["post"]["author"] is None
    # the author votes on and threads their own post; others vote and comment
    assert_ack(u.request({"type": "vote", "id": "av", "post": pid, "value": 1}), "av")
    r = assert_ack(u.request({"type": "thread", "id": "at", "post": pid}), "at")
    assert r["post"]["author"] is None
    assert_ack(e.request({"type": "vote", "id": "ev", "post": pid, "value": 1}), "ev")
    assert_ack(e.request({"type": "comment", "id": "ec", "post": pid, "text": "good question"}), "ec")
    assert_ack(h.request({"type": "moderate", "id": "hm", "post": pid, "status": "shortlisted",
                          "note": "sensitive"}), "hm")
    assert_ack(m.request({"type": "moderate", "id": "mm", "post": pid, "status": "onair"}), "mm")
    for c in observers + [u]:
        c.wait_view(lambda v: v.posts[pid]["status"] == "onair" and v.posts[pid]["up"] == 2,
                    what="anonymous post on air with 2 votes")
        assert c.view.posts[pid]["author"] is None, c.view.posts[pid]
        rt = c.request({"type": "thread", "post": pid})
        assert rt["type"] == "ack" and rt["post"]["author"] is None, rt
        assert [x["text"] for x in rt["comments"]] == ["good question"]

    # fresh welcomes for every audience, and for the author
    for role in ("employee", "moderator", "host"):
        w = server.fresh_welcome(role)
        p = next(p for p in w["posts"] if p["id"] == pid)
        assert "author" in p and p["author"] is None, (role, p)
        assert not leaks(json.dumps(w, ensure_ascii=False)), (role, leaks(json.dumps(w)))
    u2 = server.client(sub=SUB, name=NAME, office=OFFICE)
    p = next(p for p in u2.welcome["posts"] if p["id"] == pid)
    assert p["author"] is None, p
    assert u2.welcome["myVotes"] == {pid: 1}

    time.sleep(0.3)
    for c in observers:
        for f in c.snapshot():
            text = f.raw if isinstance(f.raw, str) else f.raw.decode("utf-8", "replace")
            assert not leaks(text), f"{c.label} received a frame naming the author: {text}"
    for c in (u, u2):
        assert not leaks(author_frames_text(c)), "author's own frames name them outside `user`"


def test_anonymous_author_not_in_export_metrics_or_log(server):
    u = server.client(sub=SUB, name=NAME, office=OFFICE)
    e = server.client(sub="ax-emp")
    pid = assert_ack(u.request({"type": "post", "id": 1, "text": "export me", "anonymous": True}),
                     1)["post"]["id"]
    e.request({"type": "vote", "post": pid, "value": 1})
    host_tok = server.token("ax-host", name="Export Host", office="Dublin", role="host")
    for fmt in ("json", "csv"):
        status, _, body = server.http_get(f"/api/export?cycle=1&format={fmt}",
                                          headers={"Authorization": f"Bearer {host_tok}"})
        assert status == 200, f"export {fmt}: {status} {body[:200]}"
        assert "export me" in body, f"export {fmt} does not contain the post"
        assert not leaks(body), f"export {fmt} names the anonymous author: {leaks(body)}"
    status, _, body = server.http_get("/metrics")
    assert status == 200 and not leaks(body)
    time.sleep(0.3)
    log = "".join(p.read_text(errors="replace") for p in server.logs)
    bad = [l for l in log.splitlines()
           if leaks(l) and any(s in l.lower() for s in (pid, "post", "anonymous", "export me"))]
    assert not bad, f"server log ties the anonymous author to a post: {bad[:5]}"
