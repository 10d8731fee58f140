#!/usr/bin/env bash
# Autogenerate benchmark (issue 6): `retort revision --autogenerate -m bench` and `retort check`
# against a database of TABLES=500 generated tables (gen_schema.py) at head, with a desired schema
# that differs by one new column, one new index and one changed default, on a throwaway
# PostgreSQL whose `postgres` database is also the scratch server (`[autogenerate] dev_url`).
# Also the same at each size of SCALE (50 and 1000 tables) to show how the time grows, and the
# number of statements each database receives during one `retort check` (log_statement=all),
# counted per database: the catalog queries on the target, the scratch database's, and the
# CREATE/DROP DATABASE on the server's `postgres` database. For scale, also `retort diff` between
# the target and a database holding the desired schema (no scratch database), psql's floor for the
# scratch database (CREATE DATABASE, psql -1 -f schema.sql, DROP DATABASE) and `schema dump`.
# Each timed `revision --autogenerate` run starts from the same state: hyperfine's --prepare
# deletes the revision file the previous run wrote (not timed); the database stays at head.
# Prints a markdown table and writes it to bench/out/autogenerate.md (raw hyperfine JSON, the
# projects and the statement log in bench/out/autogenerate-results/). See README.md
# ("Autogenerate benchmark").
#
# With PARTS=alembic (or all, the default), also issue 21's comparison with Alembic: see
# autogenerate_vs_alembic.sh (its table goes to bench/out/autogenerate-vs-alembic.md);
# PARTS=issue6 runs only what is described above.
#
# Environment knobs (all optional):
#   RETORT=(a retort binary to use instead of building the release one)
#   PARTS=all|issue6|alembic  VS_SIZES="300 500" VS_RUNS=3 (see autogenerate_vs_alembic.sh)
#   TABLES=500  SCALE="50 1000" (extra sizes; "" for none)  ROUNDS=3 RUNS=5 WARMUP=2
#   BUDGET_MS=1000 (the verdict is on the median of the TABLES row of revision --autogenerate)
#   PGBIN=/usr/lib/postgresql/15/bin   PostgreSQL server and client binaries
#   PGPORT_BENCH=54332                 port of the throwaway server (unix socket only)
#   PGOPTS=""                          extra server settings, e.g. PGOPTS="-c fsync=off" for a
#                                      scratch server set up as test servers often are
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
TABLES=${TABLES:-500}
SCALE=${SCALE-50 1000}
RUNS=${RUNS:-5}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-2}
BUDGET_MS=${BUDGET_MS:-1000}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PGPORT_BENCH:-54332}
PGOPTS=${PGOPTS:-}
PARTS=${PARTS:-all}
RESULTS=$OUT/autogenerate-results
REPORT=$OUT/autogenerate.md
mkdir -p "$OUT"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

for b in initdb pg_ctl postgres psql; do
    [ -x "$PGBIN/$b" ] || die "$PGBIN/$b not found (set PGBIN to a PostgreSQL bin directory)"
done
command -v hyperfine >/dev/null || {
    [ "$(id -u)" = 0 ] || die "hyperfine is missing (apt-get install hyperfine)"
    say "installing hyperfine"
    apt-get install -y -q hyperfine >/dev/null
}

if [ -z "${RETORT:-}" ]; then
    say "building the release binary"
    (cd "$ROOT" && cargo build --release -q -p retort-cli)
    RETORT=$ROOT/target/release/retort
fi

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
PGTMP=$(mktemp -d /tmp/retort-autogenerate-bench.XXXXXX)
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
# The log line names the database and the application, so that the statement count can be
# split by database (log_statement is only turned on for the counting runs).
as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$PGTMP' -p $PORT -c log_line_prefix='%m [%p] db=%d app=%a: ' $PGOPTS" start \
    >/dev/null || { cat "$PGTMP/server.log" >&2; die "PostgreSQL did not start"; }
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGTMP" -p "$PORT" -U postgres)
PG_VERSION=$("${PSQL[@]}" -At -d postgres -c 'SHOW server_version')
url() { echo "postgresql://postgres@${PGTMP//\//%2F}:$PORT/$1"; }

if [ "$PARTS" != issue6 ]; then
    # shellcheck source=autogenerate_vs_alembic.sh
    source "$HERE/autogenerate_vs_alembic.sh"
    [ "$PARTS" = alembic ] && exit 0
fi

