#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make the ext4 disk image a guest boots from when 9p is not an option
# (vm.sh --root blk; Debian's cloud kernels have no 9p): the small root of
# $LAB_ARCH (LAB_MINROOT_IN, tests/lab/rootfs.sh), the modules of RELEASE and
# the build tree TREE, as the guest's root sees them. Made by mke2fs -d from
# a staging folder of hard links, in user space: nothing is mounted on the
# host. No journal: the guest mounts it read-only.
#
# usage: tests/lab/blkroot.sh RELEASE TREE IMAGE

. "$(dirname "$0")/lib.sh"

release=${1:?usage: blkroot.sh RELEASE TREE IMAGE} tree=${2:?usage: blkroot.sh RELEASE TREE IMAGE}
image=${3:?usage: blkroot.sh RELEASE TREE IMAGE}
modules=$LAB_ROOTFS/usr/lib/modules/$release
[ -f "$modules/modules.dep" ] || lab_die "no modules for $release in the guest root"
[ -d "$LAB_ROOTFS$tree" ] || lab_die "no build tree at $tree in the guest root"
command -v mke2fs >/dev/null || lab_die "mke2fs is missing (apt-get install e2fsprogs)"

"$(dirname "$0")/rootfs.sh" "$LAB_MINROOT_IN"
minroot=$LAB_CHROOT$LAB_MINROOT_IN

stage=$(mktemp -d "$LAB_CACHE/blkroot.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# Hard links (the cache is one file system): no data is copied. Other
# kernels' modules and build trees of the small root stay out.
cp -al "$minroot/." "$stage/"
rm -rf "$stage/build" "$stage/usr/lib/modules" "$stage/.lab-stamp"
mkdir -p "$stage/build" "$stage/lab" "$stage/usr/lib/modules" "$stage$(dirname "$tree")"
cp -al "$modules" "$stage/usr/lib/modules/"
cp -al "$LAB_ROOTFS$tree" "$stage$tree"

# Room for the files plus a fifth, and inodes for each of them.
mb=$(du -sm "$stage" | cut -f1)
files=$(find "$stage" | wc -l)
rm -f "$image"
truncate -s "$((mb + mb / 5 + 64))M" "$image"
mke2fs -q -F -t ext4 -O ^has_journal -b 4096 -N "$((files + 4096))" -L labroot \
	-d "$stage" "$image" || lab_die "mke2fs -d failed for $image"
