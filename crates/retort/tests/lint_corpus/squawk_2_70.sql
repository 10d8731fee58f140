-- squawk 2.70's newer default rules (drops of other objects, defaults, expressions, identity,
-- schema moves, partition detach), after the timeouts, so that only the rule under test differs.
SET lock_timeout = '2s';
SET statement_timeout = '10s';
DROP VIEW IF EXISTS old_report;
DROP MATERIALIZED VIEW stats;
DROP FUNCTION IF EXISTS add_one(int);
DROP PROCEDURE cleanup();
DROP SEQUENCE invoice_numbers;
DROP DOMAIN email_address;
DROP EXTENSION hstore;
ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;
ALTER TABLE orders ALTER COLUMN total DROP EXPRESSION;
ALTER TABLE events SET SCHEMA archive;
ALTER TABLE orders ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
ALTER TABLE measurements DETACH PARTITION measurements_2020;
