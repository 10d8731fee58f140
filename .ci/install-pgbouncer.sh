#!/usr/bin/env bash
# Installs PgBouncer for the transaction-pooling race tests (crates/retort/tests/runner.rs and
# crates/retort-cli/tests/runner_cli.rs, `*_through_pgbouncer*`), which start their own pgbouncer
# in front of the throwaway test server. Idempotent and quiet; Debian/Ubuntu (apt-get) only.
# The distribution's own pgbouncer service is not used: it is stopped and disabled if it started.
set -euo pipefail

if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-pgbouncer.sh: no pgbouncer and no apt-get; install PgBouncer (the tests skip without it)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 pgbouncer >/dev/null
if command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now pgbouncer >/dev/null 2>&1 || true
fi
