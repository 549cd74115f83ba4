/*
 * fhir_plan.h - a FHIR message Bundle as one hemgang event, decided without
 * the store, the clock or the network, in the manner of hl7/adt.h. fhir.c
 * ($process-message) runs three steps around these functions:
 *
 *  1. fhir_read_keys() - reads what the store must be asked about the
 *                        message: the activity, the sender's unit, the
 *                        encounter's id and identifier, the patient, the
 *                        receivers' units. fhir.c looks them up
 *                        (fhir_lookups): the sender unit, the episode with its
 *                        events, the receivers.
 *  2. fhir_plan()      - judges the message in a fixed order (event code,
 *                        activity, role, sender, time, patient, encounter,
 *                        episode, what was revised or cancelled, the fields of
 *                        the activity) and builds the event, or says what is
 *                        wrong and where (fhir_error, an OperationOutcome).
 *  3. fhir.c appends the event through the store (the core judges it there as
 *     it judges the JSON API's), records the sender's encounter of an
 *     admission and writes the audit record.
 *
 * docs/interop.md §3 is the conformance statement.
 */
#ifndef HG_FHIR_PLAN_H
#define HG_FHIR_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/date.h"
#include "core/event.h"
#include "store/store.h"

#define SYS_PNR             "urn:oid:1.2.752.129.2.1.3.1"
#define SYS_SNR             "urn:oid:1.2.752.129.2.1.3.3"
#define SYS_MEDCOM_EVENT    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messagingEventCodes"
#define SYS_MEDCOM_ACTIVITY "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes"
#define SYS_HEMGANG_EVENT   "https://hemgang.se/fhir/CodeSystem/event"
#define SYS_HEMGANG_REASON  "https://hemgang.se/fhir/CodeSystem/reason"
#define SYS_DESTINATION     "https://hemgang.se/fhir/CodeSystem/discharge-destination"
#define EXT_EXPECTED        "https://hemgang.se/fhir/StructureDefinition/expected-discharge-date"
#define EXT_READY           "https://hemgang.se/fhir/StructureDefinition/ready-for-discharge"
#define EXT_LEGAL_FORM      "https://hemgang.se/fhir/StructureDefinition/legal-form"
#define EXT_INFO_ITEM       "https://hemgang.se/fhir/StructureDefinition/information-item"

/* What is wrong with a message, as its OperationOutcome says it. */
typedef struct fhir_error {
	const char
	    *issue; /* FHIR issue type: invalid, not-supported, code-invalid, security, not-found, business-rule */
	const char *reason; /* hemgang's reason code */
	char expression[96];
	char diagnostics[256];
	bool transient;
} fhir_error;

/* Fills *e and returns false. */
__attribute__((format(printf, 5, 6))) bool fhir_fail(fhir_error *e, const char *issue, const char *reason,
                                                     const char *expression, const char *fmt, ...);

/* A new event, a revision (a correction of the latest live event of the type) or a cancellation. */
typedef enum fhir_variant { FHIR_NEW = 0, FHIR_REVISE, FHIR_CANCEL } fhir_variant;

/* One activity: a MedCom HospitalNotification's (Provenance.activity) or one of hemgang's event codes. */
typedef struct fhir_activity {
	const char *code;
	bool medcom;
	event_type type;
	fhir_variant variant;
	discharge_destination dest;
} fhir_activity;

#define FHIR_RECEIVERS_MAX (EVENT_RECIPIENTS_MAX + 1) /* one more than fits: the plan refuses it */

/* What fhir.c looks up for a message. Strings point into the bundle. */
typedef struct fhir_keys {
	const fhir_activity *act; /* NULL when the message names none hemgang knows (the plan refuses it) */
	bool new_admission;       /* act is a new admission: no episode to find, the sender's encounter may know one */
	const char *sender_unit;  /* MessageHeader.sender's Organization.identifier[0].value, or NULL */
	const char *encounter_id, *encounter_ident; /* Encounter.id and Encounter.identifier[0].value, or NULL */
	bool have_patient;                          /* a Patient is in the bundle */
	bool patient_ok;                            /* ... and reads (then patient holds it) */
	event_patient patient;
	const char *receivers[FHIR_RECEIVERS_MAX]; /* MessageHeader.destination[].receiver units, in order */
	size_t n_receivers;
} fhir_keys;

/* A receiver unit as the store knows it. */
typedef struct fhir_receiver {
	bool found; /* the unit exists */
	store_unit unit;
} fhir_receiver;

/* What the store said about the keys. */
typedef struct fhir_lookups {
	const store_unit *sender; /* the sender unit when it is one of the caller's units and exists, else NULL */
	int64_t episode_id;       /* the episode (a new admission: the one the sender's encounter opened, or 0) */
	bool episode_failed;      /* not a new admission: the episode was not found or could not be read */
	fhir_error episode_error; /* ... why */
	const event *hist;        /* the episode's events (not a new admission) */
	size_t n_hist;
	const fhir_receiver *receivers; /* keys.receivers[i] looked up */
	size_t n_receivers;
} fhir_lookups;

/* The event a message becomes. */
typedef struct fhir_planned {
	const fhir_activity *act;
	int64_t episode_id; /* 0: a new episode */
	const char *visit;  /* a new admission: the sender's encounter identifier to record (NULL: none) */
} fhir_planned;

/* Reads the keys of a message (header is its MessageHeader); today is the local date for personnummer. */
void fhir_read_keys(json_t *bundle, json_t *header, hg_date today, fhir_keys *k);

/*
 * Judges the message of user (role, units, username) with what the store said
 * and builds *ev and *out. False with *err filled (the first fault in the
 * order of fhir_plan.h) when the message cannot be applied.
 */
bool fhir_plan(json_t *bundle, json_t *header, const store_user *user, hg_date today, const fhir_lookups *lk, event *ev,
               fhir_planned *out, fhir_error *err);

/* Where a core rejection of field (event_error.field) points in the message. */
const char *fhir_expression_of(const char *field);

/* The string member key of o, or NULL. */
const char *fhir_str(json_t *o, const char *key);
/* Whether unit is one of user's units. */
bool fhir_user_has_unit(const store_user *user, const char *unit);

#endif
