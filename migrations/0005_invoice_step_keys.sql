-- 0005_invoice_step_keys.sql: idempotency keys of invoice steps.
--
-- A client that sends a step (send, dispute, decide) again with the same
-- Idempotency-Key after a lost answer gets the invoice as it stands instead of
-- a "wrong state" refusal; a key reused for another invoice or step is refused.
CREATE TABLE invoice_step_keys (
	username   TEXT NOT NULL,
	key        TEXT NOT NULL,
	invoice_id INTEGER NOT NULL REFERENCES invoices(id),
	action     TEXT NOT NULL,
	seq        INTEGER NOT NULL,            -- the step it recorded (invoice_steps.seq)
	PRIMARY KEY (username, key)
) STRICT;
CREATE TRIGGER invoice_step_keys_no_update BEFORE UPDATE ON invoice_step_keys
BEGIN SELECT RAISE(ABORT, 'idempotency keys are kept as written'); END;
