#!/usr/bin/env bash
# Installs Citus 13.2.2 for PostgreSQL 15 (the build vendored in ../shared/vendor) into the system
# PostgreSQL that the tests run, so that builtenv's Citus test (crates/builtenv/tests/citus.rs,
# a coordinator and two workers started by the test) runs instead of skipping. Nothing is started
# here. Idempotent; a no-op with a message when the vendored build, or a PostgreSQL 15.20+ server,
# is absent (.ci/install-timescaledb.sh upgrades the packages to 15.20 in CI first).
set -euo pipefail
cd "$(dirname "$0")/.."

vendor=../shared/vendor/citus-13.2.2-pg15
if [ ! -d "$vendor" ]; then
  echo "install-citus.sh: $vendor not found; not installing Citus (builtenv's Citus test will skip)"
  exit 0
fi
source .ci/find-pg-config.sh
if [ -z "$pg_config" ]; then
  echo "install-citus.sh: no PostgreSQL server found (run .ci/install-postgres.sh first); not installing Citus"
  exit 0
fi
# Built against Debian 12's 15.20: a 15.18 server cannot load it (a missing symbol).
minor=$("$pg_config" --version | sed -nE 's/^PostgreSQL 15\.([0-9]+).*/\1/p')
if [ -z "$minor" ] || [ "$minor" -lt 20 ]; then
  echo "install-citus.sh: the vendored Citus needs PostgreSQL 15.20 or later, this server is $("$pg_config" --version); not installing"
  exit 0
fi
libdir=$("$pg_config" --pkglibdir)
sharedir=$("$pg_config" --sharedir)
installed=yes
for f in "$vendor"/lib/*.so; do
  cmp -s "$f" "$libdir/$(basename "$f")" || installed=no
done
for f in "$vendor"/extension/*; do
  cmp -s "$f" "$sharedir/extension/$(basename "$f")" || installed=no
done
if [ "$installed" = yes ]; then
  exit 0
fi
bash "$vendor/install.sh" "$libdir" "$sharedir"
