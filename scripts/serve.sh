#!/usr/bin/env bash
# Sets up, builds and serves Townhall: ./scripts/serve.sh [townhall serve options]
# Defaults: --port 8080 --data ./data --web ./Web. It prints the host and employee links.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product townhall
exec .build/release/townhall serve --port 8080 --data ./data --web ./Web "$@"
