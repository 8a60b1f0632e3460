#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Hint abuse: a thousand registered threads in an enabled cgroup set the hint
# and spin past the grace, over and over, on 2 CPUs, while a cyclictest-like
# probe in another cgroup measures the wakeup latency of a SCHED_OTHER and a
# SCHED_FIFO thread: with the cgroup disabled and enabled at the largest
# grace (1000 us), twice each, interleaved. The FIFO probe must not get later
# (RT is never deferred). The OTHER probe waits behind the fair scheduler's
# own choices: with a thousand low-weight spinners EEVDF can keep a woken
# task off the CPU for hundreds of scheduling decisions, with or without the
# module. A trace of each enabled run shows what the module added to those
# waits: no grant while the probe is queued, so at most the one extension
# running when it arrived (ended at its next preemption point) on the CPU
# it waited on, at most the grace plus the timer's lateness per wait; and
# that no extension held the FIFO probe's CPU once the probe was on its run
# queue.
# Nothing locks up, and every slot is released.
. "$(dirname "$0")/../lib.sh"

ph_unload
ph_load || { not_ok "module loads"; exit 1; }
# This script and what it runs between the rounds (the CLI, the trace
# analysis) are SCHED_FIFO 1: as fair tasks they would wait behind the
# spinners for as long as the probe does, and a round took minutes on a
# slow emulated arm64 guest. The abusers and the SCHED_OTHER probe are
# started as SCHED_OTHER explicitly; during a probe window this script only
# sleeps in wait.
chrt -f -p 1 $$ || { not_ok "the test script becomes SCHED_FIFO"; exit 1; }
threads=${LAB_ABUSE_THREADS:-1000} secs=${LAB_ABUSE_SECONDS:-4}
grace=1000 slack=${LAB_SLACK_US:-2000}
tmp=$(mktemp -d)
# With the cpu controller on, the thousand spinners share one group's
# weight instead of outweighing this script, the CLI and the probes a
# thousand to one (without it a command here takes minutes). The lowest
# weight: they still get every cycle nobody else wants, and the probes
# measure the module, not a fair share split three ways.
cpu_was_on=0
grep -qw cpu $CG/cgroup.subtree_control && cpu_was_on=1
echo +cpu >$CG/cgroup.subtree_control
mkdir -p $CG/ph-abuse $CG/ph-probe
echo 1 >$CG/ph-abuse/cpu.weight


measure() {	# measure TAG: abusers and both probes side by side
	rm -f "$tmp/ready"
	echo >$T/trace
	local yield_opt=
	case $1 in
	noy*) yield_opt=--no-yield ;;
	yld*) yield_opt=--always-yield ;;
	esac
	run_in_cgroup /ph-abuse chrt -o 0 "$PH_PROGS/abuse" --threads "$threads" --ready "$tmp/ready" \
		--section-us $((2 * grace)) $yield_opt >"$tmp/abuse-$1" &
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
	progress "$1: $threads abusers registered and spinning after $(($(date +%s) - start)) s"
	phctl -j status >"$tmp/status-$1"
	echo 1 >$T/tracing_on
	run_in_cgroup /ph-probe chrt -o 0 "$PH_PROGS/latprobe" --seconds "$secs" >"$tmp/other-$1" &
	local other=$!
	run_in_cgroup /ph-probe "$PH_PROGS/latprobe" --seconds "$secs" --fifo 50 >"$tmp/fifo-$1"
	wait $other
	echo 0 >$T/tracing_on
	picks_save "$1"
	local probed=$(date +%s)
	kill -TERM "$(cat "$tmp/ready")"
	# A thousand threads at the lowest weight take seconds to see the
	# signal on a slow guest, not minutes: past that, kill them.
	deadline=$(($(date +%s) + 120))
	while kill -0 $abuser 2>/dev/null && [ "$(date +%s)" -lt $deadline ]; do
		sleep 0.5
	done
	local killed=0
	if kill -0 $abuser 2>/dev/null; then
		diag "$1: the abusers had not stopped 120 s after SIGTERM; killing their cgroup"
		echo 1 >$CG/ph-abuse/cgroup.kill
		killed=1
	fi
	wait $abuser
	progress "$1: probes done $((probed - start)) s after the start, the abusers stopped $(($(date +%s) - probed)) s later"
	trace_analyse "$1"
	progress "$1: the probe's waits analysed $(($(date +%s) - probed)) s after the probes"
	[ $killed = 0 ] || return 2
}

