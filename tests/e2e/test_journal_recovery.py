"""Start-up recovery of the disk journal: a torn last record is cut off, damage in the
middle stops start-up until `townhall repair`, snapshots plus a clean stop keep
everything, and a post retried with its key after a crash is not duplicated."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import time
import zlib
from pathlib import Path

import pytest

from checks import assert_ack, assert_error

MARKER = 0xA7
HEADER = 9  # marker, u32 LE length, u32 LE CRC-32 over (length bytes + payload)


# ------------------------------------------------------------------- helpers
def parse_frames(data: bytes) -> list[dict]:
    """Every record of a journal segment: offset, end, payload. Stops at the first
    byte that is not a whole, intact record."""
    out = []
    off = 0
    while off + HEADER <= len(data) and data[off] == MARKER:
        length, crc = struct.unpack_from("<II", data, off + 1)
        end = off + HEADER + length
        if end > len(data):
            break
        payload = data[off + HEADER:end]
        if zlib.crc32(data[off + 1:off + 5] + payload) & 0xFFFFFFFF != crc:
            break
        out.append({"offset": off, "end": end, "payload": payload})
        off = end
    return out


def segments(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob("journal-*.log"))


def snapshots(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob("snapshot-*.json"))


def number_in(name: str) -> int:
    return int(re.search(r"(\d{16})", name).group(1))


def only_segment(data_dir: Path) -> Path:
    segs = segments(data_dir)
    assert len(segs) == 1, f"expected one journal segment, found {[p.name for p in segs]}"
    assert segs[0].name == "journal-0000000000000000.log", segs[0].name
    return segs[0]


def post_texts(server, role: str = "host") -> dict:
    """id -> text of every post in a fresh welcome (the tests keep well under 100 posts)."""
    return {p["id"]: p["text"] for p in server.fresh_welcome(role)["posts"]}


def thread(client, pid: str) -> dict:
    return client.request({"type": "thread", "post": pid})


def wait_snapshot(server, at_least: int, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        status, body = server.health()
        last = (status, body)
        snap = (body or {}).get("lastSnapshot")
        if status == 200 and snap and snap.get("records", 0) >= at_least:
            return body
        time.sleep(0.05)
    raise AssertionError(f"no snapshot covering >= {at_least} records within {timeout}s "
                         f"(last /healthz: {last})")


def current_log(server) -> str:
    return server.log_path.read_text(errors="replace")


def post_n(client, n: int, prefix: str) -> list[tuple[str, str]]:
    """n acked posts, one at a time (each its own fsync): [(id, text)]."""
    out = []
    for i in range(n):
        text = f"{prefix} {i}"
        rid = f"{prefix}-{i}"
        r = assert_ack(client.request({"type": "post", "id": rid, "text": text}), rid)
        out.append((r["post"]["id"], text))
    return out


# ------------------------------------------------------------- a. torn tail
@pytest.mark.parametrize("variant", ["header-only", "short-payload", "garbage-header"])
def test_torn_tail_is_cut_and_startup_goes_on(make_server, variant):
    s = make_server()
    a = s.client(sub="torn-a", name="Torn A")
    acked = post_n(a, 3, f"torn {variant}")
    assert [pid for pid, _ in acked] == ["p1", "p2", "p3"], acked
    s.kill9()

    seg = only_segment(s.data)
    data = seg.read_bytes()
    frames = parse_frames(data)
    assert len(frames) == 3 and frames[-1]["end"] == len(data), \
        f"the journal should hold exactly the 3 acked records as framed in the docs; " \
        f"parsed {len(frames)} records over {frames[-1]['end'] if frames else 0} of {len(data)} bytes"
    for f in frames:
        json.loads(f["payload"])  # each payload is the JSON of one request
    last = frames[-1]
    if variant == "header-only":
        # the first 6 bytes of a valid frame: marker, length, one byte of the CRC
        tail = data[last["offset"]:last["offset"] + 6]
    elif variant == "short-payload":
        # a whole valid header whose payload stops short (a write cut off midway)
        tail = data[last["offset"]:last["end"] - 7]
    else:
        # something that looks like a record header, promising more than is there
        tail = bytes([MARKER]) + struct.pack("<I", 300) + b"\x12\x34\x56\x78" + b'{"actor":{"i'
    with open(seg, "ab") as f:
        f.write(tail)
    torn_len = len(tail)

    s.start()
    log = current_log(s)
    m = re.search(r"bytes=(\d+).*journal\.torn_tail_cut|journal\.torn_tail_cut.*bytes=(\d+)", log)
    assert "journal.torn_tail_cut" in log, f"no journal.torn_tail_cut in the start-up log:\n{log}"
    if m:
        cut = int(m.group(1) or m.group(2))
        assert cut == torn_len, f"log says {cut} torn bytes were cut, {torn_len} were appended"
    assert post_texts(s) == dict(acked), "every acked post (and only those) after the torn tail cut"
    assert seg.stat().st_size == len(data), \
        f"the torn tail should be cut off the file: {seg.stat().st_size} bytes, expected {len(data)}"

    # appends go on cleanly after the cut: a new post, another crash, nothing torn now
    b = s.client(sub="torn-b", name="Torn B")
    r = assert_ack(b.request({"type": "post", "id": "after", "text": "after the cut"}), "after")
    assert r["post"]["id"] == "p4", r
    s.kill9()
    s.start()
    log2 = current_log(s)
    assert "journal.torn_tail_cut" not in log2, f"a second torn tail after a clean append:\n{log2}"
    assert post_texts(s) == dict(acked + [("p4", "after the cut")])
    frames2 = parse_frames(seg.read_bytes())
    assert len(frames2) == 4 and frames2[-1]["end"] == seg.stat().st_size


# ---------------------------------------------------------- b. corrupt middle
def test_corrupt_middle_refuses_start_until_repair(make_server):
    s = make_server()
    a = s.client(sub="cm-a", name="Cm A")
    acked = post_n(a, 5, "middle")
    s.kill9()

    seg = only_segment(s.data)
    data = bytearray(seg.read_bytes())
    frames = parse_frames(bytes(data))
    assert len(frames) == 5 and frames[-1]["end"] == len(data), \
        f"expected 5 records filling the file, parsed {len(frames)}"
    second = frames[1]
    flip_at = second["offset"] + HEADER + len(second["payload"]) // 2
    data[flip_at] ^= 0x20
    seg.write_bytes(bytes(data))
    original = bytes(data)

    t0 = time.monotonic()
    r = s.run_serve(timeout=15)
    took = time.monotonic() - t0
    assert r.returncode == 2, \
        f"start-up on a journal damaged in the middle: expected exit code 2, got " \
        f"{r.returncode}\nstdout: {r.stdout[-2000:]}\nstderr: {r.stderr[-2000:]}"
    assert took < 5, f"refusing to start took {took:.1f}s"
    err = r.stderr
    assert seg.name in err, f"stderr should name the damaged file {seg.name}: {err!r}"
    assert re.search(rf"\b{second['offset']}\b", err), \
        f"stderr should name the byte offset {second['offset']} (start of the damaged " \
        f"2nd record): {err!r}"
    assert "townhall repair" in err and "--data" in err, \
        f"stderr should give the `townhall repair --data DIR` command: {err!r}"
    assert str(s.data) in err, f"the repair command should name the data folder: {err!r}"

    bin_path = s.serve_args()[0]
    rep = subprocess.run([bin_path, "repair", "--data", str(s.data)], capture_output=True,
                         text=True, timeout=30)
    assert rep.returncode == 0, f"repair failed ({rep.returncode}): {rep.stdout}\n{rep.stderr}"
    out = rep.stdout
    print(f"\nrepair said: {out.strip()}")
    assert seg.name in out and str(second["offset"]) in out, \
        f"repair should say where it cut: {out!r}"
    damaged = [p for p in s.data.iterdir() if p.is_dir() and p.name.startswith("damaged-")]
    assert len(damaged) == 1, f"expected one damaged-* folder, found {list(s.data.iterdir())}"
    assert damaged[0].name in out, f"repair should name where the bytes went: {out!r}"
    kept = b"".join(p.read_bytes() for p in sorted(damaged[0].rglob("*")) if p.is_file())
    assert kept == original[second["offset"]:], \
        f"the damaged bytes ({len(original) - second['offset']} from offset " \
        f"{second['offset']}) should be kept aside; found {len(kept)} bytes"
    assert seg.read_bytes() == original[:second["offset"]], "the segment should end at the first record"

    s.start()
    assert post_texts(s) == dict(acked[:1]), "after repair: exactly the first record's post"
    h = s.client(sub="cm-h", role="host")
    assert_error(thread(h, "p2"), "not_found")
    r = assert_ack(s.client(sub="cm-b").request({"type": "post", "id": 9, "text": "next"}), 9)
    assert r["post"]["id"] == "p2", r
    # and the repaired journal now reads cleanly on another crash
    s.kill9()
    s.start()
    assert post_texts(s) == {"p1": acked[0][1], "p2": "next"}


# -------------------------------------------------- c. snapshot + clean stop
def test_snapshot_then_sigterm_keeps_everything(make_server):
    s = make_server(extra_args=("--snapshot-every", "1"))
    a = s.client(sub="sn-a", name="Sn A")
    b = s.client(sub="sn-b", name="Sn B")
    host = s.client(sub="sn-h", role="host", name="Sn H")
    p1 = assert_ack(a.request({"type": "post", "id": "1", "text": "before snapshot 1", "key": "k1"}), "1")["post"]["id"]
    p2 = assert_ack(a.request({"type": "post", "id": "2", "text": "before snapshot 2"}), "2")["post"]["id"]
    assert_ack(b.request({"type": "vote", "id": "v1", "post": p1, "value": 1}), "v1")
    assert_ack(b.request({"type": "vote", "id": "v2", "post": p2, "value": -1}), "v2")
    assert_ack(b.request({"type": "comment", "id": "c1", "post": p1, "text": "first comment"}), "c1")
    assert_ack(host.request({"type": "announce", "id": "an1", "text": "announced early"}), "an1")
    body = wait_snapshot(s, at_least=1)
    first_snapshot = body["lastSnapshot"]["records"]
    assert first_snapshot >= 1

    # more after the snapshot
    p3 = assert_ack(b.request({"type": "post", "id": "3", "text": "after snapshot", "key": "k3"}), "3")["post"]["id"]
    assert_ack(b.request({"type": "vote", "id": "v3", "post": p1, "value": -1}), "v3")  # changed vote
    assert_ack(a.request({"type": "vote", "id": "v4", "post": p3, "value": 1}), "v4")
    assert_ack(a.request({"type": "comment", "id": "c2", "text": "a live comment"}), "c2")
    assert_ack(host.request({"type": "announce", "id": "an2", "text": "announced late"}), "an2")
    status, body = s.health()
    appended = body["journal"]["appended"]
    assert body["journal"]["durable"] == appended, body

    watchers = [a, b, host]
    for c in watchers:
        s.clients.remove(c)  # stop() would close them first; we want to see the server's close
    code = s.stop()
    assert code == 0, f"SIGTERM should exit 0, got {code}\n{s.log_text()}"
    for c in watchers:
        got = c.wait_closed(timeout=5)
        assert got == 1001, f"{c.label}: expected close 1001 on shutdown, got {got} ({c.close_reason!r})"
        c.close()

    snaps = snapshots(s.data)
    assert len(snaps) == 1, f"expected one snapshot after a clean stop, found {[p.name for p in snaps]}"
    covered = number_in(snaps[0].name)
    assert covered == appended, f"the final snapshot covers {covered} records, {appended} were appended"
    segs = segments(s.data)
    assert segs, "no journal segment after the snapshot"
    before = [p.name for p in segs if number_in(p.name) < covered]
    assert not before, f"journal segments older than the snapshot were kept: {before}"
    leftovers = [p.name for p in s.data.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers, f"temporary files left behind: {leftovers}"

    s.start()
    assert re.search(rf"snapshot\.records={covered}\b", current_log(s)), \
        f"start-up should load the snapshot covering {covered} records:\n{current_log(s)}"
    w = s.fresh_welcome("host")
    posts = {p["id"]: p for p in w["posts"]}
    assert set(posts) == {p1, p2, p3}, posts
    assert (posts[p1]["text"], posts[p1]["up"], posts[p1]["down"], posts[p1]["comments"]) == \
        ("before snapshot 1", 0, 1, 1), posts[p1]
    assert (posts[p2]["up"], posts[p2]["down"]) == (0, 1), posts[p2]
    assert (posts[p3]["text"], posts[p3]["up"], posts[p3]["down"]) == ("after snapshot", 1, 0), posts[p3]
    assert [x["text"] for x in w["announcements"]] == ["announced late", "announced early"], w["announcements"]
    assert "a live comment" in [c["text"] for c in w["comments"]], w["comments"]
    wb = s.client(sub="sn-b", name="Sn B").welcome
    assert wb["myVotes"] == {p1: -1, p2: -1}, wb["myVotes"]
    wa = s.client(sub="sn-a", name="Sn A").welcome
    assert wa["myVotes"] == {p3: 1}, wa["myVotes"]
    h2 = s.client(sub="sn-h2", role="host")
    t = assert_ack(h2.request({"type": "thread", "id": "t", "post": p1}), "t")
    assert [c["text"] for c in t["comments"]] == ["first comment"], t
    # keys survive the snapshot: a retry returns the same post
    again = s.client(sub="sn-a", name="Sn A")
    r = assert_ack(again.request({"type": "post", "id": "r", "text": "before snapshot 1", "key": "k1"}), "r")
    assert r["post"]["id"] == p1, f"retry with key k1 after snapshot+restart made {r['post']['id']}, expected {p1}"
    nxt = assert_ack(again.request({"type": "post", "id": "n", "text": "new after restart"}), "n")
    assert nxt["post"]["id"] == "p4", nxt


# ------------------------------------------------------------ d. retry safety
@pytest.mark.parametrize("where", ["journal", "snapshot"])
def test_post_retry_with_key_after_kill9_is_not_duplicated(make_server, where):
    extra = ("--snapshot-every", "1") if where == "snapshot" else ()
    s = make_server(extra_args=extra)
    a = s.client(sub="rt-a", name="Rt A")
    assert_ack(a.request({"type": "post", "id": "x", "text": "someone else's first"}), "x")
    msg = {"type": "post", "text": "retry me", "key": "K-retry-1"}
    first = assert_ack(a.request(dict(msg, id="first")), "first")["post"]
    assert first["id"] == "p2"
    if where == "snapshot":
        wait_snapshot(s, at_least=2)
    s.kill9()  # right after the ack
    s.start()
    if where == "snapshot":
        assert re.search(r"snapshot\.records=2\b", current_log(s)), \
            f"expected start-up from the snapshot covering 2 records:\n{current_log(s)}"
    a2 = s.client(sub="rt-a", name="Rt A")
    again = assert_ack(a2.request(dict(msg, id="again")), "again")["post"]
    assert again["id"] == first["id"], \
        f"post retried with key K after kill -9 got id {again['id']}, first ack said {first['id']}"
    assert again["text"] == "retry me"
    texts = post_texts(s)
    assert list(texts.values()).count("retry me") == 1, f"duplicate post after retry: {texts}"
    assert set(texts) == {"p1", "p2"}, texts
    # the key is per user: another user with the same key gets a post of their own
    other = s.client(sub="rt-b", name="Rt B")
    r = assert_ack(other.request(dict(msg, id="other")), "other")["post"]
    assert r["id"] == "p3", r
