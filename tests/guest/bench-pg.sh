#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PostgreSQL A/B benchmark, one session of it (not a test): for every cell
# (huge_pages x pgbench mode x clients) run each configuration this kernel
# can run, back to back, and print one result line per run:
#
#   pgbench: config=lazy-hint rep=1 huge=off mode=S clients=32 tps=... ...
#
# Run by tests/lab/bench-pg.sh in a lab guest (one boot per kernel and
# preemption mode and repetition), or on a real host (its --host). Every
# run restarts the server from a fresh copy of the data, with shared_buffers
# well below the data set, so buffer eviction runs hot.
#
# Configurations (the kernel's preemption mode is checked, not assumed):
#   6.1-none     bookworm 6.1, preempt=none, patched server (no module there)
#   lazy-stock   7.x lazy, Debian's stock server, no module
#   lazy         7.x lazy, patched server, module loaded, cgroup not enabled
#                (the unhinted reference: lock-holder preemptions are counted)
#   lazy-hint    7.x lazy, patched server, cgroup enabled, --mode hint
#   lazy-kernel  7.x lazy, stock server, cgroup enabled, --mode kernel
#   full         7.x full, patched server, module loaded, not enabled
#   full-hint    7.x full, patched server, --mode hint
#
# Environment (defaults in brackets): BENCH_PG_CONFIGS [all this kernel
# runs], BENCH_PG_SECONDS [15], BENCH_PG_CLIENTS ["8 32"], BENCH_PG_MODES
# ["S N"], BENCH_PG_HUGE ["off on"], BENCH_PG_SCALE [4], BENCH_PG_JOBS
# (pgbench threads) [2; on a host nproc, and clients 4x and 16x nproc],
# BENCH_PG_SHARED_BUFFERS [16MB], BENCH_PG_GRACE_US [1000 in the lab, 50 on
# a host], BENCH_PG_SCHED_FEATURES [none; e.g. NO_HRTICK], BENCH_PG_REP [1], BENCH_PG_OUT [stdout only], BENCH_PG_HOST=1
# (a real host: the installed module is used as it is, never loaded or
# unloaded; PH_CLI, PG_HINT, PG_STOCK name the installed programs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg-lib.sh"

# Lists may be separated by commas too (the lab's guest.env has no spaces).
host=${BENCH_PG_HOST:-0}
secs=${BENCH_PG_SECONDS:-15}
if [ "$host" = 1 ]; then
	clients=${BENCH_PG_CLIENTS:-$((4 * $(nproc))) $((16 * $(nproc)))}
	jobs=${BENCH_PG_JOBS:-$(nproc)}
else
	clients=${BENCH_PG_CLIENTS:-8 32}
	jobs=${BENCH_PG_JOBS:-2}
fi
clients=${clients//,/ }
modes=${BENCH_PG_MODES:-S N}
modes=${modes//,/ }
huges=${BENCH_PG_HUGE:-off on}
huges=${huges//,/ }
BENCH_PG_CONFIGS=${BENCH_PG_CONFIGS//,/ }
scale=${BENCH_PG_SCALE:-4}
sbuf=${BENCH_PG_SHARED_BUFFERS:-16MB}
rep=${BENCH_PG_REP:-1}
out=${BENCH_PG_OUT:-/dev/null}
cgp=/pglab
work=${BENCH_PG_WORK:-/tmp/pglab}
if [ "$host" = 1 ]; then
	grace=${BENCH_PG_GRACE_US:-50}
	PH_CLI=${PH_CLI:-$(command -v preempthint)}
else
	# Under TCG a critical section takes 20-30x its native time (a page
	# fault inside one, hundreds of microseconds) and hrtimers fire late:
	# the longest grace the module allows. On hardware the default 50 us.
	grace=${BENCH_PG_GRACE_US:-1000}
fi

say() { echo "bench-pg: $*" >&2; }

# The preemption model, read back: none, voluntary, full, lazy.
preempt_now() {
	local f=/sys/kernel/debug/sched/preempt
	if [ -r $f ]; then
		grep -o '([a-z]*)' $f | tr -d '()'
	elif grep -qx CONFIG_PREEMPT_LAZY=y "/boot/config-$(uname -r)" \
		"/usr/lib/modules/$(uname -r)/config" 2>/dev/null; then
		echo lazy
	else
		echo unknown
	fi
}
model=$(preempt_now)

# cfg_* CONFIG: what a configuration needs.
cfg_preempt() { case $1 in 6.1-*) echo none ;; full*) echo full ;; *) echo lazy ;; esac; }
cfg_server() { case $1 in lazy-stock | lazy-kernel | *-stock) echo stock ;; *) echo hint ;; esac; }
cfg_policy() {	# none: no module; off: loaded, not enabled; hint; kernel
	case $1 in
	6.1-* | lazy-stock) echo none ;;
	*-hint) echo hint ;;
	*-kernel) echo kernel ;;
	*) echo off ;;
	esac
}

