#!/usr/bin/env bash
# Apply benchmark: apply COUNT (1,000) one-table migrations to an empty database with
#   - psql, one transaction per migration (the floor),
#   - `retort upgrade head`,
#   - `alembic upgrade head` (Alembic 1.20.1 + psycopg2, transaction_per_migration), if it can
#     be set up,
# all against one throwaway PostgreSQL started for the run; plus `retort upgrade head` when the
# database is already at head (no-op). See README.md ("Apply benchmark"). Prints a markdown table
# and writes it to bench/out/apply.md; raw timings and logs go to bench/out/apply-results/.
#
# Environment knobs (all optional):
#   COUNT=1000            migrations to generate and apply
#   ROUNDS=5 WARMUP=1     timed rounds per contender (median reported), untimed warmup rounds
#   NOOP_RUNS=20          hyperfine runs of the no-op `retort upgrade head`
#   ALEMBIC=auto          auto: include Alembic if its venv can be made, else skip with a note;
#                         yes: fail if it cannot; no: skip
#   ALEMBIC_VENV=bench/out/alembic-venv
#   PGBIN=/usr/lib/postgresql/15/bin   PostgreSQL server and client binaries
#   PGPORT_BENCH=54329    port of the throwaway server (unix socket only, in its own /tmp dir)
#   BUDGET_MS=1           retort's allowed overhead per migration over the psql floor
#   PG_PARENT=/tmp        where the server's data dir (and socket) goes; /dev/shm (tmpfs: fsync
#                         returns at once) takes the disk out of the measurement entirely
#   SYNC_COMMIT=on        the server's synchronous_commit (off: commits do not wait for the WAL
#                         flush, which takes the disk's fsync latency and its noise out of the
#                         floor; fsync itself stays on)
#   REPORT=bench/out/apply.md          where the markdown table is written
#   STRACE=auto           auto/1: also run psql and retort once each under `strace -c -f` and
#                         count their round trips (sendto calls); 0: skip
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
COUNT=${COUNT:-1000}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-1}
NOOP_RUNS=${NOOP_RUNS:-20}
ALEMBIC=${ALEMBIC:-auto}
ALEMBIC_VERSION=1.20.1
VENV=${ALEMBIC_VENV:-$OUT/alembic-venv}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PGPORT_BENCH:-54329}
BUDGET_MS=${BUDGET_MS:-1}
STRACE=${STRACE:-auto}
SYNC_COMMIT=${SYNC_COMMIT:-on}
PG_PARENT=${PG_PARENT:-/tmp}
REPORT=${REPORT:-$OUT/apply.md}
DATA=$OUT/apply$COUNT
RESULTS=$OUT/apply-results
mkdir -p "$OUT"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

case $ALEMBIC in auto | yes | no) ;; *) die "ALEMBIC must be auto, yes or no (got '$ALEMBIC')" ;; esac
[ "$ROUNDS" -ge 1 ] 2>/dev/null || die "ROUNDS must be a positive integer"
for b in initdb pg_ctl postgres psql; do
    [ -x "$PGBIN/$b" ] || die "$PGBIN/$b not found (set PGBIN to a PostgreSQL bin directory)"
done
command -v hyperfine >/dev/null || die "hyperfine is missing (apt-get install hyperfine)"
command -v python3 >/dev/null || die "python3 is missing"
# The psql binary itself: /usr/bin/psql on Debian is a Perl wrapper that would add its own start-up
# time to every floor run.
PSQL_BIN=$PGBIN/psql

# --- retort ------------------------------------------------------------------------------------
say "building retort (release)"
(cd "$ROOT" && cargo build --release -p retort-cli >&2)
RETORT=${CARGO_TARGET_DIR:-$ROOT/target}/release/retort
RETORT=$(cd "$(dirname "$RETORT")" && pwd)/$(basename "$RETORT")

