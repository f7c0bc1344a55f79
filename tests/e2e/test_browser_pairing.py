"""A meeting-room screen cannot type a password: in headless Chromium the screen shows a
code, a host enters it in the host console, and the screen comes up connected, for the
office the host gave, with a session that can read and never change anything."""

from __future__ import annotations

from browser import ROOM, browsers  # noqa: F401 (a fixture)
from idp_server import provider, requests  # noqa: F401 (a fixture)
from test_browser_sso import claims_of, sso_server


def test_a_host_pairs_a_room_screen_which_connects_read_only_for_its_office(make_server, provider, browsers, tmp_path):
    server = sso_server(make_server, provider, tmp_path)
    screen = browsers.open("screen", ROOM).open(server.url, "/screen", None)
    screen.wait(lambda p: p.visible("#pair-code") and len(p.text("#pair-code")) == 9, "the screen shows no pairing code")
    code = screen.text("#pair-code")
    assert "/screen" in screen.driver.current_url, "a screen is not sent to the provider's password form"

    host = browsers.open("host").open(server.url, "/host", server.token("hana", name="Hana", office="Austin", role="host"))
    host.connected()
    host.type_into("#pair-code", code.lower().replace("-", " "))
    host.type_into("#pair-office", "Dublin")
    host.type_into("#pair-name", "Room 4")
    host.click("#pair-submit")
    host.wait(lambda p: "Paired: Room 4 (Dublin)" in p.text("#pair-note"), "the host console did not confirm the pairing")

    screen.connected(timeout=20)
    claims = claims_of(screen)
    assert (claims["name"], claims["office"], claims.get("readonly")) == ("Room 4", "Dublin", True)

    # The screen's token reads; it cannot vote, post or comment.
    token = screen.js("return sessionStorage.getItem('townhall.token')")
    client = server.client(token=token)
    reply = client.request({"type": "post", "text": "From the screen?"})
    assert reply["type"] == "error" and reply["code"] == "forbidden", reply
    assert "read-only" in reply["message"]

    # The code paired once: entered again, it is refused.
    again = requests.get(server.url + "/auth/pair/confirm", params={"code": code},
                         headers={"Authorization": "Bearer " + server.token("hana", name="Hana", office="Austin", role="host")},
                         timeout=5)
    assert again.status_code == 404


def test_only_staff_pair_screens(make_server, provider, tmp_path):
    server = sso_server(make_server, provider, tmp_path)
    screen = requests.Session()
    code = screen.get(server.url + "/auth/pair/new", timeout=5).json()["code"]
    employee = requests.get(server.url + "/auth/pair/confirm", params={"code": code},
                            headers={"Authorization": "Bearer " + server.token("bob", role="employee")}, timeout=5)
    assert employee.status_code == 403
    nobody = requests.get(server.url + "/auth/pair/confirm", params={"code": code}, timeout=5)
    assert nobody.status_code == 401
    # A host's session cookie alone pairs nothing: a link from another site carries it
    # (SameSite=Lax) and would pair the attacker's screen. The console sends its token.
    from test_sso_flow import sign_in
    hana, _, done = sign_in(server, "hana", "hana-password", next_path="/host")
    assert done.status_code == 302 and hana.get(server.url + "/auth/token", timeout=5).json()["user"]["role"] == "host"
    linked = hana.get(server.url + "/auth/pair/confirm", params={"code": code, "office": "Anywhere"}, timeout=5)
    assert linked.status_code == 401, linked.text
    assert screen.get(server.url + "/auth/pair/wait", timeout=5).status_code == 202
    # Another browser cannot collect the screen's session.
    host = "Bearer " + server.token("hana", role="host")
    assert requests.get(server.url + "/auth/pair/confirm", params={"code": code}, headers={"Authorization": host},
                        timeout=5).status_code == 200
    assert requests.get(server.url + "/auth/pair/wait", timeout=5).status_code == 404
    collected = screen.get(server.url + "/auth/pair/wait", timeout=5)
    assert collected.status_code == 200 and "th_session" in screen.cookies
    assert screen.get(server.url + "/auth/token", timeout=5).json()["readOnly"] is True
