/*
 * interop_sqlite.c - the interop tables (interop_store.h) on the SQLite store's
 * connection pool. Each function takes a connection, runs one or two
 * statements and gives it back; none of them touches events, so none needs
 * the episode lock that store_append takes. On PostgreSQL each call goes to
 * its pgi_ twin in pg_interop.c.
 */
#include "store/interop_store.h"

#include <string.h>

#include "core/alloc.h"
#include "store/store_int.h"
#include "store/store_pg.h"

/* Steps a prepared write; HG_ENOTFOUND for a foreign-key failure, HG_EIO otherwise. */
static hg_status step_write(sqlite3 *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return HG_OK;
	return sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_FOREIGNKEY ? HG_ENOTFOUND : HG_EIO;
}

static hg_status finish(store *s, sqlite3 *db, sqlite3_stmt *st, hg_status rc)
{
	sqlite3_finalize(st);
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

/* ---- facilities ---- */

hg_status interop_facility_put(store *s, const interop_facility *f, hg_instant now)
{
	if (s->pg)
		return pgi_facility_put(s->pg, f, now);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_prepare(db,
			       "INSERT INTO hl7_facilities(facility, org, name, addresses, a16_ready, created_at, pid_rules) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(facility) DO UPDATE SET org = ?2, name = ?3, "
			       "addresses = ?4, a16_ready = ?5, pid_rules = ?7",
			       &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, f->facility);
		sq_bind_text(st, 2, f->org);
		sq_bind_text(st, 3, f->name);
		sq_bind_text(st, 4, f->addresses);
		sqlite3_bind_int(st, 5, f->a16_ready);
		sqlite3_bind_int64(st, 6, now);
		sq_bind_text(st, 7, f->pid_rules);
		rc = step_write(db, st);
	}
	return finish(s, db, st, rc);
}

static void read_facility(sqlite3_stmt *st, void *p)
{
	interop_facility *f = p;
	memset(f, 0, sizeof *f);
	sq_col_str(st, 0, f->facility, sizeof f->facility);
	sq_col_str(st, 1, f->org, sizeof f->org);
	sq_col_str(st, 2, f->name, sizeof f->name);
	sq_col_str(st, 3, f->addresses, sizeof f->addresses);
	f->a16_ready = sqlite3_column_int(st, 4) != 0;
	sq_col_str(st, 5, f->pid_rules, sizeof f->pid_rules);
}

#define FACILITY_COLS "SELECT facility, org, name, addresses, a16_ready, pid_rules FROM hl7_facilities "

hg_status interop_facility_get(store *s, const char *facility, interop_facility *out)
{
	if (s->pg)
		return pgi_facility_get(s->pg, facility, out);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_prepare(db, FACILITY_COLS "WHERE facility = ?1", &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, facility);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW)
			read_facility(st, out);
		rc = step == SQLITE_ROW ? HG_OK : step == SQLITE_DONE ? HG_ENOTFOUND : HG_EIO;
	}
	return finish(s, db, st, rc);
}

hg_status interop_facilities_list(store *s, interop_facility **out, size_t *n)
{
	if (s->pg)
		return pgi_facilities_list(s->pg, out, n);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	*out = NULL;
	*n = 0;
	hg_status rc = sq_prepare(db, FACILITY_COLS "ORDER BY name, facility", &st);
	if (rc == HG_OK)
		rc = sq_collect(st, sizeof **out, read_facility, (void **)out, n);
	return finish(s, db, st, rc);
}

hg_status interop_address_allowed(store *s, const char *addr, bool *allowed)
{
	if (s->pg)
		return pgi_address_allowed(s->pg, addr, allowed);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	*allowed = false;
	/* whole words of the space-separated list */
	hg_status rc = sq_prepare(db,
			       "SELECT 1 FROM hl7_facilities WHERE instr(' ' || addresses || ' ', ' ' || ?1 || ' ') > 0 LIMIT 1",
			       &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, addr);
		int step = sqlite3_step(st);
		*allowed = step == SQLITE_ROW;
		rc = step == SQLITE_ROW || step == SQLITE_DONE ? HG_OK : HG_EIO;
	}
	return finish(s, db, st, rc);
}

