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
#include "store/sq_db.h"
#include "store/store_int.h"
#include "store/store_pg.h"

/* ---- facilities ---- */

hg_status interop_facility_put(store *s, const interop_facility *f, hg_instant now)
{
	if (s->pg)
		return pgi_facility_put(s->pg, f, now);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db,
	             "INSERT INTO hl7_facilities(facility, org, name, addresses, a16_ready, created_at, pid_rules) "
	             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(facility) DO UPDATE SET org = ?2, name = ?3, "
	             "addresses = ?4, a16_ready = ?5, pid_rules = ?7");
	sq_q_bind_text(&q, 1, f->facility);
	sq_q_bind_text(&q, 2, f->org);
	sq_q_bind_text(&q, 3, f->name);
	sq_q_bind_text(&q, 4, f->addresses);
	sq_q_bind_int64(&q, 5, f->a16_ready);
	sq_q_bind_int64(&q, 6, now);
	sq_q_bind_text(&q, 7, f->pid_rules);
	return sq_conn_done(s, db, sq_q_exec(&q));
}

static hg_status read_facility(sq_q *q, void *p)
{
	interop_facility *f = p;
	memset(f, 0, sizeof *f);
	sq_q_col_str(q, 0, f->facility, sizeof f->facility);
	sq_q_col_str(q, 1, f->org, sizeof f->org);
	sq_q_col_str(q, 2, f->name, sizeof f->name);
	sq_q_col_str(q, 3, f->addresses, sizeof f->addresses);
	f->a16_ready = sq_q_col_int(q, 4) != 0;
	sq_q_col_str(q, 5, f->pid_rules, sizeof f->pid_rules);
	return HG_OK;
}

#define FACILITY_COLS "SELECT facility, org, name, addresses, a16_ready, pid_rules FROM hl7_facilities "

hg_status interop_facility_get(store *s, const char *facility, interop_facility *out)
{
	if (s->pg)
		return pgi_facility_get(s->pg, facility, out);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, FACILITY_COLS "WHERE facility = ?1");
	sq_q_bind_text(&q, 1, facility);
	if (sq_q_step(&q))
		IGNORE(read_facility(&q, out)); /* reading a row cannot fail */
	else
		sq_q_fail(&q, HG_ENOTFOUND);
	return sq_conn_done(s, db, sq_q_finish(&q));
}

hg_status interop_facilities_list(store *s, interop_facility **out, size_t *n)
{
	if (s->pg)
		return pgi_facilities_list(s->pg, out, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	*out = NULL;
	*n = 0;
	sq_q_prepare(&q, db, FACILITY_COLS "ORDER BY name, facility");
	return sq_conn_done(s, db, sq_q_collect(&q, sizeof **out, read_facility, (void **)out, n));
}

hg_status interop_address_allowed(store *s, const char *addr, bool *allowed)
{
	if (s->pg)
		return pgi_address_allowed(s->pg, addr, allowed);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	*allowed = false;
	/* whole words of the space-separated list */
	sq_q_prepare(&q, db,
	             "SELECT 1 FROM hl7_facilities WHERE instr(' ' || addresses || ' ', ' ' || ?1 || ' ') > 0 LIMIT 1");
	sq_q_bind_text(&q, 1, addr);
	return sq_conn_done(s, db, sq_q_exists(&q, allowed));
}

/* ---- wards and visits ---- */

hg_status interop_ward_put(store *s, const char *facility, const char *code, const char *unit_id)
{
	if (s->pg)
		return pgi_ward_put(s->pg, facility, code, unit_id);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, "INSERT OR REPLACE INTO hl7_wards(facility, code, unit_id) VALUES (?1, ?2, ?3)");
	sq_q_bind_text(&q, 1, facility);
	sq_q_bind_text(&q, 2, code);
	sq_q_bind_text(&q, 3, unit_id);
	return sq_conn_done(s, db, sq_q_exec(&q));
}

