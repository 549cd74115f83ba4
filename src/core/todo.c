/*
 * todo.c - what is still to do for a patient in hospital (see todo.h).
 */
#include "core/todo.h"

static const hg_code_label labels[TODO_COUNT] = {
    [TODO_NOTICE_NOT_SENT] = {"notice_not_sent", "Inskrivningsmeddelande inte skickat", "Admission notice not sent"},
    [TODO_EXPECTED_DATE_PASSED] = {"expected_date_passed", "Beräknat utskrivningsdatum har passerat",
                                   "Expected discharge date has passed"},
    [TODO_READY_NO_MUNICIPALITY] = {"ready_no_municipality_answer", "Utskrivningsklar utan svar från kommunen",
                                    "Ready for discharge, no answer from the municipality"},
};

const hg_code_label *episode_todo_label(episode_todo t)
{
	return (unsigned)t < TODO_COUNT ? &labels[t] : &labels[TODO_NOTICE_NOT_SENT];
}

unsigned episode_todos(const episode_state *st, hg_date today)
{
	unsigned todos = 0;
	if (st->status != EPISODE_ADMITTED && st->status != EPISODE_READY)
		return 0;
	if (st->notice_at == HG_INSTANT_NONE)
		todos |= TODO_BIT(TODO_NOTICE_NOT_SENT);
	if (st->expected_date != HG_DATE_NONE && today != HG_DATE_NONE && st->expected_date < today)
		todos |= TODO_BIT(TODO_EXPECTED_DATE_PASSED);
	/* the fold keeps the first "municipality ready" only: any answer counts */
	if (st->status == EPISODE_READY && st->municipality_ready_at == HG_INSTANT_NONE)
		todos |= TODO_BIT(TODO_READY_NO_MUNICIPALITY);
	return todos;
}