/* ---- wards and visits ---- */

hg_status interop_ward_put(store *s, const char *facility, const char *code, const char *unit_id)
{
	if (s->pg)
		return pgi_ward_put(s->pg, facility, code, unit_id);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_prepare(db, "INSERT OR REPLACE INTO hl7_wards(facility, code, unit_id) VALUES (?1, ?2, ?3)", &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, facility);
		sq_bind_text(st, 2, code);
		sq_bind_text(st, 3, unit_id);
		rc = step_write(db, st);
	}
	return finish(s, db, st, rc);
}

hg_status interop_ward_get(store *s, const char *facility, const char *code, char unit_id[HG_ID_MAX])
{
	if (s->pg)
		return pgi_ward_get(s->pg, facility, code, unit_id);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_prepare(db, "SELECT unit_id FROM hl7_wards WHERE facility = ?1 AND code = ?2", &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, facility);
		sq_bind_text(st, 2, code);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW)
			sq_col_str(st, 0, unit_id, HG_ID_MAX);
		rc = step == SQLITE_ROW ? HG_OK : step == SQLITE_DONE ? HG_ENOTFOUND : HG_EIO;
	}
	return finish(s, db, st, rc);
}

hg_status interop_visit_put(store *s, const char *facility, const char *visit, int64_t episode_id)
{
	if (s->pg)
		return pgi_visit_put(s->pg, facility, visit, episode_id);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	hg_status rc =
		sq_prepare(db, "INSERT OR REPLACE INTO hl7_visits(facility, visit, episode_id) VALUES (?1, ?2, ?3)", &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, facility);
		sq_bind_text(st, 2, visit);
		sqlite3_bind_int64(st, 3, episode_id);
		rc = step_write(db, st);
	}
	return finish(s, db, st, rc);
}

hg_status interop_visit_get(store *s, const char *facility, const char *visit, int64_t *episode_id)
{
	if (s->pg)
		return pgi_visit_get(s->pg, facility, visit, episode_id);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_prepare(db, "SELECT episode_id FROM hl7_visits WHERE facility = ?1 AND visit = ?2", &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, facility);
		sq_bind_text(st, 2, visit);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW)
			*episode_id = sqlite3_column_int64(st, 0);
		rc = step == SQLITE_ROW ? HG_OK : step == SQLITE_DONE ? HG_ENOTFOUND : HG_EIO;
	}
	return finish(s, db, st, rc);
}

/* ---- the MSH-10 log ---- */

hg_status interop_message_put(store *s, const char *facility, const char *control_id, const char *trigger,
			      const char *outcome, int64_t episode_id, const char *ack, hg_instant now)
{
	if (s->pg)
		return pgi_message_put(s->pg, facility, control_id, trigger, outcome, episode_id, ack, now);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_prepare(db,
			       "INSERT OR REPLACE INTO hl7_messages(facility, control_id, received_at, trigger, outcome, "
			       "episode_id, ack) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			       &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, facility);
		sq_bind_text(st, 2, control_id);
		sqlite3_bind_int64(st, 3, now);
		sq_bind_text(st, 4, trigger);
		sq_bind_text(st, 5, outcome);
		if (episode_id)
			sqlite3_bind_int64(st, 6, episode_id);
		sq_bind_text(st, 7, ack);
		rc = step_write(db, st);
	}
	return finish(s, db, st, rc);
}

