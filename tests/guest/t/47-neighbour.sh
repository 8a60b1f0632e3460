#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A neighbour: test 40's holder with its CPU hog moved into a cgroup that is
# not enabled, so another service's task is queued on the holder's CPU
# whenever the holder runs. Extensions are paid for by the enabled service's
# own tasks: the module grants none on a CPU while a fair task of another
# cgroup is queued there (counted as waiter_refusals), and the neighbour
# preempts the hinted holder as often as with the module off. The A/B
# parameter one_per_wait lets such a task wait behind one extension per
# wait, and then the holder is extended again.
. "$(dirname "$0")/../lib.sh"

ph_unload
ph_load || { not_ok "module loads"; exit 1; }
mkdir -p $CG/ph-db $CG/ph-other
grace=${LAB_GRACE_US:-500}
param=$PH_SYS/parameters/one_per_wait

run() { run_in_cgroup /ph-db "$PH_PROGS/holder" --cpu 1 --seconds 3 --section-us 20 --gap-us 20 \
	--hog-cgroup $CG/ph-other; }

off=$(run)
check "one_per_wait is off by default ($(cat $param))" [ "$(cat $param)" = N ]
phctl enable --cgroup /ph-db --grace-us $grace
phctl reset-stats
on=$(run)
grants=$(ph_stat grants /ph-db) waiters=$(ph_stat waiter_refusals /ph-db)
echo 1 >$param
phctl reset-stats
once=$(run)
echo 0 >$param
once_grants=$(ph_stat grants /ph-db) once_waiters=$(ph_stat waiter_refusals /ph-db)
phctl disable --cgroup /ph-db
diag "neighbour, disabled: $(echo $off)"
diag "neighbour, enabled ($grants grants, $waiters waiter refusals): $(echo $on)"
diag "neighbour, enabled, one_per_wait=1 ($once_grants grants, $once_waiters waiter refusals): $(echo $once)"
off_mod=$(kv slot_preempted <<<"$off") on_mod=$(kv slot_preempted <<<"$on")
once_mod=$(kv slot_preempted <<<"$once")
for r in off on once; do
	v=${!r}
	diag "neighbour's CPU share, $r: $(kv hog_pct <<<"$v")% (holder $(kv holder_pct <<<"$v")%)"
done
check "disabled: the neighbour preempts the holder ($off_mod)" [ "${off_mod:-0}" -ge 50 ]
# The neighbour was forked inside the enabled cgroup and moved out, so it
# is tracked from its first switch-out on: a grant or two before that.
check "enabled: no extension while the neighbour is queued ($grants grants, $waiters refused for it)" \
	[ "${grants:-99}" -le 5 -a "${waiters:-0}" -ge 50 ]
check "enabled: the neighbour preempts the hinted holder as before ($off_mod -> $on_mod)" \
	le "$((off_mod / 2))" "${on_mod:-0}"
check "one_per_wait=1: the holder is extended once per wait of the neighbour ($once_grants grants)" \
	[ "${once_grants:-0}" -ge 50 -a "${once_grants:-0}" -ge $((10 * ${grants:-99})) ]
check "one_per_wait=1: lock-holder preemptions fall by half at least ($off_mod -> $once_mod)" \
	le "$((${once_mod:-999999} * 2))" "$off_mod"
rmdir $CG/ph-other 2>/dev/null
check "the module unloads" ph_unload
