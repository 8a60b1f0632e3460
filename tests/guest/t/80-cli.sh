#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The CLI against the real module: enable/status/stats/disable with every
# path form, JSON read by a real parser, counters moving under load, each
# error path with its exit code and a one-line message that changes
# nothing, an unprivileged caller, and a policy that survives its cgroup
# being removed and recreated (what a PostgreSQL restart does).
. "$(dirname "$0")/../lib.sh"

ph_unload
# exit_is CODE DESC CMD...: the command exits CODE, prints one stderr line.
exit_is() {
	local want=$1 desc=$2 err rc
	shift 2
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	diag "$* -> $rc: $err"
	local good=false
	[ "$rc" = "$want" ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -q '^preempthint: ' <<<"$err" &&
		good=true
	check "$desc (exit $want, one line)" $good
}
policies() { phctl -j status | python3 -c 'import json,sys; print(" ".join(c["path"] for c in json.load(sys.stdin)["cgroups"]))'; }

exit_is 69 "status without the module says it is not loaded" phctl status
ph_load || { not_ok "module loads"; exit 1; }
mkdir -p $CG/ph-cli/a

check "enable with a path under /sys/fs/cgroup" phctl enable --cgroup $CG/ph-cli --grace-us 120 --mode both
check "enable with a relative path" phctl enable --cgroup ph-cli/a
check "status lists both cgroups ($(policies))" [ "$(policies)" = "/ph-cli /ph-cli/a" ]
json=$(phctl -j status)
check "status -j is valid JSON with version, mode and settings" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
c = {x["path"]: x for x in d["cgroups"]}
assert d["module"] == sys.argv[2], d["module"]
assert d["preempt"] in ("lazy", "full"), d["preempt"]
assert c["/ph-cli"]["grace_us"] == 120 and c["/ph-cli"]["mode"] == "both", c
assert c["/ph-cli/a"]["grace_us"] == 50 and c["/ph-cli/a"]["mode"] == "hint", c
assert c["/ph-cli"]["id"] == int(sys.argv[3]), (c, sys.argv[3])
' "$json" "$(ph_version_expected)" "$(stat -c %i $CG/ph-cli)"
check "re-enabling updates the settings" phctl enable --cgroup /ph-cli --grace-us 200 --mode hint
check "... and status shows them" python3 -c '
import json, sys
c = {x["path"]: x for x in json.loads(sys.argv[1])["cgroups"]}
assert c["/ph-cli"]["grace_us"] == 200 and c["/ph-cli"]["mode"] == "hint", c' "$(phctl -j status)"

before=$(ph_stat grants /ph-cli/a)
run_in_cgroup /ph-cli/a "$PH_PROGS/holder" --cpu 1 --seconds 2 >/dev/null
after=$(ph_stat grants /ph-cli/a)
check "counters move under load (grants $before -> $after)" [ "$after" -gt "$before" ]
check "stats -j --cgroup is valid JSON naming the cgroup" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["cgroup"] == "/ph-cli/a" and d["stats"]["grants"] > 0, d' "$(phctl -j stats --cgroup /ph-cli/a)"
check "text status names the kernel preemption mode" grep -q "preemption: *$LAB_MODE" <(phctl status)

# Errors: a clear message, a non-zero exit, nothing changed.
state=$(policies)
exit_is 1 "enabling a cgroup that does not exist fails" phctl enable --cgroup /ph-no-such
exit_is 64 "an out-of-range grace is refused" phctl enable --cgroup /ph-cli --grace-us 5000
exit_is 64 "an unknown mode is refused" phctl enable --cgroup /ph-cli --mode turbo
exit_is 64 "an unknown option is refused" phctl enable --cgroup /ph-cli --frobnicate
exit_is 64 "enable without --cgroup is refused" phctl enable
exit_is 1 "disabling a cgroup that is not enabled fails with the kernel's message" \
	phctl disable --cgroup /ph-cli/a/none
check "the kernel's extended ACK text reaches the user" \
	grep -q "is not enabled" <(phctl disable --cgroup /ph-cli/a/none 2>&1)
exit_is 77 "an unprivileged user cannot enable" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all $PH_CLI enable --cgroup /ph-cli
exit_is 77 "an unprivileged user cannot read the policies" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all $PH_CLI status
exit_is 77 "an unprivileged user cannot disable" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all $PH_CLI disable --cgroup /ph-cli
check "no error changed the policies ($(policies))" [ "$(policies)" = "$state" ]

# monitor: per-second rates from the events group, as JSON lines.
run_in_cgroup /ph-cli/a "$PH_PROGS/holder" --cpu 1 --seconds 6 >/dev/null &
sleep 0.5
mon=$(timeout 30 $PH_CLI -j monitor --cgroup /ph-cli/a --count 3)
wait
diag "monitor: $(head -c 400 <<<"$mon")"
check "monitor -j prints 3 JSON lines for the cgroup with grants/s > 0" python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.argv[1].splitlines() if l.strip()]
mine = [l for l in lines if l.get("cgroup") == "/ph-cli/a"]
assert len(mine) == 3, lines
assert max(l["rates"]["grants"] for l in mine) > 0, mine' "$mon"
exit_is 77 "an unprivileged user cannot monitor" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all $PH_CLI monitor --count 1

# A restart removes the service's cgroup and makes a new one at the same path.
phctl disable --cgroup /ph-cli/a
rmdir $CG/ph-cli/a
old_id=$(stat -c %i $CG/ph-cli)
rmdir $CG/ph-cli
mkdir $CG/ph-cli
sleep 1.5	# the module follows at once on mkdir; allow its 1 s recheck too
new_id=$(phctl -j status | python3 -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin)["cgroups"] if c["path"] == "/ph-cli"][0])')
followed=false
[ "$new_id" = "$(stat -c %i $CG/ph-cli)" ] && [ "$new_id" != "$old_id" ] && followed=true
check "after the cgroup is recreated the policy follows it (id $old_id -> $new_id)" $followed
out=$(run_in_cgroup /ph-cli "$PH_PROGS/holder" --cpu 1 --seconds 2)
check "tasks of the recreated cgroup get extensions ($(kv slot_grants <<<"$out"))" \
	[ "$(kv slot_grants <<<"$out")" -ge 10 ]

check "disable succeeds" phctl disable --cgroup /ph-cli
check "status lists nothing afterwards" [ -z "$(policies)" ]
rmdir $CG/ph-cli 2>/dev/null
ph_unload
