"""The three pages in headless Chromium, as people use them during a townhall: two
employees and a host in their own browser sessions, plus a meeting-room screen. What one
does shows up on the others' pages, and user text stays text."""

import re

from browser import (ROOM, XSS, browsers, host_group_of, ids_in, live_comments,  # noqa: F401 (a fixture)
                     on_air_text, post_and_wait, pressed)

EVIL = f"{XSS} Can we get better coffee?"


def test_browser_posts_votes_on_air_and_comments_reach_every_page(make_server, browsers):
    server = make_server()
    alice = browsers.open("alice").open(server.url, "/", server.token("alice", name="Alice", office="Dublin"))
    bob = browsers.open("bob").open(server.url, "/", server.token("bob", name="Bob", office="Berlin"))
    host = browsers.open("host").open(server.url, "/host",
                                      server.token("hana", name="Hana", office="Austin", role="host"))
    screen = browsers.open("screen", ROOM).open(server.url, "/screen",
                                                 server.token("room4", name="Room 4", office="Dublin"))
    for page in (alice, bob, host, screen):
        page.connected()
        # Signed in from the link; the token left the address bar but stays for reloads.
        assert "token=" not in page.driver.current_url
        assert page.js("return sessionStorage.getItem('townhall.token')")

    # A post from Alice appears, as text, on Bob's page, the host console and the screen.
    post_and_wait(alice, EVIL)
    for page in (alice, bob, host, screen):
        page.shows_row("p1")
        assert page.row_text("p1") == EVIL
        assert not page.els("main img"), f"[{page.label}] user text became markup"
    bob.wait(lambda p: "Alice · Dublin" in p.text('[data-post-id="p1"] .post-author'), "author not shown")
    assert alice.visible('[data-post-id="p1"] .mine') and not bob.visible('[data-post-id="p1"] .mine')

    # Anonymous means anonymous on every page, the host's included.
    post_and_wait(bob, "Remote Fridays for everyone?", anonymous=True)
    post_and_wait(bob, "When do we hear about the office move?")
    for page in (alice, host):
        page.shows_row("p3")
        page.wait(lambda p: p.text('[data-post-id="p2"] .post-author') == "Anonymous · Berlin",
                  "anonymous post shows its author")
    assert "Bob" not in alice.text('[data-post-id="p2"]') + host.text('[data-post-id="p2"]')

    # Votes reorder every page: p2 up to the top, p1 down to the bottom.
    assert ids_in(alice, "post-list") == ["p1", "p2", "p3"]
    bob.click_in_row("p2", ".vote-up")
    alice.click_in_row("p2", ".vote-up")
    alice.click_in_row("p1", ".vote-down")
    want = ["p2", "p3", "p1"]
    for page, list_id in ((alice, "post-list"), (bob, "post-list"), (host, "group-open"), (screen, "up-next-list")):
        page.wait(lambda p: ids_in(p, list_id) == want, f"votes did not reorder {list_id}")
    # The user's own vote shows; the counts too.
    alice.wait(lambda p: pressed(p, "p2", "up") and pressed(p, "p1", "down"), "Alice's votes not shown")
    assert not pressed(bob, "p1", "down") and pressed(bob, "p2", "up")
    host.wait(lambda p: p.text('[data-post-id="p2"] .count-up') == "2", "host counts")
    assert host.text('[data-post-id="p1"] .count-down') == "1"
    # Clicking the active thumb again takes the vote back.
    bob.click_in_row("p2", ".vote-up")
    bob.wait(lambda p: not pressed(p, "p2", "up") and p.text('[data-post-id="p2"] .score') == "1",
             "taking a vote back")

    # The switch between orderings: new puts the latest first.
    alice.click('[role="tab"][data-ordering="new"]')
    alice.wait(lambda p: ids_in(p, "post-list") == ["p3", "p2", "p1"], "ordering by new")
    assert alice.el('[data-ordering="new"]').get_attribute("aria-selected") == "true"
    alice.click('[role="tab"][data-ordering="top"]')
    alice.wait(lambda p: ids_in(p, "post-list") == want, "ordering by top")

    # A comment thread under a post: Alice comments, Bob reads it; counts follow.
    alice.click_in_row("p2", ".comments-toggle")
    alice.wait(lambda p: p.visible('[data-post-id="p2"] .thread-text'), "thread did not open")
    alice.type_into('[data-post-id="p2"] .thread-text', "Yes please, at least twice a month.")
    alice.click_in_row("p2", ".thread-submit")
    bob.wait(lambda p: p.text('[data-post-id="p2"] .comments-toggle') == "1 comment", "comment count")
    bob.click_in_row("p2", ".comments-toggle")
    bob.wait(lambda p: "Yes please, at least twice a month." in p.text('[data-post-id="p2"] .thread-list'),
             "thread comment did not reach Bob")
    host.wait(lambda p: p.text('[data-post-id="p2"] .comment-count') == "1 comment", "host comment count")

    # The host starts the townhall with a title and a stream, and puts Alice's post on air.
    host.type_into("#townhall-title", "November all-hands")
    host.type_into("#townhall-stream", "https://video.invalid/live/1")
    host.click("#townhall-start")
    host.click_in_row("p1", ".act-onair")
    host.wait(lambda p: host_group_of(p, "p1") == "onair", "host: not in the on-air group")
    for page in (alice, bob, screen):
        page.wait(lambda p: on_air_text(p) == EVIL, "on air not shown")
        page.wait(lambda p: p.text("#townhall-heading") == "November all-hands", "title not shown")
        assert page.text("#live-badge").lower() == "live now"
    for page in (alice, bob):
        page.wait(lambda p: p.js("const f = document.querySelector('#stream iframe');"
                                 "return f && f.getAttribute('src');") == "https://video.invalid/live/1",
                  "stream not embedded")
    screen.wait(lambda p: "p1" not in ids_in(p, "up-next-list"), "the on-air question is not 'up next'")

    # The host announces; the employees see it at the top of their page.
    host.type_into("#announce-text", "Doors open at 3 pm in the Dublin canteen.")
    host.click("#announce-submit")
    for page in (alice, bob):
        page.wait(lambda p: p.text("#latest-announcement-text") == "Doors open at 3 pm in the Dublin canteen.",
                  "announcement not shown")

    # A live comment reaches the room screen, the host and the other employee.
    bob.type_into("#live-comment-text", "Hello from Berlin! " + XSS)
    bob.click("#live-comment-submit")
    for page in (screen, host, alice):
        page.wait(lambda p: live_comments(p)[-1:] == ["Hello from Berlin! " + XSS], "live comment missing")
    assert bob.value("#live-comment-text") == ""

    # Presence: "N watching from M offices".
    for page in (alice, screen):
        page.wait(lambda p: re.fullmatch(r"\d+ watching from \d+ offices?", p.text("#presence")),
                  "presence not shown")

    for page in (alice, bob, host, screen):
        assert page.alert_text() is None, "a script ran from user text"
        assert page.console_errors() == [], page.console_errors()
        foreign = [u for u in page.foreign_requests() if not u.startswith("https://video.invalid/")]
        assert foreign == [], f"[{page.label}] loaded from outside the server: {foreign}"


