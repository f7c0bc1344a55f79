"""Live reactions in headless Chromium (PROTOCOL.md §9): during the live townhall an
employee taps a reaction; it rises over their stream and on the room screen, counted once
per tick by the hub, and nothing is stored."""

from __future__ import annotations

import re

from browser import ROOM, browsers  # noqa: F401 (a fixture)


def reactions_total(server) -> float:
    body = server.http_get("/metrics")[2]
    text = body.decode() if isinstance(body, bytes) else body
    match = re.search(r"^townhall_reactions_total(?:\{[^}]*\})? (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


def test_a_reaction_rises_on_the_screen_and_the_senders_page(make_server, browsers):
    server = make_server()
    host = server.client("hana", role="host", office="Austin")
    host.request({"type": "townhall", "state": "live", "title": "November all-hands"})
    ann = browsers.open("ann").open(server.url, "/", server.token("ann", name="Ann", office="Dublin"))
    screen = browsers.open("screen", ROOM).open(server.url, "/screen", server.token("room4", name="Room 4", office="Dublin"))
    for page in (ann, screen):
        page.connected()
    ann.wait(lambda p: p.visible("#reaction-bar button"), "no reaction bar while live")
    # Every float that rises, counted as it is added (each one goes away by itself).
    for page in (ann, screen):
        page.js("""window.risen = [];
            new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => {
              if (n.classList && n.classList.contains('reaction-float')) window.risen.push(n.textContent);
            }))).observe(document.getElementById('reaction-layer'), { childList: true });""")
    for _ in range(3):
        ann.click('#reaction-bar button[data-emoji="\U0001F44F"]')
    screen.wait(lambda p: len(p.js("return window.risen")) >= 3, "the applause did not rise on the room screen")
    ann.wait(lambda p: len(p.js("return window.risen")) >= 3, "the sender does not see the burst")
    assert set(screen.js("return window.risen")) == {"\U0001F44F"}
    assert len(screen.js("return window.risen")) == 3
    assert reactions_total(server) == 3
    assert ann.console_errors() == [] and screen.console_errors() == []
    # Floats remove themselves.
    screen.wait(lambda p: p.js("return document.querySelectorAll('#reaction-layer .reaction-float').length") == 0,
                "the floats did not go away", timeout=8)
