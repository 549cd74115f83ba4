-- pg/0003_interop_senders.sql: interoperability with real senders and receivers
-- (issues 13 and 16), as SQLite's 0009: FHIR messages are scoped by sender, and a
-- sending facility has its own PID-3 rules.
ALTER TABLE fhir_messages DROP CONSTRAINT fhir_messages_pkey;
ALTER TABLE fhir_messages ADD PRIMARY KEY (username, bundle_id, header_id);
ALTER TABLE hl7_facilities ADD COLUMN pid_rules TEXT NOT NULL DEFAULT '';