hg_status interop_message_get(store *s, const char *facility, const char *control_id, interop_message *out)
{
	if (s->pg)
		return pgi_message_get(s->pg, facility, control_id, out);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	memset(out, 0, sizeof *out);
	hg_status rc = sq_prepare(db, "SELECT outcome, episode_id, ack FROM hl7_messages WHERE facility = ?1 AND control_id = ?2",
			       &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, facility);
		sq_bind_text(st, 2, control_id);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			sq_col_str(st, 0, out->outcome, sizeof out->outcome);
			out->episode_id = sqlite3_column_int64(st, 1);
			out->ack = hg_strdup((const char *)sqlite3_column_text(st, 2));
			rc = out->ack ? HG_OK : HG_ENOMEM;
		} else {
			rc = step == SQLITE_DONE ? HG_ENOTFOUND : HG_EIO;
		}
	}
	return finish(s, db, st, rc);
}

/* ---- quarantine ---- */

hg_status interop_quarantine_add(store *s, const interop_quarantined *q, const char *message, size_t len, int64_t *id)
{
	if (s->pg)
		return pgi_quarantine_add(s->pg, q, message, len, id);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_prepare(db,
			       "INSERT INTO hl7_quarantine(received_at, facility, control_id, trigger, visit, ward_code, "
			       "pnr_masked, reason, peer, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
			       &st);
	if (rc == HG_OK) {
		sqlite3_bind_int64(st, 1, q->received_at);
		sq_bind_text(st, 2, q->facility);
		sq_bind_text(st, 3, q->control_id);
		sq_bind_text(st, 4, q->trigger);
		sq_bind_text(st, 5, q->visit);
		sq_bind_text(st, 6, q->ward_code);
		sq_bind_text(st, 7, q->pnr_masked);
		sq_bind_text(st, 8, q->reason);
		sq_bind_text(st, 9, q->peer);
		sqlite3_bind_text(st, 10, message, (int)len, SQLITE_TRANSIENT);
		rc = step_write(db, st);
		if (rc == HG_OK)
			*id = sqlite3_last_insert_rowid(db);
	}
	return finish(s, db, st, rc);
}

#define QUARANTINE_COLS                                                                                            \
	"SELECT id, received_at, facility, control_id, trigger, visit, ward_code, pnr_masked, reason, peer, state, " \
	"resolved_at, resolved_by, result FROM hl7_quarantine "

static void read_quarantined(sqlite3_stmt *st, void *p)
{
	interop_quarantined *q = p;
	memset(q, 0, sizeof *q);
	q->id = sqlite3_column_int64(st, 0);
	q->received_at = sqlite3_column_int64(st, 1);
	sq_col_str(st, 2, q->facility, sizeof q->facility);
	sq_col_str(st, 3, q->control_id, sizeof q->control_id);
	sq_col_str(st, 4, q->trigger, sizeof q->trigger);
	sq_col_str(st, 5, q->visit, sizeof q->visit);
	sq_col_str(st, 6, q->ward_code, sizeof q->ward_code);
	sq_col_str(st, 7, q->pnr_masked, sizeof q->pnr_masked);
	sq_col_str(st, 8, q->reason, sizeof q->reason);
	sq_col_str(st, 9, q->peer, sizeof q->peer);
	sq_col_str(st, 10, q->state, sizeof q->state);
	q->resolved_at = sq_col_instant(st, 11);
	sq_col_str(st, 12, q->resolved_by, sizeof q->resolved_by);
	sq_col_str(st, 13, q->result, sizeof q->result);
}

hg_status interop_quarantine_list(store *s, const char *state, int limit, interop_quarantined **out, size_t *n)
{
	if (s->pg)
		return pgi_quarantine_list(s->pg, state, limit, out, n);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	*out = NULL;
	*n = 0;
	hg_status rc = sq_prepare(db, QUARANTINE_COLS "WHERE (?1 IS NULL OR state = ?1) ORDER BY id LIMIT ?2", &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, state);
		sqlite3_bind_int(st, 2, limit > 0 ? limit : 1000);
		rc = sq_collect(st, sizeof **out, read_quarantined, (void **)out, n);
	}
	return finish(s, db, st, rc);
}

