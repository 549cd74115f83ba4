/*
 * interop_store.h - what the HL7 and FHIR adapters keep besides events:
 * sending facilities and their ward codes, visit numbers, the answers given to
 * messages (for idempotent redelivery), the quarantine, and FHIR message
 * answers (migrations/0004_interop.sql). Implemented on SQLite in
 * interop_sqlite.c with the pool of store_int.h. Results are plain values;
 * arrays and texts are hg_malloc'ed and the caller frees them with hg_free.
 */
#ifndef HG_STORE_INTEROP_STORE_H
#define HG_STORE_INTEROP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/domain.h"
#include "core/status.h"
#include "store/store.h"

#define INTEROP_ADDRESSES_MAX 512 /* the space-separated address list of a facility, incl. NUL */
#define INTEROP_CONTROL_ID_MAX 64
#define INTEROP_PID_RULES_MAX 800 /* a facility's PID-3 rules as text, incl. NUL */
#define INTEROP_REASON_MAX 48

typedef struct interop_facility {
	char facility[HG_ID_MAX];
	char org[HG_ID_MAX];
	char name[HG_NAME_MAX];
	char addresses[INTEROP_ADDRESSES_MAX];
	bool a16_ready;
	char pid_rules[INTEROP_PID_RULES_MAX]; /* space-separated PID-3 rules (hl7/adt.h adt_pid_rules_parse) */
} interop_facility;

/* Adds or replaces a facility. HG_ENOTFOUND when the organisation does not exist. */
hg_status interop_facility_put(store *s, const interop_facility *f, hg_instant now) HG_MUST_CHECK;
hg_status interop_facility_get(store *s, const char *facility, interop_facility *out) HG_MUST_CHECK;
/* Every facility, by name; *out hg_malloc'ed (caller frees). */
hg_status interop_facilities_list(store *s, interop_facility **out, size_t *n) HG_MUST_CHECK;
/* True when some facility lists addr among its addresses. */
hg_status interop_address_allowed(store *s, const char *addr, bool *allowed) HG_MUST_CHECK;

/* Maps a facility's ward code (PV1-3.1) to a unit. HG_ENOTFOUND when the unit does not exist. */
hg_status interop_ward_put(store *s, const char *facility, const char *code, const char *unit_id) HG_MUST_CHECK;
/* The unit of a ward code; HG_ENOTFOUND when unmapped. */
hg_status interop_ward_get(store *s, const char *facility, const char *code, char unit_id[HG_ID_MAX]) HG_MUST_CHECK;

hg_status interop_visit_put(store *s, const char *facility, const char *visit, int64_t episode_id) HG_MUST_CHECK;
/* The episode a visit opened; HG_ENOTFOUND when none. */
hg_status interop_visit_get(store *s, const char *facility, const char *visit, int64_t *episode_id) HG_MUST_CHECK;

/* The MSH-10 log. */
typedef struct interop_message {
	char outcome[16]; /* accepted | ignored | quarantined */
	int64_t episode_id;
	char *ack;        /* hg_malloc'ed (caller frees) */
} interop_message;

/* Records (or replaces) the answer to a message. */
hg_status interop_message_put(store *s, const char *facility, const char *control_id, const char *trigger,
			      const char *outcome, int64_t episode_id, const char *ack, hg_instant now) HG_MUST_CHECK;
/* The recorded answer; HG_ENOTFOUND when the message was not seen (or not accepted). */
hg_status interop_message_get(store *s, const char *facility, const char *control_id,
			      interop_message *out) HG_MUST_CHECK;

/*
 * What a message records with its (last) event, in the same transaction as that event, with the
 * episode the event went to: the visit's episode (as interop_visit_put; visit "" none) and the
 * message's answer (as interop_message_put). So the event, its audit record, the visit and the
 * answer that a redelivery gets become durable together, in the writer's group commit.
 */
typedef struct interop_note {
	char facility[HG_ID_MAX];
	char control_id[INTEROP_CONTROL_ID_MAX];
	char trigger[8];
	char visit[HG_ID_MAX];
	char outcome[16];
	const char *ack; /* copied by interop_append_submit */
	hg_instant at;
} interop_note;

/* store_append_submit with the message's note (NULL: none), written only if the event is stored
 * or replayed. */
hg_status interop_append_submit(store *s, int64_t episode_id, const event *ev, const char *key, hg_instant now,
				const store_audit *audit, const interop_note *note, store_append_job **job,
				uint64_t *ticket) HG_MUST_CHECK;

/* The quarantine. */
typedef struct interop_quarantined {
	int64_t id;
	hg_instant received_at;
	char facility[HG_ID_MAX];
	char control_id[INTEROP_CONTROL_ID_MAX];
	char trigger[8];
	char visit[HG_ID_MAX];
	char ward_code[HG_ID_MAX];
	char pnr_masked[16];
	char reason[INTEROP_REASON_MAX];
	char peer[HG_ID_MAX];
	char state[12]; /* pending | replayed | failed */
	hg_instant resolved_at;
	char resolved_by[HG_ID_MAX];
	char result[INTEROP_REASON_MAX];
} interop_quarantined;

/* Adds a pending row (q->id, state and resolution are ignored); *id gets its id. */
hg_status interop_quarantine_add(store *s, const interop_quarantined *q, const char *message, size_t len,
				 int64_t *id) HG_MUST_CHECK;