# One project per size: a revision that creates the generated schema, applied to database
# bench<N>; the desired schema (schema.sql) is the same plus three small changes.
make_project() {
    local n=$1 dir=$RESULTS/p$n
    mkdir -p "$dir/migrations"
    python3 "$HERE/gen_schema.py" --tables "$n" >"$dir/base.sql"
    python3 - "$dir" "$(url postgres)" <<'PY'
import sys
d, server = sys.argv[1:3]
base = open(f"{d}/base.sql").read()
with open(f"{d}/retort.toml", "w") as f:
    f.write(f'script_location = "migrations"\n\n[autogenerate]\nschema = ["schema.sql"]\ndev_url = "{server}"\n')
with open(f"{d}/migrations/0001_0000000000a1_create_schema.sql", "w") as f:
    f.write("-- revision: 0000000000a1\n-- down_revision:\n-- branch_labels:\n-- depends_on:\n"
            "-- message: create schema\n-- created: 2026-01-01 00:00:00\n-- transactional: true\n\n"
            f"-- retort:up\n{base}\n\n-- retort:down\nDROP SCHEMA app CASCADE;\n")
def change(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)
desired = base
# one new column (t_0001), one changed default (t_0002), one new index (t_0003)
desired = change(desired, "CREATE TABLE app.t_0001 (\n", "CREATE TABLE app.t_0001 (\n    note text,\n")
i = desired.index("CREATE TABLE app.t_0002 (")
desired = desired[:i] + change(desired[i:], "name text NOT NULL DEFAULT ''", "name text NOT NULL DEFAULT 'unnamed'")
desired += "\nCREATE INDEX t_0003_updated ON app.t_0003 (updated_at);\n"
open(f"{d}/schema.sql", "w").write(desired)
PY
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE bench$n"
    (cd "$dir" && "$RETORT" --database-url "$(url "bench$n")" upgrade head) >"$RESULTS/upgrade-$n.log" 2>&1 ||
        { cat "$RESULTS/upgrade-$n.log" >&2; die "upgrade of bench$n failed"; }
    "${PSQL[@]}" -d "bench$n" -c "VACUUM ANALYZE"
    # The desired schema in a database of its own, for `retort diff` between two databases: two
    # introspections and the diff, no scratch database (an upper bound of the library path, where
    # a program's models are the desired side and only the target is introspected).
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE desired$n"
    "${PSQL[@]}" -d "desired$n" -f "$dir/schema.sql"
    # The desired schema as a JSON model (what a program writes from its models, or
    # `schema dump --format json` prints): autogenerate reads it without a scratch database.
    "$RETORT" --database-url "$(url "desired$n")" schema dump --format json >"$dir/desired.json"
    sed 's/schema = \["schema.sql"\]/schema = ["desired.json"]/' "$dir/retort.toml" >"$dir/json.toml"
}

SIZES="$TABLES"
for n in $SCALE; do [ "$n" = "$TABLES" ] || SIZES="$SIZES $n"; done
for n in $SIZES; do
    say "generating $n tables, applying the revision that creates them"
    make_project "$n"
done
"${PSQL[@]}" -d postgres -c "CHECKPOINT"

say "checking once what autogenerate finds"
CHECK_OUT=$(cd "$RESULTS/p$TABLES" && "$RETORT" --database-url "$(url "bench$TABLES")" check 2>&1) && rc=0 || rc=$?
printf '%s\n' "$CHECK_OUT" >"$RESULTS/check.txt"
[ "$rc" = 1 ] || { printf '%s\n' "$CHECK_OUT" >&2; die "retort check exited $rc, not 1 (differences found)"; }
(cd "$RESULTS/p$TABLES" && "$RETORT" --database-url "$(url "bench$TABLES")" revision --autogenerate -m bench) \
    >"$RESULTS/revision.txt" 2>&1 || { cat "$RESULTS/revision.txt" >&2; die "revision --autogenerate failed"; }
