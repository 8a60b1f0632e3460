# SPDX-License-Identifier: GPL-2.0
# Helpers for guest tests (sourced). A test prints one TAP line per check:
# "ok - what" or "not ok - what"; tests/guest/run.sh numbers and counts them.

PH_KO=${PH_KO:-$LAB_BUILD/preempthint.ko}
PH_SYS=/sys/module/preempthint

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
diag() { echo "# $*"; }

# check DESCRIPTION COMMAND...: one TAP line from the command's exit status.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# not COMMAND...: succeed when the command fails (for check).
not() { ! "$@"; }

ph_version_expected() {
	sed -n 's/^#define PREEMPTHINT_VERSION "\(.*\)"/\1/p' "$LAB_BUILD/include/preempthint.h"
}

ph_loaded() { [ -d "$PH_SYS" ]; }
ph_load() { insmod "$PH_KO" "$@"; }
ph_unload() { ! ph_loaded || rmmod preempthint; }

# Kernel log lines written since the mark taken by dmesg_mark.
dmesg_mark() { DMESG_MARK=$(dmesg | wc -l); }
dmesg_since() { dmesg | tail -n +"$((DMESG_MARK + 1))"; }