hg_status interop_ward_get(store *s, const char *facility, const char *code, char unit_id[HG_ID_MAX])
{
	if (s->pg)
		return pgi_ward_get(s->pg, facility, code, unit_id);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, "SELECT unit_id FROM hl7_wards WHERE facility = ?1 AND code = ?2");
	sq_q_bind_text(&q, 1, facility);
	sq_q_bind_text(&q, 2, code);
	if (sq_q_step(&q))
		sq_q_col_str(&q, 0, unit_id, HG_ID_MAX);
	else
		sq_q_fail(&q, HG_ENOTFOUND);
	return sq_conn_done(s, db, sq_q_finish(&q));
}

hg_status interop_visit_put(store *s, const char *facility, const char *visit, int64_t episode_id)
{
	if (s->pg)
		return pgi_visit_put(s->pg, facility, visit, episode_id);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, "INSERT OR REPLACE INTO hl7_visits(facility, visit, episode_id) VALUES (?1, ?2, ?3)");
	sq_q_bind_text(&q, 1, facility);
	sq_q_bind_text(&q, 2, visit);
	sq_q_bind_int64(&q, 3, episode_id);
	return sq_conn_done(s, db, sq_q_exec(&q));
}

hg_status interop_visit_get(store *s, const char *facility, const char *visit, int64_t *episode_id)
{
	if (s->pg)
		return pgi_visit_get(s->pg, facility, visit, episode_id);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, "SELECT episode_id FROM hl7_visits WHERE facility = ?1 AND visit = ?2");
	sq_q_bind_text(&q, 1, facility);
	sq_q_bind_text(&q, 2, visit);
	return sq_conn_done(s, db, sq_q_int64(&q, episode_id));
}

/* ---- the MSH-10 log ---- */

hg_status interop_message_put(store *s, const char *facility, const char *control_id, const char *trigger,
			      const char *outcome, int64_t episode_id, const char *ack, hg_instant now)
{
	if (s->pg)
		return pgi_message_put(s->pg, facility, control_id, trigger, outcome, episode_id, ack, now);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db,
	             "INSERT OR REPLACE INTO hl7_messages(facility, control_id, received_at, trigger, outcome, "
	             "episode_id, ack) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	sq_q_bind_text(&q, 1, facility);
	sq_q_bind_text(&q, 2, control_id);
	sq_q_bind_int64(&q, 3, now);
	sq_q_bind_text(&q, 4, trigger);
	sq_q_bind_text(&q, 5, outcome);
	if (episode_id)
		sq_q_bind_int64(&q, 6, episode_id);
	sq_q_bind_text(&q, 7, ack);
	return sq_conn_done(s, db, sq_q_exec(&q));
}

hg_status interop_message_get(store *s, const char *facility, const char *control_id, interop_message *out)
{
	if (s->pg)
		return pgi_message_get(s->pg, facility, control_id, out);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	memset(out, 0, sizeof *out);
	sq_q_prepare(&q, db,
	             "SELECT outcome, episode_id, ack FROM hl7_messages WHERE facility = ?1 AND control_id = ?2");
	sq_q_bind_text(&q, 1, facility);
	sq_q_bind_text(&q, 2, control_id);
	if (sq_q_step(&q)) {
		sq_q_col_str(&q, 0, out->outcome, sizeof out->outcome);
		out->episode_id = sq_q_col_int64(&q, 1);
		out->ack = sq_q_col_dup(&q, 2);
		if (!out->ack)
			sq_q_fail(&q, HG_ENOMEM);
	} else {
		sq_q_fail(&q, HG_ENOTFOUND);
	}
	return sq_conn_done(s, db, sq_q_finish(&q));
}

/* ---- quarantine ---- */

