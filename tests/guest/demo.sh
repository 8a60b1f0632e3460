#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The lab demo, run inside the guest: load the module and show what it
# reports. With --motd (for `make lab-shell`) it loads the module and prints
# what to try and how to leave.
. "$(dirname "$0")/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

ph_unload
if ! ph_load; then
	echo "demo: loading $PH_KO failed:"
	dmesg | grep preempthint | tail -n 5
	exit 1
fi
export PATH=$LAB_BUILD/user:$PATH

if [ "${1:-}" = --motd ]; then
	cat <<MOTD

preempthint lab guest: $(uname -r), preemption $(cat /sys/kernel/debug/sched/preempt 2>/dev/null)
The module is loaded from $PH_KO. Try:
    preempthint version
    cat /sys/module/preempthint/version
    dmesg | grep preempthint
    rmmod preempthint; insmod $PH_KO
Leave with 'exit' (powers the guest off) or Ctrl-A X (kills QEMU).

MOTD
	exit 0
fi

say "kernel"
uname -a
echo "preemption modes (current in parentheses): $(cat /sys/kernel/debug/sched/preempt)"
grep -E '^CONFIG_(PREEMPT_LAZY|PREEMPT_DYNAMIC|RSEQ_SLICE_EXTENSION)|^# CONFIG_RSEQ_SLICE' \
	"/usr/lib/modules/$(uname -r)/config" 2>/dev/null
say "module"
echo "loaded: $(cat $PH_SYS/version) (from $PH_KO)"
dmesg | grep 'preempthint:'
say "CLI"
preempthint version
preempthint -j version
say "the hint at work: a 20 us spinlock holder next to a CPU hog on CPU 1"
mkdir -p /sys/fs/cgroup/demo
echo "cgroup /demo not enabled:"
run_in_cgroup /demo "$PH_PROGS/holder" --cpu 1 --seconds 2 | grep -E 'lh_observed|slot_preempted|hog_pct'
preempthint enable --cgroup /demo --grace-us 500
echo "cgroup /demo enabled (preempthint enable --cgroup /demo --grace-us 500):"
run_in_cgroup /demo "$PH_PROGS/holder" --cpu 1 --seconds 2 | grep -E 'lh_observed|slot_preempted|slot_grants|hog_pct'
preempthint status
preempthint disable --cgroup /demo
say "done"
echo "For an interactive guest: make lab-shell (leave with 'exit' or Ctrl-A X)."
