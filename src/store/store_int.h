/*
 * store_int.h - internals of the SQLite store, shared by the files that
 * implement parts of the storage port on SQLite (store_sqlite.c and the
 * feature stores beside it, e.g. invoices). Nothing outside src/store includes
 * this file: handlers see only store.h and the feature ports.
 */
#ifndef HG_STORE_INT_H
#define HG_STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <sqlite3.h>

#include "store/interop_store.h"
#include "store/store.h"

#define POOL_SIZE 8
#define STORE_VERSION_SLOTS 1024
#define BUSY_TIMEOUT_MS 10000

/*
 * Group commit (audit_sqlite.c): one writer thread owns one connection and turns everything queued
 * - audit records (copied in) and event appends (the caller's job, judged by the writer one after
 * the other) - into one transaction and one fsync. Every queued item gets a ticket (increasing);
 * `committed` says up to which ticket everything is decided. An append's caller learns its result
 * as soon as the writer has judged it, and its answer waits (held, or the thread waits) for the
 * commit of that batch. Concurrent requests share the cost of one sync.
 */
#define AUDIT_QUEUE_MAX 4096
#define APPEND_QUEUE_MAX 1024
#define AUDIT_PATIENTS_MAX 65536 /* episodes shown by the queued list reads */
#define SQ_PARTY_SLOTS_MAX 18 /* the two wards and EPISODE_RECIPIENTS_MAX recipients */

typedef struct sq_append_job {
	int64_t episode_id;
	const event *ev;
	const char *key;
	const uint8_t *request_hash;
	hg_instant now;
	store_append_result *out;
	event_error *err;
	/* NULL, or the audit record the writer adds in the same transaction when the event is stored
	 * or replayed (store_append_submit) */
	const store_audit *audit;
	/* NULL, or what an HL7 message records with the event (interop_append_submit) */
	const interop_note *note;
	/* NULL, or the submitted job this is part of: the writer drops its reference when done */
	struct store_append_job *owner;
	/* set by the writer */
	hg_status rc;
	bool judged;
	uint64_t ticket;
} sq_append_job;

/* An append handed over by store_append_submit: the job with copies of what it points to, shared
 * by the caller and the writer until both released it. */
struct store_append_job {
	sq_append_job job;
	event ev;
	char key[STORE_KEY_MAX];
	uint8_t hash[STORE_REQUEST_HASH_SIZE];
	store_audit audit;
	interop_note note;
	char *ack; /* the note's answer, hg_malloc'ed */
	store_append_result out;
	event_error err;
	atomic_int refs;
};

/* Statements prepared once for one connection, found again by the address of their SQL text. */
#define SQ_STMT_CACHE_MAX 64 /* the writer's append, audit and HL7 statements, with room */
typedef struct sq_stmt_cache {
	const char *sql[SQ_STMT_CACHE_MAX];
	sqlite3_stmt *stmt[SQ_STMT_CACHE_MAX];
	size_t n;
} sq_stmt_cache;

/* A statement of sc for sql (prepared on first use); reset it after use, never finalize it. */
hg_status sq_stmt_cached(sq_stmt_cache *sc, sqlite3 *db, const char *sql, sqlite3_stmt **st) HG_MUST_CHECK;
/* Finalizes every statement of sc (before its connection closes). */
void sq_stmt_cache_clear(sq_stmt_cache *sc);

/*
 * The writer's folded states of the episodes it appended to lately (least recently used goes
 * first): an ordinary append is judged from the state alone, without reading and parsing the
 * episode's events again. An entry is used only while the stored last seq still matches (another
 * process may have appended), and the whole cache is dropped when a batch fails to commit.
 */
#define SQ_FOLD_CACHE_MAX 1024
typedef struct sq_fold_entry {
	int64_t episode_id; /* 0: empty */
	uint64_t used;      /* for the LRU choice */
	episode_state *st;  /* hg_malloc'ed */
} sq_fold_entry;

