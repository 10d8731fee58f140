#!/usr/bin/env bash
# Benchmark `retort heads` / `retort history` against Alembic 1.20.1 on one generated graph of
# 10,000 revisions (see README.md). Prints a markdown table and writes it to
# bench/out/history_heads.md.
#
# Environment knobs (all optional):
#   REVISIONS=10000 SEED=1         graph to generate (bench/out/revs<REVISIONS>_seed<SEED>/)
#   RUNS=20 WARMUP=3               hyperfine runs for retort
#   ALEMBIC_RUNS=5 ALEMBIC_WARMUP=1  hyperfine runs for Alembic (seconds per run)
#   RSS_RUNS=5                     /usr/bin/time runs per command (max RSS is the max over them)
#   ALEMBIC_VENV=bench/out/alembic-venv
#   BUDGET_MS=50 BUDGET_MB=50      the budget each retort command is checked against
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
REVISIONS=${REVISIONS:-10000}
SEED=${SEED:-1}
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
ALEMBIC_RUNS=${ALEMBIC_RUNS:-5}
ALEMBIC_WARMUP=${ALEMBIC_WARMUP:-1}
RSS_RUNS=${RSS_RUNS:-5}
BUDGET_MS=${BUDGET_MS:-50}
BUDGET_MB=${BUDGET_MB:-50}
ALEMBIC_VERSION=1.20.1
VENV=${ALEMBIC_VENV:-$OUT/alembic-venv}
DATA=$OUT/revs${REVISIONS}_seed${SEED}
RESULTS=$OUT/results
mkdir -p "$OUT" "$RESULTS"

