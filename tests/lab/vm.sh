#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a lab guest under QEMU (TCG: KVM does not work on the lab hosts) with
# the lab chroot as its root filesystem, and run one job in it.
#
# usage: tests/lab/vm.sh --kernel RELEASE [--mode lazy|full|none]
#                        [--run suite|demo|shell|bench-holder] [--out DIR] [--timeout SEC]
#                        [--smp N] [--mem MB] [--append "ARGS"] [--guest-env "K=V ..."]
#                        [--tree PATH] [--root 9p|blk] [--accel serial|mttcg]
#
# --tree PATH   the build tree in the guest's root the guest runs from
#               (default: /build/ARCH, lab_tree in lib.sh).
# --root blk    boot from a virtio disk instead of 9p (kernels without 9p:
#               Debian's cloud flavour): an ext4 image of the small root, the
#               kernel's modules and the tree (tests/lab/blkroot.sh), and a
#               second ext4 disk for the results, copied to DIR afterwards
#               with debugfs. Both images are deleted when QEMU has exited.
#
# --accel mttcg  vCPUs that really run at once (multi-threaded TCG, QEMU
#               10 from bookworm-backports: tests/lab/qemu-mttcg.sh): races
#               between CPUs can happen. The default, serial, runs one vCPU
#               at a time (single-threaded TCG): repeatable, but no CPU
#               ever runs while another does. LAB_ACCEL sets the default.
#
# --run suite   runs tests/guest/run.sh, writes DIR/tap.txt, DIR/dmesg.txt,
#               DIR/status; exits with the suite's status (125 when the guest
#               died before it wrote one).
# --run shell   an interactive root shell on the serial console; leave it with
#               `exit` (or Ctrl-A X to kill QEMU).
# The serial console is copied to DIR/console.log in every mode.
#
# Environment (the options win): LAB_VM_MEM (MB, default 2048),
# LAB_VM_TIMEOUT (s, default 1500); LAB_QEMU_EXTRA (more QEMU options, split
# on spaces, e.g. "-icount shift=0,sleep=off"); LAB_TEST_TIMEOUT (s per guest test,
# default 600) and LAB_GUEST_ENV ("K=V ...") are handed to the guest. The
# debug kernel (tests/lab/debug-kernel.sh) wants all three raised: KASAN's
# shadow takes an eighth of the memory, and everything runs slower.

. "$(dirname "$0")/lib.sh"

release="" mode="" run=suite out="" timeout=${LAB_VM_TIMEOUT:-1500} smp=2 mem=${LAB_VM_MEM:-2048}
tree="" root=9p accel=${LAB_ACCEL:-serial}
append="" guest_env="${LAB_GUEST_ENV:-}${LAB_TEST_TIMEOUT:+ LAB_TEST_TIMEOUT=$LAB_TEST_TIMEOUT}"
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) release=$2; shift ;;
	--mode) mode=$2; shift ;;
	--run) run=$2; shift ;;
	--out) out=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--append) append=$2; shift ;;
	--guest-env) guest_env+=" $2"; shift ;;
	--tree) tree=$2; shift ;;
	--root) root=$2; shift ;;
	--accel) accel=$2; shift ;;
	*) lab_die "unknown option $1 (see the header of $0)" ;;
	esac
	shift
done
[ -n "$release" ] || lab_die "--kernel RELEASE is required"
case $mode in
"" | lazy | full | none | voluntary) ;;
*) lab_die "--mode must be lazy, full, none or voluntary" ;;
esac
case $run in
suite | demo | shell | bench-*) ;;
*) lab_die "--run must be suite, demo, shell or bench-NAME" ;;
esac
case $root in
9p | blk) ;;
*) lab_die "--root must be 9p or blk" ;;
esac

moddir=$LAB_ROOTFS/usr/lib/modules/$release
vmlinuz=$moddir/vmlinuz
[ -f "$vmlinuz" ] || vmlinuz=$LAB_ROOTFS/boot/vmlinuz-$release
[ -f "$vmlinuz" ] || lab_die "no kernel image for $release; run tests/lab/kernel.sh"
initrd=$("$(dirname "$0")/initramfs.sh" "$release" "$root")

out=${out:-$LAB_CACHE/out/$release-${mode:-default}-$run}
rm -rf "$out"
mkdir -p "$out"
# shellcheck disable=SC2086 # one K=V per word
[ -n "${guest_env// }" ] && printf '%s\n' $guest_env >"$out/guest.env"

