-- pg/0006_login_failures.sql: the login limits (and sessions, with expiry) shared by every server on the database (issue 12
-- item 4). One row per limited key (an account from one address, an address, an account), named
-- by a hash of the key (never the username or address in plain text): the failures counted in
-- the current window, the last one, and the end of the lock. The rules (how many failures lock,
-- for how long) are src/http/auth.c's; a row is forgotten once its window and its lock are over.
CREATE TABLE login_failures (
	key_hash     BYTEA PRIMARY KEY,
	failures     INTEGER NOT NULL,
	last_failure BIGINT NOT NULL,
	locked_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX login_failures_last ON login_failures(last_failure);

-- Sessions are shared too; an expired one is removed when the next login comes (store_pg.c).
CREATE INDEX sessions_expires ON sessions(expires_at);
