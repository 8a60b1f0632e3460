#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the module, the CLI and the lab's test programs for $LAB_ARCH inside
# the chroot (the kernel headers need gcc-14 and trixie's glibc; arm64 is a
# cross build), from a fresh copy of the work tree at /build/$LAB_ARCH of the
# guest's root (/build/$LAB_ARCH-debug for the debug kernel; lab_tree): the
# guest finds them there too. tests/lab/wrong-arg/preempthint.ko is the module
# built to read the wrong argument of a hooked function: it must refuse to
# load (tests/guest/t/20-refuse.sh).
#
# usage: tests/lab/build.sh [RELEASE]     (default: newest headers)

. "$(dirname "$0")/lib.sh"

release=${1:-$(lab_newest_kernel)}
kdir=/usr/src/linux-headers-$release
[ -d "$LAB_CHROOT$kdir" ] || lab_die "no headers for $release in the chroot"

build=$LAB_ROOTFS_IN$(lab_tree "$release")
dest=$LAB_CHROOT$build
rm -rf "$dest"
mkdir -p "$dest"
tar -C "$LAB_TOP" --exclude=./.cache --exclude=./.git -cf - . | tar -C "$dest" -xf -

log=$LAB_CACHE/build-$LAB_ARCH.log
lab_log "building for $release (log: $log)"
# The copy may hold objects built on the host for another arch: clean first.
if ! lab_chroot "$LAB_CHROOT" env "${LAB_CROSS[@]}" sh -ec "
	make -C $build KDIR=$kdir clean
	make -C $build/tests/guest/progs clean
	make -C $build KDIR=$kdir all
	make -C $kdir M=$build/tests/lab/warn-module modules
	make -C $kdir M=$build/tests/guest/failalloc modules
	make -C $kdir M=$build/tests/lab/debug-module modules
	rm -rf $build/tests/lab/wrong-arg && mkdir -p $build/tests/lab/wrong-arg
	cp -r $build/Kbuild $build/kmod $build/include $build/tests/lab/wrong-arg/
	make -C $kdir M=$build/tests/lab/wrong-arg KCFLAGS=-DPH_SELFTEST_WRONG_ARG modules
	make -C $build/tests/guest/progs
" >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	lab_die "build failed; see $log"
fi
