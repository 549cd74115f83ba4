/*
 * access.c - role table and visibility rules (see access.h).
 *
 * Which role may send which event type is one table: adding an event type or
 * a role means adding a column or a row here. The unit-kind rule of the event
 * (event_type_info.author_kinds) is checked separately by the fold, so a role
 * can only ever act within what its unit may do.
 */
#include "core/access.h"

#include <stdint.h>
#include <string.h>

#define EV(t) (UINT64_C(1) << (unsigned)(t))
_Static_assert(EVENT_TYPE_COUNT <= 64, "a role's event types are one 64-bit set");

/* Events any party to an episode may send. */
#define EV_COMMON                                                                                             \
	(EV(EVENT_ACKNOWLEDGED) | EV(EVENT_INFO_REQUESTED) | EV(EVENT_INFO_REPLIED) | EV(EVENT_CONSENT_RECORDED) | \
	 EV(EVENT_DEVIATION) | EV(EVENT_CANCELLED))

#define EV_WARD                                                                                          \
	(EV_COMMON | EV(EVENT_ADMITTED) | EV(EVENT_TRANSFERRED) | EV(EVENT_ADMISSION_NOTICE) |             \
	 EV(EVENT_EXPECTED_DATE_CHANGED) | EV(EVENT_TRACK_SET) | EV(EVENT_SIP_CALLED) | EV(EVENT_SIP_HELD) | \
	 EV(EVENT_READY_FOR_DISCHARGE) | EV(EVENT_READY_WITHDRAWN) | EV(EVENT_DISCHARGED) |                 \
	 EV(EVENT_LEAVE_STARTED) | EV(EVENT_LEAVE_ENDED) | EV(EVENT_CHILDREN_AS_RELATIVES) |                 \
	 EV(EVENT_LEGAL_FORM_SET) | EV_CARE_PLAN | EV(EVENT_CHIEF_PHYSICIAN_APPLIED) | EV_WARD_DISCHARGE)

/* Children as relatives (issue 14.7): any party that meets the patient records it. */
#define EV_COMMON_CARE (EV_COMMON | EV(EVENT_CHILDREN_AS_RELATIVES))

/* The coordinated care plan of LPT/LRV (issue 14.1): the chief physician's ward records the legal form,
 * calls and establishes the plan with open care, and applies; the parties may call it too. */
#define EV_CARE_PLAN (EV(EVENT_CARE_PLAN_CALLED) | EV(EVENT_CARE_PLAN_ESTABLISHED))

/* The discharge step (issue 14.4): information transfer and information to the patient by the ward. */
#define EV_WARD_DISCHARGE (EV(EVENT_INFORMATION_TRANSFERRED) | EV(EVENT_PATIENT_INFORMED))

#define EV_PRIMARY                                                                                       \
	(EV_COMMON_CARE | EV(EVENT_TRACK_SET) | EV(EVENT_CARE_CONTACT_APPOINTED) | EV(EVENT_SIP_CALLED) |  \
	 EV(EVENT_SIP_HELD) | EV_CARE_PLAN | EV(EVENT_RESPONSIBILITY_TAKEN_OVER))

/* The municipality's own steps (issue 14.3, 18.3) and its SIP call (issue 14: either party may call it). */
#define EV_MUNICIPAL_STEPS                                                                                   \
	(EV(EVENT_MUNICIPALITY_READY) | EV(EVENT_MUNICIPAL_REPORT_RECEIVED) | EV(EVENT_MUNICIPAL_PATIENT_CONTACTED) | \
	 EV(EVENT_MUNICIPAL_APPLICATION_RECEIVED) | EV(EVENT_MUNICIPAL_DECISION) | EV(EVENT_MUNICIPAL_PLAN) |     \
	 EV(EVENT_HOME_CARE_STARTED))
#define EV_MUNICIPAL \
	(EV_COMMON_CARE | EV_MUNICIPAL_STEPS | EV(EVENT_SIP_CALLED) | EV(EVENT_SIP_HELD) | EV(EVENT_CARE_PLAN_CALLED))

#define WR(w) (1u << (unsigned)(w))
/* The survey is taken by those who cared for the patient: the parties' care staff, never the
 * invoice officer, analyst, administrator or a records system. */
