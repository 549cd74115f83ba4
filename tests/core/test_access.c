/* test_access.c - the role table and the visibility rules. */
#include "core/access.h"
#include "test.h"

static void test_roles(struct test *t)
{
	for (int r = 0; r < ROLE_COUNT; r++) {
		role back;
		T_TRUE(t, role_from_code(role_label((role)r)->code, &back) && back == (role)r, "role %d round trip", r);
	}
	role x;
	T_TRUE(t, !role_from_code("superuser", &x), "unknown role");
	T_TRUE(t, !role_from_code(NULL, &x), "NULL role");
}

static void test_may_send(struct test *t)
{
	static const struct { role r; event_type e; bool ok; } rows[] = {
		{ROLE_WARD_STAFF, EVENT_ADMITTED, true},
		{ROLE_WARD_STAFF, EVENT_READY_FOR_DISCHARGE, true},
		{ROLE_WARD_STAFF, EVENT_CARE_CONTACT_APPOINTED, false},
		{ROLE_WARD_STAFF, EVENT_MUNICIPALITY_READY, false},
		{ROLE_PRIMARY_CARE, EVENT_CARE_CONTACT_APPOINTED, true},
		{ROLE_PRIMARY_CARE, EVENT_SIP_CALLED, true},
		{ROLE_PRIMARY_CARE, EVENT_DISCHARGED, false},
		{ROLE_PRIMARY_CARE, EVENT_ACKNOWLEDGED, true},
		{ROLE_MUNICIPAL_ASSESSOR, EVENT_MUNICIPALITY_READY, true},
		{ROLE_MUNICIPAL_ASSESSOR, EVENT_ACKNOWLEDGED, true},
		{ROLE_MUNICIPAL_ASSESSOR, EVENT_READY_FOR_DISCHARGE, false},
		{ROLE_MUNICIPAL_NURSE, EVENT_DEVIATION, true},
		{ROLE_ANALYST, EVENT_ACKNOWLEDGED, false},
		{ROLE_ANALYST, EVENT_DEVIATION, false},
		{ROLE_INVOICE_OFFICER, EVENT_ADMITTED, false},
		{ROLE_ADMIN, EVENT_ADMITTED, false},
		{ROLE_INTEGRATION, EVENT_ADMITTED, true},
		{ROLE_INTEGRATION, EVENT_CARE_CONTACT_APPOINTED, true}, /* a primary care record's system */
		{ROLE_INTEGRATION, EVENT_MUNICIPALITY_READY, true},     /* a municipality's system */
		{ROLE_INTEGRATION, EVENT_TYPE_COUNT, false},
		{ROLE_COUNT, EVENT_ADMITTED, false},
		{ROLE_WARD_STAFF, EVENT_TYPE_COUNT, false},
		/* issue 14: the care process steps, row by row of the matrix */
		{ROLE_WARD_STAFF, EVENT_LEGAL_FORM_SET, true},
		{ROLE_WARD_STAFF, EVENT_CARE_PLAN_CALLED, true},
		{ROLE_WARD_STAFF, EVENT_CARE_PLAN_ESTABLISHED, true},
		{ROLE_WARD_STAFF, EVENT_CHIEF_PHYSICIAN_APPLIED, true},
		{ROLE_WARD_STAFF, EVENT_INFORMATION_TRANSFERRED, true},
		{ROLE_WARD_STAFF, EVENT_PATIENT_INFORMED, true},
		{ROLE_WARD_STAFF, EVENT_MUNICIPAL_DECISION, false},
		{ROLE_WARD_STAFF, EVENT_RESPONSIBILITY_TAKEN_OVER, false},
		{ROLE_PRIMARY_CARE, EVENT_RESPONSIBILITY_TAKEN_OVER, true},
		{ROLE_PRIMARY_CARE, EVENT_CARE_PLAN_ESTABLISHED, true},
		{ROLE_PRIMARY_CARE, EVENT_LEGAL_FORM_SET, false},
		{ROLE_PRIMARY_CARE, EVENT_MUNICIPAL_PLAN, false},
		{ROLE_PRIMARY_CARE, EVENT_CHILDREN_AS_RELATIVES, true},
		{ROLE_MUNICIPAL_ASSESSOR, EVENT_MUNICIPAL_REPORT_RECEIVED, true},
		{ROLE_MUNICIPAL_ASSESSOR, EVENT_MUNICIPAL_PATIENT_CONTACTED, true},
		{ROLE_MUNICIPAL_ASSESSOR, EVENT_MUNICIPAL_APPLICATION_RECEIVED, true},
		{ROLE_MUNICIPAL_ASSESSOR, EVENT_MUNICIPAL_DECISION, true},
		{ROLE_MUNICIPAL_ASSESSOR, EVENT_MUNICIPAL_PLAN, true},
		{ROLE_MUNICIPAL_ASSESSOR, EVENT_HOME_CARE_STARTED, true},
		{ROLE_MUNICIPAL_ASSESSOR, EVENT_CARE_PLAN_CALLED, true},
		{ROLE_MUNICIPAL_ASSESSOR, EVENT_CARE_PLAN_ESTABLISHED, false},
		{ROLE_MUNICIPAL_ASSESSOR, EVENT_INFORMATION_TRANSFERRED, false},
		{ROLE_MUNICIPAL_IFO, EVENT_MUNICIPAL_DECISION, true},
		{ROLE_MUNICIPAL_IFO, EVENT_CHILDREN_AS_RELATIVES, true},
		{ROLE_MUNICIPAL_IFO, EVENT_SIP_CALLED, true},
		{ROLE_MUNICIPAL_IFO, EVENT_ADMITTED, false},
		{ROLE_ANALYST, EVENT_CHILDREN_AS_RELATIVES, false},
		{ROLE_INTEGRATION, EVENT_MUNICIPAL_DECISION, true},
		{ROLE_INTEGRATION, EVENT_INFORMATION_TRANSFERRED, true},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		T_EQ_INT(t, access_role_may_send(rows[i].r, rows[i].e), rows[i].ok, "row %zu", i);
	T_TRUE(t, !access_role_reads_patients(ROLE_ANALYST), "analyst sees no identities");
	T_TRUE(t, access_role_reads_patients(ROLE_WARD_STAFF), "ward reads patients");
	T_TRUE(t, access_role_reads_patients(ROLE_MUNICIPAL_IFO), "IFO reads its patients");
	unit_kind k;
	T_TRUE(t, unit_kind_from_code("municipal_ifo", &k) && k == UNIT_MUNICIPAL_IFO && unit_kind_is_municipal(k),
	       "IFO is a municipal unit kind");
	T_TRUE(t, access_role_is_admin(ROLE_ADMIN) && !access_role_is_admin(ROLE_WARD_STAFF), "admin flag");
}

/* Writes outside the event log: the survey belongs to the care staff, a point measurement to
 * everyone who follows up, a records system to neither. */
static void test_may_write(struct test *t)
{
	static const struct { role r; access_write w; bool ok; } rows[] = {
		{ROLE_WARD_STAFF, ACCESS_SURVEY_INVITE, true},
		{ROLE_WARD_STAFF, ACCESS_SURVEY_ANSWER, true},
		{ROLE_PRIMARY_CARE, ACCESS_SURVEY_INVITE, true},
		{ROLE_MUNICIPAL_ASSESSOR, ACCESS_SURVEY_ANSWER, true},
		{ROLE_MUNICIPAL_NURSE, ACCESS_SURVEY_INVITE, true},
		{ROLE_INVOICE_OFFICER, ACCESS_SURVEY_INVITE, false},
		{ROLE_INVOICE_OFFICER, ACCESS_SURVEY_ANSWER, false},
		{ROLE_ANALYST, ACCESS_SURVEY_INVITE, false},
		{ROLE_ADMIN, ACCESS_SURVEY_ANSWER, false},
		{ROLE_INTEGRATION, ACCESS_SURVEY_INVITE, false},
		{ROLE_INTEGRATION, ACCESS_SURVEY_ANSWER, false},
		{ROLE_ANALYST, ACCESS_POINT_SAVE, true},
		{ROLE_WARD_STAFF, ACCESS_POINT_SAVE, true},
		{ROLE_INVOICE_OFFICER, ACCESS_POINT_SAVE, true},
		{ROLE_INTEGRATION, ACCESS_POINT_SAVE, false},
		{ROLE_COUNT, ACCESS_POINT_SAVE, false},
		{ROLE_WARD_STAFF, ACCESS_WRITE_COUNT, false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		T_EQ_INT(t, access_role_may_write(rows[i].r, rows[i].w), rows[i].ok, "write row %zu", i);
	T_EQ_STR(t, access_write_code(ACCESS_SURVEY_INVITE), "survey_invite", "write code");
	T_EQ_STR(t, access_write_code(ACCESS_WRITE_COUNT), "?", "write code out of range");
}

static void test_visibility(struct test *t)
{
	const char user[2][HG_ID_MAX] = {"VC-1", "VC-2"};
	const char parties[3][HG_ID_MAX] = {"AVD-12", "KOM-2080", "VC-2"};
	const char other[2][HG_ID_MAX] = {"AVD-12", "KOM-2081"};
	const char empty[1][HG_ID_MAX] = {""};
	T_TRUE(t, access_units_intersect(user, 2, parties, 3), "recipient sees");
	T_TRUE(t, !access_units_intersect(user, 2, other, 2), "stranger does not");
	T_TRUE(t, !access_units_intersect(empty, 1, empty, 1), "empty unit ids never match");
	T_TRUE(t, !access_units_intersect(user, 0, parties, 3), "no units, no episodes");
	T_TRUE(t, access_may_see_address(false, false), "unprotected address shown");
	T_TRUE(t, !access_may_see_address(true, false), "protected hidden from recipients");
	T_TRUE(t, access_may_see_address(true, true), "protected shown to authoring ward");
}

int main(void)
{
	struct test t = {.name = "test_access"};
	test_roles(&t);
	test_may_send(&t);
	test_may_write(&t);
	test_visibility(&t);
	return test_report(&t);
}
