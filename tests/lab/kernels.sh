#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check-kernels`: the module, the CLI and DKMS against Debian's 7.x
# kernel matrix, resolved from the mirror at run time (never a hard-coded
# version): for each arch (amd64, arm64) and flavour (generic, cloud, rt),
# the newest release of each 7.x line whose headers trixie-backports, sid or
# experimental serve (the highest package version wins a line; on a tie the
# suite listed first). Per kernel:
#   prepare  its headers in a chroot of its suite (trixie-backports: the
#            lab's trixie chroot; sid and experimental: a sid chroot, whose
#            gcc those headers need), its image and modules unpacked into the
#            guest's root, the module (in that chroot) and the CLI and test
#            programs (in the trixie chroot: the guest's userspace) built in
#            a tree of its own, /build/kernels/RELEASE of the guest's root,
#            and a DKMS build against it (in a throwaway DKMS tree: no DKMS
#            state is left behind).
#   boot     a guest of that kernel running a smoke of the guest suite (cloud
#            kernels have no 9p: they boot from a disk image, vm.sh --root
#            blk), its kernel log checked, and the lock-holder preemptions
#            of test 40 disabled -> enabled recorded.
# rt kernels must be refused, naming PREEMPT_RT, by the build and by DKMS
# (refused as expected is a pass, a build a failure); they are not booted.
#
# usage: tests/lab/kernels.sh [all]      every kernel, one after another: TAP,
#                                        the table (also $LAB_CACHE/kernels/table.md),
#                                        "N passed, N failed"; non-zero on failure
#        tests/lab/kernels.sh list       the matrix, one "RELEASE ARCH FLAVOUR SUITE"
#                                        line per kernel (FLAVOUR: generic, cloud, rt)
#        tests/lab/kernels.sh prepare RELEASE ARCH       (TAP)
#        tests/lab/kernels.sh boot RELEASE ARCH OUTDIR   after its prepare (TAP)
#        tests/lab/kernels.sh table      the table of each kernel's last prepare and boot
#
# prepare and boot are jobs for another driver too (tests/lab/check.sh's
# pool): a boot needs its kernel's prepare, nothing else; prepares may run
# side by side (each chroot's setup and apt are serialized with flock).
# Nothing here touches /build/amd64 or /build/arm64 of the other suites.
#
# Environment: LAB_KERNELS=full (default: tests 00, 10, 40, 42 and 80 of
# tests/guest/t) or smoke (00, 10 and 40: the shortest, for CI);
# LAB_KERNELS_TESTS (comma-separated test paths, to override either);
# LAB_KERNELS_ONLY (an extended regex: only the matrix lines it matches,
# e.g. "amd64" or "cloud"); LAB_VM_TIMEOUT, LAB_TEST_TIMEOUT (vm.sh;
# defaults depend on LAB_KERNELS).

case ${1:-all} in
prepare | boot) export LAB_ARCH=${3:-amd64} ;;
esac
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
kdir=$LAB_CACHE/kernels
mkdir -p "$kdir/logs" "$kdir/results"
klog=$kdir/logs/apt.log
SUITES=(trixie-backports sid experimental)
SID_CHROOT=$LAB_CACHE/sid-amd64
LAB_KERNELS=${LAB_KERNELS:-full}

# ---- TAP ----
. "$here/tap.sh"
tail_log() { tail -n "${2:-25}" "$1" | sed 's/^/#   /'; }

# locked NAME COMMAND...: COMMAND alone among the jobs that lock NAME.
locked() {
	local lock=$kdir/$1.lock
	shift
	(
		flock 9
		"$@"
	) 9>"$lock"
}

# ---- the matrix ----
# The three suites' package lists, kept apart from the chroot's own apt
# state (kernel.sh keeps bookworm's the same way). sid's and experimental's
# Release files may be past their Valid-Until on a mirror snapshot.
KAPT=(-o Dir::Etc::SourceList=/etc/apt/lab-kernels.list -o Dir::Etc::SourceParts=/nonexistent
	-o Dir::State::Lists=/var/lib/apt/lists-kernels -o Acquire::Check-Valid-Until=false
	-o Acquire::Languages=none)
lists_dir=$LAB_CHROOT/var/lib/apt/lists-kernels

