#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Hint abuse: a thousand registered threads in an enabled cgroup set the hint
# and spin past the grace, over and over, on 2 CPUs, while a cyclictest-like
# probe in another cgroup measures the wakeup latency of a SCHED_OTHER and a
# SCHED_FIFO thread: first with the cgroup disabled, then enabled at the
# largest grace (1000 us). The FIFO probe must not get later (RT is never
# deferred); the OTHER probe's p99 may grow by at most the grace (plus timer
# slack under emulation). Nothing locks up, and every slot is released.
. "$(dirname "$0")/../lib.sh"

ph_unload
ph_load || { not_ok "module loads"; exit 1; }
threads=${LAB_ABUSE_THREADS:-1000} secs=${LAB_ABUSE_SECONDS:-5}
grace=1000 slack=${LAB_SLACK_US:-2000}
tmp=$(mktemp -d)
# A thousand spinners at the default weight would leave this script and the
# probes' start-up a thousandth of a CPU each: the abusers' cgroup gets the
# lowest weight, and still takes every cycle nobody else wants.
cpu_was_on=0
grep -qw cpu $CG/cgroup.subtree_control && cpu_was_on=1
echo +cpu >$CG/cgroup.subtree_control
mkdir -p $CG/ph-abuse $CG/ph-probe
echo 1 >$CG/ph-abuse/cpu.weight

registered_now() { phctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["registered"])'; }

measure() {	# measure TAG: abusers and both probes side by side
	rm -f "$tmp/ready"
	run_in_cgroup /ph-abuse "$PH_PROGS/abuse" --threads "$threads" --ready "$tmp/ready" \
		--section-us $((2 * grace)) >"$tmp/abuse-$1" &
	# $! is the subshell running run_in_cgroup; the abusers' own pid is in
	# the ready file, and cgroup.kill reaches them if they never get there.
	local abuser=$! start=$(date +%s) deadline=$(($(date +%s) + 180))
	# The abusers register, all of them, before any of them spins.
	until [ -s "$tmp/ready" ] || [ "$(date +%s)" -ge $deadline ] ||
		! kill -0 $abuser 2>/dev/null; do
		sleep 0.5
	done
	if [ ! -s "$tmp/ready" ]; then
		diag "$1: the abusers were not all running after 180 s"
		echo 1 >$CG/ph-abuse/cgroup.kill
		wait $abuser
		return 1
	fi
	diag "$1: $threads abusers registered and spinning after $(($(date +%s) - start)) s"
	phctl -j status >"$tmp/status-$1"
	run_in_cgroup /ph-probe "$PH_PROGS/latprobe" --seconds "$secs" >"$tmp/other-$1" &
	local other=$!
	run_in_cgroup /ph-probe "$PH_PROGS/latprobe" --seconds "$secs" --fifo 50 >"$tmp/fifo-$1"
	wait $other
	kill -TERM "$(cat "$tmp/ready")"
	wait $abuser
}

finish() {
	rmdir $CG/ph-abuse $CG/ph-probe 2>/dev/null
	[ $cpu_was_on = 1 ] || echo -cpu >$CG/cgroup.subtree_control
	rm -rf "$tmp"
}

check "$threads abusers registered and started (module off)" measure off
[ -s "$tmp/status-off" ] || { finish; exit 1; }
phctl enable --cgroup /ph-abuse --grace-us $grace
phctl reset-stats
check "$threads abusers registered and started (module on)" measure on
[ -s "$tmp/status-on" ] || { phctl disable --cgroup /ph-abuse; finish; exit 1; }
grants=$(ph_stat grants /ph-abuse) expiries=$(ph_stat expiries /ph-abuse)
max_ns=$(ph_stat grant_ns_max /ph-abuse)
phctl disable --cgroup /ph-abuse

for run in off on; do
	reg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["registered"])' "$tmp/status-$run")
	diag "$run: abusers $(echo $(cat "$tmp/abuse-$run")) (module's count of registered threads while they ran: $reg)"
	diag "$run: SCHED_OTHER probe $(echo $(cat "$tmp/other-$run"))"
	diag "$run: SCHED_FIFO probe  $(echo $(cat "$tmp/fifo-$run"))"
done
diag "on: cgroup counters grants=$grants expiries=$expiries longest=$((max_ns / 1000)) us"

check "all $threads abusers ran and registered a slot (off)" \
	[ "$(kv registered <"$tmp/abuse-off")" = "$threads" ]
check "all $threads abusers ran and registered a slot (on)" \
	[ "$(kv registered <"$tmp/abuse-on")" = "$threads" ]
check "enabled: the abusers were granted extensions ($grants)" [ "${grants:-0}" -ge 10 ]
# The timer that ends an extension is as late as any other: under emulation
# a thousand spinners stall the guest for milliseconds, which the SCHED_FIFO
# probe measures in the same run. The bound is the grace plus that lateness.
fifo_max=$(kv max_us <"$tmp/fifo-on")
late_us=$(python3 -c "print(int(max($slack, float('${fifo_max:-0}'))))")
check "enabled: no extension outlived grace + timer lateness ($((max_ns / 1000)) us <= $grace + $late_us us)" \
	[ "$max_ns" -le $(((grace + late_us) * 1000)) ]
check "enabled: the abusers overran and were penalized ($(kv penalized <"$tmp/abuse-on") threads)" \
	[ "$(kv penalized <"$tmp/abuse-on")" -ge 1 ]

fifo_off=$(kv p99_us <"$tmp/fifo-off") fifo_on=$(kv p99_us <"$tmp/fifo-on")
other_off=$(kv p99_us <"$tmp/other-off") other_on=$(kv p99_us <"$tmp/other-on")
# "Must not grow", under emulation: within 25% or 200 us of the run without
# the module's deferral, whichever is larger (the two runs differ by that
# much with the module doing nothing at all).
check "SCHED_FIFO probe p99 does not grow ($fifo_off -> $fifo_on us)" \
	python3 -c 'import sys; a, b = map(float, sys.argv[1:]); sys.exit(0 if b <= max(a * 1.25, a + 200) else 1)' \
	"$fifo_off" "$fifo_on"
check "SCHED_OTHER probe p99 grows by at most the grace ($other_off -> $other_on us, grace $grace + slack $slack)" \
	le "$other_on" "$(python3 -c "print($other_off + $grace + $slack)")"
check "every abuser's slot is released after they exit ($(registered_now))" [ "$(registered_now)" = 0 ]
finish
check "the module unloads after the abuse" rmmod preempthint