# --- Alembic (optional) ------------------------------------------------------------------------
ALEMBIC_NOTE=""
alembic_ok() {
    [ -x "$VENV/bin/alembic" ] && "$VENV/bin/python" - "$ALEMBIC_VERSION" <<'PY' >/dev/null 2>&1
import sys
import alembic, psycopg2  # noqa: F401
sys.exit(0 if alembic.__version__ == sys.argv[1] else 1)
PY
}
setup_alembic() { # -> 0 when the venv has Alembic 1.20.1 and psycopg2; logs to a file
    local log=$RESULTS/alembic-setup.log
    alembic_ok && return 0
    say "setting up the Alembic venv at ${VENV#"$ROOT"/} (log: ${log#"$ROOT"/})"
    {
        if [ -f "$ROOT/tests/alembic_diff/setup_venv.sh" ]; then
            ALEMBIC_VENV=$VENV bash "$ROOT/tests/alembic_diff/setup_venv.sh" "$VENV"
        else
            python3 -m venv "$VENV" &&
                "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
                    "alembic==$ALEMBIC_VERSION"
        fi &&
            "$VENV/bin/python" -m pip install -q --disable-pip-version-check psycopg2-binary
    } >"$log" 2>&1 || true
    alembic_ok
}
if [ "$ALEMBIC" != no ]; then
    if setup_alembic; then
        ALEMBIC_BIN=$VENV/bin/alembic
    elif [ "$ALEMBIC" = yes ]; then
        cat "$RESULTS/alembic-setup.log" >&2 || true
        die "could not set up Alembic $ALEMBIC_VERSION + psycopg2 in $VENV"
    else
        ALEMBIC=no
        ALEMBIC_NOTE="Alembic skipped: no venv with Alembic $ALEMBIC_VERSION and psycopg2 could be set up (see apply-results/alembic-setup.log)"
        say "$ALEMBIC_NOTE"
    fi
else
    ALEMBIC_NOTE="Alembic skipped (ALEMBIC=no)"
fi

# --- inputs ------------------------------------------------------------------------------------
say "generating $COUNT migrations into ${DATA#"$ROOT"/}"
gen_args=(--out "$DATA" --count "$COUNT" --force)
[ "$ALEMBIC" != no ] && gen_args+=(--alembic)
python3 "$HERE/gen_apply.py" "${gen_args[@]}"
LAST_REV=$(sed -n 's/.* last=\([0-9a-f]*\) .*/\1/p' "$DATA/INFO.txt")
[ -n "$LAST_REV" ] || die "could not read the last revision from $DATA/INFO.txt"