lists_update() {
	local s
	mkdir -p "$lists_dir/partial"
	for s in "${SUITES[@]}"; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(lab_mirror) $s main"
	done >"$LAB_CHROOT/etc/apt/lab-kernels.list"
	lab_chroot "$LAB_CHROOT" apt-get -q "${KAPT[@]}" update >>"$klog" 2>&1 ||
		lab_die "apt-get update of ${SUITES[*]} failed; see $klog"
}

# The lab chroot (for its apt) and, once, the lists.
lists_ready() {
	locked trixie-chroot env LAB_ARCH=amd64 "$here/chroot.sh" >>"$kdir/logs/chroot.log" 2>&1 ||
		lab_die "tests/lab/chroot.sh failed; see $kdir/logs/chroot.log"
	if [ "${1:-}" = update ] || ! ls "$lists_dir"/*_Packages >/dev/null 2>&1; then
		locked lists lists_update || exit 1
	fi
}

# "SUITE ARCH RELEASE VERSION" for every 7.x header package of the suites.
headers_index() {
	local s a f
	for s in "${SUITES[@]}"; do
		for a in amd64 arm64; do
			for f in "$lists_dir"/*_dists_"${s}"_main_binary-"${a}"_Packages; do
				[ -f "$f" ] || continue
				awk -v s="$s" -v a="$a" '
					/^Package: / { p = $2 }
					/^Version: / { v = $2 }
					/^$/ { if (p ~ /^linux-headers-7\./) print s, a, substr(p, 15), v; p = "" }
					END { if (p ~ /^linux-headers-7\./) print s, a, substr(p, 15), v }' "$f"
			done
		done
	done
}

# flavour_of RELEASE ARCH: generic, cloud or rt; fails for anything else
# (-common, arm64-16k, another arch).
flavour_of() {
	[[ $1 =~ ^7\.[0-9]+[^-]*-((cloud|rt)-)?$2$ ]] || return 1
	echo "${BASH_REMATCH[2]:-generic}"
}

# The matrix: "RELEASE ARCH FLAVOUR SUITE", by line, arch and flavour.
matrix() {
	local suite arch rel ver flavour key
	declare -A b_rel=() b_ver=() b_suite=()
	while read -r suite arch rel ver; do
		flavour=$(flavour_of "$rel" "$arch") || continue
		[[ $rel =~ ^(7\.[0-9]+) ]] || continue
		key="${BASH_REMATCH[1]} $arch $flavour"
		if [ -z "${b_ver[$key]:-}" ] || dpkg --compare-versions "$ver" gt "${b_ver[$key]}"; then
			b_rel[$key]=$rel b_ver[$key]=$ver b_suite[$key]=$suite
		fi
	done < <(headers_index)
	for key in "${!b_rel[@]}"; do
		set -- $key
		echo "$1 $2 $(case $3 in generic) echo 1 ;; cloud) echo 2 ;; *) echo 3 ;; esac) ${b_rel[$key]} $2 $3 ${b_suite[$key]}"
	done | sort -k1,1V -k2,2 -k3,3n | cut -d' ' -f4- | grep -E -- "${LAB_KERNELS_ONLY:-.}" || true
}

# suite_of RELEASE ARCH: the suite whose headers of RELEASE have the highest
# version (the first listed on a tie).
suite_of() {
	local suite arch rel ver best="" best_ver=""
	while read -r suite arch rel ver; do
		[ "$rel" = "$1" ] && [ "$arch" = "$2" ] || continue
		if [ -z "$best" ] || dpkg --compare-versions "$ver" gt "$best_ver"; then
			best=$suite best_ver=$ver
		fi
	done < <(headers_index)
	[ -n "$best" ] && echo "$best"
}

# ---- chroots ----
# sid's kernels want sid's gcc (7.2.13+deb14: gcc-16), and trixie cannot
# run sid's kbuild tools: a chroot of its own, for experimental's too.
SID_PACKAGES=(make libc6-dev kmod dkms openssl)
sid_chroot() {
	local stamp=$SID_CHROOT/.lab-stamp want mirror
	want=$(printf '%s\n' sid "${SID_PACKAGES[@]}" | sha256sum | cut -c1-16)
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
	command -v debootstrap >/dev/null || lab_die "debootstrap is missing (apt-get install debootstrap)"
	mirror=$(lab_mirror)
	if [ ! -x "$SID_CHROOT/usr/bin/apt-get" ]; then
		if [ -e "$SID_CHROOT" ]; then
			if findmnt -rn -o TARGET | grep -q "^$SID_CHROOT/"; then
				lab_die "$SID_CHROOT has mounts below it; unmount them first"
			fi
			rm -rf "$SID_CHROOT"
		fi
		rm -rf "$SID_CHROOT.tmp"
		lab_log "debootstrap sid into $SID_CHROOT (about 35 s)"
		debootstrap --variant=minbase --arch=amd64 sid "$SID_CHROOT.tmp" "$mirror" \
			>"$kdir/logs/debootstrap-sid.log" 2>&1 ||
			lab_die "debootstrap sid failed; see $kdir/logs/debootstrap-sid.log"
		mv "$SID_CHROOT.tmp" "$SID_CHROOT"
	fi
	cat >"$SID_CHROOT/etc/apt/sources.list.d/lab.sources" <<-EOF
	Types: deb
	URIs: $mirror
	Suites: sid experimental
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	rm -f "$SID_CHROOT/etc/apt/sources.list"
	echo 'Acquire::Check-Valid-Until "false";' >"$SID_CHROOT/etc/apt/apt.conf.d/99lab"
	lab_chroot "$SID_CHROOT" dpkg --add-architecture arm64
	lab_chroot "$SID_CHROOT" apt-get -q update >>"$klog" 2>&1 ||
		lab_die "apt-get update in the sid chroot failed; see $klog"
	lab_chroot "$SID_CHROOT" apt-get -q -y --no-install-recommends install "${SID_PACKAGES[@]}" \
		>>"$klog" 2>&1 || lab_die "apt-get install in the sid chroot failed; see $klog"
	mkdir -p "$SID_CHROOT/build"
	echo "$want" >"$stamp"
}

# chroot_of SUITE: the build chroot of a suite's kernels (made if need be).
chroot_of() {
	case $1 in
	trixie-backports) echo "$LAB_CHROOT" ;;
	sid | experimental)
		locked sid-chroot sid_chroot || return 1
		echo "$SID_CHROOT"
		;;
	*) lab_die "no build chroot for suite $1" ;;
	esac
}

# install_headers CHROOT SUITE RELEASE: linux-headers-RELEASE for $LAB_ARCH
# (and what it needs: its gcc, kbuild), from SUITE; an update if apt does
# not know it yet.
install_headers() {
	local root=$1 suite=$2 rel=$3 pkg=linux-headers-$3:$LAB_ARCH target=()
	[ "$(lab_chroot "$root" dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] &&
		return 0
	[ "$suite" = sid ] || target=(-t "$suite")
	local get=(apt-get -q -y --no-install-recommends -o DPkg::Lock::Timeout=600 "${target[@]}" install "$pkg")
	lab_chroot "$root" "${get[@]}" >>"$klog" 2>&1 && return 0
	lab_chroot "$root" apt-get -q -o DPkg::Lock::Timeout=600 update >>"$klog" 2>&1 &&
		lab_chroot "$root" "${get[@]}" >>"$klog" 2>&1
}

# fetch_kernel RELEASE: its image, modules and base (config, System.map)
# unpacked into the guest's root, never installed, and depmod (as kernel.sh
# does for the lab's own kernels).
fetch_kernel() {
	local rel=$1 q=":$LAB_ARCH" mods=$LAB_ROOTFS/usr/lib/modules/$1 pkgs p deb
	local dl=/var/cache/lab-kernels-matrix/$rel
	[ -f "$mods/modules.dep" ] && [ -f "$mods/vmlinuz" ] && return 0
	pkgs=$(lab_chroot "$LAB_CHROOT" apt-cache "${KAPT[@]}" depends "linux-image-$rel$q" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-\(binary\|modules\|base\)-$rel\)\(:$LAB_ARCH\)\?\$/\1$q/p" || true)
	[ -n "$pkgs" ] || pkgs="linux-image-$rel$q"
	rm -rf "$LAB_CHROOT$dl"
	mkdir -p "$LAB_CHROOT$dl"
	# shellcheck disable=SC2086
	lab_chroot "$LAB_CHROOT" sh -c 'cd "$0" && exec apt-get -q "$@"' "$dl" \
		"${KAPT[@]}" download $pkgs >>"$klog" 2>&1 || { echo "cannot download $(echo $pkgs); see $klog"; return 1; }
	for p in $pkgs; do
		deb=$(ls "$LAB_CHROOT$dl/${p%:*}_"*"_$LAB_ARCH.deb" | head -n1)
		# Keep the root's merged-/usr symlinks (/lib -> usr/lib) intact.
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$LAB_ROOTFS" --keep-directory-symlink || return 1
	done
	rm -rf "$LAB_CHROOT$dl"
	[ -f "$mods/vmlinuz" ] || { echo "no vmlinuz in $(echo $pkgs)"; return 1; }
	lab_chroot "$LAB_CHROOT" depmod ${LAB_ROOTFS_IN:+-b "$LAB_ROOTFS_IN"} "$rel"
}

# ---- prepare ----
# One kernel per run of prepare or boot: these name it for the steps.
rel="" label="" flavour="" started=0

# The trees: the guest runs /build/kernels/RELEASE of its root (gtree, as
# the trixie chroot sees it), with the CLI and test programs built in the
# trixie chroot; the module is built in the headers' chroot (root), in that
# same tree when the two chroots are one, else in a copy there (mtree),
# and brought over.
root="" gtree="" mtree=""
copy_tree() {	# copy_tree DIR: a fresh copy of the work tree
	rm -rf "$1"
	mkdir -p "$1"
	tar -C "$LAB_TOP" --exclude=./.cache --exclude=./.git -cf - . | tar -C "$1" -xf -
}

prep_headers() {	# prep_headers SUITE: sets root
	local t0=$(date +%s) rc
	root=$(chroot_of "$1") && locked "apt-$(basename "$root")" install_headers "$root" "$1" "$rel"
	rc=$?
	echo "# headers: $(($(date +%s) - t0)) s"
	if [ $rc = 0 ]; then
		emit ok "${label}headers from $1 installed in the $(basename "$root") chroot"
	else
		emit not-ok "${label}headers from $1 installed in the $(basename "${root:-?}") chroot"
		tail_log "$klog"
	fi
	return $rc
}

prep_kernel() {
	local t0=$(date +%s) out
	if out=$(locked "fetch-$rel" fetch_kernel "$rel" 2>&1); then
		emit ok "${label}kernel image and modules fetched into the $LAB_ARCH guest root"
	else
		emit not-ok "${label}kernel image and modules fetched into the $LAB_ARCH guest root"
		sed 's/^/#   /' <<<"$out"
	fi
	echo "# kernel: $(($(date +%s) - t0)) s"
}

prep_trees() {
	local tree=/build/kernels/$rel
	gtree=$LAB_ROOTFS_IN$tree
	copy_tree "$LAB_CHROOT$gtree"
	if [ "$root" = "$LAB_CHROOT" ]; then
		mtree=$gtree
	else
		mtree=$tree
		copy_tree "$root$mtree"
	fi
}

# build_module: the module against the headers; on rt the build must stop,
# naming PREEMPT_RT (Kbuild).
build_module() {
	local t0=$(date +%s) kd=/usr/src/linux-headers-$rel log=$kdir/logs/$rel-module.log rc vm
	lab_chroot "$root" env "${LAB_CROSS[@]}" sh -ec "
		make -C $kd M=$mtree clean
		make -C $mtree KDIR=$kd module
	" >"$log" 2>&1
	rc=$?
	echo "# module build: $(($(date +%s) - t0)) s, exit $rc (log: $log)"
	if [ "$flavour" = rt ]; then
		if [ $rc != 0 ] && grep -q PREEMPT_RT "$log"; then
			grep -m1 PREEMPT_RT "$log" | sed 's/^/#   /'
			emit ok "${label}module build refused, naming PREEMPT_RT (as expected)"
		elif [ $rc = 0 ]; then
			emit not-ok "${label}module build refused, naming PREEMPT_RT (it built)"
		else
			tail_log "$log"
			emit not-ok "${label}module build refused, naming PREEMPT_RT (it failed without naming it)"
		fi
		return
	fi
	[ -f "$root$mtree/preempthint.ko" ] &&
		vm=$(lab_chroot "$root" modinfo -F vermagic "$mtree/preempthint.ko" 2>/dev/null)
	if [ $rc = 0 ] && [ "${vm%% *}" = "$rel" ]; then
		[ "$root" = "$LAB_CHROOT" ] || cp "$root$mtree/preempthint.ko" "$LAB_CHROOT$gtree/"
		emit ok "${label}module builds (vermagic $rel)"
	else
		tail_log "$log"
		emit not-ok "${label}module builds (exit $rc, vermagic '${vm%% *}')"
	fi
}

build_user() {	# the CLI and the test programs, for the guest's userspace
	local t0=$(date +%s) log=$kdir/logs/$rel-user.log
	if lab_chroot "$LAB_CHROOT" env "${LAB_CROSS[@]}" sh -ec "
		make -C $gtree/user clean
		make -C $gtree/tests/guest/progs clean
		make -C $gtree user
		make -C $gtree/tests/guest/progs
	" >"$log" 2>&1; then
		emit ok "${label}CLI and test programs build for $LAB_ARCH"
	else
		tail_log "$log"
		emit not-ok "${label}CLI and test programs build for $LAB_ARCH"
	fi
	echo "# CLI and test programs: $(($(date +%s) - t0)) s"
}

# The DKMS build, in the headers' chroot: the files `make dkms-install`
# installs (DKMS_FILES), dkms add, dkms build -k RELEASE, in a DKMS tree on a
# tmpfs that goes with the chroot's mount namespace, the sources in its
# private /tmp: nothing stays in /var/lib/dkms or /usr/src, and a DKMS
# install another suite runs in the same chroot sees none of it.
dkms_in_chroot() {	# dkms_in_chroot TREE RELEASE DKMS_ARCH (runs inside)
	lab_chroot "$root" env "${LAB_CROSS[@]}" sh -ec '
		tree=$1 rel=$2 arch=$3
		ver=$(make -s -C "$tree" version)
		files=$(make -s -C "$tree" --eval "lab-dkms-files: ; @echo \$(DKMS_FILES)" lab-dkms-files)
		mkdir -p /var/lib/dkms
		mount -t tmpfs dkms /var/lib/dkms
		mkdir -p "/tmp/dkms-src/preempthint-$ver"
		(cd "$tree" && tar -cf - $files) | tar -C "/tmp/dkms-src/preempthint-$ver" -xf -
		dkms add -m preempthint -v "$ver" --sourcetree /tmp/dkms-src
		rc=0
		dkms build -m preempthint -v "$ver" -k "$rel" -a "$arch" --sourcetree /tmp/dkms-src || rc=$?
		for f in /var/lib/dkms/preempthint/"$ver"/"$rel"/*/log/make.log; do
			[ -f "$f" ] && { echo "---- $f"; cat "$f"; }
		done
		for ko in /var/lib/dkms/preempthint/"$ver"/"$rel"/*/module/preempthint.ko*; do
			[ -f "$ko" ] && echo "lab-dkms-built: $ko vermagic=$(modinfo -F vermagic "$ko" | cut -d" " -f1)"
		done
		exit $rc
	' lab-dkms "$@"
}

build_dkms() {
	local t0=$(date +%s) log=$kdir/logs/$rel-dkms.log rc built arch=x86_64
	[ "$LAB_ARCH" = arm64 ] && arch=aarch64
	dkms_in_chroot "$mtree" "$rel" "$arch" >"$log" 2>&1
	rc=$?
	echo "# DKMS build: $(($(date +%s) - t0)) s, exit $rc (log: $log)"
	built=$(sed -n 's/^lab-dkms-built: .* vermagic=//p' "$log")
	if [ "$flavour" = rt ]; then
		# DKMS skips the kernel by dkms.conf's BUILD_EXCLUSIVE_CONFIG
		# (!CONFIG_PREEMPT_RT) before make could name it.
		if [ $rc != 0 ] && [ -z "$built" ] && { grep -q PREEMPT_RT "$log" ||
			{ grep -q BUILD_EXCLUSIVE "$log" && grep -q '!CONFIG_PREEMPT_RT' "$root$mtree/dkms.conf"; }; }; then
			grep -m1 -E 'PREEMPT_RT|BUILD_EXCLUSIVE' "$log" | sed 's/^/#   /'
			emit ok "${label}DKMS build refused for PREEMPT_RT (as expected)"
		else
			tail_log "$log"
			emit not-ok "${label}DKMS build refused for PREEMPT_RT (exit $rc${built:+, it built})"
		fi
	elif [ $rc = 0 ] && [ "$built" = "$rel" ]; then
		emit ok "${label}DKMS builds the module (dkms build -k $rel)"
	else
		tail_log "$log"
		emit not-ok "${label}DKMS builds the module (dkms build -k $rel: exit $rc)"
	fi
}

prepare() {
	local suite
	rm -f "$kdir/results/$rel.prepare" "$kdir/results/$rel.boot"
	lists_ready
	# The arm64 guest root (tests/lab/rootfs.sh) too.
	if ! locked trixie-chroot "$here/chroot.sh" >>"$kdir/logs/chroot.log" 2>&1; then
		emit not-ok "${label}the lab chroot and the $LAB_ARCH guest root are ready"
		tail_log "$kdir/logs/chroot.log"
		return
	fi
	if ! suite=$(suite_of "$rel" "$LAB_ARCH"); then
		emit not-ok "${label}the mirror serves linux-headers-$rel for $LAB_ARCH"
		return
	fi
	prep_headers "$suite" || return
	[ "$flavour" = rt ] || prep_kernel
	prep_trees
	build_module
	[ "$flavour" = rt ] || build_user
	build_dkms
	[ "$root" = "$LAB_CHROOT" ] || rm -rf "${root:?}$mtree"
}

# ---- boot ----
# The guest's tests for LAB_KERNELS, comma-separated (vm.sh's --guest-env
# splits on spaces). Test 40 keeps its usual length in the smoke: a shorter
# run on a busy host can fall under the lock-holder preemptions it needs.
guest_env() {
	local t=tests/guest/t tests
	tests="$t/00-kernel.sh,$t/10-load.sh,$t/40-holder-hog.sh"
	[ "$LAB_KERNELS" = smoke ] || tests+=",$t/42-kernel-mode.sh,$t/80-cli.sh"
	echo "LAB_TESTS=${LAB_KERNELS_TESTS:-$tests}"
}

lh=""	# test 40's lock-holder preemptions, "disabled -> enabled"
boot() {
	local out=$1 disk=9p rc bad t0=$(date +%s)
	local timeout=${LAB_VM_TIMEOUT:-900} per_test=${LAB_TEST_TIMEOUT:-300}
	rm -f "$kdir/results/$rel.boot"
	if [ "$flavour" = rt ]; then
		emit ok "${label}no guest: the module refuses PREEMPT_RT kernels # SKIP"
		return
	fi
	[ "$flavour" = cloud ] && disk=blk	# no 9p in the cloud flavour
	[ "$LAB_KERNELS" = smoke ] && timeout=${LAB_VM_TIMEOUT:-420} per_test=${LAB_TEST_TIMEOUT:-180}
	"$here/vm.sh" --kernel "$rel" --mode lazy --tree "/build/kernels/$rel" --root "$disk" \
		--out "$out" --timeout "$timeout" \
		--guest-env "$(guest_env) LAB_TEST_TIMEOUT=$per_test" 2>&1 | sed 's/^/# /'
	rc=${PIPESTATUS[0]}
	echo "# guest ($disk root): $(($(date +%s) - t0)) s, status $rc"
	[ -f "$out/tap.txt" ] && absorb "${label}guest: " <"$out/tap.txt"
	if [ "$rc" = 125 ] || [ ! -f "$out/status" ]; then
		emit not-ok "${label}guest finished its tests (it died; console tail follows)"
		[ -f "$out/console.log" ] && tail_log "$out/console.log" 30
	else
		emit ok "${label}guest finished its tests (status $rc)"
	fi
	if bad=$("$here/check-log.sh" "$out"); then
		emit ok "${label}guest kernel log has no WARN, BUG, Oops, lockdep or lockup"
	else
		emit not-ok "${label}guest kernel log has no WARN, BUG, Oops, lockdep or lockup"
		sed 's/^/#   /' <<<"$bad"
	fi
	lh=$(sed -n 's/^# lh-preemptions disabled=\([^ ]*\) enabled=\([^ ]*\).*/\1 -> \2/p' \
		"$out/tap.txt" 2>/dev/null | tail -n1)
}