#define WR_CARE (WR(ACCESS_SURVEY_INVITE) | WR(ACCESS_SURVEY_ANSWER) | WR(ACCESS_POINT_SAVE))
#define WR_FOLLOWUP WR(ACCESS_POINT_SAVE)

static const char *const write_codes[ACCESS_WRITE_COUNT] = {
	[ACCESS_SURVEY_INVITE] = "survey_invite",
	[ACCESS_SURVEY_ANSWER] = "survey_answer",
	[ACCESS_POINT_SAVE] = "point_save",
};

static const struct role_row {
	hg_code_label label;
	uint64_t events; /* EV() bits of the event types */
	unsigned writes; /* access_write bits */
	bool reads_patients;
	bool admin;
} roles[ROLE_COUNT] = {
	[ROLE_WARD_STAFF] = {{"ward_staff", "avdelningspersonal", "ward staff"}, EV_WARD, WR_CARE, true, false},
	[ROLE_PRIMARY_CARE] = {{"primary_care", "vårdcentral / öppenvård", "primary care"}, EV_PRIMARY, WR_CARE, true, false},
	[ROLE_MUNICIPAL_ASSESSOR] = {{"municipal_assessor", "biståndshandläggare", "municipal needs assessor"},
				     EV_MUNICIPAL,
				     WR_CARE,
				     true,
				     false},
	[ROLE_MUNICIPAL_NURSE] = {{"municipal_nurse", "kommunsjuksköterska", "municipal nurse"}, EV_MUNICIPAL, WR_CARE, true, false},
	/* individual and family care (IFO, issue 14.7): a municipal party of its own, with the municipality's steps */
	[ROLE_MUNICIPAL_IFO] = {{"municipal_ifo", "handläggare inom IFO", "individual and family care (IFO) officer"},
				EV_MUNICIPAL,
				WR_CARE,
				true,
				false},
	[ROLE_ANALYST] = {{"analyst", "analytiker", "analyst"}, 0, WR_FOLLOWUP, false, false},
	[ROLE_INVOICE_OFFICER] = {{"invoice_officer", "fakturahandläggare", "invoice officer"}, 0, WR_FOLLOWUP, true, false},
	[ROLE_ADMIN] = {{"admin", "administratör", "administrator"}, 0, WR_FOLLOWUP, false, true},
	/* a records system acts for its units: a ward's, primary care's or a municipality's system; the unit-kind
	 * rule of each event (checked by the fold) keeps each to what its units may do */
	[ROLE_INTEGRATION] = {{"integration", "journalsystem (integration)", "records system (integration)"},
			      EV_WARD | EV_PRIMARY | EV_MUNICIPAL,
			      0,
			      true,
			      false},
};

const hg_code_label *role_label(role r) { return (unsigned)r < ROLE_COUNT ? &roles[r].label : &roles[ROLE_ANALYST].label; }

bool role_from_code(const char *code, role *out)
{
	if (!code)
		return false;
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (strcmp(roles[i].label.code, code) == 0) {
			*out = (role)i;
			return true;
		}
	}
	return false;
}

bool access_role_reads_patients(role r) { return (unsigned)r < ROLE_COUNT && roles[r].reads_patients; }

bool access_role_may_send(role r, event_type t)
{
	return (unsigned)r < ROLE_COUNT && (unsigned)t < EVENT_TYPE_COUNT && (roles[r].events & EV(t)) != 0;
}

bool access_role_is_admin(role r) { return (unsigned)r < ROLE_COUNT && roles[r].admin; }

const char *access_write_code(access_write w) { return (unsigned)w < ACCESS_WRITE_COUNT ? write_codes[w] : "?"; }

bool access_role_may_write(role r, access_write w)
{
	return (unsigned)r < ROLE_COUNT && (unsigned)w < ACCESS_WRITE_COUNT && (roles[r].writes & WR(w)) != 0;
}

bool access_units_intersect(const char (*user_units)[HG_ID_MAX], size_t n_user, const char (*parties)[HG_ID_MAX],
			    size_t n_parties)
{
	for (size_t i = 0; i < n_user; i++)
		for (size_t j = 0; j < n_parties; j++)
			if (user_units[i][0] && strcmp(user_units[i], parties[j]) == 0)
				return true;
	return false;
}

bool access_may_see_address(bool protected_identity, bool viewer_is_authoring_ward)
{
	return !protected_identity || viewer_is_authoring_ward;
}
