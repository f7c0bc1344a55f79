"""Merging in headless Chromium (PROTOCOL.md §9 merge): a host merges a duplicate question
into the one it repeats from the console; its votes and comments move there on every open
page, the duplicate leaves the employee pages, its author is told where it went, and
"Undo merge" brings it back with its votes."""

from __future__ import annotations

from browser import browsers, host_group_of, ids_in, post_and_wait  # noqa: F401 (a fixture)

ORIGINAL = "When do we return to the office full time?"
DUPLICATE = "What is the date for return to office?"
COMMENT = "Same question from the Cork office."
OTHERS = ("Can we get more EV chargers in the parking garage?", "Will the canteen open on Saturdays?")


def count_up(page, post_id: str) -> str:
    return page.js("const n = document.querySelector(`[data-post-id=\"${arguments[0]}\"] .count-up`);"
                   "return n ? n.textContent : null;", post_id)


def text_of(page, css: str) -> str:
    return page.js("const n = document.querySelector(arguments[0]); return n ? n.textContent : null;", css)


def test_a_merge_on_the_console_moves_votes_and_comments_and_can_be_undone(make_server, browsers):
    server = make_server()
    dan = server.client("dan", name="Dan", office="Dublin")
    original = dan.request({"type": "post", "text": ORIGINAL})["post"]["id"]
    # Other questions of the week, which the merge suggestions must leave out.
    for text in OTHERS:
        dan.request({"type": "post", "text": text})
    carol = browsers.open("carol").open(server.url, "/", server.token("carol", name="Carol", office="Cork")).connected()
    carol.shows_row("p3")
    post_and_wait(carol, DUPLICATE)
    duplicate = "p4"
    carol.shows_row(duplicate)
    # Eve backs the duplicate and comments on it; Frank backs both.
    eve, frank = server.client("eve", office="Cork"), server.client("frank", office="Oslo")
    eve.request({"type": "vote", "post": duplicate, "value": 1})
    frank.request({"type": "vote", "post": duplicate, "value": 1})
    frank.request({"type": "vote", "post": original, "value": 1})
    eve.request({"type": "comment", "post": duplicate, "text": COMMENT})

    bob = browsers.open("bob").open(server.url, "/", server.token("bob", name="Bob", office="Berlin")).connected()
    host = browsers.open("host").open(server.url, "/host",
                                      server.token("hana", name="Hana", office="Austin", role="host")).connected()
    for page in (bob, host):
        page.wait(lambda p: count_up(p, duplicate) == "2" and count_up(p, original) == "1", "the votes are not shown")
    # Bob reads the duplicate's thread.
    bob.click_in_row(duplicate, ".comments-toggle")
    bob.wait(lambda p: COMMENT in (text_of(p, f'[data-post-id="{duplicate}"] .thread-list') or ""), "thread not shown")

    # The host opens Merge… on the duplicate: the original is suggested; merging into it.
    host.click_in_row(duplicate, ".act-merge")
    pick = f'#merge-{duplicate} .merge-suggestion[data-post-id="{original}"]'
    host.wait(lambda p: p.visible(pick), "the question it repeats is not suggested", timeout=15)
    assert host.js(f"return [...document.querySelectorAll('#merge-{duplicate} .merge-suggestion')].map(n => n.dataset.postId)") \
        == [original], "the duplicate suggests itself or others"
    host.click(f"{pick} input")
    assert host.value(f"#merge-{duplicate} .merge-target") == original
    host.click(f"#merge-{duplicate} .merge-submit")

    # The target gains the duplicate's votes, one per person (Frank keeps his), and its comment.
    for page in (host, bob):
        page.wait(lambda p: count_up(p, original) == "2", "the target's up count did not rise to 2")
    host.wait(lambda p: host_group_of(p, duplicate) == "merged", "the duplicate is not in the Merged group")
    assert text_of(host, f'[data-post-id="{duplicate}"] .merged-into') == f"merged into #{original} “{ORIGINAL}”"
    host.wait(lambda p: text_of(p, f'[data-post-id="{original}"] .comment-count') == "1 comment", "comments did not move")
    assert count_up(host, duplicate) == "0"
    for page in (bob, carol):
        page.wait(lambda p: duplicate not in ids_in(p, "post-list"), "the duplicate is still on the employee page")
    # Bob's open thread followed the question to where it went, with the moved comment.
    bob.wait(lambda p: text_of(p, f'[data-post-id="{original}"] .comments-toggle') == "Hide comments (1)",
             "the comment count did not move, or the thread did not follow, on the employee page")
    bob.wait(lambda p: COMMENT in (text_of(p, f'[data-post-id="{original}"] .thread-list') or ""),
             "the open thread did not move to the target")
    # The author is told.
    carol.wait(lambda p: text_of(p, f'#merge-notices [data-post-id="{duplicate}"] .notice-lead') == "Your question was merged into:",
               "the author got no notice")
    assert text_of(carol, f'#merge-notices [data-post-id="{duplicate}"] .notice-question') == f"“{ORIGINAL}”"

    # Undo: the duplicate comes back with its votes, and the target gives them back.
    host.click_in_row(duplicate, ".act-reopen")
    host.wait(lambda p: host_group_of(p, duplicate) == "open", "Undo merge did not bring the duplicate back")
    for page in (host, bob):
        page.wait(lambda p: count_up(p, duplicate) == "2" and count_up(p, original) == "1", "the votes did not go back")
    bob.wait(lambda p: duplicate in ids_in(p, "post-list"), "the duplicate did not come back on the employee page")
    carol.wait(lambda p: text_of(p, f'#merge-notices [data-post-id="{duplicate}"] .notice-lead') == "Your question is back on its own.",
               "the author was not told it is back")
    posts = server.all_posts()
    assert (posts[duplicate]["status"], posts[duplicate]["up"], posts[duplicate]["comments"]) == ("open", 2, 1)
    assert (posts[original]["up"], posts[original]["comments"]) == (1, 0)
    for page in (host, bob, carol):
        assert page.console_errors() == [], f"[{page.label}] {page.console_errors()}"
