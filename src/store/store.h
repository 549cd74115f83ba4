/*
 * store.h - the storage port: everything the adapters may ask of a database.
 *
 * One interface, two implementations planned: SQLite (store_sqlite.c, the
 * embedded default) and PostgreSQL. Nothing here exposes SQL or a driver type,
 * so handlers and the CLI never change when the backend does.
 *
 * Events are the truth and are only appended. Appends and audit records go
 * to one writer (group commit): it replays each episode's stored events
 * through the core's fold, lets the core judge the new event (episode_append),
 * inserts it and updates the projections (episode list, parties, pending
 * acknowledgements, deadlines), one append after the other inside one
 * transaction, and commits the whole batch with one synchronous=FULL sync.
 * store_append() returns after that commit; store_append_held() returns once
 * its event is judged, with a ticket that says when it is durable, so that the
 * HTTP server can hold the answer without a thread waiting. Either way, an
 * event the caller acknowledges is on disk. A repeated idempotency key (per
 * author user) with the identical request returns the original result and
 * writes nothing.
 *
 * Thread safety: a store is shared by all server threads; each call takes a
 * connection from an internal pool. Results are plain values or arrays the
 * caller owns (freed with hg_free, as each function says).
 */
#ifndef HG_STORE_H
#define HG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/date.h"
#include "core/domain.h"
#include "core/episode.h"
#include "core/event.h"
#include "core/status.h"

typedef struct store store;

#define STORE_USER_UNITS_MAX 8
#define STORE_TOKEN_HASH_SIZE 32
#define STORE_PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES */
#define STORE_KEY_MAX 128           /* idempotency key */
#define STORE_REASON_MAX 256        /* audit reason */

/* Opens (creating if needed) the database at path and applies pending migrations.
 * On failure writes a one-line reason into err. *out is freed by store_close. */
hg_status store_open(const char *path, store **out, char *err, size_t errlen) HG_MUST_CHECK;
void store_close(store *s);
/* True when the store is PostgreSQL (a postgresql:// URI). Every part of the port and of the
 * feature stores works on both; only the bulk loader (store_bulk.h) is SQLite only. */
bool store_is_postgres(const store *s);
/* Schema version after migrations (the highest applied migration number). */
int store_schema_version(store *s);

/* ---- organisations and units ---- */

typedef enum org_kind { ORG_REGION = 0, ORG_MUNICIPALITY } org_kind;

typedef struct store_org {
	char code[HG_ID_MAX]; /* region code or 4-digit kommunkod */
	char name[HG_NAME_MAX];
	org_kind kind;
	char county[4]; /* 2-digit län code */
} store_org;

typedef struct store_unit {
	char id[HG_ID_MAX];
	char org[HG_ID_MAX];
	char name[HG_NAME_MAX];
	unit_kind kind;
	care_type care;            /* wards only */
	char hospital[HG_NAME_MAX]; /* wards only */
	char municipality[8];       /* location */
} store_unit;

hg_status store_org_put(store *s, const store_org *o) HG_MUST_CHECK;
hg_status store_org_get(store *s, const char *code, store_org *out) HG_MUST_CHECK;
/* *out is hg_malloc'ed (caller frees), *n rows. */
hg_status store_orgs_list(store *s, store_org **out, size_t *n) HG_MUST_CHECK;
hg_status store_unit_put(store *s, const store_unit *u) HG_MUST_CHECK;
hg_status store_unit_get(store *s, const char *id, store_unit *out) HG_MUST_CHECK;
/* Units of org (NULL: all). *out is hg_malloc'ed (caller frees). */
hg_status store_units_list(store *s, const char *org, store_unit **out, size_t *n) HG_MUST_CHECK;

/* ---- users, sessions, API tokens ---- */

typedef struct store_user {
	int64_t id;
	char username[HG_ID_MAX];
	char display_name[HG_NAME_MAX];
	char org[HG_ID_MAX];
	role role;
	int n_units;
	char units[STORE_USER_UNITS_MAX][HG_ID_MAX];
	bool disabled;
} store_user;