hg_status interop_quarantine_get(store *s, int64_t id, interop_quarantined *out, char **message, size_t *len)
{
	if (s->pg)
		return pgi_quarantine_get(s->pg, id, out, message, len);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	if (message)
		*message = NULL;
	hg_status rc = sq_prepare(db,
			       "SELECT id, received_at, facility, control_id, trigger, visit, ward_code, pnr_masked, reason, "
			       "peer, state, resolved_at, resolved_by, result, message FROM hl7_quarantine WHERE id = ?1",
			       &st);
	if (rc == HG_OK) {
		sqlite3_bind_int64(st, 1, id);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			read_quarantined(st, out);
			if (message) {
				size_t n = (size_t)sqlite3_column_bytes(st, 14);
				*message = hg_strndup((const char *)sqlite3_column_text(st, 14), n);
				*len = n;
				if (!*message)
					rc = HG_ENOMEM;
			}
		} else {
			rc = step == SQLITE_DONE ? HG_ENOTFOUND : HG_EIO;
		}
	}
	return finish(s, db, st, rc);
}

hg_status interop_quarantine_pending(store *s, const char *facility, const char *visit, int64_t before, bool *pending)
{
	if (s->pg)
		return pgi_quarantine_pending(s->pg, facility, visit, before, pending);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	*pending = false;
	hg_status rc = sq_prepare(db,
			       "SELECT 1 FROM hl7_quarantine WHERE state = 'pending' AND facility = ?1 AND visit = ?2 "
			       "AND (?3 = 0 OR id < ?3) LIMIT 1",
			       &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, facility);
		sq_bind_text(st, 2, visit);
		sqlite3_bind_int64(st, 3, before);
		int step = sqlite3_step(st);
		*pending = step == SQLITE_ROW;
		rc = step == SQLITE_ROW || step == SQLITE_DONE ? HG_OK : HG_EIO;
	}
	return finish(s, db, st, rc);
}

static void read_id(sqlite3_stmt *st, void *p) { *(int64_t *)p = sqlite3_column_int64(st, 0); }

hg_status interop_quarantine_followers(store *s, const char *facility, const char *visit, int64_t after, int64_t **ids,
				       size_t *n)
{
	if (s->pg)
		return pgi_quarantine_followers(s->pg, facility, visit, after, ids, n);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	*ids = NULL;
	*n = 0;
	hg_status rc = sq_prepare(db,
			       "SELECT id FROM hl7_quarantine WHERE state = 'pending' AND facility = ?1 AND visit = ?2 "
			       "AND id > ?3 ORDER BY id LIMIT 1000",
			       &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, facility);
		sq_bind_text(st, 2, visit);
		sqlite3_bind_int64(st, 3, after);
		rc = sq_collect(st, sizeof **ids, read_id, (void **)ids, n);
	}
	return finish(s, db, st, rc);
}

hg_status interop_quarantine_resolve(store *s, int64_t id, const char *state, const char *by, const char *result,
				     hg_instant now)
{
	if (s->pg)
		return pgi_quarantine_resolve(s->pg, id, state, by, result, now);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_prepare(db,
			       "UPDATE hl7_quarantine SET state = ?2, resolved_by = ?3, result = ?4, resolved_at = ?5 "
			       "WHERE id = ?1",
			       &st);
	if (rc == HG_OK) {
		sqlite3_bind_int64(st, 1, id);
		sq_bind_text(st, 2, state);
		sq_bind_text(st, 3, by);
		sq_bind_text(st, 4, result);
		sqlite3_bind_int64(st, 5, now);
		rc = step_write(db, st);
		if (rc == HG_OK && sqlite3_changes(db) == 0)
			rc = HG_ENOTFOUND;
	}
	return finish(s, db, st, rc);
}

/* ---- FHIR ---- */

