/*
 * pg_interop.c - the interop tables (interop_store.h) on PostgreSQL: HL7
 * sending facilities and ward codes, visit numbers, the MSH-10 log, the
 * quarantine, FHIR message answers, and the outbox of messages out
 * (subscriptions and deliveries). The twin of interop_sqlite.c, statement for
 * statement; interop_sqlite.c hands each call here when the store is
 * PostgreSQL. Several servers share these rows: a delivery is claimed with a
 * compare-and-set on its next attempt, and the outbox is filled under a
 * transaction advisory lock so two servers never scan the same events at once.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "store/interop_store.h"
#include "store/pg_int.h"

#define PG_LOCK_OUTBOX 0x68670004

/* One statement returning at most one row on a pooled connection; HG_ENOTFOUND when none. *r to PQclear. */
static hg_status one_row(pg_store *p, PGresult **r, hg_status rc)
{
	if (rc == HG_OK && PQntuples(*r) == 0)
		rc = HG_ENOTFOUND;
	(void)p;
	return rc;
}

/* ---- facilities ---- */

hg_status pgi_facility_put(pg_store *p, const interop_facility *f, hg_instant now)
{
	return pg_write1(p, NULL,
	                 "INSERT INTO hl7_facilities(facility, org, name, addresses, a16_ready, created_at, pid_rules) "
	                 "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(facility) DO UPDATE SET org = $2, name = $3, "
	                 "addresses = $4, a16_ready = $5, pid_rules = $7",
	                 "ttttiTt", f->facility, f->org, f->name, f->addresses, (int64_t)f->a16_ready, now,
	                 f->pid_rules);
}

static void read_facility(PGresult *r, int row, void *out)
{
	interop_facility *f = out;
	memset(f, 0, sizeof *f);
	pgr_str(r, row, 0, f->facility, sizeof f->facility);
	pgr_str(r, row, 1, f->org, sizeof f->org);
	pgr_str(r, row, 2, f->name, sizeof f->name);
	pgr_str(r, row, 3, f->addresses, sizeof f->addresses);
	f->a16_ready = pgr_int(r, row, 4) != 0;
	pgr_str(r, row, 5, f->pid_rules, sizeof f->pid_rules);
}

#define FACILITY_COLS "SELECT facility, org, name, addresses, a16_ready, pid_rules FROM hl7_facilities "

hg_status pgi_facility_get(pg_store *p, const char *facility, interop_facility *out)
{
	return pg_select1(p, sizeof *out, read_facility, out, FACILITY_COLS "WHERE facility = $1", facility);
}

hg_status pgi_facilities_list(pg_store *p, interop_facility **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return pg_select(p, sizeof **out, read_facility, (void **)out, n,
	                 FACILITY_COLS "ORDER BY name COLLATE \"C\", facility COLLATE \"C\"", NULL, NULL);
}

hg_status pgi_address_allowed(pg_store *p, const char *addr, bool *allowed)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	/* whole words of the space-separated list */
	hg_status rc =
	    pgx_query(p, c, &r,
	              "SELECT 1 FROM hl7_facilities WHERE strpos(' ' || addresses || ' ', ' ' || $1::text || ' ') > 0 "
	              "LIMIT 1",
	              "t", addr);
	*allowed = rc == HG_OK && PQntuples(r) > 0;
	PQclear(r);
	pgc_put(p, c);
	return rc;
}

/* ---- wards and visits ---- */

hg_status pgi_ward_put(pg_store *p, const char *facility, const char *code, const char *unit_id)
{
	return pg_write1(p, NULL,
	                 "INSERT INTO hl7_wards(facility, code, unit_id) VALUES ($1, $2, $3) "
	                 "ON CONFLICT(facility, code) DO UPDATE SET unit_id = $3",
	                 "ttt", facility, code, unit_id);
}

hg_status pgi_ward_get(pg_store *p, const char *facility, const char *code, char unit_id[HG_ID_MAX])
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc = one_row(p, &r,
	                       pgx_query(p, c, &r, "SELECT unit_id FROM hl7_wards WHERE facility = $1 AND code = $2",
	                                 "tt", facility, code));
	if (rc == HG_OK)
		pgr_str(r, 0, 0, unit_id, HG_ID_MAX);
	PQclear(r);
	pgc_put(p, c);
	return rc;
}

