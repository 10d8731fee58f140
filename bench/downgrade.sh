#!/usr/bin/env bash
# Downgrade benchmark (issue 21): `retort downgrade base` of COUNT (1,000) one-table revisions
# (gen_apply.py's straight line, each down `DROP TABLE t_NNNN;`) beside psql running the same down
# statements, newest first, one transaction each (`BEGIN; DROP TABLE t_NNNN; COMMIT;`: the
# floor), and beside psql running retort's own SQL of the downgrade (`downgrade HEAD:base --sql`:
# the same plus the history row and the version row of each revision), on one throwaway
# PostgreSQL (fsync on, as apply.sh). Before each timed run the
# contender's database is brought to head untimed (retort: `retort upgrade head`; psql: the up
# floor.sql) and a CHECKPOINT taken; rounds interleave the two. After each run the database must
# hold no t_NNNN table (and for retort an empty retort_version and COUNT applied down rows in
# retort_history). Prints a markdown table and writes it to bench/out/downgrade.md; logs in
# bench/out/downgrade-results/. See README.md ("Downgrade benchmark").
#
# Knobs: COUNT=1000 ROUNDS=5 WARMUP=1 PGBIN=/usr/lib/postgresql/15/bin PGPORT_BENCH=54330
#        PG_PARENT=/tmp REPORT=bench/out/downgrade.md RETORT=(a binary to use instead of building)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
COUNT=${COUNT:-1000}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-1}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PGPORT_BENCH:-54330}
PG_PARENT=${PG_PARENT:-/tmp}
REPORT=${REPORT:-$OUT/downgrade.md}
DATA=$OUT/downgrade$COUNT
RESULTS=$OUT/downgrade-results
rm -rf "$RESULTS" "$DATA"
mkdir -p "$RESULTS"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
for b in initdb pg_ctl postgres psql; do
    [ -x "$PGBIN/$b" ] || die "$PGBIN/$b not found (set PGBIN to a PostgreSQL bin directory)"
done

if [ -z "${RETORT:-}" ]; then
    say "building the release binary"
    (cd "$ROOT" && cargo build --release -q -p retort-cli)
    RETORT=$ROOT/target/release/retort
fi

say "generating $COUNT revisions into ${DATA#"$ROOT"/}"
python3 "$HERE/gen_apply.py" --count "$COUNT" --out "$DATA" >/dev/null
python3 - "$DATA" "$COUNT" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
with open(f"{d}/floor_down.sql", "w") as f:
    for i in range(n, 0, -1):
        f.write(f"BEGIN;\nDROP TABLE t_{i:04d};\nCOMMIT;\n")
PY
grep -q "DROP TABLE t_0001;" "$DATA"/retort/migrations/0001_*.sql || die "gen_apply.py's down sections changed"
LAST_REV=$(sed -n 's/.* last=\([0-9a-f]*\) .*/\1/p' "$DATA/INFO.txt")
# retort's own SQL of the same downgrade (each revision: BEGIN, the DROP, the history row, the
# version row, COMMIT), for a third contender: psql sending it, to split retort's gap into the
# bookkeeping statements' server time and everything else.
(cd "$DATA/retort" && "$RETORT" downgrade "$LAST_REV:base" --sql) >"$DATA/retort_down.sql" ||
    die "retort downgrade --sql failed"

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PGTMP=$(mktemp -d "$PG_PARENT/retort-downgrade-bench.XXXXXX")
PG_STARTED=0
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$PG_STARTED" = 1 ]; then
        as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PGTMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ "$(id -u)" = 0 ] && chown postgres: "$PGTMP"
say "starting PostgreSQL in $PGTMP (unix socket only, port $PORT, fsync on)"
as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C \
    >"$RESULTS/initdb.log" 2>&1 || { cat "$RESULTS/initdb.log" >&2; die "initdb failed"; }
PG_STARTED=1
as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$PGTMP' -p $PORT" start >/dev/null ||
    { cat "$PGTMP/server.log" >&2; die "PostgreSQL did not start"; }
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGTMP" -p "$PORT" -U postgres)
PG_VERSION=$("${PSQL[@]}" -At -d postgres -c 'SHOW server_version')
url_for() { printf 'postgresql://postgres@%s:%s/%s' "${PGTMP//\//%2F}" "$PORT" "$1"; }
sql() { "${PSQL[@]}" -At -d "$1" -c "$2"; }
tables_left() {
    sql "$1" "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname ~ '^t_[0-9]{4}\$'"
}