hg_status interop_fhir_put(store *s, const char *username, const char *bundle_id, const char *header_id, int status,
			   const char *response, hg_instant now)
{
	if (s->pg)
		return pgi_fhir_put(s->pg, username, bundle_id, header_id, status, response, now);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_prepare(db,
			       "INSERT OR IGNORE INTO fhir_messages(username, bundle_id, header_id, received_at, status, "
			       "response) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			       &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, username);
		sq_bind_text(st, 2, bundle_id);
		sq_bind_text(st, 3, header_id);
		sqlite3_bind_int64(st, 4, now);
		sqlite3_bind_int(st, 5, status);
		sq_bind_text(st, 6, response);
		rc = step_write(db, st);
	}
	return finish(s, db, st, rc);
}

hg_status interop_fhir_get(store *s, const char *username, const char *bundle_id, const char *header_id, int *status,
			   char **response)
{
	if (s->pg)
		return pgi_fhir_get(s->pg, username, bundle_id, header_id, status, response);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	*response = NULL;
	hg_status rc = sq_prepare(db,
			       "SELECT status, response FROM fhir_messages WHERE username = ?1 AND bundle_id = ?2 AND "
			       "header_id = ?3",
			       &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, username);
		sq_bind_text(st, 2, bundle_id);
		sq_bind_text(st, 3, header_id);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			*status = sqlite3_column_int(st, 0);
			*response = hg_strdup((const char *)sqlite3_column_text(st, 1));
			rc = *response ? HG_OK : HG_ENOMEM;
		} else {
			rc = step == SQLITE_DONE ? HG_ENOTFOUND : HG_EIO;
		}
	}
	return finish(s, db, st, rc);
}

/* ---- messages out: subscriptions and the outbox ---- */

hg_status interop_subscription_add(store *s, interop_subscription *sub, bool from_start, hg_instant now)
{
	if (s->pg)
		return pgi_subscription_add(s->pg, sub, from_start, now);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_prepare(db,
			       "INSERT INTO subscriptions(name, unit_id, protocol, endpoint, cursor, created_at) VALUES "
			       "(?1, ?2, ?3, ?4, CASE WHEN ?5 THEN 0 ELSE (SELECT coalesce(max(id), 0) FROM events) END, ?6) "
			       "RETURNING id, cursor",
			       &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, sub->name);
		sq_bind_text(st, 2, sub->unit);
		sq_bind_text(st, 3, sub->protocol);
		sq_bind_text(st, 4, sub->endpoint);
		sqlite3_bind_int(st, 5, from_start);
		sqlite3_bind_int64(st, 6, now);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			sub->id = sqlite3_column_int64(st, 0);
			sub->cursor = sqlite3_column_int64(st, 1);
			sub->created_at = now;
			step = sqlite3_step(st);
		}
		int ext = sqlite3_extended_errcode(db);
		rc = step == SQLITE_DONE ? HG_OK
		     : ext == SQLITE_CONSTRAINT_UNIQUE ? HG_ECONFLICT
		     : ext == SQLITE_CONSTRAINT_FOREIGNKEY ? HG_ENOTFOUND
							: HG_EIO;
	}
	return finish(s, db, st, rc);
}

static void read_subscription(sqlite3_stmt *st, void *p)
{
	interop_subscription *sub = p;
	memset(sub, 0, sizeof *sub);
	sub->id = sqlite3_column_int64(st, 0);
	sq_col_str(st, 1, sub->name, sizeof sub->name);
	sq_col_str(st, 2, sub->unit, sizeof sub->unit);
	sq_col_str(st, 3, sub->protocol, sizeof sub->protocol);
	sq_col_str(st, 4, sub->endpoint, sizeof sub->endpoint);
	sub->cursor = sqlite3_column_int64(st, 5);
	sub->created_at = sq_col_instant(st, 6);
}

hg_status interop_subscriptions_list(store *s, interop_subscription **out, size_t *n)
{
	if (s->pg)
		return pgi_subscriptions_list(s->pg, out, n);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	*out = NULL;
	*n = 0;
	hg_status rc = sq_prepare(db,
			       "SELECT id, name, unit_id, protocol, endpoint, cursor, created_at FROM subscriptions "
			       "ORDER BY name",
			       &st);
	if (rc == HG_OK)
		rc = sq_collect(st, sizeof **out, read_subscription, (void **)out, n);
	return finish(s, db, st, rc);
}