# The OTHER probe's wakeups, every scheduling decision and the extensions,
# while the probes run. The events are switched on once, before any abuser
# spins, and each round only clears the buffer before its abusers start and
# turns recording on and off: registering a tracepoint probe or resetting
# the buffer waits for RCU, whose kthread a starved round keeps waiting too.
trace_events="sched/sched_waking sched/sched_wakeup sched/sched_migrate_task sched/sched_switch"
trace_events+=" preempthint/preempthint_grant preempthint/preempthint_end"
trace_setup() {
	echo 'comm == "latprobe"' >$T/events/sched/sched_waking/filter
	echo 'comm == "latprobe"' >$T/events/sched/sched_wakeup/filter
	echo 'comm == "latprobe"' >$T/events/sched/sched_migrate_task/filter
	[ "${LAB_ABUSE_PICKS:-0}" = 1 ] && picks_setup
	trace_prepare $trace_kb $trace_events
}
trace_kb=16384

# An experiment, not a check (LAB_ABUSE_PICKS=1): every fair pick with the
# picked task's and the run queue's EEVDF state, and every fair enqueue,
# read through BTF by two fprobe events; each round's trace is copied to the
# lab's output directory as 55-picks-ROUND.txt, named after the probe's pid,
# for tests/lab/eevdf-picks.py to say why the probe waited.
picks_setup() {
	local pick='f:phpick/pick pick_task_fair%return cpu=rq->cpu pid=$retval->pid'
	pick+=' v=$retval->se.vruntime:s64 dl=$retval->se.deadline:s64'
	pick+=' w=$retval->se.h_load.weight z=rq->cfs.zero_vruntime:s64'
	pick+=' sw=rq->cfs.sum_w_vruntime:s64 sW=rq->cfs.sum_weight:s64'
	pick+=' sh=rq->cfs.sum_shift cv=rq->cfs.curr->vruntime:s64'
	pick+=' cw=rq->cfs.curr->h_load.weight con=rq->cfs.curr->on_rq'
	local enq='f:phpick/enq enqueue_task_fair%return cpu=rq->cpu pid=p->pid'
	enq+=' v=p->se.vruntime:s64 dl=p->se.deadline:s64 w=p->se.h_load.weight'
	if echo "$pick" >>$T/dynamic_events && echo "$enq" >>$T/dynamic_events; then
		trace_events+=" phpick/pick phpick/enq"
		trace_kb=65536
	else
		diag "pick tracing unavailable here: $(tail -n 2 $T/error_log | tr '\n' ' ')"
		echo '-:phpick/pick' >>$T/dynamic_events 2>/dev/null
	fi
}
picks_save() {	# picks_save TAG
	case $trace_events in
	*phpick*) { echo "# probe pid=$(kv pid <"$tmp/other-$1")"; cat $T/trace; } \
		>/lab/out/55-picks-$1.txt ;;
	esac
}
trace_analyse() {	# trace_analyse TAG: the probes' waits, once the abusers are gone
	local probe
	for probe in other fifo; do
		python3 "$(dirname "$0")/../probe-waits.py" $T/trace "$(kv pid <"$tmp/$probe-$1")" \
			>"$tmp/$probe-waits-$1"
	done
}

finish() {
	trace_restore sched/sched_waking sched/sched_wakeup sched/sched_migrate_task
	case $trace_events in
	*phpick*) echo '-:phpick/pick' >>$T/dynamic_events
		echo '-:phpick/enq' >>$T/dynamic_events ;;
	esac
	rmdir $CG/ph-abuse $CG/ph-probe 2>/dev/null
	[ $cpu_was_on = 1 ] || echo -cpu >$CG/cgroup.subtree_control
	rm -rf "$tmp"
}

# Stopped by run.sh's time limit (SIGTERM, SIGKILL 5 s later): leave no
# spinner, policy, cgroup or trace setting behind to starve or skew the
# tests that follow.
on_term() {
	local cg i
	trap - TERM
	echo 0 >$T/tracing_on
	for cg in ph-abuse ph-probe; do
		[ -d $CG/$cg ] && echo 1 >$CG/$cg/cgroup.kill
	done
	for i in 1 2 3 4 5 6; do
		grep -q 'populated 1' $CG/ph-abuse/cgroup.events $CG/ph-probe/cgroup.events 2>/dev/null || break
		sleep 0.5
	done
	phctl disable --cgroup /ph-abuse 2>/dev/null
	finish
	diag "stopped by SIGTERM: abusers and probes killed, cgroups and trace settings restored"
	exit 143
}
trap on_term TERM

