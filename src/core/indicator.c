/*
 * indicator.c - the follow-up indicators (see indicator.h and docs/indicators.md).
 *
 * Layout: the tables (dimensions, subjects, measures and the accumulators the
 * measures read), the string pool that interns every unit, organisation and
 * patient key once (so a fact is small and a grouping key is a pointer), the
 * set of facts, and the grouping. Every measure is a row of a table that names
 * the accumulator(s) it reads; the per-fact code only adds to accumulators.
 */
#include "core/indicator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/billing.h"
#include "core/calendar.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define PERIOD_DAYS_MAX (20 * 366)

/* ---- dimensions and subjects ---- */

static const hg_code_label dims[IND_DIM_COUNT] = {
	[IND_DIM_COUNTY] = {"county", "län", "county"},
	[IND_DIM_MUNICIPALITY] = {"municipality", "kommun", "municipality"},
	[IND_DIM_HOSPITAL] = {"hospital", "sjukhus", "hospital"},
	[IND_DIM_WARD] = {"ward", "avdelning", "ward"},
	[IND_DIM_CARE] = {"care", "vårdform", "care type"},
	[IND_DIM_CARE_GROUP] = {"care_group", "somatik/psykiatri", "somatic/psychiatric"},
	[IND_DIM_AGE_BAND] = {"age_band", "åldersgrupp", "age band"},
	[IND_DIM_TRACK] = {"track", "process", "track"},
	[IND_DIM_YEAR] = {"year", "år", "year"},
	[IND_DIM_MONTH] = {"month", "månad", "month"},
	[IND_DIM_WEEK] = {"week", "vecka", "week"},
	[IND_DIM_CATEGORY] = {"category", "avvikelsekategori", "deviation category"},
	[IND_DIM_PARTY] = {"party", "berörd part", "party concerned"},
	[IND_DIM_RECIPIENT] = {"recipient", "mottagande enhet", "recipient unit"},
	[IND_DIM_RECIPIENT_KIND] = {"recipient_kind", "typ av mottagare", "recipient kind"},
	[IND_DIM_NOTICE] = {"notice", "meddelande", "notice"},
};

/* Dimensions each subject has beyond the common ones (county .. week). */
static const unsigned subject_extra_dims[IND_SUBJECT_COUNT] = {
	[IND_SUBJECT_EPISODES] = 0,
	[IND_SUBJECT_DEVIATIONS] = 1u << IND_DIM_CATEGORY | 1u << IND_DIM_PARTY,
	[IND_SUBJECT_ACKS] = 1u << IND_DIM_RECIPIENT | 1u << IND_DIM_RECIPIENT_KIND | 1u << IND_DIM_NOTICE,
};

static const hg_code_label subjects[IND_SUBJECT_COUNT] = {
	[IND_SUBJECT_EPISODES] = {"episodes", "vårdtillfällen", "episodes"},
	[IND_SUBJECT_DEVIATIONS] = {"deviations", "avvikelser", "deviations"},
	[IND_SUBJECT_ACKS] = {"acknowledgements", "kvittenser", "acknowledgements"},
};


const hg_code_label *indicator_dim_label(indicator_dim d) { return (unsigned)d < IND_DIM_COUNT ? &dims[d] : NULL; }

bool indicator_dim_from_code(const char *code, indicator_dim *out)
{
	int i;
	if (!hg_code_find(dims, IND_DIM_COUNT, code, &i))
		return false;
	*out = (indicator_dim)i;
	return true;
}

bool indicator_dim_allowed(indicator_subject s, indicator_dim d)
{
	if ((unsigned)s >= IND_SUBJECT_COUNT || (unsigned)d >= IND_DIM_COUNT)
		return false;
	return d <= IND_DIM_WEEK || (subject_extra_dims[s] & (1u << d));
}

const hg_code_label *indicator_subject_label(indicator_subject s)
{
	return (unsigned)s < IND_SUBJECT_COUNT ? &subjects[s] : NULL;
}

bool indicator_subject_from_code(const char *code, indicator_subject *out)
{
	int i;
	if (!hg_code_find(subjects, IND_SUBJECT_COUNT, code, &i))
		return false;
	*out = (indicator_subject)i;
	return true;
}

static const char *const error_texts[IND_ERROR_COUNT] = {
	[IND_ERR_NONE] = "",
	[IND_ERR_PERIOD] = "the period needs a from date before its to date, at most 20 years apart",
	[IND_ERR_DIMS] = "at most 4 dimensions, each at most once",
	[IND_ERR_DIM_SUBJECT] = "a dimension that this subject cannot be grouped by",
	[IND_ERR_SUBJECT] = "unknown subject",
};

const char *indicator_error_text(indicator_error e)
{
	return (unsigned)e < IND_ERROR_COUNT ? error_texts[e] : "unknown error";
}

/* ---- accumulators and measures ---- */

/* Accumulators of the episode subject: what the per-fact code adds to. */
enum {
	A_EPISODES = 0, A_READY_EP, A_READY_DAYS, A_READY_DISCH, A_SAME_DAY, A_NIGHT_EP, A_NIGHTS,
	A_LIABLE_EP, A_LIABLE_NIGHTS, A_LIABLE_ORE, A_EXCL_EP, A_EXCL_NIGHTS, A_EXCL_ORE,
	A_RIDX, A_READM, A_RIDX65, A_READM65,
	A_NOTICE_DUE, A_NOTICE_MET, A_CONTACT_DUE, A_CONTACT_MET, A_SIPCALL_DUE, A_SIPCALL_MET,
	A_DATE_CHANGES, A_WITHDRAWALS,
	A_SIP_HELD, A_SIP_HOME, A_SIP_HOSPITAL, A_SIP_VIDEO, A_SIP_OTHER,
	A_TRACK, A_GREEN, A_YELLOW, A_RED, A_RED_NO_SIP,
	A_SURVEY, A_Q_YES, A_Q_ANSWERED = A_Q_YES + SURVEY_QUESTION_COUNT,
	A_LIABLE_ENDED = A_Q_ANSWERED + SURVEY_QUESTION_COUNT, /* liable nights of the stays that ended */
	A_PLANCALL_DUE, A_PLANCALL_MET, A_DECISION_EP, A_DECISION_DAYS,
	A_CHILDREN,
	A_EP_COUNT
};
/* Accumulators of the deviation and acknowledgement subjects. */
enum { A_DEVIATIONS = 0, A_DEV_COUNT };
enum { A_NOTICES = 0, A_ACKED, A_ACKED_24H, A_ACK_COUNT };
#define ACC_MAX A_EP_COUNT

/* Episode measures, column order. base = the measure index deciding suppression. */
enum {
	M_EPISODES = 0, M_READY_EPISODES, M_READY_DAYS, M_READY_DAYS_MEAN, M_READY_DAYS_MEDIAN, M_READY_DAYS_P90,
	M_READY_DISCHARGED, M_SAME_DAY, M_SAME_DAY_SHARE, M_NIGHT_EPISODES, M_READY_NIGHTS,
	M_LIABLE_EPISODES, M_LIABLE_NIGHTS, M_LIABLE_AMOUNT_ORE, M_LIABLE_AMOUNT, M_EXCL_EPISODES, M_EXCL_NIGHTS,
	M_EXCL_AMOUNT_ORE,
	M_READM_INDEX, M_READM, M_READM_SHARE, M_READM_INDEX65, M_READM65, M_READM_SHARE65,
	M_NOTICE_DUE, M_NOTICE_MET, M_NOTICE_SHARE, M_CONTACT_DUE, M_CONTACT_MET, M_CONTACT_SHARE,
	M_SIPCALL_DUE, M_SIPCALL_MET, M_SIPCALL_SHARE, M_DATE_CHANGES, M_DATE_CHANGES_MEAN, M_WITHDRAWALS,
	M_SIP_HELD, M_SIP_HOME, M_SIP_HOSPITAL, M_SIP_VIDEO, M_SIP_OTHER, M_SIP_HOME_SHARE,
	M_TRACK, M_GREEN_SHARE, M_YELLOW_SHARE, M_RED_SHARE, M_RED, M_RED_NO_SIP,
	M_SURVEY, M_FELT_SAFE, M_TOOK_PART, M_KNEW_CONTACT, M_SIP_WHERE_WANTED,
	M_LIABLE_DAYS_MEAN, M_LIABLE_DAYS_TARGET, M_TARGET_YEAR, /* issue 15.4: added at the end, columns kept */
	M_PLANCALL_DUE, M_PLANCALL_MET, M_PLANCALL_SHARE, M_DECISION_EP, M_DECISION_DAYS_MEAN, M_CHILDREN,
	M_EP_COUNT
};

#define MEASURE(code, sv, en, kind, base, brief, num, den) {code, sv, en, kind, base, brief, num, den, 0}
/* A sum in öre shown in kronor: the accumulator stays an exact integer, the cell divides once. */
#define MEASURE_KR(code, sv, en, base, brief, num) {code, sv, en, IND_SUM, base, brief, num, -1, 100}