/* Adds a user; password_hash may be NULL (no password login). HG_ECONFLICT if the name is taken,
 * HG_ENOTFOUND if the organisation or a unit does not exist. */
hg_status store_user_add(store *s, const store_user *u, const char *password_hash, hg_instant now,
			 int64_t *id) HG_MUST_CHECK;
/* Looks a user up by name; hash (may be NULL) receives the password hash ("" when none). */
hg_status store_user_get(store *s, const char *username, store_user *out, char *hash,
			 size_t hash_cap) HG_MUST_CHECK;
hg_status store_user_set_password(store *s, const char *username, const char *password_hash) HG_MUST_CHECK;
/* *out is hg_malloc'ed (caller frees). */
hg_status store_users_list(store *s, store_user **out, size_t *n) HG_MUST_CHECK;

hg_status store_session_put(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], int64_t user_id, hg_instant now,
			    hg_instant expires) HG_MUST_CHECK;
/* The user of a live session; HG_ENOTFOUND when unknown, expired or the user is disabled. */
hg_status store_session_get(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now,
			    store_user *out) HG_MUST_CHECK;
hg_status store_session_delete(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE]) HG_MUST_CHECK;
/* Stores an API token's hash; it authenticates until expires (HG_INSTANT_NONE: until revoked). */
hg_status store_token_put(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], int64_t user_id, const char *name,
			  hg_instant now, hg_instant expires) HG_MUST_CHECK;
/* The user of a token that is neither expired at now nor revoked; HG_ENOTFOUND otherwise or when
 * the user is disabled. */
hg_status store_token_get(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now,
			  store_user *out) HG_MUST_CHECK;
/* Revokes the live tokens of username named name (NULL: all of them) at now; *count says how
 * many. HG_ENOTFOUND when there is no such user. */
hg_status store_token_revoke(store *s, const char *username, const char *name, hg_instant now,
			     int *count) HG_MUST_CHECK;
/* Disables (or enables again) a user; disabling ends the user's sessions at once, and neither
 * password nor token lets a disabled user in. HG_ENOTFOUND when there is no such user. */
hg_status store_user_set_disabled(store *s, const char *username, bool disabled) HG_MUST_CHECK;

/* ---- events ---- */

typedef struct store_append_result {
	int64_t episode_id;
	int64_t event_id;
	int32_t seq;
	hg_instant recorded_at;
	bool replayed; /* the idempotency key was seen before: this is the original result */
} store_append_result;

/*
 * Appends ev (author fields set by the caller; id, seq and recorded_at are
 * assigned here) to episode `episode_id`, or creates a new episode when
 * episode_id is 0 (ev must then be an admission). `key` (may be NULL) is the
 * client's idempotency key, unique per author user. On a rule violation returns
 * the core's status with *err filled and writes nothing; HG_ENOTFOUND for an
 * unknown episode; HG_ECONFLICT with err->code "idempotency_key_reused" when
 * the key was used for a different episode or event type.
 */
hg_status store_append(store *s, int64_t episode_id, const event *ev, const char *key, hg_instant now,
		       store_append_result *out, event_error *err) HG_MUST_CHECK;

#define STORE_REQUEST_HASH_SIZE 32
/*
 * The same with the hash of the request that carries the event (method, path
 * and body, computed by the adapter; NULL: none). With a key and a hash, a key
 * replays only the identical request: a stored event with that key and another
 * hash (or another episode or type) is HG_ECONFLICT, err->code
 * "idempotency_key_reused", and nothing is written.
 *
 * Either function refuses an admission (episode_id 0) of a personnummer that
 * has an open episode (admitted or ready): HG_ECONFLICT, err->code
 * "patient_has_open_episode", out->episode_id = that episode.
 */
hg_status store_append_request(store *s, int64_t episode_id, const event *ev, const char *key,
			       const uint8_t *request_hash, hg_instant now, store_append_result *out,
			       event_error *err) HG_MUST_CHECK;
/*
 * The same, returning as soon as the event is judged and written into the open batch: *ticket says
 * when it is durable (store_ticket_state). The caller must not acknowledge the event before then;
 * the HTTP API holds its answer on the ticket, so a thread never waits for the sync.
 */
