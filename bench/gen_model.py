#!/usr/bin/env python3
"""A schema model as `retort schema dump --format json` prints it, for the pictures benchmark:
TABLES tables (500) in schema `app`, as in gen_schema.py (10 columns, a foreign key to the
previous table, a check, 3 indexes, a comment), an enum, and a view every 50 tables. Prints
JSON to stdout; no database needed."""
import argparse
import json

p = argparse.ArgumentParser()
p.add_argument("--tables", type=int, default=500)
args = p.parse_args()

tables, views = {}, {}
for i in range(args.tables):
    name = f"t_{i:04d}"
    cols = [
        ("id", "bigint", True, None), ("parent_id", "bigint", False, None),
        ("name", "text", True, "''::text"), ("amount", "numeric(12,2)", True, "0"),
        ("state", "app.state", True, "'new'::app.state"),
        ("created_at", "timestamp with time zone", True, "now()"),
        ("updated_at", "timestamp with time zone", False, None),
        ("code", "character varying(32)", False, None), ("tags", "text[]", False, "'{}'::text[]"),
        ("payload", "jsonb", False, None),
    ]
    constraints = {
        f"{name}_pkey": {"kind": "primary_key", "definition": "PRIMARY KEY (id)", "columns": ["id"], "validated": True},
        f"{name}_amount_check": {"kind": "check", "definition": "CHECK ((amount >= (0)::numeric))", "columns": ["amount"], "validated": True},
    }
    if i:
        constraints[f"{name}_parent_id_fkey"] = {
            "kind": "foreign_key",
            "definition": f"FOREIGN KEY (parent_id) REFERENCES app.t_{i - 1:04d}(id) ON DELETE SET NULL",
            "columns": ["parent_id"], "references": f"app.t_{i - 1:04d}", "validated": True,
        }
    tables[f"app.{name}"] = {
        "columns": [{"name": n, "data_type": t, "not_null": nn, "default": d} for n, t, nn, d in cols],
        "constraints": constraints,
        "indexes": {
            f"{name}_name": {"definition": f"CREATE INDEX {name}_name ON app.{name} USING btree (name)", "method": "btree"},
            f"{name}_code": {"definition": f"CREATE UNIQUE INDEX {name}_code ON app.{name} USING btree (code, parent_id)", "unique": True, "method": "btree"},
        },
        "comment": f"table {i}",
    }
    if i % 50 == 49:
        views[f"app.v_{i:04d}"] = {
            "definition": f" SELECT a.id, b.name\n   FROM (app.{name} a\n     JOIN app.t_{i - 1:04d} b ON ((b.id = a.parent_id)));",
            "columns": [{"name": "id", "data_type": "bigint"}, {"name": "name", "data_type": "text"}],
        }
print(json.dumps({
    "schemas": {"app": {}},
    "enums": {"app.state": {"labels": ["new", "active", "closed"]}},
    "tables": tables,
    "views": views,
}, indent=1))
