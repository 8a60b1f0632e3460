# SPDX-License-Identifier: GPL-2.0
# PostgreSQL helpers for the guest test (t/75-postgres.sh) and the A/B
# benchmark (bench-pg.sh), sourced after lib.sh. Servers run as the
# postgres user from a data directory in tmpfs, listening only on a Unix
# socket in $PG_SOCK, with the postmaster (and so every backend) placed in
# a cgroup of their own.
#
# The lab's builds (tests/lab/pg-build.sh): the patched server in
# /opt/pg17-hint, Debian's stock one in /usr/lib/postgresql/17, pgbench data
# in /var/lib/pglab/s<SCALE>. On a real host (bench-pg --host) set PG_HINT,
# PG_STOCK (bin directories), PG_DATA_SRC or PG_SCALE and PG_USER.

PG_HINT=${PG_HINT:-/opt/pg17-hint/bin}
PG_STOCK=${PG_STOCK:-/usr/lib/postgresql/17/bin}
PG_USER=${PG_USER:-postgres}
PG_SOCK=${PG_SOCK:-/tmp}
# Clients: the patched build's psql and pgbench (the same for every server).
PG_CLIENT=${PG_CLIENT:-$PG_HINT}

pg_as() { runuser -u "$PG_USER" -- "$@"; }
pg_psql() { "$PG_CLIENT/psql" -h "$PG_SOCK" -U "$PG_USER" -X -Atq -d postgres "$@"; }

# pg_data DEST SCALE: a fresh copy of the prepared pgbench data directory
# (made by tests/lab/pg-build.sh), or a new one (initdb + pgbench -i) when
# no copy exists, e.g. on a host.
pg_data() {
	local dest=$1 scale=$2 src=${PG_DATA_SRC:-/var/lib/pglab/s$2}
	rm -rf "$dest"
	if [ -f "$src/.lab-ready" ]; then
		cp -a "$src" "$dest" || return 1
		return 0
	fi
	mkdir -p "$dest" && chown "$PG_USER" "$dest" && chmod 700 "$dest" || return 1
	pg_as "$PG_HINT/initdb" -D "$dest" -E SQL_ASCII --locale=C --auth=trust -N >/dev/null || return 1
	pg_start "$PG_HINT" "$dest" "" || return 1
	"$PG_CLIENT/pgbench" -h "$PG_SOCK" -U "$PG_USER" -i -q -s "$scale" postgres >/dev/null 2>&1 &&
		pg_psql -c CHECKPOINT
	local rc=$?
	pg_stop "$PG_HINT" "$dest"
	return $rc
}

# pg_start BIN DATA CGROUP [-c name=value ...]: start a server (its log is
# DATA/server.log) as a member of CGROUP (a path under /sys/fs/cgroup, or ""
# for the caller's own). Settings that every lab server shares come first.
pg_start() {
	local bin=$1 data=$2 cg=$3 opts
	shift 3
	opts="-c unix_socket_directories=$PG_SOCK -c listen_addresses= -c max_connections=50"
	opts+=" -c fsync=off -c full_page_writes=off -c autovacuum=off -c jit=off"
	opts+=" -c dynamic_shared_memory_type=posix $*"
	if [ -n "$cg" ]; then
		mkdir -p "$CG$cg"
		sh -c 'echo $$ > "$0/cgroup.procs" && shift && exec "$@"' "$CG$cg" - \
			runuser -u "$PG_USER" -- "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 300 \
			-o "$opts" start >/dev/null
	else
		pg_as "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 300 -o "$opts" start >/dev/null
	fi
}

# pg_stop BIN DATA: fast shutdown; fails if the server does not stop.
pg_stop() { pg_as "$1/pg_ctl" -D "$2" -w -t 120 -m fast stop >/dev/null; }

# pg_postmaster_pid DATA
pg_postmaster_pid() { head -n1 "$1/postmaster.pid" 2>/dev/null; }

# pg_bench ARGS...: pgbench against the lab server, as the postgres user.
pg_bench() { "$PG_CLIENT/pgbench" -h "$PG_SOCK" -U "$PG_USER" "$@" postgres; }

# ph_registered: threads with a registered hint slot (from `status`).
ph_registered() {
	phctl -j status | python3 -c 'import json, sys; print(json.load(sys.stdin)["registered"])'
}
