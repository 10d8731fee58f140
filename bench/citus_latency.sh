#!/usr/bin/env bash
# Tenant-scoped read and write latency of builtenv's database on one node and on a 3-node Citus
# cluster (a coordinator and two workers) on this machine, measured side by side in one run with
# pgbench (issue 18). Prints a markdown table and writes it to bench/out/citus_latency.md.
#
# Both databases are migrated to head by the `builtenv` binary (BUILTENV, default
# target/release/builtenv, else target/debug/builtenv), so the one node has the single-node
# schema and the cluster the distributed one (revision 9a4e1b7c3f52). Each transaction is what a
# request of builtenv sends (db::tenant_transaction, then the handler's SQL) for a random tenant:
#   read:  the tenant row, its projects (LIMIT 100), its documents of one project (LIMIT 100)
#   write: a project and its audit event
#
# Knobs: TENANTS=100 CLIENTS=8 SECONDS=15 PGBIN=/usr/lib/postgresql/15/bin
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
TENANTS=${TENANTS:-100}
CLIENTS=${CLIENTS:-8}
SECONDS_=${SECONDS:-15}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
BUILTENV=${BUILTENV:-$ROOT/target/release/builtenv}
[ -x "$BUILTENV" ] || BUILTENV=$ROOT/target/debug/builtenv
[ -x "$BUILTENV" ] || { echo "error: no builtenv binary (cargo build -p builtenv)" >&2; exit 1; }
[ -f "$("$PGBIN/pg_config" --pkglibdir)/citus.so" ] || {
    echo "error: Citus is not installed in $PGBIN's PostgreSQL (bash .ci/install-citus.sh)" >&2
    exit 1
}
mkdir -p "$OUT"
say() { printf '==> %s\n' "$*" >&2; }

# PostgreSQL refuses to run as root: the servers run as `postgres` then.
RUN=()
[ "$(id -u)" = 0 ] && RUN=(runuser -u postgres --)
DIR=$(mktemp -d /tmp/builtenv-citus-bench.XXXXXX)
chmod 777 "$DIR"
NODES=(single coord worker1 worker2)
cleanup() {
    for n in "${NODES[@]}"; do
        [ -d "$DIR/$n" ] && "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DIR/$n" -m immediate stop >/dev/null 2>&1 || true
    done
    rm -rf "$DIR"
}
trap cleanup EXIT

port=7400
for n in "${NODES[@]}"; do
    port=$((port + 1))
    "${RUN[@]}" "$PGBIN/initdb" -D "$DIR/$n" -A trust -U postgres >/dev/null
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$DIR'"
        echo "port = $port"
        echo "max_connections = 200"
        [ "$n" != single ] && echo "shared_preload_libraries = 'citus'"
        [ "$n" != single ] && echo "citus.enable_statistics_collection = off"
    } >>"$DIR/$n/postgresql.conf"
    "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DIR/$n" -l "$DIR/$n.log" -w start >/dev/null
done
psql_at() { "$PGBIN/psql" -h "$DIR" -p "$1" -U postgres -v ON_ERROR_STOP=1 -qAt "${@:2}"; }
url() { echo "postgresql://postgres@$(printf %s "$DIR" | sed 's|/|%2F|g'):$1/bench"; }

say "databases: one node (7401), Citus coordinator (7402) and workers (7403, 7404)"
for p in 7401 7402 7403 7404; do psql_at "$p" -d postgres -c "CREATE DATABASE bench"; done
for p in 7402 7403 7404; do psql_at "$p" -d bench -c "CREATE EXTENSION citus"; done
psql_at 7402 -d bench -c "SELECT citus_set_coordinator_host('$DIR', 7402)" \
    -c "SELECT citus_add_node('$DIR', 7403)" -c "SELECT citus_add_node('$DIR', 7404)" >/dev/null

SEED="
INSERT INTO tenants (id, name, slug, email)
  SELECT ('00000000-0000-4000-8000-000000' || (100000 + g))::uuid, 'T' || g, 't' || g, 't@' || g
  FROM generate_series(0, $TENANTS - 1) g;
