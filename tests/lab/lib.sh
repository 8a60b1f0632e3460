# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the VM lab scripts. Sourced, not run.
#
# Everything the lab creates lives under $LAB_CACHE (default: .cache/lab in
# the repository, ignored by git). Nothing here touches the host's apt
# configuration or loads anything into the host kernel.

set -euo pipefail

LAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_CACHE=${LAB_CACHE:-$LAB_TOP/.cache/lab}
LAB_ARCH=${LAB_ARCH:-amd64}
LAB_SUITE=trixie
# The build chroot always has the host's architecture (amd64): it builds for
# every guest arch (cross compilers, each arch's headers via multiarch).
LAB_CHROOT=$LAB_CACHE/$LAB_SUITE-amd64

# Everything that differs between guest architectures, in one place.
# LAB_ROOTFS_IN is the guest's root as seen inside the build chroot: amd64
# guests boot the chroot itself; a foreign-arch root is unpacked below it, so
# the chroot's own apt, depmod and make can write there.
# LAB_MINROOT_IN is a small root of the guest's arch (tests/lab/rootfs.sh)
# for guests that boot from a disk image instead of 9p (tests/lab/blkroot.sh):
# for arm64 the guest root itself, for amd64 one of its own.
case $LAB_ARCH in
amd64)
	LAB_ROOTFS_IN=""
	LAB_MINROOT_IN=/rootfs/amd64
	LAB_QEMU=(qemu-system-x86_64 -cpu max)
	LAB_CONSOLE=ttyS0
	LAB_CROSS=()
	;;
arm64)
	LAB_ROOTFS_IN=/rootfs/arm64
	LAB_MINROOT_IN=/rootfs/arm64
	# Graviton-like: -cpu max; impdef pointer auth halves the boot time
	# under TCG (QARMA emulation is slow) and changes nothing the guest sees.
	LAB_QEMU=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on)
	LAB_CONSOLE=ttyAMA0
	LAB_CROSS=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- PKG_CONFIG=aarch64-linux-gnu-pkg-config)
	;;
*)
	printf '[lab] error: LAB_ARCH must be amd64 or arm64, not %s\n' "$LAB_ARCH" >&2
	exit 1
	;;
esac
LAB_ROOTFS=$LAB_CHROOT$LAB_ROOTFS_IN

# What the guest runs besides the build outputs (tests/guest): installed into
# the amd64 chroot by chroot.sh, unpacked for other arches by rootfs.sh.
LAB_GUEST_PACKAGES=(kmod busybox-static procps util-linux iproute2 python3-minimal
	libnl-3-200 libnl-genl-3-200)

lab_log() { printf '[lab] %s\n' "$*" >&2; }
lab_die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

# The Debian mirror the host already uses: the lab adds suites (trixie,
# trixie-backports, bookworm) of that same mirror, never another host.
lab_mirror() {
	local uri
	if [ -n "${LAB_MIRROR:-}" ]; then
		echo "$LAB_MIRROR"
		return
	fi
	uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' |
		grep -v -- '-security' | head -n1 || true)
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' \
			/etc/apt/sources.list)
	fi
	[ -n "$uri" ] || lab_die "cannot find a Debian mirror in /etc/apt; set LAB_MIRROR"
	echo "${uri%/}"
}

# Run a command inside the chroot in a private mount namespace: /proc (objtool
# and apt need it), a throwaway /dev and /tmp vanish with the namespace, so a
# crash never leaves host mounts behind under the cache folder.
lab_chroot() {
	local root=$1
	shift
	unshare --mount --propagation private -- /bin/sh -ec '
		root=$1; shift
		mount -t proc proc "$root/proc"
		mount -t tmpfs -o mode=755 dev "$root/dev"
		mknod -m 666 "$root/dev/null" c 1 3
		mknod -m 666 "$root/dev/zero" c 1 5
		mknod -m 666 "$root/dev/full" c 1 7
		mknod -m 666 "$root/dev/random" c 1 8
		mknod -m 666 "$root/dev/urandom" c 1 9
		mknod -m 666 "$root/dev/tty" c 5 0
		ln -s /proc/self/fd "$root/dev/fd"
		mount -t tmpfs tmp "$root/tmp"
		exec chroot "$root" /usr/bin/env -i \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
			DEBIAN_FRONTEND=noninteractive "$@"
	' lab-chroot "$root" "$@"
}

# Where in the guest's root the tree built for RELEASE lives: one per arch,
# and one of its own for the debug kernel (tests/lab/debug-kernel.sh), whose
# modules Debian's kernel would refuse, so that a debug run and another lab
# job can share the chroot.
lab_tree() {
	case $1 in
	*-phdebug) echo "/build/$LAB_ARCH-debug" ;;
	*) echo "/build/$LAB_ARCH" ;;
	esac
}

# Newest kernel whose headers are installed in the chroot, e.g. 7.3.4+deb13-amd64.
# The generic flavour only: the kernel matrix (tests/lab/kernels.sh) installs
# cloud and rt headers (7.3.4+deb13-rt-amd64) beside it.
lab_newest_kernel() {
	local d
	d=$(ls -d "$LAB_CHROOT"/usr/src/linux-headers-*-"$LAB_ARCH" 2>/dev/null |
		{ grep -E "/linux-headers-[0-9][^/-]*-$LAB_ARCH\$" || true; } | sort -V | tail -n1)
	[ -n "$d" ] || lab_die "no kernel headers in $LAB_CHROOT; run tests/lab/chroot.sh"
	basename "$d" | sed 's/^linux-headers-//'
}