# Two rounds of off/on, interleaved, so that a burst of host noise (the
# guest is emulated) hits one run, not the comparison: each side is
# judged by its better run. LAB_ABUSE_ROUNDS runs others for an experiment
# (off*, on*; noy*: enabled, the abusers leaving without the yield; yld*:
# disabled, the abusers yielding after every section; separated by spaces or
# commas); the checks judge off1, on1, off2 and on2.
rounds=${LAB_ABUSE_ROUNDS:-off1 on1 off2 on2}
trace_setup
for run in ${rounds//,/ }; do
	case $run in
	on*|noy*) phctl enable --cgroup /ph-abuse --grace-us $grace ;;
	esac
	measure $run
	rc=$?
	if [ $rc = 2 ]; then
		# Seen once (amd64 full, a disabled round): the guest starved
		# the abusers, the probe too (p99 1.1 s), and their report went
		# with the kill. The round says nothing about the module; one
		# more try, and a second such round fails.
		diag "$run: measured again: the abusers' report was lost with the kill"
		measure $run
		rc=$?
	fi
	if [ $rc = 0 ]; then
		ok "$threads abusers registered, ran and stopped ($run)"
	else
		not_ok "$threads abusers registered, ran and stopped ($run)"
		phctl disable --cgroup /ph-abuse 2>/dev/null
		finish
		exit 1
	fi
	case $run in
	on*|noy*)
		ph_stats_kv /ph-abuse grants expiries grant_ns_max refusals waiter_refusals \
			arrival_refusals >"$tmp/stats-$run"
		phctl disable --cgroup /ph-abuse
		;;
	esac
	reg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["registered"])' "$tmp/status-$run")
	diag "$run: abusers $(echo $(cat "$tmp/abuse-$run")) (module's count of registered threads while they ran: $reg)"
	diag "$run: SCHED_OTHER probe $(echo $(cat "$tmp/other-$run"))"
	diag "$run: SCHED_FIFO probe  $(echo $(cat "$tmp/fifo-$run"))"
	[ -f "$tmp/stats-$run" ] && diag "$run: cgroup counters $(echo $(cat "$tmp/stats-$run"))"
	diag "$run: SCHED_OTHER probe's waits $(echo $(cat "$tmp/other-waits-$run"))"
	diag "$run: SCHED_FIFO probe's waits $(echo $(cat "$tmp/fifo-waits-$run"))"
	check "$run: all $threads abusers ran and registered a slot" \
		[ "$(kv registered <"$tmp/abuse-$run")" = "$threads" ]
done

grants=$(kv_sum grants "$tmp"/stats-on*)
max_ns=$(kv_max grant_ns_max "$tmp"/stats-on*)
check "enabled: the abusers were granted extensions ($grants)" [ "${grants:-0}" -ge 10 ]
# The timer that ends an extension is as late as any other. Under
# single-threaded TCG a vCPU waits for its turn while the other one runs, so
# with a thousand spinners the guest stalls for milliseconds, without the
# module as much as with it: the probes measure those stalls in the same
# runs. The bound is the grace plus the longest stall a probe saw.
stall_us=$(int_max "$slack" \
	$(cat "$tmp"/fifo-* "$tmp"/other-* | kv_all max_us))
check "enabled: no extension outlived grace + the longest stall ($((max_ns / 1000)) us <= $grace + $stall_us us)" \
	[ "$max_ns" -le $(((grace + stall_us) * 1000)) ]
penalized=$(kv_sum penalized "$tmp"/abuse-on*)
check "enabled: the abusers overran and were penalized ($penalized)" [ "$penalized" -ge 1 ]

# Each side's two runs: the module may be blamed for a rise only beyond
# what the two runs without it already differ by.
p99s() {	# p99s PROBE SIDE: that side's two p99 values, lower first
	cat "$tmp/$1-$2"1 "$tmp/$1-$2"2 | kv_all p99_us | sort -g
}
fifo_on=$(p99s fifo on | head -n1) fifo_off=$(p99s fifo off | tail -n1)
diag "p99 (us): SCHED_FIFO off $(echo $(p99s fifo off)), on $(echo $(p99s fifo on));" \
	"SCHED_OTHER off $(echo $(p99s other off)), on $(echo $(p99s other on))"
