#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# When the hooks cannot be attached at enable time, the request fails with a
# clear message and changes nothing. A real kernel limit makes it fail:
# ftrace's function-graph layer has a fixed number of slots (16 in 7.x),
# and fprobes with exit handlers need one. Trace instances running the
# function_graph tracer on one rarely called function fill them; then
# `enable` (and `set --enabled 1`) must fail, leave no policy, no switch
# change and none of our functions hooked, and succeed once a slot is free.
#
# Not in tests/guest/t: the kernel itself WARNs when an fprobe finds the
# slots full (kernel/trace/fprobe.c, register_fprobe_ips), which taints it
# and would fail every later test's log check. tests/lab/check.sh runs this
# in a guest of its own and accepts that warning, and only that, there.
. "$(dirname "$0")/lib.sh"

# A traceable function nothing in the test calls.
quiet_fn=$(grep -m1 -E '^(__x64_sys_sync|__arm64_sys_sync|ksys_sync)( |$)' \
	$T/available_filter_functions | cut -d' ' -f1)

filled=0
fill() {	# take every free function-graph slot with a trace instance
	local i
	for i in $(seq 32); do
		mkdir -p $T/instances/ph-fill$i || break
		echo "$quiet_fn" >$T/instances/ph-fill$i/set_ftrace_filter || break
		echo function_graph >$T/instances/ph-fill$i/current_tracer 2>/dev/null || break
		filled=$i
	done
}
unfill() {
	local d
	for d in $T/instances/ph-fill*; do
		[ -d "$d" ] || continue
		echo nop >"$d/current_tracer"
		rmdir "$d"
	done
}

ph_unload
ph_load || { not_ok "module loads"; exit 1; }
mkdir -p $CG/ph-armfail
dmesg_mark
fill
diag "function_graph instances running on $quiet_fn: $filled"
if [ "$filled" -lt 1 ] || [ "$filled" -ge 32 ]; then
	ok "# SKIP the function-graph slots could not be filled here ($filled instances)"
	unfill
	ph_unload
	exit 0
fi
out=$(phctl enable --cgroup /ph-armfail --grace-us 200 2>&1)
rc=$?
diag "enable with the slots full: rc=$rc: $out"
check "enable fails when the hooks cannot be attached (rc $rc)" [ "$rc" -ne 0 ]
check "and says why" grep -q "cannot attach the scheduler hooks" <<<"$out"
check "no policy was left behind (disable: not enabled)" \
	eval '! phctl disable --cgroup /ph-armfail 2>/dev/null'
check "none of our functions is hooked ($(ph_fprobes_attached))" [ "$(ph_fprobes_attached)" = 0 ]
check "the kernel log names the hook it could not attach" \
	grep -q "preempthint: cannot attach an fprobe to" <(dmesg_since)

phctl set --enabled 0
check "with the switch off, enable stores the policy without hooks" \
	eval 'phctl enable --cgroup /ph-armfail --grace-us 200 && [ "$(ph_fprobes_attached)" = 0 ]'
out=$(phctl set --enabled 1 2>&1)
rc=$?
check "set --enabled 1 fails too, and says why (rc $rc)" \
	eval '[ "$rc" -ne 0 ] && grep -q "cannot attach the scheduler hooks" <<<"$out"'
switch_on() {
	phctl -j status | python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["enabled"] else 1)'
}
check "the switch stayed off" not switch_on

unfill
nf=$(wc -w <<<"$PH_FPROBE_FNS")
check "with the slots free again, set --enabled 1 arms ($nf of $nf)" \
	eval 'phctl set --enabled 1 && [ "$(ph_fprobes_attached)" = $nf ]'
phctl disable --cgroup /ph-armfail
check "rmmod succeeds" rmmod preempthint
rmdir $CG/ph-armfail
# Every warning in the log is the kernel's own about the full slots.
warns=$(dmesg_since | grep -c 'WARNING:')
ours=$(dmesg_since | grep -c 'WARNING: kernel/trace/fprobe.c:[0-9]* at register_fprobe_ips')
other=$(dmesg_since | grep -E 'BUG:|Oops|lockup|stall|blocked for more than' | head -5)
[ -n "$other" ] && diag "kernel log: $other"
check "the kernel log's only warnings are ftrace's about the full slots ($ours of $warns), no BUG or lockup" \
	eval '[ "$warns" = "$ours" ] && [ -z "$other" ]'
