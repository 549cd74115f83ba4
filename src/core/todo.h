/*
 * todo.h - what is still to do for a patient in hospital (issue 18.2): the
 * ward's list of its admitted patients (inneliggande) shows, for each, the
 * steps of the process that are missing now - the admission notice not sent,
 * the expected discharge date passed, ready for discharge without the
 * municipality's answer. Computed from the episode's fold alone, so every read
 * model (the worklist, a list, the episode page) gives the same answer.
 */
#ifndef HG_TODO_H
#define HG_TODO_H

#include "core/date.h"
#include "core/domain.h"
#include "core/episode.h"

typedef enum episode_todo {
	TODO_NOTICE_NOT_SENT = 0,   /* no admission notice sent yet */
	TODO_EXPECTED_DATE_PASSED,  /* the expected discharge date lies before today */
	TODO_READY_NO_MUNICIPALITY, /* ready for discharge, the municipality has not said it is ready */
	TODO_COUNT
} episode_todo;

#define TODO_BIT(t) (1u << (unsigned)(t))

/*
 * The open to-dos of st on local date today, as TODO_BIT()s; 0 when the patient
 * is not in hospital (not admitted or ready) or nothing is missing.
 */
unsigned episode_todos(const episode_state *st, hg_date today);

/* Code ("notice_not_sent", ...) with the Swedish and English texts staff read. */
const hg_code_label *episode_todo_label(episode_todo t);

#endif
