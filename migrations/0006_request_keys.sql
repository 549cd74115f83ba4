-- 0006_request_keys.sql: an Idempotency-Key replays only the identical request.
--
-- request_hash is a BLAKE2b hash of the request that wrote the event (method,
-- path and body, computed by the adapter); a later request with the same key
-- and another hash is refused as idempotency_key_reused. Events written before
-- this migration (or by adapters that give no hash) keep NULL and are compared
-- by episode and event type as before.
ALTER TABLE events ADD COLUMN request_hash BLOB;

-- The worklist reads a unit's unacknowledged notices newest first.
CREATE INDEX pending_acks_open ON pending_acks(unit_id, sent_at) WHERE acked_at IS NULL;
