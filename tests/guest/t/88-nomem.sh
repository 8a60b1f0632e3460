#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 8, memory exhaustion. Debian's kernels have no fault injection
# (CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC, FAIL_FUNCTION are off)
# and no kmemleak; the test says so, and uses instead:
# 1. ph_failalloc (tests/guest/failalloc), which fails the module's own
#    allocations on demand, filtered by task name like failslab's task
#    filter, and counts what the module holds of what it allocated:
#    - loading with the k-th allocation failing, for every k: each load
#      fails with ENOMEM (never "missing hook") and leaves nothing behind;
#    - 200 registrations with half the allocations failing: each gets 0 or
#      ENOMEM, the module counts exactly the successful ones;
#    - enable and status (netlink) with a quarter failing: a failed enable
#      changes nothing (disable then says ENOENT), no cgroup reference is
#      leaked;
# 2. A memory cgroup: registrations are charged to the caller's cgroup;
#    with memory.max nearly reached they fail with ENOMEM, without an OOM
#    kill or an allocation-failure report in the kernel log.
# After the unload the module holds nothing it allocated.
# The policy allocations are root-only and not charged to a cgroup, so
# memory.max cannot make them fail; ph_failalloc does.
# What the log check accepts: nothing new. The module's registration
# allocation is __GFP_NOWARN and ph_failalloc fails calls without asking
# the page allocator, so no allocation-failure report is expected, and an
# OOM kill would fail the test.
. "$(dirname "$0")/../lib.sh"

F=$PH_PROGS/faults
FA_KO=$LAB_BUILD/tests/guest/failalloc/ph_failalloc.ko
FA=/sys/module/ph_failalloc/parameters
CGP=/ph-nomem
tmp=$(mktemp -d)
registered_now() { phctl status | sed -n 's/.*registered[^0-9]*\([0-9]*\) threads.*/\1/p'; }
dying() { sed -n 's/^nr_dying_descendants //p' $CG/cgroup.stat; }
live() { echo "kmalloc=$(cat $FA/kmalloc_live) percpu=$(cat $FA/percpu_live) pins=$(cat $FA/pins_live) wq=$(cat $FA/wq_live)"; }
nothing_held="kmalloc=0 percpu=0 pins=0 wq=0"
arm() {	# arm COMM PROBABILITY INTERVAL TIMES
	echo "$1" >$FA/comm
	echo "$2" >$FA/probability
	echo "$3" >$FA/interval
	echo 0 >$FA/eligible
	echo "$4" >$FA/times
}
disarm() { echo 0 >$FA/times; }

config=/usr/lib/modules/$(uname -r)/config
[ -f "$config" ] || config=/boot/config-$(uname -r)
for opt in FAULT_INJECTION FAILSLAB FAIL_PAGE_ALLOC FAULT_INJECTION_DEBUG_FS FUNCTION_ERROR_INJECTION \
	DEBUG_KMEMLEAK; do
	val=$(sed -n "s/^CONFIG_$opt=//p" "$config" 2>/dev/null)
	diag "CONFIG_$opt: ${val:-not set}"
done
if [ -d /sys/kernel/debug/failslab ]; then
	diag "failslab exists here; this test still uses ph_failalloc, which targets the module's own calls"
else
	diag "no failslab or fail_function on this kernel: using ph_failalloc and a memory cgroup"
fi

ph_unload
dmesg_mark
insmod "$FA_KO" || { not_ok "ph_failalloc loads"; exit 1; }

# ---- 1a. module load with its k-th own allocation failing ----
arm insmod 100 1 0
ph_load || { not_ok "the module loads with ph_failalloc watching"; rmmod ph_failalloc; exit 1; }
n=$(cat $FA/eligible)
rmmod preempthint
check "an unhindered load makes $n allocations of its own (at least 3)" [ "$n" -ge 3 ]
check "... and the unload gives all back ($(live))" [ "$(live)" = "$nothing_held" ]
enomem=0 clean=0 results=()
for k in $(seq "$n"); do
	arm insmod 100 "$k" 1
	if ph_load 2>$tmp/insmod.err; then
		results+=("$k:loaded")
		rmmod preempthint
		continue
	fi
	grep -q 'Cannot allocate memory' $tmp/insmod.err && enomem=$((enomem + 1))
	[ "$(live)" = "$nothing_held" ] && ! ph_loaded && clean=$((clean + 1))
	results+=("$k:$(sed 's/.*: //' $tmp/insmod.err | head -n1)")
