/*
 * todo.c - what is still to do for a patient (see todo.h): one table of
 * labels and one function that judges every to-do from the fold.
 */
#include "core/todo.h"

#include "core/calendar.h"

static const hg_code_label labels[TODO_COUNT] = {
    [TODO_NOTICE_NOT_SENT] = {"notice_not_sent", "Inskrivningsmeddelande inte skickat", "Admission notice not sent"},
    [TODO_EXPECTED_DATE_PASSED] = {"expected_date_passed", "Beräknat utskrivningsdatum har passerat",
                                   "Expected discharge date has passed"},
    [TODO_READY_NO_MUNICIPALITY] = {"ready_no_municipality_answer", "Utskrivningsklar utan svar från kommunen",
                                    "Ready for discharge, no answer from the municipality"},
    [TODO_CARE_PLAN_MISSING] = {"care_plan_missing", "samordnad vårdplan ej upprättad",
                                "coordinated care plan not established"},
    [TODO_INFORMATION_MISSING] = {"information_missing", "avvikelse: informationsöverföring ofullständig",
                                  "deviation: information transfer incomplete"},
    [TODO_PATIENT_NOT_INFORMED] = {"patient_not_informed", "patienten ej informerad", "patient not informed"},
    [TODO_NOT_TAKEN_OVER] = {"not_taken_over", "ansvaret ej övertaget av vårdcentralen",
                             "responsibility not taken over by primary care"},
    [TODO_SIP_NOT_HELD] = {"sip_not_held", "kallad SIP ej genomförd", "called SIP not held"},
    [TODO_MUNICIPAL_NO_CONTACT] = {"municipal_no_contact", "ingen kontakt med den enskilde",
                                   "the patient not contacted"},
    [TODO_MUNICIPAL_NO_DECISION] = {"municipal_no_decision", "ansökan ej beslutad", "application not decided"},
    [TODO_MUNICIPALITY_NOT_READY] = {"municipality_not_ready", "kommunen ej hemgångsklar",
                                     "the municipality not ready to receive"},
};

const hg_code_label *episode_todo_label(episode_todo t)
{
	return (unsigned)t < TODO_COUNT ? &labels[t] : &labels[TODO_NOTICE_NOT_SENT];
}

unsigned episode_todo_set(const episode_state *st, hg_date today)
{
	unsigned t = 0;
	bool ready = st->status == EPISODE_READY, discharged = st->status == EPISODE_DISCHARGED;
	if (st->cancelled || st->status == EPISODE_EMPTY)
		return 0;
	if (st->status == EPISODE_ADMITTED || ready) {
		if (st->notice_at == HG_INSTANT_NONE)
			t |= TODO_BIT(TODO_NOTICE_NOT_SENT);
		if (st->expected_date != HG_DATE_NONE && today != HG_DATE_NONE && st->expected_date < today)
			t |= TODO_BIT(TODO_EXPECTED_DATE_PASSED);
	}
	/* the fold keeps the first "municipality ready" only: any answer counts; the municipality is also
	 * ready on the date its plan says it can receive the patient (episode_municipality_ready_on) */
	if (ready && st->municipality_ready_at == HG_INSTANT_NONE) {
		t |= TODO_BIT(TODO_READY_NO_MUNICIPALITY);
		if (!episode_municipality_ready_on(st, today))
			t |= TODO_BIT(TODO_MUNICIPALITY_NOT_READY);
	}
	if (episode_has_care_plan(st) && st->care_plan_established_at == HG_INSTANT_NONE && (ready || discharged))
		t |= TODO_BIT(TODO_CARE_PLAN_MISSING);
	if (discharged && episode_information_missing(st))
		t |= TODO_BIT(TODO_INFORMATION_MISSING);
	if (discharged && st->patient_informed_at == HG_INSTANT_NONE)
		t |= TODO_BIT(TODO_PATIENT_NOT_INFORMED);
	if (discharged && st->care_contact_at != HG_INSTANT_NONE && st->responsibility_taken_over_at == HG_INSTANT_NONE)
		t |= TODO_BIT(TODO_NOT_TAKEN_OVER);
	if (st->sip_called_at != HG_INSTANT_NONE && st->sip_held_at == HG_INSTANT_NONE &&
	    cal_local_date(st->sip_meeting_at) < today)
		t |= TODO_BIT(TODO_SIP_NOT_HELD);
	if (st->municipal_report_at != HG_INSTANT_NONE && st->municipal_contact_at == HG_INSTANT_NONE)
		t |= TODO_BIT(TODO_MUNICIPAL_NO_CONTACT);
	if (st->municipal_application_at != HG_INSTANT_NONE && st->municipal_decision_at == HG_INSTANT_NONE)
		t |= TODO_BIT(TODO_MUNICIPAL_NO_DECISION);
	return t;
}

unsigned episode_todos(const episode_state *st, hg_date today)
{
	return episode_todo_set(st, today) & TODO_WARD_LIST;
}

unsigned episode_care_todos(const episode_state *st, hg_date today)
{
	return episode_todo_set(st, today) & TODO_CARE_LIST;
}