# record PHASE: what the table needs of the phase that just ended.
record() {
	{
		printf 'pass=%s\nfail=%s\nsecs=%s\n' "$pass" "$fail" "$(($(date +%s) - started))"
		[ "$1" = boot ] && echo "lh=${lh:--}"
	} >"$kdir/results/$rel.$1"
}

# ---- the table ----
res() { sed -n "s/^$2=//p" "$kdir/results/$1" 2>/dev/null; }	# res FILE KEY

result_of() {	# result_of RELEASE FLAVOUR: the table's verdict
	local p=$1.prepare b=$1.boot
	if [ ! -f "$kdir/results/$p" ]; then
		echo "not run"
	elif [ "$2" = rt ]; then
		if [ "$(res "$p" fail)" = 0 ]; then echo "refused as expected"; else echo "FAIL (not refused)"; fi
	elif [ "$(res "$p" fail)" != 0 ]; then
		echo "FAIL (build)"
	elif [ ! -f "$kdir/results/$b" ]; then
		echo "not booted"
	elif [ "$(res "$b" fail)" != 0 ]; then
		echo "FAIL (guest)"
	else
		echo pass
	fi
}

table() {
	local r a f s lh
	echo "| kernel | flavour | arch | result | lock-holder preemptions off -> on |"
	echo "|---|---|---|---|---|"
	while read -r r a f s; do
		lh=$(res "$r.boot" lh)
		echo "| $r | $f | $a | $(result_of "$r" "$f") | ${lh:--} |"
	done < <(matrix)
}

