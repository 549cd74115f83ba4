-- 0021_audit_patient_sets.sql: the patients a read showed, kept once per distinct set.
--
-- A worklist or an episode list shows the same patients again and again: with audit_patients
-- (0012) each read wrote one row per patient shown, some 150 for a busy ward, on the writer's
-- path of every read. Now a read's audit record links to the set of episodes it showed, and a
-- set is stored once (found again by a digest of its sorted episode ids, BLAKE2b-256), so a
-- repeated read costs one link row. `hemgang audit --patient PNR` finds a read through either
-- table: records written before this migration keep their rows in audit_patients. Kept as
-- written, like the audit log itself.
CREATE TABLE audit_patient_sets (
	id     INTEGER PRIMARY KEY,
	digest BLOB NOT NULL UNIQUE,
	n      INTEGER NOT NULL
) STRICT;
CREATE TABLE audit_patient_set_members (
	set_id     INTEGER NOT NULL REFERENCES audit_patient_sets(id),
	episode_id INTEGER NOT NULL,
	PRIMARY KEY (set_id, episode_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX audit_patient_set_members_episode ON audit_patient_set_members(episode_id);
CREATE TABLE audit_set_links (
	audit_id INTEGER PRIMARY KEY REFERENCES audit_log(id),
	set_id   INTEGER NOT NULL REFERENCES audit_patient_sets(id)
) STRICT;
CREATE INDEX audit_set_links_set ON audit_set_links(set_id);
CREATE TRIGGER audit_patient_sets_no_update BEFORE UPDATE ON audit_patient_sets
BEGIN SELECT RAISE(ABORT, 'audit records are immutable'); END;
CREATE TRIGGER audit_patient_sets_no_delete BEFORE DELETE ON audit_patient_sets
BEGIN SELECT RAISE(ABORT, 'audit records are immutable'); END;
CREATE TRIGGER audit_patient_set_members_no_update BEFORE UPDATE ON audit_patient_set_members
BEGIN SELECT RAISE(ABORT, 'audit records are immutable'); END;
CREATE TRIGGER audit_patient_set_members_no_delete BEFORE DELETE ON audit_patient_set_members
BEGIN SELECT RAISE(ABORT, 'audit records are immutable'); END;
CREATE TRIGGER audit_set_links_no_update BEFORE UPDATE ON audit_set_links
BEGIN SELECT RAISE(ABORT, 'audit records are immutable'); END;
CREATE TRIGGER audit_set_links_no_delete BEFORE DELETE ON audit_set_links
BEGIN SELECT RAISE(ABORT, 'audit records are immutable'); END;
