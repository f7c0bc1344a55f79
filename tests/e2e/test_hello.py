"""hello / welcome, tokens, and the 4001 closes."""

import base64
import json
import time

import pytest

from conftest import Server


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def test_welcome_fields(server):
    c = server.client(sub="u-welcome", name="Ada Lovelace", office="Dublin", role="employee")
    w = c.welcome
    assert w["type"] == "welcome"
    assert {k: w["user"].get(k) for k in ("id", "name", "office", "role")} == {"id": "u-welcome", "name": "Ada Lovelace", "office": "Dublin",
                         "role": "employee"}
    assert isinstance(w["epoch"], str) and w["epoch"]
    assert isinstance(w["seq"], int) and not isinstance(w["seq"], bool)
    assert isinstance(w["cycle"], dict)
    assert w["cycle"]["id"] == 1
    assert isinstance(w["cycle"]["startedAt"], int)
    # startedAt is ms since the epoch (within a day of now)
    assert abs(w["cycle"]["startedAt"] - time.time() * 1000) < 86400_000
    th = w["townhall"]
    assert set(("state", "title", "stream", "onAir")) <= set(th), th
    assert isinstance(th["state"], str)
    assert th["onAir"] is None
    assert w["posts"] == []
    assert isinstance(w["ranks"], dict)
    for k in ("top", "hot", "best", "new"):
        assert w["ranks"][k] == [], w["ranks"]
    assert w["myVotes"] == {}
    assert w["comments"] == []
    assert w["announcements"] == []
    pr = w["presence"]
    assert isinstance(pr["total"], int) and isinstance(pr["offices"], dict)
    assert w["recovered"] is False
    assert c.ws.subprotocol == "townhall.v1", f"negotiated subprotocol {c.ws.subprotocol!r}"


@pytest.mark.parametrize("role", ["employee", "moderator", "host"])
def test_hello_each_role(server, role):
    c = server.client(sub=f"r-{role}", name=f"Role {role}", office="Austin", role=role)
    assert c.welcome["user"]["role"] == role
    assert c.welcome["user"]["office"] == "Austin"
    assert c.ping()["type"] == "pong"
    assert c.ws.ping().wait(3), "no pong to a WebSocket ping control frame (RFC 6455 5.5.2)"


def test_token_minted_before_start(make_server):
    s = make_server(start=False)
    tok = s.token("early-bird", name="Early Bird", office="Lagos")
    s.start()
    c = s.connect("early")
    w = c.hello(tok)
    assert w["type"] == "welcome", w
    assert w["user"]["id"] == "early-bird"


def expect_unauthorized(server, token):
    c = server.connect("bad-token")
    c.send({"type": "hello", "token": token})
    err = c.wait_for(lambda f: f.type == "error", what="unauthorized error")
    assert err.obj["code"] == "unauthorized", err.obj
    assert isinstance(err.obj.get("message"), str)
    code = c.wait_closed(5)
    assert code == 4001, f"expected close 4001 after bad token, got {code}"
    assert not c.of_type("welcome"), "a bad token must not be welcomed"


def test_garbage_token(server):
    expect_unauthorized(server, "not-a-jwt")


def test_token_signed_by_another_server(server, tmp_path):
    other = Server(tmp_path / "other")
    tok = other.token("intruder", name="Intruder", office="Dublin", role="host")
    expect_unauthorized(server, tok)


def test_tampered_token(server):
    tok = server.token("tamper", name="Tamper", office="Dublin", role="employee")
    h, p, s = tok.split(".")
    claims = json.loads(b64url_decode(p))
    claims["role"] = "host"
    forged = ".".join([h, b64url(json.dumps(claims).encode()), s])
    expect_unauthorized(server, forged)


def test_alg_none_token(server):
    claims = {"sub": "nobody", "name": "No Body", "office": "Dublin", "role": "host",
              "exp": int(time.time()) + 3600}
    tok = ".".join([b64url(b'{"alg":"none","typ":"JWT"}'), b64url(json.dumps(claims).encode()), ""])
    expect_unauthorized(server, tok)


def test_expired_token(server):
    tok = server.token("shortlived", name="Short Lived", office="Dublin", ttl="1s")
    time.sleep(2.2)
    expect_unauthorized(server, tok)


def test_first_message_not_hello(server):
    c = server.connect("no-hello")
    c.send({"type": "ping", "id": "p"})
    code = c.wait_closed(5)
    assert code == 4001, f"expected close 4001, got {code}"
    assert not c.of_type("pong"), "must not answer before hello"


def test_first_message_post_before_hello(server):
    c = server.connect("no-hello-post")
    c.send({"type": "post", "id": "p", "text": "sneaky"})
    assert c.wait_closed(5) == 4001
    assert server.fresh_welcome()["posts"] == []


@pytest.mark.slow
def test_no_hello_within_10s(server):
    c = server.connect("silent")
    t0 = c.opened_at
    code = c.wait_closed(15)
    elapsed = c.closed_at - t0
    assert code == 4001, f"expected close 4001, got {code}"
    assert 9.0 <= elapsed <= 13.0, f"closed after {elapsed:.1f}s, expected ~10s"
