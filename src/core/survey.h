/*
 * survey.h - the patient's own experience of the discharge: a short follow-up
 * survey after discharge (seed 004: patients in the discharge process should
 * feel safe; seed 003: people with a SIP should feel they took part).
 *
 * Four yes/no questions and a free text. Staff record the answers from a
 * phone call, or the patient (or next of kin) answers through a single-use
 * link (the adapters handle the link; its token is never stored in clear).
 * An answer is tied to its episode only so that the indicators can group it
 * by municipality, unit and track colour; no output ever shows one answer.
 */
#ifndef HG_SURVEY_H
#define HG_SURVEY_H

#include <stdbool.h>

#include "core/date.h"
#include "core/domain.h"
#include "core/status.h"

#define SURVEY_COMMENT_MAX 1001 /* free text: 1000 bytes and a NUL */
#define SURVEY_LINK_DAYS 30     /* a link expires this many days after it was made */

/* The answer to one yes/no question. */
typedef enum survey_reply { SURVEY_UNANSWERED = -1, SURVEY_NO = 0, SURVEY_YES = 1 } survey_reply;

typedef enum survey_question {
	SURVEY_FELT_SAFE = 0,     /* kände du dig trygg när du kom hem? */
	SURVEY_TOOK_PART,         /* var du delaktig i planeringen? */
	SURVEY_KNEW_CARE_CONTACT, /* visste du vem som var din fasta vårdkontakt? */
	SURVEY_SIP_WHERE_WANTED,  /* hölls SIP-mötet där du ville? */
	SURVEY_QUESTION_COUNT
} survey_question;

typedef enum survey_channel { SURVEY_PHONE = 0, SURVEY_LINK, SURVEY_CHANNEL_COUNT } survey_channel;
typedef enum survey_respondent { SURVEY_PATIENT = 0, SURVEY_NEXT_OF_KIN, SURVEY_RESPONDENT_COUNT } survey_respondent;

typedef struct survey_answer {
	survey_reply replies[SURVEY_QUESTION_COUNT];
	survey_channel channel;
	survey_respondent respondent;
	char comment[SURVEY_COMMENT_MAX]; /* may be empty */
	hg_instant answered_at;
} survey_answer;

/* Every reply unanswered, channel phone, respondent patient, no comment, answered_at NONE. */
void survey_answer_init(survey_answer *a);
/*
 * Checks an answer: replies and codes in range, the comment NUL-terminated,
 * answered_at set, and at least one question answered. HG_EINVAL with *field
 * (may be NULL) naming the JSON member at fault.
 */
hg_status survey_validate(const survey_answer *a, const char **field) HG_MUST_CHECK;

/* Code ("felt_safe") and the question in Swedish and English. */
const hg_code_label *survey_question_label(survey_question q);
bool survey_question_from_code(const char *code, survey_question *out);
const hg_code_label *survey_channel_label(survey_channel c);
bool survey_channel_from_code(const char *code, survey_channel *out);
const hg_code_label *survey_respondent_label(survey_respondent r);
bool survey_respondent_from_code(const char *code, survey_respondent *out);

#endif