static const indicator_measure episode_defs[M_EP_COUNT] = {
	[M_EPISODES] = MEASURE("episodes", "avslutade vårdtillfällen", "episodes ended", IND_COUNT, M_EPISODES, true,
			       A_EPISODES, -1),
	[M_READY_EPISODES] = MEASURE("ready_episodes", "vårdtillfällen med minst en utskrivningsklar dag",
				     "episodes with at least one ready-day", IND_COUNT, M_READY_EPISODES, true,
				     A_READY_EP, -1),
	[M_READY_DAYS] = MEASURE("ready_days", "utskrivningsklara dagar", "ready-days", IND_SUM, M_READY_EPISODES,
				 true, A_READY_DAYS, -1),
	[M_READY_DAYS_MEAN] = MEASURE("ready_days_mean", "utskrivningsklara dagar per vårdtillfälle",
				      "mean ready-days per episode", IND_MEAN, M_READY_EPISODES, true, A_READY_DAYS,
				      A_READY_EP),
	[M_READY_DAYS_MEDIAN] = MEASURE("ready_days_median", "median utskrivningsklara dagar", "median ready-days",
					IND_MEDIAN, M_READY_EPISODES, false, -1, -1),
	[M_READY_DAYS_P90] = MEASURE("ready_days_p90", "90:e percentilen utskrivningsklara dagar",
				     "90th percentile of ready-days", IND_P90, M_READY_EPISODES, false, -1, -1),
	[M_READY_DISCHARGED] = MEASURE("ready_discharged", "utskrivna som varit utskrivningsklara",
				       "discharged after a ready notice", IND_COUNT, M_READY_DISCHARGED, false,
				       A_READY_DISCH, -1),
	[M_SAME_DAY] = MEASURE("same_day", "utskrivna samma dag som utskrivningsklar", "discharged the day ready",
			       IND_COUNT, M_READY_DISCHARGED, false, A_SAME_DAY, -1),
	[M_SAME_DAY_SHARE] = MEASURE("same_day_share", "andel utskrivna samma dag", "share discharged the day ready",
				     IND_SHARE, M_READY_DISCHARGED, true, A_SAME_DAY, A_READY_DISCH),
	[M_NIGHT_EPISODES] = MEASURE("night_episodes", "vårdtillfällen med utskrivningsklara nätter i perioden",
				     "episodes with ready nights in the period", IND_COUNT, M_NIGHT_EPISODES, false,
				     A_NIGHT_EP, -1),
	[M_READY_NIGHTS] = MEASURE("ready_nights", "utskrivningsklara nätter i perioden", "ready nights in the period",
				   IND_SUM, M_NIGHT_EPISODES, true, A_NIGHTS, -1),
	[M_LIABLE_EPISODES] = MEASURE("liable_episodes", "vårdtillfällen med betalningsansvar i perioden",
				      "episodes with liable nights in the period", IND_COUNT, M_LIABLE_EPISODES, false,
				      A_LIABLE_EP, -1),
	[M_LIABLE_NIGHTS] = MEASURE("liable_nights", "vårddygn med betalningsansvar i perioden",
				    "liable nights in the period", IND_SUM, M_LIABLE_EPISODES, true, A_LIABLE_NIGHTS, -1),
	[M_LIABLE_AMOUNT_ORE] = MEASURE("liable_amount_ore", "belopp för betalningsansvar (öre)",
					"liable amount (öre)", IND_SUM, M_LIABLE_EPISODES, false, A_LIABLE_ORE, -1),
	[M_LIABLE_AMOUNT] = MEASURE_KR("liable_amount", "belopp för betalningsansvar (kr)", "liable amount (SEK)",
				       M_LIABLE_EPISODES, true, A_LIABLE_ORE),
	[M_EXCL_EPISODES] = MEASURE("excluded_episodes", "vårdtillfällen som inte faktureras (villkor ej uppfyllt)",
				    "episodes not billed (a billing condition failed)", IND_COUNT, M_EXCL_EPISODES, false,
				    A_EXCL_EP, -1),
	[M_EXCL_NIGHTS] = MEASURE("excluded_nights", "vårddygn som inte faktureras", "nights not billed", IND_SUM,
				  M_EXCL_EPISODES, false, A_EXCL_NIGHTS, -1),
	[M_EXCL_AMOUNT_ORE] = MEASURE("excluded_amount_ore", "belopp som inte faktureras (öre)",
				      "amount not billed (öre)", IND_SUM, M_EXCL_EPISODES, false, A_EXCL_ORE, -1),
	[M_READM_INDEX] = MEASURE("readmission_base", "utskrivna (underlag återinskrivning)",
				  "discharges (readmission base)", IND_COUNT, M_READM_INDEX, false, A_RIDX, -1),
	[M_READM] = MEASURE("readmitted_30", "återinskrivna inom 30 dagar", "readmitted within 30 days", IND_COUNT,
			    M_READM_INDEX, false, A_READM, -1),
	[M_READM_SHARE] = MEASURE("readmission_share", "andel återinskrivna inom 30 dagar",
				  "share readmitted within 30 days", IND_SHARE, M_READM_INDEX, true, A_READM, A_RIDX),
	[M_READM_INDEX65] = MEASURE("readmission_base_65", "utskrivna 65+ (underlag)", "discharges aged 65+",
				    IND_COUNT, M_READM_INDEX65, false, A_RIDX65, -1),
	[M_READM65] = MEASURE("readmitted_30_65", "återinskrivna inom 30 dagar, 65+", "readmitted within 30 days, 65+",
			      IND_COUNT, M_READM_INDEX65, false, A_READM65, -1),
	[M_READM_SHARE65] = MEASURE("readmission_share_65", "andel återinskrivna inom 30 dagar, 65+",
				    "share readmitted within 30 days, 65+", IND_SHARE, M_READM_INDEX65, true, A_READM65,
				    A_RIDX65),
	[M_NOTICE_DUE] = MEASURE("notice_due", "inskrivningsmeddelanden med frist", "admission notices due", IND_COUNT,
				 M_NOTICE_DUE, false, A_NOTICE_DUE, -1),
	[M_NOTICE_MET] = MEASURE("notice_24h", "inskrivningsmeddelande inom 24 timmar", "admission notice within 24 h",
				 IND_COUNT, M_NOTICE_DUE, false, A_NOTICE_MET, -1),
	[M_NOTICE_SHARE] = MEASURE("notice_24h_share", "andel inskrivningsmeddelanden inom 24 timmar",
				   "share of admission notices within 24 h", IND_SHARE, M_NOTICE_DUE, true,
				   A_NOTICE_MET, A_NOTICE_DUE),
	[M_CONTACT_DUE] = MEASURE("care_contact_due", "fast vårdkontakt med frist", "care contacts due", IND_COUNT,
				  M_CONTACT_DUE, false, A_CONTACT_DUE, -1),
	[M_CONTACT_MET] = MEASURE("care_contact_3d", "fast vårdkontakt inom 3 dagar", "care contact within 3 days",
				  IND_COUNT, M_CONTACT_DUE, false, A_CONTACT_MET, -1),
	[M_CONTACT_SHARE] = MEASURE("care_contact_3d_share", "andel fast vårdkontakt inom 3 dagar",
				    "share of care contacts within 3 days", IND_SHARE, M_CONTACT_DUE, true,
				    A_CONTACT_MET, A_CONTACT_DUE),
	[M_SIPCALL_DUE] = MEASURE("sip_call_due", "SIP-kallelser med frist", "SIP calls due", IND_COUNT, M_SIPCALL_DUE,
				  false, A_SIPCALL_DUE, -1),
	[M_SIPCALL_MET] = MEASURE("sip_call_3d", "kallelse till SIP inom 3 dagar", "SIP called within 3 days",
				  IND_COUNT, M_SIPCALL_DUE, false, A_SIPCALL_MET, -1),
	[M_SIPCALL_SHARE] = MEASURE("sip_call_3d_share", "andel SIP kallade inom 3 dagar",
				    "share of SIPs called within 3 days", IND_SHARE, M_SIPCALL_DUE, true, A_SIPCALL_MET,
				    A_SIPCALL_DUE),
	[M_DATE_CHANGES] = MEASURE("date_changes", "ändrat beräknat utskrivningsdatum", "expected date changes",
				   IND_SUM, M_EPISODES, false, A_DATE_CHANGES, -1),
	[M_DATE_CHANGES_MEAN] = MEASURE("date_changes_mean", "ändrat datum per vårdtillfälle",
					"expected date changes per episode", IND_MEAN, M_EPISODES, true, A_DATE_CHANGES,
					A_EPISODES),
	[M_WITHDRAWALS] = MEASURE("withdrawals", "återtagna utskrivningsklar", "withdrawn ready notices", IND_SUM,
				  M_EPISODES, true, A_WITHDRAWALS, -1),
	[M_SIP_HELD] = MEASURE("sip_held", "genomförda SIP", "SIPs held", IND_COUNT, M_SIP_HELD, false, A_SIP_HELD,
			       -1),
	[M_SIP_HOME] = MEASURE("sip_home", "SIP i hemmet", "SIP at home", IND_COUNT, M_SIP_HELD, false, A_SIP_HOME,
			       -1),
	[M_SIP_HOSPITAL] = MEASURE("sip_hospital", "SIP på sjukhuset", "SIP in hospital", IND_COUNT, M_SIP_HELD, false,
				   A_SIP_HOSPITAL, -1),
	[M_SIP_VIDEO] = MEASURE("sip_video", "SIP via video", "SIP by video", IND_COUNT, M_SIP_HELD, false,
				A_SIP_VIDEO, -1),
	[M_SIP_OTHER] = MEASURE("sip_other", "SIP på annan plats", "SIP elsewhere", IND_COUNT, M_SIP_HELD, false,
				A_SIP_OTHER, -1),
	[M_SIP_HOME_SHARE] = MEASURE("sip_home_share", "andel SIP i hemmet", "share of SIPs at home", IND_SHARE,
				     M_SIP_HELD, true, A_SIP_HOME, A_SIP_HELD),
	[M_TRACK] = MEASURE("track_set", "vårdtillfällen med process", "episodes with a track", IND_COUNT, M_TRACK,
			    false, A_TRACK, -1),
	[M_GREEN_SHARE] = MEASURE("green_share", "andel grön process", "share green track", IND_SHARE, M_TRACK, true,
				  A_GREEN, A_TRACK),
	[M_YELLOW_SHARE] = MEASURE("yellow_share", "andel gul process", "share yellow track", IND_SHARE, M_TRACK, true,
				   A_YELLOW, A_TRACK),
	[M_RED_SHARE] = MEASURE("red_share", "andel röd process", "share red track", IND_SHARE, M_TRACK, true, A_RED,
				A_TRACK),
	[M_RED] = MEASURE("red", "röd process", "red track", IND_COUNT, M_RED, false, A_RED, -1),
	[M_RED_NO_SIP] = MEASURE("red_without_sip", "röd process utan SIP före utskrivning (i utfall gul)",
				 "red track without a SIP before discharge (yellow by outcome)", IND_COUNT, M_RED, true,
				 A_RED_NO_SIP, -1),
	[M_SURVEY] = MEASURE("survey_answers", "enkätsvar", "survey answers", IND_COUNT, M_SURVEY, true, A_SURVEY, -1),
	[M_FELT_SAFE] = MEASURE("felt_safe_share", "andel som kände sig trygga", "share who felt safe", IND_SHARE,
				M_SURVEY, true, A_Q_YES + SURVEY_FELT_SAFE, A_Q_ANSWERED + SURVEY_FELT_SAFE),
	[M_TOOK_PART] = MEASURE("took_part_share", "andel delaktiga i planeringen", "share who took part", IND_SHARE,
				M_SURVEY, true, A_Q_YES + SURVEY_TOOK_PART, A_Q_ANSWERED + SURVEY_TOOK_PART),
	[M_KNEW_CONTACT] = MEASURE("knew_care_contact_share", "andel som visste sin fasta vårdkontakt",
				   "share who knew their care contact", IND_SHARE, M_SURVEY, false,
				   A_Q_YES + SURVEY_KNEW_CARE_CONTACT, A_Q_ANSWERED + SURVEY_KNEW_CARE_CONTACT),
	[M_SIP_WHERE_WANTED] = MEASURE("sip_where_wanted_share", "andel SIP där patienten ville",
				       "share of SIPs held where wanted", IND_SHARE, M_SURVEY, false,
				       A_Q_YES + SURVEY_SIP_WHERE_WANTED, A_Q_ANSWERED + SURVEY_SIP_WHERE_WANTED),
	[M_LIABLE_DAYS_MEAN] = MEASURE("liable_days_mean", "medelantal vårddygn med betalningsansvar per vårdtillfälle",
				       "mean liable days per episode", IND_MEAN, M_READY_EPISODES, false, A_LIABLE_ENDED,
				       A_READY_EP),
	/* The yardstick of the agreement (agreement_target_for), not counted: no accumulator (-1), filled by
	 * yardstick_cells for a row of one municipality. Their base is the year column, never a small count
	 * (a year is above any small-cell threshold, an empty cell 0): agreement data is never suppressed. */
	[M_LIABLE_DAYS_TARGET] = MEASURE("liable_days_target", "mål för medelantal vårddygn med betalningsansvar",
					 "target for mean liable days per episode", IND_MEAN, M_TARGET_YEAR, false, -1,
					 -1),
	[M_TARGET_YEAR] = MEASURE("target_baseline_year", "målets basår", "baseline year of the target", IND_COUNT,
				  M_TARGET_YEAR, false, -1, -1),
	/* issue 14: the samordnad vårdplan (LPT/LRV), the municipality's decision, children as relatives */
	[M_PLANCALL_DUE] = MEASURE("care_plan_call_due", "samordnade vårdplaner med frist", "care plan calls due",
				   IND_COUNT, M_PLANCALL_DUE, false, A_PLANCALL_DUE, -1),
	[M_PLANCALL_MET] = MEASURE("care_plan_call_3d", "kallelse till samordnad vårdplan inom 3 dagar",
				   "care plan called within 3 days", IND_COUNT, M_PLANCALL_DUE, false, A_PLANCALL_MET, -1),
	[M_PLANCALL_SHARE] = MEASURE("care_plan_call_3d_share", "andel samordnade vårdplaner kallade inom 3 dagar",
				     "share of care plans called within 3 days", IND_SHARE, M_PLANCALL_DUE, false,
				     A_PLANCALL_MET, A_PLANCALL_DUE),
	[M_DECISION_EP] = MEASURE("decision_episodes", "vårdtillfällen med kommunalt beslut efter utskrivningsklar",
				  "episodes with a municipal decision after the ready notice", IND_COUNT, M_DECISION_EP,
				  false, A_DECISION_EP, -1),
	[M_DECISION_DAYS_MEAN] = MEASURE("ready_to_decision_days_mean",
					 "dagar från utskrivningsklar till beslut om bistånd, medel",
					 "mean days from the ready notice to the decision on assistance", IND_MEAN,
					 M_DECISION_EP, true, A_DECISION_DAYS, A_DECISION_EP),
	[M_CHILDREN] = MEASURE("children_as_relatives", "vårdtillfällen med barn som anhöriga",
			       "episodes with children as relatives", IND_COUNT, M_EPISODES, true, A_CHILDREN, -1),
};

