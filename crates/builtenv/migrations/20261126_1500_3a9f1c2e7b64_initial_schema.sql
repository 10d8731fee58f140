-- revision: 3a9f1c2e7b64
-- down_revision:
-- branch_labels:
-- depends_on:
-- message: initial schema
-- created: 2026-11-26 15:00:00+00:00
-- transactional: true

-- retort:up
-- Generated part: what `retort revision --autogenerate` is to emit from src/models.rs, one
-- statement per object, in dependency order. Hand-written parts are marked `-- hand-written`
-- (see crates/builtenv/README.md, "The initial revision").

CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TYPE subscriptionstatus AS ENUM ('trialing', 'active', 'past_due', 'canceled', 'unpaid', 'incomplete', 'incomplete_expired');

CREATE TYPE subscriptiontier AS ENUM ('starter', 'professional', 'enterprise');

CREATE TYPE projectstatus AS ENUM ('draft', 'in_review', 'ai_analysis_complete', 'engineer_review', 'validated', 'submitted', 'approved', 'archived');

CREATE TYPE documenttype AS ENUM ('architectural', 'structural', 'mechanical', 'electrical', 'fire_safety', 'accessibility', 'building_control', 'technical_spec', 'report', 'other');

CREATE TYPE documentstatus AS ENUM ('uploaded', 'processing', 'indexed', 'ai_analysis_complete', 'ready_for_review', 'engineer_review', 'validated', 'error');

CREATE TYPE eventtype AS ENUM ('user.auth', 'user.action', 'document.upload', 'document.process', 'ai.analysis', 'ai.agent', 'compliance.check', 'engineer.review', 'subscription', 'system');

