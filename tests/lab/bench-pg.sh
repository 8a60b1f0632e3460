#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench-pg`: the PostgreSQL A/B benchmark. Boots one lab guest per
# kernel/preemption mode and repetition (bookworm 6.1 preempt=none, Debian
# 7.x lazy, 7.x full), each running tests/guest/bench-pg.sh for its
# configurations, interleaved rep by rep so that host noise spreads over all
# of them; then prints the result table (medians, min-max, ratios to the 6.1
# preempt=none baseline of the same session) and draws a plot.
#
# usage: tests/lab/bench-pg.sh [options]
#   --configs LIST    6.1-none,lazy-stock,lazy,lazy-hint,lazy-kernel,full
#                     (default; also full-hint; see tests/guest/bench-pg.sh)
#   --seconds N       pgbench duration per run (15)
#   --reps N          repetitions, each a fresh boot per kernel (3)
#   --clients LIST    8,32 (4x and 16x the guest's 2 vCPUs)
#   --modes LIST      S,N (pgbench -S select-only, -N simple-update)
#   --huge LIST       off,on (huge_pages; the guest reserves vm.nr_hugepages)
#   --scale N         pgbench scale (4: ~60 MB, in page cache; shared_buffers 16 MB)
#   --out DIR         results, console logs, table and plot
#                     (default $LAB_CACHE/bench-pg/DATE)
#   --report DIR|FILE...  only print the table (and plot) of earlier results
#   --host            no QEMU: run the same workload here, on a real host,
#                     against the installed module (`preempthint` on PATH,
#                     modprobe'd) and servers: PG_HINT (patched, bin dir) and
#                     PG_STOCK (default /usr/lib/postgresql/17/bin); clients
#                     default to 4x and 16x nproc. Needs root.
# Every option has an environment twin: BENCH_PG_CONFIGS, BENCH_PG_SECONDS,
# BENCH_PG_REPS, BENCH_PG_CLIENTS, BENCH_PG_MODES, BENCH_PG_HUGE,
# BENCH_PG_SCALE. LAB_KERNEL picks the 7.x kernel (newest).

. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

configs=${BENCH_PG_CONFIGS:-6.1-none,lazy-stock,lazy,lazy-hint,lazy-kernel,full}
secs=${BENCH_PG_SECONDS:-15}
reps=${BENCH_PG_REPS:-3}
clients=${BENCH_PG_CLIENTS:-}
modes=${BENCH_PG_MODES:-S,N}
huge=${BENCH_PG_HUGE:-off,on}
scale=${BENCH_PG_SCALE:-4}
out="" host=0 report=()
while [ $# -gt 0 ]; do
	case $1 in
	--configs) configs=$2; shift ;;
	--seconds) secs=$2; shift ;;
	--reps) reps=$2; shift ;;
	--clients) clients=$2; shift ;;
	--modes) modes=$2; shift ;;
	--huge) huge=$2; shift ;;
	--scale) scale=$2; shift ;;
	--out) out=$2; shift ;;
	--host) host=1 ;;
	--report) shift; report=("$@"); break ;;
	*) lab_die "unknown option $1 (see the header of $0)" ;;
	esac
	shift
done
for n in "$secs" "$reps" "$scale"; do
	case $n in '' | *[!0-9]* | 0) lab_die "--seconds, --reps and --scale take positive numbers" ;; esac