done
disarm
diag "load with allocation k failing: ${results[*]} (${SECONDS}s)"
check "each of the $n failed loads says ENOMEM ($enomem)" [ "$enomem" = "$n" ]
check "... and leaves nothing allocated or loaded ($clean)" [ "$clean" = "$n" ]
check "no failed load blamed a missing hook" not grep -q -e 'cannot ftrace' -e 'refusing to load' <(dmesg_since)

# ---- 1b. registrations with half the allocations failing ----
ph_load || { not_ok "the module loads"; rmmod ph_failalloc; exit 1; }
mkdir -p $CG$CGP
base=$(live)
threads=200
arm faults 50 1 -1
coproc MANY { run_in_cgroup $CGP $F register-many $threads; }
read -r line <&"${MANY[0]}"	# "ready pid=N"
pid=${line#*pid=}
kill -USR1 "$pid"
kill -USR2 "$pid"
out=""
while read -r line <&"${MANY[0]}"; do
	out+="$line "
	case $line in other=*) break ;; esac
done
disarm
reg=$(registered_now)
kill -USR1 "$pid"
wait "$MANY_PID"
diag "registrations: $out; module counts $reg; ph_failalloc: eligible=$(cat $FA/eligible) failed=$(cat $FA/failed) (${SECONDS}s)"
o=${out// /$'\n'}
ok_reg=$(kv registered <<<"$o") no_reg=$(kv enomem <<<"$o") other=$(kv other <<<"$o")
check "each of $threads registrations succeeded or got ENOMEM ($ok_reg + $no_reg, other: $other)" \
	[ "$other/$((ok_reg + no_reg))" = 0/$threads ]
check "some succeeded ($ok_reg)" [ "$ok_reg" -ge 1 ]
check "some failed ($no_reg)" [ "$no_reg" -ge 1 ]
check "the module counts exactly the successful ones ($reg)" [ "$reg" = "$ok_reg" ]
for _ in $(seq 50); do [ "$(live)" = "$base" ] && break; sleep 0.1; done
check "after they exit: registered 0 ($(registered_now))" [ "$(registered_now)" = 0 ]
check "... and the module holds what it held before ($(live))" [ "$(live)" = "$base" ]

# ---- 1c. enable and status over netlink with a quarter failing ----
dying_before=$(dying)
ok_en=0 nomem_en=0 bad=0 iters=20
arm preempthint 25 1 -1
for i in $(seq $iters); do
	if phctl enable --cgroup $CGP --grace-us 100 2>$tmp/en.err; then
		ok_en=$((ok_en + 1))
		phctl disable --cgroup $CGP 2>/dev/null || { bad=$((bad + 1)); diag "$i: enabled, but disable failed"; }
	else
		grep -qi 'memory' $tmp/en.err && nomem_en=$((nomem_en + 1)) || diag "$i: enable: $(cat $tmp/en.err)"
		if phctl disable --cgroup $CGP 2>$tmp/dis.err; then
			bad=$((bad + 1))
			diag "$i: enable failed, but the cgroup was enabled"
		fi
	fi
done
arm preempthint 100 1 -1
st_fail=0
for i in 1 2 3; do
	phctl -j status >/dev/null 2>$tmp/st.err || { grep -qi memory $tmp/st.err && st_fail=$((st_fail + 1)); }
done
disarm
diag "enable: $ok_en succeeded, $nomem_en failed with ENOMEM, of $iters; status with every allocation failing: $st_fail/3 ENOMEM (${SECONDS}s)"
check "every enable either worked or said ENOMEM ($ok_en + $nomem_en of $iters)" [ $((ok_en + nomem_en)) = $iters ]
check "both happened" [ "$ok_en" -ge 1 -a "$nomem_en" -ge 1 ]
check "a failed enable changed nothing, a successful one took ($bad inconsistencies)" [ "$bad" = 0 ]
check "status reports ENOMEM when its reply cannot be allocated ($st_fail/3)" [ "$st_fail" = 3 ]
left=$(phctl -j status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["cgroups"]))')
check "no policy is left ($left)" [ "$left" = 0 ]

