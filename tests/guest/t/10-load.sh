#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module loads, publishes its version, reports the live preemption model
# and unloads cleanly.
. "$(dirname "$0")/../lib.sh"

ph_unload
dmesg_mark
check "insmod preempthint.ko succeeds" ph_load
check "/sys/module/preempthint/version is $(ph_version_expected)" \
	[ "$(cat $PH_SYS/version 2>/dev/null)" = "$(ph_version_expected)" ]
if [ -n "$LAB_MODE" ]; then
	check "load message names preemption model $LAB_MODE" \
		grep -q "preempthint: version .* loaded, preemption model $LAB_MODE\$" <(dmesg_since)
fi
check "rmmod preempthint succeeds" rmmod preempthint
check "module is gone after rmmod" not ph_loaded
check "unload is logged" grep -q "preempthint: unloaded" <(dmesg_since)
