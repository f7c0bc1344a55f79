#!/usr/bin/env bash
# The Autobahn WebSocket conformance suite (wstest fuzzingclient, sections 1-10) against
# the real server, plain and over TLS. The server runs with its conformance echo endpoint
# (--echo-path), which goes through the same libwebsockets paths as /ws. Every case must be
# OK, NON-STRICT or INFORMATIONAL, apart from 2.10 and 2.11 (several pings in flight, which
# libwebsockets does not support by design). The closing-handshake column is printed too.
# Reports go to test-artifacts/autobahn/. Usage: scripts/autobahn.sh [--bin PATH]; without
# --bin it builds and uses the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

python2="${PYENV_ROOT:-$HOME/.pyenv}/versions/2.7.18/bin"
if [[ ! -x "$python2/wstest" ]]; then
    echo "autobahn: installing autobahntestsuite into pyenv's Python 2.7"
    "$python2/pip" install -q --disable-pip-version-check autobahntestsuite==25.10.1 2>&1 | grep -v DEPRECATION || true
fi
if [[ "${1:-}" == "--bin" ]]; then
    bin="$2"
else
    swift build -c release --product townhall
    bin=.build/release/townhall
fi
out="$PWD/test-artifacts/autobahn"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
scripts/make-cert.sh "$work/tls" >/dev/null

for mode in plain tls; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    args=(serve --host 127.0.0.1 --port "$port" --data "$work/data-$mode" --web Web --echo-path /autobahn --log-level warning)
    scheme=ws; http=http
    if [[ $mode == tls ]]; then
        args+=(--tls-cert "$work/tls/cert.pem" --tls-key "$work/tls/key.pem"); scheme=wss; http=https
    fi
    "$bin" "${args[@]}" >"$work/server-$mode.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -skf "$http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    # Make sure it is our server on that port before testing it.
    curl -skf "$http://127.0.0.1:$port/healthz" | grep -q '"epoch"' || { echo "autobahn: no townhall on port $port"; exit 1; }
    listener=$(ss -Hltnp "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    [[ "$listener" == "$pid" ]] || { echo "autobahn: port $port belongs to pid $listener, not our server $pid"; exit 1; }

    mkdir -p "$out/$mode"
    cat >"$work/spec-$mode.json" <<SPEC
{"outdir": "$out/$mode", "servers": [{"agent": "townhall-$mode", "url": "$scheme://127.0.0.1:$port/autobahn"}],
 "cases": ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "8.*", "9.*", "10.*"], "exclude-cases": [], "exclude-agent-cases": {}}
SPEC
    echo "== autobahn ($mode, $scheme://127.0.0.1:$port, server pid $pid)"
    (cd "$work" && "$python2/wstest" -m fuzzingclient -s "spec-$mode.json" >"$work/wstest-$mode.log" 2>&1) \
        || { tail -20 "$work/wstest-$mode.log"; exit 1; }
    kill "$pid"; wait "$pid" || true
    python3 - "$out/$mode/index.json" "$mode" <<'PY'
import json, sys
from collections import Counter
results = next(iter(json.load(open(sys.argv[1])).values()))
allowed = {"OK", "NON-STRICT", "INFORMATIONAL"}
excused = {"2.10", "2.11"}
counts = Counter(r["behavior"] for r in results.values())
bad = sorted((case, r["behavior"]) for case, r in results.items() if r["behavior"] not in allowed and case not in excused)
closing = Counter(r["behaviorClose"] for r in results.values())
print(f"autobahn {sys.argv[2]}: {len(results)} cases: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
print("  closing handshake: " + ", ".join(f"{k} {v}" for k, v in sorted(closing.items()))
      + "  (FAILED BY CLIENT: the server sent its close but waited for the client's before dropping TCP)")
for case in sorted(excused & results.keys()):
    print(f"  excused {case}: {results[case]['behavior']}")
if bad:
    print("  failing:", bad)
    sys.exit(1)
PY
done
