#!/usr/bin/env python3
"""Differential-test generator: run real Alembic on random revision graphs.

For each of N random revision graphs this writes an Alembic environment, the
same graph in retort's ``.sql`` revision format, and ``expected.json`` with
what Alembic did for a sequence of ``upgrade``/``downgrade`` commands run
against one SQLite database (state carries over between commands).

Usage::

    python gen_cases.py --out DIR --graphs 200 --targets 24 --seed 1

Output is deterministic for a given ``--seed`` (the script re-executes itself
with ``PYTHONHASHSEED=0`` unless PYTHONHASHSEED is already set, because a few
Alembic code paths iterate over Python sets). See README.md for the format.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import time
import warnings

# --------------------------------------------------------------------------
# Determinism: pin the str-hash seed before anything else happens.
# --------------------------------------------------------------------------
if __name__ == "__main__" and "PYTHONHASHSEED" not in os.environ:
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

# Keep the generated trees free of __pycache__ directories.
sys.dont_write_bytecode = True

try:
    import alembic
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
except ImportError:  # pragma: no cover - environment problem
    sys.stderr.write(
        "error: alembic is not importable by %s\n"
        "       run tests/alembic_diff/setup_venv.sh and use the python it prints\n"
        % sys.executable
    )
    sys.exit(2)

EXPECTED_ALEMBIC = "1.20.1"

HEX = "0123456789abcdef"

LABEL_WORDS = [
    "accounts", "billing", "search", "audit", "reports", "inventory",
    "shipping", "auth", "feature_x", "legacy", "mobile_api", "analytics",
    "payments", "notifications", "catalog", "users", "orders", "tenant",
    "workflow", "export", "ledger", "media", "geo", "sso", "webhooks",
    "pricing", "support", "crm", "queue", "storage",
]
UNKNOWN_LABELS = ["nosuchbranch", "ghost", "missing_lbl", "zzz_branch"]

VERBS = ["add", "create", "drop", "alter", "backfill", "index", "rename",
         "split", "widen", "populate"]
NOUNS = ["users table", "documents table", "orders", "invoice lines",
         "audit trail", "email column", "status enum", "tags", "sessions",
         "api keys", "comments", "attachments", "price history",
         "tenant id", "search vector", "shipments"]

CREATE_LOG_SQL = "CREATE TABLE IF NOT EXISTS applied_log (rev text primary key)"


# --------------------------------------------------------------------------
# Graph model
# --------------------------------------------------------------------------
class Rev:
    __slots__ = ("id", "parents", "deps", "labels", "message", "created")

    def __init__(self, rid, parents, deps, labels, message, created):
        self.id = rid
        self.parents = parents      # list of revision ids (down_revision)
        self.deps = deps            # list of ids or labels (depends_on)
        self.labels = labels        # branch labels declared here
        self.message = message
        self.created = created

    @property
    def slug(self):
        s = re.sub(r"\W+", "_", self.message.lower()).strip("_")
        return s[:40].rstrip("_")


class Graph:
    def __init__(self, revs):
        self.revs = revs
        self.by_id = {r.id: r for r in revs}
        self.label_owner = {}
        for r in revs:
            for lbl in r.labels:
                self.label_owner[lbl] = r.id
        self.children = {r.id: [] for r in revs}
        for r in revs:
            for p in r.parents:
                self.children[p].append(r.id)
        self.ids = [r.id for r in revs]
        self.labels = sorted(self.label_owner)
        # every key alembic puts in its revision map (ids + branch labels)
        self.keys = self.ids + self.labels

    def dep_ids(self, r):
        return [self.label_owner.get(d, d) for d in r.deps]

    def ancestors(self, rid, with_deps=True):
        seen = set()
        todo = [rid]
        while todo:
            cur = todo.pop()
            r = self.by_id[cur]
            nxt = list(r.parents) + (self.dep_ids(r) if with_deps else [])
            for p in nxt:
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen

    def descendants(self, rid):
        seen = set()
        todo = [rid]
        while todo:
            cur = todo.pop()
            for c in self.children[cur]:
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
        return seen

    def heads(self):
        return [r.id for r in self.revs if not self.children[r.id]]

    def unique_prefix(self, rid, rng, lo=4, hi=8):
        """A prefix of rid (len lo..hi) that matches no other map key."""
        lens = list(range(lo, hi + 1))
        rng.shuffle(lens)
        for n in lens:
            p = rid[:n]
            if sum(1 for k in self.keys if k.startswith(p)) == 1:
                return p
        return rid

    def ambiguous_prefixes(self):
        out = set()
        for n in range(2, 7):
            cnt = collections.Counter(k[:n] for k in self.ids)
            out.update(p for p, c in cnt.items() if c > 1)
        return sorted(out, key=lambda p: (len(p), p))


def gen_ids(rng, n, shared):
    ids = []
    seen = set()
    while len(ids) < n:
        rid = "%012x" % rng.getrandbits(48)
        if rid not in seen:
            seen.add(rid)
            ids.append(rid)
    if shared and n >= 3:
        k = rng.choice([2, 3]) if n >= 4 else 2
        idx = rng.sample(range(n), k)
        plen = rng.randint(4, 6)
        prefix = ids[idx[0]][:plen]
        for j in idx[1:]:
            while True:
                rid = prefix + "".join(rng.choice(HEX) for _ in range(12 - plen))
                if rid not in seen:
                    break
            seen.discard(ids[j])
            seen.add(rid)
            ids[j] = rid
    return ids


def gen_graph(rng, case_idx):
    bucket = rng.random()
    if bucket < 0.4:
        n = rng.randint(3, 10)
    elif bucket < 0.75:
        n = rng.randint(11, 25)
    else:
        n = rng.randint(26, 40)
    shared = rng.random() < 0.10
    ids = gen_ids(rng, n, shared)
    want_single_head = rng.random() < 0.5
    max_heads = rng.choice([2, 3, 3, 4])
    p_root = rng.choice([0.0, 0.0, 0.05, 0.1])
    p_branch = rng.choice([0.1, 0.2, 0.3])
    p_merge = rng.choice([0.1, 0.2, 0.3])
    p_dep = rng.choice([0.0, 0.1, 0.2])

    labels_pool = LABEL_WORDS[:]
    rng.shuffle(labels_pool)

    base_time = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc) + \
        datetime.timedelta(days=case_idx % 300, hours=9)

    revs = []
    by_id = {}
    heads = []          # versioned heads (no child yet), creation order
    children = collections.defaultdict(list)

    def ancestors_of(parents, deps):
        seen = set()
        todo = list(parents) + list(deps)
        while todo:
            cur = todo.pop()
            if cur in seen:
                continue
            seen.add(cur)
            r = by_id[cur]
            todo.extend(r.parents)
            todo.extend(label_owner.get(d, d) for d in r.deps)
        return seen

    label_owner = {}

    def unrelated_sample(cands, k):
        # Merge parents must not be ancestors of one another through
        # depends_on.  alembic 1.20.1 mishandles such merges: upgrading
        # through them raises KeyError from HeadMaintainer (half-applied),
        # or leaves overlapping rows in alembic_version after which every
        # upgrade fails with "Requested revision X overlaps with other
        # requested revisions Y".
        chosen = []
        for h in rng.sample(cands, len(cands)):
            if all(h not in ancestors_of([c], []) and
                   c not in ancestors_of([h], []) for c in chosen):
                chosen.append(h)
                if len(chosen) == k:
                    break
        return chosen

    for i, rid in enumerate(ids):
        remaining = n - i
        label_p = 0.03
        kind = "extend"
        if i == 0:
            parents = []
            kind = "root"
            label_p = 0.15
        else:
            must_merge = (
                want_single_head and len(heads) > 1
                and len(heads) - 1 > 2 * (remaining - 1)
            )
            r = rng.random()
            can_grow = len(heads) < max_heads and (
                not want_single_head or remaining > len(heads) + 2)
            merge_parents = []
            # r < p_merge is the merge share; when no merge is possible it
            # becomes a plain extension (not a new root or branch)
            in_merge_share = r < p_merge
            if must_merge or (len(heads) >= 2 and in_merge_share):
                k = 3 if must_merge else rng.choice([2, 2, 2, 3])
                merge_parents = unrelated_sample(heads, k)
            if len(merge_parents) >= 2:
                parents = merge_parents
                kind = "merge"
            elif can_grow and not in_merge_share and r < p_merge + p_root:
                parents = []
                kind = "root"
                label_p = 0.7
            elif (can_grow and not in_merge_share
                  and r < p_merge + p_root + p_branch):
                parents = [rng.choice([x.id for x in revs])]
                if not children[parents[0]]:
                    # picked a head: a plain extension, really
                    pass
                else:
                    kind = "branch"
                    label_p = 0.5
            else:
                # extend a head, prefer the most recent ones
                if rng.random() < 0.6:
                    parents = [heads[-1]]
                else:
                    parents = [rng.choice(heads)]
        if kind == "branch" or (kind == "extend" and parents and
                                children[parents[0]]):
            kind = "branch"
        # depends_on: revisions that are not already ancestors (a new
        # revision has no descendants yet, so no cycles are possible)
        deps = []
        if revs and rng.random() < p_dep:
            anc = ancestors_of(parents, [])
            cands = [x.id for x in revs if x.id not in anc]
            labelled = [c for c in cands if by_id[c].labels]
            if labelled and rng.random() < 0.4:
                cands = labelled     # exercise depends_on = ('<label>',)
            if cands:
                # Never pick two targets where one is an ancestor of the
                # other: alembic 1.20.1 crashes (KeyError in
                # HeadMaintainer._delete_version, half-applied) on such
                # redundant depends_on tuples.
                chosen = []
                for target in rng.sample(cands, min(len(cands),
                                                    rng.choice([1, 1, 1, 2]))):
                    if any(target in ancestors_of([c], []) or
                           c in ancestors_of([target], []) for c in chosen):
                        continue
                    chosen.append(target)
                if len(parents) + len(chosen) >= 3 or len(parents) >= 2:
                    # Same problem one level up: when the revision's
                    # parents + dependencies have 3+ members (or it is a
                    # merge), none of them may descend from another, else
                    # the merge step tries to delete/update an
                    # alembic_version row that isn't there.  A single
                    # parent plus a single dependency on a descendant of
                    # that parent is fine (and realistic), so keep it.
                    chosen = [t for t in chosen if not any(
                        p in ancestors_of([t], []) for p in parents)]
                for target in chosen:
                    owner = by_id[target]
                    if owner.labels and rng.random() < 0.6:
                        deps.append(owner.labels[0])
                    else:
                        deps.append(target)
        labels = []
        if rng.random() < label_p and labels_pool:
            labels.append(labels_pool.pop())
            if rng.random() < 0.1 and labels_pool:
                labels.append(labels_pool.pop())
        if kind == "merge":
            message = "merge " + " and ".join(p[:6] for p in parents)
        else:
            message = "%s %s" % (rng.choice(VERBS), rng.choice(NOUNS))
        created = base_time + datetime.timedelta(minutes=17 * i + rng.randint(0, 9))
        rev = Rev(rid, parents, deps, labels, message,
                  created.isoformat(sep=" "))
        revs.append(rev)
        by_id[rid] = rev
        for lbl in labels:
            label_owner[lbl] = rid
        for p in parents:
            children[p].append(rid)
            if p in heads:
                heads.remove(p)
        heads.append(rid)
    return Graph(revs)


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------
ALEMBIC_INI = """\
[alembic]
script_location = %(here)s
sqlalchemy.url = sqlite:///%(here)s/../alembic.db
"""

ENV_PY = '''\
"""Minimal env.py for the retort/alembic differential tests.

