#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make lab`: prepare the lab (chroot, newest Debian 7.x kernel, build) and
# boot a guest with the module loaded; it runs a short demo and powers off.
# `make lab-shell` (--shell) leaves you at a root shell in the guest instead;
# `make bench-NAME` (--bench NAME) runs tests/guest/bench-NAME.sh there.
#
# Environment: LAB_KERNEL (newest | RELEASE), LAB_MODE (lazy | full).

. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
run=demo
case ${1:-} in
--shell) run=shell ;;
--bench) run=bench-${2:?--bench NAME} ;;
esac

"$here/host-deps.sh"
"$here/chroot.sh"
release=$("$here/kernel.sh" "${LAB_KERNEL:-newest}")
"$here/build.sh" "$release"
if [ "$run" = shell ]; then
	exec "$here/vm.sh" --kernel "$release" --mode "${LAB_MODE:-lazy}" --run shell
fi
lab_log "the guest powers itself off when done; Ctrl-C stops it early"
exec "$here/vm.sh" --kernel "$release" --mode "${LAB_MODE:-lazy}" --run "$run" --timeout 1800
