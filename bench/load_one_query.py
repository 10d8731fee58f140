#!/usr/bin/env python3
"""Send an SQL file to PostgreSQL as one simple query (one round trip, one implicit transaction),
as retort's scratch loader does: `load_one_query.py DSN FILE`. The floor of that way of loading,
for bench/autogenerate_vs_alembic.sh."""
import sys

import psycopg2

dsn, path = sys.argv[1:3]
conn = psycopg2.connect(dsn)
conn.autocommit = True
conn.cursor().execute(open(path).read())
conn.close()
