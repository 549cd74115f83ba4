# tests/pg/lib.sh - starts and stops a real PostgreSQL 15 server for the tests
# (sourced by tests/pg/*.sh; tests/run skips files named lib.sh).
#
# pg_start DIR: initdb a new cluster in DIR/data and start it listening only
# on a unix socket in DIR (no TCP port, so parallel runs never collide). When
# run as root, the cluster belongs to the unprivileged `postgres` user that
# Debian's package creates (PostgreSQL refuses to run as root). Sets
# PG_SOCKET and PG_ADMIN_URI (the `postgres` database, superuser `postgres`).
# pg_uri NAME prints the URI of database NAME; pg_createdb NAME (re)creates it.
# pg_stop stops the server (fast shutdown); call it from an EXIT trap. pg_run
# starts the cluster in $PG_DIR again (the outage test stops and restarts it).
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PORT=55432

pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PG_DIR=$1
	mkdir -p "$PG_DIR"
	chmod 755 "$PG_DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
	PG_SOCKET=$PG_DIR
	pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
		>"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
	pg_run || return 1
	PG_ADMIN_URI=$(pg_uri postgres)
	export PG_DIR PG_SOCKET PG_ADMIN_URI
}

pg_run() {
	PG_SOCKET=${PG_SOCKET:-$PG_DIR}
	pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$PG_SOCKET' -p $PG_PORT -c fsync=on -c max_connections=200" \
		start >/dev/null || { cat "$PG_DIR/server.log"; return 1; }
}

pg_uri() { echo "postgresql://postgres@/$1?host=$PG_SOCKET&port=$PG_PORT"; }

pg_createdb() {
	PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -q -v ON_ERROR_STOP=1 "$PG_ADMIN_URI" -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\"" >/dev/null
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] &&
		pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
	return 0
}
