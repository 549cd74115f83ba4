/*
 * store_pg.h - the PostgreSQL implementation of the storage port, private to
 * src/store. store_open() (store_sqlite.c) opens it when --db is a
 * postgresql:// or postgres:// URI and keeps it in store->pg; each public
 * function of store.h then calls its pgs_ twin here, with the same contract
 * as documented in store.h. Nothing outside src/store includes this file.
 */
#ifndef HG_STORE_PG_H
#define HG_STORE_PG_H

#include "store/store.h"
#include "store/followup_store.h"

typedef struct pg_store pg_store;

/*
 * store_open() and store_close() for a URI. Every feature store hands its calls to its
 * PostgreSQL twin (pg_agreement.c, pg_followup.c, pg_interop.c, pg_invoice.c); store->conns
 * are then empty, read-only in-memory SQLite databases with the SQLite schema, so a path
 * that still spoke SQLite (NEVER: the bulk loader is not opened on PostgreSQL) would find
 * nothing and fail to write (HG_EIO) instead of touching memory that is not there.
 */
hg_status pgs_store_open(const char *uri, store **out, char *err, size_t errlen) HG_MUST_CHECK;
void pgs_store_close(store *s);

/* True when path names a PostgreSQL database (a postgresql:// or postgres:// URI). */
bool pgs_is_uri(const char *path);

/* Connects (uri passed to libpq as is), applies the pending migrations of migrations/pg under an
 * advisory lock (several servers may start at once), and fills a connection pool. On failure
 * writes a one-line reason into err (without the password). *out is freed by pgs_close. */
hg_status pgs_open(const char *uri, pg_store **out, char *err, size_t errlen) HG_MUST_CHECK;
void pgs_close(pg_store *p);
int pgs_schema_version(pg_store *p);

hg_status pgs_org_put(pg_store *p, const store_org *o) HG_MUST_CHECK;
hg_status pgs_org_get(pg_store *p, const char *code, store_org *out) HG_MUST_CHECK;
hg_status pgs_orgs_list(pg_store *p, store_org **out, size_t *n) HG_MUST_CHECK;
hg_status pgs_unit_put(pg_store *p, const store_unit *u) HG_MUST_CHECK;
hg_status pgs_unit_get(pg_store *p, const char *id, store_unit *out) HG_MUST_CHECK;
hg_status pgs_units_list(pg_store *p, const char *org, store_unit **out, size_t *n) HG_MUST_CHECK;

hg_status pgs_user_add(pg_store *p, const store_user *u, const char *password_hash, hg_instant now,
		       int64_t *id) HG_MUST_CHECK;
hg_status pgs_user_get(pg_store *p, const char *username, store_user *out, char *hash, size_t hash_cap) HG_MUST_CHECK;
hg_status pgs_user_set_password(pg_store *p, const char *username, const char *password_hash) HG_MUST_CHECK;
hg_status pgs_users_list(pg_store *p, store_user **out, size_t *n) HG_MUST_CHECK;
hg_status pgs_session_put(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], int64_t user_id, hg_instant now,
			  hg_instant expires) HG_MUST_CHECK;
hg_status pgs_session_get(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now,
			  store_user *out) HG_MUST_CHECK;
hg_status pgs_session_delete(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE]) HG_MUST_CHECK;
hg_status pgs_token_put(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], int64_t user_id, const char *name,
			hg_instant now, hg_instant expires) HG_MUST_CHECK;
hg_status pgs_token_get(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now,
			store_user *out) HG_MUST_CHECK;
hg_status pgs_token_revoke(pg_store *p, int64_t user_id, const char *name, hg_instant now, int *count) HG_MUST_CHECK;
hg_status pgs_user_set_disabled(pg_store *p, const char *username, bool disabled) HG_MUST_CHECK;

hg_status pgs_append_request(pg_store *p, int64_t episode_id, const event *ev, const char *key,
			     const uint8_t *request_hash, hg_instant now, store_append_result *out,
			     event_error *err) HG_MUST_CHECK;
hg_status pgs_episode_load(pg_store *p, int64_t episode_id, episode_state *st, event **evs, size_t *n) HG_MUST_CHECK;
hg_status pgs_episode_visible(pg_store *p, int64_t episode_id, const char (*units)[HG_ID_MAX], size_t n,
			      bool *visible) HG_MUST_CHECK;
hg_status pgs_episodes_query(pg_store *p, const store_query *q, store_episode_row **rows, size_t *n,
			     size_t *total) HG_MUST_CHECK;
hg_status pgs_pending_acks(pg_store *p, const store_ack_query *q, store_pending_ack **rows, size_t *n,
			   size_t *total) HG_MUST_CHECK;

hg_status pgs_audit_add(pg_store *p, const store_audit *a) HG_MUST_CHECK;
hg_status pgs_audit_add_patients(pg_store *p, const store_audit *a, const int64_t *episodes, size_t n) HG_MUST_CHECK;
hg_status pgs_audit_patient(pg_store *p, const char *pnr, store_audit **rows, size_t *n) HG_MUST_CHECK;
hg_status pgs_audit_list(pg_store *p, const store_audit_filter *f, store_audit **rows, size_t *n) HG_MUST_CHECK;