# --- the throwaway PostgreSQL ------------------------------------------------------------------
# initdb and postgres refuse to run as root: as root, run them as the `postgres` user.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
PGTMP=$(mktemp -d "$PG_PARENT/retort-apply-bench.XXXXXX")
# A unix socket path has at most 107 bytes.
[ ${#PGTMP} -le 90 ] || { rmdir "$PGTMP"; die "PG_PARENT is too long for a unix socket path"; }
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
say "starting PostgreSQL in $PGTMP (unix socket only, port $PORT, fsync on)"
as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C \
    >"$RESULTS/initdb.log" 2>&1 || { cat "$RESULTS/initdb.log" >&2; die "initdb failed"; }
PG_STARTED=1
as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$PGTMP' -p $PORT -c synchronous_commit=$SYNC_COMMIT" start \
    >/dev/null || { cat "$PGTMP/server.log" >&2; die "PostgreSQL did not start"; }
PG_VERSION=$("$PSQL_BIN" -X -At -h "$PGTMP" -p "$PORT" -U postgres -d postgres -c 'SHOW server_version')
FSYNC=$("$PSQL_BIN" -X -At -h "$PGTMP" -p "$PORT" -U postgres -d postgres \
    -c "SELECT current_setting('fsync') || '/' || current_setting('synchronous_commit') || '/' || current_setting('wal_sync_method')")
[ "${FSYNC%%/*}" = on ] || die "fsync is not on in the benchmark server"

sql() { # database, sql -> rows (unaligned, tuples only); fails loudly
    "$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 -h "$PGTMP" -p "$PORT" -U postgres -d "$1" -c "$2"
}
url_for() { # database -> the URL retort takes for a unix socket
    printf 'postgresql://postgres@%s:%s/%s' "${PGTMP//\//%2F}" "$PORT" "$1"
}
reset_db() { # database: drop, create empty, checkpoint (so no run pays for an earlier one's)
    PGOPTIONS='-c client_min_messages=warning' \
        "$PSQL_BIN" -X -q -v ON_ERROR_STOP=1 -h "$PGTMP" -p "$PORT" -U postgres -d postgres \
        -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" -c "CHECKPOINT" >/dev/null
}
count_tables() { # database -> number of t_NNNN tables in public
    sql "$1" "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname ~ '^t_[0-9]{4}\$'"
}

# --- contenders --------------------------------------------------------------------------------
# Each is run from its project directory with stdout/stderr to a log file (retort and Alembic
# both print one "Running upgrade" line per migration to stderr, as users see them).
DB_psql=bench_psql
DB_retort=bench_retort
DB_alembic=bench_alembic
WRAP=() # a command prefix for the strace runs below; empty for the timed runs
run_psql() {
    cd "$DATA" && "${WRAP[@]}" "$PSQL_BIN" -X -q -v ON_ERROR_STOP=1 -h "$PGTMP" -p "$PORT" -U postgres \
        -d "$DB_psql" -f floor.sql
}
run_retort() {
    cd "$DATA/retort" && "${WRAP[@]}" "$RETORT" --database-url "$(url_for "$DB_retort")" upgrade head
}
run_alembic() {
    cd "$DATA/alembic" &&
        BENCH_DATABASE_URL="postgresql+psycopg2://postgres@/$DB_alembic?host=$PGTMP&port=$PORT" \
            "${WRAP[@]}" "$ALEMBIC_BIN" upgrade head
}
check() { # contender -> fails loudly unless the database holds all COUNT tables (and versions)
    local who=$1 db=${DB_NAMES[$1]} tables v
    tables=$(count_tables "$db")
    [ "$tables" = "$COUNT" ] || die "$who: $tables t_NNNN tables in $db after the run, expected $COUNT"
    case $who in
    retort)
        v=$(sql "$db" "SELECT string_agg(version_num, ',') FROM retort_version")
        [ "$v" = "$LAST_REV" ] || die "retort: retort_version holds '$v', expected '$LAST_REV'"
        v=$(sql "$db" "SELECT count(*) FROM retort_history WHERE direction = 'up' AND status = 'applied'")
        [ "$v" = "$COUNT" ] || die "retort: retort_history has $v applied rows, expected $COUNT"
        ;;
    alembic)
        v=$(sql "$db" "SELECT string_agg(version_num, ',') FROM alembic_version")
        [ "$v" = "$LAST_REV" ] || die "alembic: alembic_version holds '$v', expected '$LAST_REV'"
        ;;
    esac
    CHECKS[$who]=$((${CHECKS[$who]:-0} + 1))
}
timed() { # contender, label -> appends "contender label wall_ns cpu_s" to times.tsv
    local who=$1 label=$2 t0 t1 rc=0 cpu log=$RESULTS/$1-$2.log
    reset_db "${DB_NAMES[$who]}"
    # Wall clock from date; user+system CPU of the client process(es) from bash's `time`
    # keyword (no extra process in between).
    t0=$(date +%s%N)
    { time ("run_$who" >"$log" 2>&1) || rc=$?; } 2>"$RESULTS/.cpu"
    t1=$(date +%s%N)
    if [ "$rc" != 0 ]; then
        echo "error: $who ($label) failed with exit $rc; its output, verbatim:" >&2
        cat "$log" >&2
        exit 1
    fi
    check "$who"
    cpu=$(awk '{ print $1 + $2 }' "$RESULTS/.cpu")
    printf '%s\t%s\t%s\t%s\n' "$who" "$label" "$((t1 - t0))" "$cpu" >>"$RESULTS/times.tsv"
    say "$(awk -v w="$who" -v l="$label" -v ns="$((t1 - t0))" 'BEGIN { printf "%-8s %-8s %8.3f s", w, l, ns / 1e9 }')"
}
TIMEFORMAT='%3U %3S'
declare -A CHECKS DB_NAMES=([psql]=$DB_psql [retort]=$DB_retort [alembic]=$DB_alembic)
CONTENDERS=(psql retort)
[ "$ALEMBIC" != no ] && CONTENDERS+=(alembic)

