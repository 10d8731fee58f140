#!/usr/bin/env bash
# Installs TimescaleDB 2.28.3 for PostgreSQL 15 (the build vendored in ../shared/vendor) into the
# system PostgreSQL that the tests run, so that builtenv's hypertable test
# (crates/builtenv/tests/timescale.rs) runs instead of skipping. Its clusters load it themselves
# (shared_preload_libraries); nothing is started here. Idempotent; a no-op with a message when the
# vendored build, or a PostgreSQL 15 server, is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

vendor=../shared/vendor/timescaledb-2.28.3-pg15
if [ ! -d "$vendor" ]; then
  echo "install-timescaledb.sh: $vendor not found; not installing TimescaleDB (builtenv's hypertable test will skip)"
  exit 0
fi

source .ci/find-pg-config.sh
if [ -z "$pg_config" ]; then
  echo "install-timescaledb.sh: no PostgreSQL server found (run .ci/install-postgres.sh first); not installing TimescaleDB"
  exit 0
fi
# The build needs the server it was built against (Debian 12's 15.20) or a later 15.x: a 15.18
# server cannot load it (undefined symbol heap_datum_check), and CREATE EXTENSION then fails.
needed_minor=20
minor_of() { "$pg_config" --version | sed -nE 's/^PostgreSQL 15\.([0-9]+).*/\1/p'; }
minor=$(minor_of)
if [ -z "$minor" ]; then
  echo "install-timescaledb.sh: the vendored TimescaleDB is built for PostgreSQL 15, this server is $("$pg_config" --version); not installing"
  exit 0
fi
if [ "$minor" -lt "$needed_minor" ]; then
  # Upgrading the server's packages under running servers breaks them (a new plpgsql.so in an
  # old postgres), so only where nothing else runs: in CI.
  if [ "${CI:-}" = true ] && command -v apt-get >/dev/null 2>&1; then
    echo "install-timescaledb.sh: upgrading PostgreSQL 15.$minor to the current 15.x for TimescaleDB"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --only-upgrade -o Dpkg::Use-Pty=0 postgresql-15 postgresql-client-15 >/dev/null
    minor=$(minor_of)
  fi
  if [ "$minor" -lt "$needed_minor" ]; then
    echo "install-timescaledb.sh: the vendored TimescaleDB needs PostgreSQL 15.$needed_minor or later, this server is 15.$minor (\`apt-get install --only-upgrade postgresql-15\`, then restart running servers); not installing"
    exit 0
  fi
fi
libdir=$("$pg_config" --pkglibdir)
sharedir=$("$pg_config" --sharedir)

installed=yes
for f in "$vendor"/lib/*; do
  cmp -s "$f" "$libdir/$(basename "$f")" || installed=no
done
for f in "$vendor"/extension/*; do
  cmp -s "$f" "$sharedir/extension/$(basename "$f")" || installed=no
done
if [ "$installed" = yes ]; then
  exit 0
fi
bash "$vendor/install.sh" "$libdir" "$sharedir"