hg_status pgi_visit_put(pg_store *p, const char *facility, const char *visit, int64_t episode_id)
{
	return pg_write1(p, NULL,
	                 "INSERT INTO hl7_visits(facility, visit, episode_id) VALUES ($1, $2, $3) "
	                 "ON CONFLICT(facility, visit) DO UPDATE SET episode_id = $3",
	                 "tti", facility, visit, episode_id);
}

hg_status pgi_visit_get(pg_store *p, const char *facility, const char *visit, int64_t *episode_id)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc =
	    one_row(p, &r,
	            pgx_query(p, c, &r, "SELECT episode_id FROM hl7_visits WHERE facility = $1 AND visit = $2", "tt",
	                      facility, visit));
	if (rc == HG_OK)
		*episode_id = pgr_int(r, 0, 0);
	PQclear(r);
	pgc_put(p, c);
	return rc;
}

/* ---- the MSH-10 log ---- */

hg_status pgi_message_put(pg_store *p, const char *facility, const char *control_id, const char *trigger,
                          const char *outcome, int64_t episode_id, const char *ack, hg_instant now)
{
	return pg_write1(
	    p, NULL,
	    "INSERT INTO hl7_messages(facility, control_id, received_at, trigger, outcome, episode_id, ack) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(facility, control_id) DO UPDATE SET "
	    "received_at = $3, trigger = $4, outcome = $5, episode_id = $6, ack = $7",
	    "ttTttIt", facility, control_id, now, trigger, outcome, episode_id, ack);
}

hg_status pgi_message_get(pg_store *p, const char *facility, const char *control_id, interop_message *out)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	memset(out, 0, sizeof *out);
	hg_status rc = one_row(p, &r,
	                       pgx_query(p, c, &r,
	                                 "SELECT outcome, episode_id, ack FROM hl7_messages WHERE facility = $1 AND "
	                                 "control_id = $2",
	                                 "tt", facility, control_id));
	if (rc == HG_OK) {
		pgr_str(r, 0, 0, out->outcome, sizeof out->outcome);
		out->episode_id = pgr_int(r, 0, 1);
		out->ack = hg_strdup(PQgetvalue(r, 0, 2));
		rc = out->ack ? HG_OK : HG_ENOMEM;
	}
	PQclear(r);
	pgc_put(p, c);
	return rc;
}

/* ---- quarantine ---- */

hg_status pgi_quarantine_add(pg_store *p, const interop_quarantined *q, const char *message, size_t len, int64_t *id)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc =
	    len > (size_t)INT32_MAX
	        ? HG_ERANGE
	        : pgx_query(p, c, &r,
	                    "INSERT INTO hl7_quarantine(received_at, facility, control_id, trigger, visit, ward_code, "
	                    "pnr_masked, reason, peer, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
	                    "RETURNING id",
	                    "Tttttttttb", q->received_at, q->facility, q->control_id, q->trigger, q->visit,
	                    q->ward_code, q->pnr_masked, q->reason, q->peer, (const uint8_t *)(message ? message : ""),
	                    (int)len);
	if (rc == HG_OK)
		*id = pgr_int(r, 0, 0);
	PQclear(r);
	pgc_put(p, c);
	return rc;
}

#define QUARANTINE_COLS                                                                                                \
	"SELECT id, received_at, facility, control_id, trigger, visit, ward_code, pnr_masked, reason, peer, state, "   \
	"resolved_at, resolved_by, result, message FROM hl7_quarantine "

static void read_quarantined(PGresult *r, int row, void *out)
{
	interop_quarantined *q = out;
	memset(q, 0, sizeof *q);
	q->id = pgr_int(r, row, 0);
	q->received_at = pgr_int(r, row, 1);
	pgr_str(r, row, 2, q->facility, sizeof q->facility);
	pgr_str(r, row, 3, q->control_id, sizeof q->control_id);
	pgr_str(r, row, 4, q->trigger, sizeof q->trigger);
	pgr_str(r, row, 5, q->visit, sizeof q->visit);
	pgr_str(r, row, 6, q->ward_code, sizeof q->ward_code);
	pgr_str(r, row, 7, q->pnr_masked, sizeof q->pnr_masked);
	pgr_str(r, row, 8, q->reason, sizeof q->reason);
	pgr_str(r, row, 9, q->peer, sizeof q->peer);
	pgr_str(r, row, 10, q->state, sizeof q->state);
	q->resolved_at = pgr_instant(r, row, 11);
	pgr_str(r, row, 12, q->resolved_by, sizeof q->resolved_by);
	pgr_str(r, row, 13, q->result, sizeof q->result);
}

