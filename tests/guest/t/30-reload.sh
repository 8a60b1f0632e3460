#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load and unload in a loop: no refcount or state left behind.
. "$(dirname "$0")/../lib.sh"

ph_unload
cycles=10 good=0
for i in $(seq $cycles); do
	ph_load && rmmod preempthint && good=$((good + 1))
done
check "$cycles load/unload cycles all succeed ($good/$cycles)" [ "$good" = "$cycles" ]
check "module is not loaded at the end" not ph_loaded