typedef struct sq_fold_cache {
	sq_fold_entry entries[SQ_FOLD_CACHE_MAX];
	uint64_t clock;
} sq_fold_cache;

/* The cached fold of episode_id whose stored last seq is last_seq, copied into *st; false if none. */
bool sq_fold_cache_get(sq_fold_cache *fc, int64_t episode_id, int32_t last_seq, episode_state *st);
/* Remembers *st as the fold of its episode (st->id). */
void sq_fold_cache_put(sq_fold_cache *fc, const episode_state *st);
/* Forgets everything (a failed batch) or frees it (at close). */
void sq_fold_cache_clear(sq_fold_cache *fc);

/* The writer's latest sets of patients shown (audit_patient_sets), by digest; id 0 = empty. Only
 * committed sets are kept: the cache is emptied when a batch fails. */
#define SQ_SET_CACHE 64
#define SQ_SET_DIGEST 32
typedef struct sq_set_cache {
	uint8_t digest[SQ_SET_CACHE][SQ_SET_DIGEST];
	int64_t id[SQ_SET_CACHE];
	size_t next;
} sq_set_cache;

typedef struct audit_queue {
	pthread_mutex_t lock;
	pthread_cond_t nonempty, done, space, judged;
	pthread_t writer;
	bool running, stop;
	sqlite3 *db;          /* the writer's own connection */
	sq_stmt_cache stmts;  /* its prepared statements (used by the writer thread only) */
	sq_fold_cache *folds; /* its folded states (writer thread only), hg_malloc'ed */
	sq_set_cache sets;    /* its sets of patients shown (writer thread only) */
	store_audit *items;   /* AUDIT_QUEUE_MAX records, hg_malloc'ed */
	uint32_t *item_pat_off, *item_pat_n; /* each record's patients in patient_ids */
	int64_t *patient_ids; /* AUDIT_PATIENTS_MAX episode ids of the queued records */
	size_t npatients;
	uint64_t *item_tickets;
	size_t count;         /* queued, not yet taken by the writer */
	sq_append_job **jobs; /* APPEND_QUEUE_MAX appends waiting to be judged (the callers own them) */
	size_t njobs;
	uint64_t enqueued;    /* ticket of the last queued item */
	uint64_t committed;   /* every item up to this ticket is decided */
	uint64_t failed_lo, failed_hi; /* the latest batch that failed, or 0..0 */
	void (*notify)(void *arg);     /* called after each batch is decided (store_audit_set_notify) */
	void *notify_arg;
	/* WAL checkpoints off the commit path: the writer's connection does none itself; after a
	 * commit leaves SQ_CHECKPOINT_FRAMES or more in the WAL, a thread of its own checkpoints it
	 * (PASSIVE: it never blocks the writer) on its own connection. */
	pthread_t ckpt;
	bool ckpt_running, ckpt_stop, ckpt_want;
	sqlite3 *ckpt_db;
	pthread_mutex_t ckpt_lock;
	pthread_cond_t ckpt_cond;
} audit_queue;
/* SQLite's automatic checkpoint runs at 1 000 frames, sized for 4 KB pages; the demo's databases have
 * 16 KB pages, and a checkpoint copies each page once however often it changed since the last one,
 * so a longer WAL copies the hot pages (the tails of events and audit_log, busy episodes) less
 * often: 4 000 frames (64 MB at 16 KB) halved the checkpointer's CPU per durable POST. */
#define SQ_CHECKPOINT_FRAMES 4000

#define SESSION_CACHE_SLOTS 512
#define SESSION_CACHE_TTL 5
typedef struct sq_session_entry {
	char kind; /* 's' session, 't' API token, 0 empty */
	uint8_t hash[STORE_TOKEN_HASH_SIZE];
	store_user user;
	hg_instant cached_at, valid_until;
} sq_session_entry;
struct pg_store; /* store_pg.h */

