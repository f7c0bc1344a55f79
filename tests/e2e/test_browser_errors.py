"""Refusals, in plain words, next to what caused them: a question that is too long, the
sixth question within a minute (rate limited), a moderator trying a host-only action
(forbidden), a stream link that is not https. The text typed is never lost."""

from browser import browsers, post_and_wait, submit_post  # noqa: F401


def error_beside(page, control_css, error_css):
    """The error's text, after checking the control points at it (aria-describedby) or
    shares its form, so a screen reader and a sighted reader both find it next to the cause."""
    return page.js("""
        const control = document.querySelector(arguments[0]), error = document.querySelector(arguments[1]);
        if (!control || !error || !error.textContent) return '';
        const described = (control.getAttribute('aria-describedby') || '').split(/\\s+/).includes(error.id);
        const sameForm = control.closest('form, section') === error.closest('form, section');
        return (described || sameForm) ? error.textContent : 'NOT BESIDE: ' + error.textContent;
    """, control_css, error_css)


def test_browser_errors_are_plain_words_next_to_their_cause(make_server, browsers):
    server = make_server()
    emp = browsers.open("employee").open(server.url, "/", server.token("erin", name="Erin", office="Oslo")).connected()

    # Too long: refused before sending, the count turns red, the text stays.
    long_text = "Why " + "x" * 1020
    submit_post(emp, long_text)
    emp.wait(lambda p: p.text("#post-error") != "", "no error for an over-long post")
    assert error_beside(emp, "#post-text", "#post-error") == (
        "Too long: 1,024 characters. A question can be at most 1,000 characters — shorten it and try again.")
    assert emp.el("#post-count").get_attribute("class").split().count("over") == 1
    assert emp.text("#post-count") == "1,024 / 1,000"
    assert emp.el("#post-text").get_attribute("aria-invalid") == "true"
    assert emp.value("#post-text") == long_text
    assert emp.js("return document.activeElement.id") == "post-text", "focus goes back to the text"

    # Empty.
    emp.type_into("#post-text", "   ")
    emp.click("#post-submit")
    emp.wait(lambda p: p.text("#post-error") == "Write something first.", "empty post")

    # Five questions a minute; the sixth is refused with the reason, and kept.
    for i in range(5):
        post_and_wait(emp, f"Question number {i + 1}")
    submit_post(emp, "A sixth question, too soon")
    emp.wait(lambda p: p.text("#post-error") != "", "no error for the sixth post")
    assert error_beside(emp, "#post-text", "#post-error") == (
        "You're posting too fast: at most 5 questions a minute. Wait a minute and try again — your text is kept.")
    assert emp.value("#post-text") == "A sixth question, too soon"
    emp.wait(lambda p: len(p.ids("#post-list")) == 5, "five questions listed")
    assert emp.el("#post-submit").get_attribute("aria-disabled") is None, "Post is available again"

    # An over-long live comment and an over-long thread comment.
    emp.type_into("#live-comment-text", "y" * 501)
    emp.click("#live-comment-submit")
    emp.wait(lambda p: p.text("#live-comment-error") != "", "live comment error")
    assert error_beside(emp, "#live-comment-text", "#live-comment-error") == (
        "Too long: 501 characters. A comment can be at most 500 characters — shorten it and try again.")
    emp.click_in_row("p1", ".comments-toggle")
    emp.wait(lambda p: p.visible('[data-post-id="p1"] .thread-text'), "thread did not open")
    emp.type_into('[data-post-id="p1"] .thread-text', "z" * 600)
    emp.click_in_row("p1", ".thread-submit")
    emp.wait(lambda p: p.text('[data-post-id="p1"] .thread-error') != "", "thread comment error")
    assert error_beside(emp, '[data-post-id="p1"] .thread-text', '[data-post-id="p1"] .thread-error') == (
        "Too long: 600 characters. A comment can be at most 500 characters — shorten it and try again.")

    # A moderator may move questions but not announce: if the page let them try, the
    # server's refusal reads as the reason, beside the announcement box.
    mod = browsers.open("moderator").open(server.url, "/host",
                                          server.token("moe", name="Moe", office="Oslo", role="moderator")).connected()
    mod.wait(lambda p: p.visible("#moderator-note") and not p.visible("#announce-panel"),
             "moderators are shown what they can do")
    mod.js("document.getElementById('announce-panel').hidden = false;")
    mod.type_into("#announce-text", "Free pizza!")
    mod.click("#announce-submit")
    mod.wait(lambda p: p.text("#announce-error") != "", "no error for a forbidden announcement")
    assert error_beside(mod, "#announce-text", "#announce-error") == "Only the host can send announcements."
    assert mod.value("#announce-text") == "Free pizza!"
    # What a moderator may do works.
    mod.click_in_row("p1", ".act-shortlist")
    emp.wait(lambda p: p.text('[data-post-id="p1"] .status') == "SHORTLISTED", "moderator's shortlist")

    # The host's stream link must be https; said before anything is sent.
    host = browsers.open("host").open(server.url, "/host",
                                      server.token("hana", name="Hana", office="Austin", role="host")).connected()
    host.type_into("#townhall-stream", "http://video.example.com/live")
    host.click("#townhall-start")
    host.wait(lambda p: p.text("#townhall-error") == "The stream link must be a full https:// address", "stream")
    assert emp.text("#live-badge").lower() == "not live"

    for page in (emp, mod, host):
        assert page.text("#page-error") == "", f"[{page.label}] an error was not shown beside its cause"
        assert page.console_errors() == [], page.console_errors()