The database is the SQLite file ``../alembic.db`` next to this directory
(``sqlalchemy.url`` in alembic.ini).  A caller may put a ready SQLAlchemy
engine in ``config.attributes["engine"]`` to avoid re-creating it.
"""
from alembic import context
from sqlalchemy import create_engine

config = context.config


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = config.attributes.get("engine")
    owned = engine is None
    if owned:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            context.configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if owned:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''


def py_tuple(items):
    if not items:
        return "None"
    return "(" + ", ".join(repr(x) for x in items) + ("," if len(items) == 1 else "") + ")"


def alembic_rev_file(rev):
    if not rev.parents:
        down = "None"
    elif len(rev.parents) == 1:
        down = repr(rev.parents[0])
    else:
        down = py_tuple(rev.parents)
    return f'''"""{rev.message}

Revision ID: {rev.id}
Revises: {", ".join(rev.parents)}
Create Date: {rev.created}

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = {rev.id!r}
down_revision = {down}
branch_labels = {py_tuple(rev.labels)}
depends_on = {py_tuple(rev.deps)}


def upgrade():
    op.execute("{CREATE_LOG_SQL}")
    op.execute("INSERT INTO applied_log (rev) VALUES ('{rev.id}')")


def downgrade():
    op.execute("DELETE FROM applied_log WHERE rev = '{rev.id}'")
