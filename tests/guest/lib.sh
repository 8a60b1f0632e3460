# SPDX-License-Identifier: GPL-2.0
# Helpers for guest tests (sourced). A test prints one TAP line per check:
# "ok - what" or "not ok - what"; tests/guest/run.sh numbers and counts them.

PH_KO=${PH_KO:-$LAB_BUILD/preempthint.ko}
PH_SYS=/sys/module/preempthint

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
diag() { echo "# $*"; }

# check DESCRIPTION COMMAND...: one TAP line from the command's exit status.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# not COMMAND...: succeed when the command fails (for check).
not() { ! "$@"; }

ph_version_expected() {
	sed -n 's/^#define PREEMPTHINT_VERSION "\(.*\)"/\1/p' "$LAB_BUILD/include/preempthint.h"
}

ph_loaded() { [ -d "$PH_SYS" ]; }
ph_load() { insmod "$PH_KO" "$@"; }
ph_unload() { ! ph_loaded || rmmod preempthint; }

# A diagnostic that also goes to the console, for the steps of a test that
# may take minutes on a slow guest (the test's own output is shown when it
# ends).
progress() {
	diag "$@"
	echo "lab: $(basename "$0" .sh): $*" >/dev/kmsg
}

# Kernel log lines written since the mark taken by dmesg_mark. The mark is
# a unique line written to the log, not a line count: a count goes wrong as
# soon as the ring buffer is full and old lines fall out.
dmesg_mark() {
	DMESG_MARK="lab: mark $$.$RANDOM.$(date +%s%N)"
	echo "$DMESG_MARK" >/dev/kmsg
}
dmesg_since() { dmesg | awk -v m="$DMESG_MARK" 'seen; index($0, m) { seen = 1 }'; }

# One check: no WARN, BUG, lockup or stall in the kernel log since the mark.
check_log_quiet() {
	local bad
	bad=$(dmesg_since | grep -E 'WARNING:|BUG:|Oops|lockup|stall|blocked for more than|Call Trace')
	[ -n "$bad" ] && diag "kernel log: $bad"
	check "no WARN, BUG, lockup or stall in the kernel log" [ -z "$bad" ]
}

# ---- issue 3: the mechanism ----

PH_PROGS=$LAB_BUILD/tests/guest/progs
PH_CLI=$LAB_BUILD/user/preempthint
CG=/sys/fs/cgroup

phctl() { "$PH_CLI" "$@"; }

# ph_stats_kv CGROUP NAME...: key=value lines of several counters, all from
# one reading; of an enabled cgroup, or global when CGROUP is "".
ph_stats_kv() {
	local cg=$1
	shift
	phctl -j stats ${cg:+--cgroup "$cg"} | python3 -c '
import json, sys
doc = json.load(sys.stdin)
stats = doc.get("stats", doc)
for name in sys.argv[1:]:
	print("%s=%s" % (name, stats[name]))' "$@"
}

# ph_stat NAME [CGROUP]: one counter, global or of an enabled cgroup (JSON).
ph_stat() { ph_stats_kv "${2:-}" "$1" | sed 's/^[^=]*=//'; }

# ph_held: the slots the module holds (status's "registered"). A slot is
# given back an RCU grace period after its thread ends, so ph_held_settled
# waits up to 10 s for the count to reach 0 and prints what it is then.
ph_held() { phctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["registered"])'; }
ph_held_settled() {
	local i
	for i in $(seq 100); do
		[ "$(ph_held)" = 0 ] && break
		sleep 0.1
	done
	ph_held
}

# run_in_cgroup CGROUP CMD...: run CMD as a member of cgroup CGROUP.
run_in_cgroup() {
	local cg=$1
	shift
	mkdir -p "$CG$cg"
	sh -c 'echo $$ > "$0/cgroup.procs" && shift && exec "$@"' "$CG$cg" - "$@"
}

