#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): holder vs hog on one CPU, side by side in one run,
# for the module disabled, enabled with the hint policy, and enabled with the
# kernel-mode policy only (what an unpatched application gets). Prints a
# table; ratios are against the disabled run.
. "$(dirname "$0")/lib.sh"

secs=${BENCH_SECONDS:-5} grace=${BENCH_GRACE_US:-200} reps=${BENCH_REPS:-3}
ph_unload
ph_load || { echo "bench: cannot load the module"; exit 1; }
mkdir -p $CG/ph-db

run() {	# run CONFIG: one holder run, printing key=value lines plus counters
	case $1 in
	disabled) ;;
	hint) phctl enable --cgroup /ph-db --grace-us "$grace" --mode hint ;;
	kernel) phctl enable --cgroup /ph-db --grace-us "$grace" --mode kernel ;;
	esac
	phctl reset-stats
	run_in_cgroup /ph-db "$PH_PROGS/holder" --cpu 1 --seconds "$secs" --section-us 20 --gap-us 20
	echo "grants=$(ph_stat grants) expiries=$(ph_stat expiries) yields=$(ph_stat yields)"
	[ "$1" = disabled ] || phctl disable --cgroup /ph-db
}

declare -A lh_mod lh_obs hog grants expiries
for rep in $(seq "$reps"); do
	for cfg in disabled hint kernel; do
		out=$(run $cfg | tr ' ' '\n')
		lh_mod[$cfg]+="$(kv slot_preempted <<<"$out") "
		lh_obs[$cfg]+="$(kv lh_observed <<<"$out") "
		hog[$cfg]+="$(kv hog_pct <<<"$out") "
		grants[$cfg]+="$(kv grants <<<"$out") "
		expiries[$cfg]+="$(kv expiries <<<"$out") "
		echo "bench: rep $rep $cfg: lh=$(kv slot_preempted <<<"$out") observed=$(kv lh_observed <<<"$out") hog=$(kv hog_pct <<<"$out")%" >&2
	done
done

base=$(median <<<"${lh_mod[disabled]}")
echo
echo "holder vs hog, one CPU, ${secs}s x $reps runs, 20 us sections, grace ${grace} us, $(uname -r), preempt $(grep -o '([a-z]*)' /sys/kernel/debug/sched/preempt)"
printf '%-10s %14s %14s %9s %10s %9s %8s\n' config "lh-preempt" "lh-observed" "vs-off" grants expiries "hog-%"
for cfg in disabled hint kernel; do
	m=$(median <<<"${lh_mod[$cfg]}")
	printf '%-10s %6s (%5s) %6s (%5s) %9s %10s %9s %8s\n' "$cfg" \
		"$m" "$(spread <<<"${lh_mod[$cfg]}")" \
		"$(median <<<"${lh_obs[$cfg]}")" "$(spread <<<"${lh_obs[$cfg]}")" \
		"$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.3f", b ? a / b : 0 }')" \
		"$(median <<<"${grants[$cfg]}")" "$(median <<<"${expiries[$cfg]}")" \
		"$(median <<<"${hog[$cfg]}")"
done
echo "(medians, min-max in parentheses; lh = lock-holder preemptions: module count, holder's own count of sections the hog ran in)"
rmdir $CG/ph-db 2>/dev/null
ph_unload
