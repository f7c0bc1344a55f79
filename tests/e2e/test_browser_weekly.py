"""The weekly loop in headless Chromium, with post review on: an employee's questions wait
for review and they are told what the moderators decided (approved, or declined with the
reason); the host builds the agenda from shortlisted questions and reorders it (the order
holds on reload), sees each question's support per office, writes an answer with its owner
(the employee reads it), and closes the week carrying the unanswered agenda over; the
employee then reads last week's answers under "Past weeks". Screenshots of both pages at
desktop and phone width."""

import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from browser import (DESKTOP, PHONE, browsers, host_group_of, ids_in, low_contrast,  # noqa: F401 (a fixture)
                     post_and_wait)

PARENTAL = "Can we get a clearer parental leave policy for people in every office?"
CANTEEN = "Why is the canteen closed on Fridays again?"
DECLINE_REASON = "This is a facilities question: please raise it with the Dublin office team."
OTHERS = [("dana", "Dana Kelly", "Dublin", "Will the hybrid policy change after the office move?"),
          ("ben", "Ben Vogel", "Berlin", "When will the new laptops arrive for the Berlin team?"),
          ("ava", "Ava Reyes", "Austin", "Is the travel budget for conferences frozen next year?")]
VOTERS = [("v1", "Dublin"), ("v2", "Dublin"), ("v3", "Dublin"), ("v4", "Berlin"), ("v5", "Berlin"), ("v6", "Austin")]
ANSWER = "Yes. The new policy covers every office from January, with the same number of weeks everywhere."
OWNER = "HR will report back by 12 Dec"


def notices(page):
    return page.js("return [...document.querySelectorAll('#review-notices .notice-text')].map(n => n.textContent);")


def group_order(page):
    return page.js("return [...document.getElementById('queue-groups').children].map(g => g.dataset.group);")


def focus_in(page, css):
    return page.js("return !!document.activeElement && document.activeElement.matches(arguments[0]);", css)


def looks_right(page):
    assert page.horizontal_overflow() == 0, f"[{page.label} {page.size[0]} px] wider than the screen"
    assert low_contrast(page) == [], f"[{page.label} {page.size[0]} px] hard to read: {low_contrast(page)}"


