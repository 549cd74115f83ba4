-- 0008_token_expiry.sql: API tokens expire and can be revoked (issue 13, item 8).
--
-- expires_at: the instant (Unix seconds) from which the token no longer
-- authenticates; NULL for tokens made before this migration, which keep
-- working until revoked. revoked_at: when `hemgang user token --revoke` ended it.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN revoked_at INTEGER;
CREATE INDEX api_tokens_user ON api_tokens(user_id);
