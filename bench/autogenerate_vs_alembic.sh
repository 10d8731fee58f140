# Sourced by bench/autogenerate.sh (issue 21): `revision --autogenerate` with the desired schema
# as an SQL file, beside Alembic's autogenerate on equivalent SQLAlchemy models
# (gen_sqlalchemy.py), at each size of VS_SIZES (300 and 500 tables), in one run on the server
# autogenerate.sh started (fsync on unless PGOPTS says otherwise). Rows, per size:
#   - Alembic 1.20.1 (psycopg2) `alembic revision --autogenerate`, compare_server_default on,
#     the `app` schema only (its bytecode cache kept, as in a real project);
#   - retort cold: `[autogenerate] cache = false`, scratch databases on the project's scratch
#     cluster (`.retort/scratch`: fsync, full_page_writes, synchronous_commit off);
#   - retort cold, scratch on the target's server: `dev_url` = the bench server (fsync on), no
#     cache: what the scratch cluster saves;
#   - retort warm: the model cache on, the files unchanged since the warmup run;
#   - psql's floor for loading the same file: CREATE DATABASE, `psql -1 -f schema.sql`, DROP
#     DATABASE, on the bench server and on the scratch cluster.
# The target database is owned by a role `app` that may not create databases (as an
# application's role usually is), so retort's scratch databases go to its scratch cluster.
#   - for scale: retort with the desired schema as a JSON model (no scratch database at all: the
#     floor of a warm run), `retort schema dump` of the target (its introspection alone), and
#     the file sent to the scratch cluster as one query (psycopg2, load_one_query.py: the floor
#     of retort's way of loading).
# Writes bench/out/autogenerate-vs-alembic.md. Knobs: VS_SIZES="300 500" VS_RUNS=3
# ALEMBIC_VENV=bench/out/alembic-venv; VS_SLOW=0 times only the warm rows and their floors.

VS_SIZES=${VS_SIZES:-300 500}
VS_RUNS=${VS_RUNS:-3}
VS_SLOW=${VS_SLOW:-1}
VS=$RESULTS/vs
VS_REPORT=$OUT/autogenerate-vs-alembic.md
VENV=${ALEMBIC_VENV:-$OUT/alembic-venv}
mkdir -p "$VS"

if ! "$VENV/bin/python" -c 'import alembic, psycopg2; assert alembic.__version__ == "1.20.1"' 2>/dev/null; then
    say "making the Alembic venv $VENV"
    bash "$ROOT/tests/alembic_diff/setup_venv.sh" "$VENV" >&2 || die "no Alembic venv"
    "$VENV/bin/pip" install -q psycopg2-binary >&2 || die "pip install psycopg2-binary failed"
fi

# Not named `app`: search_path's "$user" would make the schema `app` its default schema.
"${PSQL[@]}" -d postgres -c "CREATE ROLE appuser LOGIN" >/dev/null
app_url() { echo "postgresql://appuser@${PGTMP//\//%2F}:$PORT/$1"; }

# Stop the projects' scratch clusters on exit (autogenerate.sh's trap stops the bench server).
vs_stop_scratch() {
    for n in $VS_SIZES; do
        [ -d "$VS/p$n/.retort/scratch" ] && "$RETORT" --config "$VS/p$n/retort.toml" dev stop >/dev/null 2>&1
    done
    return 0
}
trap 'rc=$?; vs_stop_scratch; set +e; (exit $rc); cleanup' EXIT

