#!/usr/bin/env bash
# Build PostgreSQL's regression database the way `make check` leaves it, serially.
# usage: load.sh REGRESS_DIR [WORKDIR]   (REGRESS_DIR = .../src/test/regress of the PostgreSQL source)
# Makes a private cluster in WORKDIR (default /tmp/regress-pg; removed first), socket-only, fsync off,
# creates database `regression` as pg_regress does and runs every test of parallel_schedule in
# order with psql (no ON_ERROR_STOP). Prints the environment to reach it at the end.
# SKIP="a b" leaves tests out; TEST_TIMEOUT (seconds, default 300) bounds each file.
# NODROP=1 removes the DROP statements that begin a line first, so the database keeps what the
# tests made and dropped (a richer corpus; more statements fail on names already taken).
set -u
REG=$(realpath "${1:?usage: load.sh REGRESS_DIR [WORKDIR]}")
W=${2:-/tmp/regress-pg}
BIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PORT:-54915}
SKIP=${SKIP:-}
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
AS=()
[ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)

if [ -f "$W/data/postmaster.pid" ]; then "${AS[@]}" "$BIN/pg_ctl" -D "$W/data" -m immediate stop >/dev/null 2>&1; fi
rm -rf "$W"; mkdir -p "$W/results" "$W/out" "$W/sock" "$W/lib"
cp -a "$REG" "$W/src"          # the server reads data/*.data itself: keep them where it may
if [ "${NODROP:-}" = 1 ]; then
  for f in "$W"/src/sql/*.sql; do
    python3 - "$f" <<'PY'
import sys
p = sys.argv[1]
out, skipping = [], False
for line in open(p, encoding="utf-8", errors="surrogateescape"):
    if not skipping and line[:5].upper() == "DROP ":
        skipping = True
    if skipping:
        if ";" in line:
            skipping = False
        continue
    out.append(line)
open(p, "w", encoding="utf-8", errors="surrogateescape").writelines(out)
PY
  done
fi
[ "$(id -u)" = 0 ] && chown -R postgres "$W"
"${AS[@]}" "$BIN/initdb" -D "$W/data" -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8 >"$W/initdb.log" 2>&1 || { cat "$W/initdb.log"; exit 1; }
cat >>"$W/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$W/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_prepared_transactions = 2
CONF
"${AS[@]}" "$BIN/pg_ctl" -D "$W/data" -l "$W/server.log" -w start >/dev/null || exit 1

export PGHOST="$W/sock" PGPORT="$PORT" PGUSER=postgres
unset PGDATABASE PGPASSWORD LC_ALL LANGUAGE
export LC_MESSAGES=C PGTZ=America/Los_Angeles PGDATESTYLE="Postgres, MDY" PGOPTIONS="-c intervalstyle=postgres_verbose"
export PG_ABS_SRCDIR="$W/src" PG_ABS_BUILDDIR="$W" PG_LIBDIR="$W/lib" PG_DLSUFFIX=.so
psql -X -q -d postgres <<SQL
CREATE DATABASE regression TEMPLATE=template0;
ALTER DATABASE regression SET lc_messages TO 'C';
ALTER DATABASE regression SET lc_monetary TO 'C';
ALTER DATABASE regression SET lc_numeric TO 'C';
ALTER DATABASE regression SET lc_time TO 'C';
ALTER DATABASE regression SET bytea_output TO 'hex';
ALTER DATABASE regression SET timezone_abbreviations TO 'Default';
SQL

LOG="$W/load.log"
: >"$LOG"
tests=$(grep '^test:' "$REG/parallel_schedule" | sed 's/^test://' | tr ' ' '\n' | grep -v '^$')
start_all=$(date +%s)
for t in $tests; do
  if [[ " $SKIP " == *" $t "* ]]; then echo "$t SKIPPED" >>"$LOG"; continue; fi
  s=$(date +%s.%N)
  PGAPPNAME="pg_regress/$t" timeout "$TEST_TIMEOUT" psql -X -a -q -d regression <"$W/src/sql/$t.sql" >"$W/out/$t.out" 2>&1
  rc=$?
  e=$(grep -c '^ERROR:' "$W/out/$t.out")
  printf '%s rc=%s errors=%s secs=%.1f\n' "$t" "$rc" "$e" "$(echo "$(date +%s.%N) - $s" | bc)" >>"$LOG"
done
echo "total secs=$(( $(date +%s) - start_all ))" >>"$LOG"
echo "export PGHOST=$W/sock PGPORT=$PORT PGUSER=postgres   # database: regression"
