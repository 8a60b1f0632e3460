#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scan a guest's kernel log for signs of a kernel bug. Prints each offending
# line and exits 1 if there is one. Only kernel messages are read: the
# console's timestamped lines and the saved dmesg, so test output that merely
# mentions these words cannot trip it.
#
# usage: tests/lab/check-log.sh OUT_DIR
# LAB_LOG_MAX: how many offending lines to print at most (default 40).

out=${1:?usage: check-log.sh OUT_DIR}

bad='WARNING:|------------\[ cut here \]|BUG:|Oops|general protection fault'
bad+='|scheduling while atomic|sleeping function called from invalid context'
bad+='|possible recursive locking|possible circular locking|inconsistent lock state'
bad+='|lockdep|soft lockup|hard LOCKUP|rcu_.*detected stalls|self-detected stall'
bad+='|blocked for more than|Kernel panic|UBSAN:|KASAN:|refcount_t:|list_add corruption'
bad+='|list_del corruption|kernel BUG at|Call Trace:'
# The debug kernel's checks (tests/lab/debug-kernel.sh). Most also print
# "BUG:" or "WARNING:"; named here so that none depends on that.
bad+='|BUG: KASAN|ODEBUG:|suspicious RCU usage|DEBUG_LOCKS_WARN_ON|\*\*\* DEADLOCK'
bad+='|kmemleak: .*suspected memory leak|unreferenced object 0x'
# Not a bug yet, but the kernel telling a module it uses an API on its way out.
bad+='|enqueued on deprecated workqueue'
# Lines the patterns above match that report no bug: the debug kernel's
# boot banner.
benign='RCU lockdep checking is enabled'

{
	[ -f "$out/dmesg.txt" ] && cat "$out/dmesg.txt"
	[ -f "$out/console.log" ] && grep -E '^\[ *[0-9]+\.[0-9]+\]' "$out/console.log"
} | grep -E -- "$bad" | grep -v -E -- "$benign" | sort -u | head -n "${LAB_LOG_MAX:-40}" | grep . && exit 1
exit 0
