#!/usr/bin/env bash
# Makes a self-signed certificate and key for tests or a trial: scripts/make-cert.sh DIR [HOST]
# Writes DIR/cert.pem and DIR/key.pem (EC P-256, valid 30 days, for HOST, localhost and 127.0.0.1).
set -euo pipefail
dir="${1:?usage: scripts/make-cert.sh DIR [HOST]}"
host="${2:-localhost}"
mkdir -p "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" -subj "/CN=$host" \
    -addext "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1" 2>/dev/null
chmod 600 "$dir/key.pem"
echo "$dir/cert.pem $dir/key.pem"
