/*
 * access.h - who may do what: the roles of hemgang users and the rules that
 * decide which events a role may send and which episodes a user may see.
 *
 * These are domain rules (design.md §2 "Security model"), so they live in the
 * core and every adapter (HTTP, CLI, HL7) asks here instead of deciding itself.
 */
#ifndef HG_ACCESS_H
#define HG_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/domain.h"
#include "core/event.h"

typedef enum role {
	ROLE_WARD_STAFF = 0,       /* avdelningspersonal (slutenvård) */
	ROLE_PRIMARY_CARE,         /* vårdcentral / öppenvård: care contact, SIP */
	ROLE_MUNICIPAL_ASSESSOR,   /* biståndshandläggare */
	ROLE_MUNICIPAL_NURSE,      /* kommunal sjuksköterska (hemsjukvård) */
	ROLE_ANALYST,              /* uppföljning: aggregates only */
	ROLE_INVOICE_OFFICER,      /* fakturahandläggare */
	ROLE_ADMIN,                /* administratör */
	ROLE_INTEGRATION,          /* a records system feeding ADT/notices */
	ROLE_MUNICIPAL_IFO,        /* handläggare inom individ- och familjeomsorgen (IFO) */
	ROLE_COUNT
} role;

const hg_code_label *role_label(role r);
bool role_from_code(const char *code, role *out);

/* True when users of this role may read identifiable patient data at all. */
bool access_role_reads_patients(role r);
/* True when the role may send events of this type (the unit kind is checked by the fold). */
bool access_role_may_send(role r, event_type t);
/* True when the role manages users and sees the whole organisation's units. */
bool access_role_is_admin(role r);

/*
 * Writes of patient data outside the event log. Each is allowed to the roles
 * that have it in their row of the table in access.c; a handler asks
 * access_role_may_write before it writes anything (visibility of the episode
 * is checked apart, as for events).
 */
typedef enum access_write {
	ACCESS_SURVEY_INVITE = 0, /* make a single-use survey link for a discharged patient */
	ACCESS_SURVEY_ANSWER,     /* record the patient's survey answer taken by phone */
	ACCESS_POINT_SAVE,        /* save a point measurement (aggregates) */
	ACCESS_WRITE_COUNT
} access_write;

const char *access_write_code(access_write w);
bool access_role_may_write(role r, access_write w);

/*
 * Visibility: a user sees an episode when one of the user's units is a party
 * to it (the authoring ward, a ward it moved through, or a recipient of a
 * notice in it). Both lists are unit ids. Administrators see nothing more: the
 * rule has no bypass, by design.
 */
bool access_units_intersect(const char (*user_units)[HG_ID_MAX], size_t n_user, const char (*parties)[HG_ID_MAX],
			    size_t n_parties);

/*
 * Protected identity (skyddad identitet): the address is shown only to users
 * of the authoring ward; without protection it is shown to every party.
 */
bool access_may_see_address(bool protected_identity, bool viewer_is_authoring_ward);

#endif
