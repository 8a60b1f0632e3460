#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 8, unload and reload under load: 10 cycles of insmod, enable, and
# rmmod while 2 hinted threads run sections beside a hog and a CLI loop
# enables and reads the status concurrently. Every load and unload must
# succeed (an rmmod refused while the CLI holds a netlink dump open is tried
# again, and counted); the threads must outlive every unload, see their
# slot detached (flags read back 0) each time and register again after each
# load; extensions are granted throughout; the kernel log stays clean.
. "$(dirname "$0")/../lib.sh"

F=$PH_PROGS/faults
CGP=/ph-reload
tmp=$(mktemp -d)
# Ten by default: a cycle takes 6-17 s under TCG, and the suite runs in
# three guests in every CI run (LAB_RELOAD_CYCLES=20 for the run in
# docs/results/2026-11-30-faults/README.md).
cycles=${LAB_RELOAD_CYCLES:-10}
threads=2
# The count of registered threads, cheaply: this runs many times, and a
# Python start costs a second under TCG on a busy host.
registered_now() { phctl status 2>/dev/null | sed -n 's/.*registered[^0-9]*\([0-9]*\) threads.*/\1/p'; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

ph_unload
dmesg_mark
mkdir -p $CG$CGP
# The hinted threads and the hog share CPU 1; CPU 0 is left to the loads
# and unloads. Each of those patches kernel text, which waits for the other
# CPU to acknowledge: under single-threaded TCG a vCPU that never idles
# holds the emulator for up to 100 ms each time, and an insmod beside a
# pure spinner took 10-25 s. So the load pauses for a moment now and then
# (sections of 20-320 us with 300 us sleeps, a hog spinning 3 ms out of 4).
run_in_cgroup $CGP taskset -c 1 $F spin $threads $tmp/ready $tmp/stop 300 300 >$tmp/spin &
spin=$!
hogs=()
for _ in 1; do
	run_in_cgroup $CGP taskset -c 1 $F hog 3000 1000 &
	hogs+=($!)
done
# The CLI beside it: exit codes 0 (done) and 69 (module not loaded) are
# expected, 1 when a request meets the family going away; nothing else.
(
	while [ ! -e $tmp/stop ]; do
		phctl enable --cgroup $CGP --grace-us 300 >/dev/null 2>&1
		echo $? >>$tmp/cli
		phctl -j status >/dev/null 2>&1
		echo $? >>$tmp/cli
		sleep 1
	done
) &
cli=$!

loads=0 unloads=0 retries=0 alive=0 regs=() started=$(date +%s)
for i in $(seq $cycles); do
	t0=$(date +%s%N)
	ph_load && loads=$((loads + 1))
	t_load=$(ms_since $t0)
	phctl enable --cgroup $CGP --grace-us 300 >/dev/null
	# The helper counts its threads' registrations in a file: read it
	# without a fork until every thread registered with this module.
	for _ in $(seq 200); do
		n=0
		read -r n 2>/dev/null <$tmp/ready.count
		[ "${n:-0}" -ge $((i * threads)) ] && break
		sleep 0.05
	done
	t_reg=$(ms_since $t0)
	reg=$(registered_now)	# the module's own count, once per cycle
	regs+=("$reg")
	sleep 0.3	# sections with extensions
	t0=$(date +%s%N) try=0
	while :; do
		rmmod preempthint 2>$tmp/rmmod.err && { unloads=$((unloads + 1)); break; }
		try=$((try + 1))
		# kmod says "in use" when it sees the CLI's reference first, and
		# the kernel EAGAIN ("temporarily unavailable") when the CLI
		# takes one after kmod looked.
		grep -Eq 'in use|temporarily unavailable' $tmp/rmmod.err && [ $try -lt 50 ] ||
			{ diag "rmmod: $(cat $tmp/rmmod.err)"; break; }
		sleep 0.1
	done
	retries=$((retries + try))
	kill -0 $spin 2>/dev/null && alive=$((alive + 1))
	progress "cycle $i: insmod $t_load ms, all $reg registered at $t_reg ms, rmmod $(ms_since $t0) ms ($try retries)"
done
diag "$cycles cycles in $(($(date +%s) - started)) s"
# A last load: the threads register again and get extensions.
ph_load
phctl enable --cgroup $CGP --grace-us 300 >/dev/null
for _ in $(seq 100); do [ "$(registered_now)" = $threads ] && break; sleep 0.1; done
final_reg=$(registered_now)
phctl reset-stats
sleep 1
final_grants=$(ph_stat grants $CGP)
touch $tmp/stop
wait $spin $cli
kill "${hogs[@]}"
wait "${hogs[@]}" 2>/dev/null
out=$(cat $tmp/spin)
codes=$(sort -n $tmp/cli | uniq -c | awk '{printf "%s%sx%s", sep, $1, $2; sep=", "}')
diag "threads: $(echo $out); CLI exit codes: $codes"
diag "after the last load: registered=$final_reg, grants in 1 s: $final_grants"

check "$cycles loads succeed ($loads)" [ "$loads" = $cycles ]
check "$cycles unloads with hinted threads alive succeed ($unloads, $retries retries while the CLI held the module)" \
	[ "$unloads" = $cycles ]
full=$(printf '%s\n' "${regs[@]}" | grep -c -x $threads)
check "all $threads threads were registered at each rmmod ($full/$cycles)" [ "$full" = $cycles ]
check "the threads outlived every unload ($alive/$cycles)" [ "$alive" = $cycles ]
check "each thread saw its slot detached (flags 0) at every unload ($(kv detaches <<<"$out"))" \
	[ "$(kv detaches <<<"$out")" = $cycles..$cycles ]
check "each thread registered again after every load ($(kv registrations <<<"$out") of $((cycles + 1)))" \
	[ "$(kv registrations <<<"$out")" = $((cycles + 1))..$((cycles + 1)) ]
check "registration failed only while the module was away ($(kv register_errors <<<"$out") other errors)" \
	[ "$(kv register_errors <<<"$out")" = 0 ]
check "extensions were granted along the way ($(kv grants <<<"$out"))" [ "$(kv grants <<<"$out")" -ge $cycles ]
check "after the last load all $threads threads are registered ($final_reg)" [ "$final_reg" = $threads ]
check "... and extended ($final_grants grants in 1 s)" [ "${final_grants:-0}" -ge 1 ]
check "the CLI only ever exited 0, 1 or 69 ($codes)" \
	[ -z "$(grep -v -x -e 0 -e 1 -e 69 $tmp/cli)" ]
check_log_quiet

phctl disable --cgroup $CGP
rmdir $CG$CGP 2>/dev/null
check "the module unloads at the end" rmmod preempthint
rm -rf $tmp
