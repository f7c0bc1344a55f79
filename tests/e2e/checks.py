"""Field-by-field checks of protocol objects, and the orderings of PROTOCOL.md §7."""

from __future__ import annotations

import math
import time
from typing import Any, Optional

POST_STATUSES = {"pending", "open", "shortlisted", "onair", "answered", "dismissed", "hidden"}


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def near_now_ms(v, slack_ms: int = 120_000) -> bool:
    return is_int(v) and abs(v - time.time() * 1000) < slack_ms


def assert_ack(reply: dict, rid: Any) -> dict:
    assert reply.get("type") == "ack", f"expected ack for {rid!r}, got {reply}"
    assert reply.get("id") == rid and type(reply.get("id")) is type(rid), reply
    return reply


def assert_error(reply: dict, code: str, rid: Any = None) -> dict:
    assert reply.get("type") == "error", f"expected error {code}, got {reply}"
    assert reply.get("code") == code, f"expected error code {code}, got {reply}"
    assert isinstance(reply.get("message"), str), f"error without message: {reply}"
    if rid is not None:
        assert reply.get("id") == rid and type(reply.get("id")) is type(rid), reply
    return reply


def assert_post(p: dict, *, id: Optional[str] = None, text: Optional[str] = None,
                author: Any = ..., office: Optional[str] = None, up: int = 0, down: int = 0,
                comments: int = 0, status: str = "open", cycle: int = 1,
                staff: bool = False, note: Any = ...) -> dict:
    assert isinstance(p, dict), p
    assert isinstance(p.get("id"), str), p
    if id is not None:
        assert p["id"] == id, f"expected post id {id}, got {p['id']}"
    assert p.get("cycle") == cycle, p
    if text is not None:
        assert p.get("text") == text, f"text: expected {text!r}, got {p.get('text')!r}"
    if author is not ...:
        if author is None:
            assert "author" in p and p["author"] is None, f"author should be null: {p}"
        else:
            a = p.get("author")
            assert isinstance(a, dict), f"author missing: {p}"
            assert {k: a.get(k) for k in ("name", "office")} == author, p
    if office is not None:
        assert p.get("office") == office, p
    assert near_now_ms(p.get("createdAt")), f"createdAt not ms-since-epoch near now: {p}"
    assert p.get("up") == up and p.get("down") == down, f"expected up={up} down={down}: {p}"
    assert p.get("score") == up - down, p
    assert p.get("comments") == comments, f"expected comments={comments}: {p}"
    assert p.get("status") == status, f"expected status {status}: {p}"
    if not staff:
        assert "note" not in p, f"employees must not get `note`: {p}"
    elif note is not ...:
        assert p.get("note") == note, p
    return p


def assert_comment(c: dict, *, id: Optional[str] = None, post: Any = ..., text: Optional[str] = None,
                   author: Optional[dict] = None) -> dict:
    assert isinstance(c, dict), c
    assert isinstance(c.get("id"), str), c
    if id is not None:
        assert c["id"] == id, c
    if post is not ...:
        assert "post" in c and c["post"] == post, f"comment.post: expected {post!r}: {c}"
    if text is not None:
        assert c.get("text") == text, c
    if author is not None:
        a = c.get("author")
        assert isinstance(a, dict) and {k: a.get(k) for k in ("name", "office")} == author, c
    assert near_now_ms(c.get("createdAt")), c
    return c


# ------------------------------------------------------------------ orderings
Z = 1.281551565545


def wilson(up: int, down: int) -> float:
    n = up + down
    if n == 0:
        return 0.0
    p = up / n
    return (p + Z * Z / (2 * n) - Z * math.sqrt((p * (1 - p) + Z * Z / (4 * n)) / n)) / (1 + Z * Z / n)


def hot(score: int, created_ms: int, cycle_start_ms: int) -> float:
    s = score
    sign = (s > 0) - (s < 0)
    t = (created_ms - cycle_start_ms) / 1000.0
    return sign * math.log10(max(abs(s), 1)) + t / 45000.0


def id_key(pid: str):
    # "p12" sorts after "p2"
    digits = "".join(ch for ch in pid if ch.isdigit())
    return (int(digits) if digits else 0, pid)


def expected_ranks(posts: list[dict], cycle_start_ms: int) -> dict:
    def top_key(p):
        return (-p["score"], p["createdAt"], id_key(p["id"]))

    top = sorted(posts, key=top_key)
    top_pos = {p["id"]: i for i, p in enumerate(top)}
    return {
        "top": [p["id"] for p in top],
        "new": [p["id"] for p in sorted(posts, key=lambda p: (-p["createdAt"], id_key(p["id"])))],
        "best": [p["id"] for p in sorted(posts, key=lambda p: (-wilson(p["up"], p["down"]),
                                                               top_pos[p["id"]]))],
        "hot": [p["id"] for p in sorted(posts, key=lambda p: (-hot(p["score"], p["createdAt"],
                                                                  cycle_start_ms),
                                                              top_pos[p["id"]]))],
    }