hg_status pgi_quarantine_list(pg_store *p, const char *state, int limit, interop_quarantined **out, size_t *n)
{
	return pg_collect(p, sizeof **out, read_quarantined, (void **)out, n,
	                  "SELECT id, received_at, facility, control_id, trigger, visit, ward_code, pnr_masked, "
	                  "reason, peer, state, resolved_at, resolved_by, result FROM hl7_quarantine "
	                  "WHERE ($1::text IS NULL OR state = $1) ORDER BY id LIMIT $2",
	                  "ti", state, (int64_t)(limit > 0 ? limit : 1000));
}

hg_status pgi_quarantine_get(pg_store *p, int64_t id, interop_quarantined *out, char **message, size_t *len)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	if (message)
		*message = NULL;
	hg_status rc = one_row(p, &r, pgx_query(p, c, &r, QUARANTINE_COLS "WHERE id = $1", "i", id));
	pgc_put(p, c);
	if (rc == HG_OK) {
		read_quarantined(r, 0, out);
		if (message) {
			size_t n = 0;
			uint8_t *raw = pgr_bytes(r, 0, 14, &n);
			/* as on SQLite: the bytes and a NUL after them */
			*message = raw ? hg_strndup((const char *)raw, n) : NULL;
			*len = n;
			hg_free(raw);
			if (!*message)
				rc = HG_ENOMEM;
		}
	}
	PQclear(r);
	return rc;
}

hg_status pgi_quarantine_pending(pg_store *p, const char *facility, const char *visit, int64_t before, bool *pending)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc =
	    pgx_query(p, c, &r,
	              "SELECT 1 FROM hl7_quarantine WHERE state = 'pending' AND facility = $1 AND visit = $2 "
	              "AND ($3::bigint = 0 OR id < $3::bigint) LIMIT 1",
	              "tti", facility, visit, before);
	*pending = rc == HG_OK && PQntuples(r) > 0;
	PQclear(r);
	pgc_put(p, c);
	return rc;
}

static void read_id(PGresult *r, int row, void *out)
{
	*(int64_t *)out = pgr_int(r, row, 0);
}

hg_status pgi_quarantine_followers(pg_store *p, const char *facility, const char *visit, int64_t after, int64_t **ids,
                                   size_t *n)
{
	return pg_collect(p, sizeof **ids, read_id, (void **)ids, n,
	                  "SELECT id FROM hl7_quarantine WHERE state = 'pending' AND facility = $1 AND visit = $2 "
	                  "AND id > $3 ORDER BY id LIMIT 1000",
	                  "tti", facility, visit, after);
}

hg_status pgi_quarantine_resolve(pg_store *p, int64_t id, const char *state, const char *by, const char *result,
                                 hg_instant now)
{
	int changes = 0;
	hg_status rc =
	    pg_write1(p, &changes,
	              "UPDATE hl7_quarantine SET state = $2, resolved_by = $3, result = $4, resolved_at = $5 "
	              "WHERE id = $1",
	              "itttT", id, state, by, result, now);
	return rc == HG_OK && changes == 0 ? HG_ENOTFOUND : rc;
}

/* ---- FHIR ---- */

hg_status pgi_fhir_put(pg_store *p, const char *username, const char *bundle_id, const char *header_id, int status,
                       const char *response, hg_instant now)
{
	return pg_write1(p, NULL,
	                 "INSERT INTO fhir_messages(username, bundle_id, header_id, received_at, status, response) "
	                 "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
	                 "tttTit", username, bundle_id, header_id, now, (int64_t)status, response);
}

hg_status pgi_fhir_get(pg_store *p, const char *username, const char *bundle_id, const char *header_id, int *status,
                       char **response)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	*response = NULL;
	hg_status rc =
	    one_row(p, &r,
	            pgx_query(p, c, &r,
	                      "SELECT status, response FROM fhir_messages WHERE username = $1 AND bundle_id = $2 "
	                      "AND header_id = $3",
	                      "ttt", username, bundle_id, header_id));
	pgc_put(p, c);
	if (rc == HG_OK) {
		*status = (int)pgr_int(r, 0, 0);
		*response = hg_strdup(PQgetvalue(r, 0, 1));
		rc = *response ? HG_OK : HG_ENOMEM;
	}
	PQclear(r);
	return rc;
}

/* ---- messages out: subscriptions and the outbox ---- */

