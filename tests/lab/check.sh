#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: host unit tests, then the guest suite on Debian's newest
# trixie-backports kernel for each arch: amd64 in each preemption mode, arm64
# (Graviton's arch, qemu-system-aarch64) in lazy, its only model; hint abuse
# in exact guest time; DKMS; a self-test proving that a guest WARN fails the
# suite; a boot of bookworm's 6.1 with preempt=none (the pre-regression
# baseline); and a smoke of every kernel of the Debian 7.x matrix
# (tests/lab/kernels.sh). Guests run LAB_JOBS (2) at a time, one per host
# core. Prints one TAP stream ending in "N passed, N failed"; exits non-zero
# if anything failed.
#
# Environment: LAB_KERNEL (newest | RELEASE; a release's -amd64/-arm64 suffix
# follows the arch), LAB_ARCHES ("amd64 arm64"), LAB_MODES ("lazy full", for
# amd64), LAB_ARM64_TESTS (default: all of tests/guest/t), LAB_BASELINE=0 to
# skip the 6.1 boot, LAB_SELFTEST=0 to skip the WARN self-test, LAB_PG=0 to
# skip building PostgreSQL (test 75 then skips), LAB_CACHE
# (where the chroot and kernels are kept), LAB_DKMS=0 to skip the DKMS install
# and its guest (tests/lab/dkms.sh; amd64), LAB_DEBUG_SELFTEST=1 for the
# debug kernel's self-test (LAB_KERNEL=debug: a module whose KASAN, lockdep,
# atomic-sleep and kmemleak reports must each fail the run; `make
# check-debug`), LAB_FGRAPH_FULL=0 to skip the full function-graph slots
# guest, LAB_EXACT=0 to skip hint abuse in exact guest time (amd64),
# LAB_SUITES=0 to skip the whole-suite guests (`make check-exact`),
# LAB_KERNELS (smoke | full | 0: the kernel matrix's depth, or none),
# LAB_MTTCG=0 to skip the wakeup tests with vCPUs that run at once,
# LAB_MTTCG_SUITES=1 for each arch's scheduling suite that way (`make
# check-mttcg`),
# LAB_JOBS (guests at a time, default 2), LAB_ALL=1 (`make check-all`:
# the whole suite in every mode, and every matrix kernel booted).
# vm.sh reads LAB_VM_MEM, LAB_VM_TIMEOUT, LAB_TEST_TIMEOUT.

. "$(dirname "$0")/lib.sh"
set +e

LAB_KERNEL=${LAB_KERNEL:-newest}
LAB_MODES=${LAB_MODES:-lazy full}
here=$(dirname "$0")
. "$here/tap.sh"

step() {	# step DESCRIPTION COMMAND... : one TAP line, output kept as comments
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && sed 's/^/# /' <<<"$out"
	if [ $rc = 0 ]; then emit ok "$desc"; else emit not-ok "$desc"; fi
	return $rc
}

# ---- the guest pool ----
#
# Setup (chroot, kernels, builds) runs first, one step at a time; then every
# guest is a job, LAB_JOBS (2) at a time: single-threaded TCG runs a guest on
# one host core, so two guests on two cores do not take turns. Reports come
# after all jobs ended, in the order the jobs were queued, so that the TAP
# stream reads the same however the jobs interleaved. A job marked
# exclusive for a kernel (the DKMS job installs into the root that guests of
# that kernel boot) runs alone among the guests of that kernel.
LAB_JOBS=${LAB_JOBS:-2}
jobdir=$LAB_CACHE/jobs
rm -rf "$jobdir"
mkdir -p "$jobdir"
job_names=() job_pending=()
declare -A job_cmd=() job_report=() job_kernel=() job_excl=() job_pid=() job_start=()

