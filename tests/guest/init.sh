#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PID 1 of a lab guest (started by the initramfs with switch_root): mount the
# kernel filesystems, run the job named by lab.run= on the kernel command
# line, save the kernel log to /lab/out, power off.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=${TERM:-vt100}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup
hostname lab
ip link set lo up 2>/dev/null

LAB_RUN=suite
LAB_MODE=
LAB_ARCH=amd64
for arg in $(cat /proc/cmdline); do
	case $arg in
	lab.run=*) LAB_RUN=${arg#lab.run=} ;;
	lab.mode=*) LAB_MODE=${arg#lab.mode=} ;;
	lab.arch=*) LAB_ARCH=${arg#lab.arch=} ;;
	lab.build=*) LAB_BUILD=${arg#lab.build=} ;;
	esac
done
LAB_BUILD=${LAB_BUILD:-/build/$LAB_ARCH}
export LAB_RUN LAB_MODE LAB_ARCH LAB_BUILD
if [ -f /lab/out/guest.env ]; then
	set -a
	. /lab/out/guest.env
	set +a
fi

cd "$LAB_BUILD" || exit 1
echo "lab: $(uname -r), $(nproc) CPUs, job $LAB_RUN" >/dev/kmsg

case $LAB_RUN in
suite)
	tests/guest/run.sh 2>&1 | tee /lab/out/tap.txt
	rc=${PIPESTATUS[0]}
	;;
demo)
	tests/guest/demo.sh
	rc=$?
	;;
bench-holder)
	tests/guest/bench-holder.sh 2>&1 | tee /lab/out/bench.txt
	rc=${PIPESTATUS[0]}
	;;
bench-pg)
	BENCH_PG_OUT=/lab/out/pg-results.txt tests/guest/bench-pg.sh 2>&1 | tee /lab/out/bench.txt
	rc=${PIPESTATUS[0]}
	;;
bench-hooks)
	tests/guest/bench-hooks.sh 2>&1 | tee /lab/out/bench.txt
	rc=${PIPESTATUS[0]}
	;;
shell)
	tests/guest/demo.sh --motd
	setsid -c bash -l
	rc=0
	;;
*)
	echo "lab: unknown job $LAB_RUN"
	rc=1
	;;
esac

dmesg >/lab/out/dmesg.txt
echo "$rc" >/lab/out/status
sync
echo o >/proc/sysrq-trigger
while :; do :; done	# until the power-off lands; no sleep binary is safe to exec now
