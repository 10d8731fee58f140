#!/usr/bin/env python3
"""Generate the inputs of the apply benchmark (`bench/apply.sh`): N linear one-table migrations.

Usage::

    python3 bench/gen_apply.py --out DIR [--count 1000] [--alembic] [--force]

Writes, for migrations n = 1..N (each creating table ``t_NNNN``):

* ``DIR/retort/retort.toml`` and ``DIR/retort/migrations/NNNN_<rev>.sql``: a retort project whose
  revisions form one straight line (revision n's ``down_revision`` is revision n-1), up section
  ``CREATE TABLE t_NNNN (...)``, down section ``DROP TABLE t_NNNN;``;
* ``DIR/floor.sql``: the same up SQL as one psql script, each migration wrapped in
  ``BEGIN; ... COMMIT;`` (one transaction per migration), for
  ``psql -X -q -v ON_ERROR_STOP=1 -f DIR/floor.sql``;
* with ``--alembic``, ``DIR/alembic/``: ``alembic.ini`` (logging as in Alembic's default
  template), an ``env.py`` that connects to
  ``$BENCH_DATABASE_URL`` with ``transaction_per_migration=True`` (one transaction per migration,
  like the floor), and ``versions/NNNN_<rev>.py`` with the same ids and ``op.execute`` of the same
  SQL;
* ``DIR/INFO.txt``: the count, the first and the last revision id.

Revision ids are the first 12 hex digits of SHA-256("apply-bench:<n>"), so the output is
byte-for-byte the same for the same arguments. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys

CREATED = "2026-01-01 00:00:00+00:00"


def rev_id(n: int) -> str:
    return hashlib.sha256(b"apply-bench:%d" % n).hexdigest()[:12]


def up_sql(n: int) -> str:
    return ("CREATE TABLE t_%04d (id bigint primary key, name text not null, "
            "created_at timestamptz default now());" % n)


def down_sql(n: int) -> str:
    return "DROP TABLE t_%04d;" % n


def write_retort(root: str, count: int) -> None:
    mig = os.path.join(root, "migrations")
    os.makedirs(mig)
    with open(os.path.join(root, "retort.toml"), "w") as f:
        f.write('script_location = "migrations"\n')
    for n in range(1, count + 1):
        down = rev_id(n - 1) if n > 1 else ""
        text = (
            "-- revision: %s\n"
            "-- down_revision:%s\n"
            "-- branch_labels:\n"
            "-- depends_on:\n"
            "-- message: create t_%04d\n"
            "-- created: %s\n"
            "-- transactional: true\n"
            "\n"
            "-- retort:up\n"
            "%s\n"
            "\n"
            "-- retort:down\n"
            "%s\n"
        ) % (rev_id(n), " " + down if down else "", n, CREATED, up_sql(n), down_sql(n))
        with open(os.path.join(mig, "%04d_%s.sql" % (n, rev_id(n))), "w") as f:
            f.write(text)


def write_floor(path: str, count: int) -> None:
    with open(path, "w") as f:
        for n in range(1, count + 1):
            f.write("BEGIN;\n%s\nCOMMIT;\n" % up_sql(n))


ALEMBIC_INI = """\
[alembic]
script_location = %(here)s
version_locations = %(here)s/versions
path_separator = os

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

ENV_PY = '''\
"""env.py for the apply benchmark: online mode only, URL from $BENCH_DATABASE_URL, one
transaction per migration (transaction_per_migration=True), like the psql floor and retort.
Logging as in Alembic's default template (a "Running upgrade" line per migration on stderr)."""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

if context.is_offline_mode():
    raise SystemExit("the apply benchmark runs Alembic online only")
fileConfig(context.config.config_file_name)

engine = create_engine(os.environ["BENCH_DATABASE_URL"], poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
'''


def write_alembic(root: str, count: int) -> None:
    versions = os.path.join(root, "versions")
    os.makedirs(versions)
    with open(os.path.join(root, "alembic.ini"), "w") as f:
        f.write(ALEMBIC_INI)
    with open(os.path.join(root, "env.py"), "w") as f:
        f.write(ENV_PY)
    for n in range(1, count + 1):
        down = repr(rev_id(n - 1)) if n > 1 else "None"
        text = (
            '"""create t_%04d\n'
            "\n"
            "Revision ID: %s\n"
            "Revises: %s\n"
            '"""\n'
            "from alembic import op\n"
            "\n"
            "revision = %r\n"
            "down_revision = %s\n"
            "branch_labels = None\n"
            "depends_on = None\n"
            "\n"
            "\n"
            "def upgrade() -> None:\n"
            "    op.execute(%r)\n"
            "\n"
            "\n"
            "def downgrade() -> None:\n"
            "    op.execute(%r)\n"
        ) % (n, rev_id(n), rev_id(n - 1) if n > 1 else "", rev_id(n), down,
             up_sql(n), down_sql(n))
        with open(os.path.join(versions, "%04d_%s.py" % (n, rev_id(n))), "w") as f:
            f.write(text)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--count", type=int, default=1000, help="number of migrations (1..9999)")
    p.add_argument("--alembic", action="store_true", help="also write an Alembic project")
    p.add_argument("--force", action="store_true", help="replace DIR if it exists")
    args = p.parse_args(argv)
    if not 1 <= args.count <= 9999:
        p.error("--count must be between 1 and 9999 (file names and tables use 4 digits)")
    if os.path.exists(args.out):
        if not args.force:
            p.error("%s exists (use --force to replace it)" % args.out)
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    write_retort(os.path.join(args.out, "retort"), args.count)
    write_floor(os.path.join(args.out, "floor.sql"), args.count)
    if args.alembic:
        write_alembic(os.path.join(args.out, "alembic"), args.count)
    with open(os.path.join(args.out, "INFO.txt"), "w") as f:
        f.write("count=%d first=%s last=%s alembic=%s\n"
                % (args.count, rev_id(1), rev_id(args.count), "yes" if args.alembic else "no"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