# queue NAME KERNEL EXCL REPORT -- COMMAND...: COMMAND runs in the pool with
# its output in $jobdir/NAME.log; REPORT (a command line) runs afterwards.
# EXCL 1: alone among the guests of KERNEL; 2: alone.
queue() {
	local name=$1 kernel=$2 excl=$3 report=$4
	shift 5
	job_names+=("$name")
	job_pending+=("$name")
	job_cmd[$name]=$(printf '%q ' "$@")
	job_report[$name]=$report
	job_kernel[$name]=$kernel
	job_excl[$name]=$excl
}

job_may_start() {	# job_may_start NAME: no exclusive conflict with a running job
	local name=$1 other
	for other in "${!job_pid[@]}"; do
		# EXCL 2: alone in the pool (vCPUs that run at once take every core).
		[ "${job_excl[$other]}" = 2 ] || [ "${job_excl[$name]}" = 2 ] && return 1
		[ "${job_kernel[$other]}" = "${job_kernel[$name]}" ] || continue
		[ "${job_excl[$other]}" = 1 ] || [ "${job_excl[$name]}" = 1 ] && return 1
	done
	return 0
}

# A job has ended when its .rc exists (written last): polled, so that no
# ended job can be missed between two waits.
run_queue() {
	local name i started_one rest t0
	while [ ${#job_pending[@]} -gt 0 ] || [ ${#job_pid[@]} -gt 0 ]; do
		started_one=1
		while [ $started_one = 1 ] && [ ${#job_pid[@]} -lt "$LAB_JOBS" ]; do
			started_one=0
			rest=()
			for i in "${!job_pending[@]}"; do
				name=${job_pending[$i]}
				if [ $started_one = 0 ] && job_may_start "$name"; then
					job_start[$name]=$(date +%s)
					echo "# pool: $name starts ($(date -u +%T))"
					(eval "${job_cmd[$name]}" >"$jobdir/$name.log" 2>&1
					 echo $? >"$jobdir/$name.rc") &
					job_pid[$name]=$!
					started_one=1
				else
					rest+=("$name")
				fi
			done
			job_pending=("${rest[@]}")
		done
		[ ${#job_pid[@]} = 0 ] && break	# nothing runs, so nothing was left pending
		sleep 2
		for name in "${!job_pid[@]}"; do
			[ -f "$jobdir/$name.rc" ] || continue
			wait "${job_pid[$name]}"
			unset "job_pid[$name]"
			t0=${job_start[$name]}
			echo "$(($(date +%s) - t0))" >"$jobdir/$name.secs"
			echo "# pool: $name ended after $(cat "$jobdir/$name.secs") s"
		done
	done
}

report_queue() {
	local name
	for name in "${job_names[@]}"; do
		echo "# ---- $name (ran $(cat "$jobdir/$name.secs" 2>/dev/null || echo ?) s)"
		guest_out=$LAB_CACHE/out/$name
		guest_rc=$(cat "$jobdir/$name.rc" 2>/dev/null || echo 125)
		report_log "$name"
		eval "${job_report[$name]}"
	done
}

# guest NAME RELEASE MODE ARCH [vm.sh options...]: a guest job's command.
guest() {
	local name=$1 release=$2 mode=$3
	export LAB_ARCH=$4
	shift 4
	"$here/vm.sh" --kernel "$release" ${mode:+--mode "$mode"} --out "$LAB_CACHE/out/$name" "$@"
}

# The guest's own log (vm.sh's lines) as comments, for every report.
report_log() {
	sed 's/^/# /' "$jobdir/$1.log"
}

# report_guest_tap LABEL: the guest's own TAP, and whether it finished
report_guest_tap() {
	local label=$1
	if [ -f "$guest_out/tap.txt" ]; then
		absorb "[$label] " <"$guest_out/tap.txt"
	fi
	case $guest_rc in
	125) emit not-ok "[$label] guest finished its suite (it died; console tail follows)"
	     tail -n 30 "$guest_out/console.log" | sed 's/^/#   /' ;;
	*) emit ok "[$label] guest finished its suite (status $guest_rc)" ;;
	esac
}

report_guest() {	# report_guest LABEL: TAP for one guest run and its kernel log
	local label=$1 bad
	report_guest_tap "$label"
	if bad=$("$here/check-log.sh" "$guest_out"); then
		emit ok "[$label] guest kernel log has no WARN, BUG, Oops, KASAN, lockdep or lockup"
	else
		emit not-ok "[$label] guest kernel log has no WARN, BUG, Oops, KASAN, lockdep or lockup"
		sed 's/^/#   /' <<<"$bad"
	fi
}

started=$(date +%s)
step "host tools for the lab are installed" "$here/host-deps.sh" || exit 1
echo "# host unit tests"
# Not "| absorb": the last part of a pipeline runs in a subshell, and the
# unit tests' counts (and failures) would never reach the total.
absorb "[unit] " < <(make -s -C "$LAB_TOP" unit 2>&1)

LAB_ARCHES=${LAB_ARCHES:-amd64 arm64}
suite_releases=()	# the kernels the whole suite boots

# The amd64 full-mode and the arm64 guests run the tests whose outcome
# depends on the preemption mode or the arch: scheduling, faults, hotplug.
# Those of the control plane (netlink, privilege, reload, lifecycle, CLI,
# arming, memory exhaustion) run in the amd64 lazy guest, and in all three
# with LAB_ALL=1 (make check-all). Comma-separated (tests/guest/run.sh).
LAB_SCHED_TESTS=${LAB_SCHED_TESTS:-$(cd "$LAB_TOP" && ls tests/guest/t/*.sh |
	grep -E '/(00|10|20|4[0-9]|5[0-9]|60|75|87|89)-' | paste -sd,)}

# arch_setup ARCH: chroot, kernel and builds of one arch, then its guests
# queued. Returns non-zero if the arch cannot be tested at all.
arch_setup() {
	local arch=$1 kernel=$LAB_KERNEL modes=$LAB_MODES env="" release mode
	export LAB_ARCH=$arch
	case $kernel in
	*-amd64 | *-arm64) kernel=${kernel%-*}-$arch ;;
	esac
	# The whole suite in one guest, given room: two guests side by side
	# share the host's I/O. A limit only catches a guest that hangs; each
	# test has its own (run.sh).
	local timeout=${LAB_VM_TIMEOUT:-2400}
	if [ "$arch" = arm64 ]; then
		modes=lazy	# Debian's arm64 build has no PREEMPT_DYNAMIC
		[ "${LAB_ALL:-0}" = 0 ] && env="LAB_TESTS=$LAB_SCHED_TESTS"
		[ -n "${LAB_ARM64_TESTS:-}" ] && env="LAB_TESTS=$LAB_ARM64_TESTS"
	fi

	echo "# lab setup: $arch ($LAB_CACHE)"
	step "lab chroot (trixie, gcc-14, libnl-3, backports headers) and $arch guest root are ready" \
		"$here/chroot.sh" || return 1
	release=$("$here/kernel.sh" "$kernel" 2>"$LAB_CACHE/kernel.err")
	if [ -z "$release" ]; then
		sed 's/^/# /' "$LAB_CACHE/kernel.err"
		emit not-ok "kernel $kernel ($arch) fetched"
		return 1
	fi
	emit ok "kernel $release fetched"
	suite_releases+=("$release")
	# Made here, once, rather than by two guests of the pool at a time.
	step "initramfs for $release" "$here/initramfs.sh" "$release" || return 1
	step "module, CLI and test programs build in the chroot for $release" \
		"$here/build.sh" "$release" || return 1
	absorb "[$release] " < <("$here/wrong-prototype.sh" "$release" 2>&1)
	if [ "$arch" = amd64 ] && [ "${LAB_PG:-1}" != 0 ]; then
		# Built once and cached in the chroot; tests/guest/t/75-postgres.sh
		# skips if the source cannot be had (exit 77), and only then.
		local pg_out pg_rc pg_desc="PostgreSQL 17 in the chroot: patched build, Debian's server, pgbench data"
		pg_out=$("$here/pg-build.sh" 2>&1)
		pg_rc=$?
		[ -n "$pg_out" ] && sed 's/^/# /' <<<"$pg_out"
		case $pg_rc in
		0) emit ok "$pg_desc" ;;
		77) emit ok "$pg_desc # SKIP the mirror has no postgresql-17 source" ;;
		*) emit not-ok "$pg_desc" ;;
		esac
	fi

	# The same tests with vCPUs that run at once (`make check-mttcg`).
	if [ "${LAB_MTTCG_SUITES:-0}" != 0 ] &&
	   step "QEMU for vCPUs that run at once (MTTCG)" "$here/qemu-mttcg.sh"; then
		queue "$release-mttcg" "$release" 2 "report_suite '$release lazy mttcg'" -- \
			LAB_VM_TIMEOUT="$timeout" guest "$release-mttcg" "$release" lazy "$arch" \
			--accel mttcg --guest-env "LAB_TESTS=$LAB_SCHED_TESTS"
	fi

	[ "${LAB_SUITES:-1}" = 0 ] && modes=""
	for mode in $modes; do
		local menv=$env
		[ "$arch-$mode" = amd64-full ] && [ "${LAB_ALL:-0}" = 0 ] && menv="LAB_TESTS=$LAB_SCHED_TESTS"
		queue "$release-$mode" "$release" 0 "report_suite '$release $mode'" -- \
			LAB_VM_TIMEOUT="$timeout" guest "$release-$mode" "$release" "$mode" "$arch" \
			${menv:+--guest-env "$menv"}
	done

	[ "$arch" = amd64 ] && amd64_release=$release
}

# amd64_extras RELEASE: the amd64 guests besides the whole suites, queued
# after every arch's suites so that the longest jobs start first.
amd64_extras() {
	local release=$1 arch=amd64
	if [ "${LAB_EXACT:-1}" != 0 ]; then
		exact_abuse "$release"
	fi

	# Wakeups from another CPU, and RT behind the fair server, with vCPUs
	# that run at once: where a decision could race its target CPU. Alone
	# in the pool: its two vCPUs take both cores.
	if [ "${LAB_MTTCG:-1}" != 0 ] && [ "${LAB_MTTCG_SUITES:-0}" = 0 ] &&
	   step "QEMU for vCPUs that run at once (MTTCG)" "$here/qemu-mttcg.sh"; then
		queue "mttcg" "$release" 2 'report_guest "mttcg"' -- \
			guest "mttcg" "$release" lazy "$arch" --accel mttcg --guest-env \
			"LAB_TESTS=${LAB_MTTCG_TESTS:-tests/guest/t/45-wakeups.sh,tests/guest/t/46-dl-server.sh}"
	fi

	if [ "${LAB_DKMS:-1}" != 0 ]; then
		queue "dkms" "$release" 1 'absorb "[dkms] " <"$jobdir/dkms.log"' -- \
			LAB_ARCH="$arch" "$here/dkms.sh" "$release"
	fi

	if [ "${LAB_FGRAPH_FULL:-1}" != 0 ]; then
		queue "fgraph-full" "$release" 0 "report_fgraph_full" -- \
			guest "fgraph-full" "$release" lazy "$arch" --guest-env "LAB_TESTS=tests/guest/fgraph-full.sh"
	fi

	if [ "${LAB_SELFTEST:-1}" != 0 ]; then
		queue "selftest-warn" "$release" 0 "report_selftest_warn" -- \
			guest "selftest-warn" "$release" lazy "$arch" --guest-env \
			"LAB_PRELOAD=/build/$arch/tests/lab/warn-module/ph_selftest_warn.ko LAB_TESTS=tests/guest/t/00-kernel.sh"
	fi

	if [ "${LAB_DEBUG_SELFTEST:-0}" != 0 ]; then
		queue "selftest-debug" "$release" 0 "report_selftest_debug" -- \
			guest "selftest-debug" "$release" lazy "$arch" --guest-env \
			"LAB_PRELOAD=$(lab_tree "$release")/tests/lab/debug-module/ph_selftest_debug.ko LAB_TESTS=tests/guest/t/00-kernel.sh"
	fi
}

report_suite() {	# report_suite LABEL: a whole-suite guest
	report_guest "$1"
	[ "$guest_rc" = 0 ] || emit not-ok "[$1] guest suite passed (status $guest_rc)"
}

# exact_abuse RELEASE: the hint-abuse test (tests/guest/t/55-abuse.sh) in
# exact guest time, eight rounds a side, where the SCHED_OTHER probe's p99
# is judged (wall-clock guests cannot: docs/hint-abuse.md). About 10
# minutes; the emulator counts instructions, so the guest beside it in the
# pool cannot move its clock, but a round still lands in a fast or a slow
# state either side: the medians need enough rounds to be steadier than
# the one grace they are judged by.
LAB_EXACT_ROUNDS=${LAB_EXACT_ROUNDS:-off1,on1,off2,on2,off3,on3,off4,on4,off5,on5,off6,on6,off7,on7,off8,on8}
exact_abuse() {
	local release=$1
	queue "exact-abuse" "$release" 0 'report_guest "exact-abuse"' -- \
		LAB_QEMU_EXTRA="-icount shift=0,sleep=off" LAB_VM_MEM=3072 LAB_VM_TIMEOUT=1800 \
		LAB_TEST_TIMEOUT=1500 guest "exact-abuse" "$release" lazy amd64 --guest-env \
		"LAB_TESTS=tests/guest/t/55-*.sh LAB_EXACT_TIME=1 LAB_ABUSE_ROUNDS=$LAB_EXACT_ROUNDS"
}

# Enable when the hooks cannot be attached (tests/guest/fgraph-full.sh), in
# a guest of its own: the kernel WARNs when ftrace's function-graph slots
# are full, and that warning, only that, is accepted in this guest's log.
report_fgraph_full() {
	local bad
	report_guest_tap "fgraph-full"
	bad=$("$here/check-log.sh" "$guest_out" |
		grep -v -E 'WARNING: kernel/trace/fprobe.c:[0-9]+ at register_fprobe_ips|Call Trace:|cut here')
	if [ -z "$bad" ]; then
		emit ok "[fgraph-full] guest kernel log has nothing but ftrace's warning about the full slots"
	else
		emit not-ok "[fgraph-full] guest kernel log has nothing but ftrace's warning about the full slots"
		sed 's/^/#   /' <<<"$bad"
	fi
}

# The lab's self-test: a module that WARNs on load must fail the suite.
report_selftest_warn() {
	if grep -q "deliberate warning from the lab self-test" "$guest_out/dmesg.txt" 2>/dev/null &&
		! "$here/check-log.sh" "$guest_out" >/dev/null; then
		emit ok "lab self-test: the WARN of a broken module is caught and fails the run"
	else
		emit not-ok "lab self-test: the WARN of a broken module is caught and fails the run"
	fi
}

# On the debug kernel, a module that commits one bug of each kind
# (tests/lab/debug-module) must fail the run, and the log check must name
# every one of them.
report_selftest_debug() {
	local found kind
	if found=$(LAB_LOG_MAX=100000 "$here/check-log.sh" "$guest_out"); then
		emit not-ok "lab self-test: the broken module's reports fail the run"
	else
		emit ok "lab self-test: the broken module's reports fail the run"
	fi
	for kind in "BUG: KASAN: slab-out-of-bounds" "possible circular locking dependency" \
		"BUG: sleeping function called from invalid context" "new suspected memory leaks"; do
		if grep -q "$kind" <<<"$found"; then
			emit ok "lab self-test: the log check catches '$kind'"
		else
			emit not-ok "lab self-test: the log check catches '$kind'"
		fi
	done
}

# The kernel matrix (tests/lab/kernels.sh): each kernel a job of the pool
# that builds the module, the CLI and a DKMS build for it (rt: refused) and
# boots it for a smoke test. LAB_KERNELS: smoke (make check), full (make
# check-all) or 0 (none).
LAB_KERNELS=${LAB_KERNELS:-smoke}
kernel_matrix() {
	local rel arch flavour suite list boot
	[ "$LAB_KERNELS" = 0 ] && return 0
	echo "# kernel matrix ($LAB_KERNELS)"
	if ! list=$(LAB_KERNELS=$LAB_KERNELS "$here/kernels.sh" list 2>"$LAB_CACHE/kernels.err") ||
		[ -z "$list" ]; then
		sed 's/^/# /' "$LAB_CACHE/kernels.err"
		emit not-ok "the kernel matrix is resolved from the mirror"
		return 1
	fi
	emit ok "the kernel matrix is resolved from the mirror: $(wc -l <<<"$list") kernels"
	sed 's/^/#   /' <<<"$list"
	while read -r rel arch flavour suite; do
		boot=1
		[ "$flavour" = rt ] && boot=0	# refused at build time: nothing to boot
		if [ "${LAB_ALL:-0}" = 0 ] && [[ " ${suite_releases[*]} " == *" $rel "* ]]; then
			boot=0	# the whole suite boots it; its smoke runs in make check-all
		fi
		queue "kernel-$rel" "$rel" 0 "absorb '' <\"\$jobdir/kernel-$rel.log\"" -- \
			kernel_job "$rel" "$arch" "$boot"
	done <<<"$list"
}

kernel_job() {	# kernel_job RELEASE ARCH BOOT: prepare, then boot if BOOT=1
	LAB_KERNELS=$LAB_KERNELS "$here/kernels.sh" prepare "$1" "$2" || return
	[ "$3" = 1 ] || return 0
	LAB_KERNELS=$LAB_KERNELS "$here/kernels.sh" boot "$1" "$2" "$LAB_CACHE/out/kernel-$1"
}

amd64_release=""
for arch in $LAB_ARCHES; do
	arch_started=$(date +%s)
	arch_setup "$arch"
	echo "# $arch setup: $(($(date +%s) - arch_started)) s"
done
[ -n "$amd64_release" ] && amd64_extras "$amd64_release"
export LAB_ARCH=amd64

if [ "${LAB_BASELINE:-1}" != 0 ]; then
	echo "# baseline: bookworm 6.1 with preempt=none"
	base=$("$here/kernel.sh" bookworm 2>"$LAB_CACHE/kernel.err")
	if [ -n "$base" ]; then
		emit ok "baseline kernel $base fetched"
		step "initramfs for $base" "$here/initramfs.sh" "$base"
		queue "$base-none" "$base" 0 "report_guest '$base none'" -- \
			guest "$base-none" "$base" none amd64 --guest-env "LAB_TESTS=tests/guest/t/00-kernel.sh"
	else
		sed 's/^/# /' "$LAB_CACHE/kernel.err"
		emit not-ok "baseline kernel (bookworm 6.1) fetched"
	fi
fi

kernel_matrix

pool_started=$(date +%s)
echo "# guests: ${#job_names[@]} jobs, $LAB_JOBS at a time"
run_queue
echo "# guests: $(($(date +%s) - pool_started)) s"
report_queue
if [ "$LAB_KERNELS" != 0 ]; then
	echo "# the kernel matrix:"
	"$here/kernels.sh" table 2>&1 | sed 's/^/# /'
fi

echo "# lab time: $(($(date +%s) - started)) s"
# A long run's log may be cut to its end: name what failed there again.
if [ "$fail" != 0 ]; then
	echo "# failed:"
	printf '#   %s\n' "${failed[@]}"
fi
tap_summary
