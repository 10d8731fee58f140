#!/usr/bin/env python3
"""Alembic side of crates/retort/tests/alembic_takeover.rs: real Alembic on real PostgreSQL.

Run with the python printed by ``tests/alembic_pg/setup.sh`` (Alembic 1.20.1 + psycopg2).

``write SPEC.json OUT SQLALCHEMY_URL``
    Writes one revision graph twice: ``OUT/alembic`` (alembic.ini with ``sqlalchemy.url =
    SQLALCHEMY_URL``, env.py, versions/*.py) and ``OUT/retort`` (retort.toml with
    ``version_table = "alembic_version"``, migrations/*.sql). SPEC is
    ``{"revisions": [{"id", "down": [...], "labels": [...], "depends_on": [...],
    "message"}]}``. Each revision runs the same SQL in both: its upgrade creates table
    ``t_<id>`` and logs ``(<id>, 'up')`` in ``ran_log``; its downgrade drops ``t_<id>`` and logs
    ``(<id>, 'down')``. Creating (not ``IF NOT EXISTS``) and dropping (not ``IF EXISTS``) make a
    revision that runs twice, or is reverted while not applied, fail loudly.

``serve``
    Reads JSON requests, one per line, from stdin and answers each with one JSON line on
    stdout: ``{"config": INI, "argv": ["upgrade", "X"]}`` runs the Alembic command line
    ``alembic --raiseerr -c INI upgrade X`` in this process (Alembic's own argument parser and
    ``run_cmd``, only with its output captured) and answers ``{"ok": bool, "stdout": str,
    "error": str | null, "error_class": str | null}``. Saves a Python start per command.

``run INI ARGV...``
    One command, answered as in ``serve`` (for trying things by hand), e.g.
    ``alembic_pg.py run OUT/alembic/alembic.ini current``.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import traceback

sys.dont_write_bytecode = True

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s
sqlalchemy.url = {url}
"""

ENV_PY = '''\
"""env.py of the retort takeover test: online only, sqlalchemy.url from alembic.ini."""
from alembic import context
from sqlalchemy import create_engine, pool

config = context.config


def run_migrations_online():
    engine = create_engine(
        config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool
    )
    try:
        with engine.connect() as connection:
            context.configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline mode is not used by this test")
run_migrations_online()
'''

CREATE_LOG = (
    "CREATE TABLE IF NOT EXISTS ran_log "
    "(seq serial PRIMARY KEY, rev text NOT NULL, direction text NOT NULL)"
)


def up_sql(rid):
    return [
        "CREATE TABLE t_%s (id int)" % rid,
        CREATE_LOG,
        "INSERT INTO ran_log (rev, direction) VALUES ('%s', 'up')" % rid,
    ]


def down_sql(rid):
    return [
        "DROP TABLE t_%s" % rid,
        "INSERT INTO ran_log (rev, direction) VALUES ('%s', 'down')" % rid,
    ]


def py_tuple(items):
    if not items:
        return "None"
    return "(" + ", ".join(repr(x) for x in items) + ("," if len(items) == 1 else "") + ")"


def slug(message):
    return re.sub(r"\W+", "_", message.lower()).strip("_")[:40].rstrip("_")


def alembic_file(rev):
    down = rev["down"]
    if not down:
        down_py = "None"
    elif len(down) == 1:
        down_py = repr(down[0])
    else:
        down_py = py_tuple(down)
    ups = "\n".join("    op.execute(%r)" % s for s in up_sql(rev["id"]))
    downs = "\n".join("    op.execute(%r)" % s for s in down_sql(rev["id"]))
    return f'''"""{rev["message"]}

Revision ID: {rev["id"]}
Revises: {", ".join(down)}
Create Date: 2026-01-01 00:00:00+00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = {rev["id"]!r}
down_revision = {down_py}
branch_labels = {py_tuple(rev.get("labels", []))}
depends_on = {py_tuple(rev.get("depends_on", []))}


def upgrade():
{ups}


def downgrade():
{downs}
'''


def retort_file(rev):
    ups = "".join(s + ";\n" for s in up_sql(rev["id"]))
    downs = "".join(s + ";\n" for s in down_sql(rev["id"]))
    return f"""-- revision: {rev["id"]}
-- down_revision: {", ".join(rev["down"])}
-- branch_labels: {", ".join(rev.get("labels", []))}
-- depends_on: {", ".join(rev.get("depends_on", []))}
-- message: {rev["message"]}
-- created: 2026-01-01 00:00:00+00:00
-- transactional: true

-- retort:up
{ups}
-- retort:down
{downs}"""


def write(spec_path, out, url):
    with open(spec_path) as f:
        spec = json.load(f)
    adir = os.path.join(out, "alembic")
    rdir = os.path.join(out, "retort")
    os.makedirs(os.path.join(adir, "versions"))
    os.makedirs(os.path.join(rdir, "migrations"))
    with open(os.path.join(adir, "alembic.ini"), "w") as f:
        # configparser interpolates %(...)s: a literal % is written %%.
        f.write(ALEMBIC_INI.format(url=url.replace("%", "%%")))
    with open(os.path.join(adir, "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(rdir, "retort.toml"), "w") as f:
        f.write('script_location = "migrations"\nversion_table = "alembic_version"\n')
    for i, rev in enumerate(spec["revisions"]):
        name = "%02d_%s_%s" % (i, rev["id"], slug(rev["message"]))
        with open(os.path.join(adir, "versions", name + ".py"), "w") as f:
            f.write(alembic_file(rev))
        with open(os.path.join(rdir, "migrations", name + ".sql"), "w") as f:
            f.write(retort_file(rev))


def run_alembic(config, argv):
    """`alembic --raiseerr -c CONFIG ARGV...`, as alembic.config.CommandLine.main runs it, with
    the command's output captured."""
    from alembic.config import CommandLine, Config

    out = io.StringIO()
    try:
        cl = CommandLine(prog="alembic")
        options = cl.parser.parse_args(["--raiseerr", "-c", config] + list(argv))
        toml, ini = cl._inis_from_config(options)
        cfg = Config(
            file_=ini,
            toml_file=toml,
            ini_section=options.name,
            cmd_opts=options,
            stdout=out,
        )
        cl.run_cmd(cfg, options)
    except BaseException as e:  # noqa: BLE001 - every failure is reported, SystemExit too
        if isinstance(e, KeyboardInterrupt):
            raise
        return {
            "ok": False,
            "stdout": out.getvalue(),
            "error": str(e),
            "error_class": type(e).__name__,
            "traceback": traceback.format_exc(),
        }
    return {"ok": True, "stdout": out.getvalue(), "error": None, "error_class": None}


def serve():
    # The answers go to the real stdout; anything else printed to fd 1 (warnings, stray prints
    # from Alembic or SQLAlchemy) is sent to stderr so it cannot break the protocol.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        answer = run_alembic(req["config"], req["argv"])
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def main(argv):
    if len(argv) == 4 and argv[0] == "write":
        write(argv[1], argv[2], argv[3])
    elif argv == ["serve"]:
        serve()
    elif len(argv) >= 3 and argv[0] == "run":
        answer = run_alembic(argv[1], argv[2:])
        print(json.dumps(answer, indent=2))
        return 0 if answer["ok"] else 1
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
