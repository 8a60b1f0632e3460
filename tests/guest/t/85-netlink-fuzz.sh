#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 8, netlink fuzzing: exact answers to hand-made bad requests, then a
# storm of at least 100,000 malformed, truncated, oversized, bit-flipped,
# random, batched and foreign messages from 4 threads, mixed with valid
# requests whose results are checked as they come (tests/guest/progs/nlfuzz.c).
# Afterwards the policy list must be what the valid requests left, agree with
# `preempthint -j status`, name only existing cgroups; the module must hold no
# reference (its refcnt, dying cgroups), still work (a holder gets grants),
# and unload and load again. dmesg is scanned on the host (check-log.sh).
#
# LAB_FUZZ_SEED replays a run (the seed is printed), LAB_FUZZ_MESSAGES
# changes its size.
. "$(dirname "$0")/../lib.sh"

F=$PH_PROGS/nlfuzz
P=/ph-fz
messages=${LAB_FUZZ_MESSAGES:-100000}
seed=${LAB_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}

# dying: cgroups removed but still referenced by someone (cgroup.stat).
dying() { sed -n 's/^nr_dying_descendants //p' $CG/cgroup.stat; }
# rm_tree DIR: remove a cgroup and everything below it, deepest first.
rm_tree() { [ -d "$1" ] && find "$1" -depth -type d -exec rmdir {} + 2>/dev/null; true; }
refcnt() { cat $PH_SYS/refcnt; }

ph_unload
rm_tree $CG$P
dying_before=$(dying)
ph_load || { not_ok "module loads"; exit 1; }

# ---- exact answers ----
out=$($F probe --prefix $P)
rc=$?
grep -E '^(not )?ok - ' <<<"$out" | sed 's/^\(\(not \)\?ok - \)/\1netlink: /'
check "probe ran to the end (exit $rc)" [ "$(grep -c '^not ok' <<<"$out")" = "$rc" ]
deep=$(kv deep_path <<<"$out")

# The events group carries the 4000-character path too (once a second).
mon=$(timeout 20 $PH_CLI -j monitor --count 2 2>&1)
check "monitor reports the cgroup with the 4000-character path" \
	python3 -c '
import json, sys
paths = set()
for l in sys.argv[1].splitlines():
    try:
        paths.add(json.loads(l).get("cgroup"))
    except ValueError:
        pass
sys.exit(0 if sys.argv[2] in paths else 1)' "$mon" "$deep"
out=$($F clear)
check "the probe's policies can be disabled by their listed paths ($(kv cleared <<<"$out") cleared)" \
	[ "$(kv remaining <<<"$out")" = 0 ]
rm_tree $CG$P
diag "probe and monitor took ${SECONDS}s"

# ---- the storm ----
diag "storm: seed $seed, $messages messages (LAB_FUZZ_SEED=$seed sends the same messages again)"
dmesg_mark
# Meanwhile the CLI reads the list over and over: it must never fail or
# show a cgroup twice (an interrupted dump is read again).
(
	n=0 bad=0
	while [ ! -e /tmp/fuzz.done ]; do
		s=$(phctl -j status 2>&1) && python3 -c '
import json, sys
ids = [c["id"] for c in json.loads(sys.argv[1])["cgroups"]]
sys.exit(len(ids) != len(set(ids)))' "$s" || { bad=$((bad + 1)); echo "$s" | head -c 300 >&2; }
		n=$((n + 1))
		sleep 0.5
	done
	echo "$n $bad" >/tmp/fuzz.cli
) &
rm -f /tmp/fuzz.done
start=$(date +%s.%N)
out=$($F storm --seed "$seed" --threads 4 --messages "$messages" --valid 3000 --prefix $P)
rc=$?
end=$(date +%s.%N)
touch /tmp/fuzz.done
wait
read -r cli_runs cli_bad </tmp/fuzz.cli
grep -E '^(# |seed=|sent\.|answer\.all|sendfail|seconds=|rate=|sockets=|abandoned|valid_dumps|batch_messages|bytes=|final_|violations=)' <<<"$out" |
	sed 's/^# //' | while IFS= read -r l; do diag "$l"; done
