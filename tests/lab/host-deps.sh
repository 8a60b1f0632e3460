#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the host tools the lab needs, from the host's own Debian sources,
# if any is missing. Cheap when everything is there. Needs root.

. "$(dirname "$0")/lib.sh"

# command:package pairs
needs=(make:make gcc:gcc ar:binutils pkg-config:pkg-config debootstrap:debootstrap
	qemu-system-x86_64:qemu-system-x86
	qemu-system-aarch64:qemu-system-arm cpio:cpio xz:xz-utils zstd:zstd
	unshare:util-linux dpkg-deb:dpkg groff:groff-base python3:python3
	mke2fs:e2fsprogs debugfs:e2fsprogs)
missing=()
for pair in "${needs[@]}"; do
	command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
[ -f /usr/include/libnl3/netlink/genl/genl.h ] || missing+=(libnl-3-dev libnl-genl-3-dev)
# The plot of `make bench-pg` (tests/bench/pg-report.py).
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || missing+=(python3-matplotlib)
[ ${#missing[@]} = 0 ] && exit 0

[ "$(id -u)" = 0 ] || lab_die "missing host packages: ${missing[*]} (run as root, or apt-get install them)"
lab_log "installing host packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -q update >/dev/null
apt-get -q -y --no-install-recommends install "${missing[@]}" >/dev/null ||
	lab_die "apt-get install ${missing[*]} failed"
