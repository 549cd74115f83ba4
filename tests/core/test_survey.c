/* test_survey.c - the patient survey's codes and the validation of one answer. */
#include "core/survey.h"
#include "test.h"

static void test_codes(struct test *t)
{
	static const struct { const char *code; int ok; survey_question q; } qs[] = {
		{"felt_safe", 1, SURVEY_FELT_SAFE},         {"took_part", 1, SURVEY_TOOK_PART},
		{"knew_care_contact", 1, SURVEY_KNEW_CARE_CONTACT}, {"sip_where_wanted", 1, SURVEY_SIP_WHERE_WANTED},
		{"Felt_safe", 0, 0}, {"", 0, 0}, {NULL, 0, 0},
	};
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		survey_question q = SURVEY_QUESTION_COUNT;
		T_EQ_INT(t, survey_question_from_code(qs[i].code, &q), qs[i].ok, "question code row %zu", i);
		if (qs[i].ok) {
			T_EQ_INT(t, q, qs[i].q, "question row %zu", i);
			T_EQ_STR(t, survey_question_label(q)->code, qs[i].code, "label row %zu", i);
		}
	}
	survey_channel c;
	survey_respondent r;
	T_TRUE(t, survey_channel_from_code("link", &c) && c == SURVEY_LINK, "channel link");
	T_TRUE(t, !survey_channel_from_code("mail", &c), "channel mail is unknown");
	T_TRUE(t, survey_respondent_from_code("next_of_kin", &r) && r == SURVEY_NEXT_OF_KIN, "next of kin");
	T_TRUE(t, survey_question_label(SURVEY_QUESTION_COUNT) == NULL, "no label beyond the table");
}

static void test_validate(struct test *t)
{
	enum { OK, NO_ANSWER, BAD_REPLY, BAD_CHANNEL, BAD_RESPONDENT, NO_TIME, LONG_COMMENT };
	static const struct { int mutate; const char *field; } rows[] = {
		{OK, NULL},        {NO_ANSWER, "answers"},          {BAD_REPLY, "took_part"}, {BAD_CHANNEL, "channel"},
		{BAD_RESPONDENT, "respondent"}, {NO_TIME, "answered_at"}, {LONG_COMMENT, "comment"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		survey_answer a;
		const char *field = "unset";
		survey_answer_init(&a);
		a.answered_at = 1700000000;
		a.replies[SURVEY_FELT_SAFE] = SURVEY_YES;
		switch (rows[i].mutate) {
		case NO_ANSWER: a.replies[SURVEY_FELT_SAFE] = SURVEY_UNANSWERED; break;
		case BAD_REPLY: a.replies[SURVEY_TOOK_PART] = (survey_reply)2; break;
		case BAD_CHANNEL: a.channel = SURVEY_CHANNEL_COUNT; break;
		case BAD_RESPONDENT: a.respondent = (survey_respondent)-1; break;
		case NO_TIME: a.answered_at = HG_INSTANT_NONE; break;
		case LONG_COMMENT: memset(a.comment, 'x', sizeof a.comment); break;
		}
		hg_status rc = survey_validate(&a, &field);
		T_EQ_INT(t, rc, rows[i].field ? HG_EINVAL : HG_OK, "validate row %zu", i);
		T_EQ_STR(t, field, rows[i].field, "field row %zu", i);
	}
}

int main(void)
{
	struct test t = {.name = "test_survey"};
	test_codes(&t);
	test_validate(&t);
	return test_report(&t);
}