hg_status interop_quarantine_add(store *s, const interop_quarantined *rec, const char *message, size_t len, int64_t *id)
{
	if (s->pg)
		return pgi_quarantine_add(s->pg, rec, message, len, id);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db,
	             "INSERT INTO hl7_quarantine(received_at, facility, control_id, trigger, visit, ward_code, "
	             "pnr_masked, reason, peer, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
	sq_q_bind_int64(&q, 1, rec->received_at);
	sq_q_bind_text(&q, 2, rec->facility);
	sq_q_bind_text(&q, 3, rec->control_id);
	sq_q_bind_text(&q, 4, rec->trigger);
	sq_q_bind_text(&q, 5, rec->visit);
	sq_q_bind_text(&q, 6, rec->ward_code);
	sq_q_bind_text(&q, 7, rec->pnr_masked);
	sq_q_bind_text(&q, 8, rec->reason);
	sq_q_bind_text(&q, 9, rec->peer);
	sq_q_bind_textn(&q, 10, message, len);
	hg_status rc = sq_q_exec(&q);
	if (rc == HG_OK)
		*id = sq_q_last_id(&q);
	return sq_conn_done(s, db, rc);
}

#define QUARANTINE_COLS                                                                                            \
	"SELECT id, received_at, facility, control_id, trigger, visit, ward_code, pnr_masked, reason, peer, state, " \
	"resolved_at, resolved_by, result FROM hl7_quarantine "

static hg_status read_quarantined(sq_q *q, void *p)
{
	interop_quarantined *r = p;
	memset(r, 0, sizeof *r);
	r->id = sq_q_col_int64(q, 0);
	r->received_at = sq_q_col_int64(q, 1);
	sq_q_col_str(q, 2, r->facility, sizeof r->facility);
	sq_q_col_str(q, 3, r->control_id, sizeof r->control_id);
	sq_q_col_str(q, 4, r->trigger, sizeof r->trigger);
	sq_q_col_str(q, 5, r->visit, sizeof r->visit);
	sq_q_col_str(q, 6, r->ward_code, sizeof r->ward_code);
	sq_q_col_str(q, 7, r->pnr_masked, sizeof r->pnr_masked);
	sq_q_col_str(q, 8, r->reason, sizeof r->reason);
	sq_q_col_str(q, 9, r->peer, sizeof r->peer);
	sq_q_col_str(q, 10, r->state, sizeof r->state);
	r->resolved_at = sq_q_col_instant(q, 11);
	sq_q_col_str(q, 12, r->resolved_by, sizeof r->resolved_by);
	sq_q_col_str(q, 13, r->result, sizeof r->result);
	return HG_OK;
}

