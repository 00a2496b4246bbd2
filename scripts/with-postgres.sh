#!/usr/bin/env bash
# with-postgres.sh CMD...: runs CMD with a throwaway PostgreSQL server, and
# stops and deletes the server when CMD ends. CMD finds the server in
# COMMERCECTL_TEST_PG, a URL to its "postgres" database as the superuser.
#
# The server is Debian's postgresql package, installed here when missing
# (as root, with apt-get), started by initdb and pg_ctl as the postgres
# user in a temporary directory: loopback only, trust authentication,
# no fsync (a crash of the machine may lose it; it is thrown away anyway).
#
# When no server can be had, CMD runs without one and its PostgreSQL tests
# skip with one loud line, except with CI=true: CI proves both engines, so
# there a missing server fails the run.
set -uo pipefail

if [[ -n "${COMMERCECTL_TEST_PG:-}" ]]; then
	exec "$@" # a server was given
fi

fail_or_skip() {
	echo "*** with-postgres: $* ***" >&2
	if [[ "${CI:-}" == "true" ]]; then
		echo "*** CI=true: the PostgreSQL tests are mandatory ***" >&2
		exit 1
	fi
	echo "*** the PostgreSQL tests will be SKIPPED ***" >&2
	exec "$@"
}

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [[ -z "$(bindir)" || ! -x "$(bindir)/initdb" ]]; then
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
		echo "with-postgres: installing Debian's postgresql package" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1; }
	fi
fi
BIN=$(bindir)
[[ -n "$BIN" && -x "$BIN/initdb" ]] || fail_or_skip "no PostgreSQL server package (apt-get install postgresql)"

# The server runs as an unprivileged user: postgres when we are root.
RUNAS=()
if [[ $(id -u) -eq 0 ]]; then
	id postgres >/dev/null 2>&1 || fail_or_skip "no postgres user to run the server as"
	RUNAS=(runuser -u postgres --)
fi

DIR=$(mktemp -d /tmp/commercectl-pg.XXXXXX)
chmod 0755 "$DIR"
[[ ${#RUNAS[@]} -eq 0 ]] || chown postgres "$DIR"
PORT=$((20000 + RANDOM % 20000))

stop() {
	"${RUNAS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$DIR"
}
trap stop EXIT

"${RUNAS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
	{ cat "$DIR/initdb.log" >&2; stop; trap - EXIT; fail_or_skip "initdb failed"; }
for try in 1 2 3; do
	if "${RUNAS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
		-o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null 2>&1; then
		break
	fi
	[[ $try -eq 3 ]] && { cat "$DIR/server.log" >&2; stop; trap - EXIT; fail_or_skip "the server did not start"; }
	PORT=$((20000 + RANDOM % 20000))
done
echo "with-postgres: PostgreSQL $("$BIN/postgres" -V | awk '{print $3}') on 127.0.0.1:$PORT" >&2

export COMMERCECTL_TEST_PG="postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
"$@"
rc=$?
exit $rc
