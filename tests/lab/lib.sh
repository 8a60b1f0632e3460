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
LAB_CHROOT=$LAB_CACHE/$LAB_SUITE-$LAB_ARCH

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

# Newest kernel whose headers are installed in the chroot, e.g. 7.3.4+deb13-amd64.
lab_newest_kernel() {
	local d
	d=$(ls -d "$LAB_CHROOT"/usr/src/linux-headers-*-"$LAB_ARCH" 2>/dev/null |
		sort -V | tail -n1)
	[ -n "$d" ] || lab_die "no kernel headers in $LAB_CHROOT; run tests/lab/chroot.sh"
	basename "$d" | sed 's/^linux-headers-//'
}
