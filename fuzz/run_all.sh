#!/bin/sh
# Run each fuzz target for $1 seconds (default 600), one after another, on one core.
# Logs go to fuzz/logs/<target>.log; libFuzzer's final stats are at the end of each.
set -u
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=${*:-header splitter target config}
for t in $targets; do
    nice -n 19 cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
        -max_total_time="$secs" -jobs=1 -print_final_stats=1 > "logs/$t.log" 2>&1
    echo "$t exit $?" >> logs/summary.txt
    # With -jobs, libFuzzer's own output (stats, crashes) goes to fuzz-0.log.
    mv fuzz-0.log "logs/$t.libfuzzer.log"
done
