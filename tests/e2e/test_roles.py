"""Who may do what: employees, moderators, hosts."""

import time

import pytest

from checks import assert_ack, assert_error, assert_post
from conftest import server_state


@pytest.fixture
def setup(server):
    a = server.client(sub="ro-a", name="Ro A")
    pid = a.request({"type": "post", "text": "a question"})["post"]["id"]
    time.sleep(0.2)
    return server, a, pid


STAFF_ONLY = [
    ("moderate", {"type": "moderate", "post": "p1", "status": "hidden"}),
    ("moderate_onair", {"type": "moderate", "post": "p1", "status": "onair"}),
    ("announce", {"type": "announce", "text": "I am the CEO now"}),
    ("townhall_live", {"type": "townhall", "state": "live", "title": "Fake",
                       "stream": "https://evil.example.com/"}),
    ("townhall_ended", {"type": "townhall", "state": "ended"}),
    ("cycle_close", {"type": "cycle", "action": "close"}),
]


@pytest.mark.parametrize("name,msg", STAFF_ONLY, ids=[n for n, _ in STAFF_ONLY])
def test_employee_forbidden(setup, name, msg):
    server, a, pid = setup
    before = server_state(server)
    e = server.client(sub="ro-employee", role="employee")
    r = e.request(dict(msg, id="f"))
    assert_error(r, "forbidden", "f")
    assert e.ping()["type"] == "pong"
    time.sleep(0.3)
    assert server_state(server) == before


MODERATOR_FORBIDDEN = [
    ("announce", {"type": "announce", "text": "moderator announcing"}),
    ("townhall_live", {"type": "townhall", "state": "live", "title": "Mod",
                       "stream": "https://video.example.com/"}),
    ("cycle_close", {"type": "cycle", "action": "close"}),
]


@pytest.mark.parametrize("name,msg", MODERATOR_FORBIDDEN, ids=[n for n, _ in MODERATOR_FORBIDDEN])
def test_moderator_forbidden_host_only(setup, name, msg):
    server, a, pid = setup
    before = server_state(server)
    m = server.client(sub="ro-mod", role="moderator")
    assert_error(m.request(dict(msg, id="mf")), "forbidden", "mf")
    time.sleep(0.3)
    assert server_state(server) == before


def test_moderator_can_moderate(setup):
    server, a, pid = setup
    m = server.client(sub="ro-mod2", role="moderator", name="Mo Derator")
    r = assert_ack(m.request({"type": "moderate", "id": "mm", "post": pid, "status": "shortlisted",
                              "note": "good one"}), "mm")
    a.wait_view(lambda v: v.posts[pid]["status"] == "shortlisted", what="shortlisted via update")
    assert "note" not in a.view.posts[pid]
    w = server.fresh_welcome("moderator")
    p = next(p for p in w["posts"] if p["id"] == pid)
    assert_post(p, id=pid, status="shortlisted", staff=True, note="good one")
    we = server.fresh_welcome("employee")
    p = next(p for p in we["posts"] if p["id"] == pid)
    assert_post(p, id=pid, status="shortlisted")  # no note for employees


def test_host_can_do_everything(setup):
    server, a, pid = setup
    h = server.client(sub="ro-host", role="host")
    assert_ack(h.request({"type": "moderate", "id": 1, "post": pid, "status": "onair"}), 1)
    assert_ack(h.request({"type": "announce", "id": 2, "text": "hi"}), 2)
    assert_ack(h.request({"type": "townhall", "id": 3, "state": "live", "title": "T",
                          "stream": "https://video.example.com/x"}), 3)
    assert_ack(h.request({"type": "cycle", "id": 4, "action": "close"}), 4)


def test_hidden_post(server):
    author = server.client(sub="hid-author", name="Hid Author")
    other = server.client(sub="hid-other", name="Hid Other", office="Austin")
    m = server.client(sub="hid-mod", role="moderator")
    h = server.client(sub="hid-host", role="host")
    p1 = author.request({"type": "post", "text": "to be hidden"})["post"]["id"]
    p2 = other.request({"type": "post", "text": "stays"})["post"]["id"]
    for c in (author, other, h):
        c.wait_view(lambda v: set(v.ranks["top"]) == {p1, p2}, what="both ranked")
    mark = {c: c.mark() for c in (author, other, h)}

    assert_ack(m.request({"type": "moderate", "id": "hide", "post": p1, "status": "hidden"}), "hide")
    for c in (author, other):
        f = c.wait_for(lambda f: f.type == "update" and p1 in (f.obj.get("removed") or []),
                       start=mark[c], what=f"{c.label}: removed [{p1}]")
        assert p1 not in [p["id"] for p in f.obj.get("posts") or []], f.obj
        c.wait_view(lambda v: all(p1 not in v.ranks[k] for k in ("top", "hot", "best", "new")),
                    what="hidden post out of employee ranks")
        # no later update shows it again to employees
        for u in c.updates(mark[c]):
            assert p1 not in [p["id"] for p in u.obj.get("posts") or []], u.obj
    h.wait_view(lambda v: v.posts[p1]["status"] == "hidden", what="host sees hidden status")

    for sub in ("hid-author", "hid-other"):
        w = server.client(sub=sub, name="x").welcome
        assert p1 not in [p["id"] for p in w["posts"]], w["posts"]
        assert all(p1 not in w["ranks"][k] for k in ("top", "hot", "best", "new")), w["ranks"]
    wh = server.fresh_welcome("host")
    hp = next((p for p in wh["posts"] if p["id"] == p1), None)
    assert hp is not None and hp["status"] == "hidden", wh["posts"]
    wm = server.fresh_welcome("moderator")
    assert any(p["id"] == p1 and p["status"] == "hidden" for p in wm["posts"]), wm["posts"]

    # employees cannot act on it as if it were there
    r = other.request({"type": "thread", "id": "th", "post": p1})
    assert r["type"] == "error", f"employee got a hidden post's thread: {r}"