# On a host, lazy and full are switched at run time where the kernel allows
# it (PREEMPT_DYNAMIC); the lab boots each model instead.
dyn=/sys/kernel/debug/sched/preempt
can_switch() { [ "$(cfg_preempt "$1")" != none ] && [ -w $dyn ]; }
preempt_for() {	# preempt_for CONFIG: on a host, switch the model if needed
	local want
	want=$(cfg_preempt "$1")
	[ "$host" = 1 ] && [ "$(preempt_now)" != "$want" ] && can_switch "$1" && echo "$want" >$dyn
	return 0
}

if [ -z "$BENCH_PG_CONFIGS" ]; then
	case $model in
	none) BENCH_PG_CONFIGS="6.1-none" ;;
	full) BENCH_PG_CONFIGS="full full-hint" ;;
	*) BENCH_PG_CONFIGS="lazy-stock lazy lazy-hint lazy-kernel" ;;
	esac
fi
configs=()
for c in $BENCH_PG_CONFIGS; do
	case $c in
	6.1-none | lazy-stock | lazy | lazy-hint | lazy-kernel | full | full-hint) ;;
	*) say "unknown configuration $c"; exit 64 ;;
	esac
	if [ "$(cfg_preempt "$c")" != "$model" ] && ! { [ "$host" = 1 ] && can_switch "$c"; }; then
		say "$c needs preempt=$(cfg_preempt "$c"), this kernel runs $model: skipped"
		continue
	fi
	configs+=("$c")
