"""Sign-in's first steps against a real OpenID provider (django-oidc-provider, started
here on loopback): `townhall sso-check` reads its discovery document and key set over
libwebsockets' HTTP client, and verifies an ID token the provider issued after its own
login form, refusing it for another nonce or another client."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from conftest import BIN, free_port

requests = pytest.importorskip("requests")
IDP = Path(__file__).parent / "idp"
REDIRECT = "http://127.0.0.1:9/auth/callback"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    state = tmp_path_factory.mktemp("idp")
    env = dict(os.environ, IDP_STATE=str(state))
    subprocess.run([sys.executable, str(IDP / "setup_idp.py"), REDIRECT], env=env, check=True, capture_output=True)
    port = free_port()
    log = open(state / "idp.log", "wb")
    proc = subprocess.Popen([sys.executable, str(IDP / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}/openid"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(issuer + "/.well-known/openid-configuration", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the OpenID provider did not start: " + (state / "idp.log").read_text())
    yield issuer
    proc.terminate()
    proc.wait(10)


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
        "client_id": "townhall", "client_secret": "s3cret-townhall"}, timeout=10)
    assert token.status_code == 200, token.text
    return token.json()["id_token"]


def sso_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), "sso-check", *args], capture_output=True, text=True, timeout=60)


def test_discovery_and_keys_over_the_servers_own_http_client(provider):
    done = sso_check("--oidc-issuer", provider)
    assert done.returncode == 0, done.stderr
    assert f"issuer {provider}\n" in done.stdout
    assert f"jwks_uri {provider}/jwks" in done.stdout
    assert f"end_session_endpoint {provider}/end-session" in done.stdout


def test_a_wrong_issuer_is_refused_with_what_to_check(provider):
    done = sso_check("--oidc-issuer", provider + "/")
    assert done.returncode == 1
    assert "calls itself" in done.stderr and "--oidc-issuer" in done.stderr


def test_the_providers_id_token_verifies_with_its_claims_and_is_refused_for_another_nonce_or_client(provider):
    token = id_token(provider, "hana", "hana-password", nonce="n-hana")
    done = sso_check("--oidc-issuer", provider, "--oidc-client-id", "townhall", "--nonce", "n-hana", "--id-token", token)
    assert done.returncode == 0, done.stderr
    assert "id_token valid: sub " in done.stdout
    assert "claim office Austin" in done.stdout and "townhall-hosts" in done.stdout
    assert "claim name Hana Ito" in done.stdout

    other_nonce = sso_check("--oidc-issuer", provider, "--oidc-client-id", "townhall", "--nonce", "n-other", "--id-token", token)
    assert other_nonce.returncode == 1 and "nonce" in other_nonce.stderr
    other_client = sso_check("--oidc-issuer", provider, "--oidc-client-id", "someone-else", "--nonce", "n-hana", "--id-token", token)
    assert other_client.returncode == 1 and "aud" in other_client.stderr
    forged = token.rsplit(".", 1)[0] + "." + base64.urlsafe_b64encode(b"x" * 256).rstrip(b"=").decode()
    refused = sso_check("--oidc-issuer", provider, "--oidc-client-id", "townhall", "--nonce", "n-hana", "--id-token", forged)
    assert refused.returncode == 1 and "signature" in refused.stderr