CREATE TABLE tenants (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    email text NOT NULL,
    phone text,
    address_line1 text,
    address_line2 text,
    city text,
    postcode text,
    country text DEFAULT 'United Kingdom' NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    is_trial boolean DEFAULT true NOT NULL,
    max_users integer DEFAULT 3 NOT NULL,
    max_projects integer DEFAULT 5 NOT NULL,
    max_storage_gb integer DEFAULT 10 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    trial_ends_at timestamp with time zone,
    CONSTRAINT pk_tenants PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_tenants_slug ON tenants (slug);

CREATE TABLE users (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    tenant_id uuid NOT NULL,
    email text NOT NULL,
    hashed_password text NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    is_verified boolean DEFAULT false NOT NULL,
    first_name text,
    last_name text,
    phone text,
    job_title text,
    is_engineer boolean DEFAULT false NOT NULL,
    engineer_registration_number text,
    engineer_qualification text,
    role text DEFAULT 'user' NOT NULL,
    last_login_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_users PRIMARY KEY (id),
    CONSTRAINT uq_users_tenant_id_id UNIQUE (tenant_id, id),
    CONSTRAINT fk_users_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX ix_users_email ON users (email);

CREATE TABLE subscriptions (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    tenant_id uuid NOT NULL,
    stripe_customer_id text,
    stripe_subscription_id text,
    stripe_price_id text,
    tier subscriptiontier DEFAULT 'starter' NOT NULL,
    status subscriptionstatus DEFAULT 'trialing' NOT NULL,
    billing_cycle text DEFAULT 'monthly' NOT NULL,
    amount numeric(10,2) DEFAULT 0 NOT NULL,
    currency text DEFAULT 'GBP' NOT NULL,
    current_period_start timestamp with time zone,
    current_period_end timestamp with time zone,
    trial_start timestamp with time zone,
    trial_end timestamp with time zone,
    canceled_at timestamp with time zone,
    ended_at timestamp with time zone,
    usage_data jsonb DEFAULT '{}' NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_subscriptions PRIMARY KEY (id),
    CONSTRAINT uq_subscriptions_tenant_id UNIQUE (tenant_id),
    CONSTRAINT uq_subscriptions_stripe_customer_id UNIQUE (stripe_customer_id),
    CONSTRAINT uq_subscriptions_stripe_subscription_id UNIQUE (stripe_subscription_id),
    CONSTRAINT fk_subscriptions_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE INDEX ix_subscriptions_status ON subscriptions (status);

CREATE TABLE projects (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    tenant_id uuid NOT NULL,
    name text NOT NULL,
    description text,
    reference_number text,
    address_line1 text,
    address_line2 text,
    city text,
    postcode text,
    country text DEFAULT 'United Kingdom' NOT NULL,
    project_type text,
    building_use text,
    status projectstatus DEFAULT 'draft' NOT NULL,
    compliance_summary jsonb DEFAULT '{}' NOT NULL,
    engineer_validated jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_projects PRIMARY KEY (id),
    CONSTRAINT uq_projects_tenant_id_id UNIQUE (tenant_id, id),
    CONSTRAINT fk_projects_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE INDEX ix_projects_tenant_id_status ON projects (tenant_id, status);

CREATE TABLE documents (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    tenant_id uuid NOT NULL,
    project_id uuid NOT NULL,
    filename text NOT NULL,
    original_filename text NOT NULL,
    file_path text NOT NULL,
    file_size bigint NOT NULL,
    mime_type text,
    file_extension text,
    document_type documenttype DEFAULT 'other' NOT NULL,
    status documentstatus DEFAULT 'uploaded' NOT NULL,
    extracted_text text,
    page_count integer,
    ai_analysis jsonb DEFAULT '{}' NOT NULL,
    compliance_findings jsonb DEFAULT '{}' NOT NULL,
    vector_indexed jsonb,
    engineer_notes text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    processed_at timestamp with time zone,
    CONSTRAINT pk_documents PRIMARY KEY (id),
    CONSTRAINT fk_documents_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT fk_documents_tenant_id_project_id_projects FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX ix_documents_tenant_id_project_id ON documents (tenant_id, project_id);

CREATE INDEX ix_documents_tenant_id_status ON documents (tenant_id, status);

CREATE INDEX ix_documents_extracted_text_trgm ON documents USING gin (extracted_text gin_trgm_ops);

CREATE TABLE audit_events (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    tenant_id uuid NOT NULL,
    user_id uuid,
    event_type eventtype NOT NULL,
    action text NOT NULL,
    status text DEFAULT 'success' NOT NULL,
    description text,
    resource_type text,
    resource_id text,
    actor_type text,
    actor_id text,
    ai_metadata jsonb,
    ip_address inet,
    user_agent text,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_audit_events PRIMARY KEY (id, "timestamp"),
    CONSTRAINT fk_audit_events_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT fk_audit_events_tenant_id_user_id_users FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (user_id)
);

CREATE INDEX ix_audit_events_tenant_id_timestamp ON audit_events (tenant_id, "timestamp" DESC);

CREATE INDEX ix_audit_events_tenant_id_user_id ON audit_events (tenant_id, user_id);

CREATE INDEX ix_audit_events_event_type ON audit_events (event_type);

CREATE INDEX ix_audit_events_timestamp ON audit_events ("timestamp" DESC);

-- hand-written: updated_at is kept by the database, whoever writes the row.
CREATE FUNCTION builtenv_set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_tenants_updated_at BEFORE UPDATE ON tenants FOR EACH ROW EXECUTE FUNCTION builtenv_set_updated_at();

CREATE TRIGGER trg_users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION builtenv_set_updated_at();

CREATE TRIGGER trg_subscriptions_updated_at BEFORE UPDATE ON subscriptions FOR EACH ROW EXECUTE FUNCTION builtenv_set_updated_at();

CREATE TRIGGER trg_projects_updated_at BEFORE UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION builtenv_set_updated_at();

CREATE TRIGGER trg_documents_updated_at BEFORE UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION builtenv_set_updated_at();

-- hand-written: row-level security. A session sees and writes only the rows of the tenant named
-- by the `app.tenant_id` setting (none when it is unset). The tables' owner is exempt (it runs
-- the migrations); the service runs its requests as builtenv_app, which is not.
CREATE FUNCTION builtenv_current_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON tenants USING (id = builtenv_current_tenant_id()) WITH CHECK (id = builtenv_current_tenant_id());

ALTER TABLE users ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON users USING (tenant_id = builtenv_current_tenant_id()) WITH CHECK (tenant_id = builtenv_current_tenant_id());

ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON subscriptions USING (tenant_id = builtenv_current_tenant_id()) WITH CHECK (tenant_id = builtenv_current_tenant_id());

ALTER TABLE projects ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON projects USING (tenant_id = builtenv_current_tenant_id()) WITH CHECK (tenant_id = builtenv_current_tenant_id());

ALTER TABLE documents ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON documents USING (tenant_id = builtenv_current_tenant_id()) WITH CHECK (tenant_id = builtenv_current_tenant_id());

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON audit_events USING (tenant_id = builtenv_current_tenant_id()) WITH CHECK (tenant_id = builtenv_current_tenant_id());

-- hand-written: the role the service runs each request as (`SET LOCAL ROLE builtenv_app`). Roles
-- belong to the cluster, not the database: another database of the cluster may have made it
-- already, or be making it right now.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'builtenv_app') THEN
        CREATE ROLE builtenv_app NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- hand-written: the migrating role (the tables' owner, which the service connects as) may switch
-- to builtenv_app. A superuser may already; a role with CREATEROLE grants itself membership.
DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'builtenv_app', 'MEMBER') THEN
        EXECUTE format('GRANT builtenv_app TO %I', current_user);
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO builtenv_app;

GRANT SELECT, INSERT, UPDATE ON tenants TO builtenv_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON users, subscriptions, projects, documents TO builtenv_app;

-- The audit trail is append-only for the service.
GRANT SELECT, INSERT ON audit_events TO builtenv_app;

-- hand-written: audit_events becomes a TimescaleDB hypertable where the server can load
-- TimescaleDB, and stays the same plain table where it cannot.
DO $$
DECLARE
    skipped text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
            skipped := 'the timescaledb extension is not installed on this server';
        -- Without the library preloaded, CREATE EXTENSION ends the session (FATAL, which no
        -- handler catches), so look first: the loader's settings exist only once it is loaded.
        ELSIF NOT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'timescaledb.disable_load') THEN
            skipped := 'timescaledb is installed but not in shared_preload_libraries';
        ELSE
            BEGIN
                CREATE EXTENSION timescaledb;
            EXCEPTION WHEN insufficient_privilege THEN
                skipped := SQLERRM;
            END;
        END IF;
    END IF;
    IF skipped IS NULL THEN
        PERFORM create_hypertable('audit_events', by_range('timestamp'), create_default_indexes => false);
        RAISE NOTICE 'audit_events is a TimescaleDB hypertable on "timestamp"';
    ELSE
        RAISE NOTICE 'TimescaleDB hypertable skipped, audit_events stays a plain table: %', skipped;
    END IF;
END
$$;

-- retort:down
DROP TABLE audit_events;

DROP TABLE documents;

DROP TABLE projects;

DROP TABLE subscriptions;

DROP TABLE users;

DROP TABLE tenants;

DROP FUNCTION builtenv_current_tenant_id();

DROP FUNCTION builtenv_set_updated_at();

DROP TYPE eventtype;

DROP TYPE documentstatus;

DROP TYPE documenttype;

DROP TYPE projectstatus;

DROP TYPE subscriptiontier;

DROP TYPE subscriptionstatus;

-- hand-written: the grants on the tables went with them; the role goes too unless another
-- database of the cluster still uses it.
REVOKE USAGE ON SCHEMA public FROM builtenv_app;

DO $$
BEGIN
    DROP ROLE builtenv_app;
EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
    RAISE NOTICE 'role builtenv_app kept: %', SQLERRM;
END
$$;

DROP EXTENSION IF EXISTS timescaledb;

DROP EXTENSION pg_trgm;

DROP EXTENSION "uuid-ossp";
