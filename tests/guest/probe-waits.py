#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What a woken task waited behind, from a trace, per wakeup.

A wait runs from the task's sched_waking to the sched_switch that puts it on
a CPU; a wakeup that finds the task still on its CPU is no wait. On that
CPU, during the wait, it counts:

  picks       context switches to other tasks: scheduling decisions that
              went to someone else
  yields      extensions that ended with their task yielding (a yield is a
              scheduling decision even when it picks the same task again)
  extensions  preempthint extensions that were running at the wakeup or
              granted during the wait
  held        how much of the wait those extensions covered

  late        waits in which an extension held the CPU the task was
              enqueued on (sched_wakeup) and then ran on: granted after
              the enqueue, or running at the enqueue and ended by its
              timer (the module held the CPU for the whole grace). For an
              RT task the module allows none: an RT wakeup ends the
              extension on its CPU (or the preemption it asks for ends it
              first), and nothing is granted while the task waits.

  behind      for a wait that ended on the CPU the task was enqueued on,
              and was never moved off it in between (sched_migrate_task:
              a wait that left and came back was on another CPU meanwhile,
              where this CPU's extensions did not hold it):
              extensions that held that CPU after the enqueue (running at
              it, or granted later), and for how long (behind_held). The
              module allows one: nothing is granted on a CPU where a fair
              task outside the enabled cgroups is queued, so it sits behind
              the one it arrived to at most.

An extension withholds one reschedule request of one task: a waiting task
can sit behind several only if the scheduler made several decisions in
between, one extension each. `excess` counts the waits where extensions >
picks + yields + 1, which the module's bounds forbid; `per_decision` is
held / (picks + yields + 1): what the module added to each decision the task
waited behind, at most a grace plus the timer's lateness.

Prints key=value lines; times in microseconds.
usage: probe-waits.py TRACE_FILE PID
"""
import re
import sys

EVENT = re.compile(r'\[(\d+)\]\s+\S+\s+(\d+\.\d+): (sched_waking|sched_wakeup|sched_switch|'
                   r'sched_migrate_task|preempthint_grant|preempthint_end): (.*)')
FIELD = re.compile(r'(\w+)=(\S+)')


def parse(lines):
    for line in lines:
        m = EVENT.search(line)
        if m:
            yield int(m.group(1)), float(m.group(2)), m.group(3), dict(FIELD.findall(m.group(4)))


def pct(values, q):
    return values[min(len(values) - 1, int(len(values) * q))] if values else 0.0


def waits(events, pid):
    """One record per completed wait of @pid."""
    running = {}	# cpu -> start of the extension running there
    waiting = None	# (wake ts, {cpu: [picks, yields, extensions, held]})
    enqueued = None	# cpu the waiting task was enqueued on
    late = False	# an extension held that cpu after the enqueue
    must_end = False	# the one running there at the enqueue has not ended
    behind = [0, 0.0]	# extensions on the enqueue cpu after the enqueue, time held
    enq_ts = None
    moved = False	# migrated during the wait
    out = []
    for cpu, ts, name, f in events:
        if name == 'preempthint_grant':
            ext_cpu = int(f['cpu'])
            running[ext_cpu] = ts
            if waiting:
                waiting[1].setdefault(ext_cpu, [0, 0, 0, 0.0])[2] += 1
                late |= ext_cpu == enqueued
                behind[0] += ext_cpu == enqueued
        elif name == 'preempthint_end':
            ext_cpu = int(f['cpu'])
            start = running.pop(ext_cpu, None)
            if must_end and ext_cpu == enqueued:
                late |= f.get('why') == 'expire'
                must_end = False
            if waiting and start is not None:
                c = waiting[1].setdefault(ext_cpu, [0, 0, 0, 0.0])
                c[3] += ts - max(start, waiting[0])
                c[1] += f.get('why') == 'yield'
            if waiting and start is not None and ext_cpu == enqueued:
                behind[1] += ts - max(start, enq_ts)
        elif name == 'sched_waking':
            if f.get('pid') == pid and not waiting:
                waiting = (ts, {c: [0, 0, 1, 0.0] for c in running})
                enqueued, late, must_end, moved = None, False, False, False
        elif name == 'sched_migrate_task':
            if f.get('pid') == pid and waiting:
                moved = True
        elif name == 'sched_wakeup':
            if f.get('pid') == pid and waiting and enqueued is None:
                enqueued = int(f.get('target_cpu', cpu))
                must_end = enqueued in running
                enq_ts, behind = ts, [int(must_end), 0.0]
        elif name == 'sched_switch' and waiting:
            if f.get('prev_pid') == pid:
                # Woken while still on its CPU (the timer fired before it
                # was switched out): it never waited, and the next wait
                # starts at its next wakeup.
                waiting = None
                continue
            c = waiting[1].setdefault(cpu, [0, 0, 0, 0.0])
            if f.get('next_pid') != pid:
                c[0] += 1
                continue
            if cpu in running:	# still extended when the task got on
                c[3] += ts - max(running[cpu], waiting[0])
                late |= cpu == enqueued
                if cpu == enqueued:
                    behind[1] += ts - max(running[cpu], enq_ts)
            stayed = cpu == enqueued and not moved
            out.append(((ts - waiting[0]) * 1e6, c[0], c[1], c[2], c[3] * 1e6,
                        late and stayed, behind[0] if stayed else None,
                        behind[1] * 1e6 if stayed else None))
            waiting = None
    return out


def main():
    with open(sys.argv[1]) as f:
        w = waits(parse(f), sys.argv[2])
    print(f"waits={len(w)}")
    if not w:
        return
    wait = sorted(x[0] for x in w)
    held = sorted(x[4] for x in w)
    picks = sorted(x[1] for x in w)
    print(f"wait_p50_us={pct(wait, 0.5):.1f}")
    print(f"wait_p99_us={pct(wait, 0.99):.1f}")
    print(f"wait_max_us={wait[-1]:.1f}")
    print(f"picks_p99={pct(picks, 0.99)}")
    print(f"picks_max={picks[-1]}")
    print(f"extensions={sum(x[3] for x in w)}")
    print(f"held_p99_us={pct(held, 0.99):.1f}")
    print(f"held_max_us={held[-1]:.1f}")
    per = sorted(x[4] / (x[1] + x[2] + 1) for x in w)
    print(f"per_decision_p99_us={pct(per, 0.99):.1f}")
    print(f"per_decision_max_us={per[-1]:.1f}")
    print(f"held_share_pct={100 * sum(held) / max(sum(wait), 1e-9):.1f}")
    print(f"excess={sum(1 for x in w if x[3] > x[1] + x[2] + 1)}")
    print(f"late={sum(1 for x in w if x[5])}")
    stayed = [x for x in w if x[6] is not None]
    print(f"stayed={len(stayed)}")
    if stayed:
        bh = sorted(x[7] for x in stayed)
        print(f"behind_max={max(x[6] for x in stayed)}")
        print(f"behind_over_one={sum(1 for x in stayed if x[6] > 1)}")
        print(f"behind_held_p99_us={pct(bh, 0.99):.1f}")
        print(f"behind_held_max_us={bh[-1]:.1f}")
        # The p99 with and without what the extensions held: what the
        # module added to the tail, within one run.
        print(f"stayed_wait_p99_us={pct(sorted(x[0] for x in stayed), 0.99):.1f}")
        print(f"stayed_wait_p99_less_behind_us={pct(sorted(x[0] - x[7] for x in stayed), 0.99):.1f}")


if __name__ == '__main__':
    main()
