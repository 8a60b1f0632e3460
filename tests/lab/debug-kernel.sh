#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the lab's debug kernel: Debian's own source (linux-source-X.Y, the
# version of the newest trixie-backports headers in the chroot) with Debian's
# own config, plus KASAN, lockdep and the other checks listed in
# debug_options below, trimmed to what a lab guest needs so that 2 cores
# build it in about an hour. It is installed into the guest's root as
# release <Debian release>-phdebug (7.3.4+deb13-amd64-phdebug), so it never
# collides with Debian's kernel:
#   /usr/src/linux-source-X.Y                  the unpacked source
#   /usr/src/linux-headers-RELEASE             the build tree (O=): KDIR for
#                                              tests/lab/build.sh
#   /usr/lib/modules/RELEASE/{vmlinuz,config}  what tests/lab/vm.sh boots
# Prints the release. Cached: a rerun with the same source version, config
# and script is a no-op; a changed config rebuilds only what it touches.
#
# usage: tests/lab/debug-kernel.sh            (amd64 only)
# Environment: LAB_CACHE; LAB_DEBUG_JOBS (make -j, default: nproc); the
# build log is $LAB_CACHE/debug-kernel.log.

. "$(dirname "$0")/lib.sh"

[ "$LAB_ARCH" = amd64 ] || lab_die "the debug kernel is built for amd64 only (LAB_ARCH=$LAB_ARCH)"
here=$(dirname "$0")
"$here/chroot.sh" >&2 || lab_die "the lab chroot is not ready"

base=$(lab_newest_kernel)			# 7.3.4+deb13-amd64
release=$base-phdebug
upstream=${base%%[+-]*}				# 7.3.4
series=$(echo "$upstream" | cut -d. -f1,2)	# 7.3
src=/usr/src/linux-source-$series
obj=/usr/src/linux-headers-$release
moddir=/usr/lib/modules/$release
log=$LAB_CACHE/debug-kernel.log

# The modules the lab guest loads: the initramfs's 9p and overlay stack
# (virtio_pci is built in). localmodconfig drops every other module, which
# is most of Debian's build; everything Debian builds in (=y) stays. kvm is
# never loaded, but it is what selects PREEMPT_NOTIFIERS, which changes the
# scheduler's switch path: kept so that the scheduler is Debian's.
guest_modules=(netfs 9pnet 9pnet_virtio 9p overlay kvm)

# On top of Debian's config. Lockdep's tables are enlarged: Debian's big
# built-in set overflows the defaults ("BUG: MAX_LOCKDEP_ENTRIES too low!"),
# which turns lockdep off and would read as a bug in the log check.
debug_options=(
	# memory errors: out-of-bounds, use-after-free (also vmalloc'd memory,
	# which module text, data and stacks are)
	--enable KASAN --enable KASAN_GENERIC --enable KASAN_INLINE
	--enable KASAN_VMALLOC
	# locking: lockdep, and RCU usage checked by it
	--enable PROVE_LOCKING --enable PROVE_RCU
	--enable DEBUG_IRQFLAGS
	--set-val LOCKDEP_BITS 17 --set-val LOCKDEP_CHAINS_BITS 18
	--set-val LOCKDEP_STACK_TRACE_BITS 20 --set-val LOCKDEP_STACK_TRACE_HASH_BITS 16
	# atomic context: sleeping in it, preempt-count and smp_processor_id()
	# misuse
	--enable DEBUG_ATOMIC_SLEEP --enable DEBUG_PREEMPT
	# object lifetimes: hrtimers and timers, work items, RCU heads, freeing
	# memory that holds a live object
	--enable DEBUG_OBJECTS --enable DEBUG_OBJECTS_FREE --enable DEBUG_OBJECTS_TIMERS
	--enable DEBUG_OBJECTS_WORK --enable DEBUG_OBJECTS_RCU_HEAD
	--enable DEBUG_OBJECTS_PERCPU_COUNTER --set-val DEBUG_OBJECTS_ENABLE_DEFAULT 1
	# leaks: scanned on demand only (an automatic scan every 10 minutes
	# costs minutes of CPU under TCG)
	--enable DEBUG_KMEMLEAK --disable DEBUG_KMEMLEAK_DEFAULT_OFF
	--disable DEBUG_KMEMLEAK_AUTO_SCAN
	# fault injection, off until debugfs arms it
	--enable FAULT_INJECTION --enable FAILSLAB --enable FAIL_PAGE_ALLOC
	--enable FAULT_INJECTION_DEBUG_FS --enable FAULT_INJECTION_STACKTRACE_FILTER
	--enable FUNCTION_ERROR_INJECTION --enable FAIL_FUNCTION
	# Debug info stays although it costs build time: SCHED_CLASS_EXT
	# depends on BTF, which needs it. No module signing (no key to make).
	--disable MODULE_SIG --disable MODULE_SIG_ALL --set-str MODULE_SIG_KEY ""
	--set-str LOCALVERSION "${release#"$upstream"}" --disable LOCALVERSION_AUTO
	# Built-in (=y) trees a QEMU guest with a serial console and 9p never
	# uses, none of them part of the scheduler or tracing: hypervisors other
	# than KVM, platform and laptop drivers, display, USB, wireless, IPv6,
	# sensors, IOMMUs, TPM, the LSMs besides capabilities and lockdown,
	# hibernation. About a third of what is left to compile after
	# localmodconfig.
	--disable XEN --disable HYPERV --disable X86_PLATFORM_DEVICES
	--disable CHROME_PLATFORMS --disable SURFACE_PLATFORMS --disable X86_INTEL_LPSS
	--disable STAGING --disable USB_SUPPORT --disable FB --disable FRAMEBUFFER_CONSOLE
	--disable DRM --disable SOUND --disable WLAN --disable WIRELESS --disable IPV6
	--disable MPTCP --disable NETLABEL --disable TCG_TPM --disable SPI --disable PINCTRL
	--disable I2C --disable HWMON --disable THERMAL --disable WATCHDOG --disable REGULATOR
	--disable POWER_SUPPLY --disable NEW_LEDS --disable ACCESSIBILITY --disable EDAC
	--disable DMADEVICES --disable MAILBOX --disable PWM --disable AMD_IOMMU
	--disable INTEL_IOMMU --disable NVMEM --disable MISC_FILESYSTEMS --disable PSTORE
	--disable INPUT_MOUSE --disable INPUT_TOUCHSCREEN --disable INPUT_MISC
	--disable SECURITY_SELINUX --disable SECURITY_APPARMOR --disable SECURITY_TOMOYO
	--disable SECURITY_LANDLOCK --disable SECURITY_IPE --disable IMA --disable EVM
	--disable HIBERNATION --disable X86_SGX
)

