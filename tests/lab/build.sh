#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the module, the CLI and the lab's test programs inside the chroot
# (the kernel headers need gcc-14 and trixie's glibc), from a fresh copy of
# the work tree at /build/$LAB_ARCH: the guest finds them there too.
#
# usage: tests/lab/build.sh [RELEASE]     (default: newest headers)

. "$(dirname "$0")/lib.sh"

release=${1:-$(lab_newest_kernel)}
kdir=/usr/src/linux-headers-$release
[ -d "$LAB_CHROOT$kdir" ] || lab_die "no headers for $release in the chroot"

dest=$LAB_CHROOT/build/$LAB_ARCH
rm -rf "$dest"
mkdir -p "$dest"
tar -C "$LAB_TOP" --exclude=./.cache --exclude=./.git -cf - . | tar -C "$dest" -xf -

log=$LAB_CACHE/build-$LAB_ARCH.log
lab_log "building for $release (log: $log)"
if ! lab_chroot "$LAB_CHROOT" sh -ec "
	make -C /build/$LAB_ARCH KDIR=$kdir all
	make -C $kdir M=/build/$LAB_ARCH/tests/lab/warn-module modules
	make -C /build/$LAB_ARCH/tests/guest/progs
" >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	lab_die "build failed; see $log"
fi
