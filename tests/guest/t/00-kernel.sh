#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest runs the kernel and preemption mode the lab asked for. The mode
# is read back, not trusted: 7.x ignores preempt=none/voluntary silently.
. "$(dirname "$0")/../lib.sh"

diag "kernel $(uname -r), $(nproc) CPUs"
check "guest has at least 2 CPUs" [ "$(nproc)" -ge 2 ]

diag "sched features: $(cat /sys/kernel/debug/sched/features 2>&1)"

mode_file=/sys/kernel/debug/sched/preempt
config=/usr/lib/modules/$(uname -r)/config
if [ -n "$LAB_MODE" ] && [ -f "$mode_file" ]; then
	diag "$mode_file: $(cat $mode_file 2>&1)"
	check "preemption mode reads back as ($LAB_MODE)" grep -q "($LAB_MODE)" "$mode_file"
elif [ -n "$LAB_MODE" ]; then
	# No PREEMPT_DYNAMIC (Debian's arm64): the model is fixed at build time
	# and preempt= is ignored, so only a kernel built for it will do.
	diag "no $mode_file: the model is fixed by the kernel's config"
	check "kernel without PREEMPT_DYNAMIC is built for $LAB_MODE preemption" \
		grep -qx "CONFIG_PREEMPT_${LAB_MODE^^}=y" "$config"
	check "and has no runtime switch (CONFIG_PREEMPT_DYNAMIC unset)" \
		grep -qx "# CONFIG_PREEMPT_DYNAMIC is not set" "$config"
fi
