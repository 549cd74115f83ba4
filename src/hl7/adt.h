/*
 * adt.h - HL7 v2 ADT messages as hemgang events, and the acknowledgement
 * that answers them. Pure: no I/O, no clock, no globals; the MLLP service
 * (hl7_service.h) does the lookups and the storing around these functions.
 *
 * Three steps, each a plain function over plain values:
 *
 *  1. adt_read()  - reads MSH, EVN, PID, PD1, PV1 and PV2 of a parsed message
 *                   into an adt_message: who sent it, which trigger, the patient
 *                   (PID-3 by assigning authority, PID-5, PID-11, PD1-3, PD1-12),
 *                   the visit (PV1-19), the ward (PV1-3), times, PV1-36, PV2-9.
 *  2. adt_plan()  - given what the store knows (the episode and its events, the
 *                   resolved units), decides which events the message means:
 *                   A01 admitted, A02 transferred, A03 discharged, A08 a
 *                   correction of the admission and/or an expected date change,
 *                   A11/A12/A13 cancellations, A16/A25 ready/withdrawn (where
 *                   the sending facility is configured for it), A21/A22 leave,
 *                   A18/A40 merges (a correction of the admission that moves
 *                   the episode to the surviving number; planned per episode).
 *                   The core still judges every event when it is appended.
 *  3. adt_ack()   - renders the ACK (original mode AA/AE/AR, enhanced mode
 *                   CA/CE/CR) with an ERR segment naming the field at fault.
 *
 * docs/interop.md is the conformance statement for all of this.
 */
#ifndef HG_HL7_ADT_H
#define HG_HL7_ADT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "core/domain.h"
#include "core/episode.h"
#include "core/event.h"
#include "core/status.h"
#include "hl7/hl7.h"

#define ADT_CONTROL_ID_MAX 64 /* MSH-10, incl. NUL (ST(20) in v2.5, 199 in v2.7: longer is rejected) */
#define ADT_EVENTS_MAX 2      /* events one message can become (A08: correction + date change) */
#define ADT_TEXT_MAX 200      /* the English text of an error, incl. NUL */
#define ADT_ACK_MAX 8192      /* an ACK message, framing excluded (escaping can grow a value fivefold) */

/* The triggers hemgang acts on; every other ADT trigger is accepted and ignored. */
typedef enum adt_trigger {
	ADT_A01 = 0, /* admit */
	ADT_A02,     /* transfer */
	ADT_A03,     /* discharge */
	ADT_A08,     /* update patient information */
	ADT_A11,     /* cancel admit */
	ADT_A12,     /* cancel transfer */
	ADT_A13,     /* cancel discharge */
	ADT_A16,     /* pending discharge */
	ADT_A21,     /* leave of absence: out */
	ADT_A22,     /* leave of absence: back */
	ADT_A25,     /* cancel pending discharge */
	ADT_A18,     /* merge patient information (MRG-1 into PID-3) */
	ADT_A40,     /* merge patient - patient identifier list (MRG-1 into PID-3) */
	ADT_TRIGGER_COUNT,
	ADT_OTHER = ADT_TRIGGER_COUNT /* an ADT trigger hemgang does not use */
} adt_trigger;

/* "A01", ...; "other" for ADT_OTHER. */
const char *adt_trigger_code(adt_trigger t);
/* What the trigger means in hemgang, one English line (docs, logs). */
const char *adt_trigger_meaning(adt_trigger t);

/* MSH, read for routing, the log and the ACK. Text is UTF-8. */
typedef struct adt_header {
	char sending_app[HG_ID_MAX];       /* MSH-3.1 */
	char sending_facility[HG_ID_MAX];  /* MSH-4.1, or MSH-4.2 when 4.1 is empty */
	char receiving_app[HG_ID_MAX];     /* MSH-5.1 */
	char receiving_facility[HG_ID_MAX]; /* MSH-6.1 */
	char control_id[ADT_CONTROL_ID_MAX]; /* MSH-10 */
	char message_type[8];  /* MSH-9.1, "ADT" */
	char trigger_code[8];  /* MSH-9.2, "A01" */
	char processing_id[4]; /* MSH-11.1: P, T, D */
	char version[16];      /* MSH-12.1 */
	char accept_ack[4];    /* MSH-15: AL, NE, ER, SU, or "" */
	char app_ack[4];       /* MSH-16 */
	char charset[24];      /* MSH-18.1 */
	hg_instant sent_at;    /* MSH-7, or NONE */
} adt_header;

