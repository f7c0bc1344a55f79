"""What the benchmark scripts share: ports, a started server, percentiles, memory."""

import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def start_server(binary, web, data, *extra):
    """Starts `townhall serve` on a free loopback port; returns (process, port) once healthy.
    Every client comes from 127.0.0.1 here, standing in for many offices, so the
    per-address connection limits are lifted."""
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--data", data, "--web", web,
         "--log-level", "warning", "--max-conns-per-address", "100000", "--max-new-conns-per-address", "100000",
         *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the server did not start")


def stop_server(process):
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def secret_of(data):
    """The server's signing secret, from its data folder."""
    with open(os.path.join(data, "secret.key")) as file:
        return bytes.fromhex(file.read().strip())


def sign(secret, sub, office, role="employee"):
    """An HS256 token like `townhall token` makes, signed here to make thousands quickly."""
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": sub, "name": sub, "office": office, "role": role, "exp": int(time.time()) + 3600}
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"