hg_status pgs_rebuild(pg_store *p, size_t *episodes) HG_MUST_CHECK;
hg_status pgs_projection_dump(pg_store *p, char **text) HG_MUST_CHECK;
hg_status pgs_setting_get(pg_store *p, const char *key, char *value, size_t cap) HG_MUST_CHECK;
hg_status pgs_setting_put(pg_store *p, const char *key, const char *value) HG_MUST_CHECK;
void pgs_get_stats(pg_store *p, store_stats *out);
/* The version caches key on: it moves with every commit of this server and every notification of any
 * server's commit, once the read model has it. Before pgs_read_model_load (nothing listens), a new number
 * on every call: another server's commit would go unseen. */
uint64_t pgs_units_version(pg_store *p);
/* store_read_model_load for a server: starts the listener, which LISTENs on hemgang_events, loads the read
 * model from the projection tables and keeps it current with every server's commits; returns once it is
 * loaded. The episode lists and pending notices are then answered from it while it is current. */
hg_status pgs_read_model_load(pg_store *p) HG_MUST_CHECK;
bool pgs_read_model_info(pg_store *p, store_read_model_info *out);
/* full == false: commits of this process do not wait for the WAL flush (synchronous_commit off). */
hg_status pgs_set_durability(pg_store *p, bool full) HG_MUST_CHECK;

/* ---- the bulk loader on PostgreSQL (pg_bulk.c): store_bulk.h's contract, for store_bulk.c ---- */

typedef struct pg_bulk pg_bulk;
/* store_bulk_open for a URI: opens (and migrates) the database itself; other servers may run on it (their
 * appends wait for the load's commit). */
hg_status pgb_open(const char *uri, pg_bulk **out, char *err, size_t errlen) HG_MUST_CHECK;
hg_status pgb_episode(pg_bulk *b, event *evs, size_t n, episode_state *st, int64_t *episode_id) HG_MUST_CHECK;
hg_status pgb_survey_answer(pg_bulk *b, int64_t episode_id, const survey_answer *a, const char *by) HG_MUST_CHECK;
hg_status pgb_close(pg_bulk *b, bool commit) HG_MUST_CHECK;

/* ---- the feature stores on PostgreSQL (typed rows; the rules stay in the shared files) ---- */

struct agreement;
struct agreement_row;
/* pg_agreement.c, for agreement_store.c. Inserts (id, version) with its document; when that version is
 * stored already, *existed = true and the answer is agreement_document_same() of the stored text. */
hg_status pg_agreement_insert(pg_store *p, const struct agreement *a, const char *doc, size_t len, const char *by,
			      hg_instant now, bool *existed) HG_MUST_CHECK;
hg_status pg_agreement_id_stored(pg_store *p, const char *id, bool *found) HG_MUST_CHECK;
/* Every stored version by id and version, with `latest` set; *rows hg_malloc'ed (caller frees). */
hg_status pg_agreement_list(pg_store *p, struct agreement_row **rows, size_t *n) HG_MUST_CHECK;
/* One version (0: the latest): its row and its document text (hg_malloc'ed, caller frees). HG_ENOTFOUND. */
hg_status pg_agreement_get(pg_store *p, const char *id, int version, struct agreement_row *row,
			   char **document) HG_MUST_CHECK;
/* The document texts of the latest version of every id, by id: *docs and each text hg_malloc'ed (caller frees). */
hg_status pg_agreement_current(pg_store *p, char ***docs, size_t *n) HG_MUST_CHECK;

