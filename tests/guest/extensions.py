#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Extension lengths from a trace: for every preempthint_grant event, the time
until the granted task next leaves the CPU (the kernel's own sched_switch
event). Prints the distribution and the maximum in microseconds.

usage: extensions.py TRACE_FILE PID
"""
import re
import sys

GRANT = re.compile(r'\s(\d+\.\d+): preempthint_grant: pid=(\d+)')
SWITCH = re.compile(r'\s(\d+\.\d+): sched_switch: .*prev_pid=(\d+)')


def extensions(lines, pid):
    open_grant = None
    for line in lines:
        m = GRANT.search(line)
        if m and int(m.group(2)) == pid:
            open_grant = float(m.group(1)) if open_grant is None else open_grant
            continue
        m = SWITCH.search(line)
        if m and int(m.group(2)) == pid and open_grant is not None:
            yield (float(m.group(1)) - open_grant) * 1e6
            open_grant = None


def main():
    with open(sys.argv[1]) as f:
        ext = sorted(extensions(f, int(sys.argv[2])))
    if not ext:
        print("count=0")
        return
    edges = [25, 50, 75, 100, 150, 200, 300, 500, 1000, 2000, 4000]
    lo = 0
    for hi in edges + [float('inf')]:
        n = sum(1 for e in ext if lo <= e < hi)
        print(f"# {lo:>5}-{hi:<5} us: {n}")
        lo = hi
    print(f"count={len(ext)}")
    print(f"p50_us={ext[len(ext) // 2]:.1f}")
    print(f"p99_us={ext[min(len(ext) - 1, int(len(ext) * 0.99))]:.1f}")
    print(f"max_us={ext[-1]:.1f}")


if __name__ == '__main__':
    main()
