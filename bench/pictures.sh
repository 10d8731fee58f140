#!/usr/bin/env bash
# Pictures benchmark: `retort schema erd` (SVG, Mermaid, DOT, HTML) and `retort doc` on a
# TABLES-table schema model (gen_model.py; a JSON side, so no database: the time is the
# drawing and writing only, "beyond introspection"). Median of RUNS runs each, release build.
# Prints a markdown table and writes it to bench/out/pictures.md. Budget: BUDGET_MS (1000).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
TABLES=${TABLES:-500}
RUNS=${RUNS:-10}
BUDGET_MS=${BUDGET_MS:-1000}
RETORT=${RETORT:-$ROOT/target/release/retort}
mkdir -p "$OUT"
[ -x "$RETORT" ] || (cd "$ROOT" && cargo build --release -p retort-cli)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 "$HERE/gen_model.py" --tables "$TABLES" > "$WORK/model.json"
cd "$WORK"

median_ms() { # command... → median wall time in ms over RUNS runs
  python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - start) * 1000)
print(f"{statistics.median(times):.0f}")
PY
}

{
  echo "| command ($TABLES tables, JSON model) | median ms | verdict (< $BUDGET_MS ms) |"
  echo "| --- | ---: | --- |"
  for args in "schema erd model.json --format svg" "schema erd model.json --format mermaid" \
              "schema erd model.json --format dot" "schema erd model.json --format html" \
              "doc model.json -o site"; do
    # shellcheck disable=SC2086
    ms=$(median_ms "$RETORT" $args)
    verdict=ok; [ "$ms" -lt "$BUDGET_MS" ] || verdict=OVER
    echo "| \`retort $args\` | $ms | $verdict |"
  done
  echo
  echo "Site: $(find site -type f | wc -l) files, $(du -sh site | cut -f1); SVG ERD: $("$RETORT" schema erd model.json | wc -c) bytes. $(nproc) cores, $(date -u +%Y-%m-%d)."
} | tee "$OUT/pictures.md"