# "Must not grow" is judged wakeup by wakeup from the trace, below (no
# extension held the FIFO probe's CPU once it was queued), and in exact
# guest time by the p99 itself (further down). The wall-clock p99 is only
# reported: under TCG a wakeup's latency is the emulated instructions on its
# path times the emulator's slowdown (p50 1.6-3 ms here, 10-30 us in exact
# time), so every hook the module adds to that path is multiplied a
# hundredfold, and host load moves it more. Fresh-clone CI runs put the
# better enabled run at 0.9-1.5x the worse disabled one, once 2.2x with the
# trace finding no FIFO wakeup held (CI run 16 in docs/hint-abuse.md).
diag "SCHED_FIFO p99, better enabled run / worse disabled run:" \
	"$(python3 -c 'import sys; print("%.2fx" % (float(sys.argv[2]) / float(sys.argv[1])))' "$fifo_off" "$fifo_on")"
# Wakeup by wakeup, from the traces: once the FIFO probe was on a run
# queue, no extension held that CPU until it ran (the RT wakeup ends the
# one running; nothing is granted while it waits).
fifo_waits=$(kv_sum waits "$tmp"/fifo-waits-on*)
fifo_late=$(kv_sum late "$tmp"/fifo-waits-on*)
check "enabled: the SCHED_FIFO probe's wakeups were traced ($fifo_waits)" [ "$fifo_waits" -ge 100 ]
check "enabled: no extension ran on the SCHED_FIFO probe's CPU between its wakeup and its run ($fifo_late waits had one)" \
	[ "$fifo_late" = 0 ]
# The SCHED_OTHER probe's p99 is reported, not judged: it is set by how
# many scheduling decisions go to spinners before the probe (see the waits'
# picks), which varies from run to run by more than a grace either way. What
# the module adds is judged per wait, from the traces of the enabled runs.
waits=$(kv_sum waits "$tmp"/other-waits-on*)
excess=$(kv_sum excess "$tmp"/other-waits-on*)
check "enabled: the SCHED_OTHER probe's wakeups were traced ($waits)" [ "$waits" -ge 5 ]
check "enabled: the probe never waited behind more extensions than scheduling decisions ($excess waits did)" \
	[ "$excess" = 0 ]
# Per decision the probe waited behind, the extension running then added at
# most the grace plus the grace timer's lateness (the SCHED_FIFO probe's
# p99 with the module on measures that lateness).
per=$(kv_max per_decision_p99_us "$tmp"/other-waits-on*)
share=$(kv_max held_share_pct "$tmp"/other-waits-on*)
allow_us=$(int_max "$slack" "$fifo_on")
check "enabled: per decision the probe waited behind, extensions added at most the grace (p99 ${per:-?} us <= $grace + $allow_us us; at most ${share:-?}% of its waiting)" \
	le "${per:-1e9}" $((grace + allow_us))
# What the issue asks: the SCHED_OTHER p99 grows by at most the grace. The
# module grants nothing on a CPU where an outside task is queued (waiters.c),
# so a wait sits behind the extension it arrived to at most, and grows by at
# most a grace plus the timer's lateness, and so does the p99. Judged within
# the enabled runs, wait by wait, on the waits that ended on the CPU they
# were enqueued on without being moved off it (in wall time the probe's p99
# across runs moves by more than a grace either way; in exact time it is
# judged below).
over=$(kv_sum behind_over_one "$tmp"/other-waits-on*)
stayed=$(kv_sum stayed "$tmp"/other-waits-on*)
check "enabled: $stayed SCHED_OTHER waits ended on the CPU they were enqueued on, never moved" [ "$stayed" -ge 5 ]
check "enabled: no SCHED_OTHER wait sat behind more than one extension on its CPU ($over did)" \
	[ "$over" = 0 ]
# The module's side of it: grants refused because an outside task was
# queued on the CPU (the probe, and kernel threads).
waiter_refusals=$(kv_sum waiter_refusals "$tmp"/stats-on*)
refusals=$(kv_sum refusals "$tmp"/stats-on*)
check "enabled: grants were refused for outside tasks queued on the CPU ($waiter_refusals of $refusals refusals)" \
	test "$waiter_refusals" -ge 1 -a "$waiter_refusals" -le "$refusals"
