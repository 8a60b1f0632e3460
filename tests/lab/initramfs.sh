#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the small initramfs that turns the lab chroot into the guest's root:
# busybox, the 9p and overlay modules of the given kernel (with their
# dependencies, decompressed), and tests/lab/initramfs-init as /init. The
# blk variant carries virtio_blk and ext4 instead of 9p, for guests whose
# root is a disk image (vm.sh --root blk; Debian's cloud kernels have no 9p).
#
# usage: tests/lab/initramfs.sh RELEASE [9p|blk]    prints the path of the image

. "$(dirname "$0")/lib.sh"

release=${1:?usage: initramfs.sh RELEASE [9p|blk]}
root=${2:-9p}
moddir=$LAB_ROOTFS/usr/lib/modules/$release
[ -f "$moddir/modules.dep" ] || lab_die "no modules for $release; run tests/lab/kernel.sh"

case $root in
9p) out=$LAB_CACHE/initramfs-$release.cpio.gz ;;
blk) out=$LAB_CACHE/initramfs-$release-blk.cpio.gz ;;
*) lab_die "the root is 9p or blk, not $root" ;;
esac
init_src=$(dirname "$0")/initramfs-init
# Rebuilt when the modules are newer: the debug kernel (debug-kernel.sh) is
# rebuilt under the same release.
if [ -f "$out" ] && [ "$out" -nt "$init_src" ] && [ "$out" -nt "$0" ] &&
	[ "$out" -nt "$moddir/modules.dep" ]; then
	echo "$out"
	exit 0
fi

# Modules needed before the root exists, in load order (dependencies first).
wanted=(virtio_pci 9pnet_virtio 9p overlay)
[ "$root" = blk ] && wanted=(virtio_pci virtio_blk ext4 overlay)

declare -A seen=()
order=()
add_module() {
	local name=$1 path dep
	path=$(awk -F: -v m="$name" '{
		n = $1; sub(/.*\//, "", n); sub(/\.ko.*/, "", n); gsub(/-/, "_", n)
		if (n == m) { print $1; exit }
	}' "$moddir/modules.dep")
	if [ -z "$path" ]; then
		# Built into this kernel: nothing to load.
		grep -q "/${name//_/[_-]}.ko" "$moddir/modules.builtin" 2>/dev/null && return 0
		lab_die "$release has no module $name"
	fi
	[ -n "${seen[$path]:-}" ] && return 0
	seen[$path]=1
	for dep in $(grep "^$path:" "$moddir/modules.dep" | cut -d: -f2-); do
		dep=${dep##*/}
		dep=${dep%%.ko*}
		add_module "${dep//-/_}"
	done
	order+=("$path")
}
for m in "${wanted[@]}"; do
	add_module "$m"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,lower,upper,newroot,modules}
cp "$LAB_ROOTFS/usr/bin/busybox" "$work/bin/busybox"	# the guest arch's
cp "$init_src" "$work/init"
chmod 755 "$work/init"

for path in "${order[@]}"; do
	base=${path##*/}
	case $base in
	*.ko.xz) xz -dc "$moddir/$path" >"$work/modules/${base%.xz}" ;;
	*.ko.zst) zstd -qdc "$moddir/$path" >"$work/modules/${base%.zst}" ;;
	*.ko.gz) gzip -dc "$moddir/$path" >"$work/modules/${base%.gz}" ;;
	*.ko) cp "$moddir/$path" "$work/modules/$base" ;;
	esac
	echo "${base%%.ko*}.ko" >>"$work/modules/order"
done

# Guests may boot side by side (check.sh's pool): each writes its own
# temporary file, and the rename is atomic.
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.$$.tmp"
mv "$out.$$.tmp" "$out"
echo "$out"
