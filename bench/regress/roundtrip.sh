#!/usr/bin/env bash
# Round trip of the regression database through retort (run after load.sh, same PORT).
# usage: roundtrip.sh RETORT_BINARY OUTDIR
# Writes into OUTDIR: dump.sql (+ dump.err), unsupported.txt, load_stop.log (ON_ERROR_STOP=1
# load: the first error), load_all.log (every error, loading on), compare_dump.txt (pg_dump of
# the source vs the reloaded copy, by kind), and for the diff: up.sql/down.sql, their loads and
# comparisons. DB (default regression) names the source database.
set -u
RETORT=$(realpath "${1:?usage: roundtrip.sh RETORT OUTDIR}"); OUT=${2:?}
PORT=${PORT:-54915}
HERE=$(cd "$(dirname "$0")" && pwd)
BASE=postgres://postgres@127.0.0.1:$PORT
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
mkdir -p "$OUT"
q() { psql -X -q -d postgres -c "$1" >/dev/null; }
fresh() { q "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; q "CREATE DATABASE $1 TEMPLATE template0 ${2:-}"; }

# 1. dump -> load -> compare
/usr/bin/time -f "dump secs=%e" "$RETORT" schema dump --database-url "$BASE/${DB:-regression}" >"$OUT/dump.sql" 2>"$OUT/dump.err"
echo "dump exit=$?" >>"$OUT/dump.err"
grep '^-- unsupported:' "$OUT/dump.sql" >"$OUT/unsupported.txt"
fresh rt_stop; fresh rt_all
psql -X -q -v ON_ERROR_STOP=1 -d rt_stop -f "$OUT/dump.sql" >"$OUT/load_stop.log" 2>&1; echo "load ON_ERROR_STOP exit=$?" >>"$OUT/load_stop.log"
psql -X -q -d rt_all -f "$OUT/dump.sql" >"$OUT/load_all.log" 2>&1
python3 "$HERE/compare.py" "$BASE" ${DB:-regression} rt_all --list >"$OUT/compare_dump.txt"
# the models too: retort's own diff from the source to the reloaded copy should be empty
"$RETORT" diff "$BASE/${DB:-regression}" "$BASE/rt_all" >"$OUT/model_diff.sql" 2>"$OUT/model_diff.err"; echo "model diff exit=$?" >>"$OUT/model_diff.err"

# 2. diff empty -> source (up) and source -> empty (down)
fresh d_empty; fresh d_up
"$RETORT" diff "$BASE/d_empty" "$BASE/${DB:-regression}" >"$OUT/up.sql" 2>"$OUT/up.err"; echo "diff up exit=$?" >>"$OUT/up.err"
psql -X -q -v ON_ERROR_STOP=1 -d d_up -f "$OUT/up.sql" >"$OUT/up_load_stop.log" 2>&1; echo "exit=$?" >>"$OUT/up_load_stop.log"
python3 "$HERE/compare.py" "$BASE" ${DB:-regression} d_up --list >"$OUT/compare_up.txt"
fresh d_up_all
psql -X -q -d d_up_all -f "$OUT/up.sql" >"$OUT/up_load_all.log" 2>&1
python3 "$HERE/compare.py" "$BASE" ${DB:-regression} d_up_all --list >"$OUT/compare_up_all.txt"
"$RETORT" diff "$BASE/d_up" "$BASE/${DB:-regression}" >"$OUT/rediff.sql" 2>"$OUT/rediff.err"; echo "rediff exit=$?" >>"$OUT/rediff.err"
q "DROP DATABASE IF EXISTS d_down WITH (FORCE)"; q "CREATE DATABASE d_down TEMPLATE ${DB:-regression}"
"$RETORT" diff "$BASE/${DB:-regression}" "$BASE/d_empty" >"$OUT/down.sql" 2>"$OUT/down.err"; echo "diff down exit=$?" >>"$OUT/down.err"
psql -X -q -v ON_ERROR_STOP=1 -d d_down -f "$OUT/down.sql" >"$OUT/down_load_stop.log" 2>&1; echo "exit=$?" >>"$OUT/down_load_stop.log"
python3 "$HERE/compare.py" "$BASE" d_empty d_down --list >"$OUT/compare_down.txt"
for f in dump.err load_stop.log model_diff.err up.err up_load_stop.log rediff.err down.err down_load_stop.log; do echo "== $f"; tail -3 "$OUT/$f"; done
echo "== unsupported: $(wc -l <"$OUT/unsupported.txt")"; echo "== load errors (loading on): dump $(grep -c 'ERROR:' "$OUT/load_all.log"), up $(grep -c 'ERROR:' "$OUT/up_load_all.log")"
head -1 "$OUT/compare_dump.txt"; head -1 "$OUT/compare_up_all.txt"
