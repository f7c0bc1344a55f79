#!/usr/bin/env bash
# Sets up and runs every test: the Swift tests (plain, under ThreadSanitizer and under
# AddressSanitizer), the pages' unit tests, the end-to-end suite (real server over
# loopback, real WebSocket clients, nginx as a trusted proxy, headless Chromium for the
# pages, a real OpenID provider, a shutdown under AddressSanitizer), the Autobahn
# conformance suite, then the benchmarks and the soak in their short forms.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

# Each stage says how long the run has taken so far, so a slow stage shows in the log.
stage() { printf "== [%dm%02ds] %s\n" $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

stage "swift test"
swift build --build-tests
swift test --skip-build

stage "pages: unit tests (node)"
node --test tests/web/

# The two sanitizer builds compile while the end-to-end suite runs. That suite mostly waits
# on sockets and browsers (it keeps about a third of the two cores busy); at the lowest CPU
# and I/O priority the builds take only what it leaves (the suite took 13 min 54 s beside
# them, 12 min 45 s alone). The sanitized tests themselves run afterwards, alone.
stage "sanitizer builds start in the background (idle priority)"
sanitizer_log="${TMPDIR:-/tmp}/townhall-sanitizer-builds.$$.log"
setsid -w nice -n 19 ionice -c 3 bash -c '
    swift build --build-tests --sanitize=thread --scratch-path .build-tsan &&
    swift build --build-tests --sanitize=address --scratch-path .build-asan' >"$sanitizer_log" 2>&1 &
sanitizer_builds=$!
trap 'kill -- -"$sanitizer_builds" 2>/dev/null || true' EXIT  # its own process group (setsid)

stage "end-to-end (real server, real WebSocket clients, loopback)"
swift build --product townhall
export TOWNHALL_BIN="$PWD/.build/debug/townhall"
python3 -m pytest -q tests/e2e -p no:cacheprovider --durations=15 --ignore tests/e2e/test_shutdown.py

stage "sanitizer builds: waiting for them to finish"
if ! wait "$sanitizer_builds"; then
    tail -50 "$sanitizer_log"
    echo "test: a sanitizer build failed (log above)" >&2
    exit 1
fi
grep -E '^Build complete' "$sanitizer_log" || true
rm -f "$sanitizer_log"

stage "swift test under ThreadSanitizer"
swift test --skip-build --sanitize=thread --scratch-path .build-tsan

stage "swift test under AddressSanitizer (and LeakSanitizer)"
LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp" swift test --skip-build --sanitize=address --scratch-path .build-asan

stage "end-to-end: shutdown of the server built with AddressSanitizer"
TOWNHALL_SHUTDOWN_BIN="$PWD/.build-asan/debug/townhall" python3 -m pytest -q tests/e2e/test_shutdown.py -p no:cacheprovider

stage "WebSocket conformance (Autobahn, plain and TLS, debug build)"
scripts/autobahn.sh --bin "$TOWNHALL_BIN"

stage "benchmark: fan-out under a vote burst"
python3 scripts/bench_fanout.py --bin "$TOWNHALL_BIN"

stage "benchmark: company scale against the plain-C peer (short form, debug build; docs/benchmarks.md for the full run)"
python3 scripts/bench_load.py --short --bin "$TOWNHALL_BIN"

stage "benchmark: journal, group commit against fsync per record"
swift build --product JournalBench
.build/debug/JournalBench "${TMPDIR:-/tmp}" 3 64

stage "benchmark: service-thread stalls with a week loaded (short form, debug build)"
swift build --product StallBench
.build/debug/StallBench 1000 40000 10000

stage "benchmark: \"already asked\" quality (fails under precision@1 0.8 or recall@3 0.7) and cost (short form, debug build)"
swift build --product SimilarBench
.build/debug/SimilarBench bench/similar/questions.json --short

stage "soak (short form: 1 minute after a 70 s warm-up; scripts/soak.sh --minutes 30 for the full run)"
scripts/soak.sh --bin "$TOWNHALL_BIN" --minutes 1
stage "done"
