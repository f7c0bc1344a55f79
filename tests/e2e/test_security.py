"""Only employees get in, and nothing they send can break it: TLS, SSO tokens, Origin,
frame limits, per-address limits."""

import json
import socket
import ssl
import struct
import subprocess
import time
import urllib.request
import warnings

import pytest
from websockets.sync.client import connect

from conftest import BIN, HOST, REPO, WEB, free_port
from rawws import RawWS
from sso import Provider


def hello(url, token, **kwargs):
    """Says hello; returns the first reply (or the close) as a dict."""
    try:
        with connect(url, subprotocols=["townhall.v1"], open_timeout=5, **kwargs) as ws:
            ws.send(json.dumps({"type": "hello", "token": token}))
            return json.loads(ws.recv(timeout=5))
    except Exception as error:  # noqa: BLE001 - the refusal is what we look at
        return {"type": "refused", "error": f"{type(error).__name__}: {error}"}


# ------------------------------------------------------------------------- SSO tokens
@pytest.fixture
def provider(tmp_path):
    return Provider(tmp_path)


@pytest.mark.parametrize("key_flag", ["--sso-key", "--sso-jwks"])
def test_sso_tokens_accepted_and_refused(make_server, provider, key_flag):
    key = provider.public if key_flag == "--sso-key" else provider.jwks
    server = make_server(extra_args=(key_flag, str(key), "--sso-issuer", provider.issuer,
                                     "--sso-audience", provider.audience))
    url = server.ws_url
    welcome = hello(url, provider.token(provider.claims(sub="ada", role="host")))
    assert welcome["type"] == "welcome", welcome
    assert welcome["user"] == {"id": "ada", "name": "SSO ada", "office": "Dublin", "role": "host"}
    assert hello(url, server.token("own-token-user"))["type"] == "welcome", "own HS256 tokens still work"

    refused = {
        "no token": "",
        "bad signature": provider.token(provider.claims())[:-6] + "AAAAAA",
        "expired": provider.token(provider.claims(ttl=-60)),
        "wrong issuer": provider.token(provider.claims(iss="https://evil.example.com")),
        "wrong audience": provider.token(provider.claims(aud="payroll")),
        "alg none": provider.unsigned(provider.claims(role="host")),
        "HS256 keyed with the public key": provider.hs256_with_public_key(provider.claims(role="host")),
        "unknown role": provider.token(provider.claims(role="admin")),
        "missing office": provider.token({k: v for k, v in provider.claims().items() if k != "office"}),
    }
    for name, token in refused.items():
        reply = hello(url, token)
        assert reply.get("type") == "error" and reply.get("code") == "unauthorized", f"{name}: {reply}"
    assert server.fresh_welcome()["posts"] == []


# ------------------------------------------------------------------------------- TLS
@pytest.fixture
def tls_server(tmp_path):
    """The server over TLS with a self-signed pair from scripts/make-cert.sh."""
    subprocess.run([str(REPO / "scripts" / "make-cert.sh"), str(tmp_path / "tls")], check=True, capture_output=True)
    port = free_port()
    data = tmp_path / "data"
    log = open(tmp_path / "server.log", "wb")
    process = subprocess.Popen([str(BIN), "serve", "--host", HOST, "--port", str(port), "--data", str(data),
                                "--web", str(WEB), "--tls-cert", str(tmp_path / "tls" / "cert.pem"),
                                "--tls-key", str(tmp_path / "tls" / "key.pem")], stdout=log, stderr=subprocess.STDOUT)
    context = ssl.create_default_context(cafile=str(tmp_path / "tls" / "cert.pem"))
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"https://127.0.0.1:{port}/healthz", context=context, timeout=1)
            break
        except OSError:
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.1)
    token = subprocess.run([str(BIN), "token", "--data", str(data), "--sub", "tls-user", "--name", "T", "--office",
                            "Dublin", "--role", "employee"], check=True, capture_output=True, text=True).stdout.strip()
    yield port, context, token
    process.terminate()
    process.wait(10)


