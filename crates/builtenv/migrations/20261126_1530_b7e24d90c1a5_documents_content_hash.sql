-- revision: b7e24d90c1a5
-- down_revision: 3a9f1c2e7b64
-- branch_labels:
-- depends_on:
-- message: documents content hash
-- created: 2026-11-26 15:30:00+00:00
-- transactional: false

-- retort:up
-- A later change done safely on a live table: CREATE INDEX CONCURRENTLY does not block writes to
-- documents, but cannot run inside a transaction, so this revision is `transactional: false`
-- and retort runs its statements one by one. Each statement is safe to run again, so an
-- interrupted run can be finished by hand; then `builtenv migrate resolve b7e24d90c1a5 --applied`.
-- (An interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index: drop it first.)

-- Adding a nullable column without a default only touches the catalog, but it waits for the
-- table's lock; give up rather than queue every other query of documents behind it.
SET lock_timeout = '5s';

ALTER TABLE documents ADD COLUMN IF NOT EXISTS content_hash text;

RESET lock_timeout;

CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_documents_tenant_id_content_hash ON documents (tenant_id, content_hash);

-- retort:down
DROP INDEX CONCURRENTLY IF EXISTS ix_documents_tenant_id_content_hash;

SET lock_timeout = '5s';

ALTER TABLE documents DROP COLUMN IF EXISTS content_hash;

RESET lock_timeout;