/* pg_interop.c, for interop_sqlite.c: each pgi_X has the contract of interop_X (interop_store.h). */
struct interop_facility;
struct interop_message;
struct interop_quarantined;
struct interop_subscription;
struct interop_delivery;
hg_status pgi_facility_put(pg_store *p, const struct interop_facility *f, hg_instant now) HG_MUST_CHECK;
hg_status pgi_facility_get(pg_store *p, const char *facility, struct interop_facility *out) HG_MUST_CHECK;
hg_status pgi_facilities_list(pg_store *p, struct interop_facility **out, size_t *n) HG_MUST_CHECK;
hg_status pgi_address_allowed(pg_store *p, const char *addr, bool *allowed) HG_MUST_CHECK;
hg_status pgi_ward_put(pg_store *p, const char *facility, const char *code, const char *unit_id) HG_MUST_CHECK;
hg_status pgi_ward_get(pg_store *p, const char *facility, const char *code, char unit_id[HG_ID_MAX]) HG_MUST_CHECK;
hg_status pgi_visit_put(pg_store *p, const char *facility, const char *visit, int64_t episode_id) HG_MUST_CHECK;
hg_status pgi_visit_get(pg_store *p, const char *facility, const char *visit, int64_t *episode_id) HG_MUST_CHECK;
hg_status pgi_message_put(pg_store *p, const char *facility, const char *control_id, const char *trigger, const char *outcome, int64_t episode_id, const char *ack, hg_instant now) HG_MUST_CHECK;
hg_status pgi_message_get(pg_store *p, const char *facility, const char *control_id, struct interop_message *out) HG_MUST_CHECK;
hg_status pgi_quarantine_add(pg_store *p, const struct interop_quarantined *q, const char *message, size_t len, int64_t *id) HG_MUST_CHECK;
hg_status pgi_quarantine_list(pg_store *p, const char *state, int limit, struct interop_quarantined **out, size_t *n) HG_MUST_CHECK;
hg_status pgi_quarantine_get(pg_store *p, int64_t id, struct interop_quarantined *out, char **message, size_t *len) HG_MUST_CHECK;
hg_status pgi_quarantine_pending(pg_store *p, const char *facility, const char *visit, int64_t before, bool *pending) HG_MUST_CHECK;
hg_status pgi_quarantine_followers(pg_store *p, const char *facility, const char *visit, int64_t after, int64_t **ids, size_t *n) HG_MUST_CHECK;
hg_status pgi_quarantine_resolve(pg_store *p, int64_t id, const char *state, const char *by, const char *result, hg_instant now) HG_MUST_CHECK;
hg_status pgi_fhir_put(pg_store *p, const char *username, const char *bundle_id, const char *header_id, int status, const char *response, hg_instant now) HG_MUST_CHECK;
hg_status pgi_fhir_get(pg_store *p, const char *username, const char *bundle_id, const char *header_id, int *status, char **response) HG_MUST_CHECK;
hg_status pgi_subscription_add(pg_store *p, struct interop_subscription *sub, bool from_start, hg_instant now) HG_MUST_CHECK;
hg_status pgi_subscriptions_list(pg_store *p, struct interop_subscription **out, size_t *n) HG_MUST_CHECK;
hg_status pgi_subscription_remove(pg_store *p, const char *name) HG_MUST_CHECK;
hg_status pgi_outbox_fill(pg_store *p, hg_instant now, size_t *added) HG_MUST_CHECK;
hg_status pgi_deliveries_due(pg_store *p, hg_instant now, int limit, struct interop_delivery **out, size_t *n) HG_MUST_CHECK;
hg_status pgi_delivery_claim(pg_store *p, struct interop_delivery *d, hg_instant until) HG_MUST_CHECK;
hg_status pgi_delivery_done(pg_store *p, int64_t id, const char *ack, hg_instant now) HG_MUST_CHECK;
hg_status pgi_delivery_failed(pg_store *p, int64_t id, const char *error, hg_instant next_attempt_at, hg_instant now) HG_MUST_CHECK;
hg_status pgi_deliveries_list(pg_store *p, const char *state, const char *subscription, const char *org, int limit, struct interop_delivery **out, size_t *n) HG_MUST_CHECK;

/* pg_followup.c, for followup_sqlite.c: each pgf_X has the contract of followup_X (followup_store.h). */
/* Derives every facts row from the events (only_if_stale: unless the table is current) and marks it current. */
hg_status pgf_facts_refresh(pg_store *p, bool only_if_stale, size_t *episodes) HG_MUST_CHECK;
/* Hands the facts rows (or, with f->refold, the events) of the filter's episodes and every survey answer to set,
 * in one snapshot; *loaded gets how many episodes. */
hg_status pgf_load(pg_store *p, const followup_filter *f, indicator_set *set, followup_progress progress, void *ctx,
		   size_t *loaded) HG_MUST_CHECK;
/* followup_facts_each: every facts row of the filter's episodes to fn, in one snapshot. */
hg_status pgf_facts_each(pg_store *p, const followup_filter *f, followup_facts_fn fn, void *ctx,
			 size_t *loaded) HG_MUST_CHECK;
hg_status pgf_point_save(pg_store *p, const point_measurement *m, const char *scope, const char *label, const char *by,
			 hg_instant now, int64_t *id) HG_MUST_CHECK;
hg_status pgf_point_list(pg_store *p, const char *scope, followup_point_row **rows, size_t *n) HG_MUST_CHECK;
hg_status pgf_point_get(pg_store *p, int64_t id, followup_point_row *row, point_measurement *m) HG_MUST_CHECK;
hg_status pgf_invite_put(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], int64_t episode_id, const char *by,
			 hg_instant now, hg_instant expires) HG_MUST_CHECK;
hg_status pgf_invite_check(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now) HG_MUST_CHECK;
hg_status pgf_answer_by_link(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], const survey_answer *a,
			     hg_instant now, int64_t *episode_id) HG_MUST_CHECK;
hg_status pgf_answer_put(pg_store *p, int64_t episode_id, const survey_answer *a, const char *by) HG_MUST_CHECK;
hg_status pgf_survey_status_get(pg_store *p, int64_t episode_id, hg_instant now,
				followup_survey_status *out) HG_MUST_CHECK;

#endif
