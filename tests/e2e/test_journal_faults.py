"""The journal's disk fails under a running server: an fsync error injected with strace
into the real binary, and a full disk (a small tmpfs). Acks already given stay on disk;
every change after the failure is refused with `unavailable` (never acked); reads keep
working; /healthz says read-only; after --journal-give-up the process exits with 75."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from checks import assert_ack, assert_error
from client import Client

GIVE_UP_S = 3
EXIT_GAVE_UP = 75


# ------------------------------------------------------------------- helpers
def only_reply(client: Client, rid) -> dict:
    """The reply to rid, after a short grace to see that no second reply (an ack after an
    error, say) follows."""
    first = client.reply(rid, timeout=10)
    time.sleep(0.05)
    replies = client.replies_to(rid)
    assert len(replies) == 1, f"request {rid!r} got {len(replies)} replies: {replies}"
    return first


def assert_read_only_health(server, error_part: str) -> dict:
    status, body = server.health()
    assert status == 503, f"/healthz after the journal failed: expected 503, got {status} {body}"
    assert body is not None and body.get("status") == "read-only", body
    j = body.get("journal") or {}
    assert j.get("state") == "read-only", body
    assert error_part in (j.get("error") or ""), \
        f"/healthz journal.error should say {error_part!r}: {body}"
    return body


def assert_reads_work(server, reader: Client, known_post: str) -> dict:
    assert reader.ping().get("type") == "pong"
    t = reader.request({"type": "thread", "post": known_post})
    assert_ack(t, t.get("id"))
    assert t["post"]["id"] == known_post
    w = server.fresh_welcome("employee")  # a brand-new hello still gets its welcome
    assert w["type"] == "welcome"
    return w


def refusals_after_failure(writer: Client, voter: Client, target: str, tag: str) -> list[str]:
    """A post, a vote and a comment right after the failure: each `unavailable`, no ack.
    Returns the texts that were refused."""
    texts = []
    rid = writer.send_request({"type": "post", "text": f"{tag} refused post", "key": f"{tag}-rp"})
    assert_error(only_reply(writer, rid), "unavailable", rid)
    texts.append(f"{tag} refused post")
    rid = voter.send_request({"type": "vote", "post": target, "value": -1})
    assert_error(only_reply(voter, rid), "unavailable", rid)
    rid = writer.send_request({"type": "comment", "post": target, "text": f"{tag} refused comment"})
    assert_error(only_reply(writer, rid), "unavailable", rid)
    texts.append(f"{tag} refused comment")
    return texts


# ------------------------------------------------- a. fsync error via strace
def test_injected_fsync_error_read_only_then_exit_75_and_acks_survive(make_server):
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed (Debian package `strace`)")
    # strace counts fsyncs per thread, and which threads fsync is the server's business:
    # from each thread's 8th fsync on, every fsync fails. Changes go one at a time (each
    # its own group commit) until the first refusal; some are acked before it.
    k = 8
    wrapper = (strace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync",
               "-e", f"inject=fsync:error=EIO:when={k}+")
    s = make_server(start=False, wrapper=wrapper, extra_args=("--journal-give-up", str(GIVE_UP_S)))
    s.start()
    a = s.client(sub="fs-a", name="Fs A")
    b = s.client(sub="fs-b", name="Fs B")
    reader = s.client(sub="fs-r", name="Fs R")

    # one change at a time (each its own fsync) until the first refusal
    acked_posts: dict[str, str] = {}
    acked_votes: dict[str, int] = {}   # b's votes
    acked_comments: dict[str, list] = {}
    refused_texts: list[str] = []
    failed_at = None
    for i in range(5 * k):
        kind = ["post", "vote", "post", "comment"][i % 4] if acked_posts else "post"
        if kind == "post":
            text = f"fsync post {i}"
            msg = {"type": "post", "text": text, "key": f"fs-{i}"}
            c = a
        elif kind == "vote":
            target = sorted(acked_posts)[-1]
            msg = {"type": "vote", "post": target, "value": 1}
            c = b
        else:
            target = sorted(acked_posts)[0]
            text = f"fsync comment {i}"
            msg = {"type": "comment", "post": target, "text": text}
            c = b
        rid = c.send_request(msg)
        r = only_reply(c, rid)
        if r["type"] == "ack":
            if kind == "post":
                acked_posts[r["post"]["id"]] = text
            elif kind == "vote":
                acked_votes[target] = 1
            else:
                acked_comments.setdefault(target, []).append(text)
            continue
        assert_error(r, "unavailable", rid)
        failed_at = time.monotonic()
        if kind in ("post", "comment"):
            refused_texts.append(text)
        break
    assert failed_at is not None, \
        f"no `unavailable` after {5 * k} changes with every fsync from the {k}th failing"
    n_acked = len(acked_posts) + len(acked_votes) + sum(map(len, acked_comments.values()))
    assert n_acked >= 1, "nothing was acked before the injected fault"
    print(f"\nfsync fault: {n_acked} changes acked before the fault "
          f"({len(acked_posts)} posts), then `unavailable`")

    some_post = sorted(acked_posts)[0]
    refused_texts += refusals_after_failure(a, b, some_post, "fs")
    assert time.monotonic() - failed_at < GIVE_UP_S, "the refusal checks took too long"
    body = assert_read_only_health(s, "fsync: Input/output error")
    assert body["journal"]["durable"] == n_acked, \
        f"/healthz durable={body['journal']['durable']}, but {n_acked} changes were acked"
    w = assert_reads_work(s, reader, some_post)
    shown = {p["text"] for p in w["posts"]}
    leaked = [t for t in refused_texts if t in shown]
    if leaked:
        print(f"NOTE: while read-only, a fresh welcome shows changes that were refused with "
              f"`unavailable`: {leaked}")

    # give up: exit 75 after --journal-give-up (retries every 2 s keep failing)
    code = s.wait_exit(timeout=GIVE_UP_S + 7 - (time.monotonic() - failed_at))
    took = time.monotonic() - failed_at
    log = s.log_text()
    assert code is not None, \
        f"the server was still running {took:.1f}s after the fsync failure " \
        f"(--journal-give-up {GIVE_UP_S})\n{log}"
    assert code == EXIT_GAVE_UP, f"expected exit code {EXIT_GAVE_UP}, got {code}\n{log}"
    assert "server.exiting" in log, f"no server.exiting in the log\n{log}"
    print(f"fsync fault: exited {code} {took:.1f}s after the first failure")

    # restart without the fault: every ack is there, nothing refused is
    s.wrapper = ()
    s.start()
    posts = s.all_posts()
    assert {pid: p["text"] for pid, p in posts.items()} == acked_posts, \
        f"after restart: expected exactly the acked posts {acked_posts}, got " \
        f"{ {pid: p['text'] for pid, p in posts.items()} }"
    for pid, p in posts.items():
        assert p["up"] == (1 if acked_votes.get(pid) == 1 else 0) and p["down"] == 0, \
            f"{pid}: up/down {p['up']}/{p['down']}, acked votes {acked_votes}"
        assert [c["text"] for c in p["_comments"]] == acked_comments.get(pid, []), \
            f"{pid}: comments {p['_comments']}, acked {acked_comments.get(pid, [])}"
    wb = s.client(sub="fs-b", name="Fs B").welcome
    assert wb["myVotes"] == acked_votes, f"b's votes after restart {wb['myVotes']}, acked {acked_votes}"
    # and the server takes changes again
    r = assert_ack(s.client(sub="fs-c").request({"type": "post", "id": "n", "text": "after"}), "n")
    assert r["post"]["id"] == f"p{len(acked_posts) + 1}", r


# --------------------------------------------------------- b. full disk
class TmpfsDisk:
    """A small tmpfs mounted for one test, with a filler file to leave little room."""

    def __init__(self, where: Path, size: str = "256k"):
        self.mnt = where
        self.mnt.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(self.mnt)],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            msg = (r.stderr or r.stdout).strip()
            if "permission denied" in msg.lower() or "not permitted" in msg.lower() \
                    or "EPERM" in msg:
                pytest.skip(f"cannot mount a tmpfs here (EPERM): {msg}")
            pytest.fail(f"mount -t tmpfs failed ({r.returncode}): {msg}", pytrace=False)
        self.mounted = True
        self.filler = self.mnt / "filler"

    def free(self) -> int:
        st = os.statvfs(self.mnt)
        return st.f_bavail * st.f_frsize

    def leave_free(self, nbytes: int) -> None:
        room = self.free() - nbytes
        if room > 0:
            with open(self.filler, "wb") as f:
                f.write(b"\0" * room)
                f.flush()
                os.fsync(f.fileno())

    def unfill(self) -> None:
        try:
            self.filler.unlink()
        except FileNotFoundError:
            pass

    def unmount(self) -> None:
        if not self.mounted:
            return
        for _ in range(20):
            r = subprocess.run(["umount", str(self.mnt)], capture_output=True, text=True)
            if r.returncode == 0:
                self.mounted = False
                return
            time.sleep(0.25)
        subprocess.run(["umount", "-l", str(self.mnt)], capture_output=True, text=True)
        self.mounted = False


def fill_until_unavailable(s, tag: str, n_users: int = 24):
    """Many users post long texts and comment until a change is refused. Returns
    (acked posts {id: text}, acked comments [(post, text)], refused texts, time of the
    failure, the clients)."""
    subs = [f"{tag}-u{i}" for i in range(n_users)]
    s.tokens([{"sub": u} for u in subs])
    acked_posts: dict[str, str] = {}
    acked_comments: list[tuple] = []
    refused: list[str] = []
    clients = []
    for ui, sub in enumerate(subs):
        c = s.client(sub=sub)
        clients.append(c)
        plan = ["post", "post", "comment", "comment", "post", "comment", "post", "comment"]
        for j, kind in enumerate(plan):
            if kind == "post":
                text = (f"{tag} post {ui}.{j} " + ("lorem ipsum " * 80)[:900]).strip()
                msg = {"type": "post", "text": text, "key": f"{sub}-{j}"}
            else:
                target = sorted(acked_posts)[-1] if acked_posts else None
                text = (f"{tag} comment {ui}.{j} " + ("dolor sit " * 50)[:450]).strip()
                msg = {"type": "comment", "text": text}
                if target:
                    msg["post"] = target
            rid = c.send_request(msg)
            r = only_reply(c, rid)
            if r["type"] == "ack":
                if kind == "post":
                    acked_posts[r["post"]["id"]] = text
                else:
                    acked_comments.append((msg.get("post"), text))
                continue
            assert_error(r, "unavailable", rid)
            refused.append(text)
            return acked_posts, acked_comments, refused, time.monotonic(), clients
    raise AssertionError(f"the disk never filled: {len(acked_posts)} posts and "
                         f"{len(acked_comments)} comments were all acked")


def check_restart_after_full_disk(s, acked_posts, acked_comments, refused, extra_ok=()):
    posts = s.all_posts()
    got = {pid: p["text"] for pid, p in posts.items()}
    missing = {pid: t[:40] for pid, t in acked_posts.items() if got.get(pid) != t}
    assert not missing, f"acked posts lost after the full disk: {missing}"
    unexpected = {pid: t[:40] for pid, t in got.items()
                  if pid not in acked_posts and t not in extra_ok}
    assert not unexpected, f"posts that were never acked appear after restart: {unexpected}"
    for t in refused:
        assert t not in got.values(), f"a refused post is there after restart: {t[:40]}"
    on_posts = [c["text"] for p in posts.values() for c in p["_comments"]]
    live = [c["text"] for c in s.fresh_welcome("host")["comments"]]
    for target, text in acked_comments:
        assert text in (on_posts if target else live), f"acked comment lost: {text[:40]}"
    for text in refused:
        assert text not in on_posts and text not in live, f"refused comment is there: {text[:40]}"


def test_full_disk_read_only_and_acks_survive(make_server, tmp_path):
    disk = TmpfsDisk(tmp_path / "tmpfs")
    s = None
    try:
        s = make_server(data=disk.mnt / "data", extra_args=("--journal-give-up", "30"))
        disk.leave_free(48 * 1024)
        acked_posts, acked_comments, refused, failed_at, clients = fill_until_unavailable(s, "fd")
        print(f"\nfull disk: {len(acked_posts)} posts and {len(acked_comments)} comments acked, "
              f"then `unavailable`")
        writer, voter = clients[-1], clients[0]
        target = sorted(acked_posts)[0]
        refused += refusals_after_failure(writer, voter, target, "fd")
        assert time.monotonic() - failed_at < 1.8, \
            "the refusal checks took too long (the server retries the disk after 2 s)"
        assert_read_only_health(s, "No space left on device")
        w = assert_reads_work(s, clients[1], target)
        leaked = [t[:30] for t in refused if t in {p["text"] for p in w["posts"]}]
        if leaked:
            print(f"NOTE: while read-only, a fresh welcome shows refused changes: {leaked}")

        code = s.stop()
        assert code == 0, f"SIGTERM on a full disk: expected exit 0, got {code}\n{s.log_text()}"
        disk.unfill()
        s.start()
        check_restart_after_full_disk(s, acked_posts, acked_comments, refused)
        r = assert_ack(s.client(sub="fd-after").request({"type": "post", "id": 1, "text": "room again"}), 1)
        assert r["post"]["id"] == f"p{len(acked_posts) + 1}", r
    finally:
        if s is not None and s.proc is not None and s.proc.poll() is None:
            s.kill9()
        disk.unmount()


def test_full_disk_gives_up_with_exit_75(make_server, tmp_path):
    """Clients keep trying (one small post every 0.3 s) while the disk stays full: the
    server must give up after --journal-give-up and exit 75."""
    disk = TmpfsDisk(tmp_path / "tmpfs")
    s = None
    try:
        s = make_server(data=disk.mnt / "data", extra_args=("--journal-give-up", str(GIVE_UP_S)))
        disk.leave_free(48 * 1024)
        acked_posts, acked_comments, refused, failed_at, clients = fill_until_unavailable(s, "gu")
        for c in clients:
            c.close()
        s.clients = []
        prober_tokens = s.tokens([{"sub": f"gu-probe-{i}"} for i in range(40)])
        timeline = []
        late_acks: dict[str, str] = {}
        deadline = failed_at + GIVE_UP_S + 7
        probe = None
        n = 0
        code = None
        while time.monotonic() < deadline:
            code = s.proc.poll()
            if code is not None:
                break
            t = round(time.monotonic() - failed_at, 1)
            try:
                status, body = s.health(timeout=2)
                state = f"{status}/{(body or {}).get('status')}"
            except OSError as e:
                state = f"healthz error {e!r}"
            try:
                if probe is None or probe.closed:
                    probe = Client(s.ws_url, label="probe")
                    w = probe.hello(prober_tokens[n % len(prober_tokens)])
                    assert w.get("type") == "welcome", w
                text = f"gu probe {n}"
                n += 1
                r = probe.request({"type": "post", "text": text, "key": f"probe-{n}"}, timeout=3)
                outcome = r.get("code") or r["type"]
                if r["type"] == "ack":
                    late_acks[r["post"]["id"]] = text
                else:
                    refused.append(text)
            except Exception as e:  # connection closed by the server, refused, ...
                outcome = f"{type(e).__name__}: {str(e).splitlines()[0][:80]}"
                if probe is not None:
                    probe.close()
                probe = None
            timeline.append(f"t+{t}s healthz={state} post={outcome}")
            time.sleep(0.3)
        if probe is not None:
            probe.close()
        if code is None:
            code = s.wait_exit(timeout=0.5)
        took = time.monotonic() - failed_at
        log_lines = [ln for ln in s.log_text().splitlines()
                     if any(k in ln for k in ("journal.", "server.exiting", "snapshot."))]
        still_running = code is None
        if still_running:
            s.kill9()

        # whatever happened, every ack (also those in the window) is on disk
        disk.unfill()
        s.start()
        check_restart_after_full_disk(s, {**acked_posts, **late_acks}, acked_comments, refused)

        report = "\n  ".join(timeline + ["-- log --"] + log_lines[-30:])
        assert not still_running, \
            f"the disk stayed full but the server was still running {took:.1f}s after the " \
            f"first failure (--journal-give-up {GIVE_UP_S}); expected exit {EXIT_GAVE_UP}. " \
            f"Timeline:\n  {report}"
        assert code == EXIT_GAVE_UP, f"expected exit {EXIT_GAVE_UP}, got {code}:\n  {report}"
    finally:
        if s is not None and s.proc is not None and s.proc.poll() is None:
            s.kill9()
        disk.unmount()
