"""nginx from Debian in front of a loopback server, as a company runs it: the trusted
proxy tests put it before townhall, the sign-in tests before the identity provider (with
TLS from the company's own CA)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Optional

import pytest

from conftest import HOST, free_port

NGINX = Path("/usr/sbin/nginx")
WEBSOCKET_PROXY = """proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_buffering off;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;"""

class Nginx:
    """nginx in the foreground with its own prefix, config, pid file and error log,
    proxying everything to `upstream` on loopback. By default it proxies WebSocket
    upgrades and adds the peer to X-Forwarded-For as a company proxy would; `location`
    replaces that block's directives, `tls` (certificate, key) makes it listen with TLS,
    `port` picks its port (else a free one)."""

    def __init__(self, prefix: Path, upstream: int, location: Optional[str] = None,
                 tls: Optional[tuple[Path, Path]] = None, port: Optional[int] = None):
        self.prefix = prefix
        self.port = port or free_port()
        self.error_log = prefix / "error.log"
        (prefix / "tmp").mkdir(parents=True)
        config = prefix / "nginx.conf"
        config.write_text(f"""
daemon off;
worker_processes 1;
worker_rlimit_nofile 16000;
pid {prefix}/nginx.pid;
error_log {self.error_log} warn;
events {{ worker_connections 10000; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    server {{
        listen {HOST}:{self.port}{" ssl" if tls else ""};
        {f"ssl_certificate {tls[0]}; ssl_certificate_key {tls[1]};" if tls else ""}
        location / {{
            proxy_pass http://{HOST}:{upstream};
            {location or WEBSOCKET_PROXY}
        }}
    }}
}}
""")
        with open(prefix / "nginx.out", "wb") as out:  # what nginx says before its error log is open
            self.proc = subprocess.Popen([str(NGINX), "-p", str(prefix), "-c", str(config), "-e", str(self.error_log)],
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)

    def worker_pid(self) -> Optional[int]:
        try:
            kids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            return None
        return int(kids[0]) if kids else None

    def log_tail(self, limit: int = 3000) -> str:
        text = ""
        for path in (self.prefix / "nginx.out", self.error_log):
            try:
                text += path.read_text(errors="replace")
            except OSError:
                pass
        return text[-limit:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def ensure_nginx() -> None:
    """scripts/setup.sh --test installs nginx; if it is missing, install it here, and
    skip only if apt cannot."""
    if NGINX.exists():
        return
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    result = None
    for command in (["apt-get", "install", "-y", "-qq", "nginx"], ["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "nginx"]):
        if NGINX.exists():
            break
        try:
            result = subprocess.run(sudo + command, env=env, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as e:
            pytest.skip(f"{NGINX} is missing and apt-get could not run: {e}")
    if not NGINX.exists():
        pytest.skip(f"{NGINX} is missing and apt-get could not install it: {result.stderr[-300:] if result else ''}")