# kv KEY < output: the value of a key=value line.
kv() { sed -n "s/^$1=//p" | head -n1; }
# kv_all KEY < output: the values of every key=value line with that key.
kv_all() { sed -n "s/^$1=//p"; }
# kv_sum KEY FILE...: the sum of KEY over FILEs (0 if none has it)
kv_sum() { local k=$1; shift; cat "$@" | kv_all "$k" | awk '{ s += $1 } END { print s + 0 }'; }
# kv_max KEY FILE...: the largest value of KEY across the files (empty if none).
kv_max() { local k=$1; shift; cat "$@" | kv_all "$k" | sort -g | tail -n1; }

# le A B: integer or decimal A <= B
le() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' "$1" "$2"; }
# int_max V...: the largest of decimal values, as an integer
int_max() { python3 -c 'import sys; print(int(max(map(float, sys.argv[1:]))))' "$@"; }
# median < "V V ...": the middle value (the lower of the two middle ones)
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# spread < "V V ...": "min-max"
spread() { tr ' ' '\n' | grep . | sort -g | awk 'NR==1{lo=$1} {hi=$1} END {print lo "-" hi}'; }

# ---- tracefs ----
# Its state is the kernel's, not the test's: a test sets up what it needs
# with trace_prepare and puts the boot's defaults back with trace_restore,
# so the next test starts from the same place.
T=/sys/kernel/tracing

# The functions the module puts fprobes on (kmod/hooks.c), all attached
# only while a policy is active. ph_fprobes_attached: how many of them
# ftrace lists as traced now.
PH_FPROBE_FNS="resched_curr_lazy wakeup_preempt sched_tick task_tick_fair irq_exit_rcu handle_mm_fault hrtick"
ph_fprobes_attached() {
	local n=0 f
	for f in $PH_FPROBE_FNS; do
		grep -q "^$f " $T/enabled_functions && n=$((n + 1))
	done
	echo $n
}

# trace_prepare SIZE_KB EVENT...: an empty buffer of SIZE_KB per CPU with
# these events (group/name) enabled, not recording yet (echo 1 >
# $T/tracing_on starts it).
trace_prepare() {
	local size=$1 e
	shift
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo "$size" >$T/buffer_size_kb
	for e; do
		echo 1 >"$T/events/$e/enable"
	done
}

# trace_restore [EVENT...]: recording off, every event off, the named
# events' filters cleared, the buffer emptied and back to the boot's size
# and clock.
trace_restore() {
	local e
	echo 0 >$T/tracing_on
	echo 0 >$T/events/enable
	for e; do
		echo 0 >"$T/events/$e/filter"
	done
	echo >$T/trace
	echo local >$T/trace_clock
	echo 1408 >$T/buffer_size_kb
}

# ---- lock-holder preemptions, split ----
# The module's lock-holder preemptions of a run, from its trace event, told
# apart by whether the holder was penalized then: a holder whose section
# outlasted the grace (under TCG: the host did not run the vCPU) is
# preempted by the bound, as it should be; the rest are deferrals missed.
lh_trace_start() {
	trace_prepare 4096 preempthint/preempthint_lh_preempt preempthint/preempthint_end
	echo 1 >$T/tracing_on
}
# lh_trace_stop PID: prints "penalized=N" and "unpenalized=N" lines for PID,
# and "stillborn=N": its extensions that a switch ended within 50 us of the
# grant (a grant its CPU had already acted against), and puts tracefs back.
lh_trace_stop() {
	echo 0 >$T/tracing_on
	echo "penalized=$(grep -c "preempthint_lh_preempt: pid=$1 .*penalized=1" $T/trace)"
	echo "unpenalized=$(grep -c "preempthint_lh_preempt: pid=$1 .*penalized=0" $T/trace)"
	echo "stillborn=$(grep "preempthint_end: pid=$1 .*why=switch" $T/trace |
		awk '{ sub(/.*ns=/, ""); if ($1 + 0 < 50000) n++ } END { print n + 0 }')"
	trace_restore
}
