-- revision: 8e3b6f1a2d47
-- down_revision: 5c1d8e2f4a90
-- branch_labels:
-- depends_on:
-- message: login failures
-- created: 2026-12-03 13:15:00+00:00
-- transactional: true

-- retort:up
-- Login rate limits shared by every instance of the service (issue 17): failed logins are
-- counted per key (`account:<e-mail>`, `address:<ip>`) in a window, updated atomically by
-- INSERT ... ON CONFLICT DO UPDATE ... RETURNING. Not a tenant's data: no tenant_id, no
-- row-level security, no grant to builtenv_app (login runs as the connection's own role).

-- Nothing here waits on another session (the table is new), but the bounds cost nothing.
SET LOCAL lock_timeout = '5s';

SET LOCAL statement_timeout = '30s';

CREATE TABLE login_failures (
    key text NOT NULL,
    window_start timestamp with time zone DEFAULT now() NOT NULL,
    failures bigint NOT NULL,
    CONSTRAINT pk_login_failures PRIMARY KEY (key)
);

-- Ended windows are deleted by the next failure.
CREATE INDEX ix_login_failures_window_start ON login_failures (window_start);

-- retort:down
DROP TABLE login_failures;
