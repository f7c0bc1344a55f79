#!/usr/bin/env bash
# Soak test of the real server (see scripts/soak.py): scripts/soak.sh [--minutes 30] [--bin PATH].
# Without --bin it builds and uses the release binary. The test command runs a short form.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
if [[ " $* " != *" --bin "* ]]; then
    swift build -c release --product townhall
    set -- --bin .build/release/townhall "$@"
fi
exec python3 scripts/soak.py "$@"
