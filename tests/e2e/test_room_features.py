"""PROTOCOL.md §9 over the wire, against the real server: polls, poll answers, merges
(and their undo), similar and reactions, with refusals; answers and merges survive kill -9
and a restart, and a week's export carries its polls."""

from __future__ import annotations

import json

POLL = {"type": "poll", "action": "open", "question": "Which day for the offsite?",
        "options": ["Monday", "Wednesday", "Friday"]}


def acked(reply: dict) -> dict:
    assert reply.get("type") == "ack", f"not acked: {reply}"
    return reply


def code(reply: dict) -> str:
    assert reply.get("type") == "error", f"expected an error, got {reply}"
    return reply["code"]


def poll_in(update_obj: dict, poll_id: str):
    return next((p for p in update_obj.get("polls") or [] if p["id"] == poll_id), None)


def test_a_poll_is_answered_and_its_counts_reach_every_client(server):
    host = server.client("pl-host", role="host")
    ann, ben = server.client("pl-ann"), server.client("pl-ben", office="Berlin")
    poll = acked(host.request(POLL))["poll"]
    assert poll["state"] == "open" and [o["votes"] for o in poll["options"]] == [0, 0, 0]
    ann.wait_for(lambda f: f.type == "update" and poll_in(f.obj, poll["id"]) is not None, what="the opened poll")
    assert acked(ann.request({"type": "answer", "poll": poll["id"], "choices": [1]}))["choices"] == [1]
    acked(ben.request({"type": "answer", "poll": poll["id"], "choices": [1]}))
    acked(ben.request({"type": "answer", "poll": poll["id"], "choices": [2]}))
    host.wait_for(lambda f: f.type == "update" and (p := poll_in(f.obj, poll["id"])) is not None
                  and [o["votes"] for o in p["options"]] == [0, 1, 1] and p["voters"] == 2,
                  what="the counts 0/1/1 from two voters")
    # Refusals change nothing.
    assert code(ann.request({"type": "answer", "poll": poll["id"], "choices": [0, 1]})) == "bad_request"
    assert code(ann.request({"type": "answer", "poll": poll["id"], "choices": [7]})) == "bad_request"
    assert code(ann.request({"type": "answer", "poll": "q404", "choices": [0]})) == "not_found"
    assert code(ann.request(POLL)) == "forbidden"
    assert code(host.request({"type": "poll", "action": "open", "question": "?", "options": ["one"]})) == "bad_request"
    closed = acked(host.request({"type": "poll", "action": "close", "poll": poll["id"]}))["poll"]
    assert closed["state"] == "closed" and [o["votes"] for o in closed["options"]] == [0, 1, 1]
    assert code(ann.request({"type": "answer", "poll": poll["id"], "choices": [0]})) == "conflict"
    # The written follow-up to a post is still `answer` with `post` and `text`.
    pid = acked(ann.request({"type": "post", "text": "Can we have an offsite?"}))["post"]["id"]
    assert acked(host.request({"type": "answer", "post": pid, "text": "Yes, in June."}))["post"]["status"] == "answered"


def test_answers_merges_and_polls_survive_kill_9_and_show_in_the_export(server):
    host = server.client("k9-host", role="host")
    mod = server.client("k9-mod", role="moderator")
    ann, ben = server.client("k9-ann"), server.client("k9-ben")
    original = acked(ann.request({"type": "post", "text": "When is the return to office?"}))["post"]["id"]
    duplicate = acked(ben.request({"type": "post", "text": "RTO date, anyone?"}))["post"]["id"]
    acked(ann.request({"type": "vote", "post": duplicate, "value": 1}))
    acked(host.request({"type": "vote", "post": duplicate, "value": 1}))
    acked(host.request({"type": "vote", "post": original, "value": 1}))
    acked(ann.request({"type": "comment", "post": duplicate, "text": "Same as the other one"}))
    poll = acked(host.request(POLL))["poll"]["id"]
    acked(ann.request({"type": "answer", "poll": poll, "choices": [2]}))
    target = acked(mod.request({"type": "merge", "post": duplicate, "into": original}))["post"]
    assert target["id"] == original and target["up"] == 2 and target["comments"] == 1
    # Refusals: into itself, into or from a merged post, employees.
    assert code(mod.request({"type": "merge", "post": original, "into": original})) == "bad_request"
    assert code(mod.request({"type": "merge", "post": original, "into": duplicate})) == "conflict"
    assert code(ben.request({"type": "merge", "post": original, "into": duplicate})) == "forbidden"
    ben.wait_for(lambda f: f.type == "merged" and f.obj["into"]["id"] == original, what="the author's notice")

    server.kill9()
    server.start()
    welcome = server.client("k9-ann").welcome
    assert welcome["myAnswers"] == {poll: [2]}
    polls = {p["id"]: p for p in welcome["polls"]}
    assert [o["votes"] for o in polls[poll]["options"]] == [0, 0, 1]
    assert duplicate not in welcome["ranks"]["top"]
    posts = server.all_posts()
    assert posts[duplicate]["status"] == "merged" and posts[duplicate]["mergedInto"] == original
    assert posts[original]["up"] == 2 and [c["text"] for c in posts[original]["_comments"]] == ["Same as the other one"]

    # Undo after the restart: the comment and the moved vote go back.
    mod = server.client("k9-mod", role="moderator")
    acked(mod.request({"type": "moderate", "post": duplicate, "status": "open"}))
    posts = server.all_posts()
    assert posts[duplicate]["status"] == "open" and posts[duplicate]["up"] == 2
    assert posts[original]["up"] == 1 and posts[original]["comments"] == 0

    token = server.token("k9-exporter", role="host")
    status, _, body = server.http_get("/api/export?cycle=1&format=json", headers={"Authorization": f"Bearer {token}"})
    assert status == 200, body[:200]
    exported = json.loads(body)
    assert [(p["question"], [o["votes"] for o in p["options"]]) for p in exported["polls"]] == \
        [(POLL["question"], [0, 0, 1])]


