#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A QEMU whose TCG runs vCPUs really at once (MTTCG): 10.x from
# bookworm-backports, unpacked under the lab cache (the host's apt
# configuration and installed QEMU stay as they are). Prints the directory
# that holds qemu-system-x86_64 and qemu-system-aarch64; vm.sh --accel mttcg
# runs them from there.
#
# Why not the host's QEMU 7.2 with thread=multi: it occasionally ran a stale
# int3 after the guest kernel patched its text (ftrace, static keys).
#
# usage: tests/lab/qemu-mttcg.sh        (idempotent; needs network once)

. "$(dirname "$0")/lib.sh"

dest=$LAB_CACHE/qemu-mttcg
if [ -x "$dest/usr/bin/qemu-system-x86_64" ] && [ -x "$dest/usr/bin/qemu-system-aarch64" ]; then
	echo "$dest/usr/bin"
	exit 0
fi

state=$LAB_CACHE/qemu-mttcg.apt
rm -rf "$state" "$dest.new"
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$dest.new"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(lab_mirror) bookworm-backports main" \
	>"$state/sources.list"
apt=(-o Dir::Etc::SourceList="$state/sources.list" -o Dir::Etc::SourceParts=/nonexistent
	-o Dir::State::Lists="$state/lists" -o Dir::Cache="$state/cache"
	-o Dir::State::Status=/var/lib/dpkg/status -o Debug::NoLocking=1)
lab_log "fetching QEMU from bookworm-backports"
apt-get -q "${apt[@]}" update >"$state/apt.log" 2>&1 || lab_die "apt-get update failed ($state/apt.log)"
(cd "$state" && apt-get -q "${apt[@]}" download qemu-system-x86/bookworm-backports \
	qemu-system-arm/bookworm-backports qemu-system-data/bookworm-backports \
	qemu-system-common/bookworm-backports >>"$state/apt.log" 2>&1) ||
	lab_die "cannot download QEMU from bookworm-backports ($state/apt.log)"
for deb in "$state"/*.deb; do
	dpkg-deb -x "$deb" "$dest.new"
done
"$dest.new/usr/bin/qemu-system-x86_64" --version >/dev/null 2>>"$state/apt.log" ||
	lab_die "the unpacked QEMU does not run on this host ($state/apt.log)"
rm -rf "$dest"
mv "$dest.new" "$dest"
rm -rf "$state"
echo "$dest/usr/bin"
