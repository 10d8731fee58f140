#!/usr/bin/env bash
# Create (or reuse) the Alembic virtualenv of tests/alembic_diff/setup_venv.sh and add a
# PostgreSQL driver (psycopg2-binary) to it, for crates/retort/tests/alembic_takeover.rs.
# Prints the path of the venv's python as the last line of stdout; all other output goes to
# stderr.
#
#   tests/alembic_pg/setup.sh [VENV_DIR]
#
# VENV_DIR defaults to $ALEMBIC_VENV, then to <repo>/target/alembic-venv (as setup_venv.sh).
# Idempotent: nothing is installed when the venv already imports alembic 1.20.1 and psycopg2.
# Concurrent runs (several test binaries) take turns on a lock file next to the venv.
set -euo pipefail

PSYCOPG2_PIN="2.9.10"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
venv="${1:-${ALEMBIC_VENV:-$repo_root/target/alembic-venv}}"

mkdir -p "$(dirname "$venv")"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$venv.setup-lock"
    flock 9
fi

python="$(bash "$repo_root/tests/alembic_diff/setup_venv.sh" "$venv" | tail -n 1)"

if "$python" -c 'import psycopg2' >/dev/null 2>&1; then
    echo "alembic_pg/setup: psycopg2 already available in $venv" >&2
else
    echo "alembic_pg/setup: installing psycopg2-binary==$PSYCOPG2_PIN into $venv" >&2
    "$python" -m pip install --quiet --disable-pip-version-check \
        "psycopg2-binary==$PSYCOPG2_PIN" >&2
    "$python" -c 'import psycopg2' || {
        echo "alembic_pg/setup: psycopg2 still not importable from $python" >&2
        exit 1
    }
fi

echo "$python"
