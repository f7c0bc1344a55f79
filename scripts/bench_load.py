#!/usr/bin/env python3
"""The company-scale benchmark: `townhall load` against townhall (one and two service
threads) and against the plain-C libwebsockets peer (bench/peer), one after the other on
this machine, with the server's own CPU and memory read from /proc.

For each server and each connection count it prints and records:
- idle: the server's CPU (cores) and memory per connection with everyone connected and
  nothing happening;
- traffic (voters voting, the host announcing latency markers): frames delivered per
  server CPU-second, delivery p50/p99/p99.9, ack p99, losses, closes, memory growth;
- `--join` N: N connecting at once (ramp 0): the time until all are welcomed.
- `--restart` N: townhall stopped (SIGTERM) and started again on the same port and data
  with N connected through `townhall load --reconnect`: the time until all are back,
  and the closes (none may be 4009).
- `--idle-check` N: N connected and silent for 75 s, through two rounds of the server's
  30 s idle pings, its CPU every 5 s.

A benchmark, not a test: it prints figures and says which targets were met; it fails
only if a run could not be made. `--short` is the form CI runs (small, a few seconds
each); the full form is run by hand (docs/benchmarks.md).
"""
import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

TICKS = os.sysconf("SC_CLK_TCK")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def wait_port(port, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not listen in time")


class Target:
    """A server to measure: its command line for a port and a data folder."""

    def __init__(self, name, command):
        self.name, self.command = name, command

    def start(self, data, port=None):
        port = port or free_port()
        process = subprocess.Popen(self.command(port, data), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   cwd=ROOT)
        wait_port(port, process)
        time.sleep(0.5)
        return process, port


def townhall(binary, threads, extra=()):
    return Target(f"townhall, {threads} service thread{'s' if threads > 1 else ''}", lambda port, data: [
        binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--data", data, "--web", os.path.join(ROOT, "Web"),
        "--log-level", "error", "--service-threads", str(threads), *extra])


def peer(binary):
    return Target("plain-C lws peer", lambda port, data: [binary, "--port", str(port)])


def run_load(binary, port, data, args, server_pid, on_phase=None):
    """Runs `townhall load`, sampling the server at its phase lines (and calling
    `on_phase(name)` on another thread); returns the report and the samples."""
    command = [binary, "load", "--url", f"ws://127.0.0.1:{port}/ws", "--data", data, "--json", *args]
    def sample():
        return time.monotonic(), cpu_seconds(server_pid), rss_kib(server_pid)

    def settle():
        try:
            samples.setdefault("settled", sample())
        except FileNotFoundError:
            pass  # the run was over before the join settled

    samples = {"start": sample()}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    out = []
    reader = threading.Thread(target=lambda: out.append(process.stdout.read()))
    reader.start()
    errors = []
    for line in process.stderr:
        words = line.split()
        if len(words) == 2 and words[0] == "phase":
            try:
                samples[words[1]] = sample()
            except FileNotFoundError:
                pass  # the server is being restarted
            if on_phase:
                threading.Thread(target=on_phase, args=(words[1],)).start()
            if words[1] == "welcomed":
                # Idle is read from 3 s after the last welcome, when the join has settled.
                threading.Timer(3.0, settle).start()
        else:
            errors.append(line.rstrip())
    process.wait()
    reader.join()
    if process.returncode != 0:
        raise SystemExit(f"townhall load failed ({process.returncode}): " + "\n".join(errors[-10:]))
    return json.loads(out[0]), samples


@contextlib.contextmanager
def data_folder(load_binary, prefix):
    """A fresh data folder with its signing secret (made by `townhall token`), removed after."""
    data = tempfile.mkdtemp(prefix=prefix)
    try:
        subprocess.run([load_binary, "token", "--data", data, "--sub", "x", "--name", "x", "--office", "x",
                        "--role", "host"], check=True, capture_output=True)
        yield data
    finally:
        shutil.rmtree(data, ignore_errors=True)


def stop(process, timeout=10):
    """SIGTERM, and SIGKILL if it has not exited within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def ms(latency, key):
    return latency[key] if latency else float("nan")


def measure(target, load_binary, connections, options):
    with data_folder(load_binary, "bench-load-") as data:
        process, port = target.start(data)
        try:
            base = rss_kib(process.pid)
            args = ["--connections", str(connections), "--voters", str(options.voters), "--vote-rate", str(options.vote_rate),
                    "--announce-rate", str(options.announce_rate), "--duration", str(options.duration),
                    "--idle", str(options.idle), "--drain", str(options.drain), "--ranks", options.ranks,
                    "--post-updates", options.post_updates]
            report, samples = run_load(load_binary, port, data, args, process.pid)
            end = (time.monotonic(), cpu_seconds(process.pid), rss_kib(process.pid))
        finally:
            stop(process)
    result = {"server": target.name, "connections": connections, "report": report}
    if "settled" in samples and "traffic" in samples:
        (t0, c0, r0), (t1, c1, _) = samples["settled"], samples["traffic"]
        result["idleCores"] = (c1 - c0) / (t1 - t0) if t1 > t0 else float("nan")
        result["idleKiBPerConnection"] = (r0 - base) / connections
        result["idleRssKiB"] = r0
    if "traffic" in samples and "drain" in samples:
        (t1, c1, _), (t2, c2, r2) = samples["traffic"], samples["drain"]
        frames = report["received"]["total"]["frames"]
        result["trafficCores"] = (c2 - c1) / (t2 - t1)
        result["framesPerCpuSecond"] = frames / (c2 - c1) if c2 > c1 else float("nan")
        result["stormEndRssKiB"] = r2
    result["endRssKiB"] = end[2]
    return result


def join_storm(target, load_binary, connections):
    with data_folder(load_binary, "bench-join-") as data:
        process, port = target.start(data)
        try:
            report, _ = run_load(load_binary, port, data, ["--connections", str(connections), "--voters", "0",
                                                           "--announce-rate", "0", "--ramp", "0", "--duration", "1",
                                                           "--drain", "1"], process.pid)
        finally:
            stop(process)
    return {"server": target.name, "connections": connections, "allWelcomedSeconds": report.get("allWelcomedSeconds"),
            "welcomed": report["connections"]["welcomed"], "report": report}


def restart(target, load_binary, connections, short):
    """N connected with --reconnect; 2 s into the traffic phase the server is stopped and
    started again on the same port and data; the report says when all were back."""
    state = {}
    with data_folder(load_binary, "bench-restart-") as data:
        process, port = target.start(data)
        state["process"] = process

        def bounce(phase):
            if phase != "traffic":
                return
            time.sleep(2)
            stopped = time.monotonic()
            stop(state["process"], timeout=30)
            state["stopSeconds"] = time.monotonic() - stopped
            state["process"], _ = target.start(data, port)
            state["downSeconds"] = time.monotonic() - stopped

        try:
            report, _ = run_load(load_binary, port, data, [
                "--connections", str(connections), "--voters", "0", "--announce-rate", "1",
                "--duration", "15" if short else "40", "--drain", "2", "--reconnect"], process.pid, on_phase=bounce)
        finally:
            stop(state["process"])
    return {"server": target.name, "connections": connections, "downSeconds": state.get("downSeconds"),
            "stopSeconds": state.get("stopSeconds"),
            "reconnects": report.get("reconnects"), "closeCodes": report["connections"]["closeCodes"], "report": report}


def reaction_storm(target, load_binary, connections, rate, short):
    """N connected, the host announcing markers; the watchers react at `rate` a second (0:
    the baseline). Server cores in the traffic phase, and from each reaction to the next
    update carrying counts at its sender."""
    with data_folder(load_binary, "bench-react-") as data:
        process, port = target.start(data)
        try:
            report, samples = run_load(load_binary, port, data, [
                "--connections", str(connections), "--voters", "0", "--announce-rate", "5", "--reaction-rate", str(rate),
                "--duration", "6" if short else "20", "--idle", "3" if short else "5", "--drain", "2"], process.pid)
        finally:
            stop(process)
    result = {"server": target.name, "connections": connections, "rate": rate, "report": report}
    if "traffic" in samples and "drain" in samples:
        (t1, c1, _), (t2, c2, _) = samples["traffic"], samples["drain"]
        result["trafficCores"] = (c2 - c1) / (t2 - t1)
    return result


def idle_check(target, load_binary, connections, hold, window):
    """N connected and silent for `hold` seconds, through at least two rounds of the
    server's idle pings, its CPU read every `window` seconds: what idle costs with the
    pings in (the traffic runs' idle window ends before the first ping)."""
    cores, done = [], threading.Event()

    def sample(pid):
        while not done.is_set():
            t0, c0 = time.monotonic(), cpu_seconds(pid)
            if done.wait(window):
                break
            cores.append((cpu_seconds(pid) - c0) / (time.monotonic() - t0))

    with data_folder(load_binary, "bench-idle-") as data:
        process, port = target.start(data)

        def on_phase(phase):
            if phase == "welcomed" and not done.wait(3):  # as the traffic runs do: the join settles first
                sample(process.pid)
            elif phase == "traffic":
                done.set()

        try:
            report, _ = run_load(load_binary, port, data, [
                "--connections", str(connections), "--voters", "0", "--announce-rate", "0", "--duration", "1",
                "--idle", str(hold), "--drain", "1"], process.pid, on_phase=on_phase)
        finally:
            done.set()
            stop(process)
    return {"server": target.name, "connections": connections, "windowSeconds": window, "cores": cores,
            "closed": report["connections"].get("closed", 0), "report": report}


def line(result):
    r = result["report"]
    delivery, ack = r.get("delivery"), r.get("ack")
    markers, conns = r["markers"], r["connections"]
    return (f"| {result['server']} | {result['connections']:,} | {result.get('idleCores', float('nan')):.3f} | "
            f"{result.get('idleKiBPerConnection', float('nan')):.2f} | {result.get('framesPerCpuSecond', float('nan')):,.0f} | "
            f"{ms(delivery, 'p50Ms'):.0f} / {ms(delivery, 'p99Ms'):.0f} / {ms(delivery, 'p999Ms'):.0f} | "
            f"{ms(ack, 'p50Ms'):.0f} / {ms(ack, 'p99Ms'):.0f} | {markers['missed']} | {r['updates']['missed']} | "
            f"{conns.get('closed', 0)} | {r['generator']['coresInTraffic']:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release/townhall"))
    parser.add_argument("--peer", help="the plain-C peer binary (built from bench/peer if absent)")
    parser.add_argument("--connections", default="1000,5000,18000", help="connection counts for the traffic runs (empty: none)")
    parser.add_argument("--threads", default="1,2", help="townhall service threads to measure, e.g. 1,2")
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--vote-rate", type=float, default=2000)
    parser.add_argument("--announce-rate", type=float, default=5)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--idle", type=float, default=15)
    parser.add_argument("--drain", type=float, default=5)
    parser.add_argument("--join", type=int, default=10000, help="connections for the join storm (0: none)")
    parser.add_argument("--ranks", default="changes", choices=["changes", "full"], help="how the load takes ranks in updates")
    parser.add_argument("--post-updates", default="counts", choices=["counts", "full"],
                        help="how the load takes changed posts in updates (the peer ignores it and always sends them whole)")
    parser.add_argument("--restart", type=int, default=18000, help="connections held through a restart (0: none)")
    parser.add_argument("--reactions", type=int, default=18000, help="connections for the reaction storm (0: none)")
    parser.add_argument("--reaction-rate", type=float, default=5000, help="reactions a second in the storm")
    parser.add_argument("--idle-check", type=int, default=18000,
                        help="connections held silent through two rounds of idle pings, the server's CPU sampled (0: none)")
    parser.add_argument("--short", action="store_true", help="the CI form: 1,000 connections, a few seconds each")
    parser.add_argument("--json-out", help="also write every result here")
    options = parser.parse_args()
    if options.short:
        options.connections, options.duration, options.idle, options.drain, options.join = "1000", 8, 6, 3, 2000
        options.restart, options.reactions, options.reaction_rate = 1000, 1000, 1000
        options.idle_check = 1000
    peer_binary = options.peer or os.path.join(tempfile.gettempdir(), "townhall-bench-peer")
    if not os.path.exists(peer_binary):
        subprocess.run([os.path.join(ROOT, "bench/peer/build.sh"), peer_binary], check=True, cwd=ROOT)
    targets = [peer(peer_binary)] + [townhall(options.bin, int(t)) for t in options.threads.split(",")]
    results = []
    print("| server | connections | idle cores | idle KiB/conn | frames per server CPU-s | delivery p50/p99/p99.9 ms | "
          "ack p50/p99 ms | markers missed | update gaps | closed | load generator cores |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for connections in [int(n) for n in options.connections.split(",") if n.strip()]:
        for target in targets:
            result = measure(target, options.bin, connections, options)
            results.append(result)
            print(line(result), flush=True)
    joins = []
    if options.join:
        print(f"\n{options.join:,} connecting at once (ramp 0):")
        for target in targets:
            result = join_storm(target, options.bin, options.join)
            joins.append(result)
            print(f"  {result['server']}: {result['welcomed']:,} welcomed, all in {result['allWelcomedSeconds']:.2f} s", flush=True)
    restarts = []
    if options.restart:
        target = townhall(options.bin, max(int(t) for t in options.threads.split(",")))
        result = restart(target, options.bin, options.restart, options.short)
        restarts.append(result)
        r = result["reconnects"] or {}
        back, codes = r.get("backAfter") or {}, result["closeCodes"]
        seconds = r.get("allBackSeconds")
        met = seconds is not None and seconds <= 20 and r.get("stillOut") == 0 and "4009" not in codes
        print(f"\n{options.restart:,} connected through a restart of {target.name} (down {result['downSeconds'] or float('nan'):.2f} s, of which stopping {result['stopSeconds'] or float('nan'):.2f} s): "
              f"{r.get('back', 0):,} of {r.get('dropped', 0):,} back ({r.get('recovered', 0):,} recovered, {r.get('fresh', 0):,} fresh), "
              f"{r.get('stillOut', 0):,} still out, all back in {seconds if seconds is not None else float('nan'):.2f} s after the first loss, "
              f"back p50/p99/max {ms(back, 'p50Ms'):.0f} / {ms(back, 'p99Ms'):.0f} / {ms(back, 'maxMs'):.0f} ms, closes {codes} "
              f"(target all back within 20 s, no 4009: {'met' if met else 'missed'})", flush=True)
    storms = []
    if options.reactions:
        target = townhall(options.bin, max(int(t) for t in options.threads.split(",")))
        print(f"\nreaction storm, {options.reactions:,} connected on {target.name}, markers 5/s:")
        for rate in (0, options.reaction_rate):
            result = reaction_storm(target, options.bin, options.reactions, rate, options.short)
            storms.append(result)
            r = result["report"]
            reactions = r.get("reactions") or {}
            counts = reactions.get("delivery") or {}
            print(f"  {rate:,.0f} reactions/s: server {result.get('trafficCores', float('nan')):.2f} cores, "
                  f"marker delivery p50/p99 {ms(r.get('delivery'), 'p50Ms'):.0f} / {ms(r.get('delivery'), 'p99Ms'):.0f} ms, "
                  + (f"reactions sent {reactions.get('sent', 0):,} counted {reactions.get('counted', 0):,}, "
                     f"reaction to counts p50/p99 {ms(counts, 'p50Ms'):.0f} / {ms(counts, 'p99Ms'):.0f} ms, " if rate else "")
                  + f"closed {r['connections'].get('closed', 0)}, load generator {r['generator']['coresInTraffic']:.2f} cores", flush=True)
    idles = []
    if options.idle_check:
        # The server's own ping interval, shortened for the CI form: 2 s, hang-up at 5.
        ping, hold, window = (2, 12, 1.0) if options.short else (30, 75, 5.0)
        extra = ("--idle-ping", str(ping), "--idle-hangup", str(ping * 2 + 1)) if options.short else ()
        target = townhall(options.bin, max(int(t) for t in options.threads.split(",")), extra)
        result = idle_check(target, options.bin, options.idle_check, hold, window)
        idles.append(result)
        cores = result["cores"] or [float("nan")]
        average, peak = sum(cores) / len(cores), max(cores)
        print(f"\n{options.idle_check:,} idle for {hold} s on {target.name} (pings every {ping} s), server cores per {window:g} s: "
              + " ".join(f"{c:.3f}" for c in cores)
              + f"; average {average:.3f}, highest {peak:.3f}, closed {result['closed']} "
              f"(target under 0.02: {'met' if average < 0.02 else 'missed'} on average, {'met' if peak < 0.02 else 'missed'} at the highest)",
              flush=True)
    print("\nratios in this run (frames delivered per server CPU-second, townhall / plain-C peer):")
    for connections in sorted({r["connections"] for r in results}):
        base = next(r for r in results if r["connections"] == connections and r["server"] == targets[0].name)
        for r in results:
            if r["connections"] == connections and r is not base:
                ratio = r.get("framesPerCpuSecond", float("nan")) / base.get("framesPerCpuSecond", float("nan"))
                print(f"  {connections:,}: {r['server']}: {ratio:.2f} (target 0.90: {'met' if ratio >= 0.9 else 'missed'})")
    if options.json_out:
        with open(options.json_out, "w") as f:
            json.dump({"runs": results, "joins": joins, "restarts": restarts, "reactionStorms": storms, "idleChecks": idles}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
