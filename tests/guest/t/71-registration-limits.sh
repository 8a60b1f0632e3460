#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What a registration may hold (kmod/registry.c). Any user may register a
# hint slot (/dev/preempthint is 0666), so each one is bounded and charged:
# - its pinned page counts against the user's RLIMIT_MEMLOCK: ENOMEM past
#   it, as mlock() says; CAP_IPC_LOCK is exempt;
# - threads outside every enabled hint-mode cgroup share a pool of their own
#   (max_registered_outside, ENOSPC when full): a flood of them cannot take
#   the enabled service's registrations;
# - a registration holds its place until its page is unpinned (an RCU
#   grace period after it ends), so churn cannot hold more than the limits
#   (status's "registered" counts the threads that hold a slot now);
# - every refusal is counted (registration_refusals), globally and, for a
#   thread in an enabled cgroup, in its cgroup's counters.
. "$(dirname "$0")/../lib.sh"

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
L=$PH_PROGS/lifecycle
page=$(getconf PAGESIZE)
pool=40
# memlock PAGES: the words that run a command with RLIMIT_MEMLOCK of PAGES
# pages, soft and hard (run_in_cgroup execs a command, not a function).
memlock() { echo "prlimit --memlock=$(($1 * page)):$(($1 * page))"; }
counts() { echo "registered=$(kv registered <<<"$1") enospc=$(kv enospc <<<"$1") enomem=$(kv enomem <<<"$1") other=$(kv other <<<"$1")"; }
is_counts() { [ "$(counts "$1")" = "$2" ]; }

ph_unload
ph_load max_registered_outside=$pool || { not_ok "module loads"; exit 1; }
mkdir -p $CG/ph-q/db $CG/ph-q/out
phctl enable --cgroup /ph-q/db --grace-us 200
phctl reset-stats
check "the limits are module parameters only root may change" \
	[ "$(stat -c %a $PH_SYS/parameters/max_registered_outside)" = 644 -a \
	  "$(stat -c %a $PH_SYS/parameters/max_registered)" = 644 ]

# RLIMIT_MEMLOCK: 16 pages hold 16 slots.
out=$(run_in_cgroup /ph-q/out $(memlock 16) "${NOBODY[@]}" $L flood 30 0)
diag "nobody, RLIMIT_MEMLOCK 16 pages, 30 threads: $(counts "$out")"
check "an unprivileged user's slots stop at its RLIMIT_MEMLOCK, with ENOMEM" \
	is_counts "$out" "registered=16 enospc=0 enomem=14 other=0"
out=$(run_in_cgroup /ph-q/out $(memlock 4) $L flood 8 0)
check "root (CAP_IPC_LOCK) is not held to it ($(counts "$out"))" \
	is_counts "$out" "registered=8 enospc=0 enomem=0 other=0"
n=$(ph_held_settled)
check "every slot was given back when its thread exited ($n registered)" [ "$n" = 0 ]

# The outside pool: a flood outside the enabled cgroup holds its slots ...
rm -f /tmp/q.flood
run_in_cgroup /ph-q/out "${NOBODY[@]}" $L flood $((pool + 20)) 120000 >/tmp/q.flood &
flood=$!
for i in $(seq 100); do grep -q registered= /tmp/q.flood && break; sleep 0.1; done
out=$(cat /tmp/q.flood)
diag "nobody outside the enabled cgroup, $((pool + 20)) threads: $(counts "$out")"
check "outside the enabled cgroups, registrations stop at max_registered_outside ($pool), with ENOSPC" \
	is_counts "$out" "registered=$pool enospc=20 enomem=0 other=0"
# ... and meanwhile:
out=$(run_in_cgroup /ph-q/db $L flood 20 0)
check "the enabled cgroup's threads still register ($(counts "$out"))" \
	is_counts "$out" "registered=20 enospc=0 enomem=0 other=0"
out=$(run_in_cgroup /ph-q/db "${NOBODY[@]}" $L flood 20 0)
check "... whoever runs them ($(counts "$out"))" \
	is_counts "$out" "registered=20 enospc=0 enomem=0 other=0"
out=$(run_in_cgroup /ph-q/out $L flood 5 0)
check "the outside pool is full for root too ($(counts "$out"))" \
	is_counts "$out" "registered=0 enospc=5 enomem=0 other=0"
pkill -f "lifecycle flood $((pool + 20)) 120000"
wait $flood 2>/dev/null
n=$(ph_held_settled)
check "the flood's slots were given back ($n registered)" [ "$n" = 0 ]

# Churn: a place is given back only with its page, an RCU grace period
# after the thread unregistered; with a pool of 4, a thread that registers
# and unregisters in a loop runs into it although it holds one slot at most.
echo 4 >$PH_SYS/parameters/max_registered_outside
out=$(run_in_cgroup /ph-q/out "${NOBODY[@]}" $L churn 3000)
echo $pool >$PH_SYS/parameters/max_registered_outside
diag "nobody, 3000 registrations and unregistrations in a row, pool of 4: $(counts "$out")"
check "churn: each attempt registered or was refused with ENOSPC ($(counts "$out"))" \
	[ "$(( $(kv registered <<<"$out") + $(kv enospc <<<"$out") ))" = 3000 -a \
	  "$(kv enomem <<<"$out")" = 0 -a "$(kv other <<<"$out")" = 0 -a "$(kv registered <<<"$out")" -ge 4 ]
check "churn: places freed by unregistering come back only after the grace period ($(kv enospc <<<"$out") refused)" \
	[ "$(kv enospc <<<"$out")" -ge 1 ]
n=$(ph_held_settled)
check "after the churn nothing stays registered ($n)" [ "$n" = 0 ]
out=$(run_in_cgroup /ph-q/out "${NOBODY[@]}" $L flood $pool 0)
check "and the whole pool is free again ($(counts "$out"))" \
	is_counts "$out" "registered=$pool enospc=0 enomem=0 other=0"
n=$(ph_held_settled)
check "... and given back again ($n registered)" [ "$n" = 0 ]

# Refusals are counted: inside the enabled cgroup in its counters too.
phctl reset-stats
out=$(run_in_cgroup /ph-q/db $(memlock 4) "${NOBODY[@]}" $L flood 10 0)
out2=$(run_in_cgroup /ph-q/out $L flood $((pool + 3)) 0)
in_db=$(ph_stat registration_refusals /ph-q/db) all=$(ph_stat registration_refusals)
diag "inside, RLIMIT_MEMLOCK 4 pages: $(counts "$out"); outside, root, $((pool + 3)): $(counts "$out2")"
check "a refusal in the enabled cgroup is counted there ($in_db)" [ "$in_db" = 6 ]
check "and every refusal globally ($all = 6 + 3)" [ "$all" = 9 ]
check "refusals are not extension refusals ($(ph_stat refusals))" [ "$(ph_stat refusals)" = 0 ]
n=$(ph_held_settled)
check "nothing stays registered ($n)" [ "$n" = 0 ]

phctl disable --cgroup /ph-q/db
rmdir $CG/ph-q/db $CG/ph-q/out $CG/ph-q 2>/dev/null
ph_unload
check "the module unloads" not ph_loaded