/* Why a message was not turned into events. */
typedef struct adt_error {
	bool reject;           /* AR (cannot be accepted at all) rather than AE (breaks a rule) */
	int hl7_code;          /* HL7 table 0357: 100, 101, 102, 103, 200, 201, 202, 203, 204, 207 */
	char segment[4];       /* location: "PID", ... ("" when none) */
	int field;             /* 1-based; 0 when the segment as a whole */
	int component;         /* 1-based; 0 when the field as a whole */
	const char *code;      /* stable snake_case reason: hemgang's event reasons or this module's */
	char text[ADT_TEXT_MAX]; /* English */
} adt_error;

void adt_error_clear(adt_error *e);
/* Fills *e (may be NULL) and returns HG_EINVAL. `text` is printf-style. */
hg_status adt_error_set(adt_error *e, bool reject, int hl7_code, const char *segment, int field, int component,
			const char *code, const char *text, ...) HG_MUST_CHECK __attribute__((format(printf, 8, 9)));

/* Where a value was read from ("PV1", 45), so a rule violation can name the field. */
typedef struct adt_source {
	char segment[4];
	int field;
} adt_source;

/* An ADT message read into hemgang's terms. */
typedef struct adt_message {
	adt_header h;
	adt_trigger trigger;
	bool inpatient;        /* PV1-2 is "I" or absent; other classes are ignored */
	event_patient patient; /* personnummer normalised; fields absent in the message are "" */
	bool has_protection;   /* PD1-12 was given (then patient.protected_identity says Y/N) */
	char visit[HG_ID_MAX];     /* PV1-19.1 */
	char facility[HG_ID_MAX];  /* PV1-3.4 (namespace, else universal id), else MSH-4 */
	char ward_code[HG_ID_MAX]; /* PV1-3.1 */
	hg_instant occurred_at;    /* per trigger: PV1-44 / PV1-45 / EVN-6 / EVN-2 / MSH-7 */
	adt_source occurred_src;
	bool has_destination;      /* PV1-36 given, or PID-30 = Y */
	discharge_destination destination;
	hg_date expected_date;     /* PV2-9, or NONE */
	char prior[EVENT_PNR_SIZE]; /* A18, A40: the identity merged away (MRG-1), normalised; PID-3 survives */
} adt_message;

/*
 * Reads MSH only (for an ACK even when the rest is broken). Fills what it can;
 * HG_EINVAL with *err filled (AR) when MSH-9, MSH-10, MSH-11 or MSH-12 are
 * missing or unsupported: a message that is not ADT (200), a version outside
 * 2.3-2.5.1 (203), processing id not P (202; T and D only when allow_test).
 */
hg_status adt_read_header(const hl7_message *m, bool allow_test, adt_header *h, adt_error *err) HG_MUST_CHECK;

/*
 * A sending facility's own PID-3 convention (issue 16.1): a repetition whose
 * assigning authority (CX.4 namespace or universal id) is `authority` and
 * whose identifier type (CX.5) is `type` holds a personnummer or
 * samordningsnummer (or, with `reserve`, a reserve number). An empty
 * authority or type matches anything, not both empty. Written as text
 * "AUTHORITY^TYPE" or "reserve:AUTHORITY^TYPE" (`hemgang hl7 facility --pid`).
 */
#define ADT_PID_RULES_MAX 8
#define ADT_PID_RULE_TEXT_MAX 96 /* one rule as text, incl. NUL */
typedef struct adt_pid_rule {
	char authority[64];
	char type[16];
	bool reserve;
} adt_pid_rule;

typedef struct adt_pid_rules {
	adt_pid_rule rule[ADT_PID_RULES_MAX];
	size_t n;
} adt_pid_rules;

/* Parses one rule's text. HG_EINVAL for an empty rule, one with '^' in a part, '&', a space, or too long. */
hg_status adt_pid_rule_parse(const char *text, adt_pid_rule *out) HG_MUST_CHECK;
/* Parses space-separated rules (as stored); HG_EINVAL for a bad one, HG_ERANGE for more than ADT_PID_RULES_MAX. */
hg_status adt_pid_rules_parse(const char *text, adt_pid_rules *out) HG_MUST_CHECK;
/* Renders one rule as text into buf (ADT_PID_RULE_TEXT_MAX suffices). */
void adt_pid_rule_format(const adt_pid_rule *r, char *buf, size_t cap);

