/*
 * readmodel.h - the read model: what the worklists, the episode lists and the
 * pending acknowledgements show, held in memory so that they are answered
 * without SQL (issue 11 part 2).
 *
 * It holds the episodes a list of the present can show: the open ones
 * (admitted, ready) and the discharged ones since a window start (the
 * worklist's "recently discharged" and lists over the last days), with their
 * list columns; and every episode that has a notice not yet acknowledged (the
 * worklist's new notices reach back without a limit), with what the notice
 * list shows of it. Each is one small fixed-size row: strings interned once into
 * 32-bit codes, the parties as unit codes, the unacknowledged notices in one
 * array per episode; per unit, the rows it is party to and the rows with a
 * notice waiting for it.
 *
 * The store fills it at start from the projection tables and then with every
 * committed append (readmodel_put, or readmodel_stage + readmodel_commit from
 * the writer), and asks it first: readmodel_query answers a query only when
 * every episode it can match is held (*answered), so its answers are the SQL
 * answers. Nothing here does I/O: tests/store/test_readmodel.c drives it with
 * rows of its own, and compares it with SQL on generated data.
 *
 * Thread safety: any number of readers and one writer at a time (a
 * read-write lock inside).
 */
#ifndef HG_READMODEL_H
#define HG_READMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct readmodel readmodel;

/* A notice to one unit not yet acknowledged (a pending_acks row with acked_at NULL). */
typedef struct readmodel_notice {
	int32_t seq;
	char unit[HG_ID_MAX];
	event_type type;
	hg_instant sent_at;
} readmodel_notice;

/* One episode as the projection tables hold it: its row, its parties (unit ids, without
 * duplicates) and its unacknowledged notices. */
typedef struct readmodel_entry {
	store_episode_row row;
	const char (*parties)[HG_ID_MAX];
	size_t n_parties;
	const readmodel_notice *notices;
	size_t n_notices;
} readmodel_entry;

/* A new, empty read model holding discharged episodes from window_from on (*out freed by
 * readmodel_free). */
hg_status readmodel_create(hg_instant window_from, readmodel **out) HG_MUST_CHECK;
void readmodel_free(readmodel *rm);

/* True when an episode of this kind is held (open, discharged since the window, or a notice
 * waiting); the loader selects the same rows in SQL. */
bool readmodel_holds(const readmodel *rm, const readmodel_entry *e);
hg_instant readmodel_window_from(const readmodel *rm);

/*
 * Puts e in place of what is held for its episode (or drops the episode when it is no longer
 * held). A row older than the one held (a smaller last_seq) changes nothing.
 */
hg_status readmodel_put(readmodel *rm, const readmodel_entry *e) HG_MUST_CHECK;

/*
 * A refresh from the database (appends of another process): begin takes the model for writing,
 * so that the writer's commits (readmodel_commit) wait while the rows are read and put with
 * readmodel_refresh_put; whatever the writer applies after end is newer than what was read. An
 * episode dropped by a commit cannot come back from an older read. No query runs meanwhile.
 */
void readmodel_refresh_begin(readmodel *rm);
hg_status readmodel_refresh_put(readmodel *rm, const readmodel_entry *e) HG_MUST_CHECK;
void readmodel_refresh_end(readmodel *rm);

/*
 * The load at start: begin takes the model for writing as readmodel_refresh_begin does, and the
 * entries go in with readmodel_refresh_put; the per-unit arrays are left alone meanwhile and end
 * builds them in one pass over the rows, each to its exact size, then lets go of the model.
 * A failure there leaves the model broken (every query goes to SQL).
 */
void readmodel_load_begin(readmodel *rm);
hg_status readmodel_load_end(readmodel *rm) HG_MUST_CHECK;

/*
 * The writer's side: stage an entry while its batch is open (copied), then apply every staged
 * entry, in order, once the batch is durable, or forget them when it failed. Only one thread
 * (the writer) stages.
 */
hg_status readmodel_stage(readmodel *rm, const readmodel_entry *e) HG_MUST_CHECK;
hg_status readmodel_commit(readmodel *rm) HG_MUST_CHECK;
void readmodel_discard(readmodel *rm);
/* Marks the model unusable (it missed an update): every later query is left to SQL. */
void readmodel_break(readmodel *rm);

/*
 * store_episodes_query from memory: *answered is false (and nothing is returned) when the query
 * may match an episode that is not held (a personnummer search, any status, old discharges);
 * the caller then asks SQL. Same order, paging and total as the SQL. *rows hg_malloc'ed.
 */
hg_status readmodel_query(readmodel *rm, const store_query *q, store_episode_row **rows, size_t *n, size_t *total,
                          bool *answered) HG_MUST_CHECK;
/* store_pending_acks from memory (every unacknowledged notice is held: answered unless an update
 * failed). *rows hg_malloc'ed. */
hg_status readmodel_pending(readmodel *rm, const store_ack_query *q, store_pending_ack **rows, size_t *n, size_t *total,
                            bool *answered) HG_MUST_CHECK;

/* Moves the window on (a later window_from): the episodes discharged before it leave the lists
 * (and the model, unless a notice of theirs waits); queries reaching before it go to SQL. */
void readmodel_advance_window(readmodel *rm, hg_instant window_from);

/* The last seq of a held episode (what a cached fold of it must match); false when not held. */
bool readmodel_last_seq(readmodel *rm, int64_t id, int32_t *last_seq);

/* Gives back the slack of the growing arrays (after a load). */
void readmodel_trim(readmodel *rm);

typedef struct readmodel_stats {
	size_t episodes; /* held */
	size_t listed;   /* of them, with the list columns (open, discharged within the window) */
	size_t notices;  /* unacknowledged, held */
	size_t strings;  /* distinct strings interned (units, places, names) */
	size_t bytes;    /* allocated for all of it (without the allocator's overhead) */
	size_t answered; /* queries answered from memory so far */
} readmodel_stats;
void readmodel_get_stats(readmodel *rm, readmodel_stats *out);

#endif