hg_status interop_subscription_remove(store *s, const char *name)
{
	if (s->pg)
		return pgi_subscription_remove(s->pg, name);
	int changes = 0;
	hg_status rc = sq_write1(s, "DELETE FROM subscriptions WHERE name = ?1", &changes, "t", name);
	return rc == HG_OK && changes == 0 ? HG_ENOTFOUND : rc;
}

hg_status interop_outbox_fill(store *s, hg_instant now, size_t *added)
{
	if (s->pg)
		return pgi_outbox_fill(s->pg, now, added);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	bool fresh = false;
	if (added)
		*added = 0;
	/* Most ticks find nothing new: ask without taking the write lock first. */
	hg_status rc = sq_prepare(db,
			       "SELECT 1 FROM events WHERE id > (SELECT min(cursor) FROM subscriptions) LIMIT 1", &st);
	if (rc == HG_OK) {
		int step = sqlite3_step(st);
		fresh = step == SQLITE_ROW;
		rc = step == SQLITE_ROW || step == SQLITE_DONE ? HG_OK : HG_EIO;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != HG_OK || !fresh)
		return finish(s, db, NULL, rc);
	rc = sq_write_begin(s, db);
	if (rc != HG_OK)
		return finish(s, db, NULL, rc);
	/* A notice addressed to a unit has a pending_acks row (written with the event, kept when acknowledged). */
	rc = sq_prepare(db,
			"INSERT OR IGNORE INTO deliveries(subscription_id, event_id, episode_id, seq, type, next_attempt_at, "
			"created_at) SELECT s.id, e.id, e.episode_id, e.seq, e.type, ?1, ?1 FROM events e "
			"JOIN pending_acks a ON a.episode_id = e.episode_id AND a.seq = e.seq "
			"JOIN subscriptions s ON s.unit_id = a.unit_id "
			"WHERE e.id > (SELECT min(cursor) FROM subscriptions) AND e.id > s.cursor ORDER BY e.id",
			&st);
	if (rc == HG_OK) {
		sqlite3_bind_int64(st, 1, now);
		rc = sqlite3_step(st) == SQLITE_DONE ? HG_OK : HG_EIO;
		if (rc == HG_OK && added)
			*added = (size_t)sqlite3_changes(db);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == HG_OK)
		rc = sq_exec(db, "UPDATE subscriptions SET cursor = max(cursor, (SELECT coalesce(max(id), 0) FROM events))");
	if (rc == HG_OK)
		rc = sq_write_commit(s, db);
	else
		sq_write_rollback(s, db);
	return finish(s, db, NULL, rc);
}

#define DELIVERY_COLS                                                                                               \
	"SELECT d.id, d.subscription_id, s.name, s.unit_id, s.protocol, s.endpoint, d.event_id, d.episode_id, d.seq, " \
	"d.type, d.state, d.attempts, d.next_attempt_at, d.last_attempt_at, d.delivered_at, d.created_at, "          \
	"d.last_error, d.ack FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id "

static void read_delivery(sqlite3_stmt *st, void *p)
{
	interop_delivery *d = p;
	memset(d, 0, sizeof *d);
	d->id = sqlite3_column_int64(st, 0);
	d->subscription_id = sqlite3_column_int64(st, 1);
	sq_col_str(st, 2, d->subscription, sizeof d->subscription);
	sq_col_str(st, 3, d->unit, sizeof d->unit);
	sq_col_str(st, 4, d->protocol, sizeof d->protocol);
	sq_col_str(st, 5, d->endpoint, sizeof d->endpoint);
	d->event_id = sqlite3_column_int64(st, 6);
	d->episode_id = sqlite3_column_int64(st, 7);
	d->seq = sqlite3_column_int(st, 8);
	sq_col_str(st, 9, d->type, sizeof d->type);
	sq_col_str(st, 10, d->state, sizeof d->state);
	d->attempts = sqlite3_column_int(st, 11);
	d->next_attempt_at = sq_col_instant(st, 12);
	d->last_attempt_at = sq_col_instant(st, 13);
	d->delivered_at = sq_col_instant(st, 14);
	d->created_at = sq_col_instant(st, 15);
	sq_col_str(st, 16, d->last_error, sizeof d->last_error);
	sq_col_str(st, 17, d->ack, sizeof d->ack);
}

