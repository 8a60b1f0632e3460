#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Test 6, PostgreSQL with the hint (user/postgresql/pg17-spin-hint.patch):
# the patched server serves pgbench unchanged with the module absent (its
# backends stay unregistered), registers every process once the module is
# there, gets extensions under a contended pgbench in an enabled cgroup,
# keeps its hint balanced (no nesting deeper than a few locks, nothing
# revoked), survives the module being unloaded under load, and stops cleanly.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../pg-lib.sh"

if [ "$LAB_ARCH" != amd64 ]; then
	echo "ok - # SKIP PostgreSQL is built for the amd64 guests only"
	exit 0
fi
if [ ! -x "$PG_HINT/postgres" ] || [ ! -f /var/lib/pglab/s1/.lab-ready ]; then
	echo "ok - # SKIP no patched PostgreSQL in the guest root (tests/lab/pg-build.sh could not fetch the source)"
	exit 0
fi

data=/tmp/pg75
secs=${LAB_PG_SECONDS:-8}
grace=${LAB_GRACE_US:-500}
cgp=/pg75
# 2 MB of shared buffers for a 16 MB table: every other read evicts a
# buffer (StrategyGetBuffer), so buffer-header and freelist locks are hot.
settings="-c shared_buffers=2MB"

ph_unload
dmesg_mark
check "the pgbench data (scale 1) is copied into tmpfs" pg_data $data 1

# bench ARGS...: a pgbench run; prints its output, fails on any error.
# pgbench runs in the server's cgroup, as README.md (Quick start) and
# docs/design.md (Operating it) tell operators to run local clients:
# another cgroup's task queued on a CPU gets it before any backend is
# extended there (test 47): with pgbench outside, a run got 9-14 grants
# where it had 27.
bench() {
	local out rc
	out=$(run_in_cgroup $cgp "$PG_CLIENT/pgbench" -h "$PG_SOCK" -U "$PG_USER" \
		-n -M prepared -j 2 "$@" postgres 2>&1)
	rc=$?
	echo "$out"
	[ $rc = 0 ] && grep -q "^number of failed transactions: 0 " <<<"$out"
}
tps() { sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$1" | head -n1; }
# Processes of the server: postmaster + children, from its cgroup.
nprocs() { wc -l <"$CG$cgp/cgroup.procs"; }

# ---- 1. module absent ---------------------------------------------------
check "patched server starts with the module absent" pg_start "$PG_HINT" $data $cgp $settings
check "it is the patched build ($("$PG_HINT/postgres" --version))" \
	grep -q SpinHintRegister "$PG_HINT/postgres"
out=$(bench -S -c 4 -T "$secs")
rc=$?
diag "no module: $(tps "$out") tps"
check "it serves pgbench -S with no failed transaction" [ $rc = 0 ]
check "and answers correctly (100000 accounts)" \
	[ "$(pg_psql -c 'SELECT count(*) FROM pgbench_accounts')" = 100000 ]
ph_load || { not_ok "module loads"; exit 1; }
reg=$(ph_registered)
check "processes started without the module stay unregistered ($reg registered, $(nprocs) server processes)" \
	[ "$reg" = 0 ]
check "the server stops cleanly" pg_stop "$PG_HINT" $data

# ---- 2. module loaded, cgroup not enabled: the unhinted reference --------
check "patched server starts with the module loaded" pg_start "$PG_HINT" $data $cgp $settings
reg=$(ph_registered)
check "its processes registered a hint slot ($reg for $(nprocs) processes)" \
	[ "$reg" -ge 4 ]
trace_prepare 1408 preempthint/preempthint_lh_preempt
echo 1 >$T/tracing_on
phctl reset-stats
out=$(bench -S -c 8 -T "$secs")
rc=$?
lh_off=$(ph_stat lh_preemptions)
diag "not enabled: $(tps "$out") tps, lh_preemptions=$lh_off registered=$(ph_registered)"
check "not enabled: pgbench -S -c 8 has no failed transaction" [ $rc = 0 ]
check "not enabled: no extension is granted ($(ph_stat grants))" [ "$(ph_stat grants)" = 0 ]
echo 0 >$T/tracing_on
maxnest=$(grep -o 'nest=[0-9]*' $T/trace | cut -d= -f2 | sort -n | tail -n1)
nev=$(grep -c 'preempthint_lh_preempt:' $T/trace)
diag "lock holders switched out: $nev trace events, deepest nest ${maxnest:-none}"
check "not enabled: lock holders are switched out and counted ($lh_off)" [ "${lh_off:-0}" -gt 0 ]
check "the hint stays balanced: holders switched out nest at most 4 deep (deepest ${maxnest:-none} of $nev)" \
	[ "$nev" -gt 0 ] && [ "${maxnest:-99}" -le 4 ]
trace_restore

# ---- 3. cgroup enabled (hint policy) -----------------------------------
check "enable --cgroup $cgp --mode hint" phctl enable --cgroup $cgp --grace-us "$grace" --mode hint
phctl reset-stats
out=$(bench -S -c 8 -T "$secs")
rc=$?
grants=$(ph_stat grants $cgp) yields=$(ph_stat yields $cgp)
diag "enabled: $(tps "$out") tps, grants=$grants yields=$yields expiries=$(ph_stat expiries $cgp) refusals=$(ph_stat refusals $cgp) lh_preemptions=$(ph_stat lh_preemptions $cgp) (not enabled: $lh_off)"
check "enabled: pgbench -S -c 8 has no failed transaction" [ $rc = 0 ]
check "enabled: backends holding locks were granted extensions ($grants)" [ "${grants:-0}" -gt 0 ]
check "enabled: granted backends yielded on leaving ($yields)" [ "${yields:-0}" -gt 0 ]
out=$(bench -N -c 8 -T "$secs")
rc=$?
diag "enabled, -N: $(tps "$out") tps"
check "enabled: pgbench -N (simple update) has no failed transaction" [ $rc = 0 ]

# ---- 4. the module goes away under load --------------------------------
bench -S -c 8 -T "$secs" >/tmp/pg75-bench.out 2>&1 &
bpid=$!
sleep $((secs / 2))
check "the module unloads while hinted backends run" ph_unload
wait $bpid
rc=$?
diag "unloaded mid-run: $(tps "$(cat /tmp/pg75-bench.out)") tps"
check "pgbench across the unload has no failed transaction" [ $rc = 0 ]
check "the server serves new connections after the unload" \
	[ "$(pg_psql -c 'SELECT count(*) FROM pgbench_branches')" = 1 ]
check "the server stops cleanly" pg_stop "$PG_HINT" $data
check "no server process is left" [ "$(nprocs)" = 0 ]
bad=$(grep -E 'PANIC|stuck spinlock|server process .* was terminated' $data/server.log)
[ -n "$bad" ] && diag "$bad"
check "the server log has no PANIC, stuck spinlock or crashed backend" [ -z "$bad" ]
bad=$(dmesg_since | grep -E 'WARNING|BUG|Oops|revoked|scheduling while atomic')
[ -n "$bad" ] && diag "$bad"
check "kernel log is clean (no WARN/BUG, no revoked hint)" [ -z "$bad" ]

phctl disable --cgroup $cgp 2>/dev/null
rmdir $CG$cgp 2>/dev/null
rm -rf $data
