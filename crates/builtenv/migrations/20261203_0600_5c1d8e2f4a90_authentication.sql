-- revision: 5c1d8e2f4a90
-- down_revision: b7e24d90c1a5
-- branch_labels:
-- depends_on:
-- message: authentication
-- created: 2026-12-03 06:00:00+00:00
-- transactional: true

-- retort:up
-- Authentication (issue 17): users get one of three roles, and every credential (a login
-- session or a machine's API token) is a row of api_tokens holding only the SHA-256 of the
-- token, with its expiry and revocation.

CREATE TYPE userrole AS ENUM ('admin', 'member', 'engineer');

CREATE TYPE tokenkind AS ENUM ('session', 'api');

-- users.role was free text ('user' by default): 'admin' and 'engineer' keep their meaning,
-- anything else becomes 'member'.
ALTER TABLE users ALTER COLUMN role DROP DEFAULT;

ALTER TABLE users ALTER COLUMN role TYPE userrole USING (CASE role WHEN 'admin' THEN 'admin' WHEN 'engineer' THEN 'engineer' ELSE 'member' END)::userrole;

ALTER TABLE users ALTER COLUMN role SET DEFAULT 'member';

CREATE TABLE api_tokens (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    tenant_id uuid NOT NULL,
    user_id uuid,
    kind tokenkind NOT NULL,
    name text,
    role userrole NOT NULL,
    token_hash text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_api_tokens PRIMARY KEY (id),
    CONSTRAINT fk_api_tokens_tenant_id_tenants FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT fk_api_tokens_tenant_id_user_id_users FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX ix_api_tokens_token_hash ON api_tokens (token_hash);

CREATE INDEX ix_api_tokens_tenant_id_user_id ON api_tokens (tenant_id, user_id);

-- hand-written: as every table (see the initial revision).
CREATE TRIGGER trg_api_tokens_updated_at BEFORE UPDATE ON api_tokens FOR EACH ROW EXECUTE FUNCTION builtenv_set_updated_at();

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON api_tokens USING (tenant_id = builtenv_current_tenant_id()) WITH CHECK (tenant_id = builtenv_current_tenant_id());

-- Tokens are revoked (an UPDATE), never deleted by the service.
GRANT SELECT, INSERT, UPDATE ON api_tokens TO builtenv_app;

-- retort:down
DROP TABLE api_tokens;

ALTER TABLE users ALTER COLUMN role DROP DEFAULT;

ALTER TABLE users ALTER COLUMN role TYPE text USING role::text;

ALTER TABLE users ALTER COLUMN role SET DEFAULT 'user';

DROP TYPE tokenkind;

DROP TYPE userrole;
