"""Bad input gets its clear error or close, changes nothing, and bothers nobody else."""

import json
import time

import pytest

from checks import assert_ack, assert_error, assert_post
from conftest import HOST, server_state
from rawws import RawWS


@pytest.fixture
def world(server):
    """Some state, a well-behaved observer connected all along, and an attacker."""
    h = server.client(sub="bi-host", role="host", name="Bi Host")
    a = server.client(sub="bi-a", name="Bi A", office="Dublin")
    b = server.client(sub="bi-b", name="Bi B", office="Austin")
    p1 = a.request({"type": "post", "text": "first"})["post"]["id"]
    p2 = b.request({"type": "post", "text": "second"})["post"]["id"]
    assert_ack(b.request({"type": "vote", "id": "w1", "post": p1, "value": 1}), "w1")
    assert_ack(a.request({"type": "vote", "id": "w2", "post": p2, "value": -1}), "w2")
    assert_ack(a.request({"type": "comment", "id": "w3", "post": p2, "text": "hm"}), "w3")
    assert_ack(h.request({"type": "announce", "id": "w4", "text": "hello all"}), "w4")
    observer = server.client(sub="bi-observer", name="Observer", office="Berlin")
    attacker = server.client(sub="bi-attacker", name="Attacker", office="Berlin")
    hattacker = server.client(sub="bi-host-attacker", role="host", name="Host Attacker")
    time.sleep(0.3)  # let the tick flush
    return {"server": server, "observer": observer, "attacker": attacker,
            "host_attacker": hattacker, "before": server_state(server), "p1": p1, "p2": p2}


def assert_nothing_changed(world):
    server = world["server"]
    time.sleep(0.3)
    after = server_state(server)
    assert after == world["before"], f"state changed:\nbefore={world['before']}\nafter={after}"
    obs = world["observer"]
    assert obs.ping()["type"] == "pong"
    assert not obs.errors(), f"observer got errors: {obs.errors()}"
    assert not obs.closed