cp "$RESULTS/p$TABLES"/migrations/*_bench.sql "$RESULTS/written-revision.sql"
rm -f "$RESULTS/p$TABLES"/migrations/*_bench.sql

say "counting the statements of one retort check per database (log_statement=all)"
"${PSQL[@]}" -d postgres -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
COUNTS=$RESULTS/statement-counts.txt
: >"$COUNTS"
for n in $SIZES; do
    start=$(wc -l <"$PGTMP/server.log")
    (cd "$RESULTS/p$n" && "$RETORT" --database-url "$(url "bench$n")" check) >/dev/null 2>&1 || true
    sleep 0.3
    tail -n +"$((start + 1))" "$PGTMP/server.log" >"$RESULTS/statements-$n.log"
    python3 - "$n" "$RESULTS/statements-$n.log" >>"$COUNTS" <<'PY'
import re, sys, collections
n, path = sys.argv[1:3]
counts = collections.Counter()
for line in open(path, errors="replace"):
    m = re.search(r" db=(\S*) app=(.*?): LOG:  (statement|execute [^:]*):", line)
    if not m:
        continue
    db = m.group(1)
    # The scratch database gets the schema file on the loader's connection ("retort scratch")
    # and the catalog queries on the introspection's ("retort autogenerate").
    if db.startswith("bench"):
        kind = "target"
    elif db.startswith("retort_scratch_"):
        kind = "scratch-load" if m.group(2) == "retort scratch" else "scratch-catalog"
    else:
        kind = "server"
    counts[kind] += 1
print(n, counts["target"], counts["scratch-catalog"], counts["scratch-load"], counts["server"])
PY
done
"${PSQL[@]}" -d postgres -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
cat "$COUNTS" >&2

say "timing (hyperfine, $ROUNDS rounds of $WARMUP warmup + $RUNS runs of each command, interleaved)"
for round in $(seq 1 "$ROUNDS"); do
    for n in $SIZES; do
        dir=$RESULTS/p$n
        u=$(url "bench$n")
        hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$RESULTS/hyperfine-rev-$n-$round.json" \
            --prepare "find $dir/migrations -name *_bench.sql -delete" \
            --cleanup "find $dir/migrations -name *_bench.sql -delete" \
            -n "revision --autogenerate ($n tables)" \
            "$RETORT --config $dir/retort.toml --database-url $u revision --autogenerate -m bench" \
            >"$RESULTS/hyperfine-rev-$n-$round.txt"
        hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$RESULTS/hyperfine-revjson-$n-$round.json" \
            --prepare "find $dir/migrations -name *_bench.sql -delete" \
            --cleanup "find $dir/migrations -name *_bench.sql -delete" \
            -n "revision --autogenerate, JSON model ($n tables)" \
            "$RETORT --config $dir/json.toml --database-url $u revision --autogenerate -m bench" \
            >"$RESULTS/hyperfine-revjson-$n-$round.txt"
        hyperfine -N -i --warmup "$WARMUP" --runs "$RUNS" --export-json "$RESULTS/hyperfine-check-$n-$round.json" \
            -n "check ($n tables)" "$RETORT --config $dir/retort.toml --database-url $u check" \
            >"$RESULTS/hyperfine-check-$n-$round.txt"
        hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$RESULTS/hyperfine-diff-$n-$round.json" \
            -n "diff bench$n desired$n ($n tables)" "$RETORT diff $u $(url "desired$n")" \
            >"$RESULTS/hyperfine-diff-$n-$round.txt"
    done
    # The floor of loading the desired schema into a scratch database, whatever the tool: psql
    # creating a database, loading the file in one transaction, and dropping the database.
    hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$RESULTS/hyperfine-floor-$round.json" \
        -n "floor: CREATE DATABASE, psql -1 -f schema.sql, DROP DATABASE ($TABLES tables)" \
        "bash -c '${PSQL[*]} -d postgres -c \"CREATE DATABASE floor TEMPLATE template0\" && ${PSQL[*]} -1 -d floor -f $RESULTS/p$TABLES/schema.sql && ${PSQL[*]} -d postgres -c \"DROP DATABASE floor\"'" \
        >"$RESULTS/hyperfine-floor-$round.txt"
    # For scale: introspecting the target alone (a whole process, as in introspect.sh).
    hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$RESULTS/hyperfine-dump-$round.json" \
        -n "schema dump ($TABLES tables)" "$RETORT --database-url $(url "bench$TABLES") schema dump" \
        >"$RESULTS/hyperfine-dump-$round.txt"
done

python3 - "$RESULTS" "$ROUNDS" "$BUDGET_MS" "$TABLES" "$PG_VERSION" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$COUNTS" "$PGOPTS" >"$REPORT" <<'PY'
import glob, json, statistics, sys
results, rounds, budget, tables, version, cores, load, counts, pgopts = sys.argv[1:10]
times = {}
for path in sorted(glob.glob(f"{results}/hyperfine-*.json")):
    for res in json.load(open(path))["results"]:
        times.setdefault(res["command"], []).extend(res["times"])
def size(name):
    return int(name.split("(")[1].split()[0])
kind = lambda k: ["revision", "check", "diff", "floor:", "schema"].index(k.split()[0].rstrip(","))
order = sorted(times, key=lambda k: (kind(k), size(k)))
ms = lambda x: x * 1000
print(f"Autogenerate against generated databases at head (tables of 10 columns, 3 indexes, a foreign "
      f"key, a check and a comment each), the desired schema differing by one column, one index and "
      f"one default; PostgreSQL {version} (extra settings: {pgopts or 'none'}), scratch databases on the same server; {cores} cores "
      f"(load average after the run: {load}).\n")
print("| command | median ms | mean ms | stddev ms | min … max ms | budget |")
print("|---|---:|---:|---:|---:|---|")
for name in order:
    t = times[name]
    med = statistics.median(t)
    verdict = ""
    if name in (f"revision --autogenerate ({tables} tables)", f"revision --autogenerate, JSON model ({tables} tables)"):
        verdict = "pass" if ms(med) <= float(budget) else f"FAIL (> {float(budget):.0f} ms)"
    shown = name if name.startswith("floor:") else f"`retort {name}`"
    print(f"| {shown} | {ms(med):.1f} | {ms(statistics.mean(t)):.1f} | {ms(statistics.stdev(t)):.1f} | "
          f"{ms(min(t)):.1f} … {ms(max(t)):.1f} | {verdict} |")
print("\nStatements received during one `retort check` (log_statement=all):\n")
print("| tables | target database (version checks + catalog queries) | scratch database: catalog queries | scratch database: loading the schema file | server's `postgres` database (CREATE/DROP DATABASE) |")
print("|---:|---:|---:|---:|---:|")
for line in open(counts):
    n, t, c, l, p = line.split()
    print(f"| {n} | {t} | {c} | {l} | {p} |")
PY
cat "$REPORT"
