#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): what the module's scheduler hooks cost the tasks
# around it. A pipe ping-pong (two wakeups a round; on one CPU also two
# context switches) runs side by side, interleaved, with the module
#   unloaded   not loaded (the baseline)
#   loaded     loaded, no policy: the hooks are attached, the policy key off
#   registered the same, and a registered thread asleep elsewhere: every
#              switch asks whether the task leaving is registered
#   other      a policy on another cgroup: every wakeup and switch looks the
#              task up and tracks it as a possible waiter
#   inside     in the enabled cgroup, both threads registered, hint never set
# `make bench-hooks` runs it in exact guest time (QEMU's -icount shift=0:
# one nanosecond per emulated instruction), where a round's nanoseconds are
# its instructions and host load cannot move them. Prints a table: medians,
# min-max, ratio to unloaded and the extra per round.
. "$(dirname "$0")/lib.sh"

reps=${BENCH_REPS:-5} rounds=${BENCH_ROUNDS:-20000}
configs="unloaded loaded registered other inside"
placements="1,1 0,1"

setup() {	# setup CONFIG: load/enable for it; prints the cgroup to run in
	case $1 in
	unloaded) ph_unload ;;
	loaded) ph_loaded || ph_load || return 1 ;;
	registered) ph_loaded || ph_load || return 1 ;;
	other | inside) phctl enable --cgroup /ph-db --grace-us 200 >/dev/null || return 1 ;;
	esac
	[ "$1" = inside ] && echo /ph-db || echo /ph-other
}

teardown() {
	[ "$1" = other ] || [ "$1" = inside ] && phctl disable --cgroup /ph-db
	if [ "$1" = registered ]; then
		pkill -f "lifecycle flood 1 600000"
		wait "$sleeper" 2>/dev/null
		[ "$(ph_held_settled)" = 0 ] || return 1
	fi
	return 0
}

# The registered config's thread: holds its slot asleep until killed.
start_sleeper() {
	run_in_cgroup /ph-other "$PH_PROGS/lifecycle" flood 1 600000 >/dev/null &
	sleeper=$!
	for _ in $(seq 50); do [ "$(ph_held)" = 1 ] && break; sleep 0.1; done
	[ "$(ph_held)" = 1 ]
}

declare -A ns
mkdir -p $CG/ph-db $CG/ph-other
ph_unload
for rep in $(seq "$reps"); do
	for cfg in $configs; do
		cg=$(setup "$cfg") || { echo "bench: cannot set up $cfg"; exit 1; }
		if [ "$cfg" = registered ]; then
			start_sleeper || { echo "bench: the registered thread did not start"; exit 1; }
		fi
		for pl in $placements; do
			out=$(run_in_cgroup "$cg" "$PH_PROGS/pingpong" --rounds "$rounds" --cpus "$pl" \
				$([ "$cfg" = inside ] && echo --register)) ||
				{ echo "bench: pingpong failed ($cfg, cpus $pl)"; exit 1; }
			ns[$cfg/$pl]+="$(kv ns_per_round <<<"$out") "
			echo "bench: rep $rep $cfg cpus $pl: $(kv ns_per_round <<<"$out") ns a round" >&2
		done
		teardown "$cfg" || { echo "bench: $cfg left a slot held"; exit 1; }
	done
done
ph_unload

echo
echo "pipe ping-pong, $rounds rounds x $reps runs, $(uname -r), preempt" \
	"$(grep -o '([a-z]*)' /sys/kernel/debug/sched/preempt)${BENCH_CLOCK:+, $BENCH_CLOCK}"
printf '%-9s %-9s %10s %15s %8s %10s\n' cpus config "ns/round" "(min-max)" "vs-off" "extra-ns"
for pl in $placements; do
	base=$(median <<<"${ns[unloaded/$pl]}")
	for cfg in $configs; do
		m=$(median <<<"${ns[$cfg/$pl]}")
		printf '%-9s %-9s %10s %15s %8s %10s\n' "$pl" "$cfg" "$m" "($(spread <<<"${ns[$cfg/$pl]}"))" \
			"$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.3f", a / b }')" "$((m - base))"
	done
done
echo "(medians over the runs; cpus 1,1: both threads on CPU 1, two switches a round; 0,1: one on each CPU)"
rmdir $CG/ph-db $CG/ph-other 2>/dev/null
exit 0
