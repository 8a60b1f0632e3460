#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The scheduler hooks every task pays for are attached only while a policy
# is active: a loaded module without one keeps only sched_switch and the
# lifecycle tracepoints (lock-holder preemptions are still counted, test
# 40's disabled runs). ftrace's enabled_functions lists the functions an
# fprobe is attached to, so the test reads the arming there: none after the
# load, all of them once a cgroup is enabled, none again a few seconds after the
# last policy goes (the hooks stay for 2 s, so that a disable and enable in
# a row do not detach and attach them), and the switch (set --enabled) arms
# and disarms the same way. Quick toggles must leave it consistent.
. "$(dirname "$0")/../lib.sh"

# settle WANT SECS: wait up to SECS s for the count to become WANT; print it
settle() {
	local want=$1 secs=$2 i
	for i in $(seq $((secs * 10))); do
		[ "$(ph_fprobes_attached)" = "$want" ] && break
		sleep 0.1
	done
	ph_fprobes_attached
}

nf=$(wc -w <<<"$PH_FPROBE_FNS")
ph_unload
dmesg_mark
before=$(ph_fprobes_attached)
ph_load || { not_ok "module loads"; exit 1; }
mkdir -p $CG/ph-arm
check "loaded without a policy: none of the $nf functions hooked ($(ph_fprobes_attached); $before before the load)" \
	[ "$(ph_fprobes_attached)" = 0 ]
check "enable --cgroup arms the hooks at once ($nf of $nf)" \
	eval 'phctl enable --cgroup /ph-arm --grace-us 200 && [ "$(ph_fprobes_attached)" = $nf ]'
phctl disable --cgroup /ph-arm
check "right after the last disable the hooks are still there (the 2 s delay)" [ "$(ph_fprobes_attached)" = $nf ]
n=$(settle 0 10)
check "within 10 s of the last disable the hooks are gone ($n left)" [ "$n" = 0 ]

phctl enable --cgroup /ph-arm --grace-us 200
phctl set --enabled 0
n=$(settle 0 10)
check "the switch off disarms too ($n left)" [ "$n" = 0 ]
check "the switch on arms again ($nf of $nf)" eval 'phctl set --enabled 1 && [ "$(ph_fprobes_attached)" = $nf ]'

# Quick toggles: the policy's on and off states alternate faster than the
# delay; afterwards the state must match the last command.
start=$(date +%s%N)
for i in $(seq 50); do
	phctl set --enabled 0 && phctl set --enabled 1 || break
	phctl disable --cgroup /ph-arm && phctl enable --cgroup /ph-arm --grace-us 200 || break
done
ms=$((($(date +%s%N) - start) / 1000000))
diag "50 rounds of switch off/on and disable/enable took $ms ms"
check "after 50 quick toggle rounds ending enabled: armed ($nf of $nf)" [ "$(ph_fprobes_attached)" = $nf ]
phctl disable --cgroup /ph-arm
n=$(settle 0 10)
check "and disarmed again after the last disable ($n left)" [ "$n" = 0 ]

# Armed, then unloaded before the delay ran out: unload disarms itself.
phctl enable --cgroup /ph-arm --grace-us 200
phctl disable --cgroup /ph-arm
check "rmmod within the disarm delay succeeds" rmmod preempthint
check "nothing of ours is left hooked after the unload ($(ph_fprobes_attached))" [ "$(ph_fprobes_attached)" = 0 ]
rmdir $CG/ph-arm
check_log_quiet