# Must come out of olddefconfig exactly as Debian has them (the module
# must see the same scheduler and tracing), or as asked for.
must_have=(
	CONFIG_PREEMPT_LAZY=y CONFIG_PREEMPT_DYNAMIC=y CONFIG_HZ=250 CONFIG_HZ_250=y
	CONFIG_FPROBE=y CONFIG_KPROBES=y CONFIG_KPROBES_ON_FTRACE=y CONFIG_TRACEPOINTS=y
	CONFIG_FUNCTION_TRACER=y CONFIG_DYNAMIC_FTRACE_WITH_ARGS=y CONFIG_SCHED_CLASS_EXT=y
	CONFIG_PREEMPT_NOTIFIERS=y CONFIG_DEBUG_INFO_BTF=y CONFIG_CGROUPS=y CONFIG_VIRTIO_PCI=y CONFIG_TMPFS=y
	CONFIG_KASAN=y CONFIG_KASAN_GENERIC=y CONFIG_KASAN_INLINE=y CONFIG_KASAN_VMALLOC=y
	CONFIG_VMAP_STACK=y CONFIG_PROVE_LOCKING=y CONFIG_PROVE_RCU=y CONFIG_DEBUG_ATOMIC_SLEEP=y
	CONFIG_DEBUG_PREEMPT=y CONFIG_DEBUG_OBJECTS_TIMERS=y CONFIG_DEBUG_KMEMLEAK=y
	CONFIG_FAILSLAB=y CONFIG_FAULT_INJECTION_DEBUG_FS=y
	CONFIG_NET_9P_VIRTIO=m CONFIG_9P_FS=m CONFIG_OVERLAY_FS=m CONFIG_NETFS_SUPPORT=m
)

# What the build needs besides the chroot's gcc and make.
build_packages=(bc bison flex perl python3 libelf-dev libssl-dev cpio xz-utils zstd kmod dwarves)

# Everything that decides the result, for the cache stamp.
pkgver=$(lab_chroot "$LAB_CHROOT" dpkg-query -W -f '${Version}' "linux-headers-$base")
want=$(printf '%s\n' "$pkgver" "${guest_modules[@]}" "${debug_options[@]}" |
	cat - "$0" | sha256sum | cut -c1-16)
stamp=$LAB_CHROOT$moddir/.phdebug-stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
	[ -f "$LAB_CHROOT$moddir/vmlinuz" ] && [ -f "$LAB_CHROOT$moddir/modules.dep" ]; then
	echo "$release"
	exit 0
