#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# RT tasks are never delayed, also when they get the CPU back from the fair
# deadline server: a SCHED_FIFO hog shares the hinted holder's CPU, so the
# holder runs only in the slots the fair server grants fair tasks, and each
# slot ends with the server's own request to hand the CPU back (from the
# tick or, with HRTICK_DL, the hrtick). That request is the deadline
# class's: it must never be withheld. Read from the trace: at each switch
# from the holder to the RT hog, the holder was preempted where it stood,
# never after an extension had held the request back (an extension that
# ended by a yield or by expiring just before that switch). Extensions for
# the fair slice inside a slot delay no RT task and may be granted. The
# hog's longest wait (the server's slot, ~50 ms) is printed.
. "$(dirname "$0")/../lib.sh"

ph_unload
ph_load || { not_ok "module loads"; exit 1; }
mkdir -p $CG/ph-db

run() { run_in_cgroup /ph-db "$PH_PROGS/holder" --cpu 1 --seconds 5 --section-us 500 --gap-us 5 \
	--hog-rt "$@"; }

off=$(run)
phctl enable --cgroup /ph-db --grace-us 1000
phctl reset-stats
trace_prepare 8192 preempthint/preempthint_end sched/sched_switch
cpumask=$(cat $T/tracing_cpumask)
echo 2 >$T/tracing_cpumask
echo 1 >$T/tracing_on
on=$(run)
echo 0 >$T/tracing_on
pid=$(kv pid <<<"$on")
# handbacks=N held=M: switches from the holder to an RT task, and those
# within 200 us of one of the holder's extensions ending by a yield or an
# expiry (a withheld hand-back: the switch follows that end at once).
split=$(grep -E "preempthint_end: pid=$pid |sched_switch: prev_comm=[^ ]* prev_pid=$pid " $T/trace |
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { ts = $i + 0; break } }
	     /preempthint_end/ { if ($0 ~ /why=(yield|expire)/) held_ts = ts; next }
	     { n = $0; sub(/.*next_prio=/, "", n)
	       if (n + 0 < 100) { h++; if (held_ts && ts - held_ts < 0.0002) held++ } }
	     END { printf "handbacks=%d\nheld=%d\n", h, held }')
echo "$cpumask" >$T/tracing_cpumask
trace_restore
grants=$(ph_stat grants /ph-db)
phctl disable --cgroup /ph-db
diag "RT hog, disabled: $(echo $off)"
diag "RT hog, enabled (grace 1000 us): grants=$grants $(echo $split) $(echo $on)"
diag "RT hog's longest wait: $(kv hog_max_gap_us <<<"$off") us disabled, $(kv hog_max_gap_us <<<"$on") us enabled"
check "the holder ran in the fair server's slots ($(kv sections <<<"$on") sections)" \
	[ "$(kv sections <<<"$on")" -ge 20 ]
check "the fair server handed the CPU back to the RT hog ($(kv handbacks <<<"$split") times)" \
	[ "$(kv handbacks <<<"$split")" -ge 2 ]
check "no hand-back waited behind an extension ($(kv held <<<"$split") of $(kv handbacks <<<"$split"))" \
	[ "$(kv held <<<"$split")" = 0 ]

rmdir $CG/ph-db 2>/dev/null
ph_unload