vs_project() {
    local n=$1 d=$VS/p$n
    mkdir -p "$d/migrations" "$d/alembic/versions"
    python3 "$HERE/gen_schema.py" --tables "$n" >"$d/base.sql"
    python3 - "$d" "$(url postgres)" <<'PY'
import sys
d, server = sys.argv[1:3]
base = open(f"{d}/base.sql").read()
toml = 'script_location = "migrations"\n\n[autogenerate]\nschema = ["schema.sql"]\n'
open(f"{d}/retort.toml", "w").write(toml)
open(f"{d}/cold.toml", "w").write(toml + "cache = false\n")
open(f"{d}/devurl.toml", "w").write(toml + f'cache = false\ndev_url = "{server}"\n')
with open(f"{d}/migrations/0001_0000000000a1_create_schema.sql", "w") as f:
    f.write("-- revision: 0000000000a1\n-- down_revision:\n-- branch_labels:\n-- depends_on:\n"
            "-- message: create schema\n-- created: 2026-01-01 00:00:00\n-- transactional: true\n\n"
            f"-- retort:up\n{base}\n\n-- retort:down\nDROP SCHEMA app CASCADE;\n")
def change(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)
desired = change(base, "CREATE TABLE app.t_0001 (\n", "CREATE TABLE app.t_0001 (\n    note text,\n")
i = desired.index("CREATE TABLE app.t_0002 (")
desired = desired[:i] + change(desired[i:], "name text NOT NULL DEFAULT ''", "name text NOT NULL DEFAULT 'unnamed'")
desired += "\nCREATE INDEX t_0003_updated ON app.t_0003 (updated_at);\n"
open(f"{d}/schema.sql", "w").write(desired)
open(f"{d}/alembic.ini", "w").write(
    "[alembic]\nscript_location = %(here)s/alembic\n\n"
    "[loggers]\nkeys = root\n[handlers]\nkeys = console\n[formatters]\nkeys = generic\n"
    "[logger_root]\nlevel = WARNING\nhandlers = console\n"
    "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\nformatter = generic\n"
    "[formatter_generic]\nformat = %(levelname)-5.5s [%(name)s] %(message)s\n")
open(f"{d}/alembic/env.py", "w").write('''import os, sys
from alembic import context
from sqlalchemy import create_engine
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from models import metadata
def include_name(name, type_, parent_names):
    return name == "app" if type_ == "schema" else True
with create_engine(os.environ["BENCH_DATABASE_URL"]).connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, include_schemas=True,
                      include_name=include_name, compare_server_default=True)
    with context.begin_transaction():
        context.run_migrations()
''')
PY
    cp "$VENV"/lib/python3*/site-packages/alembic/templates/generic/script.py.mako "$d/alembic/"
    python3 "$HERE/gen_sqlalchemy.py" --tables "$n" --desired >"$d/models.py"
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE vs$n OWNER appuser" >/dev/null
    (cd "$d" && "$RETORT" --database-url "$(app_url "vs$n")" upgrade head) >"$VS/upgrade-$n.log" 2>&1 ||
        { cat "$VS/upgrade-$n.log" >&2; die "upgrade of vs$n failed"; }
    "${PSQL[@]}" -d "vs$n" -c "VACUUM ANALYZE" >/dev/null
}