enum { MD_DEVIATIONS = 0, MD_COUNT };
static const indicator_measure deviation_defs[MD_COUNT] = {
	[MD_DEVIATIONS] = MEASURE("deviations", "avvikelser", "deviations", IND_COUNT, MD_DEVIATIONS, true,
				  A_DEVIATIONS, -1),
};

enum { MK_NOTICES = 0, MK_ACKED, MK_ACK_SHARE, MK_ACK_24H_SHARE, MK_ACK_MEDIAN, MK_ACK_P90, MK_COUNT };
static const indicator_measure ack_defs[MK_COUNT] = {
	[MK_NOTICES] = MEASURE("notices", "skickade meddelanden", "notices sent", IND_COUNT, MK_NOTICES, true,
			       A_NOTICES, -1),
	[MK_ACKED] = MEASURE("acknowledged", "kvitterade", "acknowledged", IND_COUNT, MK_NOTICES, false, A_ACKED, -1),
	[MK_ACK_SHARE] = MEASURE("ack_share", "andel kvitterade", "share acknowledged", IND_SHARE, MK_NOTICES, true,
				 A_ACKED, A_NOTICES),
	[MK_ACK_24H_SHARE] = MEASURE("ack_24h_share", "andel kvitterade inom 24 timmar",
				     "share acknowledged within 24 h", IND_SHARE, MK_NOTICES, true, A_ACKED_24H,
				     A_NOTICES),
	[MK_ACK_MEDIAN] = MEASURE("ack_hours_median", "median timmar till kvittens", "median hours to acknowledge",
				  IND_MEDIAN, MK_NOTICES, true, -1, -1),
	[MK_ACK_P90] = MEASURE("ack_hours_p90", "90:e percentilen timmar till kvittens",
			       "90th percentile of hours to acknowledge", IND_P90, MK_NOTICES, false, -1, -1),
};

static const struct {
	const indicator_measure *defs;
	size_t n;
	size_t n_acc;
} subject_defs[IND_SUBJECT_COUNT] = {
	[IND_SUBJECT_EPISODES] = {episode_defs, M_EP_COUNT, A_EP_COUNT},
	[IND_SUBJECT_DEVIATIONS] = {deviation_defs, MD_COUNT, A_DEV_COUNT},
	[IND_SUBJECT_ACKS] = {ack_defs, MK_COUNT, A_ACK_COUNT},
};


const indicator_measure *indicator_measures(indicator_subject s, size_t *n)
{
	if ((unsigned)s >= IND_SUBJECT_COUNT) {
		*n = 0;
		return NULL;
	}
	*n = subject_defs[s].n;
	return subject_defs[s].defs;
}

int indicator_measure_find(indicator_subject s, const char *code)
{
	size_t n;
	const indicator_measure *m = indicator_measures(s, &n);
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(m[i].code, code) == 0)
			return (int)i;
	return -1;
}

/* ---- small helpers ---- */

const char *indicator_age_band(int age)
{
	if (age < 0)
		return "unknown";
	return age < 18 ? "0-17" : age < 65 ? "18-64" : age < 80 ? "65-79" : "80+";
}

static int age_band_index(int age) { return age < 0 ? 4 : age < 18 ? 0 : age < 65 ? 1 : age < 80 ? 2 : 3; }

/* ISO 8601 week-numbering year and week of d. */
static void iso_week(hg_date d, int *year, int *week)
{
	hg_date thursday = d - date_weekday(d) + 4;
	int y, m, dd;
	date_to_ymd(thursday, &y, &m, &dd);
	*year = y;
	*week = (thursday - date_from_ymd(y, 1, 1)) / 7 + 1;
}