diag "storm wall time $(python3 -c "print(round($end - $start, 1))") s"
# The answers per category, for the record.
for c in valid random truncated malformed oversized bitflip batch foreign; do
	diag "answers to $c: $(sed -n "s/^answer\.$c\.//p" <<<"$out" | tr '\n' ' ')"
done

check "nlfuzz storm exits 0 (seed $seed)" [ "$rc" = 0 ]
check "at least $messages malformed/random messages were sent ($(kv sent.fuzz <<<"$out"))" \
	[ "$(kv sent.fuzz <<<"$out")" -ge "$messages" ]
check "every valid request got its expected answer, every dump matched the model" \
	[ "$(kv violations <<<"$out")" = 0 ]
check "the module is still loaded" ph_loaded
check "status -j during the storm: never failed, never a cgroup twice ($cli_runs runs, $cli_bad bad)" \
	[ "$cli_runs" -gt 0 -a "$cli_bad" = 0 ]
# The only sends the local stack may refuse: too big for the socket, and
# ones shorter than a netlink header (ENODATA).
check "every other message reached the kernel" [ -z "$(grep '^sendfail\.' <<<"$out" |
	grep -v -E '^sendfail\.(oversized\.EMSGSIZE|(random|truncated|batch)\.ENODATA)=')" ]

# The list as the CLI reads it equals the storm's final dump.
status=$(phctl -j status)
check "status -j lists exactly the policies nlfuzz read back ($(kv final_policies <<<"$out"): $(kv final_own <<<"$out") owned, $(kv final_other <<<"$out") bait)" \
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
mine = sorted((c["path"], c["id"], c["grace_us"]) for c in d["cgroups"])
theirs = sorted((l.split()[1], int(l.split()[2]), int(l.split()[3]))
                for l in sys.argv[2].splitlines() if l.startswith("policy "))
assert mine == theirs, (mine, theirs)
assert d["enabled"] is True and d["default_grace_us"] == 50, d
' "$status" "$out"
check "every listed cgroup exists with the listed id" python3 -c '
import json, os, sys
for c in json.loads(sys.argv[1])["cgroups"]:
    assert os.stat("/sys/fs/cgroup" + c["path"]).st_ino == c["id"], c
' "$status"
check "no thread is registered" [ "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["registered"])' <<<"$status")" = 0 ]
check "no socket or abandoned dump holds a module reference (refcnt $(refcnt))" [ "$(refcnt)" = 0 ]

# Still works: enable an owned cgroup and run a hinted holder in it.
phctl enable --cgroup $P/own/t0/c0 --grace-us 500 >/dev/null
o=$(run_in_cgroup $P/own/t0/c0 "$PH_PROGS/holder" --cpu 1 --seconds 2)
check "after the storm a holder in an enabled cgroup gets grants ($(kv slot_grants <<<"$o"))" \
	[ "$(kv slot_grants <<<"$o")" -ge 10 ]

# Policies pin their cgroups: removed while enabled they stay dying until disabled.
o=$($F clear)
check "every policy disables by its listed path ($(kv cleared <<<"$o") cleared, $(kv clear_failed <<<"$o") failed)" \
	[ "$(kv remaining <<<"$o")" = 0 ]
rm_tree $CG$P
for _ in $(seq 50); do [ "$(dying)" = "$dying_before" ] && break; sleep 0.1; done
check "no cgroup reference leaked (dying cgroups: $dying_before before, $(dying) after)" \
	[ "$(dying)" = "$dying_before" ]
check "the module unloads" rmmod preempthint
check "and loads again" ph_load
mkdir -p $CG$P
check "a reloaded module accepts a policy" phctl enable --cgroup $P
phctl disable --cgroup $P >/dev/null
rmdir $CG$P
ph_unload
diag "whole test ${SECONDS}s"
# Besides policy changes: the netlink core's own rate-limited notes on bad input.
other=$(dmesg_since | grep -v -E 'preempthint: (enabled for|disabled for|unloaded|version)|netlink: |callbacks suppressed|Zero length message leads to an empty skb' | head -5)
[ -n "$other" ] && diag "kernel log: $other"
check "the kernel logged nothing else" [ -z "$other" ]
