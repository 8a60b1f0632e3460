#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: host unit tests, then the guest suite on Debian's newest
# trixie-backports kernel for each arch: amd64 in each preemption mode, arm64
# (Graviton's arch, qemu-system-aarch64) in lazy, its only model; a self-test
# proving that a guest WARN fails the suite, and a boot of bookworm's 6.1 with
# preempt=none (the pre-regression baseline). Prints one TAP stream ending in
# "N passed, N failed"; exits non-zero if anything failed.
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
# LAB_SUITES=0 to skip the whole-suite guests (`make check-exact`).
# vm.sh reads LAB_VM_MEM, LAB_VM_TIMEOUT, LAB_TEST_TIMEOUT.

. "$(dirname "$0")/lib.sh"
set +e

LAB_KERNEL=${LAB_KERNEL:-newest}
LAB_MODES=${LAB_MODES:-lazy full}
here=$(dirname "$0")
n=0 pass=0 fail=0
failed=()	# the failed lines, repeated before the summary

emit() {	# emit ok|not-ok DESCRIPTION
	n=$((n + 1))
	if [ "$1" = ok ]; then
		pass=$((pass + 1))
		echo "ok $n - $2"
	else
		fail=$((fail + 1))
		failed+=("not ok $n - $2")
		echo "not ok $n - $2"
	fi
}

# Re-number a TAP stream from a sub-step under a label; its own plan and
# summary lines become comments.
absorb() {	# absorb LABEL < tap
	local line desc
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok([[:space:]]+[0-9]+)?([[:space:]]+-)?[[:space:]]*(.*)$ ]]; then
			desc="$1${BASH_REMATCH[4]}"
			if [ -n "${BASH_REMATCH[1]}" ]; then emit not-ok "$desc"; else emit ok "$desc"; fi
		elif [[ $line == "#"* ]]; then
			echo "$line"
		else
			echo "# $line"
		fi
	done
}

step() {	# step DESCRIPTION COMMAND... : one TAP line, output kept as comments
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && sed 's/^/# /' <<<"$out"
	if [ $rc = 0 ]; then emit ok "$desc"; else emit not-ok "$desc"; fi
	return $rc
}

# guest_suite LABEL RELEASE MODE [vm.sh options...]: boot, run, collect.
# Sets guest_rc and guest_out for the caller.
guest_suite() {
	local label=$1 release=$2 mode=$3
	shift 3
	local t0=$(date +%s)
	guest_out=$LAB_CACHE/out/$label
	"$here/vm.sh" --kernel "$release" ${mode:+--mode "$mode"} --out "$guest_out" "$@"
	guest_rc=$?
	echo "# $label: the guest ran $(($(date +%s) - t0)) s (limit ${LAB_VM_TIMEOUT:-1500} s)"
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

# arch_suites ARCH: set up, build and run the guest suites of one arch.
arch_suites() {
	local arch=$1 kernel=$LAB_KERNEL modes=$LAB_MODES env="" release mode
	export LAB_ARCH=$arch
	case $kernel in
	*-amd64 | *-arm64) kernel=${kernel%-*}-$arch ;;
	esac
	# The whole suite in one guest, given room: in CI run 29 amd64 full took
	# 1,285 s (1,191 s two runs before), arm64 1,305-1,469 s in earlier runs,
	# against vm.sh's default of 1,500 s. A limit only catches a guest that
	# hangs; each test has its own (run.sh).
	local timeout=${LAB_VM_TIMEOUT:-2100}
	if [ "$arch" = arm64 ]; then
		timeout=${LAB_VM_TIMEOUT:-2400}
		modes=lazy	# Debian's arm64 build has no PREEMPT_DYNAMIC
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
	step "module, CLI and test programs build in the chroot for $release" \
		"$here/build.sh" "$release" || return 1
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

	[ "${LAB_SUITES:-1}" = 0 ] && modes=""
	for mode in $modes; do
		echo "# guest suite: $release preempt=$mode"
		LAB_VM_TIMEOUT=$timeout guest_suite "$release-$mode" "$release" "$mode" \
			${env:+--guest-env "$env"}
		report_guest "$release $mode"
		[ "$guest_rc" = 0 ] || emit not-ok "[$release $mode] guest suite passed (status $guest_rc)"
	done

	if [ "$arch" = amd64 ] && [ "${LAB_DKMS:-1}" != 0 ]; then
		echo "# DKMS: make dkms-install in the chroot (MOK signing), the DKMS-built module in a guest"
		absorb "[dkms] " < <("$here/dkms.sh" "$release" 2>&1)
	fi

	if [ "$arch" = amd64 ] && [ "${LAB_SELFTEST:-1}" != 0 ]; then
		echo "# lab self-test: a module that WARNs on load must fail the suite"
		guest_suite "selftest-warn" "$release" lazy \
			--guest-env "LAB_PRELOAD=/build/$arch/tests/lab/warn-module/ph_selftest_warn.ko LAB_TESTS=tests/guest/t/00-kernel.sh"
		if grep -q "deliberate warning from the lab self-test" "$guest_out/dmesg.txt" 2>/dev/null &&
			! "$here/check-log.sh" "$guest_out" >/dev/null; then
			emit ok "lab self-test: the WARN of a broken module is caught and fails the run"
		else
			emit not-ok "lab self-test: the WARN of a broken module is caught and fails the run"
		fi
	fi

	if [ "$arch" = amd64 ] && [ "${LAB_FGRAPH_FULL:-1}" != 0 ]; then
		fgraph_full "$release"
	fi

	if [ "$arch" = amd64 ] && [ "${LAB_EXACT:-1}" != 0 ]; then
		exact_abuse "$release"
	fi

	if [ "$arch" = amd64 ] && [ "${LAB_DEBUG_SELFTEST:-0}" != 0 ]; then
		debug_selftest "$arch" "$release"
	fi
}

