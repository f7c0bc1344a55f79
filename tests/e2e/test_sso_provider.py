"""Sign-in's first steps against a real OpenID provider (django-oidc-provider, started
here on loopback): `townhall sso-check` reads its discovery document and key set over
libwebsockets' HTTP client, and verifies an ID token the provider issued after its own
login form, refusing it for another nonce or another client, and refusing forged, expired
and foreign tokens against the provider's real keys."""

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


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_forged_expired_and_foreign_id_tokens_are_refused_against_the_providers_real_keys(provider):
    """Each refusal of the issue, checked against the provider's real discovery and key
    set: the provider's own signature on a token that has expired or names another issuer,
    `alg: none`, HS256 keyed with the provider's published public key, and a key the
    provider never published (under its key id, and under a new one)."""
    import hmac
    import json
    import time

    import jwt  # PyJWT, which the provider itself signs with
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    issuer = provider.issuer
    real = id_token(issuer, "ada", "ada-password", nonce="n-ada")
    claims = jwt.decode(real, options={"verify_signature": False})
    kid = jwt.get_unverified_header(real)["kid"]

    def check(token: str) -> subprocess.CompletedProcess:
        return sso_check("--oidc-issuer", issuer, "--oidc-client-id", "townhall", "--nonce", "n-ada", "--id-token", token)

    assert check(real).returncode == 0, check(real).stderr
    resigned = provider.sign(claims)
    assert check(resigned).returncode == 0, "the provider's own signing, unchanged claims: valid"

    now = int(time.time())
    published = requests.get(issuer + "/jwks", timeout=10).json()["keys"]
    public_pem = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(next(k for k in published if k["kid"] == kid))) \
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    body = b64(json.dumps(claims).encode())
    hs_header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    hs_signature = b64(hmac.new(public_pem, f"{hs_header}.{body}".encode(), "sha256").digest())
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cases = {
        "expired": (provider.sign({**claims, "iat": now - 7200, "exp": now - 3600}), "expired"),
        "another issuer": (provider.sign({**claims, "iss": issuer + "-elsewhere"}), "issued by"),
        "alg none": (b64(json.dumps({"alg": "none", "kid": kid}).encode()) + "." + body + ".", "algorithm none"),
        "HS256 keyed with the public key": (f"{hs_header}.{body}.{hs_signature}", "algorithm HS256"),
        "an unpublished key under the provider's key id": (
            jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": kid}), "signature does not verify"),
        "an unpublished key under a new key id": (
            jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "never-published"}), "does not publish"),
    }
    for name, (token, said) in cases.items():
        done = check(token)
        assert done.returncode == 1, f"{name}: accepted ({done.stdout})"
        assert said in done.stderr, f"{name}: {done.stderr!r}"
