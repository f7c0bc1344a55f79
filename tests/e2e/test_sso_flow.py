"""The sign-in flow's refusals and the provider going away, over plain HTTP against a real
OpenID provider (django-oidc-provider on loopback): a callback this browser did not start
or already used, a used code replayed in a new sign-in, a `next` pointing at another site,
and the provider down and back."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urljoin, urlparse

from idp_server import provider, requests  # noqa: F401 (a fixture)
from test_browser_sso import sso_server


def sign_in(server, username: str, password: str, next_path: str = "/"):
    """Follows the whole flow as a browser would; returns the session and the callback URL."""
    browser = requests.Session()
    response = browser.get(server.url + "/auth/login", params={"next": next_path}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    page = browser.get(response.headers["Location"], timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    form = {"csrfmiddlewaretoken": csrf, "username": username, "password": password,
            "next": parse_qs(urlparse(page.url).query)["next"][0]}
    step = browser.post(page.url, data=form, headers={"Referer": page.url}, allow_redirects=False, timeout=10)
    while step.status_code == 302 and not step.headers["Location"].startswith(server.url + "/auth/callback"):
        step = browser.get(urljoin(step.url, step.headers["Location"]), allow_redirects=False, timeout=10)
    callback = step.headers["Location"]
    assert callback.startswith(server.url + "/auth/callback"), (step.status_code, callback)
    done = browser.get(callback, allow_redirects=False, timeout=10)
    return browser, callback, done


def test_the_flow_sets_a_session_and_a_used_or_foreign_callback_is_refused(make_server, provider, tmp_path):
    server = sso_server(make_server, provider, tmp_path)
    browser, callback, done = sign_in(server, "ada", "ada-password", next_path="/screen")
    assert done.status_code == 302 and done.headers["Location"] == "/screen"
    token = browser.get(server.url + "/auth/token", timeout=5)
    assert token.status_code == 200 and token.json()["user"]["name"] == "Ada Lovelace"

    replayed = browser.get(callback, allow_redirects=False, timeout=10)
    assert replayed.status_code == 400 and "already used" in replayed.text
    stranger = requests.get(callback, allow_redirects=False, timeout=10)
    assert stranger.status_code == 400 and "set-cookie" not in {k.lower() for k in stranger.headers}
    forged = browser.get(server.url + "/auth/callback", params={"code": "x", "state": "made-up"}, allow_redirects=False,
                         timeout=10)
    assert forged.status_code == 400
    refused = browser.get(server.url + "/auth/callback", params={"error": "access_denied",
                                                                 "error_description": "not allowed"}, timeout=10)
    assert refused.status_code == 400 and "access_denied" in refused.text


def test_a_used_code_replayed_in_a_new_sign_in_is_refused_by_the_provider(make_server, provider, tmp_path):
    """A code that was already exchanged, injected into another browser's own sign-in (a
    fresh state of its own): the provider refuses it, and no session is made."""
    server = sso_server(make_server, provider, tmp_path)
    _, callback, done = sign_in(server, "ada", "ada-password")
    assert done.status_code == 302
    code = parse_qs(urlparse(callback).query)["code"][0]
    thief = requests.Session()
    start = thief.get(server.url + "/auth/login", params={"next": "/"}, allow_redirects=False, timeout=10)
    state = parse_qs(urlparse(start.headers["Location"]).query)["state"][0]
    replayed = thief.get(server.url + "/auth/callback", params={"code": code, "state": state}, allow_redirects=False,
                         timeout=10)
    assert replayed.status_code == 400 and "refused the code" in replayed.text, replayed.text[:500]
    assert "th_session" not in thief.cookies
    assert thief.get(server.url + "/auth/token", timeout=5).json()["signedIn"] is False


def test_next_can_only_be_a_page_of_this_server(make_server, provider, tmp_path):
    server = sso_server(make_server, provider, tmp_path)
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        _, _, done = sign_in(server, "ada", "ada-password", next_path=evil)
        assert done.headers["Location"] == "/", evil


def test_the_provider_down_then_back(make_server, provider, tmp_path):
    server = sso_server(make_server, provider, tmp_path)
    browser, _, _ = sign_in(server, "hana", "hana-password")
    provider.stop()
    try:
        time.sleep(5.5)  # past the server's 5 s between tries
        login = requests.get(server.url + "/auth/login", allow_redirects=False, timeout=15)
        assert login.status_code == 503 and "cannot be reached" in login.text
        status = requests.get(server.url + "/auth/status", timeout=15).json()
        assert status["provider"] == "unreachable" and "cannot be reached" in status["message"]
        # Sessions already made keep working: their tokens are Townhall's own.
        assert browser.get(server.url + "/auth/token", timeout=5).json()["signedIn"] is True
    finally:
        provider.start()
    time.sleep(5.5)
    again = requests.get(server.url + "/auth/login", allow_redirects=False, timeout=15)
    assert again.status_code == 302 and again.headers["Location"].startswith(provider.issuer + "/authorize")


def test_a_server_started_while_the_provider_is_down_says_so_and_signs_in_once_it_is_back(make_server, provider, tmp_path):
    provider.stop()
    try:
        server = sso_server(make_server, provider, tmp_path)
        assert "sso.unavailable_at_start" in server.log_text()
        assert requests.get(server.url + "/auth/status", timeout=15).json()["provider"] == "unreachable"
    finally:
        provider.start()
    time.sleep(5.5)
    _, _, done = sign_in(server, "ada", "ada-password")
    assert done.status_code == 302


def test_a_key_rotated_at_the_provider_is_taken_without_a_restart(make_server, provider, tmp_path):
    server = sso_server(make_server, provider, tmp_path)
    first, _, done = sign_in(server, "ada", "ada-password")
    assert done.status_code == 302
    kid = provider.rotate_key()
    keys = requests.get(provider.issuer + "/jwks", timeout=5).json()["keys"]
    assert [k["kid"] for k in keys] == [kid], "the old key is gone from the provider's set"
    browser, _, done = sign_in(server, "hana", "hana-password")
    assert done.status_code == 302, done.text
    assert browser.get(server.url + "/auth/token", timeout=5).json()["user"]["role"] == "host"
    # The session made before the rotation is this server's own: it still works.
    assert first.get(server.url + "/auth/token", timeout=5).json()["signedIn"] is True
