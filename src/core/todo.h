/*
 * todo.h - what is still to do for a patient (issue 18.2, issue 14): one
 * vocabulary of to-dos, judged by one function from the episode's fold alone,
 * so that every read model (the worklist, a list, the episode page) gives the
 * same answer. Two lists show a part of it each:
 *
 * - the ward's list of its admitted patients (inneliggande): the steps of the
 *   process missing now - the admission notice not sent, the expected
 *   discharge date passed, ready for discharge without the municipality's
 *   answer (TODO_WARD_LIST, episode_todos);
 * - the care process (docs/events.md, "The care process"): the coordinated
 *   care plan, the information transfer, the municipality's steps and whether
 *   it is ready to receive the patient (TODO_CARE_LIST, episode_care_todos).
 *
 * "Ready, no answer from the municipality" and "the municipality not ready to
 * receive" are one rule seen twice: the second is the first unless the
 * municipality's plan says it can receive the patient from today or earlier.
 */
#ifndef HG_TODO_H
#define HG_TODO_H

#include "core/date.h"
#include "core/domain.h"
#include "core/episode.h"

typedef enum episode_todo {
	/* the ward's list */
	TODO_NOTICE_NOT_SENT = 0,   /* in hospital, no admission notice sent yet */
	TODO_EXPECTED_DATE_PASSED,  /* in hospital, the expected discharge date lies before today */
	TODO_READY_NO_MUNICIPALITY, /* ready for discharge, the municipality has not said it is ready */
	/* the care process */
	TODO_CARE_PLAN_MISSING,      /* LPT/LRV: discharged, or ready, without an established plan */
	TODO_INFORMATION_MISSING,    /* discharged and an item of the information transfer not sent (a deviation) */
	TODO_PATIENT_NOT_INFORMED,   /* discharged without the information to the patient */
	TODO_NOT_TAKEN_OVER,         /* discharged, and primary care has not taken over */
	TODO_SIP_NOT_HELD,           /* a SIP was called for a day before today and not held */
	TODO_MUNICIPAL_NO_CONTACT,   /* the municipality took the report but has not contacted the patient */
	TODO_MUNICIPAL_NO_DECISION,  /* an application is received and not decided */
	TODO_MUNICIPALITY_NOT_READY, /* ready for discharge, the municipality not ready to receive on today */
	TODO_COUNT
} episode_todo;

#define TODO_BIT(t) (1u << (unsigned)(t))
/* The to-dos each list shows. */
#define TODO_WARD_LIST (TODO_BIT(TODO_CARE_PLAN_MISSING) - 1u)
#define TODO_CARE_LIST (TODO_BIT(TODO_COUNT) - TODO_BIT(TODO_CARE_PLAN_MISSING))

/*
 * Every open to-do of st on local date today, as TODO_BIT()s: 0 for a
 * cancelled or empty episode, and 0 when nothing is missing.
 */
unsigned episode_todo_set(const episode_state *st, hg_date today);
/* The ward's list: episode_todo_set() & TODO_WARD_LIST (0 unless the patient is in hospital). */
unsigned episode_todos(const episode_state *st, hg_date today);
/* The care process's list: episode_todo_set() & TODO_CARE_LIST. */
unsigned episode_care_todos(const episode_state *st, hg_date today);

/* Code ("notice_not_sent", ...) with the Swedish and English texts staff read. */
const hg_code_label *episode_todo_label(episode_todo t);

#endif
