#!/bin/sh
# Builds the benchmark peer. Run from the repository root:  bench/peer/build.sh [output]
set -e
cc -O2 -g -Wall -o "${1:-bench/peer/peer}" bench/peer/peer.c $(pkg-config --cflags --libs libwebsockets)