char *indicator_iso_week(hg_date d, char buf[static 9])
{
	int y, w;
	iso_week(d, &y, &w);
	snprintf(buf, 9, "%04u-W%02u", (unsigned)y % 10000u, (unsigned)w % 100u);
	return buf;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int indicator_quantile(int *values, size_t n, double q)
{
	if (n == 0)
		return 0;
	qsort(values, n, sizeof *values, cmp_int);
	double want = q * (double)n;
	size_t rank = (size_t)want;
	if ((double)rank < want)
		rank++; /* ceil without libm */
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return values[rank - 1];
}

/* ---- string pool: every text is kept once, in blocks that never move ---- */

#define POOL_BLOCK 65536

struct pool_block {
	struct pool_block *next;
	size_t used;
	char data[POOL_BLOCK];
};

struct pool {
	struct pool_block *blocks;
	const char **slots; /* open addressing; NULL = free */
	size_t n_slots, n_used;
};

static uint64_t hash_text(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void pool_free(struct pool *p)
{
	while (p->blocks) {
		struct pool_block *b = p->blocks;
		p->blocks = b->next;
		hg_free(b);
	}
	hg_free(p->slots);
	memset(p, 0, sizeof *p);
}

static hg_status pool_grow(struct pool *p)
{
	size_t n = p->n_slots ? p->n_slots * 2 : 1024;
	const char **slots = hg_calloc(n, sizeof *slots);
	if (!slots)
		return HG_ENOMEM;
	for (size_t i = 0; i < p->n_slots; i++) {
		if (!p->slots[i])
			continue;
		size_t j = hash_text(p->slots[i]) & (n - 1);
		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = p->slots[i];
	}
	hg_free(p->slots);
	p->slots = slots;
	p->n_slots = n;
	return HG_OK;
}

/* The interned copy of s (at most HG_NOTE_MAX bytes), or NULL when out of memory. */
static const char *pool_intern(struct pool *p, const char *s)
{
	size_t len = strnlen(s, HG_ID_MAX - 1);
	if ((p->n_used + 1) * 2 > p->n_slots && pool_grow(p) != HG_OK)
		return NULL;
	size_t j = hash_text(s) & (p->n_slots - 1);
	for (; p->slots[j]; j = (j + 1) & (p->n_slots - 1))
		if (strncmp(p->slots[j], s, len) == 0 && p->slots[j][len] == '\0')
			return p->slots[j];
	if (!p->blocks || p->blocks->used + len + 1 > POOL_BLOCK) {
		struct pool_block *b = hg_malloc(sizeof *b);
		if (!b)
			return NULL;
		b->next = p->blocks;
		b->used = 0;
		p->blocks = b;
	}
	char *copy = p->blocks->data + p->blocks->used;
	memcpy(copy, s, len);
	copy[len] = '\0';
	p->blocks->used += len + 1;
	p->slots[j] = copy;
	p->n_used++;
	return copy;
}

/* ---- the set ---- */

struct dev_fact {
	size_t fact;
	hg_date date;
	deviation_category category;
	const char *party;
};

struct ack_fact {
	size_t fact;
	const char *unit;
	unit_kind kind;
	bool ready; /* the ready notice (else the admission notice) */
	hg_instant sent, acked;
	hg_date date;
};

struct indicator_set {
	indicator_config cfg;
	hg_date asof_date; /* the local date of cfg.asof */
	struct pool pool;
	indicator_fact *facts;
	char (*patients)[EVENT_PNR_SIZE]; /* parallel to facts: the personnummer, for readmission links */
	size_t *period_first;  /* parallel to facts: index into periods */
	size_t *run_first;     /* parallel to facts: index into runs */
	size_t n, cap, cap_parallel;
	indicator_period *periods;
	size_t n_periods, cap_periods;
	indicator_liable_run *runs;
	size_t n_runs, cap_runs;
	agreement *agreements; /* the caller's agreements, copied */
	size_t n_agreements;
	struct dev_fact *devs;
	size_t n_devs, cap_devs;
	struct ack_fact *acks;
	size_t n_acks, cap_acks;
	bool finished;
};

/* Makes room for one more element in a growing array. */
static hg_status grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return HG_OK;
	size_t c = *cap ? *cap * 2 : 256;
	void *bigger = hg_realloc(*arr, c * elem);
	if (!bigger)
		return HG_ENOMEM;
	*arr = bigger;
	*cap = c;
	return HG_OK;
}

hg_status indicator_set_new(const indicator_config *cfg, indicator_set **out)
{
	if (deadline_rules_validate(&cfg->rules) != HG_OK)
		return HG_EINVAL;
	indicator_set *s = hg_calloc(1, sizeof *s);
	if (!s)
		return HG_ENOMEM;
	s->cfg = *cfg;
	s->asof_date = cal_local_date(cfg->asof);
	*out = s;
	return HG_OK;
}

void indicator_set_free(indicator_set *s)
{
	if (!s)
		return;
	pool_free(&s->pool);
	hg_free(s->facts);
	hg_free(s->patients);
	hg_free(s->period_first);
	hg_free(s->periods);
	hg_free(s->run_first);
	hg_free(s->runs);
	hg_free(s->agreements);
	hg_free(s->devs);
	hg_free(s->acks);
	hg_free(s);
}

size_t indicator_set_size(const indicator_set *s) { return s ? s->n : 0; }

hg_status indicator_set_agreements(indicator_set *s, const agreement *list, size_t n)
{
	if (!s || s->n > 0 || n > INDICATOR_AGREEMENTS_MAX)
		return HG_EINVAL;
	agreement *copy = n ? hg_malloc(n * sizeof *copy) : NULL;
	if (n && !copy)
		return HG_ENOMEM;
	if (n)
		memcpy(copy, list, n * sizeof *copy);
	hg_free(s->agreements);
	s->agreements = copy;
	s->n_agreements = n;
	return HG_OK;
}
hg_instant indicator_set_asof(const indicator_set *s) { return s->cfg.asof; }

const indicator_fact *indicator_set_fact(const indicator_set *s, size_t i) { return i < s->n ? &s->facts[i] : NULL; }

static hg_status add_ack(indicator_set *s, size_t fact, const facts_recipient *r, bool ready, const char *unit)
{
	hg_instant sent = ready ? r->ready_notified_at : r->notified_at;
	if (sent == HG_INSTANT_NONE)
		return HG_OK;
	if (grow((void **)&s->acks, &s->cap_acks, s->n_acks, sizeof *s->acks) != HG_OK)
		return HG_ENOMEM;
	s->acks[s->n_acks++] = (struct ack_fact){
		.fact = fact, .unit = unit, .kind = r->kind, .ready = ready, .sent = sent,
		.acked = ready ? r->ready_ack_at : r->notice_ack_at, .date = ready ? r->ready_notified : r->notified};
	return HG_OK;
}

/* Appends the nights of r to the set's runs, one run per stretch of consecutive nights at one amount. */
static hg_status add_runs(indicator_set *s, const liability_result *r)
{
	size_t first = s->n_runs;
	for (size_t i = 0; i < r->n_nights; i++) {
		const liability_night *ni = &r->nights[i];
		indicator_liable_run *last = s->n_runs > first ? &s->runs[s->n_runs - 1] : NULL;
		if (last && last->to == ni->date && last->amount_ore == ni->amount_ore) {
			last->to++;
			continue;
		}
		if (grow((void **)&s->runs, &s->cap_runs, s->n_runs, sizeof *s->runs) != HG_OK)
			return HG_ENOMEM;
		s->runs[s->n_runs++] = (indicator_liable_run){ni->date, ni->date + 1, ni->amount_ore};
	}
	return HG_OK;
}

/*
 * The payment liability of the stay r under the set's agreements, as billing.h
 * judges an invoice line (billing_episode_month), over the whole stay instead
 * of one month: the agreement in force on the first ready date for the
 * registered municipality, the liability input the facts keep (billing_input's),
 * liability_compute(); when a billing condition fails, the nights it would have
 * cost with the conditions met. A stay in progress counts the nights that began
 * before the "as of" date, as ready_nights does. Sets f->liability and
 * f->billing and appends the runs; HG_ENOMEM only (an episode that cannot be
 * judged is a state).
 */
static hg_status add_liability(indicator_set *s, const facts_row *r, indicator_fact *f)
{
	billing_stay stay;
	liability_period periods[FACTS_PERIODS_MAX];
	liability_input in;
	hg_date until = HG_DATE_NONE;
	f->liability = IND_LIABILITY_NONE;
	f->billing = LIABILITY_BILLABLE;
	if (s->n_agreements == 0 || r->n_periods == 0 || r->ready_date == HG_DATE_NONE)
		return HG_OK;
	if (r->deadlines.discharged_at == HG_INSTANT_NONE) {
		until = s->asof_date;
		if (until == HG_DATE_NONE || until <= r->ready_date)
			return HG_OK; /* no ready night has begun yet */
	}
	facts_liability_input(r, until, periods, &in);
	hg_status rc = billing_stay_judge_input(r->has_liability ? &in : NULL, r->municipality, r->ready_date,
						s->agreements, s->n_agreements, &stay);
	if (rc != HG_OK)
		return rc;
	f->billing = stay.billing;
	if (!stay.agreement)
		f->liability = IND_LIABILITY_NO_AGREEMENT;
	else if (stay.agreement->model == AGREEMENT_AVERAGE)
		f->liability = IND_LIABILITY_AVERAGE;
	else if (!stay.judged || stay.computed != HG_OK)
		f->liability = IND_LIABILITY_INVALID;
	else {
		f->liability = stay.billing == LIABILITY_BILLABLE ? IND_LIABILITY_BILLABLE : IND_LIABILITY_EXCLUDED;
		rc = add_runs(s, &stay.r);
	}
	liability_result_free(&stay.r);
	return rc;
}

/* Makes room for one more fact: the facts array and its parallel arrays. */
static hg_status room_for_fact(indicator_set *s)
{
	if (grow((void **)&s->facts, &s->cap, s->n, sizeof *s->facts) != HG_OK)
		return HG_ENOMEM;
	if (s->cap_parallel < s->cap) { /* the parallel arrays follow the facts' capacity */
		char(*pt)[EVENT_PNR_SIZE] = hg_realloc(s->patients, s->cap * sizeof *pt);
		if (!pt)
			return HG_ENOMEM;
		s->patients = pt;
		size_t *pf = hg_realloc(s->period_first, s->cap * sizeof *pf);
		if (!pf)
			return HG_ENOMEM;
		s->period_first = pf;
		size_t *rf = hg_realloc(s->run_first, s->cap * sizeof *rf);
		if (!rf)
			return HG_ENOMEM;
		s->run_first = rf;
		s->cap_parallel = s->cap;
	}
	return HG_OK;
}

hg_status indicator_set_add_facts(indicator_set *s, const facts_row *r)
{
	deadline_state dl[DEADLINE_KIND_COUNT];
	if (!s)
		return HG_EINVAL; /* no set: indicator_set_new ran out of memory */
	if (s->n > 0 && r->id <= s->facts[s->n - 1].id)
		return HG_EINVAL;
	if (s->n >= INDICATOR_EPISODES_MAX)
		return HG_ERANGE;
	if (room_for_fact(s) != HG_OK)
		return HG_ENOMEM;
	if (facts_deadlines_at(r, &s->cfg.rules, s->cfg.asof, dl) != HG_OK)
		return HG_EINVAL;

	char county[3] = {r->municipality[0], r->municipality[0] ? r->municipality[1] : '\0', '\0'};
	const char *muni = pool_intern(&s->pool, r->municipality);
	const char *cty = pool_intern(&s->pool, county);
	const char *hosp = pool_intern(&s->pool, r->hospital);
	const char *ward = pool_intern(&s->pool, r->ward);
	if (!muni || !cty || !hosp || !ward)
		return HG_ENOMEM;

	size_t idx = s->n;
	indicator_fact *f = &s->facts[idx];
	memset(f, 0, sizeof *f);
	f->id = r->id;
	f->municipality = muni;
	f->county = cty;
	f->hospital = hosp;
	f->ward = ward;
	f->care = r->care;
	f->admitted_at = r->admitted_at;
	f->admitted = r->admitted;
	f->age = r->age;
	f->track = r->track;
	f->discharged_at = r->discharged_at;
	f->discharged = r->discharged;
	f->destination = r->destination;
	f->expected_date = r->expected_date;
	f->care_contact_at = r->deadlines.care_contact_at;
	f->sip_called_at = r->deadlines.sip_called_at;
	f->sip_meeting_at = r->sip_meeting_at;
	f->sip_held_at = r->sip_held_at;
	f->sip_held_place = r->sip_held_place;
	f->municipality_ready_at = r->municipality_ready_at;
	f->municipal_decision_at = r->municipal_decision_at;
	f->children_as_relatives = r->children_as_relatives;
	for (int k = 0; k < DEADLINE_KIND_COUNT; k++)
		f->deadlines[k] = dl[k];
	f->date_changes = r->date_changes;
	f->withdrawals = r->withdrawals;
	f->days_to_readmission = -1;
	for (int q = 0; q < SURVEY_QUESTION_COUNT; q++)
		f->survey[q] = SURVEY_UNANSWERED;

	s->period_first[idx] = s->n_periods;
	for (size_t i = 0; i < r->n_periods; i++) {
		const facts_period *p = &r->periods[i];
		if (grow((void **)&s->periods, &s->cap_periods, s->n_periods, sizeof *s->periods) != HG_OK)
			return HG_ENOMEM;
		s->periods[s->n_periods++] = (indicator_period){.start = p->start, .end = p->end, .from = p->from, .to = p->to};
	}
	f->n_periods = s->n_periods - s->period_first[idx];
	f->periods = NULL; /* set by indicator_set_finish: the array may still move */
	s->run_first[idx] = s->n_runs;
	hg_status lrc = add_liability(s, r, f);
	if (lrc != HG_OK) {
		s->n_runs = s->run_first[idx]; /* the fact is not added: drop its runs */
		s->n_periods = s->period_first[idx];
		return lrc;
	}
	f->n_runs = s->n_runs - s->run_first[idx];
	f->runs = NULL; /* set by indicator_set_finish, like the periods */
	memcpy(s->patients[idx], r->patient, sizeof s->patients[idx]);
	s->n++;
	s->finished = false;

	for (size_t i = 0; i < r->n_deviations; i++) {
		const char *party = pool_intern(&s->pool, r->deviations[i].party);
		if (!party || grow((void **)&s->devs, &s->cap_devs, s->n_devs, sizeof *s->devs) != HG_OK)
			return HG_ENOMEM;
		s->devs[s->n_devs++] = (struct dev_fact){.fact = idx, .date = r->deviations[i].date,
							 .category = r->deviations[i].category, .party = party};
	}
	for (size_t i = 0; i < r->n_recipients; i++) {
		const facts_recipient *p = &r->recipients[i];
		const char *unit = pool_intern(&s->pool, p->unit);
		if (!unit || add_ack(s, idx, p, false, unit) != HG_OK || add_ack(s, idx, p, true, unit) != HG_OK)
			return HG_ENOMEM;
	}
	return HG_OK;
}

hg_status indicator_set_add(indicator_set *s, const episode_state *st, const facts_deviation *devs, size_t n_devs)
{
	facts_row *r = hg_malloc(sizeof *r);
	if (!r)
		return HG_ENOMEM;
	hg_status rc = HG_OK;
	if (facts_derive(st, NULL, 0, NULL, r)) {
		r->n_deviations = n_devs < FACTS_DEVIATIONS_MAX ? n_devs : FACTS_DEVIATIONS_MAX;
		if (r->n_deviations)
			memcpy(r->deviations, devs, r->n_deviations * sizeof *devs);
		rc = indicator_set_add_facts(s, r);
	}
	hg_free(r);
	return rc;
}

hg_status indicator_set_add_events(indicator_set *s, int64_t episode_id, const event *evs, size_t n)
{
	event_error err;
	episode_state *st = hg_malloc(sizeof *st);
	facts_row *r = hg_malloc(sizeof *r);
	hg_status rc = st && r ? HG_OK : HG_ENOMEM;
	if (rc == HG_OK && episode_fold(evs, n, st, &err) != HG_OK)
		rc = HG_EINVAL;
	if (rc == HG_OK) {
		st->id = episode_id;
		if (facts_derive(st, evs, n, NULL, r))
			rc = indicator_set_add_facts(s, r);
	}
	hg_free(r);
	hg_free(st);
	return rc;
}

hg_status indicator_set_add_survey(indicator_set *s, int64_t episode_id, const survey_answer *a)
{
	if (!s)
		return HG_EINVAL; /* no set: indicator_set_new ran out of memory */
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->facts[mid].id < episode_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= s->n || s->facts[lo].id != episode_id)
		return HG_ENOTFOUND;
	s->facts[lo].has_survey = true;
	memcpy(s->facts[lo].survey, a->replies, sizeof s->facts[lo].survey);
	return HG_OK;
}

