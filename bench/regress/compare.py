#!/usr/bin/env python3
"""Compare two databases' normalised pg_dump --schema-only (judge_pairs.py's rules), clustered by
kind. usage: compare.py URL_BASE DB_A DB_B [--list]"""
import collections, os, re, sys
# judge_pairs.py's normalisation of pg_dump (../shared/tools beside the repository, or JUDGE_TOOLS).
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("JUDGE_TOOLS", os.path.join(HERE, "../../../shared/tools")))
from judge_pairs import Server  # noqa: E402

KINDS = [
    (r"^CREATE (UNLOGGED )?TABLE .* PARTITION OF", "partition"),
    (r"^CREATE (UNLOGGED )?TABLE", "table"),
    (r"^CREATE FOREIGN TABLE", "foreign table"),
    (r"^ALTER (FOREIGN )?TABLE .*\n?.*ADD CONSTRAINT .* FOREIGN KEY", "foreign key"),
    (r"^ALTER (FOREIGN )?TABLE .*\n?.*ADD CONSTRAINT .* (PRIMARY KEY|UNIQUE)", "key"),
    (r"^ALTER (FOREIGN )?TABLE .*\n?.*ADD CONSTRAINT .* CHECK", "check"),
    (r"^ALTER (FOREIGN )?TABLE .*\n?.*ADD CONSTRAINT .* EXCLUDE", "exclusion"),
    (r"^ALTER (FOREIGN )?TABLE .*\n?.*ADD CONSTRAINT", "constraint other"),
    (r"^ALTER TABLE .*\n?.*ALTER COLUMN .* SET DEFAULT", "column default"),
    (r"^ALTER TABLE .*\n?.*ALTER COLUMN .* ADD GENERATED", "identity"),
    (r"^ALTER TABLE .*\n?.*ALTER COLUMN .* SET (STATISTICS|STORAGE|\()", "column setting"),
    (r"^ALTER TABLE .*\n?.*ATTACH PARTITION", "attach partition"),
    (r"^ALTER TABLE .*\n?.*(CLUSTER ON)", "cluster on"),
    (r"^ALTER TABLE .*\n?.*REPLICA IDENTITY", "replica identity"),
    (r"^ALTER TABLE .*\n?.*(ENABLE|DISABLE) .*TRIGGER", "trigger state"),
    (r"^ALTER TABLE .*\n?.*(ROW LEVEL SECURITY)", "rls"),
    (r"^ALTER TABLE .*\n?.*(INHERIT )", "inherit"),
    (r"^ALTER (TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE)", "alter relation other"),
    (r"^CREATE (UNIQUE )?INDEX", "index"),
    (r"^ALTER INDEX .* ATTACH PARTITION", "attach index"),
    (r"^ALTER INDEX", "alter index"),
    (r"^CREATE VIEW", "view"),
    (r"^CREATE MATERIALIZED VIEW", "matview"),
    (r"^CREATE (OR REPLACE )?RULE", "rule"),
    (r"^CREATE (CONSTRAINT )?TRIGGER", "trigger"),
    (r"^CREATE EVENT TRIGGER", "event trigger"),
    (r"^CREATE POLICY", "policy"),
    (r"^CREATE (FUNCTION|PROCEDURE)", "function"),
    (r"^CREATE AGGREGATE", "aggregate"),
    (r"^CREATE OPERATOR CLASS", "opclass"),
    (r"^CREATE OPERATOR FAMILY", "opfamily"),
    (r"^ALTER OPERATOR FAMILY", "opfamily members"),
    (r"^CREATE OPERATOR", "operator"),
    (r"^CREATE TYPE .* AS ENUM", "enum"),
    (r"^CREATE TYPE .* AS RANGE", "range"),
    (r"^CREATE TYPE .* AS \(", "composite"),
    (r"^CREATE TYPE", "base/shell type"),
    (r"^CREATE DOMAIN", "domain"),
    (r"^ALTER DOMAIN", "domain constraint"),
    (r"^CREATE SEQUENCE", "sequence"),
    (r"^ALTER SEQUENCE .* OWNED BY", "sequence owned by"),
    (r"^CREATE SCHEMA", "schema"),
    (r"^CREATE COLLATION", "collation"),
    (r"^CREATE CAST", "cast"),
    (r"^CREATE (DEFAULT )?CONVERSION", "conversion"),
    (r"^CREATE TEXT SEARCH", "text search"),
    (r"^ALTER TEXT SEARCH", "text search mapping"),
    (r"^CREATE STATISTICS", "statistics"),
    (r"^ALTER STATISTICS", "statistics target"),
    (r"^CREATE PUBLICATION", "publication"),
    (r"^ALTER PUBLICATION", "publication member"),
    (r"^CREATE SUBSCRIPTION", "subscription"),
    (r"^CREATE (FOREIGN DATA WRAPPER|SERVER|USER MAPPING)", "fdw/server/mapping"),
    (r"^CREATE EXTENSION", "extension"),
    (r"^ALTER DEFAULT PRIVILEGES", "default privileges"),
    (r"^(GRANT|REVOKE) .*\(", "column grant"),
    (r"^(GRANT|REVOKE)", "grant"),
    (r"^COMMENT ON (\w+( \w+)?)", "comment"),
    (r"^SECURITY LABEL", "security label"),
    (r"^CREATE (TRUSTED )?(PROCEDURAL )?LANGUAGE", "language"),
    (r"^CREATE ACCESS METHOD", "access method"),
    (r"^CREATE TRANSFORM", "transform"),
    (r"^ALTER (\w+)", "alter other"),
    (r"^EXTENSION", "extension version"),
]


def kind(stmt):
    for pat, k in KINDS:
        m = re.search(pat, stmt)
        if m:
            if k == "comment":
                return "comment on " + m.group(1).lower()
            if k == "alter other":
                return "alter " + m.group(1).lower()
            return k
    return "other: " + stmt.split("\n")[0][:40]


def main():
    base, a, b = sys.argv[1:4]
    listing = "--list" in sys.argv
    s = Server(base + "/postgres")
    da, db = s.dump(a), s.dump(b)
    ca, cb = collections.Counter(da), collections.Counter(db)
    only_a, only_b = ca - cb, cb - ca
    per = collections.defaultdict(lambda: [0, 0])
    for st, n in only_a.items():
        per[kind(st)][0] += n
    for st, n in only_b.items():
        per[kind(st)][1] += n
    print(f"statements: {a} {len(da)}, {b} {len(db)}; only in {a}: {sum(only_a.values())}, only in {b}: {sum(only_b.values())}")
    for k, (x, y) in sorted(per.items(), key=lambda kv: -(kv[1][0] + kv[1][1])):
        print(f"  {k:30} only-{a}: {x:5}  only-{b}: {y:5}")
    if listing:
        for st in sorted(only_a):
            print(f"--- only in {a} [{kind(st)}]\n{st}")
        for st in sorted(only_b):
            print(f"+++ only in {b} [{kind(st)}]\n{st}")


if __name__ == "__main__":
    main()
