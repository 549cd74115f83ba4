-- 0009_interop_senders.sql: interoperability with real senders and receivers
-- (issues 13 and 16; docs/interop.md).

-- FHIR reliable messaging is scoped by sender (issue 13.7): (Bundle.id,
-- MessageHeader.id) identify a message of one user, so nobody can take another
-- sender's ids first.
CREATE TABLE fhir_messages_scoped (
	username    TEXT NOT NULL,
	bundle_id   TEXT NOT NULL,
	header_id   TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	status      INTEGER NOT NULL,                       -- HTTP status of the answer
	response    TEXT NOT NULL,                          -- the response Bundle (JSON)
	PRIMARY KEY (username, bundle_id, header_id)
) STRICT, WITHOUT ROWID;
INSERT INTO fhir_messages_scoped(username, bundle_id, header_id, received_at, status, response)
	SELECT username, bundle_id, header_id, received_at, status, response FROM fhir_messages;
DROP TABLE fhir_messages;
ALTER TABLE fhir_messages_scoped RENAME TO fhir_messages;

-- A sending facility's own PID-3 conventions (issue 16.1): space-separated
-- rules "AUTHORITY^TYPE" (a personnummer or samordningsnummer) and
-- "reserve:AUTHORITY^TYPE" (a reserve number), tried before the common ones.
ALTER TABLE hl7_facilities ADD COLUMN pid_rules TEXT NOT NULL DEFAULT '';