/* One stay of a patient, ordered for readmission linking: by admission (then by fact). */
struct link_key {
	hg_instant admitted_at;
	size_t fact;
};

static int cmp_link(const void *a, const void *b)
{
	const struct link_key *x = a, *y = b;
	if (x->admitted_at != y->admitted_at)
		return x->admitted_at < y->admitted_at ? -1 : 1;
	return (x->fact > y->fact) - (x->fact < y->fact);
}

static uint64_t hash_patient(const char p[EVENT_PNR_SIZE])
{
	uint64_t h = 1469598103934665603u; /* FNV-1a over the NUL-padded bytes */
	for (size_t i = 0; i < EVENT_PNR_SIZE; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211u;
	return h ^ (h >> 29);
}

/* Links the stays keys[0..n) of one patient: each discharge to the next stay that began at or after it. */
static void link_stays(indicator_set *s, struct link_key *keys, size_t n)
{
	qsort(keys, n, sizeof *keys, cmp_link);
	for (size_t i = 0; i < n; i++) {
		indicator_fact *f = &s->facts[keys[i].fact];
		if (f->discharged_at == HG_INSTANT_NONE)
			continue;
		for (size_t j = i + 1; j < n; j++) {
			const indicator_fact *g = &s->facts[keys[j].fact];
			if (g->admitted_at >= f->discharged_at) {
				f->days_to_readmission = g->admitted - f->discharged;
				break;
			}
		}
	}
}

/*
 * Readmission links: the stays of each patient are chained through a hash
 * table on the personnummer (most patients have one stay and cost one probe);
 * the stays of a patient with more are sorted by admission and linked.
 */
hg_status indicator_set_finish(indicator_set *s)
{
	if (!s)
		return HG_EINVAL; /* no set: indicator_set_new ran out of memory */
	size_t n = s->n, cap = 16, n_keys = 0, cap_keys = 0;
	while (cap < 2 * n)
		cap <<= 1;
	size_t *slot = hg_calloc(cap, sizeof *slot);      /* the latest stay of a patient + 1; 0 = free */
	size_t *next = n ? hg_malloc(n * sizeof *next) : NULL; /* the patient's previous stay, or SIZE_MAX */
	struct link_key *keys = NULL;
	hg_status rc = slot && (next || !n) ? HG_OK : HG_ENOMEM;
	for (size_t i = 0; rc == HG_OK && i < n; i++) {
		s->facts[i].periods = s->periods + s->period_first[i];
		s->facts[i].runs = s->runs + s->run_first[i];
		s->facts[i].days_to_readmission = -1;
		size_t h = (size_t)hash_patient(s->patients[i]) & (cap - 1);
		while (slot[h] && memcmp(s->patients[slot[h] - 1], s->patients[i], EVENT_PNR_SIZE) != 0)
			h = (h + 1) & (cap - 1);
		next[i] = slot[h] ? slot[h] - 1 : SIZE_MAX;
		slot[h] = i + 1;
	}
	for (size_t h = 0; rc == HG_OK && h < cap; h++) {
		if (!slot[h] || next[slot[h] - 1] == SIZE_MAX)
			continue; /* no patient, or one stay */
		n_keys = 0;
		for (size_t i = slot[h] - 1; i != SIZE_MAX && rc == HG_OK; i = next[i]) {
			rc = grow((void **)&keys, &cap_keys, n_keys, sizeof *keys);
			if (rc == HG_OK)
				keys[n_keys++] = (struct link_key){s->facts[i].admitted_at, i};
		}
		if (rc == HG_OK)
			link_stays(s, keys, n_keys);
	}
	hg_free(keys);
	hg_free(next);
	hg_free(slot);
	if (rc == HG_OK)
		s->finished = true;
	return rc;
}

/* ---- the facts, read ---- */

int indicator_fact_ready_days(const indicator_fact *f, hg_date at)
{
	int days = 0;
	for (size_t i = 0; i < f->n_periods; i++) {
		const indicator_period *p = &f->periods[i];
		hg_date to = p->to == HG_DATE_NONE || p->to > at ? at : p->to;
		if (to > p->from)
			days += to - p->from;
	}
	return days;
}

bool indicator_fact_ready_at(const indicator_fact *f, hg_instant t, size_t *period)
{
	if (f->admitted_at > t || (f->discharged_at != HG_INSTANT_NONE && f->discharged_at <= t))
		return false;
	if (!f->periods)
		return false; /* a fact of a set never finished (its finish ran out of memory): no periods to read */
	for (size_t i = 0; i < f->n_periods; i++) {
		const indicator_period *p = &f->periods[i];
		if (p->start <= t && (p->end == HG_INSTANT_NONE || p->end > t)) {
			if (period)
				*period = i;
			return true;
		}
	}
	return false;
}

/* ---- grouping ---- */

struct row_acc {
	uint64_t key[INDICATOR_DIMS_MAX];
	double acc[ACC_MAX];
	int *values; /* ready-days, or minutes to acknowledge: for the median and the 90th percentile */
	size_t n_values, cap_values;
	size_t last_fact;   /* the fact last counted in night_episodes, or SIZE_MAX */
	size_t last_liable; /* the fact last counted in liable_episodes or excluded_episodes, or SIZE_MAX */
};

struct grouping {
	const indicator_set *s;
	const indicator_query *q;
	struct row_acc *rows;
	size_t n_rows, cap_rows;
	size_t *slots; /* row index + 1; 0 = free */
	size_t n_slots;
	struct row_acc total;
	hg_status rc; /* sticky: the first failure */
};

/* What a dimension's key is for one fact (and, for the subject's own dimensions, a deviation or notice). */
static uint64_t key_of(indicator_dim d, const indicator_fact *f, hg_date date, const struct dev_fact *dev,
		       const struct ack_fact *ack)
{
	int y, m, dd, w;
	switch (d) {
	case IND_DIM_COUNTY: return (uintptr_t)f->county;
	case IND_DIM_MUNICIPALITY: return (uintptr_t)f->municipality;
	case IND_DIM_HOSPITAL: return (uintptr_t)f->hospital;
	case IND_DIM_WARD: return (uintptr_t)f->ward;
	case IND_DIM_CARE: return (uint64_t)f->care;
	case IND_DIM_CARE_GROUP: return f->care == CARE_PSYCHIATRIC ? 1 : 0;
	case IND_DIM_AGE_BAND: return (uint64_t)age_band_index(f->age);
	case IND_DIM_TRACK: return (uint64_t)(f->track + 1);
	case IND_DIM_YEAR: date_to_ymd(date, &y, &m, &dd); return (uint64_t)y;
	case IND_DIM_MONTH: date_to_ymd(date, &y, &m, &dd); return (uint64_t)(y * 12 + m - 1);
	case IND_DIM_WEEK: iso_week(date, &y, &w); return (uint64_t)(y * 100 + w);
	case IND_DIM_CATEGORY: return dev ? (uint64_t)dev->category : 0;
	case IND_DIM_PARTY: return dev ? (uintptr_t)dev->party : 0;
	case IND_DIM_RECIPIENT: return ack ? (uintptr_t)ack->unit : 0;
	case IND_DIM_RECIPIENT_KIND: return ack ? (uint64_t)ack->kind : 0;
	case IND_DIM_NOTICE: return ack && ack->ready ? 1 : 0;
	case IND_DIM_COUNT: break;
	}
	return 0;
}

static void key_text(indicator_dim d, uint64_t v, char out[INDICATOR_KEY_MAX])
{
	const char *text = "";
	switch (d) {
	case IND_DIM_COUNTY:
	case IND_DIM_MUNICIPALITY:
	case IND_DIM_HOSPITAL:
	case IND_DIM_WARD:
	case IND_DIM_PARTY:
	case IND_DIM_RECIPIENT: text = (const char *)(uintptr_t)v; break;
	case IND_DIM_CARE: text = care_type_label((care_type)v)->code; break;
	case IND_DIM_CARE_GROUP: text = v ? "psychiatric" : "somatic"; break;
	case IND_DIM_AGE_BAND: {
		static const char *const bands[] = {"0-17", "18-64", "65-79", "80+", "unknown"};
		text = v < COUNT_OF(bands) ? bands[v] : "unknown";
		break;
	}
	case IND_DIM_TRACK: text = v == 0 ? "none" : track_colour_label((track_colour)(v - 1))->code; break;
	case IND_DIM_YEAR: snprintf(out, INDICATOR_KEY_MAX, "%04d", (int)v % 10000); return;
	case IND_DIM_MONTH: snprintf(out, INDICATOR_KEY_MAX, "%04d-%02d", (int)(v / 12) % 10000, (int)(v % 12) + 1); return;
	case IND_DIM_WEEK: snprintf(out, INDICATOR_KEY_MAX, "%04d-W%02d", (int)(v / 100) % 10000, (int)(v % 100)); return;
	case IND_DIM_CATEGORY: text = deviation_category_label((deviation_category)v)->code; break;
	case IND_DIM_RECIPIENT_KIND: text = unit_kind_label((unit_kind)v)->code; break;
	case IND_DIM_NOTICE: text = v ? "ready_for_discharge" : "admission_notice"; break;
	case IND_DIM_COUNT: break;
	}
	snprintf(out, INDICATOR_KEY_MAX, "%s", text ? text : "");
}

static uint64_t hash_key(const uint64_t *k, size_t n)
{
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < n; i++) {
		h ^= k[i] + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2);
		h *= 1099511628211u;
	}
	return h;
}