# A log buffer big enough for the whole suite (the default 128 KiB wraps
# during the netlink storm), so that dmesg.txt holds every line.
cmdline="console=$LAB_CONSOLE loglevel=5 panic=-1 oops=panic log_buf_len=8M"
tree=${tree:-$(lab_tree "$release")}
cmdline+=" lab.init=$tree/tests/guest/init.sh lab.build=$tree lab.run=$run lab.arch=$LAB_ARCH"
[ "$root" = blk ] && cmdline+=" lab.root=blk"
[ -n "$mode" ] && cmdline+=" preempt=$mode lab.mode=$mode"
[ -n "$append" ] && cmdline+=" $append"

# Serial: the host's QEMU, single-threaded TCG. MTTCG: QEMU 10 (the host's
# 7.2 occasionally ran a stale int3 after the kernel's text patching).
case $accel in
serial) tcg=single ;;
mttcg)
	tcg=multi
	LAB_QEMU[0]="$("$(dirname "$0")/qemu-mttcg.sh")/${LAB_QEMU[0]}" ||
		lab_die "no QEMU for MTTCG"
	# The clocksource watchdog sees the emulated TSC drift against the
	# HPET and drops it; clock_gettime() then becomes a system call, whose
	# return acts on any pending request: not what a host with a vDSO
	# clock does. The TSC all vCPUs read is QEMU's one virtual clock.
	[ "$LAB_ARCH" = amd64 ] && cmdline+=" tsc=reliable"
	;;
*) lab_die "--accel must be serial or mttcg" ;;
esac
qemu=("${LAB_QEMU[@]}" -accel "tcg,thread=$tcg" -smp "$smp" -m "$mem"
	-kernel "$vmlinuz" -initrd "$initrd" -append "$cmdline"
	-no-reboot -display none -monitor none)
if [ "$root" = blk ]; then
	# The results disk starts with what DIR holds (guest.env).
	disks=$(mktemp -d "$LAB_CACHE/vm-disks.XXXXXX")
	trap 'rm -rf "$disks"' EXIT
	"$(dirname "$0")/blkroot.sh" "$release" "$tree" "$disks/root.img"
	truncate -s 256M "$disks/out.img"
	mke2fs -q -F -t ext4 -O ^has_journal -L labout -d "$out" "$disks/out.img" ||
		lab_die "mke2fs -d failed for the results disk"
	qemu+=(-drive "if=none,id=labroot,file=$disks/root.img,format=raw,readonly=on"
		-device virtio-blk-pci,drive=labroot,serial=labroot
		-drive "if=none,id=labout,file=$disks/out.img,format=raw"
		-device virtio-blk-pci,drive=labout,serial=labout)
else
	qemu+=(-virtfs "local,path=$LAB_ROOTFS,mount_tag=labroot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$out,mount_tag=labout,security_model=none,multidevs=remap")
fi
# shellcheck disable=SC2206 # split on spaces, as documented
qemu+=(${LAB_QEMU_EXTRA:-})

# blk: the guest's files, from the results disk to DIR (no mount needed).
collect() {
	[ "$root" = blk ] || return 0
	debugfs -R "rdump / $out" "$disks/out.img" >/dev/null 2>&1 ||
		lab_log "cannot read the results disk $disks/out.img"
	rm -rf "$out/lost+found"
}

if [ "$run" = shell ]; then
	lab_log "booting $release ${mode:+(preempt=$mode) }: root shell on the console; 'exit' powers off, Ctrl-A X kills QEMU"
	"${qemu[@]}" -serial mon:stdio | tee "$out/console.log"
	collect
	exit 0
fi

lab_log "booting $release ${mode:+preempt=$mode }for '$run' (console: $out/console.log)"
set +e
if [ "$run" = demo ] || [[ $run == bench-* ]]; then
	# The demo is for watching: stream the console as well as saving it.
	timeout -k 10 "$timeout" "${qemu[@]}" -serial stdio </dev/null 2>&1 | tee "$out/console.log"
	qemu_rc=${PIPESTATUS[0]}
else
	timeout -k 10 "$timeout" "${qemu[@]}" -serial stdio </dev/null >"$out/console.log" 2>&1
	qemu_rc=$?
fi
set -e
collect
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	lab_log "guest timed out after ${timeout}s"
fi
[ -f "$out/status" ] || exit 125
exit "$(cat "$out/status")"
