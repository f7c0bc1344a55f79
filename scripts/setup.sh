#!/usr/bin/env bash
# Installs what Townhall needs from Debian (and, with --test, the test tools from PyPI).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libwebsockets-dev libssl-dev pkg-config libev-dev libwebsockets-evlib-ev)
if [[ "${1:-}" == "--test" ]]; then
    # Headless Chromium and its driver for the page tests; Node for the pages' unit tests;
    # nginx and HAProxy as the trusted proxies in tests/e2e/test_trusted_proxy.py and
    # test_proxy_protocol.py.
    packages+=(chromium chromium-driver nginx haproxy)
    command -v node >/dev/null || packages+=(nodejs)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--test" ]]; then
    python3 -m pip install -q --disable-pip-version-check -r tests/e2e/requirements.txt
fi

command -v swift >/dev/null || { echo "setup: Swift 6 is not on PATH (install the toolchain from swift.org)" >&2; exit 1; }
