#!/usr/bin/env bash
# Sets up and runs every test: Swift unit and relay tests, the pages' unit tests, then
# the end-to-end suite (real server over loopback, real WebSocket clients, headless
# Chromium for the pages), the Autobahn conformance suite, then the fan-out and journal
# benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

echo "== swift test"
swift build --build-tests
swift test --skip-build

echo "== pages: unit tests (node)"
node --test tests/web/

echo "== end-to-end (real server, real WebSocket clients, loopback)"
swift build --product townhall
export TOWNHALL_BIN="$PWD/.build/debug/townhall"
python3 -m pytest -q tests/e2e -p no:cacheprovider

echo "== WebSocket conformance (Autobahn, plain and TLS)"
scripts/autobahn.sh

echo "== benchmark: fan-out under a vote burst"
python3 scripts/bench_fanout.py --bin "$TOWNHALL_BIN"

echo "== benchmark: journal, group commit against fsync per record"
swift build --product JournalBench
.build/debug/JournalBench "${TMPDIR:-/tmp}" 3 64
