#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PostgreSQL 17 for the lab guests, inside the trixie chroot (= the amd64
# guests' root, which bookworm's 6.1 boots too):
#
#   - Debian's stock postgresql-17 (the "stock server", its psql and pgbench);
#   - Debian's postgresql-17 source (deb-src), patched with
#     user/postgresql/pg17-spin-hint.patch and built by
#     user/postgresql/build.sh into /opt/pg17-hint (the "patched server");
#   - pgbench data directories, made natively in the chroot once:
#     /var/lib/pglab/s<SCALE> (initdb + pgbench -i -s SCALE), which guests
#     copy into their tmpfs.
#
# Everything is cached under $LAB_CACHE (the chroot) with stamps: a warm run
# costs a second; the build runs again only when the patch, the API headers
# or the build scripts change.
#
# usage: tests/lab/pg-build.sh [--data SCALE]...   (default: --data 1)
#
# Exit status: 0 ready; 77 PostgreSQL's source cannot be fetched from the
# mirror (the guest test then skips); anything else is a failure.

. "$(dirname "$0")/lib.sh"

scales=()
while [ $# -gt 0 ]; do
	case $1 in
	--data) scales+=("${2:?--data SCALE}"); shift ;;
	*) lab_die "unknown option $1 (see the header of $0)" ;;
	esac
	shift
