"""What people see, in the middle of a townhall: the three pages at desktop, room-screen
and phone size. Screenshots of each (for the README), and what a person would check by
eye: nothing wider than a phone, text readable against its background (light and dark),
every control labelled, the room screen showing the whole question on air with its votes,
the next five and the latest comments without scrolling, nothing loaded from outside,
and the page not jumping under a reader while the list changes."""

import pytest

from browser import (DESKTOP, PHONE, ROOM, SMALL_PHONE, browsers, clipping, in_view,  # noqa: F401
                     low_contrast, on_air_text)

PEOPLE = [
    ("aoife", "Aoife Byrne", "Dublin"), ("jonas", "Jonas Weber", "Berlin"), ("keiko", "Keiko Tanaka", "Tokyo"),
    ("priya", "Priya Nair", "Bangalore"), ("sam", "Sam Ortiz", "Austin"), ("marta", "Marta Silva", "Lisbon"),
    ("liam", "Liam Walsh", "Dublin"), ("chen", "Chen Wei", "Singapore"), ("nora", "Nora Berg", "Oslo"),
]
QUESTIONS = [
    ("aoife", "Can we get a clear answer on the return-to-office policy? Teams are hearing different "
              "things from different managers.", False),
    ("jonas", "Why did the salary review move from March to June, and will it be backdated?", True),
    ("keiko", "Could the next townhall be at a time that works for Tokyo and Singapore?", False),
    ("priya", "What is the plan for the Bangalore office expansion?", False),
    ("sam", "Standing desks on the third floor, please!", False),
    ("marta", "How do the new security rules affect contractors?", False),
    ("chen", "Will the engineering offsite still happen this year?", True),
]
# Net votes per question, from the people above (each votes once).
VOTES = {"p1": (7, 1), "p2": (6, 0), "p3": (5, 1), "p4": (3, 0), "p5": (2, 2), "p6": (2, 0), "p7": (1, 0)}
LIVE = [("liam", "Sound is great in Dublin"), ("keiko", "Watching from Tokyo, thanks for the early start"),
        ("priya", "Bangalore is here too!"), ("sam", "Can you share the slides afterwards?"),
        ("nora", "Oslo office says hi")]


def seed(server):
    """A townhall in full swing, built over WebSocket clients (fast, and no page involved)."""
    people = {sub: server.client(sub, name=name, office=office) for sub, name, office in PEOPLE}
    host = server.client("hana", name="Hana Okafor", office="Austin", role="host")
    for sub, text, anonymous in QUESTIONS:
        people[sub].request({"type": "post", "text": text, "anonymous": anonymous})
    voters = list(people.values())
    for post, (up, down) in VOTES.items():
        for i, voter in enumerate(voters[:up + down]):
            voter.request({"type": "vote", "post": post, "value": 1 if i < up else -1})
    for sub, text in (("liam", "Hybrid has worked well for our team."), ("nora", "Same question in Oslo.")):
        people[sub].request({"type": "comment", "post": "p1", "text": text})
    host.request({"type": "townhall", "state": "live", "title": "November all-hands"})
    host.request({"type": "moderate", "post": "p3", "status": "shortlisted"})
    host.request({"type": "moderate", "post": "p1", "status": "onair"})
    host.request({"type": "announce", "text": "Welcome! Questions close at 3:45 pm; the recording follows tomorrow."})
    for sub, text in LIVE:
        people[sub].request({"type": "comment", "text": text})
    # The clients stay connected: they are the audience ("11 watching from 8 offices").


PAGES = [
    # name, path, who
    ("employee", "/", ("aoife", "Aoife Byrne", "Dublin", "employee")),
    ("host", "/host", ("hana", "Hana Okafor", "Austin", "host")),
    ("screen", "/screen", ("room-2a", "Room 2A", "Dublin", "employee")),
]


@pytest.fixture
def townhall(make_server):
    server = make_server()
    seed(server)
    return server


