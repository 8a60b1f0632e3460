#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# On a kernel that lacks a hook the module needs, loading fails with a
# message naming the hook and leaves nothing behind. extra_hooks= adds a
# required function, so the refusal path runs on a kernel that has them all.
. "$(dirname "$0")/../lib.sh"

ph_unload
dmesg_mark
missing=ph_lab_no_such_function
err=$(ph_load extra_hooks=$missing 2>&1)
rc=$?
diag "$err"
check "insmod fails when a required hook is missing" [ "$rc" != 0 ]
check "insmod reports 'Operation not supported', not a misleading error" \
	grep -q "Operation not supported" <<<"$err"
check "the refusal names the missing hook" grep -q "cannot ftrace $missing" <(dmesg_since)
check "the refusal says it refuses to load" grep -q "refusing to load: 1 required hook(s) missing" <(dmesg_since)
check "nothing is left loaded after the refusal" not ph_loaded

# The same check accepts a function the kernel can trace: it is not vacuous.
check "insmod succeeds when the extra hook exists (schedule)" ph_load extra_hooks=schedule
ph_unload

# A module built to read the wrong argument of wakeup_preempt (argument 2,
# an int, instead of 1, the task: PH_SELFTEST_WRONG_ARG, tests/lab/build.sh)
# must refuse to load after checking the running kernel's BTF, and name the
# function and what differs.
wrong=$LAB_BUILD/tests/lab/wrong-arg/preempthint.ko
check "the wrong-argument build of the module exists ($wrong)" [ -f "$wrong" ]
dmesg_mark
err=$(insmod "$wrong" 2>&1)
rc=$?
diag "$err"
check "insmod of a module that reads the wrong argument fails" [ "$rc" != 0 ]
check "it fails with 'Operation not supported'" grep -q "Operation not supported" <<<"$err"
check "the refusal names the function, the argument and both types" \
	grep -q "wakeup_preempt: argument 2 is 'int' in this kernel; the hook reads 'struct task_struct \*'" \
	<(dmesg_since)
check "the refusal says why it refuses to load" \
	grep -q "refusing to load: a hooked function's prototype is not what the hook reads" <(dmesg_since)
check "nothing is left loaded after the refusal" not ph_loaded
dmesg_since | grep preempthint | sed 's/^/# /'