def test_browser_weekly_review_agenda_answers_carry_over_and_past_weeks(make_server, browsers):
    server = make_server(extra_args=("--review-posts",))
    emp = browsers.open("employee").open(server.url, "/", server.token("erin", name="Erin Walsh", office="Dublin"))
    host = browsers.open("host").open(server.url, "/host",
                                      server.token("hana", name="Hana Okafor", office="Austin", role="host"))
    emp.connected()
    host.connected()

    # The employee asks twice; both wait for review, on their page only.
    post_and_wait(emp, PARENTAL)
    post_and_wait(emp, CANTEEN)
    # Three colleagues ask too; a moderator lets theirs through.
    for sub, name, office, text in OTHERS:
        server.client(sub, name=name, office=office).request({"type": "post", "text": text})
    moderator = server.client("mo", name="Mo", office="Dublin", role="moderator")
    for post in ("p3", "p4", "p5"):
        assert moderator.request({"type": "moderate", "post": post, "status": "open"})["type"] == "ack"
    # Their questions on the page mean every earlier update reached it too, including the one
    # that wrongly drops a new post in review from its author's page (the server bug of
    # test_browser_own_post_in_review_stays_listed below). After a reload, the welcome lists
    # the employee's posts in review.
    emp.wait(lambda p: ids_in(p, "post-list") == ["p3", "p4", "p5"], "the colleagues' questions did not arrive")
    emp.driver.refresh()
    emp.connected()
    emp.wait(lambda p: ids_in(p, "my-pending-list") == ["p2", "p1"] and "p1" not in ids_in(p, "post-list"),
             "the employee's posts are not listed as waiting for review")
    assert "waiting for review" in emp.text('#my-pending [data-post-id="p1"] .status').lower()

    # The host approves the first: the employee is told, and it is public.
    host.wait(lambda p: host_group_of(p, "p1") == "pending" and host_group_of(p, "p2") == "pending",
              "the posts are not waiting for review on the host console")
    host.click_in_row("p1", ".act-reopen")
    emp.wait(lambda p: notices(p) == ["Your question was approved and is now public."], "no approval notice")
    emp.wait(lambda p: "p1" in ids_in(p, "post-list") and ids_in(p, "my-pending-list") == ["p2"],
             "the approved post did not move to the public list")

    # ... and declines the second with a reason, in a small form of its own.
    host.click_in_row("p2", ".act-decline")
    host.wait(lambda p: p.visible('[data-post-id="p2"] .decline-form') and focus_in(p, '[data-post-id="p2"] .decline-text'),
              "the decline form did not open with focus in it")
    host.type_into('[data-post-id="p2"] .decline-text', DECLINE_REASON)
    host.click_in_row("p2", ".decline-submit")
    host.wait(lambda p: host_group_of(p, "p2") == "hidden", "the declined post is not hidden")
    emp.wait(lambda p: notices(p)[:1] == [f"Your question was declined: {DECLINE_REASON}"], "no decline notice")
    emp.wait(lambda p: p.row_text("p2") is None and not p.visible("#my-pending"), "the declined post is still shown")

    # Votes from three offices: the host sees the support per office, and the detail.
    voters = [server.client(sub, name=f"Voter {sub}", office=office) for sub, office in VOTERS]
    for i, voter in enumerate(voters):
        voter.request({"type": "vote", "post": "p1", "value": -1 if i == 5 else 1})
    for voter in voters[:4]:
        voter.request({"type": "vote", "post": "p4", "value": 1})
    host.wait(lambda p: p.text('[data-post-id="p1"] .support-text') == "Dublin 3 · Berlin 2 · Austin 1 voters",
              "support per office not shown")
    host.click('[data-post-id="p1"] .support > summary')
    host.wait(lambda p: p.js("return [...document.querySelectorAll('[data-post-id=\"p1\"] .support tbody tr')]"
                             ".map(r => r.innerText.split('\\t').join(' '))") == ["Dublin 3 0 3", "Berlin 2 0 2", "Austin 0 1 1"],
              "the support detail (up/down per office) is not shown")

    # Shortlisting three builds the agenda in that order.
    for post in ("p1", "p3", "p4"):
        host.click_in_row(post, ".act-shortlist")
        host.wait(lambda p, post=post: host_group_of(p, post) == "shortlisted", f"{post} not shortlisted")
    host.wait(lambda p: ids_in(p, "group-shortlisted") == ["p1", "p3", "p4"], "the agenda is not in shortlisting order")
    # Move down with the mouse, move up with the keyboard (focus stays on the button).
    host.click_in_row("p1", ".act-move-down")
    host.wait(lambda p: ids_in(p, "group-shortlisted") == ["p3", "p1", "p4"], "Move down did not reorder")
    host.js("document.querySelector('[data-post-id=\"p4\"] .act-move-up').focus();")
    ActionChains(host.driver).send_keys(Keys.ENTER).perform()
    host.wait(lambda p: ids_in(p, "group-shortlisted") == ["p3", "p4", "p1"], "Move up (keyboard) did not reorder")
    host.wait(lambda p: focus_in(p, '[data-post-id="p4"] .act-move-up'), "focus left the Move up button")
    assert host.el('[data-post-id="p3"] .act-move-up').get_attribute("aria-disabled") == "true"
    assert host.el('[data-post-id="p1"] .act-move-down').get_attribute("aria-disabled") == "true"
    # The order is the server's: it holds on reload.
    host.driver.refresh()
    host.connected()
    host.wait(lambda p: ids_in(p, "group-shortlisted") == ["p3", "p4", "p1"], "the agenda order did not hold on reload")

    # Live: the agenda comes first. The first question goes on air and gets its answer.
    host.type_into("#townhall-title", "November all-hands")
    host.click("#townhall-start")
    host.wait(lambda p: group_order(p)[0] == "shortlisted", "the agenda is not first while live")
    host.click_in_row("p3", ".act-onair")
    host.wait(lambda p: host_group_of(p, "p3") == "onair", "p3 not on air")
    host.click_in_row("p3", ".act-answer")
    host.wait(lambda p: focus_in(p, '[data-post-id="p3"] .answer-input'), "the answer form did not open with focus")
    host.type_into('[data-post-id="p3"] .answer-input', ANSWER)
    host.type_into('[data-post-id="p3"] .answer-owner-input', OWNER)
    host.click_in_row("p3", ".answer-submit")
    host.wait(lambda p: host_group_of(p, "p3") == "answered"
              and p.text('[data-post-id="p3"] .answer-text') == ANSWER
              and p.text('[data-post-id="p3"] .answer-owner') == OWNER, "the answer is not shown on the console")
    host.wait(lambda p: focus_in(p, '[data-post-id="p3"] .act-answer'), "focus did not follow the answered row")
    emp.wait(lambda p: p.text('#post-list [data-post-id="p3"] .answer-text') == ANSWER
             and p.text('#post-list [data-post-id="p3"] .answer-owner') == OWNER, "the employee does not see the answer")
    assert emp.text('#post-list [data-post-id="p3"] .answer').startswith("Answer:")

    # For the pictures: the support detail of the agenda's last question, open.
    host.click('[data-post-id="p1"] .support > summary')
    host.wait(lambda p: p.js("return document.querySelector('[data-post-id=\"p1\"] .support').open"), "support detail")
    for size, phone, name in ((DESKTOP, False, "host-weekly-desktop"), (PHONE, True, "host-weekly-phone")):
        host.emulate(size, phone)
        host.settle()
        looks_right(host)
        host.full_screenshot(name)
    host.emulate(DESKTOP)

    # Close the week, carrying over what the agenda did not reach.
    assert host.el("#cycle-carry").is_selected()
    host.click("#cycle-close")
    host.wait(lambda p: p.alert_text() is not None, "no confirmation before closing the week")
    host.driver.switch_to.alert.accept()
    host.wait(lambda p: p.text("#cycle-note") == "A new week has started.", "the week did not close")
    host.wait(lambda p: ids_in(p, "group-shortlisted") == ["p4", "p1"], "the carried agenda is not on the console")
    emp.wait(lambda p: sorted(ids_in(p, "post-list")) == ["p1", "p4"], "the unanswered agenda did not carry over")
    for post in ("p1", "p4"):
        assert emp.text(f'[data-post-id="{post}"] .carried') == "carried over from last week"

    # Past weeks: week 1, its answered question with the answer.
    emp.wait(lambda p: p.visible("#past-weeks"), "no Past weeks section")
    assert emp.js("return [...document.querySelectorAll('#archive-cycle option')].map(o => o.value)") == ["1"]
    emp.click("#archive-show")
    emp.wait(lambda p: ids_in(p, "archive-list") == ["p3"], "week 1's answered question not listed")
    assert emp.text('#archive-list [data-post-id="p3"] .answer-text') == ANSWER
    assert emp.text('#archive-list [data-post-id="p3"] .answer-owner') == OWNER
    assert emp.text("#archive-heading").startswith("Answered in week 1")

    for size, phone, name in ((DESKTOP, False, "employee-weekly-desktop"), (PHONE, True, "employee-weekly-phone")):
        emp.emulate(size, phone)
        emp.settle()
        looks_right(emp)
        emp.full_screenshot(name)

    for page in (emp, host):
        assert page.console_errors() == [], page.console_errors()
        assert page.foreign_requests() == [], page.foreign_requests()


def test_browser_own_post_in_review_stays_listed(make_server, browsers):
    server = make_server(extra_args=("--review-posts",))
    emp = browsers.open("author").open(server.url, "/", server.token("ines", name="Ines", office="Lisbon")).connected()
    post_and_wait(emp, "Is the Lisbon office open over the holidays?")
    emp.wait(lambda p: ids_in(p, "my-pending-list") == ["p1"], "the new post is not listed as waiting for review",
             timeout=3)
    # It stays (the server's next update comes within a tick or two).
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        assert ids_in(emp, "my-pending-list") == ["p1"], "the post in review left its author's page"
        time.sleep(0.1)
