#!/usr/bin/env bash
# `retort heads` / `retort history` on the 10,000-revision graph of run.sh, warm (header cache
# present), cold (cache deleted before the run, not timed) and with RETORT_NO_CACHE=1, in
# interleaved rounds: each round runs every variant once, in turn, so load from other jobs on the
# shared machine falls on all of them alike. Wall time of the whole process (fork, exec, read,
# print to a pipe, exit) with `date +%s%N`; prints median, quartiles and min per variant.
#
#   bench/cache.sh                      # 30 rounds after 3 untimed ones
#   ROUNDS=50 nice -n -20 bench/cache.sh  # ahead of other jobs' builds (root only)
#
# Knobs: ROUNDS (30), WARMUP (3), REVISIONS (10000), SEED (1), RETORT (the binary; default:
# build target/release/retort).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ROUNDS=${ROUNDS:-30}
WARMUP=${WARMUP:-3}
REVISIONS=${REVISIONS:-10000}
SEED=${SEED:-1}
DATA=$HERE/out/revs${REVISIONS}_seed${SEED}
OUT=$HERE/out/cache-times.tsv

if [ -z "${RETORT:-}" ]; then
    (cd "$ROOT" && cargo build --release -p retort-cli >&2)
    RETORT=${CARGO_TARGET_DIR:-$ROOT/target}/release/retort
fi
RETORT=$(cd "$(dirname "$RETORT")" && pwd)/$(basename "$RETORT")
if [ ! -f "$DATA/GRAPH.txt" ]; then
    python3 "$HERE/gen_revisions.py" --out "$DATA" --revisions "$REVISIONS" --seed "$SEED" \
        --alembic --force >&2
fi
cd "$DATA"

# One timed run of a variant: prints milliseconds. Output goes through a pipe, as in
# `retort history | less`.
timed() { # variant command
    local variant=$1 cmd=$2 start end
    [ "$variant" = cold ] && rm -rf .retort/cache
    if [ "$variant" = nocache ]; then
        start=$(date +%s%N)
        RETORT_NO_CACHE=1 "$RETORT" "$cmd" | cat >/dev/null
        end=$(date +%s%N)
    else
        start=$(date +%s%N)
        "$RETORT" "$cmd" | cat >/dev/null
        end=$(date +%s%N)
    fi
    echo $(((end - start) / 1000))
}

# The cached and uncached outputs must be identical.
for cmd in heads history; do
    a=$("$RETORT" "$cmd" | sha256sum)
    b=$("$RETORT" "$cmd" | sha256sum)
    c=$(RETORT_NO_CACHE=1 "$RETORT" "$cmd" | sha256sum)
    if [ "$a" != "$b" ] || [ "$a" != "$c" ]; then
        echo "error: retort $cmd prints something else with the cache" >&2
        exit 1
    fi
done

printf 'round\tvariant\tcommand\tus\n' >"$OUT"
for round in $(seq $((WARMUP + ROUNDS))); do
    for cmd in heads history; do
        for variant in warm nocache cold; do
            us=$(timed "$variant" "$cmd")
            [ "$round" -gt "$WARMUP" ] && printf '%s\t%s\t%s\t%s\n' "$round" "$variant" "$cmd" "$us" >>"$OUT"
        done
        # Leave the cache in place for the next warm run.
        "$RETORT" "$cmd" >/dev/null
    done
done

python3 - "$OUT" "$ROUNDS" "$(uptime)" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("| command | variant | median ms | quartiles ms | min ms |")
print("|---|---|---:|---:|---:|")
names = {"warm": "warm (cache present)", "cold": "cold (no cache: writes it)",
         "nocache": "RETORT_NO_CACHE=1"}
for cmd in ("heads", "history"):
    for v in ("warm", "cold", "nocache"):
        xs = sorted(int(r["us"]) / 1000 for r in rows if r["command"] == cmd and r["variant"] == v)
        q = statistics.quantiles(xs, n=4)
        print("| `retort %s` | %s | %.1f | %.1f … %.1f | %.1f |"
              % (cmd, names[v], statistics.median(xs), q[0], q[2], xs[0]))
print()
print("%s rounds; load at the end:%s" % (sys.argv[2], sys.argv[3].split("load average:")[-1]))
PY
