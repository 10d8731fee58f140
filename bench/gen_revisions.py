#!/usr/bin/env python3
"""Generate a large, realistic revision graph for benchmarking `retort history` / `retort heads`.

Usage::

    python3 bench/gen_revisions.py --out DIR --revisions 10000 --seed 1 [--alembic]

Writes ``DIR/retort.toml`` and ``DIR/migrations/NNNNN_<rev>_<slug>.sql`` in retort's revision
format; with ``--alembic`` also ``DIR/alembic/`` (alembic.ini, env.py, script.py.mako,
versions/NNNNN_<rev>_<slug>.py) holding exactly the same graph, so both tools can be timed on it.

Shape of the graph (all choices drawn from ``random.Random(seed)``, so the output is
byte-for-byte the same for the same arguments):

* one long, mostly linear main line starting at a single root;
* about every 50 revisions a short feature branch forks off the main line, runs 3-10
  revisions while the main line also moves on, and is merged back (a merge revision with two
  parents: the main tip and the feature tip);
* three long-lived labelled branches (``branch_labels``) fork off the main line early on and
  receive a revision now and then for the rest of the history; 1-2 of them stay open to the
  end, the others are merged back into the main line near the end;
* a few ``depends_on`` edges from main-line revisions to revisions on a labelled branch;
* so the final state has 1-3 heads (the main line plus the open labelled branches).

Every revision's up section is a small ``CREATE TABLE`` and its down section the ``DROP TABLE``.
Only the standard library is used; nothing is imported from retort or Alembic.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import sys

NOUNS = [
    "accounts", "addresses", "audit_log", "invoices", "payments", "orders", "order_items",
    "products", "prices", "customers", "documents", "attachments", "comments", "tags",
    "sessions", "api_keys", "webhooks", "events", "notifications", "settings", "teams",
    "memberships", "roles", "permissions", "projects", "tasks", "labels", "reports",
    "exports", "imports", "shipments", "warehouses", "stock_levels", "coupons", "refunds",
    "subscriptions", "plans", "usage_records", "feature_flags", "jobs",
]
VERBS = ["add", "create", "introduce", "track", "store"]
LABELS = ["reporting", "billing_v2", "search"]

FEATURE_EVERY = 50          # mean spacing of short feature branches (in revisions)
FEATURE_LEN = (3, 10)       # revisions on a feature branch before it is merged back
LABEL_STEP_P = 0.03         # chance that a step goes to one of the open labelled branches
DEPENDS_ON_COUNT = 6        # depends_on edges in the whole history (approximately)


class Rev:
    __slots__ = ("n", "id", "down", "labels", "depends", "message", "slug", "table", "created")

    def __init__(self, n, rid, down, labels, depends, message, table, created):
        self.n = n
        self.id = rid
        self.down = down
        self.labels = labels
        self.depends = depends
        self.message = message
        self.slug = slugify(message)
        self.table = table
        self.created = created


def slugify(message: str) -> str:
    out = []
    for ch in message.lower():
        out.append(ch if ch.isalnum() else "_")
    slug = "_".join(p for p in "".join(out).split("_") if p)
    return slug[:40].rstrip("_") or "revision"


class Generator:
    def __init__(self, total: int, seed: int):
        self.total = total
        self.rng = random.Random(seed)
        self.revs: list[Rev] = []
        self.ids: set[str] = set()
        self.clock = datetime.datetime(2021, 1, 4, 9, 0, 0, tzinfo=datetime.timezone.utc)

    # -- helpers ---------------------------------------------------------------------------
    def new_id(self) -> str:
        while True:
            rid = "%012x" % self.rng.getrandbits(48)
            # All-digit ids are legal but look odd in prefixes; keep at least one letter.
            if rid not in self.ids and not rid.isdigit():
                self.ids.add(rid)
                return rid

    def add(self, down, labels=(), depends=(), message=None) -> Rev:
        n = len(self.revs) + 1
        noun = self.rng.choice(NOUNS)
        table = "%s_%05d" % (noun, n)
        if message is None:
            message = "%s %s table" % (self.rng.choice(VERBS), table)
        self.clock += datetime.timedelta(minutes=self.rng.randint(10, 60 * 8))
        rev = Rev(n, self.new_id(), list(down), list(labels), list(depends), message, table,
                  self.clock)
        self.revs.append(rev)
        return rev

    # -- the graph -------------------------------------------------------------------------
    def generate(self) -> list[Rev]:
        total = self.total
        rng = self.rng
        if total < 200:
            raise SystemExit("--revisions must be at least 200 for this graph shape")

        # Labelled branches: when each forks (early on), and which are merged back near the end.
        n_open = rng.randint(1, 2)
        closing = set(rng.sample(LABELS, len(LABELS) - n_open))
        fork_at = {}
        for i, name in enumerate(LABELS):
            lo = int(total * (0.05 + 0.15 * i))
            fork_at[name] = rng.randint(lo, lo + total // 20)
        close_at = {name: rng.randint(int(total * 0.80), int(total * 0.95))
                    for name in sorted(closing)}
        # Main-line revisions from these positions on get a depends_on edge to a revision of an
        # open labelled branch.
        dep_at = sorted(rng.sample(range(int(total * 0.3), int(total * 0.9)), DEPENDS_ON_COUNT))

        main = self.add([], message="initial schema")   # tip of the main line
        forked: set[str] = set()
        labelled: dict[str, list[Rev]] = {}   # open labelled branch -> its revisions, in order
        feature = None                        # open feature branch: [tip, remaining, main_moved]
        feature_no = 0

        def main_step(down, **kw):
            nonlocal main
            main = self.add(down, **kw)
            if feature is not None:
                feature[2] = True

        while len(self.revs) < total:
            count = len(self.revs)
            left = total - count
            # Revisions that must still fit: the open feature branch (its remaining revisions,
            # one main-line step if none happened since it forked, the merge) and closings.
            need = sum(1 if nm in forked else 2 for nm in closing)
            if feature is not None:
                need += feature[1] + (0 if feature[2] else 1) + 1

            # 1. Merge a labelled branch back when its time has come (or time runs out).
            due = sorted(nm for nm in closing if nm in labelled
                         and (count >= close_at[nm] or left <= need))
            if due:
                name = due[0]
                closing.discard(name)
                tip = labelled.pop(name)[-1]
                main_step([main.id, tip.id], message="merge %s branch" % name)
                continue

            # 2. Fork a labelled branch off the main line at its position.
            forks = [nm for nm in LABELS if nm not in forked and count >= fork_at[nm]]
            if forks:
                name = forks[0]
                forked.add(name)
                labelled[name] = [self.add([main.id], labels=[name],
                                           message="start %s branch" % name.replace("_", " "))]
                continue

            # 3. The open feature branch: a step on it, its merge, or (below) a main-line step.
            if feature is not None:
                tip, remaining, main_moved = feature
                if remaining == 0 and main_moved:
                    feature_no += 1
                    merged = [main.id, tip.id]
                    feature = None
                    main_step(merged, message="merge feature branch %d" % feature_no)
                    continue
                if remaining > 0 and (left <= need or rng.random() < 0.6):
                    feature[0] = self.add([tip.id])
                    feature[1] -= 1
                    continue

            # 4. Now and then a step on an open labelled branch.
            if labelled and left > need + 1 and rng.random() < LABEL_STEP_P:
                branch = labelled[rng.choice(sorted(labelled))]
                branch.append(self.add([branch[-1].id]))
                continue

            # 5. Start a short feature branch off the main line.
            if (feature is None and left > need + FEATURE_LEN[1] + 4
                    and rng.random() < 1.0 / (FEATURE_EVERY - 12)):  # minus a branch's own length
                feature = [self.add([main.id]), rng.randint(*FEATURE_LEN) - 1, False]
                continue

            # 6. The main line moves on, maybe with a depends_on edge.
            depends = []
            if dep_at and count >= dep_at[0] and labelled:
                dep_at.pop(0)
                candidates = [r for nm in sorted(labelled) for r in labelled[nm]]
                depends = [rng.choice(candidates).id]
            main_step([main.id], depends=depends)

        return self.revs


# -- writers ----------------------------------------------------------------------------------

def sql_for(rev: Rev) -> tuple[str, str]:
    up = (
        "CREATE TABLE %s (\n"
        "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        "    name text NOT NULL,\n"
        "    created_at timestamptz NOT NULL DEFAULT now()\n"
        ");\n" % rev.table
    )
    down = "DROP TABLE %s;\n" % rev.table
    return up, down


def file_stem(rev: Rev) -> str:
    return "%05d_%s_%s" % (rev.n, rev.id, rev.slug)


def value(text: str) -> str:
    """A header value: `-- key: value`, or `-- key:` with no trailing space when empty."""
    return " " + text if text else ""


def write_retort(out: str, revs: list[Rev]) -> None:
    with open(os.path.join(out, "retort.toml"), "w") as f:
        f.write('script_location = "migrations"\n')
    mig = os.path.join(out, "migrations")
    os.makedirs(mig)
    for rev in revs:
        up, down = sql_for(rev)
        text = (
            "-- revision:%s\n"
            "-- down_revision:%s\n"
            "-- branch_labels:%s\n"
            "-- depends_on:%s\n"
            "-- message:%s\n"
            "-- created:%s\n"
            "-- transactional: true\n"
            "\n"
            "-- retort:up\n"
            "%s\n"
            "-- retort:down\n"
            "%s"
        ) % (
            value(rev.id),
            value(", ".join(rev.down)),
            value(", ".join(rev.labels)),
            value(", ".join(rev.depends)),
            value(rev.message),
            value(rev.created.strftime("%Y-%m-%d %H:%M:%S+00:00")),
            up,
            down,
        )
        with open(os.path.join(mig, file_stem(rev) + ".sql"), "w") as f:
            f.write(text)


ALEMBIC_INI = """\
[alembic]
script_location = %(here)s
version_locations = %(here)s/versions
path_separator = os
file_template = %%(rev)s_%%(slug)s
sqlalchemy.url = postgresql://localhost/retort_bench
"""

ENV_PY = '''\
"""Minimal env.py: `alembic heads` and `alembic history` never run it."""
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config

if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
'''

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


def py_value(items: list[str]) -> str:
    if not items:
        return "None"
    if len(items) == 1:
        return repr(items[0])
    return "(" + ", ".join(repr(i) for i in items) + ")"


def write_alembic(out: str, revs: list[Rev]) -> None:
    root = os.path.join(out, "alembic")
    versions = os.path.join(root, "versions")
    os.makedirs(versions)
    for name, text in (("alembic.ini", ALEMBIC_INI), ("env.py", ENV_PY),
                       ("script.py.mako", SCRIPT_MAKO)):
        with open(os.path.join(root, name), "w") as f:
            f.write(text)
    for rev in revs:
        up, down = sql_for(rev)
        labels = py_value(rev.labels) if rev.labels else "None"
        if rev.labels and len(rev.labels) == 1:
            labels = "(%r,)" % rev.labels[0]
        text = (
            '"""%s\n'
            "\n"
            "Revision ID: %s\n"
            "Revises: %s\n"
            "Create Date: %s\n"
            "\n"
            '"""\n'
            "from typing import Sequence, Union\n"
            "\n"
            "from alembic import op\n"
            "import sqlalchemy as sa\n"
            "\n"
            "\n"
            "revision: str = %r\n"
            "down_revision: Union[str, Sequence[str], None] = %s\n"
            "branch_labels: Union[str, Sequence[str], None] = %s\n"
            "depends_on: Union[str, Sequence[str], None] = %s\n"
            "\n"
            "\n"
            "def upgrade() -> None:\n"
            "    op.execute(\n"
            '        """\n'
            "%s"
            '        """\n'
            "    )\n"
            "\n"
            "\n"
            "def downgrade() -> None:\n"
            "    op.execute(%r)\n"
        ) % (
            rev.message,
            rev.id,
            ", ".join(rev.down),
            rev.created.strftime("%Y-%m-%d %H:%M:%S.000000"),
            rev.id,
            py_value(rev.down),
            labels,
            py_value(rev.depends),
            "".join("        " + line + "\n" for line in up.splitlines()),
            down.strip(),
        )
        with open(os.path.join(versions, file_stem(rev) + ".py"), "w") as f:
            f.write(text)


