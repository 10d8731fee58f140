-- revision: 6d2f8a41c9e3
-- down_revision: 8e3b6f1a2d47
-- branch_labels:
-- depends_on:
-- message: tenant keys
-- created: 2026-12-03 16:30:00+00:00
-- transactional: true

-- retort:up
-- Every key of a tenant's table starts with tenant_id (issue 18), on every backend: primary keys
-- become (tenant_id, id), the Stripe ids and token hashes are unique within their tenant, and
-- the foreign keys between tenant tables pair tenant_id. That is what Citus needs to shard the
-- tables by tenant_id (revision 9a4e1b7c3f52; a unique key without the distribution column
-- cannot be enforced across shards), and every lookup by id names its tenant, which makes it a
-- single-shard query there and an index lookup everywhere.
--
-- audit_events loses its foreign key to users (it was ON DELETE SET NULL (user_id)): Citus
-- cannot set a column of a key that includes the distribution column to NULL, and an audit
-- trail keeps the id of whoever acted, as actor_id already does. Users are only ever deleted
-- with their tenant, whose events go with it.
--
-- users keeps its e-mail unique across tenants (login finds the account by e-mail before the
-- tenant is known): on Citus, users is a reference table, where that holds.

-- Each statement rebuilds one index of a table with a handful of rows per tenant.
SET LOCAL lock_timeout = '5s';

SET LOCAL statement_timeout = '10min';

-- The foreign keys built on the keys that change go first and come back last.
ALTER TABLE audit_events DROP CONSTRAINT fk_audit_events_tenant_id_user_id_users;

ALTER TABLE api_tokens DROP CONSTRAINT fk_api_tokens_tenant_id_user_id_users;

ALTER TABLE documents DROP CONSTRAINT fk_documents_tenant_id_project_id_projects;

-- (tenant_id, id) was a unique constraint beside the primary key id: it becomes the key.
ALTER TABLE users DROP CONSTRAINT uq_users_tenant_id_id;

ALTER TABLE users DROP CONSTRAINT pk_users;

ALTER TABLE users ADD CONSTRAINT pk_users PRIMARY KEY (tenant_id, id);

ALTER TABLE projects DROP CONSTRAINT uq_projects_tenant_id_id;

ALTER TABLE projects DROP CONSTRAINT pk_projects;

ALTER TABLE projects ADD CONSTRAINT pk_projects PRIMARY KEY (tenant_id, id);

ALTER TABLE subscriptions DROP CONSTRAINT pk_subscriptions;

ALTER TABLE subscriptions ADD CONSTRAINT pk_subscriptions PRIMARY KEY (tenant_id, id);

ALTER TABLE subscriptions DROP CONSTRAINT uq_subscriptions_stripe_customer_id;

ALTER TABLE subscriptions ADD CONSTRAINT uq_subscriptions_tenant_id_stripe_customer_id UNIQUE (tenant_id, stripe_customer_id);

ALTER TABLE subscriptions DROP CONSTRAINT uq_subscriptions_stripe_subscription_id;

ALTER TABLE subscriptions ADD CONSTRAINT uq_subscriptions_tenant_id_stripe_subscription_id UNIQUE (tenant_id, stripe_subscription_id);

ALTER TABLE documents DROP CONSTRAINT pk_documents;

ALTER TABLE documents ADD CONSTRAINT pk_documents PRIMARY KEY (tenant_id, id);

ALTER TABLE audit_events DROP CONSTRAINT pk_audit_events;

ALTER TABLE audit_events ADD CONSTRAINT pk_audit_events PRIMARY KEY (tenant_id, id, "timestamp");

ALTER TABLE api_tokens DROP CONSTRAINT pk_api_tokens;

ALTER TABLE api_tokens ADD CONSTRAINT pk_api_tokens PRIMARY KEY (tenant_id, id);

-- A token names its tenant (bte_<tenant>_<secret>), so it is looked up within it.
DROP INDEX ix_api_tokens_token_hash;

ALTER TABLE api_tokens ADD CONSTRAINT uq_api_tokens_tenant_id_token_hash UNIQUE (tenant_id, token_hash);

ALTER TABLE documents ADD CONSTRAINT fk_documents_tenant_id_project_id_projects FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id) ON DELETE CASCADE;

ALTER TABLE api_tokens ADD CONSTRAINT fk_api_tokens_tenant_id_user_id_users FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE;

-- retort:down
-- Fails if two tenants have come to share a Stripe id or a token hash since (the keys were
-- global before); nothing else can stop it.
SET LOCAL lock_timeout = '5s';

SET LOCAL statement_timeout = '10min';

ALTER TABLE api_tokens DROP CONSTRAINT fk_api_tokens_tenant_id_user_id_users;

ALTER TABLE documents DROP CONSTRAINT fk_documents_tenant_id_project_id_projects;

ALTER TABLE api_tokens DROP CONSTRAINT uq_api_tokens_tenant_id_token_hash;

CREATE UNIQUE INDEX ix_api_tokens_token_hash ON api_tokens (token_hash);

ALTER TABLE api_tokens DROP CONSTRAINT pk_api_tokens;

ALTER TABLE api_tokens ADD CONSTRAINT pk_api_tokens PRIMARY KEY (id);

ALTER TABLE audit_events DROP CONSTRAINT pk_audit_events;

ALTER TABLE audit_events ADD CONSTRAINT pk_audit_events PRIMARY KEY (id, "timestamp");

ALTER TABLE documents DROP CONSTRAINT pk_documents;

ALTER TABLE documents ADD CONSTRAINT pk_documents PRIMARY KEY (id);

ALTER TABLE subscriptions DROP CONSTRAINT uq_subscriptions_tenant_id_stripe_subscription_id;

ALTER TABLE subscriptions ADD CONSTRAINT uq_subscriptions_stripe_subscription_id UNIQUE (stripe_subscription_id);

ALTER TABLE subscriptions DROP CONSTRAINT uq_subscriptions_tenant_id_stripe_customer_id;

ALTER TABLE subscriptions ADD CONSTRAINT uq_subscriptions_stripe_customer_id UNIQUE (stripe_customer_id);

ALTER TABLE subscriptions DROP CONSTRAINT pk_subscriptions;

ALTER TABLE subscriptions ADD CONSTRAINT pk_subscriptions PRIMARY KEY (id);

ALTER TABLE projects DROP CONSTRAINT pk_projects;

ALTER TABLE projects ADD CONSTRAINT pk_projects PRIMARY KEY (id);

ALTER TABLE projects ADD CONSTRAINT uq_projects_tenant_id_id UNIQUE (tenant_id, id);

ALTER TABLE users DROP CONSTRAINT pk_users;

ALTER TABLE users ADD CONSTRAINT pk_users PRIMARY KEY (id);

ALTER TABLE users ADD CONSTRAINT uq_users_tenant_id_id UNIQUE (tenant_id, id);

ALTER TABLE documents ADD CONSTRAINT fk_documents_tenant_id_project_id_projects FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id) ON DELETE CASCADE;

ALTER TABLE api_tokens ADD CONSTRAINT fk_api_tokens_tenant_id_user_id_users FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE;

ALTER TABLE audit_events ADD CONSTRAINT fk_audit_events_tenant_id_user_id_users FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (user_id);