say() { printf '==> %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------------------
APT_UPDATED=0
apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "error: $1 is missing; install it (apt-get install -y $1) or run as root" >&2
        exit 1
    fi
    if [ "$APT_UPDATED" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >&2
}
command -v hyperfine >/dev/null || { say "installing hyperfine"; apt_install hyperfine; }
[ -x /usr/bin/time ] || { say "installing time"; apt_install time; }

# --- retort ------------------------------------------------------------------------------------
say "building retort (release)"
(cd "$ROOT" && cargo build --release -p retort-cli >&2)
RETORT=${CARGO_TARGET_DIR:-$ROOT/target}/release/retort
RETORT=$(cd "$(dirname "$RETORT")" && pwd)/$(basename "$RETORT")

# --- the graph ---------------------------------------------------------------------------------
if [ ! -f "$DATA/GRAPH.txt" ] || [ "$HERE/gen_revisions.py" -nt "$DATA/GRAPH.txt" ]; then
    say "generating $REVISIONS revisions (seed $SEED) into ${DATA#"$ROOT"/}"
    python3 "$HERE/gen_revisions.py" --out "$DATA" --revisions "$REVISIONS" --seed "$SEED" \
        --alembic --force >&2
fi
GRAPH_INFO=$(sed -n 2p "$DATA/GRAPH.txt")

# --- Alembic -----------------------------------------------------------------------------------
alembic_ok() {
    [ -x "$VENV/bin/alembic" ] &&
        [ "$("$VENV/bin/python" -c 'import alembic; print(alembic.__version__)' 2>/dev/null)" = "$ALEMBIC_VERSION" ]
}
if ! alembic_ok; then
    SETUP=$ROOT/tests/alembic_diff/setup_venv.sh
    if [ -f "$SETUP" ]; then
        say "creating the Alembic venv with ${SETUP#"$ROOT"/}"
        ALEMBIC_VENV=$VENV bash "$SETUP" "$VENV" >&2
    fi
    if ! alembic_ok; then
        say "creating the Alembic venv at ${VENV#"$ROOT"/}"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q "alembic==$ALEMBIC_VERSION" >&2
    fi
    alembic_ok || { echo "error: no alembic $ALEMBIC_VERSION in $VENV" >&2; exit 1; }
fi
ALEMBIC=$VENV/bin/alembic
# Let Python cache bytecode for the 10,000 version files, as it does for a user (the warmup runs
# write versions/__pycache__); this is Alembic's best case.
unset PYTHONDONTWRITEBYTECODE

# --- sanity: both tools run and agree ----------------------------------------------------------
run_checked() { # dir, output file, command...
    local dir=$1 out=$2; shift 2
    local rc=0
    (cd "$dir" && "$@") >"$out" 2>"$out.err" || rc=$?
    if [ "$rc" != 0 ]; then
        echo "error: \`$*\` failed in $dir (exit $rc); its stderr, verbatim:" >&2
        cat "$out.err" >&2
        exit 1
    fi
}
say "checking outputs"
run_checked "$DATA" "$RESULTS/retort-heads.txt" "$RETORT" heads
run_checked "$DATA" "$RESULTS/retort-history.txt" "$RETORT" history
# The header cache (.retort/cache/headers, written by the runs above) must not change a byte.
run_checked "$DATA" "$RESULTS/retort-heads-cached.txt" "$RETORT" heads
run_checked "$DATA" "$RESULTS/retort-history-cached.txt" "$RETORT" history
RETORT_NO_CACHE=1 run_checked "$DATA" "$RESULTS/retort-heads-nocache.txt" "$RETORT" heads
RETORT_NO_CACHE=1 run_checked "$DATA" "$RESULTS/retort-history-nocache.txt" "$RETORT" history
for cmd in heads history; do
    for variant in cached nocache; do
        if ! cmp -s "$RESULTS/retort-$cmd.txt" "$RESULTS/retort-$cmd-$variant.txt"; then
            echo "error: retort $cmd prints something else $variant" \
                "(diff $RESULTS/retort-$cmd.txt $RESULTS/retort-$cmd-$variant.txt)" >&2
            exit 1
        fi
    done
done
run_checked "$DATA/alembic" "$RESULTS/alembic-heads.txt" "$ALEMBIC" heads
run_checked "$DATA/alembic" "$RESULTS/alembic-history.txt" "$ALEMBIC" history
agree() { # alembic output, retort output -> one line saying how far they agree
    python3 - "$1" "$2" <<'PY'
import re, sys
a, b = (open(p).read().splitlines() for p in sys.argv[1:3])
# Alembic prints a revision's branch labels in Python set order (which changes with
# PYTHONHASHSEED); retort sorts them. Compare with every "(x, y)" group sorted.
def norm(lines):
    return [re.sub(r"\(([^()]*, [^()]*)\)",
                   lambda m: "(" + ", ".join(sorted(m.group(1).split(", "))) + ")", l)
            for l in lines]
if a == b:
    print("identical")
elif norm(a) == norm(b):
    print("identical up to the order of branch labels in a line (Alembic prints a set)")
elif sorted(norm(a)) == sorted(norm(b)):
    import difflib
    sm = difflib.SequenceMatcher(None, norm(a), norm(b), autojunk=False)
    moved = len(a) - sum(m.size for m in sm.get_matching_blocks())
    print("same %d lines, but %d of them in another place" % (len(a), moved))
else:
    print("DIFFERENT (diff %s %s)" % (sys.argv[1], sys.argv[2]))
PY
}
HEADS_AGREE=$(agree "$RESULTS/alembic-heads.txt" "$RESULTS/retort-heads.txt")
HISTORY_AGREE=$(agree "$RESULTS/alembic-history.txt" "$RESULTS/retort-history.txt")

# --- timing ------------------------------------------------------------------------------------
# -N: no intermediate shell; --output=pipe: stdout is a pipe (as in `retort history | less`),
# not /dev/null.
# PREPARE (optional) runs before each timed run; BENCH_ENV (optional) is set for the command.
bench() { # name, dir, warmup, runs, command...
    local name=$1 dir=$2 warmup=$3 runs=$4; shift 4
    say "hyperfine: $name"
    local prepare=()
    [ -n "${PREPARE:-}" ] && prepare=(--prepare "$PREPARE")
    (cd "$dir" && env ${BENCH_ENV:-} hyperfine -N --style basic --output=pipe \
        --warmup "$warmup" --runs "$runs" "${prepare[@]}" \
        --export-json "$RESULTS/$name.json" --command-name "$name" "$*" >&2)
}
rss() { # name, dir, runs, command... -> writes the max "Maximum resident set size" (kB)
    local name=$1 dir=$2 runs=$3; shift 3
    local max=0 kb
    for _ in $(seq "$runs"); do
        kb=$(cd "$dir" && /usr/bin/time -v "$@" 2>&1 >/dev/null |
            sed -n 's/.*Maximum resident set size (kbytes): *//p')
        [ "$kb" -gt "$max" ] && max=$kb
    done
    echo "$max" >"$RESULTS/$name.rss"
}

# Warm: the header cache is there (written by the warmup runs), as for any run after the first.
bench "retort heads" "$DATA" "$WARMUP" "$RUNS" "$RETORT" heads
bench "retort history" "$DATA" "$WARMUP" "$RUNS" "$RETORT" history
# Cold: the cache is deleted before each run (the first run in a fresh clone; it writes the cache).
PREPARE="rm -rf $DATA/.retort/cache" bench "retort heads (cold)" "$DATA" 1 "$RUNS" "$RETORT" heads
PREPARE="rm -rf $DATA/.retort/cache" bench "retort history (cold)" "$DATA" 1 "$RUNS" "$RETORT" history
# Without the cache at all (every file opened, as before the cache).
BENCH_ENV=RETORT_NO_CACHE=1 bench "retort heads (RETORT_NO_CACHE=1)" "$DATA" "$WARMUP" "$RUNS" "$RETORT" heads
BENCH_ENV=RETORT_NO_CACHE=1 bench "retort history (RETORT_NO_CACHE=1)" "$DATA" "$WARMUP" "$RUNS" "$RETORT" history
bench "retort --version" "$DATA" "$WARMUP" "$RUNS" "$RETORT" --version
bench "alembic heads" "$DATA/alembic" "$ALEMBIC_WARMUP" "$ALEMBIC_RUNS" "$ALEMBIC" heads
bench "alembic history" "$DATA/alembic" "$ALEMBIC_WARMUP" "$ALEMBIC_RUNS" "$ALEMBIC" history
bench "alembic --version" "$DATA/alembic" "$ALEMBIC_WARMUP" "$ALEMBIC_RUNS" "$ALEMBIC" --version

say "measuring peak memory (/usr/bin/time -v)"
rss "retort heads" "$DATA" "$RSS_RUNS" "$RETORT" heads
rss "retort history" "$DATA" "$RSS_RUNS" "$RETORT" history
rss "retort --version" "$DATA" "$RSS_RUNS" "$RETORT" --version
for cmd in heads history; do
    rss "retort $cmd (cold)" "$DATA" "$RSS_RUNS" sh -c "rm -rf .retort/cache && exec '$RETORT' $cmd"
    rss "retort $cmd (RETORT_NO_CACHE=1)" "$DATA" "$RSS_RUNS" env RETORT_NO_CACHE=1 "$RETORT" $cmd
done
rss "alembic heads" "$DATA/alembic" 2 "$ALEMBIC" heads
rss "alembic history" "$DATA/alembic" 2 "$ALEMBIC" history
rss "alembic --version" "$DATA/alembic" 2 "$ALEMBIC" --version

# --- report ------------------------------------------------------------------------------------
export RESULTS GRAPH_INFO HEADS_AGREE HISTORY_AGREE BUDGET_MS BUDGET_MB RUNS WARMUP \
    ALEMBIC_RUNS ALEMBIC_WARMUP RSS_RUNS ALEMBIC_VERSION
export RETORT_VERSION=$("$RETORT" --version)
export HYPERFINE_VERSION=$(hyperfine --version)
export CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
export NCPU=$(nproc)
export GIT_REV=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(
    cd "$ROOT" && git diff --quiet HEAD -- crates 2>/dev/null || echo "+dirty")
python3 - "$OUT/history_heads.md" <<'PY'
import json, os, sys

res = os.environ["RESULTS"]
rows = [("heads", "retort heads", "alembic heads"),
        ("history", "retort history", "alembic history"),
        ("startup", "retort --version", "alembic --version")]
# Other retort rows, each beside the Alembic command of its kind.
extra = [("heads", "retort heads (cold)"), ("history", "retort history (cold)"),
         ("heads", "retort heads (RETORT_NO_CACHE=1)"),
         ("history", "retort history (RETORT_NO_CACHE=1)")]

def load(name):
    with open(os.path.join(res, name + ".json")) as f:
        r = json.load(f)["results"][0]
    with open(os.path.join(res, name + ".rss")) as f:
        rss_mb = int(f.read().strip()) / 1024
    return r["mean"] * 1000, r["stddev"] * 1000, r["min"] * 1000, r["max"] * 1000, rss_mb

budget_ms, budget_mb = float(os.environ["BUDGET_MS"]), float(os.environ["BUDGET_MB"])
lines = [
    "| command | mean ms | stddev ms | min … max ms | max RSS MB | time vs Alembic | RSS vs Alembic | budget (%g ms, %g MB) |"
    % (budget_ms, budget_mb),
    "|---|---:|---:|---:|---:|---:|---:|---|",
]
for kind, r_name, a_name in rows:
    rm, rs, rmin, rmax, rrss = load(r_name)
    am, as_, amin, amax, arss = load(a_name)
    if kind == "startup":
        verdict = "n/a"
    else:
        ok = rm <= budget_ms and rrss <= budget_mb
        verdict = "pass" if ok else "**FAIL** (%s)" % ", ".join(
            x for x, bad in (("time", rm > budget_ms), ("RSS", rrss > budget_mb)) if bad)
    lines.append("| `%s` | %.1f | %.1f | %.1f … %.1f | %.1f | %.0f× faster | %.1f× smaller | %s |"
                 % (r_name, rm, rs, rmin, rmax, rrss, am / rm, arss / rrss, verdict))
    lines.append("| `%s` | %.1f | %.1f | %.1f … %.1f | %.1f | 1× | 1× | |"
                 % (a_name, am, as_, amin, amax, arss))
for kind, r_name in extra:
    a_name = dict((k, a) for k, _, a in rows)[kind]
    rm, rs, rmin, rmax, rrss = load(r_name)
    am, _, _, _, arss = load(a_name)
    lines.append("| %s | %.1f | %.1f | %.1f … %.1f | %.1f | %.0f× faster | %.1f× smaller | |"
                 % (r_name, rm, rs, rmin, rmax, rrss, am / rm, arss / rrss))

e = os.environ
notes = [
    "",
    "- graph: %s" % e["GRAPH_INFO"],
    "- output agreement: heads %s; history %s" % (e["HEADS_AGREE"], e["HISTORY_AGREE"]),
    "- %s (commit %s), Alembic %s, %s" % (e["RETORT_VERSION"], e["GIT_REV"], e["ALEMBIC_VERSION"],
                                        e["HYPERFINE_VERSION"]),
    "- machine: %s CPU(s), %s" % (e["NCPU"], e["CPU"]),
    "- hyperfine -N --output=pipe; retort --warmup %s --runs %s, Alembic --warmup %s --runs %s; "
    "max RSS = max of %s (retort) / 2 (Alembic) runs of /usr/bin/time -v"
    % (e["WARMUP"], e["RUNS"], e["ALEMBIC_WARMUP"], e["ALEMBIC_RUNS"], e["RSS_RUNS"]),
]
text = "\n".join(lines + notes) + "\n"
with open(sys.argv[1], "w") as f:
    f.write(text)
print(text, end="")
PY
say "written ${OUT#"$ROOT"/}/history_heads.md"
