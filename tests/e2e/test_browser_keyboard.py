"""The pages with the keyboard alone: every step of asking, voting, ordering, commenting
and moving questions, with a visible focus ring, and focus never dropped to the page's
start when something the user pressed re-renders or moves."""

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from browser import browsers, host_group_of, ids_in, pressed  # noqa: F401


def keys(page, *sequence):
    """Keys pressed one after another, to whatever has focus."""
    ActionChains(page.driver).send_keys(*sequence).perform()


def chord(page, modifier, key):
    """A key pressed while a modifier is held (send_keys would release the modifier first)."""
    ActionChains(page.driver).key_down(modifier).send_keys(key).key_up(modifier).perform()


def tab_to(page, predicate, what, limit=40, backwards=False):
    """Presses Tab until the focused element matches; every stop must show a focus ring."""
    for _ in range(limit):
        keys(page, (Keys.SHIFT + Keys.TAB) if backwards else Keys.TAB)
        focused = page.focused()
        if focused.get("tag") != "body":
            assert focused.get("ring"), f"[{page.label}] no visible focus ring on {focused}"
        if predicate(focused):
            return focused
    raise AssertionError(f"[{page.label}] could not reach {what} with Tab")


def focus_is(page, css):
    return page.js("return document.activeElement === document.querySelector(arguments[0]);", css)


def test_browser_employee_page_by_keyboard(make_server, browsers):
    server = make_server()
    other = server.client("olga", name="Olga", office="Riga")
    other.request({"type": "post", "text": "Earlier question"})
    emp = browsers.open("employee").open(server.url, "/", server.token("kim", name="Kim", office="Seoul")).connected()
    emp.shows_row("p1")

    # The first Tab shows the skip link; following it lands in the composer.
    first = tab_to(emp, lambda f: True, "anything")
    assert "skip-link" in first["cls"]
    keys(emp, Keys.ENTER)
    tab_to(emp, lambda f: f["id"] == "post-text", "the composer", limit=3)

    # Write, tick "post anonymously" with Space, send with Enter on the button.
    keys(emp, "Could we have captions on the stream?")
    tab_to(emp, lambda f: f["id"] == "post-anonymous", "the anonymous box", limit=2)
    keys(emp, Keys.SPACE)
    assert emp.el("#post-anonymous").is_selected()
    tab_to(emp, lambda f: f["id"] == "post-submit", "the Post button", limit=2)
    keys(emp, Keys.ENTER)
    emp.wait(lambda p: p.value("#post-text") == "" and p.row_text("p2") is not None, "keyboard post")
    assert emp.text('[data-post-id="p2"] .post-author').startswith("Anonymous")
    emp.wait(lambda p: focus_is(p, "#post-submit"), "focus left the Post button after sending")

    # Ctrl+Enter sends from the text box.
    emp.el("#post-text").click()
    keys(emp, "And subtitles in other languages?")
    chord(emp, Keys.CONTROL, Keys.ENTER)
    emp.wait(lambda p: p.row_text("p3") is not None and p.value("#post-text") == "", "Ctrl+Enter did not post")

    # The ordering tabs: one Tab stop, arrows move between them.
    tab_to(emp, lambda f: f["id"] == "tab-top", "the ordering tabs")
    keys(emp, Keys.ARROW_RIGHT)
    emp.wait(lambda p: focus_is(p, "#tab-hot") and p.el("#tab-hot").get_attribute("aria-selected") == "true", "arrow")
    keys(emp, Keys.END)
    emp.wait(lambda p: ids_in(p, "post-list") == ["p3", "p2", "p1"] and focus_is(p, "#tab-new"), "End: new")
    keys(emp, Keys.HOME)
    emp.wait(lambda p: focus_is(p, "#tab-top"), "Home: top")

    # Vote with Enter on the first row's thumb: the row moves, focus stays on the thumb.
    voted = tab_to(emp, lambda f: "vote-up" in f["cls"], "a vote button")
    row_id = emp.js("return document.activeElement.closest('[data-post-id]').dataset.postId")
    keys(emp, Keys.ENTER)
    emp.wait(lambda p: pressed(p, row_id, "up"), "keyboard vote not shown")
    assert focus_is(emp, f'[data-post-id="{row_id}"] .vote-up'), f"focus lost after voting ({voted})"
    keys(emp, Keys.SPACE)  # again: takes the vote back
    emp.wait(lambda p: not pressed(p, row_id, "up"), "Space did not take the vote back")

    # Open the thread with Enter, Tab into its composer, comment with Enter.
    tab_to(emp, lambda f: "comments-toggle" in f["cls"], "a thread toggle")
    thread_of = emp.js("return document.activeElement.closest('[data-post-id]').dataset.postId")
    keys(emp, Keys.ENTER)
    emp.wait(lambda p: p.el(f'[data-post-id="{thread_of}"] .comments-toggle').get_attribute("aria-expanded") == "true",
             "the thread did not open")
    tab_to(emp, lambda f: "thread-text" in f["cls"], "the thread's comment box", limit=3)
    keys(emp, "Agreed, captions help everyone.")
    keys(emp, Keys.ENTER)
    emp.wait(lambda p: "Agreed, captions help everyone." in p.text(f'[data-post-id="{thread_of}"] .thread-list'),
             "keyboard comment not shown")
    assert focus_is(emp, f'[data-post-id="{thread_of}"] .thread-text'), "focus left the comment box"

    # A live comment: Enter sends, Shift+Enter is a new line.
    emp.el("#live-comment-text").click()
    keys(emp, "Line one")
    chord(emp, Keys.SHIFT, Keys.ENTER)
    keys(emp, "line two", Keys.ENTER)
    emp.wait(lambda p: p.js("return [...document.querySelectorAll('#live-comment-list .comment-text')]"
                            ".map(n => n.textContent)") == ["Line one\nline two"], "live comment by keyboard")
    assert emp.console_errors() == []


