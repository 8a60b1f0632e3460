#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest runs the kernel and preemption mode the lab asked for. The mode
# is read back, not trusted: 7.x ignores preempt=none/voluntary silently.
. "$(dirname "$0")/../lib.sh"

diag "kernel $(uname -r), $(nproc) CPUs"
check "guest has at least 2 CPUs" [ "$(nproc)" -ge 2 ]

mode_file=/sys/kernel/debug/sched/preempt
if [ -n "$LAB_MODE" ]; then
	diag "$mode_file: $(cat $mode_file 2>&1)"
	check "preemption mode reads back as ($LAB_MODE)" grep -q "($LAB_MODE)" "$mode_file"
fi
