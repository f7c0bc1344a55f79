"""Polls in headless Chromium (PROTOCOL.md §9): the host opens a poll on the console, two
employees answer it on their pages, the room screen's bars grow and shrink with the counts
(one of them changes their answer), and closing it makes the employee pages read-only."""

from __future__ import annotations

from browser import ROOM, browsers  # noqa: F401 (a fixture)

QUESTION = "Which day for the offsite?"
OPTIONS = ["Monday", "Wednesday", "Friday"]


def counts(page, css: str = "#poll-results"):
    """Votes per option as the page shows them (each row carries its count)."""
    return page.js("return [...document.querySelectorAll(arguments[0] + ' > li')].map(li => Number(li.dataset.votes));",
                   css)


def shares(page, css: str = "#poll-results"):
    """How wide each bar is drawn, as a share of its track (0–1), to two places."""
    return page.js("""return [...document.querySelectorAll(arguments[0] + ' > li')].map(li => {
        const track = li.querySelector('.poll-bar').getBoundingClientRect().width;
        const fill = li.querySelector('.poll-fill').getBoundingClientRect().width;
        return track ? Math.round(fill / track * 100) / 100 : -1; });""", css)


def count_texts(page, css: str):
    return page.js("return [...document.querySelectorAll(arguments[0] + ' .poll-count')].map(n => n.textContent);", css)


def state(page) -> str:
    """The poll's state line as written (innerText would give the stylesheet's capitals)."""
    return page.js("const n = document.getElementById('poll-state'); return n ? n.textContent : '';")


def mine(page):
    """Which options the page marks as the user's answer."""
    return page.js("return [...document.querySelectorAll('#poll-options > li')]"
                   ".map((li, i) => li.querySelector('.poll-mine').hidden ? null : i).filter(i => i !== null);")


def test_a_poll_is_answered_on_two_pages_and_the_room_screen_bars_follow(make_server, browsers):
    server = make_server()
    host = browsers.open("host").open(server.url, "/host",
                                      server.token("hana", name="Hana", office="Austin", role="host"))
    ann = browsers.open("ann").open(server.url, "/", server.token("ann", name="Ann", office="Dublin"))
    bob = browsers.open("bob").open(server.url, "/", server.token("bob", name="Bob", office="Berlin"))
    screen = browsers.open("screen", ROOM).open(server.url, "/screen",
                                                 server.token("room4", name="Room 4", office="Dublin"))
    for page in (host, ann, bob, screen):
        page.connected()
    for page in (ann, bob, screen):
        assert not page.visible("#poll"), f"[{page.label}] a poll shows before one is open"

    # The host writes the poll: two option fields to start with, a third added.
    host.type_into("#poll-question-input", QUESTION)
    host.type_into("#poll-option-list > li:nth-child(1) input", OPTIONS[0])
    host.type_into("#poll-option-list > li:nth-child(2) input", OPTIONS[1])
    host.click("#poll-add-option")
    host.wait(lambda p: len(p.els("#poll-option-list > li")) == 3, "Add option did not add a field")
    host.type_into("#poll-option-list > li:nth-child(3) input", OPTIONS[2])
    host.click("#poll-open")
    host.wait(lambda p: p.visible("#poll-current") and p.text("#poll-question") == QUESTION, "the console does not show the poll")
    assert host.value("#poll-question-input") == "", "the form is not ready for the next poll"

    for page in (ann, bob):
        page.wait(lambda p: p.visible("#poll") and p.text("#poll-question") == QUESTION, "the poll did not reach the page")
        assert page.js("return [...document.querySelectorAll('#poll-options input')].map(i => i.type)") == ["radio"] * 3
        assert page.js("return [...document.querySelectorAll('#poll-options .poll-option-text')].map(n => n.textContent)") \
            == OPTIONS
    screen.wait(lambda p: p.visible("#poll") and p.text("#poll-question") == QUESTION, "the room screen shows no poll")
    assert counts(screen) == [0, 0, 0] and screen.text("#poll-voters") == "No answers yet"

    # Both pick Wednesday: the screen's Wednesday bar fills its track, the others stay empty.
    ann.click("#poll-options > li:nth-child(2) input")
    bob.click("#poll-options > li:nth-child(2) input")
    screen.wait(lambda p: counts(p) == [0, 2, 0] and p.text("#poll-voters") == "2 people answered",
                "the screen's counts did not reach 0/2/0 from two voters")
    screen.wait(lambda p: shares(p) == [0, 1, 0], "the bars do not show 0/2/0")
    assert count_texts(screen, "#poll-results") == ["0 votes · 0%", "2 votes · 100%", "0 votes · 0%"]
    host.wait(lambda p: counts(p) == [0, 2, 0], "the console's counts did not follow")
    ann.wait(lambda p: mine(p) == [1] and counts(p, "#poll-options") == [0, 2, 0], "Ann's answer is not marked")

    # Bob changes his mind: Friday. The counts and the bars follow on every page.
    wide = screen.js("return document.querySelector('#poll-results > li:nth-child(2) .poll-fill').getBoundingClientRect().width")
    bob.click("#poll-options > li:nth-child(3) input")
    screen.wait(lambda p: counts(p) == [0, 1, 1] and p.text("#poll-voters") == "2 people answered",
                "changing an answer did not move the counts to 0/1/1")
    screen.wait(lambda p: shares(p) == [0, 0.5, 0.5], "the bars do not show 0/1/1")
    narrow = screen.js("return document.querySelector('#poll-results > li:nth-child(2) .poll-fill').getBoundingClientRect().width")
    assert 0 < narrow < wide, (narrow, wide)
    assert count_texts(screen, "#poll-results")[1:] == ["1 vote · 50%", "1 vote · 50%"]
    bob.wait(lambda p: mine(p) == [2] and p.js("return document.querySelector('#poll-options > li:nth-child(3) input').checked"),
             "Bob's new answer is not marked")
    ann.wait(lambda p: counts(p, "#poll-options") == [0, 1, 1] and mine(p) == [1], "Ann's page did not follow")
    host.wait(lambda p: counts(p) == [0, 1, 1], "the console did not follow")

    # The host closes it: the employee pages show results, read-only.
    host.click("#poll-close")
    for page in (ann, bob):
        page.wait(lambda p: state(p) == "Poll closed · results"
                  and p.js("return [...document.querySelectorAll('#poll-options input')].every(i => i.disabled)"),
                  "the closed poll is still answerable")
        assert not page.visible("#poll-clear")
    ann.click("#poll-options > li:nth-child(1) label")
    screen.wait(lambda p: state(p) == "Poll closed · results", "the screen does not say the poll closed")
    assert counts(screen) == [0, 1, 1] and mine(ann) == [1], "a closed poll changed"
    assert not host.visible("#poll-close")

    # What the server keeps: the closed poll with those counts, and each user's answer.
    welcome = server.client("ann").welcome
    assert [(p["state"], [o["votes"] for o in p["options"]], p["voters"]) for p in welcome["polls"]] == \
        [("closed", [0, 1, 1], 2)]
    assert welcome["myAnswers"] == {welcome["polls"][0]["id"]: [1]}
    for page in (host, ann, bob, screen):
        # A bar's width set from script is allowed by the CSP; a style attribute would be refused and logged.
        assert page.console_errors() == [], f"[{page.label}] {page.console_errors()}"