hg_status interop_quarantine_list(store *s, const char *state, int limit, interop_quarantined **out, size_t *n)
{
	if (s->pg)
		return pgi_quarantine_list(s->pg, state, limit, out, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	*out = NULL;
	*n = 0;
	sq_q_prepare(&q, db, QUARANTINE_COLS "WHERE (?1 IS NULL OR state = ?1) ORDER BY id LIMIT ?2");
	sq_q_bind_text(&q, 1, state);
	sq_q_bind_int64(&q, 2, limit > 0 ? limit : 1000);
	return sq_conn_done(s, db, sq_q_collect(&q, sizeof **out, read_quarantined, (void **)out, n));
}

hg_status interop_quarantine_get(store *s, int64_t id, interop_quarantined *out, char **message, size_t *len)
{
	if (s->pg)
		return pgi_quarantine_get(s->pg, id, out, message, len);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	if (message)
		*message = NULL;
	sq_q_prepare(&q, db,
	             "SELECT id, received_at, facility, control_id, trigger, visit, ward_code, pnr_masked, reason, "
	             "peer, state, resolved_at, resolved_by, result, message FROM hl7_quarantine WHERE id = ?1");
	sq_q_bind_int64(&q, 1, id);
	if (sq_q_step(&q)) {
		IGNORE(read_quarantined(&q, out)); /* reading a row cannot fail */
		if (message) {
			*message = sq_q_col_dup(&q, 14);
			*len = sq_q_col_bytes(&q, 14);
			if (!*message)
				sq_q_fail(&q, HG_ENOMEM);
		}
	} else {
		sq_q_fail(&q, HG_ENOTFOUND);
	}
	return sq_conn_done(s, db, sq_q_finish(&q));
}

hg_status interop_quarantine_pending(store *s, const char *facility, const char *visit, int64_t before, bool *pending)
{
	if (s->pg)
		return pgi_quarantine_pending(s->pg, facility, visit, before, pending);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	*pending = false;
	sq_q_prepare(&q, db,
	             "SELECT 1 FROM hl7_quarantine WHERE state = 'pending' AND facility = ?1 AND visit = ?2 "
	             "AND (?3 = 0 OR id < ?3) LIMIT 1");
	sq_q_bind_text(&q, 1, facility);
	sq_q_bind_text(&q, 2, visit);
	sq_q_bind_int64(&q, 3, before);
	return sq_conn_done(s, db, sq_q_exists(&q, pending));
}

static hg_status read_id(sq_q *q, void *p)
{
	*(int64_t *)p = sq_q_col_int64(q, 0);
	return HG_OK;
}

hg_status interop_quarantine_followers(store *s, const char *facility, const char *visit, int64_t after, int64_t **ids,
				       size_t *n)
{
	if (s->pg)
		return pgi_quarantine_followers(s->pg, facility, visit, after, ids, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	*ids = NULL;
	*n = 0;
	sq_q_prepare(&q, db,
	             "SELECT id FROM hl7_quarantine WHERE state = 'pending' AND facility = ?1 AND visit = ?2 "
	             "AND id > ?3 ORDER BY id LIMIT 1000");
	sq_q_bind_text(&q, 1, facility);
	sq_q_bind_text(&q, 2, visit);
	sq_q_bind_int64(&q, 3, after);
	return sq_conn_done(s, db, sq_q_collect(&q, sizeof **ids, read_id, (void **)ids, n));
}

hg_status interop_quarantine_resolve(store *s, int64_t id, const char *state, const char *by, const char *result,
				     hg_instant now)
{
	if (s->pg)
		return pgi_quarantine_resolve(s->pg, id, state, by, result, now);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db,
	             "UPDATE hl7_quarantine SET state = ?2, resolved_by = ?3, result = ?4, resolved_at = ?5 "
	             "WHERE id = ?1");
	sq_q_bind_int64(&q, 1, id);
	sq_q_bind_text(&q, 2, state);
	sq_q_bind_text(&q, 3, by);
	sq_q_bind_text(&q, 4, result);
	sq_q_bind_int64(&q, 5, now);
	hg_status rc = sq_q_exec(&q);
	if (rc == HG_OK && sq_q_changes(&q) == 0)
		rc = HG_ENOTFOUND;
	return sq_conn_done(s, db, rc);
}

/* ---- FHIR ---- */

hg_status interop_fhir_put(store *s, const char *username, const char *bundle_id, const char *header_id, int status,
			   const char *response, hg_instant now)
{
	if (s->pg)
		return pgi_fhir_put(s->pg, username, bundle_id, header_id, status, response, now);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db,
	             "INSERT OR IGNORE INTO fhir_messages(username, bundle_id, header_id, received_at, status, "
	             "response) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	sq_q_bind_text(&q, 1, username);
	sq_q_bind_text(&q, 2, bundle_id);
	sq_q_bind_text(&q, 3, header_id);
	sq_q_bind_int64(&q, 4, now);
	sq_q_bind_int64(&q, 5, status);
	sq_q_bind_text(&q, 6, response);
	return sq_conn_done(s, db, sq_q_exec(&q));
}

hg_status interop_fhir_get(store *s, const char *username, const char *bundle_id, const char *header_id, int *status,
			   char **response)
{
	if (s->pg)
		return pgi_fhir_get(s->pg, username, bundle_id, header_id, status, response);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	*response = NULL;
	sq_q_prepare(&q, db,
	             "SELECT status, response FROM fhir_messages WHERE username = ?1 AND bundle_id = ?2 AND "
	             "header_id = ?3");
	sq_q_bind_text(&q, 1, username);
	sq_q_bind_text(&q, 2, bundle_id);
	sq_q_bind_text(&q, 3, header_id);
	if (sq_q_step(&q)) {
		*status = sq_q_col_int(&q, 0);
		*response = sq_q_col_dup(&q, 1);
		if (!*response)
			sq_q_fail(&q, HG_ENOMEM);
	} else {
		sq_q_fail(&q, HG_ENOTFOUND);
	}
	return sq_conn_done(s, db, sq_q_finish(&q));
}

/* ---- messages out: subscriptions and the outbox ---- */

hg_status interop_subscription_add(store *s, interop_subscription *sub, bool from_start, hg_instant now)
{
	if (s->pg)
		return pgi_subscription_add(s->pg, sub, from_start, now);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db,
	             "INSERT INTO subscriptions(name, unit_id, protocol, endpoint, cursor, created_at) VALUES "
	             "(?1, ?2, ?3, ?4, CASE WHEN ?5 THEN 0 ELSE (SELECT coalesce(max(id), 0) FROM events) END, ?6) "
	             "RETURNING id, cursor");
	sq_q_bind_text(&q, 1, sub->name);
	sq_q_bind_text(&q, 2, sub->unit);
	sq_q_bind_text(&q, 3, sub->protocol);
	sq_q_bind_text(&q, 4, sub->endpoint);
	sq_q_bind_int64(&q, 5, from_start);
	sq_q_bind_int64(&q, 6, now);
	if (sq_q_step(&q)) {
		sub->id = sq_q_col_int64(&q, 0);
		sub->cursor = sq_q_col_int64(&q, 1);
		sub->created_at = now;
	}
	return sq_conn_done(s, db, sq_q_exec(&q)); /* a name taken: HG_ECONFLICT; no such unit: HG_ENOTFOUND */
}

