/*
 * point.h - the point measurement (punktmätning): everyone in hospital and
 * ready for discharge at one instant, and counts per municipality and ward.
 *
 * SKR's national point measurements ask, at a given moment, who is ready for
 * discharge and still in hospital, where, since when, and what is awaited.
 * point_measure() answers that from the facts of an indicator_set (so it is
 * the same rule as the indicators: indicator_fact_ready_at). Saved
 * measurements are compared with point_compare(). The next step is judged as
 * of the instant:
 *   discharge        the municipality has said it is ready to receive;
 *   sip_meeting      a SIP meeting is called and not yet held;
 *   care_contact     no care contact yet (not on the green track);
 *   sip_call         a care contact but no SIP call yet (not on the green track);
 *   municipality     waiting for the municipality's go-ahead.
 * Pure; the result owns its arrays (point_free).
 */
#ifndef HG_POINT_H
#define HG_POINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/domain.h"
#include "core/indicator.h"
#include "core/status.h"

typedef enum point_step {
	POINT_STEP_DISCHARGE = 0,
	POINT_STEP_SIP_MEETING,
	POINT_STEP_CARE_CONTACT,
	POINT_STEP_SIP_CALL,
	POINT_STEP_MUNICIPALITY,
	POINT_STEP_COUNT
} point_step;

const hg_code_label *point_step_label(point_step s);
bool point_step_from_code(const char *code, point_step *out);

/* One patient in hospital and ready at the instant. No name, no personnummer. */
typedef struct point_patient {
	int64_t episode_id;
	char municipality[HG_ID_MAX];
	char hospital[HG_ID_MAX];
	char ward[HG_ID_MAX];
	care_type care;
	hg_instant ready_since; /* start of the ready period in force */
	int ready_days;         /* ready-days so far (nights before the local date of the instant) */
	point_step next_step;
	hg_instant step_at;     /* the SIP meeting for POINT_STEP_SIP_MEETING, else NONE */
	hg_date expected_date;  /* the latest expected discharge date, or NONE */
} point_patient;

/* A count per municipality or per ward. */
typedef struct point_count {
	char key[HG_ID_MAX];
	int patients;
	int ready_days;
} point_count;

typedef struct point_measurement {
	hg_instant at;
	size_t n_patients;
	point_patient *patients; /* by municipality, ward, then longest ready first */
	size_t n_municipalities;
	point_count *municipalities; /* sorted by key */
	size_t n_wards;
	point_count *wards; /* sorted by key */
	int total_patients;
	int total_ready_days;
} point_measurement;

/*
 * The measurement at instant t over the facts of s (finished), only patients
 * of `municipality` when it is not NULL. *out is fully set; free it with
 * point_free. HG_ENOMEM.
 */
hg_status point_measure(const indicator_set *s, hg_instant t, const char *municipality,
			point_measurement *out) HG_MUST_CHECK;
void point_free(point_measurement *m);

/* One key in a comparison of two measurements (a missing key counts 0). */
typedef struct point_diff {
	char key[HG_ID_MAX];
	int patients_a, patients_b;
	int ready_days_a, ready_days_b;
} point_diff;

/*
 * Compares two lists of counts (each sorted by key, as point_measure gives
 * them): one row per key present in either, sorted. *out is hg_malloc'ed
 * (caller frees with hg_free); HG_ENOMEM.
 */
hg_status point_compare(const point_count *a, size_t na, const point_count *b, size_t nb, point_diff **out,
			size_t *n) HG_MUST_CHECK;

#endif