# And requests made for outside tasks as they woke (the probes, kernel
# threads) were left standing rather than withheld.
arrival_refusals=$(kv_sum arrival_refusals "$tmp"/stats-on*)
check "enabled: requests for outside tasks arriving were left standing ($arrival_refusals of $refusals refusals)" \
	test "$arrival_refusals" -ge 1 -a "$arrival_refusals" -le "$refusals"
held_max=$(kv_max behind_held_max_us "$tmp"/other-waits-on*)
check "enabled: extensions added at most a grace to any SCHED_OTHER wait (${held_max:-?} us <= $grace + $stall_us us)" \
	le "${held_max:-1e9}" $((grace + stall_us))
# The timer's lateness is the round's own: what its SCHED_FIFO probe saw
# at p99 (CI run 28's first enabled round stalled the guest for seconds,
# FIFO p99 21.9 ms against 8.1 ms in the other round).
for run in on1 on2; do
	with=$(kv stayed_wait_p99_us <"$tmp/other-waits-$run")
	less=$(kv stayed_wait_p99_less_behind_us <"$tmp/other-waits-$run")
	late_us=$(int_max "$slack" "$(kv p99_us <"$tmp/fifo-$run")")
	check "$run: SCHED_OTHER p99 grew by at most the grace ($less us without the extensions' share -> $with us; <= $grace + $late_us us)" \
		python3 -c 'import sys; a, b, g = map(float, sys.argv[1:]); sys.exit(0 if b - a <= g else 1)' \
		"${less:-0}" "${with:-1e9}" $((grace + late_us))
done
# In exact guest time (LAB_EXACT_TIME=1: the emulator counts instructions,
# `-icount`, so a host that is busy or pauses a vCPU cannot move the
# guest's clock) the p99 itself is judged, as the issue asks, over at least
# three rounds a side: the median of the enabled rounds' SCHED_OTHER p99 is
# within the grace of the disabled rounds' median. Both sides drift between
# a fast state and a slow one from round to round (see docs/hint-abuse.md
# and the runs it lists); the median of several rounds is what stays put.
if [ "${LAB_EXACT_TIME:-0}" = 1 ]; then
	median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
	offs=$(for f in "$tmp"/other-off*; do kv p99_us <"$f"; done)
	ons=$(for f in "$tmp"/other-on*; do kv p99_us <"$f"; done)
	off_med=$(median <<<"$offs") on_med=$(median <<<"$ons")
	diag "exact time: SCHED_OTHER p99 (us) disabled $(echo $offs) (median $off_med), enabled $(echo $ons) (median $on_med)"
	check "exact time: at least 3 rounds a side ($(wc -w <<<"$offs") disabled, $(wc -w <<<"$ons") enabled)" \
		[ "$(wc -w <<<"$offs")" -ge 3 -a "$(wc -w <<<"$ons")" -ge 3 ]
	check "exact time: the SCHED_OTHER p99 grows by at most the grace (median $off_med -> $on_med us; <= + $grace us)" \
		le "${on_med:-1e9}" "$(python3 -c 'import sys; print(float(sys.argv[1]) + float(sys.argv[2]))' "${off_med:-0}" $grace)"
	# The SCHED_FIFO probe must not get later at all. Its p99 moves from
	# round to round without the module too (0.99-1.98 ms over three
	# disabled rounds); growth is what lifts the enabled rounds' median
	# above every disabled round.
	foffs=$(for f in "$tmp"/fifo-off*; do kv p99_us <"$f"; done)
	fons=$(for f in "$tmp"/fifo-on*; do kv p99_us <"$f"; done)
	fon_med=$(median <<<"$fons") foff_max=$(sort -g <<<"$foffs" | tail -n1)
	diag "exact time: SCHED_FIFO p99 (us) disabled $(echo $foffs) (median $(median <<<"$foffs")), enabled $(echo $fons) (median $fon_med)"
	check "exact time: the SCHED_FIFO p99 does not grow (enabled median $fon_med us <= worst disabled round $foff_max us)" \
		le "${fon_med:-1e9}" "${foff_max:-0}"
fi
n=$(ph_held_settled)
check "every abuser's slot is released after they exit ($n)" [ "$n" = 0 ]
finish
check "the module unloads after the abuse" rmmod preempthint