hg_status pgi_subscription_add(pg_store *p, interop_subscription *sub, bool from_start, hg_instant now)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc = pgx_query(
	    p, c, &r,
	    "INSERT INTO subscriptions(name, unit_id, protocol, endpoint, cursor, created_at) VALUES "
	    "($1, $2, $3, $4, CASE WHEN $5::boolean THEN 0 ELSE (SELECT coalesce(max(id), 0) FROM events) "
	    "END, $6) RETURNING id, cursor",
	    "ttttti", sub->name, sub->unit, sub->protocol, sub->endpoint, from_start ? "true" : "false", (int64_t)now);
	pgc_put(p, c);
	if (rc == HG_OK) {
		sub->id = pgr_int(r, 0, 0);
		sub->cursor = pgr_int(r, 0, 1);
		sub->created_at = now;
	}
	PQclear(r);
	return rc;
}

static void read_subscription(PGresult *r, int row, void *out)
{
	interop_subscription *sub = out;
	memset(sub, 0, sizeof *sub);
	sub->id = pgr_int(r, row, 0);
	pgr_str(r, row, 1, sub->name, sizeof sub->name);
	pgr_str(r, row, 2, sub->unit, sizeof sub->unit);
	pgr_str(r, row, 3, sub->protocol, sizeof sub->protocol);
	pgr_str(r, row, 4, sub->endpoint, sizeof sub->endpoint);
	sub->cursor = pgr_int(r, row, 5);
	sub->created_at = pgr_instant(r, row, 6);
}

hg_status pgi_subscriptions_list(pg_store *p, interop_subscription **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return pg_select(p, sizeof **out, read_subscription, (void **)out, n,
	                 "SELECT id, name, unit_id, protocol, endpoint, cursor, created_at FROM subscriptions "
	                 "ORDER BY name COLLATE \"C\"",
	                 NULL, NULL);
}

hg_status pgi_subscription_remove(pg_store *p, const char *name)
{
	int changes = 0;
	hg_status rc = pg_write1(p, &changes, "DELETE FROM subscriptions WHERE name = $1", "t", name);
	return rc == HG_OK && changes == 0 ? HG_ENOTFOUND : rc;
}

hg_status pgi_outbox_fill(pg_store *p, hg_instant now, size_t *added)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	bool fresh = false;
	if (added)
		*added = 0;
	/* Most ticks find nothing new: ask before taking any lock. */
	hg_status rc =
	    pgx_query(p, c, &r, "SELECT 1 FROM events WHERE id > (SELECT min(cursor) FROM subscriptions) LIMIT 1", "");
	fresh = rc == HG_OK && PQntuples(r) > 0;
	PQclear(r);
	r = NULL;
	if (rc != HG_OK || !fresh) {
		pgc_put(p, c);
		return rc;
	}
	rc = pgx_exec(p, c, "BEGIN");
	/* One server at a time scans; an event id below the highest committed one may still be in flight in
	 * another transaction, so the cursor moves only to what is visible now (read committed, after the lock). */
	if (rc == HG_OK)
		rc = pgx_query(p, c, NULL, "SELECT pg_advisory_xact_lock($1)", "i", (int64_t)PG_LOCK_OUTBOX);
	if (rc == HG_OK)
		rc = pgx_query(
		    p, c, &r,
		    /* one statement, so one snapshot: the cursor moves to the last event the insert saw (in two,
		     * an append committed between them would be passed over) */
		    "WITH top AS (SELECT coalesce(max(id), 0) AS id FROM events), added AS ("
		    "INSERT INTO deliveries(subscription_id, event_id, episode_id, seq, type, next_attempt_at, "
		    "created_at) SELECT s.id, e.id, e.episode_id, e.seq, e.type, $1, $1 FROM events e "
		    "JOIN pending_acks a ON a.episode_id = e.episode_id AND a.seq = e.seq "
		    "JOIN subscriptions s ON s.unit_id = a.unit_id "
		    "WHERE e.id > (SELECT min(cursor) FROM subscriptions) AND e.id > s.cursor "
		    "AND e.id <= (SELECT id FROM top) ORDER BY e.id ON CONFLICT DO NOTHING RETURNING 1), "
		    "moved AS (UPDATE subscriptions SET cursor = greatest(cursor, (SELECT id FROM top))) "
		    "SELECT count(*) FROM added",
		    "T", now);
	if (rc == HG_OK && added)
		*added = (size_t)pgr_int(r, 0, 0);
	PQclear(r);
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "COMMIT");
	if (rc != HG_OK)
		pgx_rollback(c);
	pgc_put(p, c);
	return rc;
}