done
[ ${#scales[@]} -gt 0 ] || scales=(1)

[ -x "$LAB_CHROOT/usr/bin/apt-get" ] || lab_die "no chroot; run tests/lab/chroot.sh first"
C=$LAB_CHROOT
log=$LAB_CACHE/pg-build.log
prefix=/opt/pg17-hint
srcroot=/usr/src/pg17

# Fallback when the mirror's pool lags its Sources index (seen: the index
# named 17.12 while only 17.11's files were in the pool): this exact source
# package, checked against the .dsc's SHA-256, whose file list dpkg-source
# then verifies.
PG_FALLBACK_VERSION=${PG_FALLBACK_VERSION:-17.11-0+deb13u1}
PG_FALLBACK_DSC_SHA256=${PG_FALLBACK_DSC_SHA256:-bf148ae423a982707c3f60672c3a072ef62b701bd9f5df847d9f4b8c9b3e3b18}

# ---- packages: the stock server, and what the build needs ---------------
pkgs=(postgresql-17 postgresql-client-17 dpkg-dev patch bison flex perl zlib1g-dev)
pkg_stamp=$C/.lab-pg-packages
pkg_want=$(printf '%s\n' "${pkgs[@]}" | sha256sum | cut -c1-16)
if [ "$(cat "$pkg_stamp" 2>/dev/null)" != "$pkg_want" ]; then
	lab_log "installing Debian's postgresql-17 and the build tools into the chroot"
	# No main cluster, no service start: the lab makes its own clusters.
	mkdir -p "$C/etc/postgresql-common"
	echo "create_main_cluster = false" >"$C/etc/postgresql-common/createcluster.conf"
	printf '#!/bin/sh\nexit 101\n' >"$C/usr/sbin/policy-rc.d"
	chmod 755 "$C/usr/sbin/policy-rc.d"
	lab_chroot "$C" apt-get -q -y --no-install-recommends -o Dpkg::Options::=--force-confold \
		install "${pkgs[@]}" >>"$log" 2>&1 ||
		lab_die "apt-get install ${pkgs[*]} failed; see $log"
	lab_chroot "$C" apt-get clean
	echo "$pkg_want" >"$pkg_stamp"
fi

# ---- source ------------------------------------------------------------
# deb-src lists of their own, apart from the chroot's apt configuration.
src_apt=(-o Dir::Etc::SourceList=/etc/apt/lab-pgsrc.list -o Dir::Etc::SourceParts=/nonexistent
	-o Dir::State::Lists=/var/lib/apt/lists-pgsrc)
fetch_source() {	# unpack a postgresql-17 source package into $C$srcroot/src
	local mirror dir=$C$srcroot
	mirror=$(lab_mirror)
	rm -rf "$dir"
	mkdir -p "$dir" "$C/var/lib/apt/lists-pgsrc/partial"
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $LAB_SUITE main" \
		>"$C/etc/apt/lab-pgsrc.list"
	lab_chroot "$C" apt-get -q "${src_apt[@]}" update >>"$log" 2>&1 ||
		lab_die "apt-get update (deb-src) failed; see $log"
	if lab_chroot "$C" sh -c "cd $srcroot && apt-get -q $(printf '%q ' "${src_apt[@]}") \
			source --only-source postgresql-17" >>"$log" 2>&1; then
		:
	else
		lab_log "apt-get source postgresql-17 failed (see $log); trying $PG_FALLBACK_VERSION"
		local up=${PG_FALLBACK_VERSION%-*} pool=$mirror/pool/main/p/postgresql-17 f
		rm -rf "${dir:?}"/*
		for f in "postgresql-17_$PG_FALLBACK_VERSION.dsc" "postgresql-17_$up.orig.tar.bz2" \
			"postgresql-17_$PG_FALLBACK_VERSION.debian.tar.xz"; do
			lab_chroot "$C" /usr/lib/apt/apt-helper download-file "$pool/$f" "$srcroot/$f" \
				>>"$log" 2>&1 || return 77
		done
		echo "$PG_FALLBACK_DSC_SHA256  $dir/postgresql-17_$PG_FALLBACK_VERSION.dsc" |
			sha256sum -c --quiet >>"$log" 2>&1 || lab_die "checksum mismatch for the fallback .dsc"
		lab_chroot "$C" sh -c "cd $srcroot && dpkg-source --no-check -x \
			postgresql-17_$PG_FALLBACK_VERSION.dsc" >>"$log" 2>&1 ||
			lab_die "dpkg-source -x failed; see $log"
	fi
	local d
	d=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name 'postgresql-17-*' | head -n1)
	[ -n "$d" ] || lab_die "no unpacked source under $dir; see $log"
	mv "$d" "$dir/src"
}

# ---- the patched server --------------------------------------------------
inputs=("$LAB_TOP/user/postgresql/pg17-spin-hint.patch" "$LAB_TOP/user/postgresql/build.sh"
	"$LAB_TOP/user/preempthint_api.h" "$LAB_TOP/include/preempthint.h" "$0")
build_want=$(cat "${inputs[@]}" | sha256sum | cut -c1-16)
build_stamp=$C$prefix/.lab-stamp
if [ "$(cat "$build_stamp" 2>/dev/null)" != "$build_want" ] || [ ! -x "$C$prefix/bin/postgres" ]; then
	: >"$log"
	lab_log "fetching postgresql-17's source (log: $log)"
	fetch_source || { rc=$?; lab_log "PostgreSQL's source is not on the mirror (see $log)"; exit "$rc"; }
	# The build needs this repository's headers and scripts inside the chroot.
	rm -rf "$C$srcroot/hint"
	mkdir -p "$C$srcroot/hint"
	tar -C "$LAB_TOP" -cf - user/postgresql user/preempthint_api.h include/preempthint.h |
		tar -C "$C$srcroot/hint" -xf -
	lab_log "building the patched server into $prefix (2-6 min on 2 cores)"
	rm -rf "${C:?}$prefix"
	started=$(date +%s)
	lab_chroot "$C" nice -n 19 "$srcroot/hint/user/postgresql/build.sh" "$srcroot/src" "$prefix" \
		>>"$log" 2>&1 || { tail -n 20 "$log" >&2; lab_die "the PostgreSQL build failed; see $log"; }
	lab_log "built in $(($(date +%s) - started)) s: $(tail -n1 "$log")"
	# Sources and objects are not needed by the guests: keep the cache small.
	rm -rf "${C:?}$srcroot"
	rm -rf "$C/var/lib/pglab"	# data made by an older build
	echo "$build_want" >"$build_stamp"
fi

# ---- data directories ----------------------------------------------------
# initdb and pgbench -i natively in the chroot (seconds; minutes under TCG).
# The host kernel has no module, so the patched backends' registration fails
# quietly here too.
for scale in "${scales[@]}"; do
	case $scale in
	'' | *[!0-9]*) lab_die "--data needs a number, not $scale" ;;
	esac
	data=/var/lib/pglab/s$scale
	[ -f "$C$data/.lab-ready" ] && continue
	lab_log "making pgbench data, scale $scale, in $data"
	rm -rf "${C:?}$data"
	mkdir -p "$C/var/lib/pglab"
	lab_chroot "$C" sh -ec "
		mkdir -p /dev/shm && mount -t tmpfs shm /dev/shm
		chown postgres: /var/lib/pglab
		runuser -u postgres -- $prefix/bin/initdb -D $data -E SQL_ASCII --locale=C \
			--auth=trust -N >/dev/null
		runuser -u postgres -- $prefix/bin/pg_ctl -D $data -w -l /tmp/pg.log \
			-o '-c unix_socket_directories=/tmp -c listen_addresses= -c fsync=off' start >/dev/null
		runuser -u postgres -- $prefix/bin/pgbench -h /tmp -i -q -s $scale postgres
		runuser -u postgres -- $prefix/bin/psql -h /tmp -Atq -c 'CHECKPOINT' postgres
		runuser -u postgres -- $prefix/bin/pg_ctl -D $data -w -m fast stop >/dev/null
	" >>"$log" 2>&1 || lab_die "making the scale-$scale data failed; see $log"
	touch "$C$data/.lab-ready"
done
lab_log "PostgreSQL ready: $(lab_chroot "$C" $prefix/bin/postgres --version), stock $(lab_chroot "$C" /usr/lib/postgresql/17/bin/postgres --version)"