# Round-robin: each round runs every contender once, so slow drift of the machine hits all alike.
: >"$RESULTS/times.tsv"
for w in $(seq 1 "$WARMUP"); do
    for who in "${CONTENDERS[@]}"; do timed "$who" "warmup$w"; done
done
for r in $(seq 1 "$ROUNDS"); do
    for who in "${CONTENDERS[@]}"; do timed "$who" "round$r"; done
done

# --- no-op: already at head --------------------------------------------------------------------
say "hyperfine: retort upgrade head at head ($NOOP_RUNS runs)"
(cd "$DATA/retort" && hyperfine -N --style basic --output=pipe --warmup 3 --runs "$NOOP_RUNS" \
    --export-json "$RESULTS/retort-noop.json" --command-name "retort no-op" \
    "$RETORT --database-url $(url_for "$DB_retort") upgrade head" >&2)
("run_retort" >"$RESULTS/retort-noop.log" 2>&1) ||
    { cat "$RESULTS/retort-noop.log" >&2; die "the no-op retort run failed"; }
grep -q "Nothing to upgrade" "$RESULTS/retort-noop.log" ||
    { cat "$RESULTS/retort-noop.log" >&2; die "the no-op retort run did not say 'Nothing to upgrade'"; }
check retort
say "hyperfine: psql connect + SELECT 1 (the connection floor of the no-op row)"
hyperfine -N --style basic --output=pipe --warmup 3 --runs "$NOOP_RUNS" \
    --export-json "$RESULTS/psql-select1.json" --command-name "psql SELECT 1" \
    "$PSQL_BIN -X -q -h $PGTMP -p $PORT -U postgres -d $DB_retort -c 'SELECT 1'" >&2
if [ "$ALEMBIC" != no ]; then
    say "hyperfine: alembic upgrade head at head (3 runs)"
    (cd "$DATA/alembic" &&
        BENCH_DATABASE_URL="postgresql+psycopg2://postgres@/$DB_alembic?host=$PGTMP&port=$PORT" \
            hyperfine -N --style basic --output=pipe --warmup 1 --runs 3 \
            --export-json "$RESULTS/alembic-noop.json" --command-name "alembic no-op" \
            "$ALEMBIC_BIN upgrade head" >&2)
fi

# --- round trips: syscalls of one psql and one retort run --------------------------------------
[ "$STRACE" = auto ] && { command -v strace >/dev/null && STRACE=1 || STRACE=0; }
ROUND_TRIPS=""
if [ "$STRACE" = 1 ]; then
    command -v strace >/dev/null || die "STRACE=1 needs strace"
    for who in psql retort; do
        say "strace -c -f of one $who run"
        reset_db "${DB_NAMES[$who]}"
        WRAP=(strace -c -f -o "$RESULTS/$who-strace.txt")
        ("run_$who") >"$RESULTS/$who-strace.log" 2>&1 ||
            { cat "$RESULTS/$who-strace.log" >&2; die "$who failed under strace"; }
        WRAP=()
        check "$who"
        n=$(awk '$NF == "sendto" { print $4 }' "$RESULTS/$who-strace.txt")
        ROUND_TRIPS="$ROUND_TRIPS${ROUND_TRIPS:+; }$who ${n:-?} sendto calls"
    done
    ROUND_TRIPS="$ROUND_TRIPS for $COUNT migrations (strace -c -f; details in apply-results/*-strace.txt)"
