#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unpack the root filesystem of a foreign-arch guest (arm64) inside the build
# chroot, at $LAB_ROOTFS_IN. mmdebstrap's "extract" variant resolves the
# dependencies with apt and only unpacks: no maintainer script runs, so no
# emulator is needed on the host. The few things those scripts would have
# made (the awk alternative, passwd/group) are set up here by hand.
#
# usage: LAB_ARCH=arm64 tests/lab/rootfs.sh     (run by chroot.sh)
#        tests/lab/rootfs.sh DIR                a root of $LAB_ARCH at DIR of the
#                                               chroot (the small amd64 root of
#                                               disk-image guests, LAB_MINROOT_IN)

. "$(dirname "$0")/lib.sh"

dir=${1:-$LAB_ROOTFS_IN}
[ -n "$dir" ] || exit 0	# amd64 guests boot the chroot itself
LAB_ROOTFS=$LAB_CHROOT$dir

# The guest's programs plus the essential set an extract does not pull in.
packages=("${LAB_GUEST_PACKAGES[@]}" base-files base-passwd bash coreutils dash
	diffutils findutils grep gzip hostname libc-bin mawk mount sed)

stamp=$LAB_ROOTFS/.lab-stamp
want=$(printf '%s\n' "$LAB_SUITE" "$LAB_ARCH" "${packages[@]}" | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi

lab_log "unpacking the $LAB_ARCH guest root into $LAB_ROOTFS (about 15 s)"
rm -rf "$LAB_ROOTFS"
mkdir -p "$(dirname "$LAB_ROOTFS")"
include=$(IFS=,; echo "${packages[*]}")
lab_chroot "$LAB_CHROOT" mmdebstrap --variant=extract --arch="$LAB_ARCH" \
	--include="$include" "$LAB_SUITE" "$dir" \
	"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(lab_mirror) $LAB_SUITE main" \
	>"$LAB_CACHE/rootfs-$LAB_ARCH.log" 2>&1 ||
	lab_die "mmdebstrap failed; see $LAB_CACHE/rootfs-$LAB_ARCH.log"

# What mawk's and base-passwd's postinst would have done.
ln -sf mawk "$LAB_ROOTFS/usr/bin/awk"
for f in passwd group; do
	[ -f "$LAB_ROOTFS/etc/$f" ] || cp "$LAB_ROOTFS/usr/share/base-passwd/$f.master" "$LAB_ROOTFS/etc/$f"
done
mkdir -p "$LAB_ROOTFS/build" "$LAB_ROOTFS/lab"
echo "$want" >"$stamp"
