"""Killing the server under open pages: they show it, reconnect by themselves (backoff,
then `resume`) once it is back on the same address, and show the same state; nothing
the user typed is lost, and a question sent while the server was away arrives once."""

import re

from browser import (EXPECTED_WHILE_DOWN, ROOM, browsers, host_group_of, ids_in,  # noqa: F401
                     live_comments, on_air_text, pressed, submit_post)


def seen(page, list_id):
    """What must survive the restart, as the page shows it."""
    return {
        "ids": ids_in(page, list_id),
        "on_air": on_air_text(page),
        "comments": live_comments(page),
        "texts": page.js("return [...document.querySelectorAll('[data-post-id] .post-text')]"
                         ".map(n => n.textContent).sort();"),
        "title": page.text("#townhall-heading") if page.els("#townhall-heading") else None,
    }


def test_browser_pages_reconnect_after_kill9_and_show_the_same_state(make_server, browsers):
    server = make_server()
    seed = server.client("seed", name="Sam", office="Austin")
    boss = server.client("boss", name="Hana", office="Austin", role="host")
    for text in ("Parking on Fridays?", "A quiet room on floor 2?", "Lunch-and-learn sessions?"):
        seed.request({"type": "post", "text": text})
    seed.request({"type": "vote", "post": "p3", "value": 1})
    boss.request({"type": "townhall", "state": "live", "title": "Q4 all-hands"})
    boss.request({"type": "moderate", "post": "p2", "status": "onair"})
    seed.request({"type": "comment", "text": "Audio is good in Austin"})

    emp = browsers.open("employee").open(server.url, "/", server.token("erin", name="Erin", office="Oslo"))
    host = browsers.open("host").open(server.url, "/host",
                                      server.token("hana", name="Hana", office="Austin", role="host"))
    screen = browsers.open("screen", ROOM).open(server.url, "/screen", server.token("room", name="Room", office="Oslo"))
    pages = {emp: "post-list", host: "group-open", screen: "up-next-list"}
    for page in pages:
        page.connected()
        page.wait(lambda p: on_air_text(p) == "A quiet room on floor 2?", "seeded state not shown")
    emp.click_in_row("p1", ".vote-up")
    emp.wait(lambda p: pressed(p, "p1", "up"), "vote not shown")
    host.wait(lambda p: p.text('[data-post-id="p1"] .count-up') == "1", "host did not see the vote")
    # p1 and p3 have one vote each: the earlier post ranks first.
    emp.wait(lambda p: ids_in(p, "post-list") == ["p1", "p3", "p2"], "the vote did not reorder the list")
    screen.wait(lambda p: ids_in(p, "up-next-list") == ["p1", "p3"], "the vote did not reorder the screen")
    before = {page: seen(page, list_id) for page, list_id in pages.items()}
    assert before[emp]["comments"] == ["Audio is good in Austin"]

    # Half-typed text in both composers when the server dies.
    emp.type_into("#live-comment-text", "Can we have the slides after")
    emp.type_into("#post-text", "Will the recording be shared")
    server.kill9()
    for page in pages:
        page.wait(lambda p: p.conn_state() in ("reconnecting", "offline"), "the lost connection is not shown", 10)
        # Said in words, with when the next try is: "Reconnecting in 2 s".
        page.wait(lambda p: re.fullmatch(r"(Reconnecting|Offline)( in \d+ s|…| — retrying in \d+ s)",
                                         p.js("return document.getElementById('conn-state').textContent")),
                   "the retry is not shown", 5)

    # While it is away: keep typing, and send the question; it waits for the connection.
    emp.el("#live-comment-text").send_keys("wards?")
    emp.el("#post-text").send_keys(" with everyone?")
    submit_post(emp, emp.value("#post-text"))
    emp.wait(lambda p: "Waiting for the connection" in p.text("#post-note"), "no word that the post waits")
    assert emp.text("#post-error") == ""

    server.start(keep_port=True)
    for page in pages:
        page.connected(timeout=25)
    # The question sent while the server was away arrives, once.
    emp.wait(lambda p: p.value("#post-text") == "" and p.text("#post-note") == "Posted — thank you.",
             "the waiting post was not sent after the reconnect", 10)
    host.wait(lambda p: p.row_text("p4") == "Will the recording be shared with everyone?", "p4 on the host", 10)
    assert host.row_text("p5") is None, "the waiting post was sent twice"
    # The half-typed live comment is still there.
    assert emp.value("#live-comment-text") == "Can we have the slides afterwards?"

    # The same state as before the crash (plus the new post).
    for page, list_id in pages.items():
        page.wait(lambda p: on_air_text(p) == before[page]["on_air"], "on air changed over the restart")
        after = seen(page, list_id)
        assert after["comments"] == before[page]["comments"], page.label
        assert after["title"] == before[page]["title"], page.label
        assert [i for i in after["ids"] if i != "p4"] == before[page]["ids"], page.label
        assert sorted(set(after["texts"]) - {"Will the recording be shared with everyone?"}) == before[page]["texts"]
    assert pressed(emp, "p1", "up"), "the user's own vote is not shown after the restart"
    assert host_group_of(host, "p2") == "onair"

    # And the pages work: a vote after the restart reaches the others.
    emp.click_in_row("p3", ".vote-up")
    host.wait(lambda p: p.text('[data-post-id="p3"] .count-up') == "2", "a vote after the restart")
    for page in pages:
        assert page.console_errors(allow=EXPECTED_WHILE_DOWN) == [], page.console_errors(allow=EXPECTED_WHILE_DOWN)