'''


def retort_rev_file(rev):
    return f"""-- revision: {rev.id}
-- down_revision: {", ".join(rev.parents)}
-- branch_labels: {", ".join(rev.labels)}
-- depends_on: {", ".join(rev.deps)}
-- message: {rev.message}
-- created: {rev.created}
-- transactional: true

-- retort:up
{CREATE_LOG_SQL};
INSERT INTO applied_log (rev) VALUES ('{rev.id}');

-- retort:down
DELETE FROM applied_log WHERE rev = '{rev.id}';
"""


def write_case(case_dir, graph):
    adir = os.path.join(case_dir, "alembic")
    vdir = os.path.join(adir, "versions")
    mdir = os.path.join(case_dir, "retort", "migrations")
    os.makedirs(vdir)
    os.makedirs(mdir)
    with open(os.path.join(adir, "alembic.ini"), "w") as f:
        f.write(ALEMBIC_INI)
    with open(os.path.join(adir, "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(case_dir, "retort", "retort.toml"), "w") as f:
        f.write('script_location = "migrations"\n')
    for rev in graph.revs:
        name = "%s_%s" % (rev.id, rev.slug)
        with open(os.path.join(vdir, name + ".py"), "w") as f:
            f.write(alembic_rev_file(rev))
        with open(os.path.join(mdir, name + ".sql"), "w") as f:
            f.write(retort_rev_file(rev))


# --------------------------------------------------------------------------
# Running alembic
# --------------------------------------------------------------------------
_SCRIPT_CACHE = {}
_orig_from_config = ScriptDirectory.from_config.__func__


def _cached_from_config(cls, config):
    # A ScriptDirectory (and its lazily built RevisionMap) is immutable for
    # upgrade/downgrade purposes; re-parsing every revision file for every
    # command dominated the runtime.  Keyed per Config object (= per case).
    key = id(config)
    hit = _SCRIPT_CACHE.get(key)
    if hit is not None and hit[0] is config:
        return hit[1]
    sd = _orig_from_config(cls, config)
    _SCRIPT_CACHE[key] = (config, sd)
    return sd


def enable_script_cache():
    ScriptDirectory.from_config = classmethod(_cached_from_config)


def read_state(db_path):
    if not os.path.exists(db_path):
        return [], []
    con = sqlite3.connect(db_path)
    try:
        tables = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        heads = sorted(r[0] for r in con.execute(
            "SELECT version_num FROM alembic_version")) \
            if "alembic_version" in tables else []
        applied = sorted(r[0] for r in con.execute(
            "SELECT rev FROM applied_log")) if "applied_log" in tables else []
    finally:
        con.close()
    return heads, applied


class Runner:
    def __init__(self, case_dir):
        from sqlalchemy import create_engine, event
        self.db_path = os.path.join(case_dir, "alembic.db")
        if os.path.exists(self.db_path):
            os.remove(self.db_path)
        ini = os.path.join(case_dir, "alembic", "alembic.ini")
        self.cfg = Config(ini)
        self.engine = create_engine("sqlite:///" + self.db_path)

        @event.listens_for(self.engine, "connect")
        def _fast_sqlite(dbapi_con, _record):
            # durability is irrelevant here; avoid an fsync per migration
            dbapi_con.execute("PRAGMA synchronous = OFF")
            dbapi_con.execute("PRAGMA journal_mode = MEMORY")
        self.cfg.attributes["engine"] = self.engine
        self.state = ([], [])

    def run(self, cmd, target):
        before = self.state
        fn = command.upgrade if cmd == "upgrade" else command.downgrade
        entry = {"command": cmd, "target": target}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fn(self.cfg, target)
                err = None
            except Exception as e:  # noqa: BLE001 - we record everything
                err = e
        heads, applied = read_state(self.db_path)
        self.state = (heads, applied)
        if err is None:
            entry["ok"] = True
            entry["heads"] = heads
            entry["applied"] = applied
        else:
            entry["ok"] = False
            entry["error"] = str(err)
            entry["error_class"] = type(err).__name__
            if (heads, applied) != before:
                entry["heads"] = heads
                entry["applied"] = applied
                entry["state_changed_on_error"] = True
        msgs = [str(w.message) for w in caught]
        if msgs:
            entry["warnings"] = msgs
        return entry

    def close(self):
        self.engine.dispose()
        _SCRIPT_CACHE.pop(id(self.cfg), None)


# --------------------------------------------------------------------------
# Target selection
# --------------------------------------------------------------------------
UP_KINDS = ["heads", "head", "id", "prefix", "label_head", "label",
            "rev_head", "plus_n", "rev_plus_n", "label_plus_n"]
DOWN_KINDS = ["base", "id", "prefix", "label_base", "minus_n", "rev_minus_n",
              "label_minus_n", "label"]
BAD_KINDS = ["unknown_id", "unknown_prefix", "short_prefix",
             "ambiguous_prefix", "unknown_label", "plus_n_past_head",
             "minus_n_past_base", "head_multi", "downgrade_not_below",
             "upgrade_minus_n"]
BAD_WEIGHTS = dict.fromkeys(BAD_KINDS, 1.0)
BAD_WEIGHTS["upgrade_minus_n"] = 0.4


def rev_ref(graph, rid, rng):
    """Refer to a revision by full id or by a unique 4-8 char prefix."""
    if rng.random() < 0.6:
        return rid
    return graph.unique_prefix(rid, rng)


def unknown_id(graph, rng):
    while True:
        rid = "%012x" % rng.getrandbits(48)
        if not any(k.startswith(rid[:4]) for k in graph.keys):
            return rid


def pick_target(graph, applied, heads, direction, rng, p_bad):
    """Return (command, target, kind)."""
    applied = set(applied)
    unapplied = [r for r in graph.ids if r not in applied]
    multi_head = len(graph.heads()) > 1
    lbls = graph.labels

    if rng.random() < p_bad:
        kinds = BAD_KINDS[:]
        if not multi_head:
            kinds.remove("head_multi")
        if not graph.ambiguous_prefixes():
            kinds.remove("ambiguous_prefix")
        if not unapplied:
            kinds.remove("downgrade_not_below")
        while True:
            weights = [BAD_WEIGHTS[k] for k in kinds]
            if "ambiguous_prefix" in kinds and any(
                    len(p) >= 4 for p in graph.ambiguous_prefixes()):
                weights[kinds.index("ambiguous_prefix")] = 3.0
            kind = rng.choices(kinds, weights)[0]
            if kind == "unknown_id":
                return rng.choice(["upgrade", "downgrade"]), unknown_id(graph, rng), kind
            if kind == "unknown_prefix":
                return direction, unknown_id(graph, rng)[:rng.randint(4, 8)], kind
            if kind == "short_prefix":
                # NB: alembic matches short prefixes against full ids, so
                # these often *succeed*; when no id matches it complains.
                src = rng.choice(graph.ids) if rng.random() < 0.7 else unknown_id(graph, rng)
                return direction, src[:rng.randint(2, 3)], kind
            if kind == "ambiguous_prefix":
                amb = graph.ambiguous_prefixes()
                long_amb = [p for p in amb if len(p) >= 4]
                if long_amb and rng.random() < 0.8:
                    amb = long_amb   # the deliberately shared 4-6 char prefixes
                return direction, rng.choice(amb), kind
            if kind == "unknown_label":
                lbl = rng.choice(UNKNOWN_LABELS)
                form = rng.choice(["%s@head", "%s", "%s@base", "%s@+1", "%s@-1"])
                cmd = "downgrade" if form in ("%s@base", "%s@-1") else "upgrade"
                return cmd, form % lbl, kind
            if kind == "plus_n_past_head":
                return "upgrade", "+%d" % (len(unapplied) + rng.randint(1, 3)), kind
            if kind == "minus_n_past_base":
                return "downgrade", "-%d" % (len(applied) + rng.randint(1, 3)), kind
            if kind == "head_multi":
                return "upgrade", "head", kind
            if kind == "downgrade_not_below":
                return "downgrade", rev_ref(graph, rng.choice(unapplied), rng), kind
            if kind == "upgrade_minus_n":
                return "upgrade", "-%d" % rng.randint(1, 2), kind

    if direction == "upgrade":
        kinds = UP_KINDS[:]
        if multi_head:
            kinds.remove("head")
        if not lbls:
            for k in ("label_head", "label", "label_plus_n"):
                kinds.remove(k)
        kind = rng.choice(kinds)
        pool = unapplied or graph.ids
        if kind in ("heads", "head"):
            return direction, kind, kind
        if kind == "id":
            return direction, rng.choice(pool), kind
        if kind == "prefix":
            return direction, graph.unique_prefix(rng.choice(pool), rng), kind
        if kind == "label_head":
            return direction, "%s@head" % rng.choice(lbls), kind
        if kind == "label":
            return direction, rng.choice(lbls), kind
        if kind == "rev_head":
            return direction, "%s@head" % rev_ref(graph, rng.choice(graph.ids), rng), kind
        if kind == "plus_n":
            return direction, "+%d" % rng.choice([1, 1, 2, 3]), kind
        if kind == "rev_plus_n":
            src = rng.choice(sorted(applied)) if applied and rng.random() < 0.6 \
                else rng.choice(graph.ids)
            return direction, "%s+%d" % (rev_ref(graph, src, rng), rng.choice([1, 1, 2])), kind
        if kind == "label_plus_n":
            return direction, "%s@+%d" % (rng.choice(lbls), rng.choice([1, 1, 2])), kind
        raise AssertionError(kind)

    kinds = DOWN_KINDS[:]
    if not lbls:
        for k in ("label_base", "label_minus_n", "label"):
            kinds.remove(k)
    kind = rng.choice(kinds)
    if kind == "minus_n" and len(heads) > 1 and rng.random() < 0.6:
        # "-N" with several current heads walks down from whichever
        # alembic_version row the database returns first (alembic warns):
        # database dependent, so keep these rare.
        kind = rng.choice(kinds)
    pool = sorted(applied) or graph.ids
    if kind == "base":
        return direction, "base", kind
    if kind == "id":
        return direction, rng.choice(pool), kind
    if kind == "prefix":
        return direction, graph.unique_prefix(rng.choice(pool), rng), kind
    if kind == "label_base":
        return direction, "%s@base" % rng.choice(lbls), kind
    if kind == "minus_n":
        return direction, "-%d" % rng.choice([1, 1, 2, 3]), kind
    if kind == "rev_minus_n":
        return direction, "%s-%d" % (rev_ref(graph, rng.choice(pool), rng), rng.choice([1, 1, 2])), kind
    if kind == "label_minus_n":
        return direction, "%s@-%d" % (rng.choice(lbls), rng.choice([1, 1, 2])), kind
    if kind == "label":
        applied_lbls = [l for l in lbls if graph.label_owner[l] in applied]
        return direction, rng.choice(applied_lbls or lbls), kind
    raise AssertionError(kind)


def run_case(case_dir, graph, n_targets, rng, stats):
    runner = Runner(case_dir)
    steps = []
    direction = "upgrade"
    try:
        for _ in range(n_targets):
            heads, applied = runner.state
            if not applied:
                direction = "upgrade"
            elif len(applied) == len(graph.ids):
                direction = "downgrade"
            elif rng.random() < 0.7:
                direction = "downgrade" if direction == "upgrade" else "upgrade"
            cmd, target, kind = pick_target(graph, applied, heads, direction,
                                            rng, p_bad=0.22)
            entry = runner.run(cmd, target)
            entry["kind"] = kind
            steps.append(entry)
            stats.record(entry)
            if entry.get("ok") or entry.get("state_changed_on_error"):
                direction = cmd
    finally:
        runner.close()
    return steps


class Stats:
    def __init__(self):
        self.ok = 0
        self.err = 0
        self.err_classes = collections.Counter()
        self.err_msgs = collections.Counter()
        self.kinds = collections.defaultdict(lambda: [0, 0])
        self.changed_on_error = 0
        self.warned = 0

    def record(self, e):
        key = "%s %s" % (e["command"], e["kind"])
        if e["ok"]:
            self.ok += 1
            self.kinds[key][0] += 1
        else:
            self.err += 1
            self.kinds[key][1] += 1
            self.err_classes[e["error_class"]] += 1
            msg = e["error"]
            if e["target"] not in ("head", "heads", "base"):
                msg = re.sub(r"(?<!\w)%s(?!\w)" % re.escape(e["target"]),
                             "<target>", msg)
            msg = re.sub(r"[0-9a-f]{12}", "<rev>", msg)
            msg = re.sub(r"'[0-9a-f]{1,11}'", "'<prefix>'", msg)
            msg = re.sub(r"[+-]?\d+", "N", msg)
            for lbl in LABEL_WORDS + UNKNOWN_LABELS:
                msg = msg.replace("'%s'" % lbl, "'<label>'")
            self.err_msgs["%s: %s" % (e["error_class"], msg)] += 1
            if e.get("state_changed_on_error"):
                self.changed_on_error += 1
        if e.get("warnings"):
            self.warned += 1

    def report(self, out):
        total = self.ok + self.err
        w = out.write
        w("steps: %d  ok: %d (%.1f%%)  error: %d (%.1f%%)\n" % (
            total, self.ok, 100.0 * self.ok / max(total, 1), self.err,
            100.0 * self.err / max(total, 1)))
        w("error steps that changed db state: %d; steps with warnings: %d\n"
          % (self.changed_on_error, self.warned))
        w("error classes:\n")
        for k, v in self.err_classes.most_common():
            w("  %6d  %s\n" % (v, k))
        w("error messages (normalised):\n")
        for k, v in self.err_msgs.most_common():
            w("  %6d  %s\n" % (v, k[:150]))
        w("target kinds (ok / error):\n")
        for k in sorted(self.kinds):
            ok, err = self.kinds[k]
            w("  %-32s %5d / %-5d\n" % (k, ok, err))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--graphs", type=int, default=200)
    ap.add_argument("--targets", type=int, default=24)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-script-cache", action="store_true",
                    help="re-parse revision files for every command "
                         "(slow; for checking the cache changes nothing)")
    ap.add_argument("--keep-db", action="store_true",
                    help="keep DIR/case_NNN/alembic.db after the run")
    args = ap.parse_args(argv)

    t0 = time.monotonic()
    if alembic.__version__ != EXPECTED_ALEMBIC:
        sys.stderr.write("warning: alembic %s, expected %s\n"
                         % (alembic.__version__, EXPECTED_ALEMBIC))
    if not args.no_script_cache:
        enable_script_cache()

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        if re.fullmatch(r"case_\d+", name):
            shutil.rmtree(os.path.join(out, name))
    if os.path.exists(os.path.join(out, "cases.json")):
        os.remove(os.path.join(out, "cases.json"))

    width = max(3, len(str(max(args.graphs - 1, 0))))
    stats = Stats()
    cases = []
    for i in range(args.graphs):
        rng = random.Random("retort-alembic-diff:%d:%d" % (args.seed, i))
        graph = gen_graph(rng, i)
        name = "case_%0*d" % (width, i)
        case_dir = os.path.join(out, name)
        write_case(case_dir, graph)
        steps = run_case(case_dir, graph, args.targets, rng, stats)
        with open(os.path.join(case_dir, "expected.json"), "w") as f:
            json.dump({"steps": steps}, f, indent=1)
            f.write("\n")
        if not args.keep_db:
            os.remove(os.path.join(case_dir, "alembic.db"))
        cases.append(name)

    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({
            "alembic_version": alembic.__version__,
            "seed": args.seed,
            "graphs": args.graphs,
            "targets": args.targets,
            "cases": cases,
        }, f, indent=1)
        f.write("\n")

    stats.report(sys.stderr)
    sys.stderr.write("generated %d cases in %s in %.1fs\n"
                     % (len(cases), out, time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
