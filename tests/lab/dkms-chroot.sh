#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs INSIDE the lab chroot (tests/lab/dkms.sh starts it): the real
# 'make dkms-install' / 'make dkms-remove' of the tree at /build/$ARCH
# against the chroot's 7.x headers, and DKMS's MOK signing. Prints
# "ok - ..." / "not ok - ..." lines.
#
# usage: dkms-chroot.sh install RELEASE | remove RELEASE
#
# install: first without a usable key (dkms cannot make one: the module is
# built and installed unsigned), then 'dkms generate_mok' and again: the
# module is signed with /var/lib/dkms/mok.key, and the signature checks
# out against mok.pub (and not against another certificate).
set -u
phase=$1 rel=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
ver=$(make -s -C "$top" version)
upd=/lib/modules/$rel/updates/dkms
lab_conf=/etc/dkms/framework.conf.d/zz-preempthint-lab.conf
magic='~Module signature appended~'

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
diag() { echo "# $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# all 'CMD1' 'CMD2'...: every shell condition holds (for check).
all() { local c; for c; do eval "$c" || return 1; done; }
not() { ! "$@"; }
quiet() { "$@" >/dev/null 2>&1; }

# dkms runs modprobe after an install only for the running kernel; the
# chroot's running kernel is the host's. Never let that be the target.
[ "$rel" != "$(uname -r)" ] || { not_ok "target $rel is not the host's running kernel"; exit 1; }

installed_ko() { ls "$upd"/preempthint.ko* 2>/dev/null | head -n1; }
# The module's bytes, decompressed if DKMS compressed it.
ko_bytes() { case $1 in *.xz) xz -dc "$1" ;; *.zst) zstd -dc "$1" ;; *) cat "$1" ;; esac; }
signed() { ko_bytes "$1" | tail -c 28 | grep -qF "$magic"; }

gone() {
	[ -z "$(dkms status -m preempthint -v "$ver" 2>/dev/null)" ] && [ ! -e "/usr/src/preempthint-$ver" ] &&
		[ -z "$(installed_ko)" ] && ! modinfo -k "$rel" -n preempthint >/dev/null 2>&1
}

dkms_install() {	# dkms_install LOG: make dkms-install, timed
	local t0 ms rc
	t0=$(date +%s%N)
	make -C "$top" dkms-install DKMS_KERNEL="$rel" >"$1" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	diag "make dkms-install (add, build, install): exit $rc in $((ms / 1000)).$((ms % 1000 / 100)) s"
	# What failed, and DKMS's own build log when it got that far.
	if [ $rc != 0 ]; then
		tail -n 20 "$1" | sed 's/^/#   make: /'
		tail -n 20 /var/lib/dkms/preempthint/"$ver"/build/make.log 2>/dev/null |
			sed 's/^/#   make.log: /'
	fi
	return $rc
}

case $phase in
install)
	# 1. No usable key: a key path dkms cannot create.
	mkdir -p "${lab_conf%/*}"
	printf 'mok_signing_key=/nonexistent/preempthint-lab/mok.key\nmok_certificate=/nonexistent/preempthint-lab/mok.pub\n' >"$lab_conf"
	log=$(mktemp)
	check "make dkms-install without a usable MOK key succeeds" dkms_install "$log"
	grep -E "won't be signed|not found" "$log" | sed 's/^/#   dkms: /'
	check "... dkms says the module won't be signed" grep -q "won't be signed" "$log"
	ko=$(installed_ko)
	check "... it installed $upd/preempthint.ko (${ko:-none})" [ -n "$ko" ]
	check "... with no signature appended" not signed "$ko"
	check "... and modinfo shows no signer" [ -z "$(modinfo -F signer "$ko" 2>/dev/null)" ]
	check "make dkms-remove succeeds" quiet make -s -C "$top" dkms-remove
	check "... and leaves no trace (dkms status, /usr/src, updates/dkms, modules.dep)" gone
	rm -f "$lab_conf"

	# 2. The documented path: 'dkms generate_mok', then install.
	rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	quiet dkms generate_mok
	check "dkms generate_mok makes /var/lib/dkms/mok.key and mok.pub" \
		all '[ -s /var/lib/dkms/mok.key ]' '[ -s /var/lib/dkms/mok.pub ]'
	check "make dkms-install with the MOK key succeeds" dkms_install "$log"
	sed -n 's/^\(Sign command\|Signing key\|Public certificate\|Signing module\|Installing\).*/#   dkms: &/p' "$log"
	check "dkms status says installed for $rel" \
		grep -q "preempthint/$ver, $rel, .*: installed" <(dkms status -m preempthint -v "$ver")
	ko=$(installed_ko)
	check "modprobe's index resolves preempthint to ${ko:-(nothing)}" \
		all '[ -n "$ko" ]' '[ "$(modinfo -k "$rel" -n preempthint)" = "$ko" ]'
	check "the module's vermagic is $rel" grep -q "^$rel " <(modinfo -F vermagic "$ko")
	check "'$magic' ends the module" signed "$ko"
	cn=$(openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -subject -nameopt multiline |
		sed -n 's/^ *commonName *= *//p')
	serial=$(openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -serial | sed 's/^serial=//')
	signer=$(modinfo -F signer "$ko") key=$(modinfo -F sig_key "$ko" | tr -d ':')
	diag "signer '$signer', sig_key $key, sig_hashalgo $(modinfo -F sig_hashalgo "$ko"); mok.pub CN '$cn', serial $serial"
	check "modinfo: signer is the MOK certificate's CN" all '[ -n "$signer" ]' '[ "$signer" = "$cn" ]'
	check "modinfo: sig_key is the MOK certificate's serial" \
		all '[ -n "$key" ]' '[ "${key^^}" = "${serial^^}" ]'

	# The PKCS#7 signature itself, checked with openssl against mok.pub.
	work=$(mktemp -d)
	ko_bytes "$ko" >"$work/ko"
	python3 - "$work" <<'PY'
import struct, sys
d = open(sys.argv[1] + "/ko", "rb").read()
magic = b"~Module signature appended~\n"
assert d.endswith(magic)
info = d[-len(magic) - 12:-len(magic)]	# struct module_signature
sig_len = struct.unpack(">I", info[8:12])[0]
end = len(d) - len(magic) - 12
open(sys.argv[1] + "/body", "wb").write(d[:end - sig_len])
open(sys.argv[1] + "/sig", "wb").write(d[end - sig_len:end])
PY
	openssl x509 -inform DER -in /var/lib/dkms/mok.pub -out "$work/mok.pem"
	openssl req -new -x509 -nodes -days 1 -subj "/CN=not the MOK" -newkey rsa:2048 \
		-keyout "$work/other.key" -out "$work/other.pem" >/dev/null 2>&1
	verify() { openssl cms -verify -binary -inform DER -in "$work/sig" -content "$work/body" \
		-certfile "$1" -nointern -noverify -out /dev/null >/dev/null 2>&1; }
	check "the signature verifies against /var/lib/dkms/mok.pub (openssl cms)" verify "$work/mok.pem"
	check "... and not against another certificate" not verify "$work/other.pem"
	rm -rf "$work" "$log"
	;;
remove)
	check "make dkms-remove succeeds" quiet make -s -C "$top" dkms-remove
	check "... and leaves no trace (dkms status, /usr/src, updates/dkms, modules.dep)" gone
	# The lab's key goes too: the next run starts from 'dkms generate_mok' again.
	rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	;;
*)
	echo "usage: $0 install|remove RELEASE" >&2
	exit 64
	;;
esac