static hg_status read_subscription(sq_q *q, void *p)
{
	interop_subscription *sub = p;
	memset(sub, 0, sizeof *sub);
	sub->id = sq_q_col_int64(q, 0);
	sq_q_col_str(q, 1, sub->name, sizeof sub->name);
	sq_q_col_str(q, 2, sub->unit, sizeof sub->unit);
	sq_q_col_str(q, 3, sub->protocol, sizeof sub->protocol);
	sq_q_col_str(q, 4, sub->endpoint, sizeof sub->endpoint);
	sub->cursor = sq_q_col_int64(q, 5);
	sub->created_at = sq_q_col_instant(q, 6);
	return HG_OK;
}

hg_status interop_subscriptions_list(store *s, interop_subscription **out, size_t *n)
{
	if (s->pg)
		return pgi_subscriptions_list(s->pg, out, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	*out = NULL;
	*n = 0;
	sq_q_prepare(&q, db,
	             "SELECT id, name, unit_id, protocol, endpoint, cursor, created_at FROM subscriptions "
	             "ORDER BY name");
	return sq_conn_done(s, db, sq_q_collect(&q, sizeof **out, read_subscription, (void **)out, n));
}

hg_status interop_subscription_remove(store *s, const char *name)
{
	if (s->pg)
		return pgi_subscription_remove(s->pg, name);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, "DELETE FROM subscriptions WHERE name = ?1");
	sq_q_bind_text(&q, 1, name);
	hg_status rc = sq_q_exec(&q);
	if (rc == HG_OK && sq_q_changes(&q) == 0)
		rc = HG_ENOTFOUND;
	return sq_conn_done(s, db, rc);
}

