#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Test 3, not enabled means nothing: a hinted thread outside the enabled
# cgroup is never deferred, and the module still sees its preemptions.
. "$(dirname "$0")/../lib.sh"

ph_unload
ph_load || { not_ok "module loads"; exit 1; }
mkdir -p $CG/ph-db
phctl enable --cgroup /ph-db
phctl reset-stats
out=$(run_in_cgroup /ph-other "$PH_PROGS/holder" --cpu 1 --seconds 3)
diag "outside: $(echo $out)"
check "a hinted thread in a cgroup that is not enabled gets no extension" \
	[ "$(kv slot_grants <<<"$out")" = 0 ]
check "the enabled cgroup's counters stay at zero" [ "$(ph_stat grants /ph-db)" = 0 ]
check "the global grant counter stays at zero" [ "$(ph_stat grants)" = 0 ]
check "its lock-holder preemptions still happen and are counted ($(kv slot_preempted <<<"$out"))" \
	[ "$(kv slot_preempted <<<"$out")" -ge 20 ]

# A child cgroup of an enabled one is covered.
out=$(run_in_cgroup /ph-db/child "$PH_PROGS/holder" --cpu 1 --seconds 2)
check "a descendant of the enabled cgroup is covered ($(kv slot_grants <<<"$out") grants)" \
	[ "$(kv slot_grants <<<"$out")" -ge 10 ]

# The global switch turns everything off.
phctl set --enabled 0
out=$(run_in_cgroup /ph-db "$PH_PROGS/holder" --cpu 1 --seconds 2)
check "with the global switch off nothing is deferred" [ "$(kv slot_grants <<<"$out")" = 0 ]
phctl set --enabled 1

phctl disable --cgroup /ph-db
rmdir $CG/ph-db/child $CG/ph-db $CG/ph-other 2>/dev/null
ph_unload
