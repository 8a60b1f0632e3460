#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The DKMS path end to end, for `make check`: in the chroot, 'make
# dkms-install' against the 7.x headers (unsigned without a usable key,
# then signed with DKMS's MOK key; tests/lab/dkms-chroot.sh), a guest that
# modprobes the DKMS-built module from updates/dkms and runs
# tests/guest/dkms/*.sh (the DKMS module, then persistence), then 'make dkms-remove'.
# Prints TAP ending with "N passed, N failed".
#
# usage: tests/lab/dkms.sh [RELEASE]     (after build.sh; default newest)

. "$(dirname "$0")/lib.sh"
set +e

release=${1:-$(lab_newest_kernel)}
here=$(dirname "$0")
. "$here/tap.sh"
in_chroot() { lab_chroot "$LAB_CHROOT" "/build/$LAB_ARCH/tests/lab/dkms-chroot.sh" "$@"; }

# A header install in this chroot (the kernel matrix's, tests/lab/kernels.sh)
# runs DKMS's autoinstall hook, which would build and install the module this
# test has added, under its feet: hold that chroot's apt lock, the one those
# installs take, from dkms add to dkms remove.
mkdir -p "$LAB_CACHE/kernels"
exec 9>"$LAB_CACHE/kernels/apt-$(basename "$LAB_CHROOT").lock"
flock 9

started=$(date +%s)
[ -d "$LAB_CHROOT/build/$LAB_ARCH/kmod" ] || lab_die "no tree at /build/$LAB_ARCH in the chroot; run tests/lab/build.sh"
# Not "| absorb": a pipeline's last part runs in a subshell and its counts would be lost.
absorb "chroot: " < <(in_chroot install "$release" 2>&1)

out=$LAB_CACHE/out/dkms-$release
"$here/vm.sh" --kernel "$release" --mode lazy --out "$out" \
	--guest-env "LAB_TESTS=tests/guest/dkms/*.sh"
rc=$?
[ -f "$out/tap.txt" ] && absorb "guest: " <"$out/tap.txt"
if [ $rc = 0 ]; then emit ok "guest: the DKMS suite passed"; else emit not-ok "guest: the DKMS suite passed (status $rc)"; fi
if bad=$("$here/check-log.sh" "$out"); then
	emit ok "guest: kernel log has no WARN, BUG, Oops, lockdep or lockup"
else
	emit not-ok "guest: kernel log has no WARN, BUG, Oops, lockdep or lockup"
	sed 's/^/#   /' <<<"$bad"
fi

# Always, even after a failure: the chroot is every later guest's root.
absorb "chroot: " < <(in_chroot remove "$release" 2>&1)
echo "# dkms step: $(($(date +%s) - started)) s"
tap_summary
