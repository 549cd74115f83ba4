-- pg/0008_token_expiry.sql: API tokens expire and can be revoked (issue 13, item 8),
-- as migrations/0008_token_expiry.sql does for SQLite.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN revoked_at BIGINT;
CREATE INDEX api_tokens_user ON api_tokens(user_id);
