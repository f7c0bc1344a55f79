#!/usr/bin/env bash
# Sets up and runs every test: the Swift tests (plain, under ThreadSanitizer and under
# AddressSanitizer), the pages' unit tests, the end-to-end suite (real server over
# loopback, real WebSocket clients, nginx as a trusted proxy, headless Chromium for the
# pages, a shutdown under AddressSanitizer), the Autobahn conformance suite, then the
# benchmarks and the soak in their short forms.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

echo "== swift test"
swift build --build-tests
swift test --skip-build

echo "== swift test under ThreadSanitizer"
swift build --build-tests --sanitize=thread --scratch-path .build-tsan
swift test --skip-build --sanitize=thread --scratch-path .build-tsan

echo "== swift test under AddressSanitizer (and LeakSanitizer)"
swift build --build-tests --sanitize=address --scratch-path .build-asan
LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp" swift test --skip-build --sanitize=address --scratch-path .build-asan

echo "== pages: unit tests (node)"
node --test tests/web/

echo "== end-to-end (real server, real WebSocket clients, loopback)"
swift build --product townhall
export TOWNHALL_BIN="$PWD/.build/debug/townhall"
# The shutdown test runs the server built with AddressSanitizer.
export TOWNHALL_SHUTDOWN_BIN="$PWD/.build-asan/debug/townhall"
python3 -m pytest -q tests/e2e -p no:cacheprovider

echo "== WebSocket conformance (Autobahn, plain and TLS)"
scripts/autobahn.sh

echo "== benchmark: fan-out under a vote burst"
python3 scripts/bench_fanout.py --bin "$TOWNHALL_BIN"

echo "== benchmark: company scale against the plain-C peer (short form, debug build; docs/benchmarks.md for the full run)"
python3 scripts/bench_load.py --short --bin "$TOWNHALL_BIN"

echo "== benchmark: journal, group commit against fsync per record"
swift build --product JournalBench
.build/debug/JournalBench "${TMPDIR:-/tmp}" 3 64

echo "== benchmark: service-thread stalls with a week loaded (short form, debug build)"
swift build --product StallBench
.build/debug/StallBench 1000 40000 10000

echo "== benchmark: \"already asked\" quality (fails under precision@1 0.8 or recall@3 0.7) and cost (short form, debug build)"
swift build --product SimilarBench
.build/debug/SimilarBench bench/similar/questions.json --short

echo "== soak (short form: 1 minute after a 70 s warm-up; scripts/soak.sh --minutes 30 for the full run)"
scripts/soak.sh --bin "$TOWNHALL_BIN" --minutes 1
