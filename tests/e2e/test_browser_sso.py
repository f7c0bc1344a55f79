"""Company sign-in in headless Chromium against a real OpenID provider
(django-oidc-provider on loopback, tests/e2e/idp_server.py): people sign in at the
provider's own login form and land on the page they asked for, connected, as who the
provider says they are; tokens are renewed over the open connection; sign-out ends the
session here, so a copied cookie opens nothing afterwards."""

from __future__ import annotations

import base64
import json
import re
import time

from browser import browsers  # noqa: F401 (a fixture)
from conftest import free_port
from idp_server import CLIENT_SECRET, provider, requests  # noqa: F401 (a fixture)


def sso_server(make_server, provider, tmp_path, *extra: str):
    secret = tmp_path / "client-secret"
    secret.write_text(CLIENT_SECRET + "\n")
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    provider.allow(public)
    server = make_server(start=False, extra_args=(
        "--oidc-issuer", provider.issuer, "--oidc-client-id", "townhall", "--oidc-client-secret-file", str(secret),
        "--public-url", public, "--oidc-host-group", "townhall-hosts", "--oidc-scopes", "openid profile email townhall",
        *extra))
    server.port = port
    server.start(keep_port=True)
    return server


def sign_in_at_provider(page, username: str, password: str) -> None:
    page.wait(lambda p: p.driver.find_elements("css selector", "#id_username"), "the provider's login form did not appear",
              timeout=15)
    assert page.driver.current_url.startswith("http://127.0.0.1:") and "/accounts/login/" in page.driver.current_url
    page.el("#id_username").send_keys(username)
    page.el("#id_password").send_keys(password)
    page.el("#signin").click()


def claims_of(page) -> dict:
    token = page.js("return sessionStorage.getItem('townhall.token')")
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_a_host_signs_in_at_the_provider_and_lands_on_the_host_console_connected(make_server, provider, browsers, tmp_path):
    server = sso_server(make_server, provider, tmp_path)
    page = browsers.open("hana").open(server.url, "/host", None)
    sign_in_at_provider(page, "hana", "hana-password")
    page.connected(timeout=20)
    assert page.driver.current_url == server.url + "/host", page.driver.current_url
    page.wait(lambda p: "Hana Ito · Austin" in p.text("#user-name"), "the host console does not show who signed in")
    assert claims_of(page)["role"] == "host"
    assert page.visible("#sign-out")
    session = [c for c in page.driver.get_cookies() if c["name"] == "th_session"]
    assert session and session[0]["httpOnly"] and session[0].get("sameSite") == "Lax", session


def test_an_employee_lands_on_the_front_page_with_the_office_from_their_claim_and_signs_out(make_server, provider, browsers, tmp_path):
    server = sso_server(make_server, provider, tmp_path)
    page = browsers.open("ada").open(server.url, "/", None)
    sign_in_at_provider(page, "ada", "ada-password")
    page.connected(timeout=20)
    assert page.driver.current_url == server.url + "/"
    claims = claims_of(page)
    assert (claims["name"], claims["office"], claims["role"]) == ("Ada Lovelace", "Dublin", "employee")
    cookie = next(c["value"] for c in page.driver.get_cookies() if c["name"] == "th_session")
    copied = requests.get(server.url + "/auth/token", cookies={"th_session": cookie}, timeout=5)
    assert copied.json()["signedIn"] is True and copied.json()["user"]["office"] == "Dublin"

    page.click("#sign-out")
    page.wait(lambda p: "/auth/signed-out" in p.driver.current_url, "sign-out did not come back to the signed-out page",
              timeout=15)
    assert "You have signed out" in page.text("#auth-message")
    again = requests.get(server.url + "/auth/token", cookies={"th_session": cookie}, timeout=5)
    assert again.json()["signedIn"] is False, "a copied cookie still opens a session after sign-out"
    # Opening the page again goes to the provider's sign-in, not into Townhall.
    page.driver.get(server.url + "/")
    page.wait(lambda p: "/auth/login" in p.driver.current_url or "/openid/" in p.driver.current_url
              or "/accounts/login/" in p.driver.current_url, "a signed-out visitor was not sent to sign in", timeout=15)


def test_a_token_that_expires_during_the_session_is_renewed_without_a_reconnect(make_server, provider, browsers, tmp_path):
    server = sso_server(make_server, provider, tmp_path, "--oidc-token-ttl", "20s")
    page = browsers.open("ada").open(server.url, "/", None)
    sign_in_at_provider(page, "ada", "ada-password")
    page.connected(timeout=20)
    first = page.js("return sessionStorage.getItem('townhall.token')")

    def opened() -> float:
        metrics = server.http_get("/metrics")[2]
        text = metrics.decode() if isinstance(metrics, bytes) else metrics
        return float(re.search(r"^townhall_connections_opened_total(?:\{[^}]*\})? (\S+)$", text, re.M).group(1))

    before = opened()
    # 30 s: past the first token's 20 s; the server closes a connection whose token expired.
    time.sleep(30)
    assert page.conn_state() == "connected"
    assert page.js("return sessionStorage.getItem('townhall.token')") != first, "the token was not renewed"
    assert opened() == before, "the page reconnected instead of renewing over its connection"
