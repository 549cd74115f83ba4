/* survey.c - the patient survey's questions, codes and the validation of one answer (see survey.h). */
#include "core/survey.h"

#include <string.h>

static const hg_code_label questions[SURVEY_QUESTION_COUNT] = {
	[SURVEY_FELT_SAFE] = {"felt_safe", "Kände du dig trygg när du kom hem från sjukhuset?",
			      "Did you feel safe when you came home from hospital?"},
	[SURVEY_TOOK_PART] = {"took_part", "Var du delaktig i planeringen inför hemgången?",
			      "Did you take part in planning your discharge?"},
	[SURVEY_KNEW_CARE_CONTACT] = {"knew_care_contact", "Visste du vem som var din fasta vårdkontakt?",
				      "Did you know who your named care contact was?"},
	[SURVEY_SIP_WHERE_WANTED] = {"sip_where_wanted", "Hölls planeringsmötet (SIP) där du ville?",
				     "Was the planning meeting (SIP) held where you wanted it?"},
};

static const hg_code_label channels[SURVEY_CHANNEL_COUNT] = {
	[SURVEY_PHONE] = {"phone", "telefon", "phone"},
	[SURVEY_LINK] = {"link", "länk", "link"},
};

static const hg_code_label respondents[SURVEY_RESPONDENT_COUNT] = {
	[SURVEY_PATIENT] = {"patient", "patienten", "the patient"},
	[SURVEY_NEXT_OF_KIN] = {"next_of_kin", "närstående", "next of kin"},
};


const hg_code_label *survey_question_label(survey_question q)
{
	return (unsigned)q < SURVEY_QUESTION_COUNT ? &questions[q] : NULL;
}

bool survey_question_from_code(const char *code, survey_question *out)
{
	int i;
	if (!hg_code_find(questions, SURVEY_QUESTION_COUNT, code, &i))
		return false;
	*out = (survey_question)i;
	return true;
}

const hg_code_label *survey_channel_label(survey_channel c)
{
	return (unsigned)c < SURVEY_CHANNEL_COUNT ? &channels[c] : NULL;
}

bool survey_channel_from_code(const char *code, survey_channel *out)
{
	int i;
	if (!hg_code_find(channels, SURVEY_CHANNEL_COUNT, code, &i))
		return false;
	*out = (survey_channel)i;
	return true;
}

const hg_code_label *survey_respondent_label(survey_respondent r)
{
	return (unsigned)r < SURVEY_RESPONDENT_COUNT ? &respondents[r] : NULL;
}

bool survey_respondent_from_code(const char *code, survey_respondent *out)
{
	int i;
	if (!hg_code_find(respondents, SURVEY_RESPONDENT_COUNT, code, &i))
		return false;
	*out = (survey_respondent)i;
	return true;
}

void survey_answer_init(survey_answer *a)
{
	memset(a, 0, sizeof *a);
	for (int q = 0; q < SURVEY_QUESTION_COUNT; q++)
		a->replies[q] = SURVEY_UNANSWERED;
	a->channel = SURVEY_PHONE;
	a->respondent = SURVEY_PATIENT;
	a->answered_at = HG_INSTANT_NONE;
}

hg_status survey_validate(const survey_answer *a, const char **field)
{
	const char *bad = NULL;
	int answered = 0;
	for (int q = 0; q < SURVEY_QUESTION_COUNT && !bad; q++) {
		if (a->replies[q] < SURVEY_UNANSWERED || a->replies[q] > SURVEY_YES)
			bad = questions[q].code;
		else if (a->replies[q] != SURVEY_UNANSWERED)
			answered++;
	}
	if (!bad && (unsigned)a->channel >= SURVEY_CHANNEL_COUNT)
		bad = "channel";
	if (!bad && (unsigned)a->respondent >= SURVEY_RESPONDENT_COUNT)
		bad = "respondent";
	if (!bad && memchr(a->comment, '\0', sizeof a->comment) == NULL)
		bad = "comment";
	if (!bad && a->answered_at == HG_INSTANT_NONE)
		bad = "answered_at";
	if (!bad && answered == 0)
		bad = "answers";
	if (field)
		*field = bad;
	return bad ? HG_EINVAL : HG_OK;
}