def test_similar_suggests_the_same_question_in_other_words_and_posts_nothing(server):
    mod = server.client("sm-mod", role="moderator")
    ann = server.client("sm-ann")
    for text in ("When do we return to the office full time?", "Can we get more EV chargers in the parking garage?",
                 "Will the canteen open on Saturdays?"):
        acked(mod.request({"type": "post", "text": text}))
    reply = acked(ann.request({"type": "similar", "text": "What is the date for return to office?"}))
    assert reply["posts"], reply
    first = reply["posts"][0]
    assert first["text"] == "When do we return to the office full time?" and 0 < first["similarity"] <= 1, reply
    assert code(ann.request({"type": "similar", "text": ""})) == "invalid_text"
    assert len(server.all_posts()) == 3, "asking posts nothing"


def test_reactions_reach_every_client_as_one_map_and_a_flood_is_dropped_not_closed(server):
    ann, ben = server.client("rx-ann"), server.client("rx-ben", office="Berlin")
    host = server.client("rx-host", role="host")
    start = {c: c.mark() for c in (ann, ben, host)}
    ann.send({"type": "react", "emoji": "\U0001F44F", "id": 1})
    ann.send({"type": "react", "emoji": "\u2764\ufe0f"})
    ben.send({"type": "react", "emoji": "\u2764"})  # U+2764 alone is the same heart

    def counted(client):
        total: dict = {}
        for frame in client.updates(start[client]):
            for emoji, n in (frame.obj.get("reactions") or {}).items():
                total[emoji] = total.get(emoji, 0) + n
        return total

    want = {"\U0001F44F": 1, "\u2764\ufe0f": 2}
    for client in (ann, ben, host):
        client.wait_for(lambda f, c=client: counted(c) == want, what=f"the reactions {want}")
    assert ann.replies_to(1) == [], "react gets no ack, even with an id"

    # An unknown emoji is refused; nothing is counted for it.
    assert code(ann.request({"type": "react", "emoji": "\U0001F355", "id": 2})) == "bad_request"

    # A flood from one person: over 5 a second they are dropped, with at most one
    # rate_limited a second, and the connection stays open (no 4008).
    flood = ben.mark()
    errors_before = len(ben.errors())
    for _ in range(60):
        ben.send({"type": "react", "emoji": "\U0001F602"})
    acked(ben.request({"type": "similar", "text": "a request after the flood"}))
    limited = [e for e in ben.errors()[errors_before:] if e.get("code") == "rate_limited"]
    assert 1 <= len(limited) <= 2, limited
    ann.wait_for(lambda f: f.type == "update" and (f.obj.get("reactions") or {}).get("\U0001F602"),
                 what="the flood's allowed reactions")
    laughs = sum((f.obj.get("reactions") or {}).get("\U0001F602", 0) for f in ann.updates(start[ann]))
    assert 1 <= laughs <= 10, f"{laughs} of 60 counted: the flood was not limited"
    assert not ben.closed, f"the flooder was closed with {ben.close_code}"
    assert not [f for f in ben.snapshot()[flood:] if f.type == "error" and f.obj.get("code") != "rate_limited"]