# What each tool finds, once (untimed; also makes the scratch cluster and Alembic's bytecode).
vs_check_once() {
    local n=$1 d=$VS/p$n
    (cd "$d" && "$RETORT" --database-url "$(app_url "vs$n")" revision --autogenerate -m bench) \
        >"$VS/retort-$n.txt" 2>&1 || { cat "$VS/retort-$n.txt" >&2; die "retort revision --autogenerate failed"; }
    [ "$(grep -c '^Detected' "$VS/retort-$n.txt")" = 3 ] && grep -q 'note' "$d"/migrations/*_bench.sql &&
        grep -q 'unnamed' "$d"/migrations/*_bench.sql && grep -q 't_0003_updated' "$d"/migrations/*_bench.sql ||
        die "retort did not find exactly the three changes ($n tables)"
    rm -f "$d"/migrations/*_bench.sql
    BENCH_DATABASE_URL="postgresql+psycopg2://appuser@/vs$n?host=$PGTMP&port=$PORT" \
        env -u PYTHONDONTWRITEBYTECODE "$VENV/bin/alembic" -c "$d/alembic.ini" revision --autogenerate -m bench \
        >"$VS/alembic-$n.txt" 2>&1 || { cat "$VS/alembic-$n.txt" >&2; die "alembic revision --autogenerate failed"; }
    # Exactly the three changes in its upgrade(): a column, a default, an index.
    python3 - "$d"/alembic/versions/*.py <<'PY' || die "Alembic did not find exactly the three changes ($n tables)"
import re, sys
text = open(sys.argv[1]).read()
up = text.split("def upgrade()")[1].split("def downgrade()")[0]
ops = re.findall(r"op\.(\w+)\(", up)
assert sorted(ops) == ["add_column", "alter_column", "create_index"], ops
assert "'note'" in up and "unnamed" in up and "t_0003_updated" in up, up
PY
    cp "$d"/alembic/versions/*.py "$VS/alembic-revision-$n.py"
    # The desired schema as a JSON model, for the JSON-model row: loaded once, dumped.
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE desired$n" >/dev/null
    "${PSQL[@]}" -d "desired$n" -f "$d/schema.sql" >/dev/null
    "$RETORT" --database-url "$(url "desired$n")" schema dump --format json >"$d/desired.json"
    sed 's/schema = \["schema.sql"\]/schema = ["desired.json"]/' "$d/retort.toml" >"$d/json.toml"
    rm -f "$d"/alembic/versions/*.py
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $VS_SIZES; do
    say "vs Alembic: $n tables (projects, databases, one untimed run of each tool)"
    vs_project "$n"
    vs_check_once "$n"
done
for n in $VS_SIZES; do
    d=$VS/p$n
    u=$(app_url "vs$n")
    scratch_sock=$d/.retort/scratch
    FLOOR_ON=("${PSQL[@]}")
    FLOOR_OFF=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$scratch_sock" -p 5432 -U postgres)
    say "vs Alembic: timing $n tables ($VS_RUNS runs each)"
    FLOOR="CREATE DATABASE floor TEMPLATE template0"
    ROWS=()
    if [ "$VS_SLOW" = 1 ]; then
        ROWS+=(-n "alembic revision --autogenerate ($n tables)"
            "env -u PYTHONDONTWRITEBYTECODE $VENV/bin/alembic -c $d/alembic.ini revision --autogenerate -m bench"
            -n "retort cold: no cache, scratch cluster ($n tables)"
            "$RETORT --config $d/cold.toml --database-url $u revision --autogenerate -m bench"
            -n "retort cold: no cache, scratch on the bench server, fsync on ($n tables)"
            "$RETORT --config $d/devurl.toml --database-url $u revision --autogenerate -m bench")
    fi
    ROWS+=(-n "retort warm: model cache, files unchanged ($n tables)"
        "$RETORT --config $d/retort.toml --database-url $u revision --autogenerate -m bench"
        -n "retort, desired schema as a JSON model: no scratch at all, a warm run's floor ($n tables)"
        "$RETORT --config $d/json.toml --database-url $u revision --autogenerate -m bench"
        -n "retort schema dump of the target: its introspection alone ($n tables)"
        "$RETORT --database-url $u schema dump")
    if [ "$VS_SLOW" = 1 ]; then
        ROWS+=(-n "psql floor on the bench server, fsync on ($n tables)"
            "bash -c '${FLOOR_ON[*]} -d postgres -c \"$FLOOR\" && ${FLOOR_ON[*]} -1 -d floor -f $d/schema.sql && ${FLOOR_ON[*]} -d postgres -c \"DROP DATABASE floor\"'"
            -n "psql floor on the scratch cluster ($n tables)"
            "bash -c '${FLOOR_OFF[*]} -d postgres -c \"$FLOOR\" && ${FLOOR_OFF[*]} -1 -d floor -f $d/schema.sql && ${FLOOR_OFF[*]} -d postgres -c \"DROP DATABASE floor\"'"
            -n "floor on the scratch cluster, the file sent as one query (psycopg2) ($n tables)"
            "bash -c '${FLOOR_OFF[*]} -d postgres -c \"$FLOOR\" && $VENV/bin/python $HERE/load_one_query.py \"host=$scratch_sock port=5432 user=postgres dbname=floor\" $d/schema.sql && ${FLOOR_OFF[*]} -d postgres -c \"DROP DATABASE floor\"'")
    fi
    BENCH_DATABASE_URL="postgresql+psycopg2://appuser@/vs$n?host=$PGTMP&port=$PORT" \
        hyperfine -N --warmup 1 --runs "$VS_RUNS" --export-json "$VS/hf-$n.json" \
        --prepare "find $d/migrations $d/alembic/versions -name *_bench.* -delete" \
        --cleanup "find $d/migrations $d/alembic/versions -name *_bench.* -delete" \
        "${ROWS[@]}" >"$VS/hf-$n.txt"
done
vs_stop_scratch

python3 - "$VS" "$PG_VERSION" "$(nproc)" "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" "$PGOPTS" "$VS_RUNS" \
    "$("$VENV/bin/python" -c 'import sqlalchemy; print(sqlalchemy.__version__)')" >"$VS_REPORT" <<'PY'
import glob, json, statistics, sys
vs, version, cores, before, after, pgopts, runs, sqla = sys.argv[1:9]
print(f"`revision --autogenerate`, desired schema as one SQL file (Alembic: the equivalent SQLAlchemy "
      f"{sqla} models), target database at head, the desired schema differing by one column, one index "
      f"and one default; PostgreSQL {version} (bench server extra settings: {pgopts or 'none'}); "
      f"{cores} cores, load average {before} before and {after} after; {runs} runs each after one warmup.\n")
print("| tables | command | median ms | min … max ms | × Alembic |")
print("|---:|---|---:|---:|---:|")
for path in sorted(glob.glob(f"{vs}/hf-*.json"), key=lambda p: int(p.split("-")[-1][:-5])):
    results = json.load(open(path))["results"]
    alembic = next((statistics.median(r["times"]) for r in results if r["command"].startswith("alembic")), None)
    for r in results:
        name, n = r["command"].rsplit(" (", 1)
        med = statistics.median(r["times"])
        shown = f"`{name}`" if name.startswith("alembic") else name
        print(f"| {n.split()[0]} | {shown} | {med * 1000:.0f} | {min(r['times']) * 1000:.0f} … "
              f"{max(r['times']) * 1000:.0f} | {f'{med / alembic:.2f}' if alembic else ''} |")
PY
cat "$VS_REPORT"
