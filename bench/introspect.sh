#!/usr/bin/env bash
# Introspection benchmark: `retort schema dump` (SQL and JSON) beside `pg_dump --schema-only` on
# the same generated database (TABLES=500 tables of 10 columns, 3 indexes, a foreign key, a check
# and a comment each; see gen_schema.py), in one run, on a throwaway PostgreSQL. Also checks once
# that retort's dump loads into an empty database and gives the same `pg_dump --schema-only`.
# Timing is interleaved (ROUNDS rounds of all three commands) so that load from elsewhere on the
# machine falls on all of them alike. Prints a markdown table and writes it to
# bench/out/introspect.md (raw hyperfine JSON in
# bench/out/introspect-results/). See README.md ("Introspection benchmark").
#
# Environment knobs (all optional):
#   TABLES=500  ROUNDS=3 RUNS=10 WARMUP=3  BUDGET_MS=300 (the verdict is on the median)
#   PGBIN=/usr/lib/postgresql/15/bin   PostgreSQL server and client binaries (pg_dump must be of
#                                      the server's major version)
#   PGPORT_BENCH=54331                 port of the throwaway server (unix socket only)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
TABLES=${TABLES:-500}
RUNS=${RUNS:-10}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-3}
BUDGET_MS=${BUDGET_MS:-300}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PGPORT_BENCH:-54331}
RESULTS=$OUT/introspect-results
REPORT=$OUT/introspect.md
mkdir -p "$OUT"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

for b in initdb pg_ctl postgres psql pg_dump; do
    [ -x "$PGBIN/$b" ] || die "$PGBIN/$b not found (set PGBIN to a PostgreSQL bin directory)"
done
command -v hyperfine >/dev/null || {
    [ "$(id -u)" = 0 ] || die "hyperfine is missing (apt-get install hyperfine)"
    say "installing hyperfine"
    apt-get install -y -q hyperfine >/dev/null
}

say "building the release binary"
(cd "$ROOT" && cargo build --release -q -p retort-cli)
RETORT=$ROOT/target/release/retort

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
PGTMP=$(mktemp -d /tmp/retort-introspect-bench.XXXXXX)
PG_STARTED=0
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$PG_STARTED" = 1 ]; then
        as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1 ||
            as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PGTMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user to run the server as"
    chown postgres: "$PGTMP"
fi
say "starting PostgreSQL in $PGTMP (unix socket only, port $PORT)"
as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C \
    >"$RESULTS/initdb.log" 2>&1 || { cat "$RESULTS/initdb.log" >&2; die "initdb failed"; }
PG_STARTED=1
as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$PGTMP' -p $PORT" start \
    >/dev/null || { cat "$PGTMP/server.log" >&2; die "PostgreSQL did not start"; }
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGTMP" -p "$PORT" -U postgres)
PG_VERSION=$("${PSQL[@]}" -At -d postgres -c 'SHOW server_version')
URL="postgresql://postgres@${PGTMP//\//%2F}:$PORT/bench"
URL2="postgresql://postgres@${PGTMP//\//%2F}:$PORT/bench_copy"

say "generating and loading $TABLES tables"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE bench" -c "CREATE DATABASE bench_copy"
python3 "$HERE/gen_schema.py" --tables "$TABLES" >"$RESULTS/schema.sql"
"${PSQL[@]}" -d bench -f "$RESULTS/schema.sql"
"${PSQL[@]}" -d bench -c "VACUUM ANALYZE" -c "CHECKPOINT"

say "checking that the dump loads and gives the same pg_dump"
"$RETORT" --database-url "$URL" schema dump >"$RESULTS/retort_dump.sql"
"${PSQL[@]}" -d bench_copy -f "$RESULTS/retort_dump.sql"
normalise() { grep -v -e '^--' -e '^SET ' -e '^SELECT pg_catalog.set_config' -e '^\\' -e '^$' | LC_ALL=C sort; }
"$PGBIN/pg_dump" --schema-only --no-owner -d "$URL" | normalise >"$RESULTS/pg_dump_original.txt"
"$PGBIN/pg_dump" --schema-only --no-owner -d "$URL2" | normalise >"$RESULTS/pg_dump_copy.txt"
if cmp -s "$RESULTS/pg_dump_original.txt" "$RESULTS/pg_dump_copy.txt"; then
    ROUND_TRIP="equal"
else
    ROUND_TRIP="DIFFERENT (see $RESULTS/pg_dump_*.txt)"
fi

say "timing (hyperfine, $ROUNDS rounds of $WARMUP warmup + $RUNS runs of each command, interleaved)"
for round in $(seq 1 "$ROUNDS"); do
    hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$RESULTS/hyperfine-$round.json" \
        -n "retort schema dump" "$RETORT --database-url $URL schema dump" \
        -n "retort schema dump --format json" "$RETORT --database-url $URL schema dump --format json" \
        -n "pg_dump --schema-only" "$PGBIN/pg_dump --schema-only --no-owner -d $URL" \
        >"$RESULTS/hyperfine-$round.txt"
done

python3 - "$RESULTS" "$ROUNDS" "$BUDGET_MS" "$TABLES" "$PG_VERSION" "$ROUND_TRIP" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" >"$REPORT" <<'PY'
import json, statistics, sys
results, rounds, budget, tables, version, round_trip, cores, load = sys.argv[1:9]
times = {}
for r in range(1, int(rounds) + 1):
    for res in json.load(open(f"{results}/hyperfine-{r}.json"))["results"]:
        times.setdefault(res["command"], []).extend(res["times"])
ms = lambda x: x * 1000
base = statistics.median(times["pg_dump --schema-only"])
print(f"Introspection of {tables} tables (10 columns, 3 indexes, a foreign key, a check and a comment each) "
      f"on PostgreSQL {version}, {cores} cores (load average before the run: {load}); retort's dump "
      f"loaded into an empty database gives a pg_dump --schema-only {round_trip} to the original's.\n")
print("| command | median ms | mean ms | stddev ms | min … max ms | pg_dump's median ÷ this | budget |")
print("|---|---:|---:|---:|---:|---:|---|")
for name, t in times.items():
    med = statistics.median(t)
    verdict = ""
    if name == "retort schema dump":
        verdict = "pass" if ms(med) <= float(budget) else f"FAIL (> {float(budget):.0f} ms)"
    print(f"| `{name}` | {ms(med):.1f} | {ms(statistics.mean(t)):.1f} | {ms(statistics.stdev(t)):.1f} | "
          f"{ms(min(t)):.1f} … {ms(max(t)):.1f} | {base / med:.2f}× | {verdict} |")
PY
cat "$REPORT"