struct store {
	/* The PostgreSQL backend when --db was a postgresql:// URI, else NULL: every public function
	 * of store_sqlite.c then hands the call to its pgs_ twin first (store_pg.c). */
	struct pg_store *pg;
	pthread_mutex_t lock;
	pthread_cond_t free_cond;
	sqlite3 *conns[POOL_SIZE];
	bool busy[POOL_SIZE];
	/* each pooled connection's statements of the request path (sq_conn_get_cached), used only by the
	 * thread that holds the connection */
	sq_stmt_cache conn_stmts[POOL_SIZE];
	int schema_version;
	atomic_uint_fast64_t appended, replayed, rejected, errors;
	/* Writers queue here before BEGIN IMMEDIATE: a mutex wakes the next one at once, where
	 * SQLite's busy handler would sleep with back-off (milliseconds of tail latency). */
	pthread_mutex_t write_lock;
	audit_queue audit;
	/* store_units_version: a counter per hashed unit id, and an epoch that moves them all */
	atomic_uint_fast64_t unit_versions[STORE_VERSION_SLOTS];
	atomic_uint_fast64_t version_epoch;
	/* The read model (readmodel.h), NULL until store_read_model_load; the writer stages each
	 * append's episode and applies the batch after its commit (sq_read_model_batch_end). */
	struct readmodel *_Atomic rm;
	atomic_bool rm_off;                  /* answer from SQL although loaded (tests compare the two) */
	atomic_int_fast64_t rm_seen_event;   /* the highest event id the read model reflects */
	atomic_int_fast64_t rm_checked_ms;   /* when events were last looked at for other processes' appends */
	atomic_int_fast64_t rm_look_ms;      /* how often (0: RM_LOOK_MS, a second) */
	pthread_mutex_t rm_sync_lock;        /* one thread looks at a time */
	int64_t rm_batch_event;              /* writer only: the highest event id staged in the open batch */
	struct sq_read_folds *read_folds;    /* store_episode_fold's cache, with the read model */
	/* who a session or token is, for SESSION_CACHE_TTL seconds (store_session_get) */
	pthread_mutex_t sessions_lock;
	sq_session_entry sessions[SESSION_CACHE_SLOTS];
};

/* Forgets every remembered session and token (a logout, a new password, a disabled user). */
void sq_sessions_forget(store *s);

/* The version slots of the parties of st (at most SQ_PARTY_SLOTS_MAX). */
void sq_units_slots(const episode_state *st, size_t *slots, size_t *n);
/* Marks that something concerning those slots changed (after the commit). */
void sq_units_touch(store *s, const size_t *slots, size_t n);
/* One append inside the writer's open transaction (store_sqlite.c). */
hg_status sq_append_in_tx(store *s, sqlite3 *db, const sq_append_job *job, size_t *slots, size_t *n_slots) HG_MUST_CHECK;
/* The writer's hooks of the read model: stage the episode of one append (inside the batch), then
 * apply or forget what the batch staged once it committed (ok) or failed. No-ops until loaded. */
void sq_read_model_stage(store *s, const episode_state *st, hg_instant now, int64_t event_id);
void sq_read_model_batch_end(store *s, bool ok);
/* Answer from SQL (off) or from the read model when loaded (tests compare the two). */
void sq_read_model_use(store *s, bool on);
/* Look for other processes' appends every ms milliseconds (tests: never, to see the writer's hook
 * alone; or at every query). */
void sq_read_model_look_every(store *s, int64_t ms);
/* Sets the writer connection's synchronous mode (store_set_durability). */
hg_status sq_writer_sync_mode(store *s, bool full) HG_MUST_CHECK;
/* Waits until ticket is decided: HG_OK durable, HG_EIO its batch failed. */
hg_status sq_ticket_wait(store *s, uint64_t ticket) HG_MUST_CHECK;

/* Takes the store's write lock and begins a write transaction (BEGIN IMMEDIATE); on failure
 * the lock is released again. End it with sq_write_commit or sq_write_rollback. */