hg_status store_append_held(store *s, int64_t episode_id, const event *ev, const char *key,
			    const uint8_t *request_hash, hg_instant now, store_append_result *out, event_error *err,
			    uint64_t *ticket) HG_MUST_CHECK;

/*
 * Loads an episode: *st (may be NULL) gets the fold; *evs (may be NULL) gets the
 * stored events in seq order, hg_malloc'ed (caller frees), *n their count.
 */
hg_status store_episode_load(store *s, int64_t episode_id, episode_state *st, event **evs,
			     size_t *n) HG_MUST_CHECK;
/*
 * The fold of an episode without its events, for lists that show figures of it (the worklist's
 * liability so far): from memory when the read model holds the episode at the same last event (a
 * bounded cache of folds; another process's appends are seen within a second), else as
 * store_episode_load.
 */
hg_status store_episode_fold(store *s, int64_t episode_id, episode_state *st) HG_MUST_CHECK;
/* True when one of units[0..n) is a party to the episode (and the episode exists). */
hg_status store_episode_visible(store *s, int64_t episode_id, const char (*units)[HG_ID_MAX], size_t n,
				bool *visible) HG_MUST_CHECK;

/* One row of an episode list (from the projection). */
typedef struct store_episode_row {
	int64_t id;
	episode_status status;
	char pnr[EVENT_PNR_SIZE];
	char patient_name[HG_NAME_MAX];
	char municipality[EVENT_MUNICIPALITY_SIZE];
	char primary_care_unit[HG_ID_MAX];
	char hospital[HG_ID_MAX];
	char ward[HG_ID_MAX];
	care_type care;
	hg_instant admitted_at, notice_at, ready_at, discharged_at;
	hg_date expected_date;
	bool track_is_set;
	track_colour track;
	hg_instant notice_due, notice_met, care_contact_due, care_contact_met, sip_due, sip_met;
	int32_t last_seq;
} store_episode_row;

typedef struct store_query {
	/* visibility: only episodes where one of these units is a party (required unless all) */
	const char (*units)[HG_ID_MAX];
	size_t n_units;
	bool all;                 /* no visibility filter (CLI, analysts' aggregates) */
	const char *municipality; /* registered municipality code, or NULL */
	const char *unit;         /* a party unit (ward or recipient), or NULL */
	int status;               /* episode_status, or -1 for any */
	bool ready_only;          /* status ready */
	bool in_hospital;         /* status admitted or ready (not discharged, not cancelled) */
	hg_instant overdue_at;    /* NONE, or: some deadline due before this instant and not met */
	hg_instant from, to;      /* NONE, or: in hospital at some time in [from, to) */
	const char *pnr;          /* normalised personnummer, or NULL */
	int limit;                /* 0 = default 100; at most 1000 */
	int offset;
} store_query;

void store_query_init(store_query *q);
/* *rows is hg_malloc'ed (caller frees); *total (may be NULL: not counted) counts all matches ignoring limit/offset. */
hg_status store_episodes_query(store *s, const store_query *q, store_episode_row **rows, size_t *n,
			       size_t *total) HG_MUST_CHECK;

/* A notice not yet acknowledged by a unit. */
typedef struct store_pending_ack {
	int64_t episode_id;
	int32_t seq;
	char unit[HG_ID_MAX];
	event_type type;
	hg_instant sent_at;
	char patient_name[HG_NAME_MAX];
	char pnr[EVENT_PNR_SIZE];
	char ward[HG_ID_MAX];
} store_pending_ack;

typedef struct store_ack_query {
	const char (*units)[HG_ID_MAX]; /* the notices to these units */
	size_t n_units;
	int type;   /* event_type of the notice, or -1 for any */
	int limit;  /* 0 = default 50; at most 500 */
	int offset;
} store_ack_query;

void store_ack_query_init(store_ack_query *q);
/* Unacknowledged notices, newest first; *rows hg_malloc'ed (caller frees); *total (may be NULL)
 * counts every match ignoring limit and offset. */