/*
 * Reads the whole message (adt_read_header first). `today` is the local date
 * for the century rule of 10-digit personnummer. Errors: AR for the header
 * reasons; AE for a field that is malformed or missing (101 required, 102 bad
 * data, 103 unknown code) with the field named.
 */
hg_status adt_read(const hl7_message *m, bool allow_test, hg_date today, adt_message *out,
		   adt_error *err) HG_MUST_CHECK;
/* The same with the sending facility's PID-3 rules (NULL: the common conventions only), tried first. */
hg_status adt_read_rules(const hl7_message *m, bool allow_test, hg_date today, const adt_pid_rules *rules,
			 adt_message *out, adt_error *err) HG_MUST_CHECK;

/* A unit as the store knows it, resolved by the caller. id "" means unknown. */
typedef struct adt_unit {
	char id[HG_ID_MAX];
	unit_kind kind;
	char org[HG_ID_MAX];
	care_type care;
	char hospital[HG_ID_MAX];
} adt_unit;

/* What adt_plan needs besides the message. */
typedef struct adt_context {
	adt_unit ward;         /* the unit PV1-3 names (A01, A02); id "" when unknown */
	adt_unit current;      /* the episode's current ward (st->ward), for the events it authors */
	const char *author_user; /* e.g. "hl7:FALU" */
	bool a16_ready;        /* the facility sends A16/A25 for the doctor's ready judgement */
	const episode_state *st; /* the episode, or NULL when none was found */
	const event *history;  /* its stored events (n of them), seq order */
	size_t n;
} adt_context;

/*
 * The events the message means, in order, into out[0..*n) (*n may be 0: the
 * message is accepted and changes nothing, e.g. an A08 with nothing new, A16
 * where not configured, another patient class). Author, occurred_at and
 * corrections/cancellation targets are set; id/seq/recorded_at are left to the
 * store. HG_EINVAL with *err (AE) when the message cannot apply: no episode
 * for the visit (204), nothing to cancel (204), unknown ward (the caller
 * quarantines before it gets here).
 */
hg_status adt_plan(const adt_message *m, const adt_context *cx, event out[ADT_EVENTS_MAX], size_t *n,
		   adt_error *err) HG_MUST_CHECK;

/*
 * Where a core rejection points in the message: maps err->field of an event
 * built from m (e.g. "occurred_at", "expected_discharge_date",
 * "patient.personnummer") to the HL7 field it came from and fills *out (AE,
 * hl7 code 207 for sequence rules, 102/101 for field rules).
 */
void adt_error_from_event(const adt_message *m, const event_error *ev_err, hg_status rc, adt_error *out);

/* Acknowledgement codes: original mode AA/AE/AR; the enhanced-mode commit codes follow them. */
typedef enum adt_ack_code { ADT_ACK_ACCEPT = 0, ADT_ACK_ERROR, ADT_ACK_REJECT } adt_ack_code;

/*
 * True when the sender wants an answer on the connection: always in original
 * mode (MSH-15 and MSH-16 empty); in enhanced mode per MSH-15 (AL always, NE
 * never, ER on error or reject, SU on success; empty = AL).
 */
bool adt_ack_wanted(const adt_header *h, adt_ack_code code);

/*
 * Renders the ACK for header h (which may be mostly empty for an unparseable
 * message) into buf (segments end in CR; no MLLP framing). Original mode:
 * MSA-1 AA/AE/AR; enhanced mode (MSH-15 or MSH-16 set): CA/CE/CR. With an
 * error, an ERR segment in the form of the message's version (2.5+: ERR-2
 * location, ERR-3 HL7 code, ERR-4 severity, ERR-5 hemgang's reason code,
 * ERR-8 text; 2.3/2.4: ERR-1) and MSA-3 text. now gives MSH-7 (local time with
 * offset). HG_ERANGE when buf is too small (ADT_ACK_MAX always suffices).
 */
hg_status adt_ack(const adt_header *h, adt_ack_code code, const adt_error *err, hg_instant now, char *buf, size_t cap,
		  size_t *len) HG_MUST_CHECK;

/* Converts an HL7 timestamp to an instant: with an offset exactly, without one as Europe/Stockholm
 * local time; a bare date is 12:00 local. HG_EINVAL for a malformed one. */
hg_status adt_ts_to_instant(const char *s, hg_instant *out) HG_MUST_CHECK;

/* The discharge destination for a PV1-36 code (HL7 table 0112 codes and hemgang's own codes). */
bool adt_destination_from_code(const char *code, discharge_destination *out);

#endif
