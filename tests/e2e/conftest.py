"""Fixtures: a real `townhall serve` process per test (or per module), token minting,
connected clients, and state snapshots taken through a fresh welcome."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from client import Client  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("TOWNHALL_BIN", str(REPO / ".build" / "debug" / "townhall")))
WEB = REPO / "Web"
HOST = "127.0.0.1"

_ACTIVE: list["Server"] = []
_uniq = itertools.count(1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_port_free(port: int, timeout: float = 10.0) -> None:
    """Waits until `port` can be bound again (as the server binds it, with SO_REUSEADDR)."""
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((HOST, port))
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
        time.sleep(0.05)


class Server:
    """One `townhall serve` process with its own data dir."""

    def __init__(self, base: Path, tick_ms: Optional[int] = None, data: Optional[Path] = None,
                 extra_args: tuple = (), wrapper: tuple = ()):
        if not BIN.exists():
            pytest.fail(f"townhall binary not found at {BIN} (build it with "
                        f"`swift build --product townhall` or set TOWNHALL_BIN)", pytrace=False)
        self.base = base
        self.base.mkdir(parents=True, exist_ok=True)  # logs go here even when data is elsewhere
        self.data = data or (base / "data")
        self.data.mkdir(parents=True, exist_ok=True)
        self.tick_ms = tick_ms
        self.extra_args = tuple(extra_args)
        # A command the server runs under (e.g. strace for fault injection); its first
        # child is the townhall process itself, which stop() and kill9() signal.
        self.wrapper = tuple(wrapper)
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = base / f"server-{next(_uniq)}.log"
        self.logs: list[Path] = []
        self.port = 0
        self.clients: list[Client] = []
        self.expect_exit = False
        self._tokens: dict = {}
        # The TLS context a client needs to reach it (None: plain HTTP).
        self.context: Optional[ssl.SSLContext] = None

    # --------------------------------------------------------------- lifecycle
    def serve_args(self) -> list:
        """The `townhall serve` command line for the current port (without the wrapper)."""
        args = [str(BIN), "serve", "--host", HOST, "--port", str(self.port),
                "--data", str(self.data), "--web", str(WEB)]
        if self.tick_ms is not None:
            args += ["--tick-ms", str(self.tick_ms)]
        return args + list(self.extra_args)

    def start(self, timeout: float = 30.0, keep_port: bool = False) -> "Server":
        """keep_port: come back on the previous port (clients that reconnect by themselves,
        like the pages, reconnect to the same address), once the old process let go of it."""
        if keep_port and self.port:
            wait_port_free(self.port, timeout)
        else:
            self.port = free_port()
        args = list(self.wrapper) + self.serve_args()
        self.log_path = self.base / f"server-{next(_uniq)}.log"
        self.logs.append(self.log_path)
        self._log = open(self.log_path, "wb")
        self._log.write((" ".join(args) + "\n").encode())
        self._log.flush()
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=str(self.base))
        self.expect_exit = False
        if self not in _ACTIVE:
            _ACTIVE.append(self)
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"townhall serve exited early with code {self.proc.returncode}\n"
                            f"{self.log_text()}", pytrace=False)
            try:
                status, _, body = self.http_get("/healthz", timeout=1.0)
                if status == 200 and json.loads(body).get("status") == "ok":
                    return self
                last = (status, body[:200])
            except (OSError, ValueError) as e:
                last = e
            time.sleep(0.05)
        pytest.fail(f"server not healthy within {timeout}s (last: {last!r})\n{self.log_text()}",
                    pytrace=False)

    def stop(self, sig=signal.SIGTERM) -> Optional[int]:
        for c in self.clients:
            c.close()
        self.clients = []
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self._signal_server(sig)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        try:
            self._log.close()
        except Exception:
            pass
        return self.proc.returncode

    def kill9(self) -> None:
        """Crash the server (no clean shutdown)."""
        self.expect_exit = True
        for c in self.clients:
            c.close()
        self.clients = []
        if self.wrapper and self.proc.poll() is None:
            self._signal_server(signal.SIGKILL)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)
        self._log.close()

    def server_pid(self) -> Optional[int]:
        """The pid of the townhall process (the wrapper's child when there is a wrapper)."""
        if self.proc is None or self.proc.poll() is not None:
            return None
        if not self.wrapper:
            return self.proc.pid
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                kids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            except OSError:
                kids = []
            if kids:
                return int(kids[0])
            if self.proc.poll() is not None:
                return None
            time.sleep(0.02)
        return None

    def _signal_server(self, sig) -> None:
        pid = self.server_pid() if self.wrapper else None
        if pid is not None:
            try:
                os.kill(pid, sig)
                return
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait_exit(self, timeout: float) -> Optional[int]:
        """Wait for the server to exit on its own; its exit code, or None if still running."""
        self.expect_exit = True
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        try:
            self._log.close()
        except Exception:
            pass
        return code

    def run_serve(self, timeout: float = 15.0) -> subprocess.CompletedProcess:
        """Run `townhall serve` expecting it to refuse to start; its stdout/stderr apart.
        Fails the test if it is still running after `timeout`."""
        self.port = free_port()
        try:
            return subprocess.run(self.serve_args(), capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL, cwd=str(self.base))
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"`townhall serve` still running after {timeout}s; it should have "
                        f"refused to start.\nstdout: {e.stdout!r}\nstderr: {e.stderr!r}",
                        pytrace=False)

    def crashed(self) -> Optional[int]:
        """Exit code if the process died without being asked to."""
        if self.proc is not None and not self.expect_exit and self.proc.poll() is not None:
            return self.proc.returncode
        return None

    def log_text(self, limit: int = 20000) -> str:
        out = []
        for p in self.logs:
            try:
                text = p.read_text(errors="replace")
            except OSError:
                continue
            if len(text) > limit:
                text = "...\n" + text[-limit:]
            out.append(f"--- {p} ---\n{text}")
        return "\n".join(out)

    # -------------------------------------------------------------------- http
    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}/ws"

    def http_get(self, path: str, timeout: float = 5.0, headers: Optional[dict] = None):
        req = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=self.context) as r:
                return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode("utf-8", "replace")

    def health(self, timeout: float = 5.0) -> tuple:
        """GET /healthz: (HTTP status, parsed JSON body or None)."""
        status, _, body = self.http_get("/healthz", timeout=timeout)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, None

    # ------------------------------------------------------------------ tokens
    def token(self, sub: str, name: Optional[str] = None, office: str = "Dublin",
              role: str = "employee", ttl: Optional[str] = None) -> str:
        key = (sub, name, office, role, ttl)
        if ttl is None and key in self._tokens:
            return self._tokens[key]
        args = [str(BIN), "token", "--data", str(self.data), "--sub", sub,
                "--name", name or f"User {sub}", "--office", office, "--role", role]
        if ttl is not None:
            args += ["--ttl", ttl]
        r = subprocess.run(args, capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, f"`townhall token` failed ({r.returncode}): {r.stderr}"
        tok = r.stdout.strip()
        assert tok.count(".") == 2 and "\n" not in tok, \
            f"`townhall token` must print exactly one JWT, got {r.stdout!r}"
        if ttl is None:
            self._tokens[key] = tok
        return tok

    def tokens(self, specs: list[dict]) -> list[str]:
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(lambda s: self.token(**s), specs))

    # ----------------------------------------------------------------- clients
    def connect(self, label: str = "raw") -> Client:
        c = Client(self.ws_url, label=label)
        self.clients.append(c)
        return c

    def client(self, sub: Optional[str] = None, role: str = "employee", office: str = "Dublin",
               name: Optional[str] = None, token: Optional[str] = None,
               resume: Optional[dict] = None, form: Optional[dict] = None) -> Client:
        """Connect, say hello, and assert the welcome. The welcome is in `c.welcome`."""
        sub = sub or f"{role}-{next(_uniq)}"
        tok = token or self.token(sub, name=name, office=office, role=role)
        c = self.connect(label=sub)
        w = c.hello(tok, resume=resume, form=form)
        assert w.get("type") == "welcome", f"hello for {sub} ({role}) was not welcomed: {w}"
        c.welcome = w
        c.sub = sub
        c.name = name or f"User {sub}"
        c.office = office
        c.role = role
        return c

    def all_posts(self, batch: int = 20, limit: int = 100_000) -> dict:
        """Every post by id (p1, p2, ... up to the first missing id), read with `thread` as a
        host, so every status counts. Each post gets `_comments`: its thread's comments.
        Ids are created in order and never deleted, so a post after a missing id fails.
        At most `batch` not_found replies per connection (30 refusals close it), and each
        batch from a reader of its own (reads draw on a per-user allowance of 20 a second),
        at most 50 readers a second (new connections a second are capped per address)."""
        h = None
        batch_started = 0.0
        out: dict = {}
        try:
            first = 1
            while first <= limit:
                if h is not None:
                    h.close()
                    self.clients.remove(h)
                    time.sleep(max(0.0, 0.02 - (time.monotonic() - batch_started)))
                batch_started = time.monotonic()
                h = self.client(sub=f"reader-{next(_uniq)}", role="host", office="Reader")
                ids = range(first, first + batch)
                rids = [(n, h.send_request({"type": "thread", "post": f"p{n}"})) for n in ids]
                missing = []
                for n, rid in rids:
                    r = h.reply(rid, timeout=10)
                    if r.get("type") == "ack" and isinstance(r.get("post"), dict):
                        assert r["post"].get("id") == f"p{n}", f"thread p{n} answered {r}"
                        out[f"p{n}"] = dict(r["post"], _comments=r.get("comments") or [])
                    elif r.get("type") == "error" and r.get("code") == "not_found":
                        missing.append(n)
                    else:
                        raise AssertionError(f"unexpected reply to thread p{n}: {r}")
                if missing:
                    after = [f"p{n}" for n in ids if n > missing[0] and f"p{n}" in out]
                    assert not after, f"post ids are not contiguous: p{missing[0]} is missing " \
                                      f"but {after} exist"
                    break
                first += batch
        finally:
            if h is not None:
                h.close()
                if h in self.clients:
                    self.clients.remove(h)
        return out

    def fresh_welcome(self, role: str = "host") -> dict:
        """A full welcome from a brand-new connection, then disconnect."""
        c = self.client(sub=f"snap-{role}-{next(_uniq)}", role=role, office="Snapshot")
        w = c.welcome
        c.close()
        self.clients.remove(c)
        return w