hg_status interop_deliveries_due(store *s, hg_instant now, int limit, interop_delivery **out, size_t *n)
{
	if (s->pg)
		return pgi_deliveries_due(s->pg, now, limit, out, n);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	*out = NULL;
	*n = 0;
	hg_status rc = sq_prepare(db,
			       DELIVERY_COLS "WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 "
					     "ORDER BY d.next_attempt_at, d.id LIMIT ?2",
			       &st);
	if (rc == HG_OK) {
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int(st, 2, limit > 0 ? limit : 100);
		rc = sq_collect(st, sizeof **out, read_delivery, (void **)out, n);
	}
	return finish(s, db, st, rc);
}

hg_status interop_delivery_claim(store *s, interop_delivery *d, hg_instant until)
{
	if (s->pg)
		return pgi_delivery_claim(s->pg, d, until);
	int changes = 0;
	hg_status rc = sq_write1(s,
				 "UPDATE deliveries SET next_attempt_at = ?3 WHERE id = ?1 AND state = 'pending' AND "
				 "next_attempt_at = ?2",
				 &changes, "iTT", d->id, d->next_attempt_at, until);
	if (rc == HG_OK && changes == 0)
		return HG_ECONFLICT;
	if (rc == HG_OK)
		d->next_attempt_at = until;
	return rc;
}

hg_status interop_delivery_done(store *s, int64_t id, const char *ack, hg_instant now)
{
	if (s->pg)
		return pgi_delivery_done(s->pg, id, ack, now);
	return sq_write1(s,
			 "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, last_attempt_at = ?2, "
			 "delivered_at = ?2, last_error = '', ack = ?3 WHERE id = ?1",
			 NULL, "iTt", id, now, ack);
}

hg_status interop_delivery_failed(store *s, int64_t id, const char *error, hg_instant next_attempt_at, hg_instant now)
{
	if (s->pg)
		return pgi_delivery_failed(s->pg, id, error, next_attempt_at, now);
	bool give_up = next_attempt_at == HG_INSTANT_NONE;
	return sq_write1(s,
			 "UPDATE deliveries SET state = ?4, attempts = attempts + 1, last_attempt_at = ?2, last_error = ?3, "
			 "next_attempt_at = coalesce(?5, next_attempt_at) WHERE id = ?1",
			 NULL, "iTttT", id, now, error, give_up ? "failed" : "pending", next_attempt_at);
}

hg_status interop_deliveries_list(store *s, const char *state, const char *subscription, const char *org, int limit,
				  interop_delivery **out, size_t *n)
{
	if (s->pg)
		return pgi_deliveries_list(s->pg, state, subscription, org, limit, out, n);
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	*out = NULL;
	*n = 0;
	hg_status rc = sq_prepare(db,
			       DELIVERY_COLS "WHERE (?1 IS NULL OR d.state = ?1) AND (?2 IS NULL OR s.name = ?2) AND "
					     "(?3 IS NULL OR s.unit_id IN (SELECT id FROM units WHERE org = ?3)) "
					     "ORDER BY d.id DESC LIMIT ?4",
			       &st);
	if (rc == HG_OK) {
		sq_bind_text(st, 1, state);
		sq_bind_text(st, 2, subscription);
		sq_bind_text(st, 3, org);
		sqlite3_bind_int(st, 4, limit > 0 ? limit : 1000);
		rc = sq_collect(st, sizeof **out, read_delivery, (void **)out, n);
	}
	return finish(s, db, st, rc);
}
