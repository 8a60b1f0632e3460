#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 8, privilege. Who may do what (decided in kmod/netlink.c):
# - the operator, CAP_SYS_NICE (the scheduling authority) in the initial
#   user and network namespace, may do everything but listen to events,
#   which needs CAP_SYS_ADMIN; nobody else may change or read anything: an
#   unprivileged user, a holder of CAP_NET_ADMIN alone and root of a user
#   namespace get EPERM for every command and for the events group;
# - in any other network namespace the family does not exist (ENOENT, also
#   for real root there), and events never arrive there;
# - any thread may register its own hint slot (/dev/preempthint is 0666),
#   but only the operator's choice of cgroups decides who is deferred: a
#   registered thread outside them is never deferred, whoever runs it, and
#   an unprivileged thread cannot move itself into an enabled cgroup.
# (60-not-enabled.sh covers root's threads outside an enabled cgroup.)
. "$(dirname "$0")/../lib.sh"

F=$PH_PROGS/nlfuzz
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
# with_cap CAP: nobody holding that one capability (ambient, so it survives exec).
with_cap() { echo "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+$1 --ambient-caps=-all,+$1 --bounding-set=-all,+$1"; }
USERNS=(unshare --user --map-root-user)
NETNS=(unshare --net)
BOTHNS=(unshare --user --map-root-user --net)

# answers KIND WANT OUTPUT: every command of `nlfuzz perm` answered WANT
# (for a successful dump: its NLMSG_DONE).
answers() {
	local who=$1 want=$2 out=$3 op got all=true
	for op in enable disable dump stats set reset; do
		got=$(kv $op <<<"$out")
		[ "$op/$want/$got" = dump/ACK/DONE ] && continue
		[ "$got" = "$want" ] || { all=false; diag "$who: $op answered $got"; }
	done
	check "$who: enable/disable/dump/stats/set/reset all answer $want" $all
}
policies() { phctl -j status | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["default_grace_us"], *sorted((c["path"], c["grace_us"]) for c in d["cgroups"]))'; }

ph_unload
ph_load || { not_ok "module loads"; exit 1; }
mkdir -p $CG/ph-priv/db $CG/ph-priv/other
phctl enable --cgroup /ph-priv/db --grace-us 500

# The operator: every command works (its set and enable are undone below).
root=$($F perm --path /ph-priv/other)
fam=$(kv family <<<"$root")
grp=$(kv group <<<"$root")
diag "root: $(echo $root)"
answers "root in the initial namespaces" ACK "$root"

# The scheduling authority alone does the same; events need CAP_SYS_ADMIN.
out=$($(with_cap sys_nice) $F perm --path /ph-priv/other --listen 1)
diag "nobody with CAP_SYS_NICE: $(echo $out)"
answers "a user with CAP_SYS_NICE alone" ACK "$out"
check "... but cannot join the events group (EPERM)" [ "$(kv join <<<"$out")" = EPERM ]
out=$($(with_cap net_admin) $F perm --path /ph-priv/other --listen 1)
diag "nobody with CAP_NET_ADMIN: $(echo $out)"
answers "a user with CAP_NET_ADMIN alone (the network's authority)" EPERM "$out"
check "... nor can it join the events group (EPERM)" [ "$(kv join <<<"$out")" = EPERM ]
out=$($(with_cap sys_admin) $F perm --path /ph-priv/other --listen 1)
diag "nobody with CAP_SYS_ADMIN: $(echo $out)"
answers "a user with CAP_SYS_ADMIN alone" EPERM "$out"
check "... which may join the events group" [ "$(kv join <<<"$out")" = OK ]
phctl set --grace-us 50
phctl disable --cgroup /ph-priv/other 2>/dev/null
before=$(policies)

# A listener in the initial namespace, so that events are being sent while
# the others try to listen.
timeout 30 $PH_CLI -j monitor --count 6 >/tmp/priv.mon 2>&1 &
mon=$!
sleep 0.5

out=$("${NOBODY[@]}" $F perm --path /ph-priv/other --listen 2)
diag "nobody: $(echo $out)"
check "an unprivileged user can look the family up (nlctrl is public)" [ "$(kv family <<<"$out")" = "$fam" ]
answers "an unprivileged user" EPERM "$out"
check "an unprivileged user cannot join the events group (EPERM)" [ "$(kv join <<<"$out")" = EPERM ]

out=$("${USERNS[@]}" $F perm --path /ph-priv/other --listen 2)
diag "root of a user namespace: $(echo $out)"
answers "root of a user namespace" EPERM "$out"
check "root of a user namespace cannot join the events group (EPERM)" [ "$(kv join <<<"$out")" = EPERM ]

out=$("${NETNS[@]}" $F perm --family-id "$fam" --group-id "$grp" --path /ph-priv/other --listen 3)
diag "root in a network namespace: $(echo $out)"
check "in another network namespace nlctrl does not know the family (ENOENT)" \
	[ "$(kv family <<<"$out")" = ENOENT ]