def state_of(welcome: dict) -> dict:
    """What must not change when a request is refused: posts and their counts/status,
    ranks, live comments, announcements, townhall, cycle (presence excluded)."""
    posts = {p["id"]: {k: p.get(k) for k in ("text", "up", "down", "score", "comments",
                                              "status", "cycle", "note")}
             for p in welcome.get("posts", [])}
    return {
        "posts": posts,
        "ranks": welcome.get("ranks"),
        "comments": [c.get("id") for c in welcome.get("comments", [])],
        "announcements": [a.get("id") for a in welcome.get("announcements", [])],
        "townhall": welcome.get("townhall"),
        "cycle": welcome.get("cycle"),
    }


def server_state(server: Server) -> dict:
    """State as seen by a host and by an employee, via fresh welcomes."""
    return {"host": state_of(server.fresh_welcome("host")),
            "employee": state_of(server.fresh_welcome("employee"))}


# ------------------------------------------------------------------- fixtures
class TLSServer(Server):
    """A Server (lifecycle, log, tokens) over TLS with a pair from
    scripts/make-cert.sh; its health checks and /metrics scrapes go over https."""

    def __init__(self, base: Path, tick_ms: Optional[int] = None, data: Optional[Path] = None,
                 extra_args: tuple = (), wrapper: tuple = ()):
        tls = base / "tls"
        subprocess.run([str(REPO / "scripts" / "make-cert.sh"), str(tls)], check=True, capture_output=True)
        super().__init__(base, tick_ms=tick_ms, data=data, wrapper=wrapper, extra_args=tuple(extra_args) + (
            "--tls-cert", str(tls / "cert.pem"), "--tls-key", str(tls / "key.pem")))
        self.context = ssl.create_default_context(cafile=str(tls / "cert.pem"))

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.port}"




