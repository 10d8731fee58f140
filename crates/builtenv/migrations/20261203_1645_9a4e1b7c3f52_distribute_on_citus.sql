-- revision: 9a4e1b7c3f52
-- down_revision: 6d2f8a41c9e3
-- branch_labels:
-- depends_on:
-- message: distribute on citus
-- created: 2026-12-03 16:45:00+00:00
-- transactional: true

-- retort:up
-- hand-written: on a Citus coordinator with workers (issue 18), the tables move to the workers,
-- sharded by tenant: projects, subscriptions, documents, audit_events and api_tokens are
-- distributed by tenant_id in one colocation group of 32 shards (a tenant's rows of every table
-- are on one node, so its queries and foreign keys stay on that node); tenants and users are
-- reference tables (a copy on every node: small, read by every request, and users' e-mail is
-- unique across tenants because login finds the account by it); rate_limits stays on the
-- coordinator (per-address counters written on every login attempt, not a tenant's data). The
-- rows already there move with their tables: this is also how an existing single-node database
-- is distributed in place (make the server a coordinator, `CREATE EXTENSION citus`, add the
-- workers, then upgrade). Elsewhere (no Citus, or a coordinator without workers) nothing
-- changes, and the migration says so.
--
-- Foreign keys between tables whose kind changes are dropped first and added back after:
-- Citus refuses to distribute a table tied by one to a table of another kind. builtenv_app may
-- log in on Citus (no password: pg_hba.conf decides from where): the coordinator connects to
-- the workers as the role a query runs as.
DO $$
DECLARE
    skipped text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        skipped := 'the citus extension is not in this database';
    ELSIF NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0) THEN
        skipped := 'citus is here but has no worker node (citus_add_node)';
    END IF;
    IF skipped IS NOT NULL THEN
        RAISE NOTICE 'Citus distribution skipped, every table stays on this server: %', skipped;
        RETURN;
    END IF;
    -- Citus refuses parallel shard commands in a transaction that changes tables tied to
    -- reference tables, and triggers on distributed tables unless told they are safe (the
    -- updated_at triggers only touch their own row).
    SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
    SET LOCAL citus.enable_unsafe_triggers TO on;
    -- The role belongs to the cluster: another database may be granting it at this moment.
    IF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'builtenv_app') THEN
        BEGIN
            ALTER ROLE builtenv_app LOGIN;
        EXCEPTION WHEN internal_error THEN
            NULL; -- tuple concurrently updated: the other database's ALTER ROLE did it
        END;
    END IF;
    ALTER TABLE api_tokens DROP CONSTRAINT fk_api_tokens_tenant_id_user_id_users;
    ALTER TABLE documents DROP CONSTRAINT fk_documents_tenant_id_project_id_projects;
    ALTER TABLE users DROP CONSTRAINT fk_users_tenant_id_tenants;
    ALTER TABLE subscriptions DROP CONSTRAINT fk_subscriptions_tenant_id_tenants;
    ALTER TABLE projects DROP CONSTRAINT fk_projects_tenant_id_tenants;
    ALTER TABLE documents DROP CONSTRAINT fk_documents_tenant_id_tenants;
    ALTER TABLE audit_events DROP CONSTRAINT fk_audit_events_tenant_id_tenants;
    ALTER TABLE api_tokens DROP CONSTRAINT fk_api_tokens_tenant_id_tenants;
    -- audit_events becomes partitioned by month of "timestamp" (a table cannot be made
    -- partitioned in place: a new one takes its name, its rows are copied below).
    ALTER TABLE audit_events RENAME TO audit_events_unpartitioned;
    ALTER TABLE audit_events_unpartitioned RENAME CONSTRAINT pk_audit_events TO pk_audit_events_unpartitioned;
    DROP INDEX ix_audit_events_tenant_id_timestamp, ix_audit_events_tenant_id_user_id,
        ix_audit_events_event_type, ix_audit_events_timestamp;
    CREATE TABLE audit_events (
        LIKE audit_events_unpartitioned INCLUDING DEFAULTS,
        CONSTRAINT pk_audit_events PRIMARY KEY (tenant_id, id, "timestamp")
    ) PARTITION BY RANGE ("timestamp");
    CREATE INDEX ix_audit_events_tenant_id_timestamp ON audit_events (tenant_id, "timestamp" DESC);
    CREATE INDEX ix_audit_events_tenant_id_user_id ON audit_events (tenant_id, user_id);
    CREATE INDEX ix_audit_events_event_type ON audit_events (event_type);
    CREATE INDEX ix_audit_events_timestamp ON audit_events ("timestamp" DESC);
    ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON audit_events USING (tenant_id = builtenv_current_tenant_id()) WITH CHECK (tenant_id = builtenv_current_tenant_id());
    GRANT SELECT, INSERT ON audit_events TO builtenv_app;
    -- Events of a month without its partition yet land here rather than fail the request.
    CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT;
    PERFORM create_reference_table('tenants');
    PERFORM create_reference_table('users');
    PERFORM create_distributed_table('projects', 'tenant_id', shard_count => 32, colocate_with => 'none');
    PERFORM create_distributed_table('subscriptions', 'tenant_id', colocate_with => 'projects');
    PERFORM create_distributed_table('documents', 'tenant_id', colocate_with => 'projects');
    PERFORM create_distributed_table('audit_events', 'tenant_id', colocate_with => 'projects');
    PERFORM create_distributed_table('api_tokens', 'tenant_id', colocate_with => 'projects');
    -- The rows were copied to the shards; their old copies on the coordinator go.
    PERFORM truncate_local_data_after_distributing_table(t)
        FROM unnest('{tenants,users,projects,subscriptions,documents,api_tokens}'::regclass[]) t;
    -- A partition per month from the oldest event to three months ahead (run
    -- `SELECT create_time_partitions('audit_events', '1 month', now() + interval '3 months')`
    -- monthly, e.g. from pg_cron, to keep ahead), then the events.
    PERFORM create_time_partitions('audit_events', '1 month', now() + interval '3 months',
        date_trunc('month', LEAST(now(), (SELECT min("timestamp") FROM audit_events_unpartitioned))));
    INSERT INTO audit_events SELECT * FROM audit_events_unpartitioned;
    DROP TABLE audit_events_unpartitioned;
    ALTER TABLE users ADD CONSTRAINT fk_users_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
    ALTER TABLE subscriptions ADD CONSTRAINT fk_subscriptions_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
    ALTER TABLE projects ADD CONSTRAINT fk_projects_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
    ALTER TABLE documents ADD CONSTRAINT fk_documents_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
    ALTER TABLE audit_events ADD CONSTRAINT fk_audit_events_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
    ALTER TABLE api_tokens ADD CONSTRAINT fk_api_tokens_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
    ALTER TABLE documents ADD CONSTRAINT fk_documents_tenant_id_project_id_projects FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id) ON DELETE CASCADE;
    ALTER TABLE api_tokens ADD CONSTRAINT fk_api_tokens_tenant_id_user_id_users FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE;
    RAISE NOTICE 'Citus: tenants and users are reference tables; projects, subscriptions, documents, audit_events and api_tokens are distributed by tenant_id (32 shards, colocated), audit_events partitioned by month; rate_limits stays on the coordinator';