# ---- 2. registrations charged to a memory cgroup near its limit ----
mem_was_on=0
grep -qw memory $CG/cgroup.subtree_control && mem_was_on=1
echo +memory >$CG/cgroup.subtree_control
mkdir -p $CG/ph-mem-start $CG/ph-mem-tight
# The threads start in a cgroup without a limit; then the whole process
# moves to one whose memory.max leaves room for two pages, so that only
# what is allocated after the move (the registrations) counts against it.
echo 8192 >$CG/ph-mem-tight/memory.max
oom_before=$(sed -n 's/^oom_kill //p' $CG/ph-mem-tight/memory.events)
threads=300
coproc MANY { run_in_cgroup /ph-mem-start $F register-many $threads; }
read -r line <&"${MANY[0]}"
pid=${line#*pid=}
echo "$pid" >$CG/ph-mem-tight/cgroup.procs
kill -USR1 "$pid"
for _ in $(seq 50); do
	r1=$(registered_now)
	sleep 0.2
	[ "$(registered_now)" = "$r1" ] && break
done
peak=$(cat $CG/ph-mem-tight/memory.peak 2>/dev/null)
echo max >$CG/ph-mem-tight/memory.max
kill -USR2 "$pid"
out=""
while read -r line <&"${MANY[0]}"; do
	out+="$line "
	case $line in other=*) break ;; esac
done
reg=$(registered_now)
kill -USR1 "$pid"
wait "$MANY_PID"
oom=$(($(sed -n 's/^oom_kill //p' $CG/ph-mem-tight/memory.events) - oom_before))
o=${out// /$'\n'}
diag "memory.max 8192: $out; module counts $reg; peak $peak bytes; OOM kills $oom"
ok_reg=$(kv registered <<<"$o") no_reg=$(kv enomem <<<"$o") other=$(kv other <<<"$o")
check "each of $threads charged registrations succeeded or got ENOMEM ($ok_reg + $no_reg, other: $other)" \
	[ "$other/$((ok_reg + no_reg))" = 0/$threads ]
check "the limit was met: some got ENOMEM ($no_reg)" [ "$no_reg" -ge 1 ]
check "... and some fit ($ok_reg)" [ "$ok_reg" -ge 1 ]
check "no OOM kill ($oom)" [ "$oom" = 0 ]
check "the module counts exactly the successful ones ($reg)" [ "$reg" = "$ok_reg" ]
# A slot is given back an RCU grace period after its thread exits.
for _ in $(seq 100); do [ "$(registered_now)" = 0 ] && break; sleep 0.1; done
check "all gone after they exit ($(registered_now))" [ "$(registered_now)" = 0 ]
rmdir $CG/ph-mem-start $CG/ph-mem-tight
[ $mem_was_on = 1 ] || echo -memory >$CG/cgroup.subtree_control
diag "phase times: ${SECONDS}s after the memory cgroup"

rmdir $CG$CGP
for _ in $(seq 50); do [ "$(dying)" = "$dying_before" ] && break; sleep 0.1; done
check "no cgroup reference leaked (dying cgroups: $dying_before before, $(dying) after)" \
	[ "$(dying)" = "$dying_before" ]
check "the module unloads at the end" rmmod preempthint
check "... and holds nothing it allocated ($(live))" [ "$(live)" = "$nothing_held" ]
# Where kmemleak or KASAN instrument the allocators, an allocation made
# inside a probe handler (kmemleak's own metadata) hits a probe again, and
# the kprobe core counts a miss whoever the caller was: there the counts
# above are trusted because they came back to zero, and the misses shown.
if grep -qE '^CONFIG_(DEBUG_KMEMLEAK|KASAN)=y' "$config" 2>/dev/null; then
	check "every allocation was remembered ($(cat $FA/set_full)); return probes missed by nested allocations on this debug kernel: $(cat $FA/missed)" \
		[ "$(cat $FA/set_full)" = 0 ]
else
	check "no return probe was missed and every allocation was remembered, so the counts are exact ($(cat $FA/missed), $(cat $FA/set_full))" \
		[ "$(cat $FA/missed)/$(cat $FA/set_full)" = 0/0 ]
fi
rmmod ph_failalloc

log=$(dmesg_since | grep -v -e 'ph_failalloc: failing allocations' -e '^.\{0,20\}lab: ' \
	-e 'loading out-of-tree module taints kernel' -e 'module verification failed' \
	-e 'preempthint: enabled for' -e 'preempthint: disabled for' -e 'preempthint: version' \
	-e 'preempthint: unloaded')
[ -n "$log" ] && diag "kernel log: $log"
check "the kernel log shows only loads, unloads and policy changes" [ -z "$log" ]
diag "test time ${SECONDS}s"
rm -rf $tmp