static hg_status slots_grow(struct grouping *g)
{
	size_t n = g->n_slots ? g->n_slots * 2 : 256;
	size_t *slots = hg_calloc(n, sizeof *slots);
	if (!slots)
		return HG_ENOMEM;
	for (size_t r = 0; r < g->n_rows; r++) {
		size_t j = hash_key(g->rows[r].key, g->q->n_dims) & (n - 1);
		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = r + 1;
	}
	hg_free(g->slots);
	g->slots = slots;
	g->n_slots = n;
	return HG_OK;
}

/* The row of one fact at `date` (the time dimensions' date), created on first use; NULL on failure. */
static struct row_acc *row_for(struct grouping *g, const indicator_fact *f, hg_date date, const struct dev_fact *dev,
			       const struct ack_fact *ack)
{
	uint64_t key[INDICATOR_DIMS_MAX] = {0};
	size_t nd = g->q->n_dims;
	if (g->rc != HG_OK)
		return NULL;
	for (size_t i = 0; i < nd; i++)
		key[i] = key_of(g->q->dims[i], f, date, dev, ack);
	if ((g->n_rows + 1) * 2 > g->n_slots && (g->rc = slots_grow(g)) != HG_OK)
		return NULL;
	size_t j = hash_key(key, nd) & (g->n_slots - 1);
	for (; g->slots[j]; j = (j + 1) & (g->n_slots - 1)) {
		struct row_acc *r = &g->rows[g->slots[j] - 1];
		if (memcmp(r->key, key, sizeof key) == 0)
			return r;
	}
	if ((g->rc = grow((void **)&g->rows, &g->cap_rows, g->n_rows, sizeof *g->rows)) != HG_OK)
		return NULL;
	struct row_acc *r = &g->rows[g->n_rows];
	memset(r, 0, sizeof *r);
	memcpy(r->key, key, sizeof key);
	r->last_fact = r->last_liable = SIZE_MAX;
	g->slots[j] = ++g->n_rows;
	return r;
}

static void push_value(struct grouping *g, struct row_acc *r, int v)
{
	if (g->rc == HG_OK)
		g->rc = grow((void **)&r->values, &r->cap_values, r->n_values, sizeof *r->values);
	if (g->rc == HG_OK)
		r->values[r->n_values++] = v;
}