# exact_abuse RELEASE: the hint-abuse test (tests/guest/t/55-abuse.sh) in
# exact guest time, six rounds a side, where the SCHED_OTHER probe's p99
# is judged (wall-clock guests cannot: README.md, Hint abuse). About 5
# minutes since the hooks are attached only while a policy is active.
LAB_EXACT_ROUNDS=${LAB_EXACT_ROUNDS:-off1,on1,off2,on2,off3,on3,off4,on4,off5,on5,off6,on6}
exact_abuse() {
	local release=$1
	echo "# hint abuse in exact guest time (-icount): the SCHED_OTHER p99 judged"
	LAB_QEMU_EXTRA="-icount shift=0,sleep=off" LAB_VM_MEM=3072 LAB_VM_TIMEOUT=1800 \
		LAB_TEST_TIMEOUT=1500 guest_suite "exact-abuse" "$release" lazy --guest-env \
		"LAB_TESTS=tests/guest/t/55-*.sh LAB_EXACT_TIME=1 LAB_ABUSE_ROUNDS=$LAB_EXACT_ROUNDS"
	report_guest "exact-abuse"
}

# fgraph_full RELEASE: enable when the hooks cannot be attached
# (tests/guest/fgraph-full.sh), in a guest of its own: the kernel WARNs when
# ftrace's function-graph slots are full, and that warning, only that, is
# accepted in this guest's log.
fgraph_full() {
	local release=$1 bad
	echo "# hooks that cannot be attached: enable fails and changes nothing"
	guest_suite "fgraph-full" "$release" lazy --guest-env "LAB_TESTS=tests/guest/fgraph-full.sh"
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

# debug_selftest ARCH RELEASE: on the debug kernel, a module that commits one
# bug of each kind (tests/lab/debug-module) must fail the run, and the log
# check must name every one of them.
debug_selftest() {
	local arch=$1 release=$2 found kind
	echo "# lab self-test: KASAN, lockdep, atomic-sleep and kmemleak reports must fail the run"
	guest_suite "selftest-debug" "$release" lazy \
		--guest-env "LAB_PRELOAD=$(lab_tree "$release")/tests/lab/debug-module/ph_selftest_debug.ko LAB_TESTS=tests/guest/t/00-kernel.sh"
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

for arch in $LAB_ARCHES; do
	arch_started=$(date +%s)
	arch_suites "$arch"
	echo "# $arch time: $(($(date +%s) - arch_started)) s"
done
export LAB_ARCH=amd64

if [ "${LAB_BASELINE:-1}" != 0 ]; then
	echo "# baseline: bookworm 6.1 with preempt=none"
	base=$("$here/kernel.sh" bookworm 2>"$LAB_CACHE/kernel.err")
	if [ -n "$base" ]; then
		emit ok "baseline kernel $base fetched"
		guest_suite "$base-none" "$base" none \
			--guest-env "LAB_TESTS=tests/guest/t/00-kernel.sh"
		report_guest "$base none"
	else
		sed 's/^/# /' "$LAB_CACHE/kernel.err"
		emit not-ok "baseline kernel (bookworm 6.1) fetched"
	fi
fi

echo "# lab time: $(($(date +%s) - started)) s"
# A long run's log may be cut to its end: name what failed there again.
if [ "$fail" != 0 ]; then
	echo "# failed:"
	printf '#   %s\n' "${failed[@]}"
fi
echo "1..$n"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
