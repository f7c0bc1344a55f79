"""Quiet WebSockets (LWSTransport's IdleWheel): a connection silent for --idle-ping seconds
gets a WebSocket ping; one that stays silent to --idle-hangup is closed; anything it sends,
a pong included, counts as heard. Over real sockets with a raw client that answers pings
only when told to."""

import time

from conftest import HOST
from rawws import RawWS

PING, PONG, CLOSE = 0x9, 0xA, 0x8


def signed_in(server, sub):
    raw = RawWS(HOST, server.port)
    raw.send_json({"type": "hello", "token": server.token(sub)})
    assert raw.recv_json()["type"] == "welcome"
    return raw


def frames_for(raw, seconds, answer):
    """Every frame for `seconds` (answering pings with pongs when `answer`), and how it ended."""
    seen, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            frame = raw.recv_frame(max(0.05, deadline - time.monotonic()))
        except TimeoutError:
            break
        if frame is None:
            return seen, "ended"
        op, payload = frame
        seen.append((time.monotonic(), op, payload))
        if op == CLOSE:
            return seen, "closed"
        if op == PING and answer:
            raw.send_frame(PONG, payload)
    return seen, "open"


def test_quiet_connections_are_pinged_then_hung_up_unless_they_answer(make_server):
    server = make_server(extra_args=("--idle-ping", "2", "--idle-hangup", "4"))

    silent = signed_in(server, "idle-silent")
    opened = time.monotonic()
    seen, how = frames_for(silent, 7, answer=False)
    assert how == "closed", seen
    assert sum(op == PING for _, op, _ in seen) == 1, f"one ping per quiet spell: {seen}"
    code, reason = RawWS.parse_close(seen[-1][2])
    assert code == 1001 and "ping" in reason, (code, reason)
    assert 2.9 < seen[-1][0] - opened < 6, "hung up on at --idle-hangup, give or take the one-second slots"

    answering = signed_in(server, "idle-answering")
    answered, how = frames_for(answering, 7, answer=True)
    assert how == "open", answered
    assert sum(op == PING for _, op, _ in answered) >= 2, "a quiet connection is pinged again after each answer"

    # A client that keeps talking is never pinged: what it sends counts as heard.
    chatty = signed_in(server, "idle-chatty")
    deadline, heard = time.monotonic() + 4, []
    while time.monotonic() < deadline:
        chatty.send_json({"type": "ping", "id": len(heard)})
        frame = chatty.recv_frame(2)
        assert frame is not None, "the talking client was closed"
        heard.append(frame[0])
        time.sleep(0.2)
    assert PING not in heard and CLOSE not in heard, heard
    for raw in (silent, answering, chatty):
        raw.close()
    assert server.crashed() is None