def test_browser_host_console_moves_questions_and_runs_the_week(make_server, browsers):
    server = make_server()
    author = server.client("seed", name="Seed", office="Oslo")
    for text in ("First question", "Second question", "Third question", "Fourth question"):
        author.request({"type": "post", "text": text})
    host = browsers.open("host").open(server.url, "/host",
                                      server.token("hana", name="Hana", office="Austin", role="host")).connected()
    emp = browsers.open("employee").open(server.url, "/", server.token("erin", name="Erin", office="Oslo")).connected()
    host.shows_row("p4")
    emp.shows_row("p4")

    # One click each: shortlist, on air, answered, dismiss, hide; then reopen.
    host.click_in_row("p1", ".act-shortlist")
    host.wait(lambda p: host_group_of(p, "p1") == "shortlisted", "shortlist")
    emp.wait(lambda p: p.text('[data-post-id="p1"] .status') == "SHORTLISTED", "employee sees shortlisted")
    host.click_in_row("p1", ".act-onair")
    emp.wait(lambda p: on_air_text(p) == "First question", "on air")
    # Putting another on air answers the first.
    host.click_in_row("p2", ".act-onair")
    host.wait(lambda p: host_group_of(p, "p1") == "answered" and host_group_of(p, "p2") == "onair",
              "the previous on-air post becomes answered")
    host.click_in_row("p2", ".act-answered")
    host.wait(lambda p: host_group_of(p, "p2") == "answered", "answered")
    emp.wait(lambda p: on_air_text(p) == "", "nothing on air after answering")
    host.wait(lambda p: p.text("#count-answered") == "(2)", "answered count")
    host.click_in_row("p3", ".act-dismiss")
    host.wait(lambda p: host_group_of(p, "p3") == "dismissed", "dismiss")
    host.click_in_row("p4", ".act-hide")
    host.wait(lambda p: host_group_of(p, "p4") == "hidden", "hide")
    emp.wait(lambda p: p.row_text("p4") is None, "a hidden post leaves the employees' list")
    host.js("document.querySelector('[data-group=\"hidden\"]').open = true;")
    host.click_in_row("p4", ".act-reopen")
    host.wait(lambda p: host_group_of(p, "p4") == "open", "unhide")
    emp.shows_row("p4")

    # Start and end the townhall.
    host.type_into("#townhall-title", "Friday Q&A")
    host.click("#townhall-start")
    emp.wait(lambda p: p.text("#live-badge").lower() == "live now" and p.text("#townhall-heading") == "Friday Q&A",
             "townhall start")
    host.wait(lambda p: p.el("#townhall-end").get_attribute("aria-disabled") is None, "End is available when live")
    host.click("#townhall-end")
    emp.wait(lambda p: p.text("#live-badge").lower() == "not live", "townhall end")

    # Close the week: a confirmation, then everyone starts an empty list.
    host.click("#cycle-close")
    host.wait(lambda p: p.alert_text() is not None, "no confirmation before closing the week")
    host.driver.switch_to.alert.accept()
    host.wait(lambda p: p.text("#cycle-note") == "A new week has started.", "cycle close")
    emp.wait(lambda p: ids_in(p, "post-list") == [] and p.visible("#post-list-empty"), "new week not empty")
    host.wait(lambda p: ids_in(p, "group-open") == [], "host queue not empty in the new week")
    for page in (host, emp):
        assert page.console_errors() == [], page.console_errors()
