"""A provider behind TLS with a certificate from the company's own CA (as most internal
identity providers are): nginx from Debian in front of django-oidc-provider. The
server's HTTP client (libwebsockets over OpenSSL) trusts it with --oidc-ca-file, refuses
it without, and a plain-http issuer off loopback is refused outright."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN, free_port
from idp_server import OpenIDProvider, requests
from nginx import NGINX, Nginx


def company_ca(folder: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for 127.0.0.1 signed by it: (ca.pem, cert.pem, key.pem)."""
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=Acme Corporate Root CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "idp.csr", "-subj", "/CN=127.0.0.1")
    (folder / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "idp.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out",
            "cert.pem", "-days", "2", "-extfile", "san.cnf")
    return folder / "ca.pem", folder / "cert.pem", folder / "key.pem"


@pytest.fixture(scope="module")
def tls_provider(tmp_path_factory):
    if not NGINX.exists():
        pytest.fail("nginx is not installed (scripts/setup.sh --test installs it)")
    folder = tmp_path_factory.mktemp("tls-idp")
    ca, cert, key = company_ca(folder)
    port = free_port()
    (folder / "state").mkdir()
    idp = OpenIDProvider(folder / "state", site_url=f"https://127.0.0.1:{port}")
    nginx = Nginx(folder / "nginx", idp.port, tls=(cert, key), port=port,
                  location="proxy_set_header Host $host:$server_port;")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            requests.get(idp.issuer + "/.well-known/openid-configuration", verify=str(ca), timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.2)
    yield idp, ca
    nginx.stop()
    idp.stop()


def test_a_provider_with_a_company_ca_is_trusted_with_the_ca_file_and_refused_without(tls_provider):
    idp, ca = tls_provider
    trusted = subprocess.run([str(BIN), "sso-check", "--oidc-issuer", idp.issuer, "--oidc-ca-file", str(ca)],
                             capture_output=True, text=True, timeout=60)
    assert trusted.returncode == 0, trusted.stderr
    assert f"issuer {idp.issuer}\n" in trusted.stdout and idp.issuer.startswith("https://")
    untrusted = subprocess.run([str(BIN), "sso-check", "--oidc-issuer", idp.issuer], capture_output=True, text=True,
                               timeout=60)
    assert untrusted.returncode == 1 and "cannot be reached" in untrusted.stderr, untrusted.stderr


def test_plain_http_is_accepted_only_on_loopback():
    done = subprocess.run([str(BIN), "sso-check", "--oidc-issuer", "http://idp.example.com/realms/acme"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and "not https" in done.stderr
    serve = subprocess.run([str(BIN), "serve", "--oidc-issuer", "http://idp.example.com", "--oidc-client-id", "x",
                            "--public-url", "https://townhall.example.com"], capture_output=True, text=True, timeout=30)
    assert serve.returncode != 0 and "https" in serve.stderr