static bool passes(const indicator_query *q, const indicator_fact *f)
{
	return (!q->municipality || strcmp(q->municipality, f->municipality) == 0) &&
	       (!q->county || strcmp(q->county, f->county) == 0) && (!q->ward || strcmp(q->ward, f->ward) == 0);
}

static bool in_period(const indicator_query *q, hg_date d) { return d != HG_DATE_NONE && d >= q->from && d < q->to; }

/* The figures of an episode that ended in the period, added to one accumulator row. */
static void add_ended(struct grouping *g, struct row_acc *r, const indicator_fact *f)
{
	double *a = r->acc;
	int rd = indicator_fact_ready_days(f, f->discharged);
	a[A_EPISODES]++;
	if (f->n_periods > 0) {
		a[A_READY_DISCH]++;
		if (rd == 0)
			a[A_SAME_DAY]++;
	}
	if (f->liability == IND_LIABILITY_BILLABLE)
		for (size_t k = 0; k < f->n_runs; k++)
			a[A_LIABLE_ENDED] += f->runs[k].to - f->runs[k].from;
	if (rd >= 1) {
		a[A_READY_EP]++;
		a[A_READY_DAYS] += rd;
		push_value(g, r, rd);
	}
	if (f->destination != DEST_DECEASED && f->destination != DEST_OTHER_HOSPITAL) {
		bool readmitted = f->days_to_readmission >= 0 && f->days_to_readmission <= INDICATOR_READMISSION_DAYS;
		a[A_RIDX]++;
		a[A_READM] += readmitted;
		if (f->age >= 65) {
			a[A_RIDX65]++;
			a[A_READM65] += readmitted;
		}
	}
	static const int due[DEADLINE_KIND_COUNT][2] = {
		[DEADLINE_ADMISSION_NOTICE] = {A_NOTICE_DUE, A_NOTICE_MET},
		[DEADLINE_CARE_CONTACT] = {A_CONTACT_DUE, A_CONTACT_MET},
		[DEADLINE_SIP_CALL] = {A_SIPCALL_DUE, A_SIPCALL_MET},
		[DEADLINE_CARE_PLAN_CALL] = {A_PLANCALL_DUE, A_PLANCALL_MET},
	};
	/* Time from the ready notice to the municipality's decision (issue 14.3), in local days. */
	if (f->n_periods > 0 && f->municipal_decision_at != HG_INSTANT_NONE && f->municipal_decision_at >= f->periods[0].start) {
		a[A_DECISION_EP]++;
		a[A_DECISION_DAYS] += cal_local_date(f->municipal_decision_at) - f->periods[0].from;
	}
	a[A_CHILDREN] += f->children_as_relatives;
	for (int k = 0; k < DEADLINE_KIND_COUNT; k++) {
		deadline_state ds = f->deadlines[k];
		if (ds == DEADLINE_MET || ds == DEADLINE_MET_LATE || ds == DEADLINE_OVERDUE)
			a[due[k][0]]++;
		if (ds == DEADLINE_MET)
			a[due[k][1]]++;
	}
	a[A_DATE_CHANGES] += f->date_changes;
	a[A_WITHDRAWALS] += f->withdrawals;
	if (f->sip_held_place >= 0) {
		static const int place_acc[SIP_PLACE_COUNT] = {
			[SIP_HOME] = A_SIP_HOME, [SIP_HOSPITAL] = A_SIP_HOSPITAL, [SIP_VIDEO] = A_SIP_VIDEO,
			[SIP_OTHER] = A_SIP_OTHER};
		a[A_SIP_HELD]++;
		if (f->sip_held_place < SIP_PLACE_COUNT)
			a[place_acc[f->sip_held_place]]++;
	}
	if (f->track >= 0) {
		static const int colour_acc[TRACK_COLOUR_COUNT] = {
			[TRACK_GREEN] = A_GREEN, [TRACK_YELLOW] = A_YELLOW, [TRACK_RED] = A_RED};
		a[A_TRACK]++;
		if (f->track < TRACK_COLOUR_COUNT)
			a[colour_acc[f->track]]++;
		if (f->track == TRACK_RED && (f->sip_held_at == HG_INSTANT_NONE || f->sip_held_at >= f->discharged_at))
			a[A_RED_NO_SIP]++;
	}
	if (f->has_survey) {
		a[A_SURVEY]++;
		for (int q = 0; q < SURVEY_QUESTION_COUNT; q++) {
			if (f->survey[q] == SURVEY_UNANSWERED)
				continue;
			a[A_Q_ANSWERED + q]++;
			a[A_Q_YES + q] += f->survey[q] == SURVEY_YES;
		}
	}
}

/* k ready nights of fact `fact` in one row. */
static void add_nights(struct row_acc *r, size_t fact, int k)
{
	r->acc[A_NIGHTS] += k;
	if (r->last_fact != fact) {
		r->last_fact = fact;
		r->acc[A_NIGHT_EP]++;
	}
}

/* k liable nights of fact `fact` at amount_ore each (or, when excluded, k nights not billed). */
static void add_liable_nights(struct row_acc *r, size_t fact, bool excluded, int k, int64_t amount_ore)
{
	static const int acc[2][3] = {{A_LIABLE_EP, A_LIABLE_NIGHTS, A_LIABLE_ORE}, {A_EXCL_EP, A_EXCL_NIGHTS, A_EXCL_ORE}};
	const int *a = acc[excluded];
	r->acc[a[1]] += k;
	r->acc[a[2]] += (double)amount_ore * k; /* exact: sums of öre stay far below 2^53 */
	if (r->last_liable != fact) {
		r->last_liable = fact;
		r->acc[a[0]]++;
	}
}

/*
 * The first date after d on which a time dimension of q may have another key
 * (a new year, month or ISO week): the nights of [d, that date) share one row.
 * Without a time dimension every night of a fact shares one row.
 */
static hg_date segment_end(const indicator_query *q, hg_date d)
{
	hg_date end = HG_DATE_NONE;
	for (size_t i = 0; i < q->n_dims; i++) {
		int y, m, dd;
		hg_date next;
		switch (q->dims[i]) {
		case IND_DIM_YEAR: date_to_ymd(d, &y, &m, &dd); next = date_from_ymd(y + 1, 1, 1); break;
		case IND_DIM_MONTH: date_to_ymd(d, &y, &m, &dd); next = d - dd + 1 + date_days_in_month(y, m); break;
		case IND_DIM_WEEK: next = d - date_weekday(d) + HG_MON + 7; break;
		default: continue;
		}
		if (end == HG_DATE_NONE || next < end)
			end = next;
	}
	return end;
}

static bool has_time_dim(const indicator_query *q)
{
	for (size_t i = 0; i < q->n_dims; i++)
		if (q->dims[i] == IND_DIM_YEAR || q->dims[i] == IND_DIM_MONTH || q->dims[i] == IND_DIM_WEEK)
			return true;
	return false;
}

static void group_episodes(struct grouping *g)
{
	const indicator_set *s = g->s;
	const indicator_query *q = g->q;
	hg_date asof_date = cal_local_date(s->cfg.asof);
	bool timed = has_time_dim(q);
	for (size_t i = 0; i < s->n && g->rc == HG_OK; i++) {
		const indicator_fact *f = &s->facts[i];
		if (!passes(q, f))
			continue;
		if (in_period(q, f->discharged)) {
			struct row_acc *r = row_for(g, f, f->discharged, NULL, NULL);
			if (!r)
				break;
			add_ended(g, r, f);
			add_ended(g, &g->total, f);
		}
		struct row_acc *r = NULL;
		for (size_t p = 0; p < f->n_periods && g->rc == HG_OK; p++) {
			const indicator_period *per = &f->periods[p];
			hg_date lo = per->from > q->from ? per->from : q->from;
			hg_date hi = per->to == HG_DATE_NONE ? asof_date : per->to;
			if (hi > q->to)
				hi = q->to;
			for (hg_date d = lo; d < hi;) {
				hg_date end = timed ? segment_end(q, d) : hi;
				if (end > hi)
					end = hi;
				if (!r || timed)
					r = row_for(g, f, d, NULL, NULL);
				if (!r)
					break;
				add_nights(r, i, end - d);
				add_nights(&g->total, i, end - d);
				d = end;
			}
		}
		bool excluded = f->liability == IND_LIABILITY_EXCLUDED;
		for (size_t k = 0; k < f->n_runs && g->rc == HG_OK; k++) {
			const indicator_liable_run *run = &f->runs[k];
			hg_date lo = run->from > q->from ? run->from : q->from;
			hg_date hi = run->to < q->to ? run->to : q->to;
			for (hg_date d = lo; d < hi;) {
				hg_date end = timed ? segment_end(q, d) : hi;
				if (end > hi)
					end = hi;
				if (!r || timed)
					r = row_for(g, f, d, NULL, NULL);
				if (!r)
					break;
				add_liable_nights(r, i, excluded, end - d, run->amount_ore);
				add_liable_nights(&g->total, i, excluded, end - d, run->amount_ore);
				d = end;
			}
		}
	}
}

static void group_deviations(struct grouping *g)
{
	for (size_t i = 0; i < g->s->n_devs && g->rc == HG_OK; i++) {
		const struct dev_fact *d = &g->s->devs[i];
		const indicator_fact *f = &g->s->facts[d->fact];
		if (!passes(g->q, f) || !in_period(g->q, d->date))
			continue;
		struct row_acc *r = row_for(g, f, d->date, d, NULL);
		if (!r)
			break;
		r->acc[A_DEVIATIONS]++;
		g->total.acc[A_DEVIATIONS]++;
	}
}