def open_page(browsers, server, name, path, who, size, phone=False, scheme=None):
    page = browsers.open(f"{name}-{size[0]}", size, phone=phone)
    if scheme:
        page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                    {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    sub, display, office, role = who
    page.open(server.url, path, server.token(sub, name=display, office=office, role=role)).connected()
    page.wait(lambda p: on_air_text(p).startswith("Can we get a clear answer"), "the seeded townhall is not shown")
    # The seeded audience: ten people from eight offices, and whoever opened a page.
    page.wait(lambda p: watching(p) >= 10 and "from 8 offices" in p.text("#presence"), "presence")
    page.settle()
    return page


def watching(page):
    words = page.text("#presence").split()
    return int(words[0].replace(",", "")) if words and words[0].replace(",", "").isdigit() else 0


def unlabelled_controls(page):
    """Form controls and buttons without an accessible name."""
    return page.js("""
        const out = [];
        for (const n of document.querySelectorAll('input, textarea, select, button, [role="tab"], summary')) {
          if (!n.getClientRects().length) continue;
          const named = (n.labels && n.labels.length) || n.getAttribute('aria-label')
            || n.getAttribute('aria-labelledby') || (n.innerText || '').trim() || n.title;
          if (!named) out.push(n.outerHTML.slice(0, 120));
        }
        return out;
    """)


def test_browser_pages_look_right_at_desktop_and_phone_width(townhall, browsers):
    server = townhall
    status, headers, _ = server.http_get("/")
    csp = {k.lower(): v for k, v in headers.items()}.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp, csp

    for name, path, who in PAGES:
        size = ROOM if name == "screen" else DESKTOP
        desk = open_page(browsers, server, name, path, who, size)
        phone = open_page(browsers, server, name, path, who, PHONE, phone=True)
        for page in (desk, phone):
            assert page.horizontal_overflow() == 0, f"[{page.label}] wider than the screen"
            assert low_contrast(page) == [], f"[{page.label}] hard to read: {low_contrast(page)}"
            assert unlabelled_controls(page) == [], f"[{page.label}] unlabelled: {unlabelled_controls(page)}"
            assert page.foreign_requests() == [], f"[{page.label}] loaded from outside: {page.foreign_requests()}"
            assert page.console_errors() == [], f"[{page.label}] {page.console_errors()}"
            assert page.visible("#conn-state") and in_view(page, "#conn-state"), \
                f"[{page.label}] the connection state is not in view"
        desk.screenshot(f"{name}-desktop")
        phone.screenshot(f"{name}-phone")

        if name == "screen":
            # From the back of the room: the whole question on air, its votes, the next
            # five and the newest live comment, all on screen at once, no scrolling.
            assert desk.js("return document.documentElement.scrollHeight <= innerHeight")
            for css in ("#on-air-text", "#on-air-up", "#on-air-down", "#up-next-list > li:nth-child(5)",
                        "#live-comment-list > li:first-child", "#presence", "#townhall-heading"):
                assert in_view(desk, css), f"room screen: {css} is cut off: {clipping(desk, css)}"
            assert desk.js("const t = document.getElementById('on-air-text');"
                           "return t.scrollHeight <= t.clientHeight + 1"), "room screen: the question is clipped"
            assert len(desk.ids("#up-next-list")) == 5
            size_px = desk.js("return parseFloat(getComputedStyle(document.getElementById('on-air-text')).fontSize)")
            assert size_px >= 40, f"room screen: the question is set in {size_px}px type"


def test_browser_narrow_phone_and_dark_mode_stay_readable(townhall, browsers):
    server = townhall
    for name, path, who in PAGES:
        small = open_page(browsers, server, name, path, who, SMALL_PHONE, phone=True)
        assert small.horizontal_overflow() == 0, f"[{small.label}] wider than a 360 px phone"
        assert low_contrast(small) == [], f"[{small.label}] {low_contrast(small)}"
        # Everything big enough to hit with a thumb (WCAG 2.5.8: 24 px; a box's label counts).
        tiny = small.js("""
            return [...document.querySelectorAll('button, input, textarea, summary, a')]
              .filter(n => n.getClientRects().length && !n.closest('.sr-only') && !n.classList.contains('skip-link'))
              .map(n => [n.innerText || n.id || n.className, (n.closest('label') || n).getBoundingClientRect()])
              .filter(([_, r]) => r.width < 24 || r.height < 24).map(([t]) => t);
        """)
        assert tiny == [], f"[{small.label}] too small to tap: {tiny}"
        if name != "screen":
            dark = open_page(browsers, server, name, path, who, DESKTOP, scheme="dark")
            assert dark.js("return matchMedia('(prefers-color-scheme: dark)').matches")
            assert low_contrast(dark) == [], f"[{dark.label}] dark: {low_contrast(dark)}"


def test_browser_the_page_does_not_jump_under_the_reader(make_server, browsers):
    server = make_server()
    writers = [server.client(f"w{i}", name=f"Writer {i}", office=f"Office {i}") for i in range(4)]
    for i in range(12):
        writers[i % 4].request({"type": "post", "text": f"Question {i + 1}: " + "and some more words " * (i % 3 + 1)})
    host = server.client("hana", name="Hana", office="Austin", role="host")
    for page_size in (DESKTOP, PHONE):
        reader = browsers.open(f"reader-{page_size[0]}", (page_size[0], 700), phone=page_size == PHONE)
        reader.open(server.url, "/", server.token("rita", name="Rita", office="Rome")).connected()
        reader.shows_row("p12")
        # Scroll so that question 8 sits in the middle of the screen, then read.
        reader.js("const r = document.querySelector('[data-post-id=\"p8\"]');"
                  "window.scrollBy(0, r.getBoundingClientRect().top - innerHeight / 2);")
        top = lambda p: p.js("return document.querySelector('[data-post-id=\"p8\"]').getBoundingClientRect().top")  # noqa: E731
        before = top(reader)
        # Count the rows that glide to their new place (rather than jump).
        reader.js("window.glides = 0; const animate = Element.prototype.animate;"
                  "Element.prototype.animate = function (frames, options) {"
                  "  if (JSON.stringify(frames).includes('translateY')) window.glides += 1;"
                  "  return animate.call(this, frames, options); };")
        # Above the reader: a question goes on air, an announcement arrives, live comments
        # stream in, and a question below is voted up past p8.
        host.request({"type": "moderate", "post": f"p{1 if page_size == DESKTOP else 2}", "status": "onair"})
        host.request({"type": "announce", "text": f"Announcement for {page_size[0]} px"})
        for i in range(3):
            writers[i].request({"type": "comment", "text": f"Live comment {i} at {page_size[0]}"})
        # (p11 the first time; p10 the second: one vote each, and p10 is the older.)
        climber = "p11" if page_size == DESKTOP else "p10"
        writers[0].request({"type": "vote", "post": climber, "value": 1})
        reader.wait(lambda p: p.text("#latest-announcement-text") == f"Announcement for {page_size[0]} px"
                    and len(p.els("#live-comment-list .comment")) >= 3 and p.ids("#post-list")[0] == climber,
                    "changes did not arrive")
        reader.settle()
        assert abs(top(reader) - before) <= 2, \
            f"[{reader.label}] the row being read moved from {before} to {top(reader)} px"
        assert reader.js("return window.glides") > 0, f"[{reader.label}] rows jumped instead of gliding"
