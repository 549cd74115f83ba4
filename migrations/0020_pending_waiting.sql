-- 0020_pending_waiting.sql: the notices waiting for acknowledgement, in episode order (issue 11.2).
--
-- `hemgang serve` loads its read model (src/store/readmodel.h) at start: every notice not yet
-- acknowledged, episode by episode, beside the projection rows. This partial index holds exactly
-- those notices with every column the load reads, so the load reads the index alone, in key order,
-- and not the whole pending_acks table (most of whose rows are acknowledged).

CREATE INDEX pending_acks_waiting ON pending_acks(episode_id, seq, unit_id, type, sent_at) WHERE acked_at IS NULL;