static void add_ack_to(struct grouping *g, struct row_acc *r, const struct ack_fact *k)
{
	r->acc[A_NOTICES]++;
	if (k->acked == HG_INSTANT_NONE || k->acked > g->s->cfg.asof)
		return;
	hg_instant secs = k->acked - k->sent;
	if (secs < 0)
		secs = 0;
	r->acc[A_ACKED]++;
	r->acc[A_ACKED_24H] += secs <= 24 * 3600;
	push_value(g, r, (int)(secs / 60 > 100000000 ? 100000000 : secs / 60));
}

static void group_acks(struct grouping *g)
{
	for (size_t i = 0; i < g->s->n_acks && g->rc == HG_OK; i++) {
		const struct ack_fact *k = &g->s->acks[i];
		const indicator_fact *f = &g->s->facts[k->fact];
		if (!passes(g->q, f) || !in_period(g->q, k->date))
			continue;
		struct row_acc *r = row_for(g, f, k->date, NULL, k);
		if (!r)
			break;
		add_ack_to(g, r, k);
		add_ack_to(g, &g->total, k);
	}
}

/* The cells of one row from its accumulators. */
static void fill_cells(struct row_acc *r, const indicator_measure *ms, size_t nm, indicator_subject subj,
		       indicator_cell *cells)
{
	for (size_t i = 0; i < nm; i++) {
		const indicator_measure *m = &ms[i];
		indicator_cell *c = &cells[i];
		c->state = IND_CELL_VALUE;
		c->value = 0;
		switch (m->kind) {
		case IND_COUNT:
		case IND_SUM:
			if (m->num < 0)
				c->state = IND_CELL_EMPTY; /* not counted: filled from elsewhere (yardstick_cells) */
			else
				c->value = m->divisor > 1 ? r->acc[m->num] / m->divisor : r->acc[m->num];
			break;
		case IND_MEAN:
		case IND_SHARE:
			if (m->den >= 0 && r->acc[m->den] > 0)
				c->value = r->acc[m->num] / r->acc[m->den];
			else
				c->state = IND_CELL_EMPTY;
			break;
		case IND_MEDIAN:
		case IND_P90:
			if (r->n_values == 0) {
				c->state = IND_CELL_EMPTY;
				break;
			}
			c->value = indicator_quantile(r->values, r->n_values, m->kind == IND_MEDIAN ? 0.5 : 0.9);
			if (subj == IND_SUBJECT_ACKS)
				c->value /= 60.0; /* minutes to hours */
			break;
		case IND_KIND_COUNT: c->state = IND_CELL_EMPTY; break;
		}
	}
}

/*
 * The yardstick columns of a row of one municipality (a municipality
 * dimension, or the query's municipality filter; keys NULL: the total row):
 * the target of the agreement in force for it on the period's last day.
 */
static void yardstick_cells(const indicator_set *s, const indicator_query *q, char (*keys)[INDICATOR_KEY_MAX],
			    indicator_cell *cells)
{
	const char *municipality = q->municipality;
	for (size_t d = 0; keys && d < q->n_dims; d++)
		if (q->dims[d] == IND_DIM_MUNICIPALITY)
			municipality = keys[d];
	int64_t centidays;
	int year;
	const agreement *a =
		municipality ? agreement_find_in_force(s->agreements, s->n_agreements, municipality, q->to - 1) : NULL;
	if (!a || !agreement_target_for(a, municipality, &centidays, &year))
		return;
	cells[M_LIABLE_DAYS_TARGET] = (indicator_cell){(double)centidays / 100.0, IND_CELL_VALUE};
	cells[M_TARGET_YEAR] = (indicator_cell){(double)year, IND_CELL_VALUE};
}

static int cmp_rows(const void *a, const void *b)
{
	const indicator_row *x = a, *y = b;
	for (int i = 0; i < INDICATOR_DIMS_MAX; i++) {
		int c = strcmp(x->keys[i], y->keys[i]);
		if (c)
			return c;
	}
	return 0;
}

void indicator_table_free(indicator_table *t)
{
	if (!t)
		return;
	hg_free(t->total.cells);
	hg_free(t->rows);
	memset(t, 0, sizeof *t);
}

static void grouping_free(struct grouping *g)
{
	for (size_t i = 0; i < g->n_rows; i++)
		hg_free(g->rows[i].values);
	hg_free(g->rows);
	hg_free(g->slots);
	hg_free(g->total.values);
}

static indicator_error check_query(const indicator_query *q)
{
	if ((unsigned)q->subject >= IND_SUBJECT_COUNT)
		return IND_ERR_SUBJECT;
	if (q->from == HG_DATE_NONE || q->to == HG_DATE_NONE || q->to <= q->from || q->to - q->from > PERIOD_DAYS_MAX)
		return IND_ERR_PERIOD;
	if (q->n_dims > INDICATOR_DIMS_MAX)
		return IND_ERR_DIMS;
	for (size_t i = 0; i < q->n_dims; i++) {
		if ((unsigned)q->dims[i] >= IND_DIM_COUNT)
			return IND_ERR_DIMS;
		for (size_t j = 0; j < i; j++)
			if (q->dims[j] == q->dims[i])
				return IND_ERR_DIMS;
		if (!indicator_dim_allowed(q->subject, q->dims[i]))
			return IND_ERR_DIM_SUBJECT;
	}
	return IND_ERR_NONE;
}

hg_status indicator_compute(const indicator_set *s, const indicator_query *q, indicator_table *out,
			    indicator_error *err)
{
	struct grouping g;
	indicator_error e = check_query(q);
	memset(out, 0, sizeof *out);
	if (err)
		*err = e;
	if (e != IND_ERR_NONE)
		return HG_EINVAL;
	if (!s || !s->finished)
		return HG_EINVAL; /* a caller's bug: indicator_set_finish first */
	memset(&g, 0, sizeof g);
	g.s = s;
	g.q = q;
	g.total.last_fact = g.total.last_liable = SIZE_MAX;
	switch (q->subject) {
	case IND_SUBJECT_EPISODES: group_episodes(&g); break;
	case IND_SUBJECT_DEVIATIONS: group_deviations(&g); break;
	case IND_SUBJECT_ACKS: group_acks(&g); break;
	case IND_SUBJECT_COUNT: break;
	}
	hg_status rc = g.rc;
	size_t nm = subject_defs[q->subject].n;
	const indicator_measure *ms = subject_defs[q->subject].defs;
	indicator_cell *cells = NULL;
	if (rc == HG_OK) {
		cells = hg_calloc((g.n_rows + 1) * nm, sizeof *cells);
		out->rows = g.n_rows ? hg_calloc(g.n_rows, sizeof *out->rows) : NULL;
		if (!cells || (g.n_rows && !out->rows))
			rc = HG_ENOMEM;
	}
	if (rc == HG_OK) {
		out->query = *q;
		out->query.municipality = out->query.county = out->query.ward = NULL;
		out->measures = ms;
		out->n_measures = nm;
		out->n_rows = g.n_rows;
		out->total.cells = cells;
		fill_cells(&g.total, ms, nm, q->subject, cells);
		for (size_t i = 0; i < g.n_rows; i++) {
			indicator_row *row = &out->rows[i];
			row->cells = cells + (i + 1) * nm;
			for (size_t d = 0; d < q->n_dims; d++)
				key_text(q->dims[d], g.rows[i].key[d], row->keys[d]);
			fill_cells(&g.rows[i], ms, nm, q->subject, row->cells);
			if (q->subject == IND_SUBJECT_EPISODES)
				yardstick_cells(s, q, row->keys, row->cells);
		}
		if (q->subject == IND_SUBJECT_EPISODES)
			yardstick_cells(s, q, NULL, out->total.cells);
		/* Sorting moves rows but not their cells: the cell pointer travels with the row. */
		if (out->n_rows > 1) /* no rows: no array to sort (qsort wants one even for 0 elements) */
			qsort(out->rows, out->n_rows, sizeof *out->rows, cmp_rows);
	} else {
		hg_free(cells);
		hg_free(out->rows);
		memset(out, 0, sizeof *out);
	}
	grouping_free(&g);
	return rc;
}

_Static_assert(M_EP_COUNT <= 64 && MD_COUNT <= 64 && MK_COUNT <= 64, "suppress_row keeps 64 flags");

static void suppress_row(indicator_row *row, const indicator_measure *ms, size_t nm, int min_cell)
{
	bool blank[64];
	for (size_t i = 0; i < nm && i < COUNT_OF(blank); i++) {
		double base = row->cells[ms[i].base].value;
		blank[i] = base >= 1 && base < min_cell;
	}
	for (size_t i = 0; i < nm && i < COUNT_OF(blank); i++) {
		if (blank[i]) {
			row->cells[i].state = IND_CELL_SUPPRESSED;
			row->cells[i].value = 0;
		}
	}
}

void indicator_suppress(indicator_table *t, int min_cell)
{
	if (min_cell <= 1 || !t->total.cells)
		return;
	t->min_cell = min_cell;
	for (size_t r = 0; r < t->n_rows; r++)
		suppress_row(&t->rows[r], t->measures, t->n_measures, min_cell);
	suppress_row(&t->total, t->measures, t->n_measures, min_cell);
}
