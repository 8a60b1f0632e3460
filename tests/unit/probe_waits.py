#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/guest/probe-waits.py on hand-written traces: the guest test judges
the module by its counts (excess, late), so each must be able to say no."""
import os
import subprocess
import sys
import tempfile

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'guest', 'probe-waits.py')
PID = '500'


def ev(cpu, ts, name, fields):
    return f"          task-1  [{cpu:03d}] d..2. {ts:.6f}: {name}: {fields}\n"


def waking(ts, cpu=0):
    return ev(cpu, ts, 'sched_waking', f'comm=latprobe pid={PID} prio=49 target_cpu={cpu:03d}')


def wakeup(ts, cpu=0):
    return ev(cpu, ts, 'sched_wakeup', f'comm=latprobe pid={PID} prio=49 target_cpu={cpu:03d}')


def switch(ts, nxt, cpu=0):
    return ev(cpu, ts, 'sched_switch', f'prev_comm=abuse prev_pid=7 prev_prio=120 prev_state=R '
              f'==> next_comm=x next_pid={nxt} next_prio=120')


def grant(ts, cpu=0):
    return ev(cpu, ts, 'preempthint_grant', f'pid=7 cpu={cpu} mode=hint grace_us=1000 request=lazy')


def end(ts, why, cpu=0):
    return ev(cpu, ts, 'preempthint_end', f'pid=7 cpu={cpu} why={why} ns=1000')


def run(lines):
    with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False) as f:
        f.writelines(lines)
    try:
        out = subprocess.run([sys.executable, SCRIPT, f.name, PID], check=True,
                             capture_output=True, text=True).stdout
    finally:
        os.unlink(f.name)
    return dict(line.split('=', 1) for line in out.split())


CASES = [
    # name, trace, expected counts
    ('an extension the RT wakeup ends is not late',
     [grant(1.0), waking(1.0001), end(1.0001, 'rt-wakeup'), wakeup(1.0001), switch(1.0002, PID)],
     {'waits': '1', 'late': '0', 'excess': '0'}),
    ('an extension running on at the enqueue and ending by expiry is late',
     [grant(1.0), waking(1.0001), wakeup(1.0001), end(1.0010, 'expire'), switch(1.0011, PID)],
     {'waits': '1', 'late': '1'}),
    ('an extension the preemption ends at the switch is not late',
     [grant(1.0), waking(1.0001), wakeup(1.0001), end(1.0002, 'yield'), switch(1.0002, PID)],
     {'waits': '1', 'late': '0'}),
    ('an extension still running when the task gets on is late',
     [grant(1.0), waking(1.0001), wakeup(1.0001), switch(1.0002, PID), end(1.0003, 'switch')],
     {'waits': '1', 'late': '1'}),
    ('an extension granted after the enqueue is late',
     [waking(1.0), wakeup(1.0), grant(1.0001), end(1.0005, 'switch'), switch(1.0005, PID)],
     {'waits': '1', 'late': '1'}),
    ('an extension on another CPU is not late',
     [waking(1.0), wakeup(1.0), grant(1.0001, cpu=1), switch(1.0002, PID), end(1.001, 'expire', cpu=1)],
     {'waits': '1', 'late': '0'}),
    ('a wakeup that finds the task on its CPU is no wait, and the next wait starts afresh',
     [waking(1.0), wakeup(1.0), ev(0, 1.0001, 'sched_switch', f'prev_comm=latprobe prev_pid={PID} '
      'prev_prio=49 prev_state=S ==> next_comm=abuse next_pid=7 next_prio=120'),
      grant(1.0002), waking(1.0003), end(1.0003, 'rt-wakeup'), wakeup(1.0003), switch(1.0004, PID)],
     {'waits': '1', 'late': '0', 'picks_max': '0'}),
    ('one extension per decision is not excess',
     [waking(1.0), grant(1.0001), end(1.0011, 'expire'), switch(1.0012, '8'), grant(1.0013),
      end(1.0023, 'expire'), switch(1.0024, PID)],
     {'waits': '1', 'picks_max': '1', 'extensions': '2', 'excess': '0'}),
    ('three extensions behind one decision are excess',
     [waking(1.0), grant(1.0001), end(1.0002, 'expire'), grant(1.0003), end(1.0004, 'expire'),
      grant(1.0005), end(1.0006, 'expire'), switch(1.0007, PID)],
     {'waits': '1', 'extensions': '3', 'excess': '1'}),
    ('two extensions on the enqueue CPU after the enqueue are one too many',
     [waking(1.0), wakeup(1.0), grant(1.0001), end(1.0011, 'expire'), switch(1.0012, '8'),
      grant(1.0013), end(1.0023, 'expire'), switch(1.0024, PID)],
     {'waits': '1', 'stayed': '1', 'behind_max': '2', 'behind_over_one': '1',
      'behind_held_max_us': '2000.0'}),
    ('the one running at the enqueue counts, held from the enqueue on',
     [grant(1.0), waking(1.0004), wakeup(1.0004), end(1.0010, 'expire'), switch(1.0011, '8'),
      switch(1.0015, PID)],
     {'waits': '1', 'behind_max': '1', 'behind_over_one': '0', 'behind_held_max_us': '600.0',
      'stayed_wait_p99_us': '1100.0', 'stayed_wait_p99_less_behind_us': '500.0'}),
    ('extensions before the enqueue or on other CPUs are not behind',
     [waking(1.0), grant(1.0001), end(1.0002, 'expire'), wakeup(1.0003), grant(1.0004, cpu=1),
      switch(1.0005, PID), end(1.0009, 'expire', cpu=1)],
     {'waits': '1', 'behind_max': '0', 'behind_held_max_us': '0.0'}),
    ('a wait that ends on another CPU is not judged',
     [waking(1.0), wakeup(1.0), grant(1.0001), end(1.0011, 'expire'), grant(1.0012),
      end(1.0022, 'expire'), switch(1.0023, PID, cpu=1)],
     {'waits': '1', 'stayed': '0'}),
    ('a wait moved off its CPU and back is not judged',
     [waking(1.0), wakeup(1.0),
      ev(0, 1.0001, 'sched_migrate_task', f'comm=latprobe pid={PID} prio=120 orig_cpu=0 dest_cpu=1'),
      grant(1.0002), end(1.0012, 'expire'),
      ev(1, 1.0013, 'sched_migrate_task', f'comm=latprobe pid={PID} prio=120 orig_cpu=1 dest_cpu=0'),
      grant(1.0014), end(1.0024, 'expire'), switch(1.0025, PID)],
     {'waits': '1', 'stayed': '0'}),
    ('the same wait without the moves is judged, and fails',
     [waking(1.0), wakeup(1.0), grant(1.0002), end(1.0012, 'expire'), switch(1.0013, '8'),
      grant(1.0014), end(1.0024, 'expire'), switch(1.0025, PID)],
     {'waits': '1', 'stayed': '1', 'behind_over_one': '1'}),
]


def main():
    n = fail = 0
    for name, trace, want in CASES:
        n += 1
        got = run(trace)
        bad = {k: got.get(k) for k, v in want.items() if got.get(k) != v}
        if bad:
            fail += 1
            print(f"not ok {n} - {name} (got {bad}, want {want})")
        else:
            print(f"ok {n} - {name}")
    print(f"1..{n}")
    print(f"{n - fail} passed, {fail} failed")
    return 1 if fail else 0


if __name__ == '__main__':
    sys.exit(main())
