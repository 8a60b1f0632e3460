#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build PostgreSQL 17 with the preempthint spinlock hint (pg17-spin-hint.patch)
# from an unpacked source tree (Debian's `apt-get source postgresql-17`, or
# upstream's tarball) and install it under PREFIX. Runs anywhere gcc and make
# do: the lab chroot (tests/lab/pg-build.sh), or a real host (a Graviton,
# for `make bench-pg --host`).
#
# usage: user/postgresql/build.sh SRCDIR PREFIX
#
# Environment: PG_CFLAGS (default: Debian's hardened -O2 set for this arch,
# as `pg_config --cflags` of Debian's postgresql-17 shows it, without -g: the
# same code, a quarter less build time), PG_JOBS
# (default: nproc), PG_STOCK=1 to build the same source without the patch.
# Needs gcc, make, patch, zlib's headers; the preempthint headers come from
# this repository.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
src=${1:?usage: build.sh SRCDIR PREFIX}
prefix=${2:?usage: build.sh SRCDIR PREFIX}
patchfile=$here/pg17-spin-hint.patch

die() { printf 'pg-build: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'pg-build: %s\n' "$*" >&2; }

[ -x "$src/configure" ] || die "$src is not a PostgreSQL source tree (no configure)"
grep -q "^PACKAGE_VERSION='17\." "$src/configure" ||
	die "$src is not PostgreSQL 17 (the patch is for 17.x)"

if [ "${PG_STOCK:-0}" != 1 ]; then
	if [ -f "$src/src/include/storage/spin_hint.h" ]; then
		log "patch already applied in $src"
	else
		patch -d "$src" -p1 --dry-run -s <"$patchfile" >/dev/null ||
			die "$(basename "$patchfile") does not apply to $src"
		patch -d "$src" -p1 -s <"$patchfile"
		log "applied $(basename "$patchfile")"
	fi
fi

# The application API header and the UAPI header it includes.
hint_inc="-I$top/user -I$top/include"

case $(uname -m) in
x86_64) arch_flags="-fcf-protection" ;;
aarch64) arch_flags="-mbranch-protection=standard" ;;
*) arch_flags="" ;;
esac
cflags=${PG_CFLAGS:-"-O2 -fstack-protector-strong -fstack-clash-protection -Wformat -Werror=format-security $arch_flags -fno-omit-frame-pointer"}

cd "$src"
log "configure (prefix $prefix)"
./configure --prefix="$prefix" --without-icu --without-readline \
	--with-system-tzdata=/usr/share/zoneinfo \
	CFLAGS="$cflags" CPPFLAGS="-D_FORTIFY_SOURCE=2 $hint_inc" \
	LDFLAGS="-Wl,-z,relro -Wl,-z,now" >config.build.log 2>&1 ||
	{ tail -n 20 config.build.log >&2; die "configure failed (see $src/config.build.log)"; }
log "make -j${PG_JOBS:-$(nproc)} (server, clients, no contrib or docs)"
make -s -j"${PG_JOBS:-$(nproc)}" >make.build.log 2>&1 ||
	{ tail -n 30 make.build.log >&2; die "make failed (see $src/make.build.log)"; }
make -s install >>make.build.log 2>&1 || die "make install failed (see $src/make.build.log)"
log "installed: $("$prefix/bin/postgres" --version)"
