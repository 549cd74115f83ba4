-- 0012_audit_patients.sql: which patients a read showed (PDL's access extract, loggutdrag).
--
-- A read that shows several patients at once (an episode list, a search, a worklist) writes one
-- audit record and one row here per episode it showed, in the same batch, so that a patient's
-- access extract (`hemgang audit --patient PNR`) finds every time their data was on someone's
-- screen. Kept as written, like the audit log itself.
CREATE TABLE audit_patients (
	audit_id   INTEGER NOT NULL REFERENCES audit_log(id),
	episode_id INTEGER NOT NULL,
	PRIMARY KEY (audit_id, episode_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX audit_patients_episode ON audit_patients(episode_id);
CREATE TRIGGER audit_patients_no_update BEFORE UPDATE ON audit_patients
BEGIN SELECT RAISE(ABORT, 'audit records are immutable'); END;
CREATE TRIGGER audit_patients_no_delete BEFORE DELETE ON audit_patients
BEGIN SELECT RAISE(ABORT, 'audit records are immutable'); END;
