#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Throughput and latency of a pgbench run in its steady window, from the
per-transaction logs (pgbench --log): from the moment every client has
finished its first transaction (all connected: under TCG 32 connections to a
freshly started server take seconds) to the end of the run. pgbench's own
"tps" still counts the time the last clients were connecting.

usage: pgbench-window.py LOGFILE...   prints tps= lat_ms= p99_ms= xacts= window_s=
"""
import sys

first = {}
ends = []
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) < 6:
                continue
            client, lat_us, end = int(w[0]), int(w[2]), int(w[4]) + int(w[5]) / 1e6
            ends.append((end, lat_us))
            if client not in first or end < first[client]:
                first[client] = end
if not ends:
    print("tps=- lat_ms=- p99_ms=- xacts=0 window_s=0")
    sys.exit(0)
start = max(first.values())
stop = max(e for e, _ in ends)
lats = sorted(lat for e, lat in ends if e > start)
window = stop - start
if window <= 0 or not lats:
    print("tps=- lat_ms=- p99_ms=- xacts=%d window_s=0" % len(ends))
    sys.exit(0)
print("tps=%.2f lat_ms=%.1f p99_ms=%.1f xacts=%d window_s=%.1f" % (
    len(lats) / window, sum(lats) / len(lats) / 1000.0,
    lats[min(len(lats) - 1, int(len(lats) * 0.99))] / 1000.0, len(lats), window))
