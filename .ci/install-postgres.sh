#!/usr/bin/env bash
# Installs the PostgreSQL server binaries (initdb, pg_ctl, postgres) that retort's local clusters
# (retort::devdb) and the tests (retort-test-support) run, unless they can already be found by the
# same rules LocalCluster::find_bin_dir uses. Idempotent and quiet; Debian/Ubuntu (apt-get) only.
# No cluster is created or started here: the tests make their own.
set -euo pipefail

is_bin_dir() { [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]; }

found() {
  if [ -n "${RETORT_PG_BIN_DIR:-}" ]; then
    is_bin_dir "$RETORT_PG_BIN_DIR" && return 0
    echo "install-postgres.sh: RETORT_PG_BIN_DIR=$RETORT_PG_BIN_DIR lacks initdb, pg_ctl or postgres" >&2
    exit 1
  fi
  local initdb bindir dir
  if initdb=$(command -v initdb 2>/dev/null); then
    is_bin_dir "$(dirname "$(readlink -f "$initdb")")" && return 0
    is_bin_dir "$(dirname "$initdb")" && return 0
  fi
  if command -v pg_config >/dev/null 2>&1; then
    bindir=$(pg_config --bindir 2>/dev/null || true)
    [ -n "$bindir" ] && is_bin_dir "$bindir" && return 0
  fi
  for dir in /usr/lib/postgresql/*/bin; do
    is_bin_dir "$dir" && return 0
  done
  return 1
}

found && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-postgres.sh: no PostgreSQL server binaries and no apt-get; install PostgreSQL (e.g. brew install postgresql@15) or set RETORT_PG_BIN_DIR" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_install() {
  apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "$@" >/dev/null
}
apt-get update -qq >/dev/null
# postgresql-common first, so that installing a server does not also create and start the
# distribution's default cluster (a server on port 5432 that nothing here uses).
apt_install postgresql-common
if [ -f /etc/postgresql-common/createcluster.conf ]; then
  sed -i -E 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' \
    /etc/postgresql-common/createcluster.conf
fi
# Debian 12: postgresql-15 (contrib is inside it; postgresql-contrib-15 names it too). Elsewhere:
# whatever version `postgresql` means.
apt_install postgresql-15 postgresql-contrib-15 || apt_install postgresql postgresql-contrib

if ! found; then
  echo "install-postgres.sh: PostgreSQL was installed but initdb is still not found" >&2
  exit 1
fi
