-- 0002_audit_patients.sql (PostgreSQL): which patients a read showed, as SQLite's 0012.
-- A list read (episode list, search, worklist) writes one audit record and one row here per
-- episode it showed, in the same statement, so a patient's access extract finds it.
CREATE TABLE audit_patients (
	audit_id   BIGINT NOT NULL REFERENCES audit_log(id),
	episode_id BIGINT NOT NULL,
	PRIMARY KEY (audit_id, episode_id)
);
CREATE INDEX audit_patients_episode ON audit_patients(episode_id);
CREATE TRIGGER audit_patients_no_update BEFORE UPDATE OR DELETE ON audit_patients
	FOR EACH ROW EXECUTE FUNCTION hemgang_refuse('audit records are immutable');