END
$$;

-- retort:down
-- hand-written: every table back on the coordinator, rows included (undistribute_table), where
-- the upgrade distributed them; nothing to do elsewhere. builtenv_app keeps LOGIN: the role
-- belongs to the cluster, whose other databases may still be distributed (it has no password).
DO $$
BEGIN
    -- (Two steps: pg_dist_partition exists only where Citus does.)
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RAISE NOTICE 'the tables are not distributed by Citus: nothing to undo';
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'public.projects'::regclass) THEN
        RAISE NOTICE 'the tables are not distributed by Citus: nothing to undo';
        RETURN;
    END IF;
    SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
    ALTER TABLE api_tokens DROP CONSTRAINT fk_api_tokens_tenant_id_user_id_users;
    ALTER TABLE documents DROP CONSTRAINT fk_documents_tenant_id_project_id_projects;
    ALTER TABLE users DROP CONSTRAINT fk_users_tenant_id_tenants;
    ALTER TABLE subscriptions DROP CONSTRAINT fk_subscriptions_tenant_id_tenants;
    ALTER TABLE projects DROP CONSTRAINT fk_projects_tenant_id_tenants;
    ALTER TABLE documents DROP CONSTRAINT fk_documents_tenant_id_tenants;
    ALTER TABLE audit_events DROP CONSTRAINT fk_audit_events_tenant_id_tenants;
    ALTER TABLE api_tokens DROP CONSTRAINT fk_api_tokens_tenant_id_tenants;
    PERFORM undistribute_table(t)
        FROM unnest('{api_tokens,audit_events,documents,subscriptions,projects,users,tenants}'::regclass[]) t;
    -- audit_events back to one plain table, its rows copied from the partitions.
    ALTER TABLE audit_events RENAME TO audit_events_partitioned;
    ALTER TABLE audit_events_partitioned RENAME CONSTRAINT pk_audit_events TO pk_audit_events_partitioned;
    DROP INDEX ix_audit_events_tenant_id_timestamp, ix_audit_events_tenant_id_user_id,
        ix_audit_events_event_type, ix_audit_events_timestamp;
    CREATE TABLE audit_events (
        LIKE audit_events_partitioned INCLUDING DEFAULTS,
        CONSTRAINT pk_audit_events PRIMARY KEY (tenant_id, id, "timestamp")
    );
    INSERT INTO audit_events SELECT * FROM audit_events_partitioned;
    DROP TABLE audit_events_partitioned;
    CREATE INDEX ix_audit_events_tenant_id_timestamp ON audit_events (tenant_id, "timestamp" DESC);
    CREATE INDEX ix_audit_events_tenant_id_user_id ON audit_events (tenant_id, user_id);
    CREATE INDEX ix_audit_events_event_type ON audit_events (event_type);
    CREATE INDEX ix_audit_events_timestamp ON audit_events ("timestamp" DESC);
    ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON audit_events USING (tenant_id = builtenv_current_tenant_id()) WITH CHECK (tenant_id = builtenv_current_tenant_id());
    GRANT SELECT, INSERT ON audit_events TO builtenv_app;
    ALTER TABLE users ADD CONSTRAINT fk_users_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
    ALTER TABLE subscriptions ADD CONSTRAINT fk_subscriptions_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
    ALTER TABLE projects ADD CONSTRAINT fk_projects_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
    ALTER TABLE documents ADD CONSTRAINT fk_documents_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
    ALTER TABLE audit_events ADD CONSTRAINT fk_audit_events_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
    ALTER TABLE api_tokens ADD CONSTRAINT fk_api_tokens_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
    ALTER TABLE documents ADD CONSTRAINT fk_documents_tenant_id_project_id_projects FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id) ON DELETE CASCADE;
    ALTER TABLE api_tokens ADD CONSTRAINT fk_api_tokens_tenant_id_user_id_users FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE;
    RAISE NOTICE 'Citus: every table is back on the coordinator';
END
$$;
