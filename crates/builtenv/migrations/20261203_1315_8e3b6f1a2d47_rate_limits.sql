-- revision: 8e3b6f1a2d47
-- down_revision: 5c1d8e2f4a90
-- branch_labels:
-- depends_on:
-- message: rate limits
-- created: 2026-12-03 13:15:00+00:00
-- transactional: true

-- retort:up
-- Rate limits shared by every instance of the service (issue 17): failed logins per account
-- and per address, sign-ups per address, each counted under its key (`account:<e-mail>`,
-- `address:<ip>`, `signup:<ip>`) in a window, updated atomically by INSERT ... ON CONFLICT DO
-- UPDATE ... RETURNING. Not a tenant's data: no tenant_id, no row-level security, no grant to
-- builtenv_app (login and sign-up run as the connection's own role).

-- Nothing here waits on another session (the table is new), but the bounds cost nothing.
SET LOCAL lock_timeout = '5s';

SET LOCAL statement_timeout = '30s';

-- UNLOGGED: the counters of an attack write no WAL and do not go to standbys; a crash empties
-- the table, which only restarts the windows.
CREATE UNLOGGED TABLE rate_limits (
    key text NOT NULL,
    window_start timestamp with time zone DEFAULT now() NOT NULL,
    hits bigint NOT NULL,
    CONSTRAINT pk_rate_limits PRIMARY KEY (key)
);

-- Ended windows are deleted by the next count.
CREATE INDEX ix_rate_limits_window_start ON rate_limits (window_start);

-- retort:down
DROP TABLE rate_limits;