def test_tls_serves_https_and_wss_with_modern_tls_and_http1_only(tls_server):
    port, context, token = tls_server
    body = json.loads(urllib.request.urlopen(f"https://127.0.0.1:{port}/healthz", context=context).read())
    assert body["status"] == "ok"
    page = urllib.request.urlopen(f"https://127.0.0.1:{port}/", context=context)
    assert page.status == 200 and "text/html" in page.headers["content-type"]
    reply = hello(f"wss://127.0.0.1:{port}/ws", token, ssl=context)
    assert reply["type"] == "welcome", reply

    # ALPN: offered h2 and http/1.1, the server picks http/1.1.
    alpn = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    alpn.check_hostname = False
    alpn.verify_mode = ssl.CERT_NONE
    alpn.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", port)) as raw, alpn.wrap_socket(raw) as tls:
        assert tls.selected_alpn_protocol() == "http/1.1"
        assert tls.version() in ("TLSv1.2", "TLSv1.3")

    # TLS 1.1 and older are refused.
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname = False
    old.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old.minimum_version = ssl.TLSVersion.TLSv1
            old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.set_ciphers("ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        pytest.skip("this OpenSSL client cannot even offer TLS 1.1")
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with pytest.raises(ssl.SSLError):
            old.wrap_socket(raw).do_handshake()


# ---------------------------------------------------------------------------- Origin
def test_origin_same_origin_by_default(server):
    token = server.token("origin-user")
    own = f"http://127.0.0.1:{server.port}"
    assert hello(server.ws_url, token, origin=own)["type"] == "welcome"
    assert hello(server.ws_url, token)["type"] == "welcome", "non-browser clients send no Origin"
    for foreign in ("https://evil.example.com", "http://127.0.0.1:1", "null"):
        assert hello(server.ws_url, token, origin=foreign)["type"] == "refused", foreign
    metrics = server.http_get("/metrics")[2]
    assert "townhall_refused_upgrades_total 3" in metrics.splitlines()


def test_origin_allow_list(make_server):
    server = make_server(extra_args=("--origin", "https://townhall.example.com"))
    token = server.token("origin-user")
    assert hello(server.ws_url, token, origin="https://townhall.example.com")["type"] == "welcome"
    assert hello(server.ws_url, token, origin=f"http://127.0.0.1:{server.port}")["type"] == "refused"


# ----------------------------------------------------------------------- frame limits
def test_frame_announcing_two_to_the_63_bytes_is_closed_1009(server):
    bystander = server.client(sub="bystander")
    raw = RawWS(HOST, server.port)
    raw.send_json({"type": "hello", "token": server.token("huge")})
    raw.recv_json(timeout=5)
    # FIN + text, masked, 64-bit length 2^63 - 1, then a few bytes of it.
    raw.sock.sendall(bytes([0x81, 0xFF]) + struct.pack("!Q", 2**63 - 1) + b"\x01\x02\x03\x04" + b"x" * 64)
    code, _, _ = raw.wait_close(timeout=5)
    assert code == 1009
    assert bystander.ping()["type"] == "pong"


# ---------------------------------------------------------------- per-address limits
def test_a_flood_from_one_address_is_cut_off_and_others_go_on(make_server):
    server = make_server(extra_args=("--max-conns-per-address", "40", "--max-new-conns-per-address", "20"))
    good = server.client(sub="steady")  # from 127.0.0.1
    opened, refused = [], 0
    for _ in range(120):  # from 127.0.0.2, as fast as it can
        sock = socket.socket()
        sock.settimeout(2)
        sock.bind(("127.0.0.2", 0))
        try:
            sock.connect((HOST, server.port))
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            if sock.recv(12).startswith(b"HTTP/1.1 200"):
                opened.append(sock)
                continue
        except OSError:
            pass
        refused += 1
        sock.close()
    assert refused > 0
    assert len(opened) <= 40
    assert good.ping()["type"] == "pong"
    metrics = server.http_get("/metrics")[2]
    count = next(int(line.split()[1]) for line in metrics.splitlines() if line.startswith("townhall_refused_connections_total"))
    assert count >= refused
    for sock in opened:
        sock.close()
    # Once the flood has stopped, the address may connect again.
    time.sleep(1.1)
    retry = socket.create_connection((HOST, server.port), source_address=("127.0.0.2", 0), timeout=2)
    retry.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert retry.recv(12).startswith(b"HTTP/1.1 200")
    retry.close()