done
[ ${#configs[@]} -gt 0 ] || { say "no configuration to run here"; exit 1; }
for bin in "$PG_HINT" "$PG_STOCK"; do
	[ -x "$bin/postgres" ] || { say "no server in $bin (tests/lab/pg-build.sh)"; exit 1; }
done

# ---- module handling ----------------------------------------------------
module_state=unknown
module_want() {	# module_want none|loaded
	[ "$host" = 1 ] && return 0	# a host keeps its installed module
	if [ "$1" = none ] && [ "$module_state" != none ]; then
		ph_unload
		module_state=none
	elif [ "$1" = loaded ] && [ "$module_state" != loaded ]; then
		ph_unload
		ph_load || { say "cannot load the module"; exit 1; }
		module_state=loaded
	fi
}
module_loaded() { [ -d "$PH_SYS" ]; }

# ---- spin-delay evidence: a uretprobe on s_lock() ----------------------
# s_lock() runs only when a SpinLockAcquire finds the lock taken; it
# returns how many times the waiter slept. A histogram trigger keeps the
# counts in the kernel, so nothing is lost however often it fires.
tr=/sys/kernel/tracing
elf_offset() {	# elf_offset FILE SYMBOL: file offset of a dynamic symbol
	python3 - "$1" "$2" <<-'EOF'
	import subprocess, sys
	f, sym = sys.argv[1], sys.argv[2]
	addr = None
	for line in subprocess.run(["readelf", "-W", "--dyn-syms", f], capture_output=True, text=True).stdout.splitlines():
	    w = line.split()
	    if len(w) >= 8 and w[7] == sym and w[3] == "FUNC":
	        addr = int(w[1], 16)
	if addr is None:
	    sys.exit(1)
	for line in subprocess.run(["readelf", "-W", "-l", f], capture_output=True, text=True).stdout.splitlines():
	    w = line.split()
	    if w and w[0] == "LOAD":
	        off, va, sz = int(w[1], 16), int(w[2], 16), int(w[5], 16)
	        if va <= addr < va + sz:
	            print(hex(addr - va + off))
	            sys.exit(0)
	sys.exit(1)
	EOF
}
declare -A slock_off=()
slock_arm() {	# slock_arm BIN: count s_lock() calls of that server
	local off
	slock_disarm
	[ -w $tr/uprobe_events ] || return 0
	[ -n "${slock_off[$1]:-}" ] || slock_off[$1]=$(elf_offset "$1/postgres" s_lock) || return 0
	off=${slock_off[$1]}
	echo "r:pglab/slock $1/postgres:$off delays=\$retval:s32" >>$tr/uprobe_events 2>/dev/null || return 0
	echo 'hist:keys=delays:vals=hitcount:size=2048' >$tr/events/pglab/slock/trigger 2>/dev/null
	echo 1 >$tr/events/pglab/slock/enable
}
slock_read() {	# prints "calls delays", or "- -"
	if [ -r $tr/events/pglab/slock/hist ]; then
		awk '/^\{ delays:/ { gsub(/[{}:]/, " "); d = $2; n = $4; c += n; s += d * n }
			END { print c + 0, s + 0 }' $tr/events/pglab/slock/hist
	else
		echo "- -"
	fi
}
slock_disarm() {
	[ -d $tr/events/pglab ] || return 0
	echo 0 >$tr/events/pglab/slock/enable 2>/dev/null
	echo '!hist:keys=delays:vals=hitcount:size=2048' >$tr/events/pglab/slock/trigger 2>/dev/null
	echo '-:pglab/slock' >>$tr/uprobe_events 2>/dev/null
}

# ---- the data and huge pages ---------------------------------------------
mkdir -p "$work"
chown "$PG_USER" "$work"
master=$work/master
say "preparing scale-$scale data"
pg_data "$master" "$scale" || { say "cannot prepare the data"; exit 1; }
data=$work/run
maxc=0
for nc in $clients; do [ "$nc" -gt $maxc ] && maxc=$nc; done
maxconn=$((maxc + 10))
hp_kb=$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo)
hp_need=$(pg_as "$PG_HINT/postgres" -D "$master" -C shared_memory_size_in_huge_pages \
	-c shared_buffers="$sbuf" -c max_connections=$maxconn 2>/dev/null)
hp_old=$(cat /proc/sys/vm/nr_hugepages)
if [[ $huges == *on* ]]; then
	want=$((hp_need + 8))
	[ "$hp_old" -ge "$want" ] || echo "$want" >/proc/sys/vm/nr_hugepages
	say "huge pages: $(cat /proc/sys/vm/nr_hugepages) x ${hp_kb} kB reserved ($hp_need needed)"
fi
# Experiments: scheduler features to set first (e.g. NO_HRTICK).
for feat in ${BENCH_PG_SCHED_FEATURES//,/ }; do
	echo "$feat" >/sys/kernel/debug/sched/features || say "cannot set sched feature $feat"
done
thp=$(cat /sys/kernel/mm/transparent_hugepage/shmem_enabled 2>/dev/null | grep -o '\[[a-z_]*\]')

# ---- one run ---------------------------------------------------------------
# How fast this vCPU runs now: a fixed loop's rate (M iterations/s). Under
# TCG on a shared host it moves with the host's load; the report shows its
# spread so that a TPS difference can be weighed against it.
calibrate() {
	python3 -c '
import time
n, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < 0.5:
    for _ in range(10000):
        pass
    n += 10000
print("%.2f" % (n / (time.perf_counter() - t0) / 1e6))'
}

# A psql session samples pg_stat_activity four times a second: client
# backends sleeping in a spin delay (wait_event SpinDelay), waiting for an
# LWLock, and active.
sampler() {	# sampler SECONDS > file
	local n
	n=$(($1 * 4))
	printf '%s\n' "SELECT count(*) FILTER (WHERE wait_event = 'SpinDelay'),
		count(*) FILTER (WHERE wait_event_type = 'LWLock'),
		count(*) FILTER (WHERE state = 'active')
		FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" \
		"\\watch i=0.25 c=$n" | pg_psql 2>/dev/null
}

run_one() {	# run_one CONFIG HUGE MODE CLIENTS
	local cfg=$1 huge=$2 mode=$3 nc=$4 bin policy log win res s_out calls delays
	bin=$PG_HINT
	[ "$(cfg_server "$cfg")" = stock ] && bin=$PG_STOCK
	policy=$(cfg_policy "$cfg")
	preempt_for "$cfg"
	case $policy in
	none) module_want none ;;
	*) module_want loaded ;;
	esac
	# Every run starts from the same data: -N changes it, -S does not.
	if [ "$data_clean" != 1 ]; then
		rm -rf "$data"
		cp -a "$master" "$data" || return 1
	fi
	data_clean=1
	[ "$mode" = S ] || data_clean=0
	if module_loaded; then
		phctl disable --cgroup $cgp >/dev/null 2>&1
	fi
	if ! pg_start "$bin" "$data" $cgp -c shared_buffers="$sbuf" -c huge_pages="$huge" \
		-c max_connections=$maxconn; then
		say "$cfg: the server did not start"; tail -n 5 "$data/server.log" >&2
		return 1
	fi
	case $policy in
	hint | kernel) phctl enable --cgroup $cgp --grace-us "$grace" --mode "$policy" >/dev/null ||
		{ say "enable --mode $policy failed"; return 1; } ;;
	esac
	module_loaded && phctl reset-stats
	slock_arm "$bin"
	log=$work/log
	rm -rf "$log"
	mkdir -p "$log"
	local cal
	cal=$(calibrate)
	sampler "$secs" >"$work/samples" &
	local spid=$!
	# Backends register when they start: count them in mid-run.
	echo - >"$work/registered"
	module_loaded && { sleep $((secs / 2)); ph_registered >"$work/registered"; } &
	# Markers for the lab harness, which measures how much CPU the host gave
	# this guest in between (tests/lab/bench-pg.sh).
	say "mark start $cfg/$huge/$mode/$nc"
	local ctxt0 intr0 ctxt1 intr1
	read -r ctxt0 intr0 < <(awk '/^ctxt/ { c = $2 } /^intr/ { i = $2 } END { print c, i }' /proc/stat)
	res=$(cd "$log" && pg_bench -n -M prepared -j "$jobs" -c "$nc" -T "$secs" -"$mode" \
		--log --log-prefix=tx 2>&1)
	read -r ctxt1 intr1 < <(awk '/^ctxt/ { c = $2 } /^intr/ { i = $2 } END { print c, i }' /proc/stat)
	say "mark end $cfg/$huge/$mode/$nc"
	wait
	read -r calls delays < <(slock_read)
	slock_disarm
	local lh=- grants=- expiries=- kgrants=- gmax=- reg
	reg=$(cat "$work/registered")
	if module_loaded; then
		read -r lh grants expiries kgrants gmax < <(phctl -j stats | python3 -c '
import json, sys
s = json.load(sys.stdin)["stats"]
print(s["lh_preemptions"], s["grants"], s["expiries"], s["kernel_grants"], s["grant_ns_max"])')
	fi
	[ "$policy" = kernel ] && grants=$kgrants
	# Debian's server registers no hint: the module cannot tell its holders.
	[ "$(cfg_server "$cfg")" = stock ] && lh=-
	module_loaded && [ "$policy" != off ] && [ "$policy" != none ] &&
		phctl disable --cgroup $cgp >/dev/null
	pg_stop "$bin" "$data" || say "$cfg: the server did not stop cleanly"
	if ! grep -q "^number of failed transactions: 0 " <<<"$res"; then
		say "$cfg: pgbench failed:"; echo "$res" | tail -n 5 >&2
		return 1
	fi
	win=$("$(dirname "$0")/pgbench-window.py" "$log"/tx*)
	say "  $cfg: $(grep -E '^(initial connection time|tps)' <<<"$res" | tr '\n' ' ')| steady: $win"
	s_out=$(awk -F'|' 'NF == 3 { n++; spin += $1; lw += $2; act += $3; if ($1 > 0) hit++ }
		END { if (n) printf "samples=%d spin_waiters=%.3f spin_hit=%.3f lwlock_waiters=%.2f active=%.2f",
			n, spin / n, hit / n, lw / n, act / n; else printf "samples=0" }' "$work/samples")
	printf 'pgbench: config=%s rep=%s huge=%s mode=%s clients=%s secs=%s %s pgbench_tps=%s lh=%s grants=%s expiries=%s registered=%s slock_calls=%s slock_delays=%s cal=%s ctxt=%s intr=%s grant_ns_max=%s %s kernel=%s preempt=%s server=%s\n' \
		"$cfg" "$rep" "$huge" "$mode" "$nc" "$secs" "$win" \
		"$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$res" | head -n1)" \
		"$lh" "$grants" "$expiries" "$reg" "$calls" "$delays" "$cal" \
		"$((ctxt1 - ctxt0))" "$((intr1 - intr0))" "$gmax" \
		"$s_out" "$(uname -r)" "$(preempt_now)" "$(cfg_server "$cfg")" | tee -a "$out"
}

say "$(uname -r) preempt=$model, $(nproc) CPUs, rep $rep: ${configs[*]}; huge_pages {$huges}, -{$modes}, clients {$clients}, ${secs}s, scale $scale, shared_buffers $sbuf, shmem THP $thp"
say "servers: patched $("$PG_HINT/postgres" --version | awk '{print $NF}'), stock $("$PG_STOCK/postgres" --version | awk '{print $NF}')"
failed=0 data_clean=0
for huge in $huges; do
	for mode in $modes; do
		for nc in $clients; do
			for cfg in "${configs[@]}"; do
				run_one "$cfg" "$huge" "$mode" "$nc" || failed=$((failed + 1))
			done
		done
	done
done
module_want none
[ "$host" = 1 ] && [ "$(preempt_now)" != "$model" ] && echo "$model" >$dyn
[ "$hp_old" = "$(cat /proc/sys/vm/nr_hugepages)" ] || echo "$hp_old" >/proc/sys/vm/nr_hugepages
rm -rf "$work"
rmdir $CG$cgp 2>/dev/null
[ $failed = 0 ]
