#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A tracepoint probe whose prototype differs from the tracepoint's, as the
# kernel headers declare it, must fail the module's build: that is what keeps
# DKMS from installing a module for a kernel whose tracepoints changed. Built
# in the chroot from a copy of the build tree with PH_SELFTEST_WRONG_PROBE
# (kmod/hooks.c: ph_tp_exit without sched_process_exit's group_dead).
# Prints TAP lines.
#
# usage: tests/lab/wrong-prototype.sh RELEASE     (after build.sh)

. "$(dirname "$0")/lib.sh"
set +e

release=${1:?usage: wrong-prototype.sh RELEASE}
kdir=/usr/src/linux-headers-$release
tree=$LAB_ROOTFS_IN$(lab_tree "$release")
copy=/tmp/wrong-prototype
[ -d "$LAB_CHROOT$tree/kmod" ] || lab_die "no build tree at $tree; run tests/lab/build.sh"

# /tmp is the chroot's own throwaway tmpfs (lab_chroot): nothing is left.
out=$(lab_chroot "$LAB_CHROOT" env "${LAB_CROSS[@]}" sh -c "
	mkdir -p $copy && cp -r $tree/Kbuild $tree/kmod $tree/include $copy/ &&
	make -C $kdir M=$copy KCFLAGS=-DPH_SELFTEST_WRONG_PROBE modules" 2>&1)
rc=$?
if [ $rc != 0 ]; then
	echo "ok - a probe with the wrong prototype fails the build for $release"
else
	echo "not ok - a probe with the wrong prototype fails the build for $release"
fi
want="ph_tp_exit does not match the tracepoint sched_process_exit"
if grep -q "$want" <<<"$out"; then
	echo "ok - the build error names the probe and its tracepoint"
else
	echo "not ok - the build error names the probe and its tracepoint"
	tail -n 15 <<<"$out" | sed 's/^/# /'
fi
grep -m1 "static assertion failed" <<<"$out" | sed 's/^/# /'
