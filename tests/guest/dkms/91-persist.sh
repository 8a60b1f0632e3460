#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Persistence: 'make install' into the guest's root, policies in
# /etc/preempthint.conf, and the modprobe.d hook that applies them after
# every 'modprobe preempthint': a reload brings them back (and only through
# the hook), a cgroup made later is picked up by the next 'apply', a bad
# line is reported as FILE:LINE and changes nothing. The guest has no
# systemd; the unit and drop-ins run the same 'preempthint apply'.
#
# Runs in the DKMS guest (tests/lab/dkms.sh), where modprobe finds DKMS's
# module. Alone (LAB_TESTS=tests/guest/dkms/91-persist.sh) it installs the
# build's module under extra/ instead; that needs two depmod runs over all
# of Debian's modules, about 90 s under TCG, which is why it is not in
# tests/guest/t/ for every guest run.
. "$(dirname "$0")/../lib.sh"

ph_unload
rel=$(uname -r)
conf=/etc/preempthint.conf
cli=/usr/sbin/preempthint
policies() {	# "path:grace:mode ..." of every enabled cgroup, sorted
	$cli -j status | python3 -c '
import json, sys
print(" ".join(sorted("%s:%d:%s" % (c["path"], c["grace_us"], c["mode"])
                      for c in json.load(sys.stdin)["cgroups"])))'
}

# modprobe must find a module: DKMS's in the DKMS guest, else the build's.
if ! modinfo -n preempthint >/dev/null 2>&1; then
	mkdir -p /lib/modules/$rel/extra
	cp "$PH_KO" /lib/modules/$rel/extra/
	depmod -a "$rel"
	own=1
fi
diag "modprobe uses $(modinfo -n preempthint)"

out=$(make -s -C "$LAB_BUILD" install PREFIX=/usr 2>&1)
rc=$?
diag "make install: $(tail -n1 <<<"$out")"
check "make install PREFIX=/usr succeeds" [ $rc = 0 ]
missing=
for f in $cli /usr/share/man/man8/preempthint.8 /usr/share/bash-completion/completions/preempthint \
	/usr/include/preempthint.h /usr/include/preempthint_api.h $conf \
	/usr/lib/systemd/system/preempthint.service \
	/usr/lib/systemd/system/postgresql@.service.d/preempthint.conf \
	/etc/modprobe.d/preempthint.conf; do
	[ -f "$f" ] || missing+=" $f"
done
check "it installed the CLI, man page, completion, headers, config, unit, drop-in, hook${missing:+ (missing:$missing)}" \
	[ -z "$missing" ]
check "the installed unit and hook name the installed CLI" \
	grep -q "ExecStart=$cli apply --config $conf" /usr/lib/systemd/system/preempthint.service
check "the shipped config enables nothing ('apply --check': 0 to enable)" \
	grep -q "^$conf: 0 to enable, 0 pending" <($cli apply --check)

mkdir -p $CG/ph-persist/a $CG/ph-persist/b
cat >$conf <<CONF
# lab: two cgroups now, one made later
/ph-persist/a grace-us=120 mode=both
$CG/ph-persist/b   # a comment after a path
/ph-persist/later mode=kernel
CONF
want="/ph-persist/a:120:both /ph-persist/b:50:hint"

check "modprobe preempthint (through the hook) exits 0" modprobe preempthint
got=$(policies)
check "after modprobe the config's policies are enabled ($got)" [ "$got" = "$want" ]
mkdir -p $CG/ph-persist/manual
$cli enable --cgroup /ph-persist/manual >/dev/null
check "modprobe -r && modprobe preempthint succeeds" sh -c 'modprobe -r preempthint && modprobe preempthint'
got=$(policies)
check "after a reload the config's policies are back, the hand-made one is not ($got)" \
	[ "$got" = "$want" ]

# Contrast: without the hook a reload loses them (so it is the hook that works).
mv /etc/modprobe.d/preempthint.conf /tmp/hook.conf
modprobe -r preempthint && modprobe preempthint
got=$(policies)
check "without the modprobe.d hook a reload leaves no policy ('$got')" [ -z "$got" ]
mv /tmp/hook.conf /etc/modprobe.d/preempthint.conf

# A cgroup that did not exist yet (PostgreSQL not started): pending, then
# applied by the next 'apply', as the drop-in's ExecStartPost does.
$cli apply >/dev/null
pending=$($cli -j apply --check | python3 -c '
import json, sys
print(" ".join(p["target"] for p in json.load(sys.stdin)["policies"] if p["state"] == "pending"))')
check "a cgroup not made yet is pending, not an error ($pending)" [ "$pending" = "/ph-persist/later" ]
mkdir -p $CG/ph-persist/later
check "apply once it exists enables it" $cli apply
want="/ph-persist/a:120:both /ph-persist/b:50:hint /ph-persist/later:50:kernel"
got=$(policies)
check "... and status shows all three ($got)" [ "$got" = "$want" ]

# A bad line: FILE:LINE on one line, exit 64, nothing changed, even for
# the valid change on the line before it.
mkdir -p $CG/ph-persist/c
sed -i 's/^\/ph-persist\/a grace-us=120/\/ph-persist\/a grace-us=200/' $conf
printf '/ph-persist/c grace-us=5000\n' >>$conf
line=$(wc -l <$conf)
err=$($cli apply 2>&1 >/dev/null)
rc=$?
diag "apply with a bad line -> $rc: $err"
check "a bad line is refused with exit 64" [ $rc = 64 ]
good=false
[ "$(wc -l <<<"$err")" = 1 ] && grep -q "^preempthint: $conf:$line: grace-us=5000 is out of range" <<<"$err" &&
	good=true
check "... naming $conf:$line and the problem, on one line" $good
got=$(policies)
check "... and nothing changed ($got)" [ "$got" = "$want" ]
err=$(sh -c 'modprobe -r preempthint && modprobe preempthint' 2>&1)
rc=$?
good=false
[ $rc = 0 ] && ph_loaded && good=true
check "a reload with the bad file still loads the module (exit $rc)" $good
check "... reports the bad line" grep -q "$conf:$line:" <<<"$err"
got=$(policies)
check "... and applies nothing from it ('$got')" [ -z "$got" ]

modprobe -r preempthint
out=$(make -s -C "$LAB_BUILD" uninstall PREFIX=/usr 2>&1)
left=$(ls $cli /etc/modprobe.d/preempthint.conf /usr/lib/systemd/system/preempthint.service 2>/dev/null)
check "make uninstall removes what install put there${left:+ (left: $left)}" [ -z "$left" ]
good=false
[ -f $conf ] && grep -q kept <<<"$out" && good=true
check "... but keeps the changed $conf" $good
rm -f $conf
rmdir $CG/ph-persist/{a,b,c,later,manual} $CG/ph-persist
if [ -n "${own:-}" ]; then
	rm -f /lib/modules/$rel/extra/preempthint.ko
	depmod -a "$rel"
fi
check "module is not loaded at the end" not ph_loaded
