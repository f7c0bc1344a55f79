"""A stand-in identity provider for tests: an RSA key made with openssl, RS256 tokens
signed with `openssl dgst`, and the public key as PEM and JWKS."""

import base64
import json
import subprocess
import time
from pathlib import Path


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Provider:
    def __init__(self, folder: Path, issuer="https://idp.example.com", audience="townhall"):
        self.folder = folder
        self.issuer = issuer
        self.audience = audience
        self.private = folder / "idp-private.pem"
        self.public = folder / "idp-public.pem"
        subprocess.run(["openssl", "genrsa", "-out", str(self.private), "2048"], check=True, capture_output=True)
        subprocess.run(["openssl", "rsa", "-in", str(self.private), "-pubout", "-out", str(self.public)],
                       check=True, capture_output=True)
        self.jwks = folder / "idp-jwks.json"
        modulus = subprocess.run(["openssl", "rsa", "-pubin", "-in", str(self.public), "-noout", "-modulus"],
                                 check=True, capture_output=True, text=True).stdout.strip().split("=", 1)[1]
        n = bytes.fromhex(modulus)
        self.jwks.write_text(json.dumps({"keys": [{"kty": "RSA", "alg": "RS256", "kid": "idp-1", "use": "sig",
                                                    "n": b64url(n), "e": b64url(bytes([1, 0, 1]))}]}))

    def claims(self, sub="sso-user", role="employee", ttl=600, **overrides):
        claims = {"sub": sub, "name": f"SSO {sub}", "office": "Dublin", "role": role,
                  "exp": int(time.time()) + ttl, "iss": self.issuer, "aud": self.audience}
        claims.update(overrides)
        return claims

    def token(self, claims: dict, alg="RS256", kid="idp-1") -> str:
        header = b64url(json.dumps({"alg": alg, "typ": "JWT", "kid": kid}).encode())
        body = b64url(json.dumps(claims).encode())
        signing_input = f"{header}.{body}".encode()
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(self.private)],
                                   input=signing_input, check=True, capture_output=True).stdout
        return f"{header}.{body}.{b64url(signature)}"

    def unsigned(self, claims: dict) -> str:
        """alg none: no signature at all."""
        header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        return f"{header}.{b64url(json.dumps(claims).encode())}."

    def hs256_with_public_key(self, claims: dict) -> str:
        """The classic confusion attack: HS256 keyed with the provider's public key."""
        import hashlib
        import hmac
        header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "idp-1"}).encode())
        body = b64url(json.dumps(claims).encode())
        mac = hmac.new(self.public.read_bytes(), f"{header}.{body}".encode(), hashlib.sha256).digest()
        return f"{header}.{body}.{b64url(mac)}"
