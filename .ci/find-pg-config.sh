# Sourced by the install scripts: sets `pg_config` to the server's own pg_config (beside the
# initdb the tests use, as .ci/install-postgres.sh finds it, else the one on PATH, else Debian's
# PostgreSQL 15), or to an empty string when there is none.
pg_config=
if [ -n "${RETORT_PG_BIN_DIR:-}" ] && [ -x "$RETORT_PG_BIN_DIR/pg_config" ]; then
  pg_config=$RETORT_PG_BIN_DIR/pg_config
elif initdb=$(command -v initdb 2>/dev/null) && [ -x "$(dirname "$(readlink -f "$initdb")")/pg_config" ]; then
  pg_config=$(dirname "$(readlink -f "$initdb")")/pg_config
elif command -v pg_config >/dev/null 2>&1; then
  pg_config=$(command -v pg_config)
elif [ -x /usr/lib/postgresql/15/bin/pg_config ]; then
  pg_config=/usr/lib/postgresql/15/bin/pg_config
fi