/* Rows, oldest first; state NULL = any; *out hg_malloc'ed (caller frees). */
hg_status interop_quarantine_list(store *s, const char *state, int limit, interop_quarantined **out,
				  size_t *n) HG_MUST_CHECK;
/* One row and (message may be NULL) its message, hg_malloc'ed (caller frees), *len bytes. */
hg_status interop_quarantine_get(store *s, int64_t id, interop_quarantined *out, char **message,
				 size_t *len) HG_MUST_CHECK;
/* True when a pending row of facility/visit has an id below `before` (0: any). */
hg_status interop_quarantine_pending(store *s, const char *facility, const char *visit, int64_t before,
				     bool *pending) HG_MUST_CHECK;
/* Pending rows of facility/visit after id `after`, oldest first (the ones a replay takes along). */
hg_status interop_quarantine_followers(store *s, const char *facility, const char *visit, int64_t after,
				       int64_t **ids, size_t *n) HG_MUST_CHECK;
hg_status interop_quarantine_resolve(store *s, int64_t id, const char *state, const char *by, const char *result,
				     hg_instant now) HG_MUST_CHECK;

/* FHIR reliable messaging: the answer to (bundle_id, header_id) of one sender (username); ids are the sender's own. */
hg_status interop_fhir_put(store *s, const char *username, const char *bundle_id, const char *header_id, int status,
			   const char *response, hg_instant now) HG_MUST_CHECK;
/* *response hg_malloc'ed (caller frees). HG_ENOTFOUND when this sender has not sent that message. */
hg_status interop_fhir_get(store *s, const char *username, const char *bundle_id, const char *header_id, int *status,
			   char **response) HG_MUST_CHECK;

/* ---- messages out (issue 16.4, migrations/0014_subscriptions.sql) ---- */

#define INTEROP_ENDPOINT_MAX 512
#define INTEROP_ERROR_MAX 256
#define INTEROP_SUBSCRIPTION_NAME_MAX 32 /* bytes of a name: "subscription:NAME" is the author user */

/* A records system of one unit that receives the notices addressed to that unit. */
typedef struct interop_subscription {
	int64_t id;
	char name[HG_ID_MAX];
	char unit[HG_ID_MAX];
	char protocol[8]; /* fhir | hl7 */
	char endpoint[INTEROP_ENDPOINT_MAX];
	int64_t cursor; /* the last event id scanned */
	hg_instant created_at;
} interop_subscription;

/* Adds a subscription (sub->id, cursor and created_at are set here): from_start delivers every notice
 * to the unit already stored, else only those that come after now. HG_ENOTFOUND when the unit does not
 * exist, HG_ECONFLICT when the name is taken. */
hg_status interop_subscription_add(store *s, interop_subscription *sub, bool from_start, hg_instant now) HG_MUST_CHECK;
/* Every subscription, by name; *out hg_malloc'ed (caller frees). */
hg_status interop_subscriptions_list(store *s, interop_subscription **out, size_t *n) HG_MUST_CHECK;
/* Removes a subscription and its deliveries; HG_ENOTFOUND when there is none of that name. */
hg_status interop_subscription_remove(store *s, const char *name) HG_MUST_CHECK;

/* One notice to one subscription: a row of the outbox. */
typedef struct interop_delivery {
	int64_t id;
	int64_t subscription_id;
	char subscription[HG_ID_MAX];
	char unit[HG_ID_MAX];
	char protocol[8];
	char endpoint[INTEROP_ENDPOINT_MAX];
	int64_t event_id, episode_id;
	int32_t seq;
	char type[HG_ID_MAX];
	char state[12]; /* pending | delivered | failed */
	int attempts;
	hg_instant next_attempt_at, last_attempt_at, delivered_at, created_at;
	char last_error[INTEROP_ERROR_MAX];
	char ack[INTEROP_REASON_MAX];
} interop_delivery;

/* Moves every subscription's cursor past the events stored so far, adding a pending delivery (due now) for
 * each notice addressed to its unit, in one transaction; *added (may be NULL) counts the new rows. */
hg_status interop_outbox_fill(store *s, hg_instant now, size_t *added) HG_MUST_CHECK;
/* Pending deliveries due at `now`, oldest first, at most limit; *out hg_malloc'ed (caller frees). */
hg_status interop_deliveries_due(store *s, hg_instant now, int limit, interop_delivery **out,
				 size_t *n) HG_MUST_CHECK;
/* Claims a due delivery for one attempt: moves its next attempt to `until` if nobody has moved it since d was
 * read (d->next_attempt_at is updated); HG_ECONFLICT when another server took it first. */
hg_status interop_delivery_claim(store *s, interop_delivery *d, hg_instant until) HG_MUST_CHECK;
/* The result of an attempt: delivered (ack: what became of the unit's acknowledgement), or failed with
 * error, to be tried again at next_attempt_at (HG_INSTANT_NONE: given up, state failed). */
hg_status interop_delivery_done(store *s, int64_t id, const char *ack, hg_instant now) HG_MUST_CHECK;
hg_status interop_delivery_failed(store *s, int64_t id, const char *error, hg_instant next_attempt_at,
				  hg_instant now) HG_MUST_CHECK;
/* Deliveries, newest first; state and subscription (a name) NULL = any; org (NULL = any) keeps those whose
 * unit belongs to that organisation; *out hg_malloc'ed (caller frees). */
hg_status interop_deliveries_list(store *s, const char *state, const char *subscription, const char *org, int limit,
				  interop_delivery **out, size_t *n) HG_MUST_CHECK;

#endif