def test_browser_host_console_by_keyboard(make_server, browsers):
    server = make_server()
    author = server.client("ann", name="Ann", office="Cork")
    for text in ("Question one", "Question two"):
        author.request({"type": "post", "text": text})
    host = browsers.open("host").open(server.url, "/host",
                                      server.token("hal", name="Hal", office="HQ", role="host")).connected()
    host.shows_row("p2")

    # The skip link goes straight to the queue.
    assert "skip-link" in tab_to(host, lambda f: True, "anything")["cls"]
    keys(host, Keys.ENTER)
    tab_to(host, lambda f: f["id"] == "tab-top", "the queue's ordering tabs", limit=3)

    # Shortlist with Enter: the row moves to another group and its Shortlist button goes;
    # focus stays in the row, on its next action, instead of falling back to the page.
    tab_to(host, lambda f: "act-shortlist" in f["cls"], "a Shortlist button")
    post_id = host.js("return document.activeElement.closest('[data-post-id]').dataset.postId")
    keys(host, Keys.ENTER)
    host.wait(lambda p: host_group_of(p, post_id) == "shortlisted", "keyboard shortlist")
    host.wait(lambda p: p.js("return !!document.activeElement.closest(`[data-post-id=\"${arguments[0]}\"]`);", post_id),
              "focus fell out of the row after its action")
    focused = host.focused()
    # Its first action now is On air: the next step, one key away.
    assert focused["tag"] == "button" and "act-onair" in focused["cls"] and focused["ring"], focused

    # Then on air with Enter, from where focus is.
    keys(host, Keys.ENTER)
    host.wait(lambda p: host_group_of(p, post_id) == "onair", "keyboard on air")
    host.wait(lambda p: p.js("return !!document.activeElement.closest(`[data-post-id=\"${arguments[0]}\"]`);", post_id),
              "focus fell out of the row after On air")

    # A collapsed group opens with Enter on its summary.
    tab_to(host, lambda f: f["tag"] == "summary", "a collapsed group")
    keys(host, Keys.ENTER)
    assert host.js("return document.activeElement.closest('details').open")
    assert host.console_errors() == []
