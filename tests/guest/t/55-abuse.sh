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
mkdir -p $CG/ph-abuse $CG/ph-probe

registered_now() { phctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["registered"])'; }

measure() {	# measure TAG: abusers and both probes side by side
	run_in_cgroup /ph-abuse "$PH_PROGS/abuse" --threads "$threads" \
		--seconds $((secs + 3)) --section-us $((2 * grace)) >"$tmp/abuse-$1" &
	local abuser=$! waited=0
	# Let them all start and register before the probes run.
	until [ "$(registered_now)" -ge "$threads" ] || [ $waited -ge 20 ]; do
		sleep 1
		waited=$((waited + 1))
	done
	echo "$(registered_now)" >"$tmp/registered-$1"
	run_in_cgroup /ph-probe "$PH_PROGS/latprobe" --seconds "$secs" >"$tmp/other-$1" &
	run_in_cgroup /ph-probe "$PH_PROGS/latprobe" --seconds "$secs" --fifo 50 >"$tmp/fifo-$1"
	wait
	wait $abuser
}

measure off
phctl enable --cgroup /ph-abuse --grace-us $grace
phctl reset-stats
measure on
grants=$(ph_stat grants /ph-abuse) expiries=$(ph_stat expiries /ph-abuse)
max_ns=$(ph_stat grant_ns_max /ph-abuse)
phctl disable --cgroup /ph-abuse

for run in off on; do
	diag "$run: abusers $(echo $(cat "$tmp/abuse-$run")) (registered while running: $(cat "$tmp/registered-$run"))"
	diag "$run: SCHED_OTHER probe $(echo $(cat "$tmp/other-$run"))"
	diag "$run: SCHED_FIFO probe  $(echo $(cat "$tmp/fifo-$run"))"
done
diag "on: cgroup counters grants=$grants expiries=$expiries longest=$((max_ns / 1000)) us"

check "all $threads abusers ran and registered a slot (off)" \
	[ "$(kv registered <"$tmp/abuse-off")" = "$threads" ]
check "all $threads abusers ran and registered a slot (on)" \
	[ "$(kv registered <"$tmp/abuse-on")" = "$threads" ]
check "enabled: the abusers were granted extensions ($grants)" [ "${grants:-0}" -ge 10 ]
check "enabled: no extension outlived grace + slack ($((max_ns / 1000)) us <= $grace + $slack us)" \
	[ "$max_ns" -le $(((grace + slack) * 1000)) ]
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
rmdir $CG/ph-abuse $CG/ph-probe 2>/dev/null
rm -rf "$tmp"
check "the module unloads after the abuse" rmmod preempthint