fi

# --- report ------------------------------------------------------------------------------------
export RESULTS COUNT ROUNDS WARMUP NOOP_RUNS BUDGET_MS ALEMBIC ALEMBIC_NOTE ALEMBIC_VERSION \
    PG_VERSION FSYNC LAST_REV ROUND_TRIPS
export CHECK_PSQL=${CHECKS[psql]:-0} CHECK_RETORT=${CHECKS[retort]:-0} CHECK_ALEMBIC=${CHECKS[alembic]:-0}
export RETORT_VERSION=$("$RETORT" --version)
export HYPERFINE_VERSION=$(hyperfine --version)
export CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
export NCPU=$(nproc)
export FSTYPE=$(df -T "$PGTMP" | awk 'NR == 2 { print $2 }')
export GIT_REV=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(
    cd "$ROOT" && git diff --quiet HEAD -- crates 2>/dev/null || echo "+dirty")
python3 - "$REPORT" <<'PY'
import json, os, statistics, sys

e = os.environ
res = e["RESULTS"]
count = int(e["COUNT"])
budget = float(e["BUDGET_MS"])
wall, cpu = {}, {}
for line in open(os.path.join(res, "times.tsv")):
    who, label, ns, cpu_s = line.split("\t")
    if label.startswith("round"):
        wall.setdefault(who, {})[label] = int(ns) / 1e9
        cpu.setdefault(who, {})[label] = float(cpu_s)

med = {who: statistics.median(v.values()) for who, v in wall.items()}
floor = med["psql"]

def paired(who):  # per round: (who - psql) in ms per migration
    return [(wall[who][l] - wall["psql"][l]) / count * 1000 for l in sorted(wall[who])]

def median_ci(xs):
    """Distribution-free confidence interval of the median from order statistics: [x(k), x(n+1-k)]
    with the largest k such that P(Binomial(n, 1/2) < k) <= 5% (so >= 90% two-sided; with 5
    rounds it is [min, max], 94%). None when n is too small."""
    from math import comb
    xs, n = sorted(xs), len(xs)
    k, below = 0, 0.0
    while True:
        below += comb(n, k) / 2 ** n  # P(B <= k)
        if below > 0.05:
            break
        k += 1
    if k == 0:
        return None
    cover = 1 - 2 * sum(comb(n, i) for i in range(k)) / 2 ** n
    return xs[k - 1], xs[n - k], cover

names = {
    "psql": "psql, one transaction per migration (floor)",
    "retort": "`retort upgrade head`",
    "alembic": "`alembic upgrade head` (Alembic %s, psycopg2)" % e["ALEMBIC_VERSION"],
}
lines = [
    "| contender | median total s | min … max s | ms / migration | overhead / migration vs psql, ms (difference of medians) | overhead, ms: median of per-round differences [confidence interval] | client CPU ms / migration | budget (< %g ms) |" % budget,
    "|---|---:|---:|---:|---:|---:|---:|---|",
]
for who in ("psql", "retort", "alembic"):
    if who not in med:
        continue
    v = list(wall[who].values())
    per = med[who] / count * 1000
    over = (med[who] - floor) / count * 1000
    pmed = statistics.median(paired(who))
    ci = median_ci(paired(who))
    pcol = "%+.3f" % pmed + (" [%+.3f, %+.3f] (%.0f%%)" % (ci[0], ci[1], ci[2] * 100) if ci else "")
    verdict = ""
    if who == "retort":
        # Judged on the paired differences, whose rounds share the machine's state: pass when
        # the whole confidence interval is under the budget, FAIL when it is all over it.
        if ci is None:
            verdict = "inconclusive (too few rounds for a confidence interval)"
        elif ci[1] < budget:
            verdict = "pass"
        elif ci[0] >= budget:
            verdict = "**FAIL**"
        else:
            verdict = "inconclusive (too noisy: the interval straddles %g ms; rerun with more ROUNDS, on a quiet machine, or PG_PARENT=/dev/shm)" % budget
    lines.append("| %s | %.3f | %.3f … %.3f | %.3f | %s | %s | %.3f | %s |" % (
        names[who], med[who], min(v), max(v), per,
        "0 (floor)" if who == "psql" else "%+.3f" % over,
        "0 (floor)" if who == "psql" else pcol,
        statistics.median(cpu[who].values()) / count * 1000, verdict))