done
configs=${configs// /,} clients=${clients// /,} modes=${modes// /,} huge=${huge// /,}

report_py=$LAB_TOP/tests/bench/pg-report.py
# Debian's python3, where python3-matplotlib is (a pyenv shim may come first on PATH).
py=/usr/bin/python3
[ -x $py ] || py=python3
if [ ${#report[@]} -gt 0 ]; then
	files=()
	for r in "${report[@]}"; do
		if [ -d "$r" ]; then files+=("$r/results.txt"); else files+=("$r"); fi
	done
	exec $py "$report_py" --plot "$(dirname "${files[0]}")/bench-pg" "${files[@]}"
fi

out=${out:-$LAB_CACHE/bench-pg/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
results=$out/results.txt
: >"$results"
started=$(date +%s)

# ---- on a real host -------------------------------------------------------
if [ "$host" = 1 ]; then
	[ "$(id -u)" = 0 ] || lab_die "--host needs root (cgroups, huge pages, the module)"
	command -v preempthint >/dev/null || lab_die "--host: no preempthint CLI on PATH (make install)"
	[ -d /sys/module/preempthint ] || lab_die "--host: the module is not loaded (modprobe preempthint)"
	[ -x "${PG_HINT:-}/postgres" ] ||
		lab_die "--host: set PG_HINT to the patched server's bin directory (user/postgresql/build.sh)"
	id postgres >/dev/null 2>&1 || lab_die "--host: no postgres user (PG_USER=...)"
	for r in $(seq "$reps"); do
		lab_log "host run, rep $r/$reps"
		env BENCH_PG_HOST=1 BENCH_PG_CONFIGS="${BENCH_PG_CONFIGS:-${configs/6.1-none,/}}" \
			BENCH_PG_SECONDS="$secs" BENCH_PG_REP="$r" ${clients:+BENCH_PG_CLIENTS="$clients"} \
			BENCH_PG_MODES="$modes" BENCH_PG_HUGE="$huge" BENCH_PG_SCALE="$scale" \
			BENCH_PG_OUT="$results" LAB_BUILD="$LAB_TOP" \
			"$LAB_TOP/tests/guest/bench-pg.sh" || lab_log "rep $r had failed runs"
	done
	$py "$report_py" --plot "$out/bench-pg" "$results" | tee "$out/table.md"
	lab_log "done in $(($(date +%s) - started)) s; results in $out"
	exit 0
fi

# ---- in lab guests -------------------------------------------------------
"$here/host-deps.sh"
"$here/chroot.sh"
release=$("$here/kernel.sh" "${LAB_KERNEL:-newest}")
"$here/build.sh" "$release"
"$here/pg-build.sh" --data "$scale" || lab_die "no PostgreSQL for the guests (tests/lab/pg-build.sh)"

# One boot per kernel and mode: which configurations each runs.
declare -A group_cfgs=()
for c in ${configs//,/ }; do
	case $c in
	6.1-*) g=none ;;
	full*) g=full ;;
	lazy*) g=lazy ;;
	*) lab_die "unknown configuration $c (see tests/guest/bench-pg.sh)" ;;
	esac
	group_cfgs[$g]+="${group_cfgs[$g]:+,}$c"
done
base=""
[ -n "${group_cfgs[none]:-}" ] && base=$("$here/kernel.sh" bookworm)

# watch_console GOUT: pass the guest's progress lines through, and for each
# run (between the guest's "mark start ID" and "mark end ID") write "ID
# SHARE" to GOUT/host-share.txt: the share of one host core QEMU got
# (single-threaded TCG can use one at most). The guest cannot see this:
# under TCG its clocks follow the host's, however little CPU it gets.
watch_console() {
	local gout=$1 line pid="" t0 c0 t1 c1 id tck
	tck=$(getconf CLK_TCK)
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"bench-pg: mark start "*)
			[ -n "$pid" ] || pid=$(qemu_pid "$gout")
			t0=$(date +%s.%N) c0=$(qemu_cpu "$pid")
			;;
		"bench-pg: mark end "*)
			id=${line#bench-pg: mark end }
			t1=$(date +%s.%N) c1=$(qemu_cpu "$pid")
			[ -n "$c0" ] && [ -n "$c1" ] &&
				awk -v id="$id" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v tck="$tck" \
				'BEGIN { printf "%s %.3f\n", id, (c1 - c0) / tck / (t1 - t0) }' >>"$gout/host-share.txt"
			;;
		bench-pg:* | pgbench:*) echo "$line" ;;
		esac
	done
}
qemu_pid() {	# the QEMU process whose results folder is $1
	local p
	for p in $(pgrep -f -- "path=$1,mount_tag=labout"); do
		case $(cat "/proc/$p/comm" 2>/dev/null) in
		qemu-system-*) echo "$p"; return ;;
		esac
	done
}
qemu_cpu() { [ -n "$1" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }

# merge_share GOUT: the guest's result lines, each with its host_share=.
merge_share() {
	local line id share
	declare -A shares=()
	if [ -f "$1/host-share.txt" ]; then
		while read -r id share; do shares[$id]=$share; done <"$1/host-share.txt"
	fi
	while IFS= read -r line; do
		id=$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			print v["config"] "/" v["huge"] "/" v["mode"] "/" v["clients"] }' <<<"$line")
		echo "$line host_share=${shares[$id]:--}"
	done <"$1/pg-results.txt"
}

ncells=$(($(tr , '\n' <<<"$huge" | grep -c .) * $(tr , '\n' <<<"$modes" | grep -c .) *
	$(tr , '\n' <<<"${clients:-8,32}" | grep -c .)))
lab_log "session: ${configs}; $ncells cells x ${secs}s x $reps reps; results in $out"
for r in $(seq "$reps"); do
	# Rotate the boot order each rep: no configuration always runs first.
	order=(none lazy full)
	order=("${order[@]:$(((r - 1) % 3))}" "${order[@]:0:$(((r - 1) % 3))}")
	for g in "${order[@]}"; do
		[ -n "${group_cfgs[$g]:-}" ] || continue
		n=$(tr , '\n' <<<"${group_cfgs[$g]}" | grep -c .)
		kern=$release
		[ "$g" = none ] && kern=$base
		lab_log "rep $r/$reps: $kern preempt=$g: ${group_cfgs[$g]} ($((n * ncells)) runs)"
		env="BENCH_PG_CONFIGS=${group_cfgs[$g]} BENCH_PG_REP=$r BENCH_PG_SECONDS=$secs"
		env+=" BENCH_PG_MODES=$modes BENCH_PG_HUGE=$huge BENCH_PG_SCALE=$scale"
		[ -n "$clients" ] && env+=" BENCH_PG_CLIENTS=$clients"
		gout=$out/rep$r-$g
		"$here/vm.sh" --kernel "$kern" --mode "$g" --run bench-pg --out "$gout" \
			--timeout $((n * ncells * (secs + 60) + 300)) --guest-env "$env" |
			watch_console "$gout"
		if [ -f "$gout/pg-results.txt" ]; then
			merge_share "$gout" >>"$results"
		else
			lab_log "rep $r $g: no results (see $gout/console.log)"
		fi
		"$here/check-log.sh" "$gout" >/dev/null || lab_log "rep $r $g: the guest kernel log is not clean (see $gout/dmesg.txt)"
	done
done
echo
$py "$report_py" --plot "$out/bench-pg" "$results" | tee "$out/table.md"
lab_log "done in $(($(date +%s) - started)) s; results in $out"
