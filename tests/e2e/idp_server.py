"""A real OpenID provider for the sign-in tests: django-oidc-provider (PyPI) in the
small Django project under idp/, on loopback, with its own login form, signing keys and
token endpoint. Users: hana (group townhall-hosts, office Austin) and ada (Dublin)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import free_port

requests = pytest.importorskip("requests")
IDP = Path(__file__).parent / "idp"
CLIENT_SECRET = "s3cret-townhall"


class OpenIDProvider:
    def __init__(self, state: Path, site_url: str = ""):
        self.state = state
        self.env = dict(os.environ, IDP_STATE=str(state), IDP_SITE_URL=site_url)
        subprocess.run([sys.executable, str(IDP / "setup_idp.py"), "http://127.0.0.1:9/auth/callback"], env=self.env,
                       check=True, capture_output=True)
        self.port = free_port()
        self.issuer = (site_url or f"http://127.0.0.1:{self.port}") + "/openid"
        self.local = f"http://127.0.0.1:{self.port}/openid"
        self.proc = None
        self.start()

    def start(self) -> None:
        log = open(self.state / "idp.log", "ab")
        self.proc = subprocess.Popen([sys.executable, str(IDP / "manage.py"), "runserver", f"127.0.0.1:{self.port}",
                                      "--noreload"], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.local + "/.well-known/openid-configuration", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        pytest.fail("the OpenID provider did not start: " + (self.state / "idp.log").read_text())

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def rotate_key(self) -> str:
        """A new signing key, the old one gone; returns the new key id."""
        done = subprocess.run([sys.executable, str(IDP / "rotate_key.py")], env=self.env, check=True,
                              capture_output=True, text=True)
        return done.stdout.strip().splitlines()[-1]

    def sign(self, claims: dict) -> str:
        """An ID token with these claims, signed by the provider's own code and key."""
        done = subprocess.run([sys.executable, str(IDP / "sign_token.py")], env=self.env, check=True,
                              input=json.dumps(claims), capture_output=True, text=True)
        return done.stdout.strip().splitlines()[-1]

    def allow(self, public_url: str) -> None:
        """Registers a Townhall server's callback and signed-out page with the client."""
        subprocess.run([sys.executable, str(IDP / "allow_redirect.py"), public_url], env=self.env, check=True,
                       capture_output=True)


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    idp = OpenIDProvider(tmp_path_factory.mktemp("idp"))
    yield idp
    idp.stop()
