"""A small synchronous WebSocket client for the townhall.v1 protocol.

Every frame the server sends is recorded (arrival time, raw text, parsed JSON) by a
background reader thread, and a merged view of the state (welcome + updates) is kept
so tests can wait for "the client now sees X". Every wait is bounded.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

SUBPROTOCOL = "townhall.v1"
DEFAULT_TIMEOUT = 5.0

_ids = itertools.count(1)


@dataclass
class Frame:
    t: float  # time.monotonic() at arrival
    raw: Any  # str for text frames, bytes for binary frames
    obj: Any  # parsed JSON (None if not JSON)

    @property
    def type(self) -> Optional[str]:
        return self.obj.get("type") if isinstance(self.obj, dict) else None


@dataclass
class View:
    """The state as a client sees it: the last welcome merged with later updates."""

    epoch: Optional[str] = None
    seq: Optional[int] = None
    user: Optional[dict] = None
    cycle: Optional[dict] = None
    townhall: Optional[dict] = None
    posts: dict = field(default_factory=dict)
    removed: set = field(default_factory=set)
    ranks: Optional[dict] = None
    comments: list = field(default_factory=list)
    announcements: list = field(default_factory=list)
    presence: Optional[dict] = None
    my_votes: dict = field(default_factory=dict)

    def apply(self, obj: dict) -> None:
        t = obj.get("type")
        if t == "welcome":
            recovered = obj.get("recovered") is True
            if not recovered:
                self.posts = {}
                self.removed = set()
                self.comments = []
                self.announcements = []
            self.epoch = obj.get("epoch")
            self.seq = obj.get("seq")
            self.user = obj.get("user", self.user)
            self.cycle = obj.get("cycle", self.cycle)
            self.townhall = obj.get("townhall", self.townhall)
            for p in obj.get("posts") or []:
                if isinstance(p, dict) and "id" in p:
                    self.posts[p["id"]] = p
                    self.removed.discard(p["id"])
            if "ranks" in obj:
                self.ranks = obj["ranks"]
            if "comments" in obj and not recovered:
                self.comments = list(obj["comments"] or [])
            if "announcements" in obj and not recovered:
                self.announcements = list(obj["announcements"] or [])
            if "presence" in obj:
                self.presence = obj["presence"]
            if "myVotes" in obj:
                self.my_votes = dict(obj["myVotes"] or {})
        elif t == "update":
            self.seq = obj.get("seq", self.seq)
            for p in obj.get("posts") or []:
                if isinstance(p, dict) and "id" in p:
                    self.posts[p["id"]] = p
                    self.removed.discard(p["id"])
            for pid, counts in (obj.get("counts") or {}).items():
                if pid in self.posts:
                    self.posts[pid] = {**self.posts[pid], **counts}
            for pid in obj.get("removed") or []:
                self.posts.pop(pid, None)
                self.removed.add(pid)
            if "ranks" in obj and obj["ranks"] is not None:
                self.ranks = obj["ranks"]
            for c in obj.get("comments") or []:
                self.comments.append(c)
            for a in obj.get("announcements") or []:
                self.announcements.insert(0, a)
            if obj.get("townhall") is not None:
                self.townhall = obj["townhall"]
            if obj.get("cycle") is not None:
                self.cycle = obj["cycle"]
            if obj.get("presence") is not None:
                self.presence = obj["presence"]


class Client:
    """One WebSocket connection with a background reader."""

    def __init__(self, url: str, *, label: str = "client", open_timeout: float = 5.0,
                 subprotocols=(SUBPROTOCOL,)):
        self.url = url
        self.label = label
        self.ws = connect(
            url,
            subprotocols=list(subprotocols) if subprotocols else None,
            max_size=None,
            open_timeout=open_timeout,
            close_timeout=2,
            ping_interval=None,
            legacy=True,  # websockets 17: return the connection directly (no context manager)
        )
        self.opened_at = time.monotonic()
        self.frames: list[Frame] = []
        self.view = View()
        self.cond = threading.Condition()
        self.closed = False
        self.close_code: Optional[int] = None
        self.close_reason: Optional[str] = None
        self.closed_at: Optional[float] = None
        self._thread = threading.Thread(target=self._reader, name=f"reader-{label}", daemon=True)
        self._thread.start()

    # ----------------------------------------------------------------- reading
    def _reader(self) -> None:
        try:
            while True:
                raw = self.ws.recv()
                now = time.monotonic()
                obj = None
                if isinstance(raw, str):
                    try:
                        obj = json.loads(raw)
                    except ValueError:
                        obj = None
                with self.cond:
                    self.frames.append(Frame(now, raw, obj))
                    if isinstance(obj, dict):
                        try:
                            self.view.apply(obj)
                        except Exception:  # a malformed frame must not kill the reader
                            pass
                    self.cond.notify_all()
        except ConnectionClosed as e:
            with self.cond:
                self.closed = True
                self.closed_at = time.monotonic()
                rcvd = getattr(e, "rcvd", None)
                self.close_code = rcvd.code if rcvd is not None else None
                self.close_reason = rcvd.reason if rcvd is not None else None
                self.cond.notify_all()
        except Exception as e:  # socket errors etc.
            with self.cond:
                self.closed = True
                self.closed_at = time.monotonic()
                self.close_reason = f"reader error: {e!r}"
                self.cond.notify_all()

    def snapshot(self) -> list[Frame]:
        with self.cond:
            return list(self.frames)

    def describe(self, limit: int = 30) -> str:
        frames = self.snapshot()
        lines = [f"{self.label}: {len(frames)} frames, closed={self.closed} code={self.close_code}"]
        for f in frames[-limit:]:
            text = f.raw if isinstance(f.raw, str) else repr(f.raw)
            lines.append("  " + (text if len(text) < 400 else text[:400] + "..."))
        return "\n".join(lines)

    def wait_for(self, predicate: Callable[[Frame], bool], timeout: float = DEFAULT_TIMEOUT,
                 start: int = 0, what: str = "frame") -> Frame:
        """Return the first frame (index >= start) matching predicate, or fail after timeout."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for f in self.frames[start:]:
                    try:
                        ok = predicate(f)
                    except (KeyError, TypeError, AttributeError, IndexError):
                        ok = False
                    if ok:
                        return f
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.closed and not self._thread.is_alive()):
                    break
                self.cond.wait(min(remaining, 0.05))
        raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{self.describe()}")

    def wait_view(self, predicate: Callable[[View], bool], timeout: float = DEFAULT_TIMEOUT,
                  what: str = "view condition") -> View:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                try:
                    if predicate(self.view):
                        return self.view
                except (KeyError, TypeError, AttributeError, IndexError):
                    pass
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.closed and not self._thread.is_alive()):
                    break
                self.cond.wait(min(remaining, 0.05))
        raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{self.describe()}")

    def wait_closed(self, timeout: float = DEFAULT_TIMEOUT) -> Optional[int]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not self.closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"connection not closed by server within {timeout}s\n{self.describe()}")
                self.cond.wait(min(remaining, 0.05))
            return self.close_code

    def of_type(self, t: str, start: int = 0) -> list[dict]:
        return [f.obj for f in self.snapshot()[start:] if f.type == t]

    def updates(self, start: int = 0) -> list[Frame]:
        return [f for f in self.snapshot()[start:] if f.type == "update"]

    def errors(self, start: int = 0) -> list[dict]:
        return self.of_type("error", start)

    def replies_to(self, rid: Any) -> list[dict]:
        return [f.obj for f in self.snapshot() if is_reply(f, rid)]

    def mark(self) -> int:
        """Index of the next frame to arrive (use as `start`)."""
        with self.cond:
            return len(self.frames)

    # ----------------------------------------------------------------- writing
    def send(self, msg: Any) -> None:
        self.ws.send(msg if isinstance(msg, (str, bytes)) else json.dumps(msg, ensure_ascii=False))

    def send_raw(self, data) -> None:
        self.ws.send(data)

    def request(self, msg: dict, timeout: float = DEFAULT_TIMEOUT) -> dict:
        """Send msg (adding an id if it has none) and return the one reply with that id."""
        msg = dict(msg)
        if "id" not in msg:
            msg["id"] = f"r{next(_ids)}"
        rid = msg["id"]
        start = self.mark()
        self.send(msg)
        f = self.wait_for(lambda f: is_reply(f, rid), timeout, start=start,
                          what=f"reply to {json.dumps(msg)[:200]}")
        return f.obj

    def send_request(self, msg: dict) -> Any:
        """Send without waiting; return the id used."""
        msg = dict(msg)
        if "id" not in msg:
            msg["id"] = f"r{next(_ids)}"
        self.send(msg)
        return msg["id"]

    def reply(self, rid: Any, timeout: float = DEFAULT_TIMEOUT) -> dict:
        return self.wait_for(lambda f: is_reply(f, rid), timeout, what=f"reply to id {rid!r}").obj

    def hello(self, token: str, resume: Optional[dict] = None, timeout: float = DEFAULT_TIMEOUT,
              form: Optional[dict] = None) -> dict:
        """Send hello (with `form`'s fields, e.g. {"posts": "counts"}); return the welcome
        or the error frame that answers it."""
        msg: dict = {"type": "hello", "token": token, **(form or {})}
        if resume is not None:
            msg["resume"] = resume
        start = self.mark()
        self.send(msg)
        f = self.wait_for(lambda f: f.type in ("welcome", "error"), timeout, start=start,
                          what="welcome/error after hello")
        return f.obj

    def ping(self, timeout: float = DEFAULT_TIMEOUT) -> dict:
        return self.request({"type": "ping"}, timeout)

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass
        self._thread.join(timeout=3)


def is_reply(f: Frame, rid: Any) -> bool:
    if f.type not in ("ack", "error", "pong"):
        return False
    got = f.obj.get("id", _MISSING)
    return type(got) is type(rid) and got == rid


_MISSING = object()