hg_status interop_outbox_fill(store *s, hg_instant now, size_t *added)
{
	if (s->pg)
		return pgi_outbox_fill(s->pg, now, added);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	bool fresh = false;
	if (added)
		*added = 0;
	/* Most ticks find nothing new: ask without taking the write lock first. */
	sq_q_prepare(&q, db, "SELECT 1 FROM events WHERE id > (SELECT min(cursor) FROM subscriptions) LIMIT 1");
	hg_status rc = sq_q_exists(&q, &fresh);
	if (rc != HG_OK || !fresh)
		return sq_conn_done(s, db, rc);
	rc = sq_write_begin(s, db);
	if (rc != HG_OK)
		return sq_conn_done(s, db, rc);
	/* A notice addressed to a unit has a pending_acks row (written with the event, kept when acknowledged). */
	sq_q_prepare(
	    &q, db,
	    "INSERT OR IGNORE INTO deliveries(subscription_id, event_id, episode_id, seq, type, next_attempt_at, "
	    "created_at) SELECT s.id, e.id, e.episode_id, e.seq, e.type, ?1, ?1 FROM events e "
	    "JOIN pending_acks a ON a.episode_id = e.episode_id AND a.seq = e.seq "
	    "JOIN subscriptions s ON s.unit_id = a.unit_id "
	    "WHERE e.id > (SELECT min(cursor) FROM subscriptions) AND e.id > s.cursor ORDER BY e.id");
	sq_q_bind_int64(&q, 1, now);
	rc = sq_q_exec(&q);
	if (rc == HG_OK && added)
		*added = (size_t)sq_q_changes(&q);
	if (rc == HG_OK)
		rc = sq_db_exec(
		    db, "UPDATE subscriptions SET cursor = max(cursor, (SELECT coalesce(max(id), 0) FROM events))");
	if (rc == HG_OK)
		rc = sq_write_commit(s, db);
	else
		sq_write_rollback(s, db);
	return sq_conn_done(s, db, rc);
}

#define DELIVERY_COLS                                                                                               \
	"SELECT d.id, d.subscription_id, s.name, s.unit_id, s.protocol, s.endpoint, d.event_id, d.episode_id, d.seq, " \
	"d.type, d.state, d.attempts, d.next_attempt_at, d.last_attempt_at, d.delivered_at, d.created_at, "          \
	"d.last_error, d.ack FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id "

static hg_status read_delivery(sq_q *q, void *p)
{
	interop_delivery *d = p;
	memset(d, 0, sizeof *d);
	d->id = sq_q_col_int64(q, 0);
	d->subscription_id = sq_q_col_int64(q, 1);
	sq_q_col_str(q, 2, d->subscription, sizeof d->subscription);
	sq_q_col_str(q, 3, d->unit, sizeof d->unit);
	sq_q_col_str(q, 4, d->protocol, sizeof d->protocol);
	sq_q_col_str(q, 5, d->endpoint, sizeof d->endpoint);
	d->event_id = sq_q_col_int64(q, 6);
	d->episode_id = sq_q_col_int64(q, 7);
	d->seq = sq_q_col_int(q, 8);
	sq_q_col_str(q, 9, d->type, sizeof d->type);
	sq_q_col_str(q, 10, d->state, sizeof d->state);
	d->attempts = sq_q_col_int(q, 11);
	d->next_attempt_at = sq_q_col_instant(q, 12);
	d->last_attempt_at = sq_q_col_instant(q, 13);
	d->delivered_at = sq_q_col_instant(q, 14);
	d->created_at = sq_q_col_instant(q, 15);
	sq_q_col_str(q, 16, d->last_error, sizeof d->last_error);
	sq_q_col_str(q, 17, d->ack, sizeof d->ack);
	return HG_OK;
}