answers "root in a network namespace, using the family's id" ENOENT "$out"
# genetlink checks only capabilities when a socket joins a group by number,
# so the join succeeds; but events are multicast in the initial namespace.
check "it can join the events group by number, and receives nothing ($(kv events <<<"$out") events in 3 s)" \
	[ "$(kv join <<<"$out")" = OK -a "$(kv events <<<"$out")" = 0 ]

out=$("${BOTHNS[@]}" $F perm --family-id "$fam" --group-id "$grp" --path /ph-priv/other --listen 3)
diag "root of a user+network namespace (a container): $(echo $out)"
check "a container does not see the family (ENOENT)" [ "$(kv family <<<"$out")" = ENOENT ]
answers "a container, using the family's id" ENOENT "$out"
check "a container can join the events group by number, and receives nothing ($(kv events <<<"$out") events in 3 s)" \
	[ "$(kv join <<<"$out")" = OK -a "$(kv events <<<"$out")" = 0 ]

wait $mon
check "meanwhile the operator's monitor did receive events ($(grep -c '"cgroup"' /tmp/priv.mon) lines)" \
	[ "$(grep -cE '"cgroup": ?"/ph-priv/db"' /tmp/priv.mon)" -ge 1 ]

# The CLI says the same, with its documented exit codes.
# exit_is CODE DESC PATTERN CMD...: exit CODE, stderr matching PATTERN.
exit_is() {
	local want=$1 desc=$2 pat=$3 err rc
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	diag "$* -> $rc: $err"
	local good=false
	[ "$rc" = "$want" ] && grep -q -- "$pat" <<<"$err" && good=true
	check "$desc (exit $want)" $good
}
for cmd in "enable --cgroup /ph-priv/other" "disable --cgroup /ph-priv/db" "set --grace-us 7" \
	"reset-stats" "status" "stats --cgroup /ph-priv/db" "monitor --count 1"; do
	# shellcheck disable=SC2086
	exit_is 77 "CLI as an unprivileged user: $cmd" "needs CAP_SYS_" "${NOBODY[@]}" $PH_CLI $cmd
	# shellcheck disable=SC2086
	exit_is 77 "CLI as root of a user namespace: $cmd" "needs CAP_SYS_" "${USERNS[@]}" $PH_CLI $cmd
	# shellcheck disable=SC2086
	exit_is 77 "CLI with CAP_NET_ADMIN alone: $cmd" "needs CAP_SYS_" $(with_cap net_admin) $PH_CLI $cmd
	# shellcheck disable=SC2086
	exit_is 69 "CLI in another network namespace: $cmd" "only in the initial network namespace" \
		"${NETNS[@]}" $PH_CLI $cmd
done
after=$(policies)
check "none of it changed the policies or settings ($after)" [ "$after" = "$before" ]

# ---- the hint itself ----
check "/dev/preempthint is 0666: any thread may register its own slot" \
	[ "$(stat -c %a /dev/preempthint)" = 666 ]
check "max_registered can be changed by root only (0644)" \
	[ "$(stat -c %a $PH_SYS/parameters/max_registered)" = 644 ]
check "an unprivileged user cannot move itself into the enabled cgroup" \
	not "${NOBODY[@]}" sh -c "echo \$\$ > $CG/ph-priv/db/cgroup.procs" 2>/dev/null

phctl reset-stats
holder() { run_in_cgroup "$1" "${@:2}" "$PH_PROGS/holder" --cpu 1 --seconds 2; }
out=$(holder /ph-priv/other "${NOBODY[@]}")
check "an unprivileged registered holder outside the enabled cgroup is never deferred ($(kv slot_grants <<<"$out") grants, $(kv slot_preempted <<<"$out") preemptions seen)" \
	[ "$(kv slot_grants <<<"$out")" = 0 -a "$(kv slot_preempted <<<"$out")" -ge 10 ]
out=$(holder /ph-priv/other "${USERNS[@]}")
check "neither is one run by root of a user namespace ($(kv slot_grants <<<"$out") grants)" \
	[ "$(kv slot_grants <<<"$out")" = 0 -a "$(kv slot_preempted <<<"$out")" -ge 10 ]
out=$(holder /ph-priv/other "${BOTHNS[@]}")
check "nor one in a container ($(kv slot_grants <<<"$out") grants)" \
	[ "$(kv slot_grants <<<"$out")" = 0 -a "$(kv slot_preempted <<<"$out")" -ge 10 ]
check "nothing outside the enabled cgroup was deferred (its counter: $(ph_stat grants /ph-priv/db), global: $(ph_stat grants))" \
	[ "$(ph_stat grants)" = 0 ]
out=$(holder /ph-priv/db "${NOBODY[@]}")
check "an unprivileged holder inside the operator's enabled cgroup is deferred ($(kv slot_grants <<<"$out") grants)" \
	[ "$(kv slot_grants <<<"$out")" -ge 10 ]
out=$(holder /ph-priv/db "${BOTHNS[@]}")
check "so is a container's, placed there by the operator ($(kv slot_grants <<<"$out") grants)" \
	[ "$(kv slot_grants <<<"$out")" -ge 10 ]

phctl disable --cgroup /ph-priv/db
rmdir $CG/ph-priv/db $CG/ph-priv/other $CG/ph-priv
ph_unload
