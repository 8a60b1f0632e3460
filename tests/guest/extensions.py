#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Extension lengths from a trace, in microseconds, per granted task:

  withheld  preempthint_grant -> preempthint_end: how long a reschedule
            request was held back (the bounded quantity)
  to_switch preempthint_grant -> the task's next sched_switch: includes the
            scheduler's own choice, after the request was handed back, to
            keep running the same task (printed for information)

Prints the distribution of `withheld` and summary lines key=value.
usage: extensions.py TRACE_FILE PID
"""
import re
import sys

EVENT = re.compile(r'\s(\d+\.\d+): (preempthint_grant|preempthint_end|sched_switch): (.*)')


def pairs(lines, pid):
    grant = None
    withheld, to_switch = [], []
    for line in lines:
        m = EVENT.search(line)
        if not m:
            continue
        ts, name, rest = float(m.group(1)), m.group(2), m.group(3)
        if name == 'sched_switch':
            if grant is not None and f'prev_pid={pid} ' in rest:
                to_switch.append((ts - grant[0]) * 1e6)
                grant = None
            continue
        if f'pid={pid} ' not in rest:
            continue
        if name == 'preempthint_grant':
            grant = (ts, False)
        elif grant is not None and not grant[1]:
            withheld.append((ts - grant[0]) * 1e6)
            grant = (grant[0], True)
    return sorted(withheld), sorted(to_switch)


def pct(v, q):
    return v[min(len(v) - 1, int(len(v) * q))]


def main():
    with open(sys.argv[1]) as f:
        withheld, to_switch = pairs(f, int(sys.argv[2]))
    if not withheld:
        print("count=0")
        return
    edges = [10, 25, 50, 100, 200, 300, 500, 1000, 2000, 4000]
    lo = 0
    for hi in edges + [float('inf')]:
        n = sum(1 for e in withheld if lo <= e < hi)
        print(f"# withheld {lo:>5}-{hi:<5} us: {n}")
        lo = hi
    print(f"count={len(withheld)}")
    print(f"p50_us={pct(withheld, 0.5):.1f}")
    print(f"p99_us={pct(withheld, 0.99):.1f}")
    print(f"max_us={withheld[-1]:.1f}")
    if to_switch:
        print(f"switch_p50_us={pct(to_switch, 0.5):.1f}")
        print(f"switch_max_us={to_switch[-1]:.1f}")


if __name__ == '__main__':
    main()
