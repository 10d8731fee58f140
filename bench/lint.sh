#!/usr/bin/env bash
# Benchmark `retort lint` (static: no database) on 1,000 generated revisions whose up sections
# mix what migrations hold (CREATE TABLE with indexes, ADD COLUMN, constraints, a type change,
# a non-transactional CREATE INDEX CONCURRENTLY every tenth revision), beside squawk-cli on
# the same SQL when it is installed. Prints a markdown table and writes bench/out/lint.md.
#
#   REVISIONS=1000 RUNS=10 WARMUP=2 BUDGET_MS=1000
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
REVISIONS=${REVISIONS:-1000}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
BUDGET_MS=${BUDGET_MS:-1000}
DATA=$OUT/lint_revs$REVISIONS
mkdir -p "$OUT"

say() { printf '==> %s\n' "$*" >&2; }

say "building retort (release)"
(cd "$ROOT" && cargo build --release -q -p retort-cli)
RETORT=$ROOT/target/release/retort

say "generating $REVISIONS revisions in $DATA"
rm -rf "$DATA" && mkdir -p "$DATA/migrations" "$DATA/sql"
printf 'script_location = "migrations"\nheader_cache = false\n' > "$DATA/retort.toml"
python3 - "$DATA" "$REVISIONS" <<'PY'
import sys, os
data, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    down = "" if i == 0 else f"r{i-1:05d}"
    tx = "false" if i % 10 == 9 else "true"
    if tx == "false":
        up = f"SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t{i-1}_email_idx ON t{i-1} (email);\n"
    else:
        up = (f"CREATE TABLE t{i} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
              f"    email varchar(255) NOT NULL,\n    n integer DEFAULT 0,\n    created_at timestamp DEFAULT now(),\n"
              f"    note text DEFAULT 'it''s -- not a comment; DROP TABLE x'\n);\n"
              f"CREATE INDEX t{i}_created_idx ON t{i} (created_at);\n")
        if i > 0:
            up += (f"ALTER TABLE t{i-1} ADD COLUMN flag boolean DEFAULT false;\n"
                   f"ALTER TABLE t{i-1} ADD CONSTRAINT t{i-1}_n_check CHECK (n >= 0) NOT VALID;\n"
                   f"ALTER TABLE t{i-1} ALTER COLUMN n TYPE bigint;\n"
                   f"DO $$ BEGIN PERFORM 1; END $$;\n")
    with open(f"{data}/migrations/{i:05d}_r{i:05d}.sql", "w") as f:
        f.write(f"-- revision: r{i:05d}\n-- down_revision: {down}\n-- message: step {i}\n-- transactional: {tx}\n\n-- retort:up\n{up}\n-- retort:down\n")
    with open(f"{data}/sql/{i:05d}.sql", "w") as f:
        f.write(up)
PY

cd "$DATA"
FINDINGS=$("$RETORT" lint --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))' || true)
say "retort lint: $FINDINGS findings"
rows=()
if command -v hyperfine >/dev/null; then
    hyperfine -N --runs "$RUNS" --warmup "$WARMUP" --ignore-failure --export-json "$OUT/lint_retort.json" "$RETORT lint" >&2
    ms=$(python3 -c 'import json; r=json.load(open("'"$OUT"'/lint_retort.json"))["results"][0]; print(f"{r["mean"]*1000:.0f} ± {r["stddev"]*1000:.0f}")')
else
    s=$(date +%s%N); for _ in $(seq "$RUNS"); do "$RETORT" lint >/dev/null || true; done; e=$(date +%s%N)
    ms=$(( (e - s) / 1000000 / RUNS ))
fi
rows+=("| retort lint (1 process, $REVISIONS revision files) | $ms ms |")
if command -v squawk >/dev/null; then
    s=$(date +%s%N); squawk --assume-in-transaction sql/*.sql >/dev/null 2>&1 || true; e=$(date +%s%N)
    rows+=("| squawk $(squawk --version | cut -d' ' -f2) (same up sections as plain SQL files, 1 run) | $(( (e - s) / 1000000 )) ms |")
fi
{
    echo "| command | time |"
    echo "| --- | --- |"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Budget: ${BUDGET_MS} ms for $REVISIONS revisions ($(nproc) cores, $(date -u +%Y-%m-%d))."
} | tee "$OUT/lint.md"
