"""The update forms a hello may ask for (docs/PROTOCOL-NOTES.md): posts as counts, with
ranks as changes, against full-form clients on the same real server."""

import json

from checks import assert_ack


COMPACT = {"ranks": "changes", "posts": "counts"}


def post_ids(frame):
    return {p["id"] for p in frame.get("posts") or []}


def test_votes_go_as_counts_and_both_forms_hold_the_same(server):
    author = server.client(sub="forms-author", name="Forms Author", office="Dublin")
    pids = [assert_ack(author.request({"type": "post", "id": i, "text": f"Forms question {i}"}), i)["post"]["id"]
            for i in range(3)]
    full = server.client(sub="forms-full", office="Austin")
    compact = server.client(sub="forms-compact", office="Oslo", form=COMPACT)
    host = server.client(sub="forms-host", role="host", form=COMPACT)
    start_full, start_compact, start_host = full.mark(), compact.mark(), host.mark()

    voter = server.client(sub="forms-voter", office="Berlin")
    assert_ack(voter.request({"type": "vote", "id": "v1", "post": pids[1], "value": 1}), "v1")
    assert_ack(voter.request({"type": "comment", "id": "c1", "post": pids[2], "text": "Same here"}), "c1")

    def counted(frame, pid):
        return frame.type == "update" and pid in (frame.obj.get("counts") or {})

    compact.wait_view(lambda v: v.posts[pids[1]]["up"] == 1 and v.posts[pids[2]]["comments"] == 1,
                      what="the vote and the comment count in the compact client's view")
    updates = [f.obj for f in compact.updates(start_compact)]
    counts = {}
    for u in updates:
        counts.update(u.get("counts") or {})
        assert not ({pids[1], pids[2]} & post_ids(u)), f"a voted post went whole to a counts client: {u}"
    assert counts[pids[1]] == {"up": 1, "down": 0, "score": 1, "comments": 0}
    assert counts[pids[2]]["comments"] == 1

    full.wait_view(lambda v: v.posts[pids[1]]["up"] == 1 and v.posts[pids[2]]["comments"] == 1,
                   what="the vote and the comment count in the full client's view")
    full_updates = [f.obj for f in full.updates(start_full)]
    assert all("counts" not in u for u in full_updates)
    assert {pids[1], pids[2]} <= set().union(*(post_ids(u) for u in full_updates))

    # Staff counts carry each office's support.
    host.wait_for(lambda f: counted(f, pids[1]), start=start_host, what="the host's counts")
    staff = next(f.obj["counts"][pids[1]] for f in host.updates(start_host) if counted(f, pids[1]))
    assert staff["support"] == {"Berlin": {"up": 1, "down": 0, "voters": 1}}

    # What each holds is what a fresh welcome shows.
    truth = {p["id"]: p for p in server.fresh_welcome("employee")["posts"]}
    for client in (full, compact):
        view = client.view
        for pid in pids:
            assert view.posts[pid] == truth[pid], (client.label, pid, view.posts[pid], truth[pid])

    # Bytes: the same vote costs a counts client far less.
    m_full, m_compact = full.mark(), compact.mark()
    assert_ack(voter.request({"type": "vote", "id": "v2", "post": pids[0], "value": -1}), "v2")
    big = full.wait_for(lambda f: f.type == "update" and pids[0] in post_ids(f.obj), start=m_full, what="full update")
    small = compact.wait_for(lambda f: counted(f, pids[0]), start=m_compact, what="counts update")
    assert len(json.dumps(small.obj["counts"])) < len(json.dumps(big.obj["posts"])) / 3


def test_unknown_posts_form_is_refused(server):
    c = server.connect("forms-bad")
    w = c.hello(server.token("forms-bad"), form={"posts": "deltas"})
    assert w["type"] == "error" and w["code"] == "unauthorized" and "'posts'" in w["message"], w
    assert c.wait_closed() == 4001