hg_status store_pending_acks(store *s, const store_ack_query *q, store_pending_ack **rows, size_t *n,
			     size_t *total) HG_MUST_CHECK;

/*
 * A number that changes whenever anything that concerns one of units[0..n) is written through this
 * store (an append to an episode they are party to, a rebuild): a cache of what those units see is
 * good while it stays the same. Writes by another process are not seen (bound a cache's age).
 */
uint64_t store_units_version(store *s, const char (*units)[HG_ID_MAX], size_t n);

/*
 * Loads the read model: from then on the worklists' queries, the episode lists of open and
 * recently discharged episodes and the pending acknowledgements are answered from memory
 * (src/store/readmodel.h), kept current by every append committed through this store and, within
 * a second, by appends of other processes. The server calls it once at start, before it serves;
 * without it every answer comes from SQL. A no-op on PostgreSQL so far.
 */
hg_status store_read_model_load(store *s) HG_MUST_CHECK;
typedef struct store_read_model_info {
	size_t episodes; /* held: listed ones and those with notices waiting */
	size_t listed;   /* open, or discharged within the last month */
	size_t notices;  /* notices waiting for acknowledgement */
	size_t bytes;    /* memory it takes */
	size_t answered; /* queries it answered so far (the rest went to SQL) */
} store_read_model_info;
/* What the read model holds; false when none is loaded. */
bool store_read_model_info_get(store *s, store_read_model_info *out);

/* ---- audit ---- */

typedef struct store_audit {
	int64_t id;
	hg_instant at;
	char username[HG_ID_MAX];
	char unit[HG_ID_MAX];
	char action[HG_ID_MAX]; /* "episode.read", "event.append", "search.pnr", "episode.list", ... */
	int64_t episode_id;     /* 0 when none */
	char reason[STORE_REASON_MAX];
	char client[HG_ID_MAX];
} store_audit;

/* Appends an audit record and returns when it is durable (group commit: concurrent callers share
 * one sync). */
hg_status store_audit_add(store *s, const store_audit *a) HG_MUST_CHECK;
/* Queues an audit record without waiting; *ticket (increasing) tells when it is durable. */
hg_status store_audit_enqueue(store *s, const store_audit *a, uint64_t *ticket) HG_MUST_CHECK;
/* The same for a read that showed several patients: one record, and one link per episode shown
 * (episodes[0..n), at most STORE_AUDIT_PATIENTS_MAX), so each patient's access extract finds it. */
#define STORE_AUDIT_PATIENTS_MAX 4096
hg_status store_audit_enqueue_patients(store *s, const store_audit *a, const int64_t *episodes, size_t n,
				       uint64_t *ticket) HG_MUST_CHECK;
/* A patient's access extract (loggutdrag): every audit record that concerns one of the episodes of
 * personnummer pnr (normalised), directly or as a patient shown in a list, oldest first;
 * *rows hg_malloc'ed (caller frees). */
hg_status store_audit_patient(store *s, const char *pnr, store_audit **rows, size_t *n) HG_MUST_CHECK;
/* 1 when every record and append up to ticket is durable, 0 not yet, -1 when the batch holding it
 * failed (what it wrote is not stored). */
int store_ticket_state(store *s, uint64_t ticket);
/* fn(arg) runs on the audit writer after each batch is decided (to wake held answers); set once,
 * before concurrent use; NULL to clear. */
void store_audit_set_notify(store *s, void (*fn)(void *arg), void *arg);

/*
 * An append handed to the writer without waiting for it (the HTTP API and HL7 do so, so that no
 * thread waits while the batch is judged and synced). store_append_submit copies what it needs
 * and returns at once with *job and *ticket; once store_ticket_state(ticket) is 1, the writer has
 * decided and store_append_job_result tells what (as store_append_request would have); at -1 the
 * batch failed and nothing of it is stored. With `audit` (NULL: none), the writer writes that audit
 * record in the same transaction when the event is stored or replayed, with the event's episode
 * id, and ".replayed" added to its action for a replay: the answer and its audit record become
 * durable together. Release the job (store_append_job_release) in every case, also unanswered.
 */