fi

lab_log "debug kernel $release from linux-source-$series $pkgver (log: $log)"
: >"$log"
lab_chroot "$LAB_CHROOT" apt-get -q -y --no-install-recommends -t "$LAB_SUITE-backports" \
	install "linux-source-$series=$pkgver" "${build_packages[@]}" >>"$log" 2>&1 ||
	lab_die "cannot install linux-source-$series=$pkgver; see $log"

# A source tree unpacked from another package version is replaced.
if [ "$(cat "$LAB_CHROOT$src/.phdebug-version" 2>/dev/null)" != "$pkgver" ]; then
	lab_log "unpacking linux-source-$series.tar.xz"
	rm -rf "${LAB_CHROOT:?}$src" "${LAB_CHROOT:?}$obj"
	tar -xaf "$LAB_CHROOT/usr/src/linux-source-$series.tar.xz" -C "$LAB_CHROOT/usr/src" ||
		lab_die "cannot unpack linux-source-$series.tar.xz"
	echo "$pkgver" >"$LAB_CHROOT$src/.phdebug-version"
fi

# Debian's config, then only the guest's modules, then the debug options;
# made in a scratch tree and copied over the build tree's .config only when
# it differs, so that an unchanged config rebuilds nothing.
cfg=/usr/src/linux-config-$release
rm -rf "${LAB_CHROOT:?}$cfg"
mkdir -p "$LAB_CHROOT$cfg" "$LAB_CHROOT$obj"
cp "$LAB_CHROOT/usr/src/linux-headers-$base/.config" "$LAB_CHROOT$cfg/.config"
printf '%s 0 0 - Live 0x0\n' "${guest_modules[@]}" >"$LAB_CHROOT$cfg/lsmod"
lab_log "configuring"
if ! lab_chroot "$LAB_CHROOT" sh -ec '
	src=$1 cfg=$2 obj=$3; shift 3
	yes "" | make -s -C "$src" O="$cfg" LSMOD="$cfg/lsmod" localmodconfig >/dev/null
	"$src/scripts/config" --file "$cfg/.config" "$@"
	make -s -C "$src" O="$cfg" olddefconfig
	make -s -C "$src" O="$cfg" syncconfig
	make -s -C "$src" O="$cfg" kernelrelease >"$cfg/release"
	cmp -s "$cfg/.config" "$obj/.config" || cp "$cfg/.config" "$obj/.config"
' phdebug "$src" "$cfg" "$obj" "${debug_options[@]}" >>"$log" 2>&1; then
	tail -n 20 "$log" >&2
	lab_die "configuring the debug kernel failed; see $log"
fi
got=$(cat "$LAB_CHROOT$cfg/release")
rm -rf "${LAB_CHROOT:?}$cfg"
[ "$got" = "$release" ] || lab_die "the tree builds release '$got', not $release"
missing=()
for opt in "${must_have[@]}"; do
	grep -qx -- "$opt" "$LAB_CHROOT$obj/.config" || missing+=("$opt")
done
[ ${#missing[@]} = 0 ] || lab_die "the debug config lost: ${missing[*]} (see $LAB_CHROOT$obj/.config)"

jobs=${LAB_DEBUG_JOBS:-$(nproc)}
lab_log "building (make -j$jobs at nice 19; about an hour on 2 cores)"
started=$(date +%s)
if ! lab_chroot "$LAB_CHROOT" nice -n 19 make -C "$src" O="$obj" -j"$jobs" bzImage modules \
	>>"$log" 2>&1; then
	grep -E 'error|Error' "$log" | tail -n 20 >&2
	lab_die "building the debug kernel failed; see $log"
fi
lab_log "built in $(($(date +%s) - started)) s"

# The layout of Debian's own packages, which vm.sh, initramfs.sh and the
# guest's tests read: modules, vmlinuz and config under /usr/lib/modules.
rm -rf "${LAB_CHROOT:?}$moddir"
if ! lab_chroot "$LAB_CHROOT" sh -ec '
	src=$1 obj=$2 moddir=$3
	make -s -C "$src" O="$obj" modules_install
	cp "$obj/arch/x86/boot/bzImage" "$moddir/vmlinuz"
	cp "$obj/.config" "$moddir/config"
	cp "$obj/System.map" "$moddir/System.map"
' phdebug "$src" "$obj" "$moddir" >>"$log" 2>&1; then
	tail -n 20 "$log" >&2
	lab_die "installing the debug kernel failed; see $log"
fi
[ -f "$LAB_CHROOT$moddir/modules.dep" ] || lab_die "no modules.dep for $release after installing"
echo "$want" >"$stamp"
echo "$release"
