/*
 * hl7_service.h - one HL7 v2 message in, one ACK out: the imperative shell
 * around the pure parser and mapping (hl7.h, adt.h).
 *
 * hl7_service_handle() parses the message, answers a redelivered MSH-10 with
 * the ACK it got the first time, checks the sending facility against the
 * configured table (and the source address against the facility's), resolves
 * the ward (PV1-3) and the episode (the facility's own visit PV1-19; without
 * one, the patient's latest episode only when this facility admitted it:
 * never another sender's), lets adt_plan() decide the events, appends them
 * through the store
 * (which lets the core judge each one, durably, before the ACK is built) and
 * logs the answer. A message for an unknown facility or ward, or for a visit
 * whose earlier message waits in quarantine, is accepted (AA) into the
 * quarantine; hl7_quarantine_replay() runs it again once an administrator has
 * mapped what was missing. The MLLP listener (mllp.h) and the tests call these
 * functions; they are thread-safe because the store is.
 */
#ifndef HG_HL7_SERVICE_H
#define HG_HL7_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "hl7/adt.h"
#include "store/store.h"

typedef struct hl7_service_opts {
	bool demo;            /* demo database: any facility from loopback; processing ids T and D accepted */
	const char *peer;     /* the source address as text */
	bool peer_loopback;   /* the source is 127.0.0.0/8 or ::1 */
	int64_t replay_of;    /* the quarantine row being replayed, or 0 */
} hl7_service_opts;

typedef struct hl7_outcome {
	adt_ack_code code;
	const char *outcome;  /* accepted | ignored | quarantined | redelivered | error | rejected */
	const char *reason;   /* "ok" or a stable reason code */
	int64_t episode_id;   /* 0 when none */
	int events;           /* events appended (replayed idempotency keys included) */
	bool send;            /* the ACK goes back on the connection (adt_ack_wanted) */
	size_t len;
	char ack[ADT_ACK_MAX]; /* segments end in CR; no MLLP framing */
} hl7_outcome;

/* Handles one message (len bytes, any content) and fills *out; always builds an answer. */
void hl7_service_handle(store *s, const hl7_service_opts *o, const char *msg, size_t len, hg_instant now,
			hl7_outcome *out);

#define HL7_BATCH_MAX 1000 /* messages in one batch (FHS/BHS) */

/* True when text is an HL7 batch: it starts with FHS or BHS (after any line breaks). */
bool hl7_is_batch(const char *text, size_t len);

/*
 * Handles an HL7 batch (issue 16.3): FHS/BHS ... MSH ... MSH ... BTS/FTS, each
 * message in turn through hl7_service_handle() exactly as if it had come
 * alone. *acks gets the answering batch, hg_malloc'ed (caller frees), *ack_len
 * bytes: BHS (FHS too when the batch had one), the ACK of each message that
 * wants one, BTS with their count (and FTS). A batch of more than
 * HL7_BATCH_MAX messages is refused whole with one AR; *stats (may be NULL)
 * counts messages by ACK code (accept, error, reject).
 */
hg_status hl7_batch_handle(store *s, const hl7_service_opts *o, const char *text, size_t len, hg_instant now,
			   char **acks, size_t *ack_len, int stats[3]) HG_MUST_CHECK;

/*
 * Replays quarantine row `id` (pending) and then the pending rows of the same
 * visit that waited for it, in order, recording each result on its row. *out
 * is the outcome of row `id` itself; *replayed counts the rows replayed.
 * HG_ENOTFOUND for no such row, HG_ECONFLICT when it is not pending or an
 * earlier row of its visit is still pending (replay that one first), HG_EIO.
 */
hg_status hl7_quarantine_replay(store *s, int64_t id, const char *by, bool demo, hg_instant now, hl7_outcome *out,
				int *replayed) HG_MUST_CHECK;

#endif