hg_status interop_deliveries_due(store *s, hg_instant now, int limit, interop_delivery **out, size_t *n)
{
	if (s->pg)
		return pgi_deliveries_due(s->pg, now, limit, out, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	*out = NULL;
	*n = 0;
	sq_q_prepare(&q, db,
	             DELIVERY_COLS "WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 "
	                           "ORDER BY d.next_attempt_at, d.id LIMIT ?2");
	sq_q_bind_int64(&q, 1, now);
	sq_q_bind_int64(&q, 2, limit > 0 ? limit : 100);
	return sq_conn_done(s, db, sq_q_collect(&q, sizeof **out, read_delivery, (void **)out, n));
}

hg_status interop_delivery_claim(store *s, interop_delivery *d, hg_instant until)
{
	if (s->pg)
		return pgi_delivery_claim(s->pg, d, until);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db,
	             "UPDATE deliveries SET next_attempt_at = ?3 WHERE id = ?1 AND state = 'pending' AND "
	             "next_attempt_at = ?2");
	sq_q_bind_int64(&q, 1, d->id);
	sq_q_bind_instant(&q, 2, d->next_attempt_at);
	sq_q_bind_instant(&q, 3, until);
	hg_status rc = sq_q_exec(&q);
	if (rc == HG_OK && sq_q_changes(&q) == 0)
		rc = HG_ECONFLICT;
	if (rc == HG_OK)
		d->next_attempt_at = until;
	return sq_conn_done(s, db, rc);
}

hg_status interop_delivery_done(store *s, int64_t id, const char *ack, hg_instant now)
{
	if (s->pg)
		return pgi_delivery_done(s->pg, id, ack, now);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db,
	             "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, last_attempt_at = ?2, "
	             "delivered_at = ?2, last_error = '', ack = ?3 WHERE id = ?1");
	sq_q_bind_int64(&q, 1, id);
	sq_q_bind_instant(&q, 2, now);
	sq_q_bind_text(&q, 3, ack);
	return sq_conn_done(s, db, sq_q_exec(&q));
}

hg_status interop_delivery_failed(store *s, int64_t id, const char *error, hg_instant next_attempt_at, hg_instant now)
{
	if (s->pg)
		return pgi_delivery_failed(s->pg, id, error, next_attempt_at, now);
	bool give_up = next_attempt_at == HG_INSTANT_NONE;
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(
	    &q, db,
	    "UPDATE deliveries SET state = ?4, attempts = attempts + 1, last_attempt_at = ?2, last_error = ?3, "
	    "next_attempt_at = coalesce(?5, next_attempt_at) WHERE id = ?1");
	sq_q_bind_int64(&q, 1, id);
	sq_q_bind_instant(&q, 2, now);
	sq_q_bind_text(&q, 3, error);
	sq_q_bind_text(&q, 4, give_up ? "failed" : "pending");
	sq_q_bind_instant(&q, 5, next_attempt_at);
	return sq_conn_done(s, db, sq_q_exec(&q));
}

hg_status interop_deliveries_list(store *s, const char *state, const char *subscription, const char *org, int limit,
				  interop_delivery **out, size_t *n)
{
	if (s->pg)
		return pgi_deliveries_list(s->pg, state, subscription, org, limit, out, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	*out = NULL;
	*n = 0;
	sq_q_prepare(&q, db,
	             DELIVERY_COLS "WHERE (?1 IS NULL OR d.state = ?1) AND (?2 IS NULL OR s.name = ?2) AND "
	                           "(?3 IS NULL OR s.unit_id IN (SELECT id FROM units WHERE org = ?3)) "
	                           "ORDER BY d.id DESC LIMIT ?4");
	sq_q_bind_text(&q, 1, state);
	sq_q_bind_text(&q, 2, subscription);
	sq_q_bind_text(&q, 3, org);
	sq_q_bind_int64(&q, 4, limit > 0 ? limit : 1000);
	return sq_conn_done(s, db, sq_q_collect(&q, sizeof **out, read_delivery, (void **)out, n));
}
