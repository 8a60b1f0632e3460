#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Test 2, bounded: 20 us sections with the smallest grace (5 us) make most
# extensions run out. How long each request was withheld (trace timestamps
# of the grant and of its end) never exceeds grace plus timer slack, or
# plus the lateness a SCHED_FIFO timer probe on the other CPU saw in the
# same seconds if that is more (a busy host stops the emulator for
# milliseconds, and every timer in the guest fires that late).
# A thread that sets the hint and spins forever is preempted anyway, the hog
# keeps >= 40% of the CPU (its fair share is 50%; a starved one gets a few),
# and the kernel logs no soft lockup (host check).
. "$(dirname "$0")/../lib.sh"

ph_unload
ph_load || { not_ok "module loads"; exit 1; }
mkdir -p $CG/ph-db
# Timer slack: under TCG an hrtimer fires up to ~1.5 ms late on a busy host
# (x86 on x86); an arm64 guest is emulated at about half that speed and was
# seen at 2.7 ms, so it gets one tick (4 ms at HZ=250). On hardware use
# LAB_SLACK_US=100.
default_slack=2000
[ "$LAB_ARCH" = arm64 ] && default_slack=4000
grace=${LAB_BOUND_GRACE_US:-5} slack=${LAB_SLACK_US:-$default_slack}
phctl enable --cgroup /ph-db --grace-us $grace

trace_prepare 4096 preempthint/preempthint_grant preempthint/preempthint_end sched/sched_switch
echo 1 >$T/tracing_on
taskset -c 0 "$PH_PROGS/latprobe" --seconds 4 --fifo 50 >/tmp/stall.out &
stall_probe=$!
run_in_cgroup /ph-db "$PH_PROGS/holder" --cpu 1 --seconds 4 --section-us 20 --gap-us 20 \
	>/tmp/long.out
wait $stall_probe
holder=$(kv pid </tmp/long.out)
echo 0 >$T/tracing_on
cp $T/trace /tmp/trace.txt
trace_restore
diag "holder: $(echo $(cat /tmp/long.out))"
diag "SCHED_FIFO timer probe on CPU 0: $(echo $(cat /tmp/stall.out))"
stall=$(kv max_us </tmp/stall.out)
late=$(int_max "$slack" "${stall:-0}")

dist=$(python3 "$(dirname "$0")/../extensions.py" /tmp/trace.txt $holder)
echo "$dist" | grep '^#'
cp /tmp/trace.txt /lab/out/trace-50.txt
n=$(kv count <<<"$dist") max=$(kv max_us <<<"$dist")
diag "extensions: count=$n p50=$(kv p50_us <<<"$dist") us p99=$(kv p99_us <<<"$dist") us max=$max us (grace $grace us); grant to switch-out: p50 $(kv switch_p50_us <<<"$dist") us, max $(kv switch_max_us <<<"$dist") us"
check "extensions were traced ($n)" [ "${n:-0}" -ge 20 ]
check "the longest extension ($max us) is at most grace + slack ($grace + $late us)" \
	le "${max:-999999}" $((grace + late))
expired=$(grep -c 'preempthint_end: .*why=expire' /tmp/trace.txt)
p50=$(kv p50_us <<<"$dist")
check "the typical extension tracks the grace: p50 $p50 us <= grace + 500 us" \
	le "${p50:-999999}" $((grace + 500))
check "sections longer than the grace end by expiry ($expired)" [ "$expired" -ge 10 ]

phctl reset-stats
out=$(run_in_cgroup /ph-db "$PH_PROGS/holder" --cpu 1 --seconds 3 --forever)
diag "forever: $(echo $out)"
hog=$(kv hog_pct <<<"$out")
check "a holder spinning forever with the hint set is preempted ($(kv lh_observed <<<"$out") times)" \
	[ "$(kv lh_observed <<<"$out")" -ge 10 ]
check "... and the hog keeps >= 40% of the CPU ($hog%)" le 40 "$hog"
check "... and it was penalized after overrunning (flags while holding: $(kv flags_held <<<"$out"))" \
	[ $(( $(kv flags_held <<<"$out") & 8 )) = 8 ]
check "... with exactly one extension: no grant until it yields ($(kv slot_grants <<<"$out"))" \
	[ "$(kv slot_grants <<<"$out")" = 1 ]

phctl disable --cgroup /ph-db
rmdir $CG/ph-db 2>/dev/null
ph_unload