@pytest.fixture
def make_server(tmp_path):
    servers: list[Server] = []

    def factory(tick_ms: Optional[int] = None, data: Optional[Path] = None, start: bool = True,
                extra_args: tuple = (), wrapper: tuple = (), tls: bool = False) -> Server:
        """tls: over TLS with a self-signed pair (`TLSServer`: its `context` trusts it)."""
        kind = TLSServer if tls else Server
        s = kind(tmp_path / f"s{len(servers)}", tick_ms=tick_ms, data=data,
                 extra_args=extra_args, wrapper=wrapper)
        servers.append(s)
        if start:
            s.start()
        return s

    yield factory
    crashed = [(s, s.crashed()) for s in servers if s.crashed() is not None]
    for s in servers:
        s.stop()
        if s in _ACTIVE:
            _ACTIVE.remove(s)
    if crashed:
        pytest.fail("server process died during the test: " + "; ".join(
            f"exit code {code}\n{s.log_text()}" for s, code in crashed), pytrace=False)


@pytest.fixture
def server(make_server) -> Server:
    return make_server()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("townhall"))
    s.start()
    yield s
    code = s.crashed()
    s.stop()
    if s in _ACTIVE:
        _ACTIVE.remove(s)
    if code is not None:
        pytest.fail(f"server process died (exit code {code})\n{s.log_text()}", pytrace=False)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes 10 s or more (hello timeout)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for s in list(_ACTIVE):
            rep.sections.append((f"townhall server log ({s.base})", s.log_text()))
