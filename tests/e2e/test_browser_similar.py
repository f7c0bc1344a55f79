""""Already asked?" in headless Chromium (PROTOCOL.md §9 similar): while an employee types a
question like one already in the cycle, the page shows that one above the Post button;
voting it up from there counts on the post and posts nothing."""

from __future__ import annotations

import re

from browser import browsers, pressed  # noqa: F401 (a fixture)

ASKED = ("When do we return to the office full time?", "Can we get more EV chargers in the parking garage?",
         "Will the canteen open on Saturdays?")
TYPED = "What is the date for return to office?"


def suggested(page) -> list:
    return page.js("return [...document.querySelectorAll('#similar-list > [data-post-id]')].map(n => n.dataset.postId);")


def test_a_question_like_one_asked_is_suggested_and_voting_from_it_posts_nothing(make_server, browsers):
    server = make_server()
    ben = server.client("ben", name="Ben", office="Berlin")
    ids = [ben.request({"type": "post", "text": text})["post"]["id"] for text in ASKED]
    ann = browsers.open("ann").open(server.url, "/", server.token("ann", name="Ann", office="Dublin")).connected()
    ann.shows_row(ids[-1])
    assert not ann.visible("#similar")

    # A few characters say too little: nothing is suggested (and nothing asked).
    ann.type_into("#post-text", "Return")
    ann.js("return new Promise(r => setTimeout(r, 600))")
    assert not ann.visible("#similar")

    # The whole question: the one asked before shows above the Post button, with how alike it is.
    ann.type_into("#post-text", TYPED)
    ann.wait(lambda p: p.visible("#similar") and ids[0] in suggested(p), "no suggestion for a question asked before",
             timeout=15)
    assert suggested(ann)[0] == ids[0], suggested(ann)
    item = f'#similar-list [data-post-id="{ids[0]}"]'
    assert ann.js(f"return document.querySelector('{item} .similar-text').textContent") == ASKED[0]
    assert re.fullmatch(r"\d+% alike", ann.text(f"{item} .similar-score")), ann.text(f"{item} .similar-score")
    above = ann.js("return document.getElementById('similar').getBoundingClientRect().bottom"
                   " <= document.getElementById('post-submit').getBoundingClientRect().top")
    assert above, "the suggestions are not above the Post button"

    # One click votes it up: the post's up count rises, no question is posted, the text stays.
    ann.click(f"{item} .similar-vote")
    ann.wait(lambda p: p.js(f"return document.querySelector('{item} .similar-vote').getAttribute('aria-pressed')") == "true",
             "the suggestion does not show the vote")
    ann.wait(lambda p: p.text(f'#post-list [data-post-id="{ids[0]}"] .count-up') == "1" and pressed(p, ids[0], "up"),
             "the vote did not reach the post's row")
    assert ann.value("#post-text") == TYPED
    assert len(ann.ids("#post-list")) == 3, ann.ids("#post-list")

    # The server agrees: one up vote on that post, from Ann; still three posts.
    welcome = server.client("ann").welcome
    assert welcome["myVotes"] == {ids[0]: 1}, welcome["myVotes"]
    posts = server.all_posts()
    assert sorted(posts) == sorted(ids), sorted(posts)
    assert posts[ids[0]]["up"] == 1

    # Cleared, the list goes away.
    ann.type_into("#post-text", "")
    ann.el("#post-text").send_keys(" ")
    ann.wait(lambda p: not p.visible("#similar"), "the suggestions stayed after the text was cleared")
    assert ann.console_errors() == [], ann.console_errors()
