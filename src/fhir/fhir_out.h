/*
 * fhir_out.h - the FHIR R4 messages hemgang sends (issue 16.4): a notice
 * addressed to a unit (admission notice, changed expected date, ready for
 * discharge, ready withdrawn) as a Bundle of type message, shaped like the
 * ones hemgang accepts at $process-message (docs/interop.md §3.1 and §4), and
 * the judgement of the receiver's answer. Pure: JSON in, JSON out.
 */
#ifndef HG_FHIR_FHIR_OUT_H
#define HG_FHIR_FHIR_OUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/episode.h"
#include "core/event.h"

/* The ids of delivery `delivery_id`'s message: the same on every attempt, so a receiver sees a retry as
 * the same message (FHIR reliable messaging). */
void fhir_out_ids(int64_t delivery_id, char bundle_id[40], char header_id[40]);

/*
 * The message for `notice` (an event of st) to receiver_unit at endpoint, as of `now`; a new reference
 * (caller json_decref's), NULL when out of memory. The address is left out for a protected identity.
 */
json_t *fhir_out_message(const episode_state *st, const event *notice, const char *receiver_unit,
			 const char *endpoint, int64_t delivery_id, hg_instant now);

/* What a receiver's answer (the body of a 2xx) means. */
typedef enum fhir_out_verdict {
	FHIR_OUT_ACKNOWLEDGED = 0, /* a response message with code ok, or an OperationOutcome without errors */
	FHIR_OUT_RECEIVED,         /* anything else that is no refusal: taken, not acknowledged */
	FHIR_OUT_TRANSIENT,        /* response code transient-error: send again later */
	FHIR_OUT_REFUSED,          /* fatal-error, or an OperationOutcome with an error: do not send again */
} fhir_out_verdict;

/* Judges body[0..len) as the answer to header_id; why (may be NULL) gets a short reason for a refusal. */
fhir_out_verdict fhir_out_judge(const char *body, size_t len, const char *header_id, char *why, size_t why_cap);

#endif