#define DELIVERY_COLS                                                                                                  \
	"SELECT d.id, d.subscription_id, s.name, s.unit_id, s.protocol, s.endpoint, d.event_id, d.episode_id, d.seq, " \
	"d.type, d.state, d.attempts, d.next_attempt_at, d.last_attempt_at, d.delivered_at, d.created_at, "            \
	"d.last_error, d.ack FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id "

static void read_delivery(PGresult *r, int row, void *out)
{
	interop_delivery *d = out;
	memset(d, 0, sizeof *d);
	d->id = pgr_int(r, row, 0);
	d->subscription_id = pgr_int(r, row, 1);
	pgr_str(r, row, 2, d->subscription, sizeof d->subscription);
	pgr_str(r, row, 3, d->unit, sizeof d->unit);
	pgr_str(r, row, 4, d->protocol, sizeof d->protocol);
	pgr_str(r, row, 5, d->endpoint, sizeof d->endpoint);
	d->event_id = pgr_int(r, row, 6);
	d->episode_id = pgr_int(r, row, 7);
	d->seq = (int32_t)pgr_int(r, row, 8);
	pgr_str(r, row, 9, d->type, sizeof d->type);
	pgr_str(r, row, 10, d->state, sizeof d->state);
	d->attempts = (int)pgr_int(r, row, 11);
	d->next_attempt_at = pgr_instant(r, row, 12);
	d->last_attempt_at = pgr_instant(r, row, 13);
	d->delivered_at = pgr_instant(r, row, 14);
	d->created_at = pgr_instant(r, row, 15);
	pgr_str(r, row, 16, d->last_error, sizeof d->last_error);
	pgr_str(r, row, 17, d->ack, sizeof d->ack);
}

hg_status pgi_deliveries_due(pg_store *p, hg_instant now, int limit, interop_delivery **out, size_t *n)
{
	return pg_collect(p, sizeof **out, read_delivery, (void **)out, n,
	                  DELIVERY_COLS "WHERE d.state = 'pending' AND d.next_attempt_at <= $1 "
	                                "ORDER BY d.next_attempt_at, d.id LIMIT $2",
	                  "Ti", now, (int64_t)(limit > 0 ? limit : 100));
}

hg_status pgi_delivery_claim(pg_store *p, interop_delivery *d, hg_instant until)
{
	int changes = 0;
	hg_status rc = pg_write1(p, &changes,
	                         "UPDATE deliveries SET next_attempt_at = $3 WHERE id = $1 AND state = 'pending' AND "
	                         "next_attempt_at = $2",
	                         "iTT", d->id, d->next_attempt_at, until);
	if (rc == HG_OK && changes == 0)
		return HG_ECONFLICT;
	if (rc == HG_OK)
		d->next_attempt_at = until;
	return rc;
}

hg_status pgi_delivery_done(pg_store *p, int64_t id, const char *ack, hg_instant now)
{
	return pg_write1(p, NULL,
	                 "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, last_attempt_at = $2, "
	                 "delivered_at = $2, last_error = '', ack = $3 WHERE id = $1",
	                 "iTt", id, now, ack);
}

hg_status pgi_delivery_failed(pg_store *p, int64_t id, const char *error, hg_instant next_attempt_at, hg_instant now)
{
	bool give_up = next_attempt_at == HG_INSTANT_NONE;
	return pg_write1(
	    p, NULL,
	    "UPDATE deliveries SET state = $4, attempts = attempts + 1, last_attempt_at = $2, last_error = $3, "
	    "next_attempt_at = coalesce($5::bigint, next_attempt_at) WHERE id = $1",
	    "iTttT", id, now, error, give_up ? "failed" : "pending", next_attempt_at);
}

hg_status pgi_deliveries_list(pg_store *p, const char *state, const char *subscription, const char *org, int limit,
                              interop_delivery **out, size_t *n)
{
	return pg_collect(p, sizeof **out, read_delivery, (void **)out, n,
	                  DELIVERY_COLS
	                  "WHERE ($1::text IS NULL OR d.state = $1) AND ($2::text IS NULL OR s.name = $2) "
	                  "AND ($3::text IS NULL OR s.unit_id IN (SELECT id FROM units WHERE org = $3)) "
	                  "ORDER BY d.id DESC LIMIT $4",
	                  "ttti", state, subscription, org, (int64_t)(limit > 0 ? limit : 1000));
}