INSERT INTO projects (tenant_id, name) SELECT id, 'p' || g FROM tenants, generate_series(1, 20) g;
INSERT INTO documents (tenant_id, project_id, filename, original_filename, file_path, file_size)
  SELECT tenant_id, id, 'f', 'f', '/f', 1 FROM projects, generate_series(1, 5);
ANALYZE;"
for p in 7401 7402; do
    say "migrating and seeding $p ($TENANTS tenants, 20 projects and 100 documents each)"
    DATABASE_URL=$(url "$p") "$BUILTENV" migrate upgrade head 2>&1 | grep -E 'Citus|Applied' >&2
    psql_at "$p" -d bench -c "$SEED"
done

# What db::tenant_transaction sends, then the handlers' SQL, for tenant :t.
BEGIN_TENANT="\\set t random(100000, 100000 + $TENANTS - 1)
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL ROLE builtenv_app;
SET LOCAL app.tenant_id = '00000000-0000-4000-8000-000000:t';"
cat >"$DIR/read.sql" <<EOF
$BEGIN_TENANT
SELECT * FROM tenants WHERE id = '00000000-0000-4000-8000-000000:t';
SELECT * FROM projects WHERE tenant_id = '00000000-0000-4000-8000-000000:t' ORDER BY created_at, id LIMIT 100;
SELECT * FROM documents WHERE tenant_id = '00000000-0000-4000-8000-000000:t' AND project_id = (SELECT id FROM projects WHERE tenant_id = '00000000-0000-4000-8000-000000:t' LIMIT 1) ORDER BY created_at DESC, id LIMIT 100;
COMMIT;
EOF
cat >"$DIR/write.sql" <<EOF
$BEGIN_TENANT
INSERT INTO projects (tenant_id, name) VALUES ('00000000-0000-4000-8000-000000:t', 'bench');
INSERT INTO audit_events (tenant_id, event_type, action) VALUES ('00000000-0000-4000-8000-000000:t', 'user.action', 'project.create');
COMMIT;
EOF

bench() { # port script -> "tps mean_ms p50 p95 p99"
    local log="$DIR/log.$1.$2"
    rm -f "$log"*
    (cd "$DIR" && "$PGBIN/pgbench" -h "$DIR" -p "$1" -U postgres -n -c "$CLIENTS" -j 2 \
        -T "$SECONDS_" -l --log-prefix="$log" -f "$DIR/$2.sql" bench) >"$DIR/out.$1.$2" 2>&1 || {
        cat "$DIR/out.$1.$2" >&2
        exit 1
    }
    local tps
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$DIR/out.$1.$2")
    cat "$log"* | awk '{print $3 / 1000}' | sort -n | awk -v tps="$tps" '
        { v[NR] = $1; s += $1 }
        END { printf "%.0f %.2f %.2f %.2f %.2f %d\n", tps, s / NR, v[int(NR * .5)], v[int(NR * .95)], v[int(NR * .99)], NR }'
}

TABLE="| transaction | database | tps | mean ms | p50 ms | p95 ms | p99 ms | transactions |
|---|---|---:|---:|---:|---:|---:|---:|"
for script in read write; do
    for p in 7401 7402; do
        name=$([ "$p" = 7401 ] && echo "one node" || echo "Citus, 3 nodes")
        say "$script on $name: $CLIENTS clients, $SECONDS_ s"
        read -r tps mean p50 p95 p99 n <<<"$(bench "$p" "$script")"
        TABLE+="
| $script | $name | $tps | $mean | $p50 | $p95 | $p99 | $n |"
    done
done
{
    echo "builtenv tenant-scoped transactions, $TENANTS tenants, $CLIENTS clients, ${SECONDS_} s each, $(nproc) cores, $(date -u +%F)"
    echo
    echo "$TABLE"
} | tee "$OUT/citus_latency.md"
