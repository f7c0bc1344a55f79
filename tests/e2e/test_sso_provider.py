"""Sign-in's first steps against a real OpenID provider (django-oidc-provider, started
here on loopback): `townhall sso-check` reads its discovery document and key set over
libwebsockets' HTTP client, and verifies an ID token the provider issued after its own
login form, refusing it for another nonce or another client."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import subprocess
from urllib.parse import parse_qs, urlencode, urlparse

from conftest import BIN
from idp_server import CLIENT_SECRET, provider, requests  # noqa: F401 (a fixture)

REDIRECT = "http://127.0.0.1:9/auth/callback"


def id_token(issuer: str, username: str, password: str, nonce: str) -> str:
    """The code flow with PKCE, through the provider's own login form."""
    browser = requests.Session()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {"client_id": "townhall", "response_type": "code", "scope": "openid profile email townhall",
             "redirect_uri": REDIRECT, "state": "s-1", "nonce": nonce, "code_challenge": challenge,
             "code_challenge_method": "S256"}
    page = browser.get(issuer + "/authorize?" + urlencode(query), timeout=10)
    assert "csrfmiddlewaretoken" in page.text, page.text[:500]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    form = {"csrfmiddlewaretoken": csrf, "username": username, "password": password,
            "next": parse_qs(urlparse(page.url).query)["next"][0]}
    done = browser.post(page.url, data=form, headers={"Referer": page.url}, allow_redirects=False, timeout=10)
    while done.status_code in (301, 302) and not done.headers["Location"].startswith(REDIRECT):
        done = browser.get(requests.compat.urljoin(done.url, done.headers["Location"]), allow_redirects=False, timeout=10)
    location = done.headers.get("Location", "")
    assert location.startswith(REDIRECT), (done.status_code, location, done.text[:300])
    code = parse_qs(urlparse(location).query)["code"][0]
    token = requests.post(issuer + "/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier,
        "client_id": "townhall", "client_secret": CLIENT_SECRET}, timeout=10)
    assert token.status_code == 200, token.text
    return token.json()["id_token"]


def sso_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), "sso-check", *args], capture_output=True, text=True, timeout=60)


def test_discovery_and_keys_over_the_servers_own_http_client(provider):
    issuer = provider.issuer
    done = sso_check("--oidc-issuer", issuer)
    assert done.returncode == 0, done.stderr
    assert f"issuer {issuer}\n" in done.stdout
    assert f"jwks_uri {issuer}/jwks" in done.stdout
    assert f"end_session_endpoint {issuer}/end-session" in done.stdout


def test_a_wrong_issuer_is_refused_with_what_to_check(provider):
    issuer = provider.issuer
    done = sso_check("--oidc-issuer", issuer + "/")
    assert done.returncode == 1
    assert "calls itself" in done.stderr and "--oidc-issuer" in done.stderr


def test_the_providers_id_token_verifies_with_its_claims_and_is_refused_for_another_nonce_or_client(provider):
    issuer = provider.issuer
    token = id_token(issuer, "hana", "hana-password", nonce="n-hana")
    done = sso_check("--oidc-issuer", issuer, "--oidc-client-id", "townhall", "--nonce", "n-hana", "--id-token", token)
    assert done.returncode == 0, done.stderr
    assert "id_token valid: sub " in done.stdout
    assert "claim office Austin" in done.stdout and "townhall-hosts" in done.stdout
    assert "claim name Hana Ito" in done.stdout

    other_nonce = sso_check("--oidc-issuer", issuer, "--oidc-client-id", "townhall", "--nonce", "n-other", "--id-token", token)
    assert other_nonce.returncode == 1 and "nonce" in other_nonce.stderr
    other_client = sso_check("--oidc-issuer", issuer, "--oidc-client-id", "someone-else", "--nonce", "n-hana", "--id-token", token)
    assert other_client.returncode == 1 and "aud" in other_client.stderr
    forged = token.rsplit(".", 1)[0] + "." + base64.urlsafe_b64encode(b"x" * 256).rstrip(b"=").decode()
    refused = sso_check("--oidc-issuer", issuer, "--oidc-client-id", "townhall", "--nonce", "n-hana", "--id-token", forged)
    assert refused.returncode == 1 and "signature" in refused.stderr
