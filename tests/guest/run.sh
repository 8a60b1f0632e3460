#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the guest tests (tests/guest/t/*.sh, or $LAB_TESTS: paths or patterns
# separated by spaces or commas) in order and print one numbered TAP stream
# ending with "N passed, N failed". A test script that exits non-zero counts
# as one more failure, so a crash cannot pass.

cd "$(dirname "$0")/../.." || exit 1
export LAB_BUILD=${LAB_BUILD:-$PWD}
tests=${LAB_TESTS:-tests/guest/t/*.sh}
tests=${tests//,/ }	# commas: a list that survives vm.sh's --guest-env

# Debug kernels with kmemleak (tests/lab/debug-kernel.sh): forget what the
# boot left unreferenced, so that the scan after the suite reports only
# what the suite leaked.
kmemleak=/sys/kernel/debug/kmemleak
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	echo clear >"$kmemleak"
fi

if [ -n "${LAB_PRELOAD:-}" ]; then
	echo "# preloading $LAB_PRELOAD"
	insmod "$LAB_PRELOAD" || echo "# insmod $LAB_PRELOAD failed"
fi

n=0 pass=0 fail=0
emit() {	# emit ok|not-ok DESCRIPTION
	n=$((n + 1))
	if [ "$1" = ok ]; then
		pass=$((pass + 1))
		echo "ok $n$2"
	else
		fail=$((fail + 1))
		echo "not ok $n$2"
	fi
}

limit=${LAB_TEST_TIMEOUT:-600}

# hung_report NAME: what a test that is about to be killed was doing, for
# the log (ps, not sysrq: a sysrq dump's call traces would fail the kernel
# log checks of the tests after it).
hung_report() {
	echo "$1 still running $((limit - 15)) s after its start; processes by CPU share:"
	ps -eo pid,ppid,stat,pcpu,wchan:28,args --sort=-pcpu | head -n 25 | cut -c1-150
	echo "the guest's load: $(cat /proc/loadavg); cpu pressure: $(head -n1 /proc/pressure/cpu 2>/dev/null)"
}

for t in $tests; do
	name=$(basename "$t" .sh)
	echo "# $name"
	echo "lab: test $name" >/dev/kmsg
	log=$(mktemp)
	started=$(date +%s)
	(
		sleep $((limit - 15)) &
		trap 'kill $! 2>/dev/null; exit 0' TERM
		wait $! && hung_report "$name" | sed 's/^/# /'
	) >>"$log" 2>&1 &
	watchdog=$!
	timeout -k 5 "$limit" bash "$t" >>"$log" 2>&1
	rc=$?
	kill "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	while IFS= read -r line; do
		case $line in
		"not ok"*) emit not-ok "${line#not ok}" ;;
		"ok"*) emit ok "${line#ok}" ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done <"$log"
	rm -f "$log"
	# How close a slow host came to the limit, for the CI log.
	echo "# $name took $(($(date +%s) - started)) s (limit $limit s)"
	[ "$rc" = 0 ] || emit not-ok " - $name exited with status $rc"
done

if [ -w "$kmemleak" ]; then
	# An object must be older than 5 s to be reported; the scan prints
	# "kmemleak: N new suspected memory leaks" to the kernel log, which
	# the host's log check catches too.
	echo "# kmemleak"
	sleep 6
	echo scan >"$kmemleak"
	leaks=$(grep -c '^unreferenced object' "$kmemleak")
	sed -n '1,200s/^/# /p' "$kmemleak"
	if [ "$leaks" = 0 ]; then
		emit ok " - kmemleak: no unreferenced object after the suite"
	else
		emit not-ok " - kmemleak: no unreferenced object after the suite ($leaks)"
	fi
fi

echo "1..$n"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$n" -gt 0 ]