timings() {
	local r a f s p b tp=0 tb=0
	echo "# seconds per kernel ($LAB_KERNELS): prepare (headers, kernel, builds, DKMS), boot (guest and checks)"
	while read -r r a f s; do
		p=$(res "$r.prepare" secs) b=$(res "$r.boot" secs)
		printf '#   %-28s %-6s prepare %4s  boot %4s\n' "$r" "$a" "${p:--}" "${b:--}"
		tp=$((tp + ${p:-0})) tb=$((tb + ${b:-0}))
	done < <(matrix)
	echo "#   total: prepare $tp s, boot $tb s"
}

# all: every kernel of the matrix, each prepare and boot a run of this
# script of its own, as another driver would run them.
all() {
	local entries entry r a f s t0=$(date +%s)
	"$here/host-deps.sh" || lab_die "host tools are missing"
	lists_ready update
	mapfile -t entries < <(matrix)
	[ ${#entries[@]} -gt 0 ] ||
		lab_die "the mirror serves no 7.x kernel headers${LAB_KERNELS_ONLY:+ matching '$LAB_KERNELS_ONLY'}"
	echo "# kernel matrix ($LAB_KERNELS): ${#entries[@]} kernels"
	printf '#   %s\n' "${entries[@]}"
	rm -f "$kdir"/results/*
	for entry in "${entries[@]}"; do
		read -r r a f s <<<"$entry"
		echo "# ---- $r ($a, $f, $s)"
		absorb "" < <("$0" prepare "$r" "$a" 2>&1)
		echo "# $r: prepare took $(res "$r.prepare" secs) s"
		[ "$f" = rt ] && continue
		absorb "" < <("$0" boot "$r" "$a" "$kdir/out/$r" 2>&1)
		echo "# $r: boot took $(res "$r.boot" secs) s"
	done
	table | tee "$kdir/table.md"
	timings
	echo "# kernel matrix time: $(($(date +%s) - t0)) s"
}

# ---- main ----
set +e
case ${1:-all} in
list)
	lists_ready update
	matrix
	;;
prepare | boot)
	[ "$1" = prepare ] && [ $# != 3 ] && lab_die "usage: $0 prepare RELEASE ARCH"
	[ "$1" = boot ] && [ $# != 4 ] && lab_die "usage: $0 boot RELEASE ARCH OUTDIR"
	rel=$2 label="[$2] " started=$(date +%s)
	flavour=$(flavour_of "$rel" "$LAB_ARCH") || flavour=other
	if [ "$1" = prepare ]; then prepare; else boot "$4"; fi
	record "$1"
	tap_summary
	;;
table)
	lists_ready
	table
	;;
all)
	all
	tap_summary
	;;
*)
	lab_die "unknown command $1 (see the header of $0)"
	;;
esac
