#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install / uninstall into a DESTDIR, the files of dist/ as installed
# (paths substituted; the systemd unit and the PostgreSQL drop-in checked by
# systemd-analyze verify, the modprobe.d hook by modprobe's own parser), and
# dkms.conf's gates. The real DKMS build, and the hook at work, run in the
# lab (tests/lab/dkms.sh, tests/guest/t/91-persist.sh).
top=$(cd "$(dirname "$0")/../.." && pwd)
n=0 fail=0
ok() {	# ok DESCRIPTION EXIT-STATUS [DIAG]
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		[ -n "$3" ] && printf '%s\n' "$3" | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
}
skip() { n=$((n + 1)); echo "ok $n - # SKIP $1"; }
mk() { MAKEFLAGS='' MAKELEVEL='' make -s --no-print-directory -C "$top" "$@"; }

dest=$(mktemp -d /tmp/ph-unit-dist-XXXXXX)
trap 'rm -rf "$dest"' EXIT
out=$(mk install DESTDIR="$dest" PREFIX=/usr 2>&1)
ok "make install DESTDIR=... PREFIX=/usr succeeds" $? "$out"
want="etc/modprobe.d/preempthint.conf etc/preempthint.conf usr/include/preempthint.h
usr/include/preempthint_api.h usr/lib/systemd/system/postgresql.service.d/preempthint.conf
usr/lib/systemd/system/postgresql@.service.d/preempthint.conf
usr/lib/systemd/system/preempthint.service usr/sbin/preempthint
usr/share/bash-completion/completions/preempthint usr/share/man/man8/preempthint.8"
got=$(cd "$dest" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | paste -sd ' ' -)
ok "it installs exactly the CLI, man page, completion, headers, config, unit, drop-ins, hook" \
	"$([ "$got" = "$(echo $want)" ]; echo $?)" "got: $got"
ok "the CLI is executable" "$([ -x "$dest/usr/sbin/preempthint" ]; echo $?)"
left=$(grep -rl '@[A-Z]*@' "$dest" 2>/dev/null | grep -v '/usr/sbin/preempthint$')
ok "no @TEMPLATE@ is left in the installed files" "$([ -z "$left" ]; echo $?)" "$left"
grep -q '^ExecStart=/usr/sbin/preempthint apply --config /etc/preempthint.conf$' \
	"$dest/usr/lib/systemd/system/preempthint.service"
ok "the unit runs the installed CLI on /etc/preempthint.conf" $?
out=$(mk install DESTDIR="$dest" PREFIX=/usr/local SYSCONFDIR=/etc/ph 2>&1)
grep -q "ExecStart=/usr/local/sbin/preempthint apply --config /etc/ph/preempthint.conf" \
	"$dest/usr/local/lib/systemd/system/preempthint.service"
ok "PREFIX and SYSCONFDIR move the paths inside the files too" $?
rm -rf "${dest:?}/usr/local" "${dest:?}/etc/ph"

# The shipped config applies cleanly and enables nothing.
out=$("$top/user/preempthint" apply --check --config "$dest/etc/preempthint.conf" 2>&1)
ok "the shipped config passes 'apply --check' and enables nothing" \
	"$(grep -q ': 0 to enable, 0 pending$' <<<"$out"; echo $?)" "$out"
# Every example line of it, uncommented, is valid too.
ex=$(sed -n 's/^#   \(postgresql@.*\)/\1/p' "$dest/etc/preempthint.conf")
printf '%s\n' "$ex" >"$dest/example.conf"
out=$(PREEMPTHINT_SYSTEMCTL=/bin/true "$top/user/preempthint" apply --check --config "$dest/example.conf" 2>&1)
ok "the config's example line parses ($ex)" "$([ -n "$ex" ] && grep -q '1 pending$' <<<"$out"; echo $?)" "$out"
rm -f "$dest/example.conf"

if command -v systemd-analyze >/dev/null; then
	# A stand-in postgresql@.service next to the drop-in, so that verify
	# loads the drop-in; missing binaries on this host are not our fault.
	units=$dest/units
	mkdir -p "$units"
	cp -r "$dest/usr/lib/systemd/system/." "$units/"
	printf '[Unit]\nDescription=stand-in\n[Service]\nExecStart=/bin/true\n' >"$units/postgresql@.service"
	out=$(SYSTEMD_UNIT_PATH=$units: systemd-analyze verify --man=no \
		"$units/preempthint.service" "$units/postgresql@17-main.service" 2>&1 |
		grep -v 'is not executable: No such file\|Unit .*\.target not found')
	ok "systemd-analyze verify: the unit and the PostgreSQL drop-in have no error" \
		"$([ -z "$out" ]; echo $?)" "$out"
	rm -rf "$units"
else
	skip "systemd-analyze not installed"
fi
if command -v modprobe >/dev/null || [ -x /usr/sbin/modprobe ]; then
	out=$(PATH=$PATH:/usr/sbin:/sbin modprobe -C "$dest/etc/modprobe.d" -c 2>&1 | grep '^install preempthint ')
	ok "modprobe reads the hook as an install command for preempthint" \
		"$(grep -q -- '--ignore-install preempthint .*/usr/sbin/preempthint apply --config /etc/preempthint.conf' <<<"$out"; echo $?)" "$out"
else
	skip "modprobe (kmod) not installed"
fi

# uninstall: everything goes, except a config the operator changed.
echo "/ph-db" >>"$dest/etc/preempthint.conf"
out=$(mk uninstall DESTDIR="$dest" PREFIX=/usr 2>&1)
ok "make uninstall succeeds" $? "$out"
got=$(cd "$dest" && find . -type f | sed 's|^\./||' | paste -sd ' ' -)
ok "it removes every file but the changed config ($got)" \
	"$([ "$got" = "etc/preempthint.conf" ] && grep -q kept <<<"$out"; echo $?)" "$out"
rm -f "$dest/etc/preempthint.conf"
mk install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1 && mk uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
got=$(cd "$dest" && find . -type f | paste -sd ' ' -)
ok "an unchanged config is removed with the rest" "$([ -z "$got" ]; echo $?)" "$got"

# dkms.conf: the gates of issue 7.
conf=$top/dkms.conf
grep -q '^BUILD_EXCLUSIVE_ARCH="^(x86_64|aarch64)$"$' "$conf"
ok "dkms.conf builds for x86_64 and aarch64 only" $?
grep -q '^BUILD_EXCLUSIVE_CONFIG=".*CONFIG_PREEMPT_LAZY' "$conf"
ok "dkms.conf needs CONFIG_PREEMPT_LAZY" $?
grep -q '^AUTOINSTALL="yes"$' "$conf"
ok "dkms.conf rebuilds for new kernels (AUTOINSTALL)" $?
out=$(MAKEFLAGS='' make -n -s --no-print-directory -C "$top" dkms-install 2>&1)
missing=
for f in $(cd "$top" && ls kmod/*.c kmod/*.h) Kbuild dkms.conf include/preempthint.h; do
	grep -q " $f\b" <<<"$out" || missing+=" $f"
done
ok "dkms-install copies Kbuild, dkms.conf, kmod/ and the UAPI header${missing:+ (missing:$missing)}" \
	"$([ -z "$missing" ]; echo $?)"

echo "1..$n"
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