def summary(revs: list[Rev]) -> str:
    children: dict[str, int] = {}
    for r in revs:
        for d in r.down:
            children[d] = children.get(d, 0) + 1
    heads = [r for r in revs if r.id not in children]
    merges = sum(1 for r in revs if len(r.down) > 1)
    branchpoints = sum(1 for v in children.values() if v > 1)
    deps = sum(len(r.depends) for r in revs)
    labels = [lab for r in revs for lab in r.labels]
    return ("%d revisions, %d heads (%s), %d merges, %d branch points, %d depends_on, "
            "labels: %s" % (len(revs), len(heads), ", ".join(h.id for h in heads), merges,
                            branchpoints, deps, ", ".join(labels)))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="directory to create (must not exist or be empty)")
    p.add_argument("--revisions", type=int, default=10000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--alembic", action="store_true", help="also write an Alembic project")
    p.add_argument("--force", action="store_true", help="replace DIR if it exists")
    args = p.parse_args(argv)

    if os.path.exists(args.out) and os.listdir(args.out):
        if not args.force:
            p.error("%s exists and is not empty (use --force to replace it)" % args.out)
        shutil.rmtree(args.out)
    os.makedirs(args.out, exist_ok=True)

    revs = Generator(args.revisions, args.seed).generate()
    assert len(revs) == args.revisions, len(revs)
    write_retort(args.out, revs)
    if args.alembic:
        write_alembic(args.out, revs)
    info = summary(revs)
    with open(os.path.join(args.out, "GRAPH.txt"), "w") as f:
        f.write("gen_revisions.py --revisions %d --seed %d%s\n%s\n"
                % (args.revisions, args.seed, " --alembic" if args.alembic else "", info))
    print(info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