typedef struct store_append_job store_append_job;
hg_status store_append_submit(store *s, int64_t episode_id, const event *ev, const char *key,
			      const uint8_t *request_hash, hg_instant now, const store_audit *audit,
			      store_append_job **job, uint64_t *ticket) HG_MUST_CHECK;
/* Waits until the batch of a submitted append is decided: HG_OK durable, HG_EIO it failed. */
hg_status store_append_job_wait(store *s, const store_append_job *job) HG_MUST_CHECK;
/* The decision on a submitted append (only once its ticket is durable): as store_append_request. */
hg_status store_append_job_result(const store_append_job *job, store_append_result *out, event_error *err);
void store_append_job_release(store_append_job *job);


typedef struct store_audit_filter {
	int64_t episode_id;   /* 0 = any */
	const char *username; /* NULL = any */
	hg_instant since;     /* NONE = any */
	const char *org;      /* NULL = any; else only records of users of this organisation */
	int limit;            /* 0 = no limit */
	bool newest_first;    /* else oldest first */
} store_audit_filter;

/* In id order (see newest_first); *rows hg_malloc'ed (caller frees). */
hg_status store_audit_list(store *s, const store_audit_filter *f, store_audit **rows, size_t *n) HG_MUST_CHECK;

/* ---- maintenance ---- */

/* Drops and recomputes every projection from the events, in one transaction. */
hg_status store_rebuild(store *s, size_t *episodes) HG_MUST_CHECK;
/* A deterministic text dump of all projection rows (for the rebuild test); *text hg_malloc'ed. */
hg_status store_projection_dump(store *s, char **text) HG_MUST_CHECK;

/* ---- backup and restore (backup_sqlite.c) ---- */

typedef struct store_backup_info {
	int schema_version;
	int64_t events;
	int64_t bytes;
} store_backup_info;

/* Copies the database at path, while a server may be writing it, into the new file `to`: one
 * consistent snapshot, checked, synced, renamed into place. HG_ECONFLICT when `to` exists. */
hg_status store_backup(const char *path, const char *to, store_backup_info *info, char *err,
		       size_t errlen) HG_MUST_CHECK;
/* Checks the backup `from` and copies it into path (over an existing database only with force).
 * HG_EINVAL for a damaged file, not a hemgang database, or a schema newer than this binary. */
hg_status store_restore(const char *from, const char *path, bool force, store_backup_info *info, char *err,
			size_t errlen) HG_MUST_CHECK;

/* ---- login limits shared by the servers of one database (PostgreSQL; issue 12 item 4) ---- */

/* True when the login limits live in the database (PostgreSQL); on SQLite one server keeps them in memory. */
bool store_login_limits_shared(const store *s);
/* Counts a failure of the key with this hash at now: a key whose window (seconds since its last failure) has
 * passed and that is not locked starts again at 1. *failures gets the count; rows older than the window and
 * unlocked are forgotten. */
hg_status store_login_failure(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now, int window,
			      int *failures) HG_MUST_CHECK;
/* Locks the key until `until` (never shortening a lock already set). */
hg_status store_login_lock(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant until) HG_MUST_CHECK;
/* *until gets the end of the key's lock (0 when none). */
hg_status store_login_locked_until(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE],
				   hg_instant *until) HG_MUST_CHECK;
/* Forgets the key (a successful login). */
hg_status store_login_reset(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE]) HG_MUST_CHECK;

hg_status store_setting_get(store *s, const char *key, char *value, size_t cap) HG_MUST_CHECK;
hg_status store_setting_put(store *s, const char *key, const char *value) HG_MUST_CHECK;

typedef struct store_stats {
	uint64_t events_appended;
	uint64_t appends_replayed;
	uint64_t appends_rejected;
	uint64_t errors; /* storage errors */
} store_stats;

void store_get_stats(store *s, store_stats *out);

/*
 * Bulk loading (the demo generator only): with full == false commits are not
 * synced to disk (synchronous=OFF), which is some hundred times faster and
 * safe only for data that can be generated again. Default: full.
 */
hg_status store_set_durability(store *s, bool full) HG_MUST_CHECK;

#endif