at_head() { # contender: a fresh database at head, untimed, then a CHECKPOINT
    PGOPTIONS='-c client_min_messages=warning' "${PSQL[@]}" -d postgres \
        -c "DROP DATABASE IF EXISTS bench_$1" -c "CREATE DATABASE bench_$1" >/dev/null
    case $1 in
    psql) "${PSQL[@]}" -d bench_psql -f "$DATA/floor.sql" >/dev/null ;;
    *) (cd "$DATA/retort" && "$RETORT" --database-url "$(url_for "bench_$1")" upgrade head) \
        >"$RESULTS/upgrade.log" 2>&1 || { cat "$RESULTS/upgrade.log" >&2; die "upgrade failed"; } ;;
    esac
    [ "$(tables_left "bench_$1")" = "$COUNT" ] || die "$1: not at head before the run"
    "${PSQL[@]}" -d postgres -c CHECKPOINT >/dev/null
}
run_psql() { "${PSQL[@]}" -d bench_psql -f "$DATA/floor_down.sql"; }
run_retortsql() { "${PSQL[@]}" -d bench_retortsql -f "$DATA/retort_down.sql"; }
run_retort() { cd "$DATA/retort" && "$RETORT" --database-url "$(url_for bench_retort)" downgrade base; }
check() {
    [ "$(tables_left "bench_$1")" = 0 ] || die "$1: tables left after the downgrade"
    if [ "$1" != psql ]; then
        [ "$(sql "bench_$1" 'SELECT count(*) FROM retort_version')" = 0 ] || die "$1: retort_version not empty"
        [ "$(sql "bench_$1" "SELECT count(*) FROM retort_history WHERE direction = 'down' AND status = 'applied'")" = "$COUNT" ] ||
            die "$1: retort_history lacks the down rows"
    fi
}
TIMEFORMAT='%3U %3S'
timed() { # contender, label
    local who=$1 label=$2 t0 t1 log=$RESULTS/$1-$2.log
    at_head "$who"
    t0=$(date +%s%N)
    { time ("run_$who" >"$log" 2>&1) || { cat "$log" >&2; die "$who failed"; }; } 2>"$RESULTS/.cpu"
    t1=$(date +%s%N)
    check "$who"
    printf '%s\t%s\t%s\t%s\n' "$who" "$label" "$((t1 - t0))" "$(awk '{ print $1 + $2 }' "$RESULTS/.cpu")" >>"$RESULTS/times.tsv"
    say "$(printf '%-7s %-8s %8.3f s' "$who" "$label" "$(echo "($t1 - $t0) / 1000000000" | bc -l)")"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$RESULTS/times.tsv"
CONTENDERS=(psql retort retortsql)
for w in $(seq 1 "$WARMUP"); do for who in "${CONTENDERS[@]}"; do timed "$who" "warmup$w"; done; done
for r in $(seq 1 "$ROUNDS"); do for who in "${CONTENDERS[@]}"; do timed "$who" "round$r"; done; done

python3 - "$RESULTS/times.tsv" "$COUNT" "$PG_VERSION" "$(nproc)" "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" >"$REPORT" <<'PY'
import statistics, sys
path, count, version, cores, before, after = sys.argv[1:7]
count = int(count)
rows = [l.split("\t") for l in open(path) if l.strip()]
t = {}
cpu = {}
per_round = {}
for who, label, ns, c in rows:
    if not label.startswith("round"):
        continue
    t.setdefault(who, []).append(int(ns) / 1e9)
    cpu.setdefault(who, []).append(float(c))
    per_round.setdefault(label, {})[who] = int(ns) / 1e9
floor = statistics.median(t["psql"])
ratios = sorted(r["retort"] / r["psql"] for r in per_round.values())
book = sorted(r["retortsql"] / r["psql"] for r in per_round.values())
print(f"`retort downgrade base` of {count} one-table revisions beside psql running the same "
      f"`DROP TABLE` statements one transaction each; PostgreSQL {version}, fsync on; {cores} cores, "
      f"load average {before} before and {after} after; {len(t['psql'])} interleaved rounds.\n")
print("| contender | median total s | min … max s | × psql floor | client CPU ms / revision |")
print("|---|---:|---:|---:|---:|")
for who, name in (("psql", "psql, `BEGIN; DROP TABLE ...; COMMIT;` per revision (floor)"),
                  ("retort", "`retort downgrade base`"),
                  ("retortsql", "psql running `retort downgrade HEAD:base --sql` (retort's statements, bookkeeping included)")):
    med = statistics.median(t[who])
    print(f"| {name} | {med:.3f} | {min(t[who]):.3f} … {max(t[who]):.3f} | {med / floor:.3f} | "
          f"{statistics.mean(cpu[who]) / count * 1000:.3f} |")
print(f"\nPer-round ratio retort / psql: median {statistics.median(ratios):.3f} "
      f"(min {ratios[0]:.3f}, max {ratios[-1]:.3f}); psql running retort's SQL / psql: median "
      f"{statistics.median(book):.3f} (min {book[0]:.3f}, max {book[-1]:.3f}).")
PY
cat "$REPORT"
