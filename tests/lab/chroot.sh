#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Create (or bring up to date) the Debian trixie chroot the lab builds in and
# that amd64 guests boot as their root filesystem: gcc-14, libnl-3 and the
# newest trixie-backports kernel headers, for amd64 and (cross) arm64. With
# LAB_ARCH=arm64 it then unpacks the arm64 guest root (tests/lab/rootfs.sh).
# Idempotent: a stamp records the package set, so a warm rerun costs a second.
#
# usage: tests/lab/chroot.sh            (LAB_ARCH=amd64 by default)

. "$(dirname "$0")/lib.sh"

# What the build and the guest suite need. Changing this list re-runs apt.
LAB_PACKAGES=(
	gcc make libc6-dev pkg-config libnl-3-dev libnl-genl-3-dev
	"${LAB_GUEST_PACKAGES[@]}"
	linux-headers-amd64
	# arm64 (Graviton) cross build and guest root
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross pkgconf:arm64
	libnl-3-dev:arm64 libnl-genl-3-dev:arm64 linux-headers-arm64:arm64
	mmdebstrap
	# the real DKMS install and its MOK signing (tests/lab/dkms.sh)
	dkms openssl
)

stamp=$LAB_CHROOT/.lab-stamp
want=$(printf '%s\n' "$LAB_SUITE" "${LAB_PACKAGES[@]}" | sha256sum | cut -c1-16)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	[ -z "$LAB_ROOTFS_IN" ] || exec "$(dirname "$0")/rootfs.sh"
	exit 0
fi

command -v debootstrap >/dev/null || lab_die "debootstrap is missing (apt-get install debootstrap)"
mirror=$(lab_mirror)

if [ ! -x "$LAB_CHROOT/usr/bin/apt-get" ]; then
	if [ -e "$LAB_CHROOT" ]; then
		# A half-made chroot from an interrupted run. Mounts only ever live
		# in private namespaces, but check before deleting anything.
		if findmnt -rn -o TARGET | grep -q "^$LAB_CHROOT/"; then
			lab_die "$LAB_CHROOT has mounts below it; unmount them first"
		fi
		rm -rf "$LAB_CHROOT"
	fi
	lab_log "debootstrap $LAB_SUITE into $LAB_CHROOT (about 30 s)"
	mkdir -p "$LAB_CACHE"
	debootstrap --variant=minbase --arch=amd64 "$LAB_SUITE" \
		"$LAB_CHROOT.tmp" "$mirror" >"$LAB_CACHE/debootstrap.log" 2>&1 ||
		lab_die "debootstrap failed; see $LAB_CACHE/debootstrap.log"
	mv "$LAB_CHROOT.tmp" "$LAB_CHROOT"
fi

cat >"$LAB_CHROOT/etc/apt/sources.list.d/lab.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $LAB_SUITE $LAB_SUITE-updates $LAB_SUITE-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
rm -f "$LAB_CHROOT/etc/apt/sources.list"

lab_chroot "$LAB_CHROOT" dpkg --add-architecture arm64

lab_log "installing ${#LAB_PACKAGES[@]} packages into the chroot"
lab_chroot "$LAB_CHROOT" apt-get -q update >"$LAB_CACHE/apt.log" 2>&1 ||
	lab_die "apt-get update failed; see $LAB_CACHE/apt.log"
lab_chroot "$LAB_CHROOT" apt-get -q -y --no-install-recommends \
	-t "$LAB_SUITE-backports" install "${LAB_PACKAGES[@]}" >>"$LAB_CACHE/apt.log" 2>&1 ||
	lab_die "apt-get install failed; see $LAB_CACHE/apt.log"
lab_chroot "$LAB_CHROOT" apt-get clean

mkdir -p "$LAB_CHROOT/build"
echo "$want" >"$stamp"
lab_log "chroot ready: $(lab_newest_kernel) headers, $(lab_chroot "$LAB_CHROOT" gcc -dumpfullversion)"
[ -z "$LAB_ROOTFS_IN" ] || exec "$(dirname "$0")/rootfs.sh"
