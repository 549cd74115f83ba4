/*
 * access.c - role table and visibility rules (see access.h).
 *
 * Which role may send which event type is one table: adding an event type or
 * a role means adding a column or a row here. The unit-kind rule of the event
 * (event_type_info.author_kinds) is checked separately by the fold, so a role
 * can only ever act within what its unit may do.
 */
#include "core/access.h"

#include <string.h>

#define EV(t) (1u << (unsigned)(t))

/* Events any party to an episode may send. */
#define EV_COMMON                                                                                             \
	(EV(EVENT_ACKNOWLEDGED) | EV(EVENT_INFO_REQUESTED) | EV(EVENT_INFO_REPLIED) | EV(EVENT_CONSENT_RECORDED) | \
	 EV(EVENT_DEVIATION) | EV(EVENT_CANCELLED))

#define EV_WARD                                                                                          \
	(EV_COMMON | EV(EVENT_ADMITTED) | EV(EVENT_TRANSFERRED) | EV(EVENT_ADMISSION_NOTICE) |             \
	 EV(EVENT_EXPECTED_DATE_CHANGED) | EV(EVENT_TRACK_SET) | EV(EVENT_SIP_CALLED) | EV(EVENT_SIP_HELD) | \
	 EV(EVENT_READY_FOR_DISCHARGE) | EV(EVENT_READY_WITHDRAWN) | EV(EVENT_DISCHARGED) |                 \
	 EV(EVENT_LEAVE_STARTED) | EV(EVENT_LEAVE_ENDED))

#define EV_PRIMARY (EV_COMMON | EV(EVENT_TRACK_SET) | EV(EVENT_CARE_CONTACT_APPOINTED) | EV(EVENT_SIP_CALLED) | EV(EVENT_SIP_HELD))

/* The municipality may call the SIP too (issue 14: the agreements let either party call it). */
#define EV_MUNICIPAL (EV_COMMON | EV(EVENT_MUNICIPALITY_READY) | EV(EVENT_SIP_CALLED) | EV(EVENT_SIP_HELD))

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
	unsigned events;
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
