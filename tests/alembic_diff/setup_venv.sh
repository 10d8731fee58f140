#!/usr/bin/env bash
# Create (or reuse) a Python venv with Alembic 1.20.1 for the differential
# tests, and print the path of its python interpreter as the last line of
# stdout.  All other output goes to stderr.
#
#   tests/alembic_diff/setup_venv.sh [VENV_DIR]
#
# VENV_DIR defaults to $ALEMBIC_VENV, then to <repo>/target/alembic-venv.
# Set PYTHON to choose the interpreter used to create the venv (default
# python3).  Idempotent: if the venv already imports alembic 1.20.1 nothing
# is installed.
set -euo pipefail

ALEMBIC_PIN="1.20.1"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
venv="${1:-${ALEMBIC_VENV:-$repo_root/target/alembic-venv}}"
base_python="${PYTHON:-python3}"

venv_ok() {
    [ -x "$venv/bin/python" ] && "$venv/bin/python" - "$ALEMBIC_PIN" <<'EOF' >/dev/null 2>&1
import sys
import alembic, sqlalchemy  # noqa: F401
sys.exit(0 if alembic.__version__ == sys.argv[1] else 1)
EOF
}

if venv_ok; then
    echo "setup_venv: alembic $ALEMBIC_PIN already available in $venv" >&2
else
    if ! command -v "$base_python" >/dev/null 2>&1; then
        echo "setup_venv: '$base_python' not found; install python3 (and python3-venv)" >&2
        exit 1
    fi
    mkdir -p "$(dirname "$venv")"
    if [ ! -x "$venv/bin/python" ]; then
        echo "setup_venv: creating venv in $venv" >&2
        "$base_python" -m venv "$venv" >&2 || {
            echo "setup_venv: '$base_python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
            exit 1
        }
    fi
    echo "setup_venv: installing alembic==$ALEMBIC_PIN into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "alembic==$ALEMBIC_PIN" >&2
    if ! venv_ok; then
        echo "setup_venv: alembic $ALEMBIC_PIN still not importable from $venv/bin/python" >&2
        exit 1
    fi
fi

echo "$venv/bin/python"
