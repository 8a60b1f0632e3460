#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Test 4, lifecycle: registration errors, threads exiting while hinted, fork,
# exec, kill -9 while hinted, module unload with hinted threads alive and
# re-registration after reload; nothing leaks (the registry drains to zero
# and the module unloads), no splat (checked on the host).
. "$(dirname "$0")/../lib.sh"

L=$PH_PROGS/lifecycle
ph_unload
ph_load || { not_ok "module loads"; exit 1; }
mkdir -p $CG/ph-db
phctl enable --cgroup /ph-db

run_in_cgroup /ph-db $L api
run_in_cgroup /ph-db $L threads 200
run_in_cgroup /ph-db $L fork
run_in_cgroup /ph-db $L exec
taskset -c 1 sh -c 'while :; do :; done' &
hog=$!
run_in_cgroup /ph-db taskset -c 1 $L garbage
kill $hog
n=$(ph_held_settled)
check "every thread's registration is gone after they exited ($n)" [ "$n" = 0 ]

# kill -9 while hinted
run_in_cgroup /ph-db $L hold 30 >/dev/null &
sleep 1
victim=$(pgrep -f "lifecycle hold 30")
diag "killing $victim with SIGKILL while it holds the hint"
kill -9 $victim
wait
n=$(ph_held_settled)
check "a thread killed with SIGKILL while hinted leaves no registration ($n)" [ "$n" = 0 ]

# Unload while hinted threads run; they keep running, flags show the detach.
# They spin until told to stop, after the unload (which takes seconds on
# the debug kernel), or for 120 s at most.
rm -f /tmp/hold.stop
for i in 1 2 3 4; do
	run_in_cgroup /ph-db $L hold 120 /tmp/hold.stop >/tmp/hold.$i &
done
sleep 1.5
phctl disable --cgroup /ph-db
check "rmmod succeeds while hinted threads are alive" rmmod preempthint
touch /tmp/hold.stop
wait
ok_flags=0
for i in 1 2 3 4; do
	diag "held thread $i after unload: $(cat /tmp/hold.$i)"
	grep -q '^flags=0 ' /tmp/hold.$i && ok_flags=$((ok_flags + 1))
done
check "the threads outlived the module and saw their slots detached ($ok_flags/4)" [ $ok_flags = 4 ]

check "the module loads again" ph_load
phctl enable --cgroup /ph-db
out=$(run_in_cgroup /ph-db "$PH_PROGS/holder" --cpu 1 --seconds 2)
check "threads register again after the reload and get extensions ($(kv slot_grants <<<"$out"))" \
	[ "$(kv slot_grants <<<"$out")" -ge 10 ]
phctl disable --cgroup /ph-db
check "the module unloads at the end (no reference leaked)" rmmod preempthint
rmdir $CG/ph-db 2>/dev/null
