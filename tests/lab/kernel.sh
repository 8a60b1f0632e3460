#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel (image and modules) of $LAB_ARCH into the guest's
# root (the chroot, or the arm64 root inside it), where the guest finds its
# modules, and print its release string.
#
# usage: tests/lab/kernel.sh newest      the trixie-backports kernel whose
#                                        headers the chroot has (7.x)
#        tests/lab/kernel.sh bookworm    bookworm's 6.1, the pre-regression
#                                        baseline (boots with preempt=none)
#        tests/lab/kernel.sh RELEASE     e.g. 7.3.4+deb13-amd64
#        tests/lab/kernel.sh debug       the lab's debug build of the newest
#                                        (KASAN, lockdep; tests/lab/debug-kernel.sh,
#                                        built on first use, about an hour);
#                                        also its release, *-phdebug
#
# Packages are only unpacked (dpkg-deb), never installed: no initramfs hooks.

. "$(dirname "$0")/lib.sh"

want=${1:-newest}
case $want in
debug | *-phdebug)
	release=$("$(dirname "$0")/debug-kernel.sh") || exit 1
	[ "$want" = debug ] || [ "$want" = "$release" ] ||
		lab_die "the lab builds the debug kernel $release only, not $want"
	echo "$release"
	exit 0
	;;
esac
[ -x "$LAB_CHROOT/usr/bin/apt-get" ] || lab_die "no chroot; run tests/lab/chroot.sh first"

# bookworm's lists are kept apart from the chroot's own apt configuration.
bookworm_apt=(-o Dir::Etc::SourceList=/etc/apt/lab-bookworm.list
	-o Dir::Etc::SourceParts=/nonexistent
	-o Dir::State::Lists=/var/lib/apt/lists-bookworm)

bookworm_update() {
	mkdir -p "$LAB_CHROOT/var/lib/apt/lists-bookworm/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(lab_mirror) bookworm main" \
		>"$LAB_CHROOT/etc/apt/lab-bookworm.list"
	lab_chroot "$LAB_CHROOT" apt-get -q "${bookworm_apt[@]}" update >>"$LAB_CACHE/apt.log" 2>&1 ||
		lab_die "apt-get update (bookworm) failed; see $LAB_CACHE/apt.log"
}

# Package names carry the arch so that multiarch apt picks arm64 builds too.
qual=":$LAB_ARCH"

# The linux-image-<release> package a metapackage points at.
image_of_meta() {
	lab_chroot "$LAB_CHROOT" apt-cache "$@" depends "linux-image-$LAB_ARCH$qual" |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | sort -V | tail -n1
}

apt_opts=()
case $want in
newest)
	release=$(lab_newest_kernel)
	;;
bookworm)
	bookworm_update
	apt_opts=("${bookworm_apt[@]}")
	image=$(image_of_meta "${bookworm_apt[@]}")
	[ -n "$image" ] || lab_die "cannot resolve bookworm's linux-image-$LAB_ARCH"
	release=${image#linux-image-}
	;;
*)
	release=$want
	case $release in
	6.1.*) bookworm_update; apt_opts=("${bookworm_apt[@]}") ;;
	esac
	;;
esac

modules=$LAB_ROOTFS/usr/lib/modules/$release
find_vmlinuz() {
	local f
	for f in "$modules/vmlinuz" "$LAB_ROOTFS/boot/vmlinuz-$release"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

if [ -f "$modules/modules.dep" ] && find_vmlinuz >/dev/null; then
	echo "$release"
	exit 0
fi

# Since 6.16 Debian splits the image into linux-binary-* (vmlinuz) and
# linux-modules-*; older kernels ship both in linux-image-* itself.
pkgs=$(lab_chroot "$LAB_CHROOT" apt-cache "${apt_opts[@]}" depends "linux-image-$release$qual" 2>/dev/null |
	sed -n "s/^ *Depends: \(linux-\(binary\|modules\|base\)-$release\)\(:$LAB_ARCH\)\?\$/\1$qual/p" || true)
[ -n "$pkgs" ] || pkgs="linux-image-$release$qual"

lab_log "downloading $(echo $pkgs)"
dl=/var/cache/lab-kernels
mkdir -p "$LAB_CHROOT$dl"
# shellcheck disable=SC2086
lab_chroot "$LAB_CHROOT" sh -c 'cd "$0" && exec apt-get -q "$@"' "$dl" \
	"${apt_opts[@]}" download $pkgs >>"$LAB_CACHE/apt.log" 2>&1 ||
	lab_die "cannot download $(echo $pkgs); see $LAB_CACHE/apt.log"

for p in $pkgs; do
	deb=$(ls "$LAB_CHROOT$dl/${p%:*}_"*"_$LAB_ARCH.deb" | sort -V | tail -n1)
	# Keep the root's merged-/usr symlinks (/lib -> usr/lib) intact.
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$LAB_ROOTFS" --keep-directory-symlink
done
rm -f "$LAB_CHROOT$dl"/*.deb

find_vmlinuz >/dev/null || lab_die "no vmlinuz for $release after unpacking $pkgs"
# depmod reads any arch's modules; -b points it at the guest's root.
[ -f "$modules/modules.dep" ] || lab_chroot "$LAB_CHROOT" depmod ${LAB_ROOTFS_IN:+-b "$LAB_ROOTFS_IN"} "$release"
echo "$release"
