#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Why did the SCHED_OTHER probe of test 55 wait? An experiment's reader.

usage: tests/lab/eevdf-picks.py OUT/55-picks-ROUND.txt [...]

Reads a trace that tests/guest/t/55-abuse.sh saved with LAB_ABUSE_PICKS=1:
the probe's wakeups, every context switch, and two fprobe events with the
EEVDF state of every fair pick (the picked task and the run queue) and of
every fair enqueue. For each of the probe's waits (its wakeup to its switch
in), every pick of another task on the probe's CPU is put down to one of:

  probe ineligible      the probe had received more than its share
                        (vruntime above the queue's average V)
  earlier deadline      the probe was eligible, the picked task too, with an
                        earlier virtual deadline: EEVDF's own choice
  current kept          the running task, kept (slice protection)
  other                 none of these (a buddy, or a misread V)

and, for the low-weight tasks picked (the abusers), how much service they
were owed and how much of their slice was left when picked, in real time.
An abuser owed more than its slice has left outranks a probe placed with
any lag, whatever its weight.
"""
import re
import sys

EVENT = re.compile(r'^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+):\s+(\w+):(.*)$')
FIELD = re.compile(r'(\w+)=(\S+)')
NICE_0 = 1 << 20
LOW_WEIGHT = 100        # below this a task is one of the thousand abusers


def number(fields, key):
    value = fields.get(key)
    if value is None:
        return None
    try:
        return int(value, 16) if value.startswith('0x') else int(value)
    except ValueError:
        return None


def queue_average(f):
    """V at a pick: the tree's weighted average, with the running task's share."""
    z, sw, weight = number(f, 'z'), number(f, 'sw'), number(f, 'sW')
    if None in (z, sw, weight):
        return None
    cw, cv = number(f, 'cw'), number(f, 'cv')
    if f.get('con') in ('1', '0x1') and cw and cv is not None:
        shift = number(f, 'sh') or 0
        if shift:
            cw = max(2, cw >> shift)
        sw += cw * (cv - z)
        weight += cw
    return z + (sw // weight if weight else 0)


def pct(values, p):
    values = sorted(values)
    return values[int(p * (len(values) - 1))] if values else float('nan')


def analyse(path):
    probe_pid, probe, waiting = None, None, None
    waits, owed, left = [], [], []
    with open(path) as trace:
        for line in trace:
            if probe_pid is None:
                m = re.match(r'# probe pid=(\d+)', line)
                if m:
                    probe_pid = int(m.group(1))
                continue
            m = EVENT.match(line)
            if not m:
                continue
            ts, event, f = float(m.group(4)), m.group(5), dict(FIELD.findall(m.group(6)))
            if event == 'enq' and number(f, 'pid') == probe_pid:
                probe = (number(f, 'v'), number(f, 'dl'))
            elif event == 'sched_wakeup' and number(f, 'pid') == probe_pid:
                waiting = (ts, number(f, 'target_cpu'), [])
            elif event == 'sched_switch' and waiting and number(f, 'next_pid') == probe_pid:
                waits.append((ts - waiting[0], waiting[2]))
                waiting = None
            elif event == 'pick':
                pid, w = number(f, 'pid'), number(f, 'w')
                v, dl, avg = number(f, 'v'), number(f, 'dl'), queue_average(f)
                if None in (pid, w, v, dl, avg) or pid == probe_pid:
                    continue
                if w < LOW_WEIGHT:
                    owed.append((avg - v) * w / NICE_0 / 1e6)
                    left.append((dl - v) * w / NICE_0 / 1e6)
                if not waiting or not probe or number(f, 'cpu') != waiting[1]:
                    continue
                if probe[0] > avg:
                    kind = 'probe ineligible'
                elif dl < probe[1]:
                    kind = 'earlier deadline'
                elif number(f, 'con') and number(f, 'cv') == v:
                    kind = 'current kept'
                else:
                    kind = 'other'
                waiting[2].append(kind)
    if probe_pid is None:
        sys.exit(f'{path}: no "# probe pid=" line (not saved by test 55?)')
    waits.sort(key=lambda x: -x[0])
    top = waits[:max(1, len(waits) // 100)]
    for name, chosen in (('all waits', waits), ('slowest 1%', top)):
        kinds = {}
        for _, picks in chosen:
            for k in picks:
                kinds[k] = kinds.get(k, 0) + 1
        summary = ', '.join(f'{k} {n}' for k, n in sorted(kinds.items(), key=lambda x: -x[1]))
        print(f'{path}: {name}: picks of others while the probe waited: {summary or "none"}')
    if waits:
        print(f'{path}: waits {len(waits)}, p99 {pct([w for w, _ in waits], 0.99) * 1e6:.0f} us, '
              f'max {waits[0][0] * 1e6:.0f} us ({len(waits[0][1])} picks of others)')
    if owed:
        outrank = sum(1 for o, s in zip(owed, left) if o > s)
        print(f'{path}: abusers picked {len(owed)}: owed p50 {pct(owed, 0.5):.2f} ms '
              f'p90 {pct(owed, 0.9):.2f} ms; slice left p50 {pct(left, 0.5):.2f} ms; '
              f'owed more than their slice left {100.0 * outrank / len(owed):.0f}%')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for arg in sys.argv[1:]:
        analyse(arg)