TEXT = "x"
CASES = [
    # name, sender, raw frame text (or object), expected code, id to expect (None = no id)
    ("malformed_json", "attacker", '{"type":"post","id":"mj","text":', "bad_request", None),
    ("not_json_at_all", "attacker", "hello there", "bad_request", None),
    ("json_array", "attacker", "[1,2,3]", "bad_request", None),
    ("json_string", "attacker", '"ping"', "bad_request", None),
    ("json_number", "attacker", "42", "bad_request", None),
    ("json_null", "attacker", "null", "bad_request", None),
    ("missing_type", "attacker", {"id": "mt", "text": "no type"}, "bad_request", "mt"),
    ("type_not_string", "attacker", {"id": "tn", "type": 5}, "bad_request", "tn"),
    ("unknown_type", "attacker", {"id": "ut", "type": "teleport"}, "bad_request", "ut"),
    ("post_missing_text", "attacker", {"id": "pm", "type": "post"}, "bad_request", "pm"),
    ("post_text_number", "attacker", {"id": "pn", "type": "post", "text": 123}, "bad_request", "pn"),
    ("post_anonymous_string", "attacker",
     {"id": "pa", "type": "post", "text": "x", "anonymous": "yes"}, "bad_request", "pa"),
    ("vote_missing_value", "attacker", {"id": "vm", "type": "vote", "post": "p1"}, "bad_request", "vm"),
    ("vote_missing_post", "attacker", {"id": "vmp", "type": "vote", "value": 1}, "bad_request", "vmp"),
    ("vote_value_string", "attacker", {"id": "vs", "type": "vote", "post": "p1", "value": "1"},
     "bad_request", "vs"),
    ("vote_value_2", "attacker", {"id": "v2", "type": "vote", "post": "p1", "value": 2},
     "bad_request", "v2"),
    ("vote_value_minus_2", "attacker", {"id": "vm2", "type": "vote", "post": "p1", "value": -2},
     "bad_request", "vm2"),
    ("vote_value_fraction", "attacker", {"id": "vf", "type": "vote", "post": "p1", "value": 0.5},
     "bad_request", "vf"),
    ("vote_value_bool", "attacker", {"id": "vb", "type": "vote", "post": "p1", "value": True},
     "bad_request", "vb"),
    ("vote_post_int", "attacker", {"id": "vpi", "type": "vote", "post": 1, "value": 1},
     "bad_request", "vpi"),
    ("comment_text_null", "attacker", {"id": "ctn", "type": "comment", "text": None},
     "bad_request", "ctn"),
    ("moderate_bad_status", "host_attacker",
     {"id": "mbs", "type": "moderate", "post": "p1", "status": "vaporized"}, "bad_request", "mbs"),
    ("townhall_bad_state", "host_attacker", {"id": "tbs", "type": "townhall", "state": "paused"},
     "bad_request", "tbs"),
    ("empty_post", "attacker", {"id": "ep", "type": "post", "text": ""}, "invalid_text", "ep"),
    ("whitespace_post", "attacker", {"id": "wp", "type": "post", "text": "  \n\t  "},
     "invalid_text", "wp"),
    ("empty_comment", "attacker", {"id": "ec", "type": "comment", "post": "p1", "text": " "},
     "invalid_text", "ec"),
    ("empty_live_comment", "attacker", {"id": "elc", "type": "comment", "text": ""},
     "invalid_text", "elc"),
    ("empty_announce", "host_attacker", {"id": "ea", "type": "announce", "text": "   "},
     "invalid_text", "ea"),
    ("post_1001", "attacker", {"id": "p1001", "type": "post", "text": "x" * 1001}, "too_large", "p1001"),
    ("post_1001_emoji", "attacker", {"id": "pe", "type": "post", "text": "\U0001F600" * 1001},
     "too_large", "pe"),
    ("post_1001_scalars_combining", "attacker",
     {"id": "pc", "type": "post", "text": "e\u0301" * 500 + "e"}, "too_large", "pc"),
    ("comment_501", "attacker", {"id": "c501", "type": "comment", "post": "p1", "text": "y" * 501},
     "too_large", "c501"),
    ("announce_2001", "host_attacker", {"id": "a2001", "type": "announce", "text": "z" * 2001},
     "too_large", "a2001"),
    ("vote_unknown_post", "attacker", {"id": "vu", "type": "vote", "post": "p999", "value": 1},
     "not_found", "vu"),
    ("comment_unknown_post", "attacker", {"id": "cu", "type": "comment", "post": "p999", "text": "hi"},
     "not_found", "cu"),
    ("thread_unknown_post", "attacker", {"id": "tu", "type": "thread", "post": "p999"},
     "not_found", "tu"),
    ("moderate_unknown_post", "host_attacker",
     {"id": "mu", "type": "moderate", "post": "p999", "status": "shortlisted"}, "not_found", "mu"),
]


@pytest.mark.parametrize("name,sender,frame,code,rid", CASES, ids=[c[0] for c in CASES])
def test_bad_request_answered_and_harmless(world, name, sender, frame, code, rid):
    c = world[sender]
    start = c.mark()
    c.send(frame if isinstance(frame, str) else json.dumps(frame, ensure_ascii=False))
    if rid is not None:
        err = c.reply(rid)
    else:
        err = c.wait_for(lambda f: f.type == "error", start=start, what="error frame").obj
    assert_error(err, code, rid)
    # the connection stays open and works afterwards
    assert c.ping()["type"] == "pong"
    assert not c.closed
    if rid is not None:
        assert len(c.replies_to(rid)) == 1, c.replies_to(rid)
    assert_nothing_changed(world)


def test_invalid_utf8_closes_1007(world):
    server = world["server"]
    raw = RawWS(HOST, server.port)
    try:
        raw.send_json({"type": "hello", "token": server.token("bi-raw", name="Raw", office="Oslo")})
        w = raw.recv_json()
        assert w["type"] == "welcome", w
        raw.send_frame(0x1, b"\xff\xfe")
        code, reason, _ = raw.wait_close(5)
        assert code == 1007, f"expected close 1007 for invalid UTF-8, got {code} {reason!r}"
    finally:
        raw.close()
    assert_nothing_changed(world)