def hf(name):
    p = os.path.join(res, name + ".json")
    if not os.path.exists(p):
        return None
    r = json.load(open(p))["results"][0]
    return r["median"] * 1000, r["min"] * 1000, r["max"] * 1000, (r["user"] + r["system"]) * 1000

noop = ["", "| no-op / reference | median ms | min … max ms | mean client CPU ms |",
        "|---|---:|---:|---:|"]
for name, label in (("retort-noop", "`retort upgrade head` at head (no-op: start, connect, lock, read versions, verify checksums)"),
                    ("alembic-noop", "`alembic upgrade head` at head (no-op)"),
                    ("psql-select1", "`psql -c 'SELECT 1'` (connect-and-query floor of a no-op)")):
    r = hf(name)
    if r:
        noop.append("| %s | %.1f | %.1f … %.1f | %.1f |" % ((label,) + r))

checks = ", ".join("%s %s" % (who, e["CHECK_" + who.upper()])
                   for who in ("psql", "retort", "alembic") if e["CHECK_" + who.upper()] != "0")
notes = [
    "",
    "- %d linear migrations, each `CREATE TABLE t_NNNN (id bigint primary key, name text not null, created_at timestamptz default now());` in its own transaction; a fresh empty database (and a CHECKPOINT) before each run; median of %s rounds after %s warmup round(s), contenders interleaved round by round"
    % (count, e["ROUNDS"], e["WARMUP"]),
    "- per-round totals (s): " + "; ".join(
        "%s %s" % (who, " ".join("%.2f" % wall[who][l] for l in sorted(wall[who])))
        for who in ("psql", "retort", "alembic") if who in wall),
]
for who in ("retort", "alembic"):
    if who in wall:
        notes.append("- %s overhead per round (ms/migration, %s − psql of the same round): %s"
                     % (who, who, ", ".join("%+.3f" % p for p in paired(who))))
notes += [
    "- checks passed after every run (all %d t_NNNN tables present; retort_version / alembic_version = %s; retort_history has %d applied rows), runs checked: %s"
    % (count, e["LAST_REV"], count, checks),
]
if e["ROUND_TRIPS"]:
    notes.append("- round trips: " + e["ROUND_TRIPS"])
notes += [
    "- no-op rows: hyperfine -N, median of %s runs (Alembic: 3)" % e["NOOP_RUNS"],
    "- PostgreSQL %s (fsync/synchronous_commit/wal_sync_method = %s), data dir on %s, unix socket; %s (commit %s); %s"
    % (e["PG_VERSION"], e["FSYNC"], e["FSTYPE"], e["RETORT_VERSION"], e["GIT_REV"], e["HYPERFINE_VERSION"]),
    "- machine: %s CPU(s), %s; load average at the end: %s" % (e["NCPU"], e["CPU"], " ".join(open("/proc/loadavg").read().split()[0:3])),
]
if e["ALEMBIC_NOTE"]:
    notes.append("- " + e["ALEMBIC_NOTE"])
text = "\n".join(lines + noop + notes) + "\n"
with open(sys.argv[1], "w") as f:
    f.write(text)
print(text, end="")
PY
say "written ${REPORT#"$ROOT"/}"
