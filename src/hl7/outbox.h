/*
 * outbox.h - messages out (issue 16.4, docs/interop.md §4): the delivery
 * thread of `hemgang serve`. A subscription (interop_store.h) names a unit's
 * own records system; every notice addressed to that unit is sent to it, as a
 * FHIR message over HTTP (libcurl) or as an HL7 v2 ADT message over MLLP,
 * until the receiver takes it, with exponential backoff between attempts. A
 * positive answer (a FHIR response code ok, an OperationOutcome without
 * errors, an HL7 ACK AA) is recorded as the unit's acknowledgement: an
 * `acknowledged` event by that unit, idempotent per delivery.
 *
 * Nothing is lost across restarts: the outbox is a table, filled from the
 * events after each subscription's cursor in one transaction, and each
 * delivery's result is written after its attempt; a delivery interrupted by a
 * crash is sent again with the same message ids (at least once; a receiver
 * recognises the repeat by Bundle.id / MSH-10).
 */
#ifndef HG_HL7_OUTBOX_H
#define HG_HL7_OUTBOX_H

#include <stddef.h>

#include "core/date.h"
#include "core/status.h"
#include "store/store.h"

typedef struct outbox_config {
	int backoff;     /* seconds before the first retry; doubled after every failure (default 30) */
	int backoff_max; /* the longest wait between attempts, seconds (default 3600) */
	int attempts;    /* attempts before a delivery is given up as failed (default 20) */
	int interval_ms; /* how often the outbox is looked at (default 1000) */
	int timeout;     /* seconds one attempt may take (default 30) */
} outbox_config;

void outbox_config_defaults(outbox_config *c);
/* Parses "backoff=S,backoff-max=S,attempts=N,interval-ms=N,timeout=S" (any subset) into *c; on error a
 * reason in why. */
hg_status outbox_config_parse(outbox_config *c, const char *text, char *why, size_t why_cap) HG_MUST_CHECK;

typedef struct outbox outbox;

/* Starts the delivery thread on s (SQLite only); stopped and freed by outbox_stop. */
hg_status outbox_start(const outbox_config *c, store *s, outbox **out) HG_MUST_CHECK;
/* Finishes the attempt in progress, stops the thread, frees o (NULL: nothing). */
void outbox_stop(outbox *o);

/* The wait after the n-th failed attempt (n >= 1) under c, in seconds. */
int outbox_backoff(const outbox_config *c, int n);

#endif