def test_invalid_utf8_inside_json_closes_1007(world):
    server = world["server"]
    raw = RawWS(HOST, server.port)
    try:
        raw.send_json({"type": "hello", "token": server.token("bi-raw2", name="Raw2", office="Oslo")})
        assert raw.recv_json()["type"] == "welcome"
        raw.send_frame(0x1, b'{"type":"post","id":"u8","text":"bad \xc3\x28 bytes"}')
        code, reason, _ = raw.wait_close(5)
        assert code == 1007, f"expected close 1007, got {code} {reason!r}"
    finally:
        raw.close()
    assert_nothing_changed(world)


def test_frame_over_16k_closes_1009(world):
    c = world["attacker"]
    body = {"type": "post", "id": "huge", "text": ""}
    pad = 16 * 1024 + 100 - len(json.dumps(body))
    body["text"] = "h" * pad
    frame = json.dumps(body)
    assert len(frame.encode()) > 16 * 1024
    c.send(frame)
    code = c.wait_closed(5)
    assert code == 1009, f"expected close 1009 for a {len(frame)}-byte frame, got {code}"
    assert not c.replies_to("huge")
    assert_nothing_changed(world)


def test_frame_exactly_16k_is_not_closed(world):
    c = world["attacker"]
    body = {"type": "post", "id": "edge", "text": ""}
    body["text"] = "e" * (16 * 1024 - len(json.dumps(body)))
    frame = json.dumps(body)
    assert len(frame.encode()) == 16 * 1024
    c.send(frame)
    assert_error(c.reply("edge"), "too_large", "edge")
    assert c.ping()["type"] == "pong"
    assert_nothing_changed(world)


def test_huge_announced_frame_closes_1009_without_payload(world):
    """A header announcing 1 MiB must be refused at once, not waited for."""
    server = world["server"]
    raw = RawWS(HOST, server.port)
    try:
        raw.send_json({"type": "hello", "token": server.token("bi-raw3", name="Raw3", office="Oslo")})
        assert raw.recv_json()["type"] == "welcome"
        key = b"\x01\x02\x03\x04"
        raw.sock.sendall(RawWS.frame_header(0x1, 1 << 20, True, key) + RawWS.mask(b"a" * 1024, key))
        code, reason, _ = raw.wait_close(5)
        assert code == 1009, f"expected close 1009, got {code} {reason!r}"
    finally:
        raw.close()
    assert_nothing_changed(world)


# ------------------------------------------------------------ limits, exactly at the edge
def test_text_limits_accept_exact_length(server):
    a = server.client(sub="edge-a")
    b = server.client(sub="edge-b")
    h = server.client(sub="edge-h", role="host")
    r = a.request({"type": "post", "id": "e1", "text": "x" * 1000})
    assert_post(assert_ack(r, "e1")["post"], text="x" * 1000)
    combining = "e\u0301" * 500  # 1000 Unicode scalars, 500 grapheme clusters
    r = a.request({"type": "post", "id": "e2", "text": combining})
    assert_post(assert_ack(r, "e2")["post"], text=combining)
    emoji = "\U0001F600" * 1000  # 1000 scalars, 4000 UTF-8 bytes
    r = b.request({"type": "post", "id": "e3", "text": emoji})
    assert_post(assert_ack(r, "e3")["post"], text=emoji)
    pid = r["post"]["id"]
    r = b.request({"type": "comment", "id": "e4", "post": pid, "text": "y" * 500})
    assert assert_ack(r, "e4")["comment"]["text"] == "y" * 500
    r = h.request({"type": "announce", "id": "e5", "text": "z" * 2000})
    assert assert_ack(r, "e5")["announcement"]["text"] == "z" * 2000