hg_status sq_write_begin(store *s, sqlite3 *db) HG_MUST_CHECK;
/* COMMIT (rolling back when it fails) and release the write lock. */
hg_status sq_write_commit(store *s, sqlite3 *db) HG_MUST_CHECK;
/* ROLLBACK and release the write lock. */
void sq_write_rollback(store *s, sqlite3 *db);

/* Starts the audit writer on its own connection to path (store_open calls it). */
hg_status sq_audit_start(store *s, const char *path, char *err, size_t errlen) HG_MUST_CHECK;
/* Writes what is queued, stops the writer and closes its connection (store_close calls it). */
void sq_audit_stop(store *s);
/* Opens one configured connection (WAL, synchronous=FULL, foreign keys, busy timeout). */
hg_status sq_open_conn(const char *path, sqlite3 **out, char *err, size_t errlen) HG_MUST_CHECK;

/* Takes a connection from the pool (blocks while all are busy); give it back with sq_conn_put. */
sqlite3 *sq_conn_get(store *s);
void sq_conn_put(store *s, sqlite3 *db);
/* The same with the connection's own statement cache (*sc): for statements run on every request,
 * prepared once per connection rather than parsed again each time. */
sqlite3 *sq_conn_get_cached(store *s, sq_stmt_cache **sc);
/* Runs SQL without results; HG_EIO on any error. */
hg_status sq_exec(sqlite3 *db, const char *sql) HG_MUST_CHECK;
/* The same where a failure needs no handling (ROLLBACK after an error, ending a read). */
void sq_exec_quiet(sqlite3 *db, const char *sql);
hg_status sq_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st) HG_MUST_CHECK;
/* Counts a storage error and returns HG_EIO. */
hg_status sq_fail_io(store *s);
/* Copies src (NULL = "") into dst, truncating to cap - 1 bytes. */
void sq_copy_str(char *dst, size_t cap, const char *src);
void sq_col_str(sqlite3_stmt *st, int col, char *dst, size_t cap);
/* A column as an instant; NULL becomes HG_INSTANT_NONE. */
hg_instant sq_col_instant(sqlite3_stmt *st, int col);
/* Binds an instant; HG_INSTANT_NONE becomes NULL. */
void sq_bind_instant(sqlite3_stmt *st, int idx, hg_instant t);
/* Binds a copy of s; NULL binds NULL. */
void sq_bind_text(sqlite3_stmt *st, int idx, const char *s);
/*
 * Runs one statement on a pooled connection with parameters ?1, ?2, ... bound
 * from `types`, one letter each: 't' text (const char *; NULL binds NULL),
 * 'i' int64_t, 'T' hg_instant (HG_INSTANT_NONE binds NULL), 'h' a token hash
 * (const uint8_t *, STORE_TOKEN_HASH_SIZE bytes). *changes (may be NULL) gets
 * the number of rows changed. A UNIQUE or PRIMARY KEY violation is
 * HG_ECONFLICT, a FOREIGN KEY violation HG_ENOTFOUND, anything else HG_EIO.
 */
hg_status sq_write1(store *s, const char *sql, int *changes, const char *types, ...) HG_MUST_CHECK;

/*
 * Runs a prepared SELECT and collects its rows into a growing array of
 * elem_size-byte elements, each filled by read_row. *out is hg_malloc'ed.
 */
hg_status sq_collect(sqlite3_stmt *st, size_t elem_size, void (*read_row)(sqlite3_stmt *, void *), void **out,
		     size_t *n) HG_MUST_CHECK;

/*
 * The projection writer of store_append and store_rebuild, shared with the
 * bulk loader (store_bulk.c) so that bulk-loaded episodes get exactly the rows
 * an append would have written. Writes the projection rows of one folded
 * episode (replacing earlier ones); now stamps updated_at and evaluates the
 * deadlines. sc (may be NULL: prepare and finalize on every call) keeps the
 * statements prepared on db.
 */
hg_status sq_project(sq_stmt_cache *sc, sqlite3 *db, const episode_state *st, hg_instant now) HG_MUST_CHECK;

#endif
