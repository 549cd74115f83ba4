/*
 * event.c - the event type table, the code tables of payload values, the
 * rejection reasons, and the checks that concern one event on its own.
 *
 * Adding an event type means adding a row to event_types[] and a validator row
 * to payload_checks[]; adding a reason means adding a row to reasons[]. The
 * episode rules (order of events) are in episode.c.
 */
#include "core/event.h"

#include <stdio.h> /* snprintf only */
#include <string.h>

#include "core/calendar.h"
#include "core/pnr.h"

#define K(k) EVENT_KIND_BIT(k)
#define KINDS_WARD K(UNIT_WARD)
#define KINDS_OUTPATIENT (K(UNIT_PRIMARY_CARE) | K(UNIT_SPECIALIST_OUTPATIENT))
#define KINDS_MUNICIPAL (K(UNIT_MUNICIPAL_SOCIAL) | K(UNIT_MUNICIPAL_HEALTH) | K(UNIT_MUNICIPAL_IFO))
/* Every unit that takes part in care; administration units only read and invoice. */
#define KINDS_CARE (KINDS_WARD | KINDS_OUTPATIENT | KINDS_MUNICIPAL)

/* code, sv, en, author kinds, is_notice, after_discharge, needs_party */
static const event_type_info event_types[EVENT_TYPE_COUNT] = {
	[EVENT_ADMITTED] = {"admitted", "inskrivning", "admission", KINDS_WARD, false, false, false},
	[EVENT_TRANSFERRED] = {"transferred", "överflyttning mellan avdelningar", "transfer between wards",
			       KINDS_WARD, false, false, false},
	[EVENT_ADMISSION_NOTICE] = {"admission_notice", "inskrivningsmeddelande", "admission notice", KINDS_WARD,
				    true, false, false},
	[EVENT_EXPECTED_DATE_CHANGED] = {"expected_date_changed", "ändrat beräknat utskrivningsdatum",
					 "expected discharge date changed", KINDS_WARD, true, false, false},
	[EVENT_ACKNOWLEDGED] = {"acknowledged", "kvittens", "notice acknowledged", KINDS_CARE, false, true, false},
	[EVENT_INFO_REQUESTED] = {"info_requested", "begäran om information", "information requested", KINDS_CARE,
				  false, false, false},
	[EVENT_INFO_REPLIED] = {"info_replied", "svar på begäran om information", "information request answered",
				KINDS_CARE, false, true, false},
	[EVENT_CONSENT_RECORDED] = {"consent_recorded", "samtycke", "consent recorded", KINDS_CARE, false, true,
				    false},
	[EVENT_TRACK_SET] = {"track_set", "processfärg satt", "process track set", KINDS_WARD | KINDS_OUTPATIENT,
			     false, false, false},
	[EVENT_CARE_CONTACT_APPOINTED] = {"care_contact_appointed", "fast vårdkontakt utsedd",
					  "care contact appointed", KINDS_OUTPATIENT, false, false, true},
	[EVENT_SIP_CALLED] = {"sip_called", "kallelse till SIP", "SIP meeting called", KINDS_OUTPATIENT | KINDS_MUNICIPAL,
			      false, true, true},
	[EVENT_SIP_HELD] = {"sip_held", "SIP genomförd", "SIP meeting held", KINDS_OUTPATIENT | KINDS_MUNICIPAL, false,
			    true, true},
	[EVENT_READY_FOR_DISCHARGE] = {"ready_for_discharge", "underrättelse om utskrivningsklar",
				       "ready for discharge", KINDS_WARD, true, false, false},
	[EVENT_READY_WITHDRAWN] = {"ready_withdrawn", "återtagen utskrivningsklar", "ready for discharge withdrawn",
				   KINDS_WARD, true, false, false},
	[EVENT_MUNICIPALITY_READY] = {"municipality_ready", "hemgångsklar", "municipality ready to receive",
				      KINDS_MUNICIPAL, false, false, true},
	[EVENT_DISCHARGED] = {"discharged", "utskrivning", "discharge", KINDS_WARD, true, false, false},
	[EVENT_DEVIATION] = {"deviation", "avvikelse", "deviation", KINDS_CARE, false, true, false},
	[EVENT_CANCELLED] = {"cancelled", "makulerad", "cancelled", KINDS_CARE, false, true, false},
	[EVENT_LEAVE_STARTED] = {"leave_started", "permission påbörjad", "leave started", KINDS_WARD, false, false,
				 false},
	[EVENT_LEAVE_ENDED] = {"leave_ended", "permission avslutad", "leave ended", KINDS_WARD, false, false, false},
	[EVENT_LEGAL_FORM_SET] = {"legal_form_set", "vårdform enligt LPT/LRV registrerad",
				  "legal form (LPT/LRV) recorded", KINDS_WARD, false, false, false},
	[EVENT_CARE_PLAN_CALLED] = {"care_plan_called", "kallelse till samordnad vårdplan",
				    "coordinated care plan meeting called", KINDS_CARE, false, false, true},
	[EVENT_CARE_PLAN_ESTABLISHED] = {"care_plan_established", "samordnad vårdplan upprättad",
					 "coordinated care plan established", KINDS_WARD | KINDS_OUTPATIENT, false, false,
					 true},
	[EVENT_CHIEF_PHYSICIAN_APPLIED] = {"chief_physician_applied",
					   "chefsöverläkarens ansökan om öppen tvångsvård",
					   "chief physician's application for open compulsory care", KINDS_WARD, false,
					   false, false},
	[EVENT_MUNICIPAL_REPORT_RECEIVED] = {"municipal_report_received", "inskrivningsmeddelande mottaget som anmälan",
					     "admission notice taken in as a report", KINDS_MUNICIPAL, false, true, true},
	[EVENT_MUNICIPAL_PATIENT_CONTACTED] = {"municipal_patient_contacted", "kontakt med den enskilde",
					       "the patient contacted", KINDS_MUNICIPAL, false, true, true},
	[EVENT_MUNICIPAL_APPLICATION_RECEIVED] = {"municipal_application_received", "ansökan om bistånd inkommen",
						  "application for assistance received", KINDS_MUNICIPAL, false, true,
						  true},
	[EVENT_MUNICIPAL_DECISION] = {"municipal_decision", "beslut om bistånd", "decision on assistance",
				      KINDS_MUNICIPAL, false, true, true},
	[EVENT_MUNICIPAL_PLAN] = {"municipal_plan", "kommunens planering", "the municipality's plan",
				  KINDS_MUNICIPAL, false, false, true},
	[EVENT_HOME_CARE_STARTED] = {"home_care_started", "insatser i hemmet påbörjade", "home care started",
				     KINDS_MUNICIPAL, false, true, true},
	[EVENT_INFORMATION_TRANSFERRED] = {"information_transferred", "informationsöverföring vid utskrivning",
					   "information transferred at discharge", KINDS_WARD, false, true, false},
	[EVENT_PATIENT_INFORMED] = {"patient_informed", "information till patienten", "the patient informed",
				    KINDS_WARD, false, true, false},
	[EVENT_RESPONSIBILITY_TAKEN_OVER] = {"responsibility_taken_over",
					     "medicinskt ansvar och samordningsansvar övertaget",
					     "medical and coordination responsibility taken over", KINDS_OUTPATIENT, false,
					     true, true},
	[EVENT_CHILDREN_AS_RELATIVES] = {"children_as_relatives_recorded", "barn som anhöriga",
					 "children as relatives recorded", KINDS_CARE, false, true, true},
};

static const hg_code_label legal_forms[LEGAL_FORM_COUNT] = {
	[LEGAL_FORM_NONE] = {"none", "frivillig vård", "voluntary care"},
	[LEGAL_FORM_LPT] = {"lpt", "öppen psykiatrisk tvångsvård (LPT 7 a §)", "open compulsory psychiatric care (LPT 7 a §)"},
	[LEGAL_FORM_LRV] = {"lrv", "öppen rättspsykiatrisk vård (LRV 12 a §)", "open forensic psychiatric care (LRV 12 a §)"},
};
static const hg_code_label decision_outcomes[DECISION_OUTCOME_COUNT] = {
	[DECISION_GRANTED] = {"granted", "beviljat", "granted"},
	[DECISION_PARTLY] = {"partly_granted", "delvis beviljat", "partly granted"},
	[DECISION_REJECTED] = {"rejected", "avslag", "rejected"},
};
static const hg_code_label municipal_services[MUNICIPAL_SERVICE_COUNT] = {
	[SERVICE_HOME_CARE] = {"home_care", "hemtjänst", "home care"},
	[SERVICE_HOME_HEALTH_CARE] = {"home_health_care", "hemsjukvård", "home health care"},
	[SERVICE_SAFETY_ALARM] = {"safety_alarm", "trygghetslarm", "safety alarm"},
	[SERVICE_MEALS] = {"meals", "matdistribution", "meals on wheels"},
	[SERVICE_SHORT_TERM_CARE] = {"short_term_care", "korttidsvård", "short-term care"},
	[SERVICE_SPECIAL_HOUSING] = {"special_housing", "särskilt boende", "special housing"},
	[SERVICE_REHABILITATION] = {"rehabilitation", "rehabilitering i hemmet", "rehabilitation at home"},
	[SERVICE_AIDS] = {"aids", "hjälpmedel och bostadsanpassning", "aids and home adaptation"},
	[SERVICE_OTHER] = {"other", "annan insats", "other service"},
};
static const hg_code_label discharge_items[DISCHARGE_ITEM_COUNT] = {
	[DISCHARGE_ITEM_MEDICATION_LIST] = {"medication_list", "läkemedelslista", "medication list"},
	[DISCHARGE_ITEM_DISCHARGE_INFORMATION] = {"discharge_information", "utskrivningsinformation",
						  "discharge information"},
	[DISCHARGE_ITEM_AIDS] = {"aids", "hjälpmedel", "aids"},
	[DISCHARGE_ITEM_APPOINTMENTS] = {"booked_appointments", "bokade besök", "booked appointments"},
};

static const hg_code_label consent_states[CONSENT_STATE_COUNT] = {
	[CONSENT_GIVEN] = {"given", "samtycke lämnat", "consent given"},
	[CONSENT_DECLINED] = {"declined", "samtycke nekat", "consent declined"},
	[CONSENT_WITHDRAWN] = {"withdrawn", "samtycke återkallat", "consent withdrawn"},
	[CONSENT_EXCEPTION] = {"exception", "undantag från samtycke", "exception from consent"},
};
static const hg_code_label consent_hows[CONSENT_HOW_COUNT] = {
	[CONSENT_HOW_VERBAL] = {"verbal", "muntligt", "verbally"},
	[CONSENT_HOW_WRITTEN] = {"written", "skriftligt", "in writing"},
	[CONSENT_HOW_DIGITAL] = {"digital", "digitalt", "digitally"},
	[CONSENT_HOW_REPRESENTATIVE] = {"representative", "genom företrädare", "by a legal representative"},
	[CONSENT_HOW_PRESUMED] = {"presumed", "förmodat samtycke", "presumed"},
	[CONSENT_HOW_UNABLE] = {"unable", "patienten kan inte ta ställning", "the patient is unable to take a stand"},
	[CONSENT_HOW_EMERGENCY] = {"emergency", "nödsituation", "emergency"},
};
static const hg_code_label sip_parties[SIP_PARTY_COUNT] = {
	[SIP_PARTY_PATIENT] = {"patient", "patienten", "the patient"},
	[SIP_PARTY_RELATIVE] = {"relative", "närstående", "relative"},
	[SIP_PARTY_WARD] = {"ward", "slutenvården", "the ward"},
	[SIP_PARTY_PRIMARY_CARE] = {"primary_care", "vårdcentralen", "primary care"},
	[SIP_PARTY_SPECIALIST_OUTPATIENT] = {"specialist_outpatient", "specialistmottagningen", "specialist outpatient clinic"},
	[SIP_PARTY_MUNICIPAL_SOCIAL] = {"municipal_social", "kommunens socialtjänst", "municipal social services"},
	[SIP_PARTY_MUNICIPAL_HEALTH] = {"municipal_health", "kommunal hälso- och sjukvård", "municipal health care"},
	[SIP_PARTY_OTHER] = {"other", "annan", "other"},
};
static const hg_code_label admission_reasons[ADMISSION_REASON_COUNT] = {
	[ADMISSION_REASON_UNSTATED] = {"unstated", "ej angiven", "not stated"},
	[ADMISSION_REASON_ACUTE_ILLNESS] = {"acute_illness", "akut sjukdom", "acute illness"},
	[ADMISSION_REASON_FALL_INJURY] = {"fall_injury", "fall eller annan skada", "fall or other injury"},
	[ADMISSION_REASON_INFECTION] = {"infection", "infektion", "infection"},
	[ADMISSION_REASON_CARDIOVASCULAR] = {"cardiovascular", "hjärt- och kärlsjukdom", "cardiovascular disease"},
	[ADMISSION_REASON_STROKE] = {"stroke", "stroke", "stroke"},
	[ADMISSION_REASON_PLANNED_TREATMENT] = {"planned_treatment", "planerad behandling eller operation",
						"planned treatment or surgery"},
	[ADMISSION_REASON_PSYCHIATRIC] = {"psychiatric", "psykiatrisk vård", "psychiatric care"},
	[ADMISSION_REASON_PALLIATIVE] = {"palliative", "palliativ vård", "palliative care"},
	[ADMISSION_REASON_OTHER] = {"other", "annan orsak", "other reason"},
};
static const hg_code_label track_colours[TRACK_COLOUR_COUNT] = {
	[TRACK_GREEN] = {"green", "grön process", "green track"},
	[TRACK_YELLOW] = {"yellow", "gul process", "yellow track"},
	[TRACK_RED] = {"red", "röd process", "red track"},
};
static const hg_code_label sip_places[SIP_PLACE_COUNT] = {
	[SIP_HOME] = {"home", "i hemmet", "at home"},
	[SIP_HOSPITAL] = {"hospital", "på sjukhuset", "in hospital"},
	[SIP_VIDEO] = {"video", "via video", "by video"},
	[SIP_OTHER] = {"other", "annan plats", "elsewhere"},
};
static const hg_code_label destinations[DEST_COUNT] = {
	[DEST_OWN_HOME] = {"own_home", "ordinärt boende", "own home"},
	[DEST_SPECIAL_HOUSING] = {"special_housing", "särskilt boende (SÄBO)", "special housing"},
	[DEST_SHORT_TERM_CARE] = {"short_term_care", "korttidsvård", "short-term care"},
	[DEST_OTHER_HOSPITAL] = {"other_hospital", "annat sjukhus", "other hospital"},
	[DEST_DECEASED] = {"deceased", "avliden", "deceased"},
	[DEST_OTHER] = {"other", "annat", "other"},
};
static const hg_code_label deviation_categories[DEVIATION_CATEGORY_COUNT] = {
	[DEVIATION_NOTICE_MISSING] = {"notice_missing", "inskrivningsmeddelande saknas", "admission notice missing"},
	[DEVIATION_NOTICE_LATE] = {"notice_late", "inskrivningsmeddelande för sent", "admission notice late"},
	[DEVIATION_INFORMATION_INCOMPLETE] = {"information_incomplete", "bristfällig information",
					      "information incomplete"},
	[DEVIATION_DISCHARGE_NOT_READY] = {"discharge_not_ready", "utskrivning utan planering",
					   "discharged without the planning in place"},
	[DEVIATION_MEDICATION] = {"medication", "läkemedel", "medication"},
	[DEVIATION_CARE_CONTACT_MISSING] = {"care_contact_missing", "fast vårdkontakt saknas",
					    "care contact missing"},
	[DEVIATION_SIP_MISSING] = {"sip_missing", "SIP saknas", "SIP missing"},
	[DEVIATION_EQUIPMENT] = {"equipment", "hjälpmedel", "assistive equipment"},
	[DEVIATION_TRANSPORT] = {"transport", "transport", "transport"},
	[DEVIATION_OTHER] = {"other", "övrigt", "other"},
};

#define CONFLICT HG_ECONFLICT
static const event_reason_info reasons[EVR_COUNT] = {
	[EVR_OK] = {"ok", "No error.", "Inget fel.", HG_OK},
	[EVR_UNKNOWN_TYPE] = {"unknown_type", "Unknown event type.", "Okänd händelsetyp.", HG_EINVAL},
	[EVR_REQUIRED] = {"required", "A required field is missing.", "Ett obligatoriskt fält saknas.", HG_EINVAL},
	[EVR_NOT_TERMINATED] = {"too_long", "A text field is too long.", "Ett textfält är för långt.", HG_EINVAL},
	[EVR_BAD_CODE] = {"bad_code", "A code is not one of the allowed values.",
			  "En kod har inte ett av de tillåtna värdena.", HG_EINVAL},
	[EVR_BAD_INSTANT] = {"bad_instant", "A time is outside the supported years.",
			     "En tidpunkt ligger utanför de år som stöds.", HG_EINVAL},
	[EVR_BAD_DATE] = {"bad_date", "A date is outside the supported years.",
			  "Ett datum ligger utanför de år som stöds.", HG_EINVAL},
	[EVR_IN_FUTURE] = {"occurred_in_future", "The event happens after it was recorded.",
			   "Händelsen inträffar efter att den registrerades.", HG_EINVAL},
	[EVR_BAD_PERSONNUMMER] = {"bad_personnummer", "The identity number is not a valid normalised personnummer, samordningsnummer or reserve number.",
				  "Identitetsnumret är inte ett giltigt normaliserat person-, samordnings- eller reservnummer.",
				  HG_EINVAL},
	[EVR_BAD_MUNICIPALITY] = {"bad_municipality_code", "A municipality code must be four digits.",
				  "En kommunkod ska vara fyra siffror.", HG_EINVAL},
	[EVR_BAD_CODE_TEXT] = {"bad_code_text", "A code must be lower-case letters, digits and underscores.",
			       "En kod får bara innehålla gemener, siffror och understreck.", HG_EINVAL},
	[EVR_BAD_SEQ] = {"bad_seq", "A sequence number must be positive.", "Ett löpnummer ska vara positivt.",
			 HG_EINVAL},
	[EVR_NO_RECIPIENTS] = {"no_recipients", "A notice needs at least one recipient.",
			       "Ett meddelande behöver minst en mottagare.", HG_EINVAL},
	[EVR_TOO_MANY_RECIPIENTS] = {"too_many_recipients", "A notice has too many recipients.",
				     "Ett meddelande har för många mottagare.", HG_EINVAL},
	[EVR_DUPLICATE_RECIPIENT] = {"duplicate_recipient", "A recipient is listed twice.",
				     "En mottagare finns med två gånger.", HG_EINVAL},
	[EVR_EXPECTED_DATE_TOO_FAR] = {"expected_date_too_far", "The expected discharge date is more than a year ahead.",
				       "Beräknat utskrivningsdatum ligger mer än ett år framåt.", HG_EINVAL},
	[EVR_EXPECTED_DATE_BEFORE_NOTICE] = {"expected_date_in_past", "The expected discharge date is before the day of the notice.",
					     "Beräknat utskrivningsdatum ligger före meddelandets dag.", HG_EINVAL},
	[EVR_BAD_CORRECTION] = {"bad_correction", "corrects_seq must be positive, and a cancellation cannot be a correction.",
				"corrects_seq ska vara positivt, och en makulering kan inte vara en rättelse.", HG_EINVAL},
	[EVR_SEQ_OUT_OF_ORDER] = {"seq_out_of_order", "The event is not the next in its episode.",
				  "Händelsen är inte nästa i sitt vårdtillfälle.", CONFLICT},
	[EVR_NOTICE_BEFORE_ADMISSION] = {"notice_before_admission", "An admission notice cannot precede the admission.",
					 "Ett inskrivningsmeddelande kan inte komma före inskrivningen.", CONFLICT},
	[EVR_READY_BEFORE_ADMISSION] = {"ready_before_admission", "A ready-for-discharge notice cannot precede the admission.",
					"Utskrivningsklar kan inte komma före inskrivningen.", CONFLICT},
	[EVR_DISCHARGE_BEFORE_ADMISSION] = {"discharge_before_admission", "A discharge cannot precede the admission.",
					    "En utskrivning kan inte komma före inskrivningen.", CONFLICT},
	[EVR_EVENT_BEFORE_ADMISSION] = {"event_before_admission", "The event cannot precede the admission.",
					"Händelsen kan inte komma före inskrivningen.", CONFLICT},
	[EVR_ALREADY_ADMITTED] = {"already_admitted", "The episode already has an admission.",
				  "Vårdtillfället har redan en inskrivning.", CONFLICT},
	[EVR_AFTER_DISCHARGE] = {"after_discharge", "This event is not allowed after the discharge.",
				 "Händelsen är inte tillåten efter utskrivningen.", CONFLICT},
	[EVR_EPISODE_CANCELLED] = {"episode_cancelled", "The episode has been cancelled.",
				   "Vårdtillfället är makulerat.", CONFLICT},
	[EVR_AUTHOR_KIND_NOT_ALLOWED] = {"author_kind_not_allowed", "This kind of unit may not send this event.",
					 "Denna typ av enhet får inte skicka händelsen.", CONFLICT},
	[EVR_AUTHOR_NOT_PARTY] = {"author_not_party", "The author unit has received no notice in this episode.",
				  "Avsändande enhet har inte fått något meddelande i vårdtillfället.", CONFLICT},
	[EVR_EXPECTED_DATE_BEFORE_ADMISSION] = {"expected_date_before_admission", "The expected discharge date is before the admission date.",
						"Beräknat utskrivningsdatum ligger före inskrivningsdagen.", HG_EINVAL},
	[EVR_EXPECTED_DATE_UNCHANGED] = {"expected_date_unchanged", "The expected discharge date is already this date.",
					 "Beräknat utskrivningsdatum är redan detta datum.", CONFLICT},
	[EVR_NO_ADMISSION_NOTICE] = {"no_admission_notice", "No admission notice has been sent in this episode.",
				     "Inget inskrivningsmeddelande har skickats i vårdtillfället.", CONFLICT},
	[EVR_ALREADY_READY] = {"already_ready", "The patient is already ready for discharge.",
			       "Patienten är redan utskrivningsklar.", CONFLICT},
	[EVR_NOT_READY] = {"not_ready", "The patient is not ready for discharge.",
			   "Patienten är inte utskrivningsklar.", CONFLICT},
	[EVR_TIME_OUT_OF_ORDER] = {"time_out_of_order", "The time is before an earlier event it follows.",
				   "Tidpunkten ligger före en tidigare händelse som den följer på.", CONFLICT},
	[EVR_ACK_UNKNOWN_SEQ] = {"ack_unknown_seq", "The acknowledged event does not exist.",
				 "Den kvitterade händelsen finns inte.", CONFLICT},
	[EVR_ACK_NOT_A_NOTICE] = {"ack_not_a_notice", "The acknowledged event is not a notice.",
				  "Den kvitterade händelsen är inget meddelande.", CONFLICT},
	[EVR_ACK_NOT_ADDRESSED] = {"ack_not_addressed", "The notice was not sent to the acknowledging unit.",
				   "Meddelandet skickades inte till den kvitterande enheten.", CONFLICT},
	[EVR_ACK_DUPLICATE] = {"ack_duplicate", "The unit has already acknowledged this notice.",
			       "Enheten har redan kvitterat meddelandet.", CONFLICT},
	[EVR_REPLY_UNKNOWN_REQUEST] = {"reply_unknown_request", "The answered event is not an information request to this unit.",
				       "Den besvarade händelsen är ingen begäran om information till enheten.", CONFLICT},
	[EVR_ALREADY_ON_LEAVE] = {"already_on_leave", "The patient is already on leave.",
				  "Patienten har redan permission.", CONFLICT},
	[EVR_NOT_ON_LEAVE] = {"not_on_leave", "The patient is not on leave.", "Patienten har inte permission.",
			      CONFLICT},
	[EVR_CANCEL_UNKNOWN_SEQ] = {"cancel_unknown_seq", "The event to cancel does not exist.",
				    "Händelsen som ska makuleras finns inte.", CONFLICT},
	[EVR_CANCEL_ALREADY_CANCELLED] = {"cancel_already_cancelled", "The event is already cancelled.",
					  "Händelsen är redan makulerad.", CONFLICT},
	[EVR_CANCEL_NOT_CANCELLABLE] = {"cancel_not_cancellable", "A cancellation cannot be cancelled.",
					"En makulering kan inte makuleras.", CONFLICT},
	[EVR_CANCEL_BREAKS_LATER] = {"cancel_breaks_later", "Cancelling the event would make a later event invalid; cancel that one first.",
				     "Makuleringen skulle göra en senare händelse ogiltig; makulera den först.", CONFLICT},
	[EVR_CORRECTION_UNKNOWN_SEQ] = {"correction_unknown_seq", "The event to correct does not exist.",
					"Händelsen som ska rättas finns inte.", CONFLICT},
	[EVR_CORRECTION_TYPE_MISMATCH] = {"correction_type_mismatch", "A correction must have the type of the event it corrects.",
					  "En rättelse ska ha samma typ som händelsen den rättar.", CONFLICT},
	[EVR_CORRECTION_OF_CANCELLED] = {"correction_of_cancelled", "A cancelled event cannot be corrected.",
					 "En makulerad händelse kan inte rättas.", CONFLICT},
	[EVR_CORRECTION_BREAKS_LATER] = {"correction_breaks_later", "The correction would make a later event invalid.",
					 "Rättelsen skulle göra en senare händelse ogiltig.", CONFLICT},
	[EVR_NOT_ORIGINAL_AUTHOR] = {"not_original_author", "Only the unit that wrote an event may correct or cancel it.",
				     "Bara enheten som skrev händelsen får rätta eller makulera den.", CONFLICT},
	[EVR_HISTORY_REQUIRED] = {"history_required", "A correction or cancellation needs the episode's earlier events.",
				  "En rättelse eller makulering behöver vårdtillfällets tidigare händelser.", HG_EINTERNAL},
	[EVR_LIMIT_REACHED] = {"limit_reached", "The episode has reached a limit on the number of such events.",
			       "Vårdtillfället har nått gränsen för antalet sådana händelser.", HG_ERANGE},
	[EVR_PATIENT_HAS_OPEN_EPISODE] = {"patient_has_open_episode",
					  "The patient already has an open episode; a move between wards is a transfer of that episode.",
					  "Patienten har redan ett pågående vårdtillfälle; en flytt mellan avdelningar är en överflyttning i det vårdtillfället.",
					  CONFLICT},
	[EVR_IDEMPOTENCY_KEY_REUSED] = {"idempotency_key_reused",
					"The Idempotency-Key was already used for another request.",
					"Idempotensnyckeln har redan använts för en annan begäran.", CONFLICT},
	[EVR_PRIMARY_CARE_REQUIRED] = {"primary_care_required",
				       "A notice that municipal health care is needed must also go to the patient's primary care.",
				       "Ett meddelande om att kommunal hälso- och sjukvård behövs ska också gå till patientens vårdcentral.",
				       HG_EINVAL},
	[EVR_CONSENT_DECLINED] = {"consent_declined",
				  "The patient has declined (or withdrawn) consent to information going to this party; record a new consent or an exception first.",
				  "Patienten har nekat (eller återkallat) samtycke till att information går till denna part; registrera nytt samtycke eller ett undantag först.",
				  CONFLICT},
	[EVR_CONSENT_EXCEPTION_HOW] = {"consent_exception_how",
				       "An exception from consent is presumed, the patient unable to take a stand, or an emergency; those are exceptions only.",
				       "Ett undantag från samtycke är förmodat samtycke, att patienten inte kan ta ställning eller en nödsituation; de gäller bara undantag.",
				       HG_EINVAL},
	[EVR_CONSENT_PRESUMED_AFTER_DECLINED] = {"consent_presumed_after_declined",
						 "Consent cannot be presumed when the patient has declined it.",
						 "Samtycke kan inte förmodas när patienten har nekat det.", CONFLICT},
	[EVR_TOO_MANY_ACTIONS] = {"too_many_actions", "A SIP has at most 8 actions.", "En SIP har högst 8 insatser.",
				  HG_EINVAL},
	[EVR_SIP_WARD_REQUIRED] = {"sip_ward_required", "A SIP meeting in hospital has the ward among its participants.",
				   "Ett SIP-möte på sjukhuset har slutenvården bland deltagarna.", HG_EINVAL},
	[EVR_MEETING_TOO_FAR] = {"meeting_too_far", "The date is more than a year ahead.",
				 "Datumet ligger mer än ett år framåt.", HG_EINVAL},
	[EVR_NO_LEGAL_FORM] = {"no_legal_form",
			       "A coordinated care plan is for a patient leaving for open compulsory care: record the legal form (LPT or LRV) first.",
			       "En samordnad vårdplan gäller en patient som skrivs ut till öppen tvångsvård: registrera vårdformen (LPT eller LRV) först.",
			       CONFLICT},
	[EVR_CARE_PLAN_NOT_ESTABLISHED] = {"care_plan_not_established",
					   "The chief physician's application needs the coordinated care plan established first.",
					   "Chefsöverläkarens ansökan kräver att den samordnade vårdplanen är upprättad.",
					   CONFLICT},
	[EVR_NO_APPLICATION] = {"no_application", "A decision needs the application received first.",
				"Ett beslut kräver att ansökan har kommit in.", CONFLICT},
	[EVR_NO_DECISION] = {"no_decision", "Home care starts after a decision granting it.",
			     "Insatser i hemmet påbörjas efter ett beslut som beviljar dem.", CONFLICT},
	[EVR_NO_CARE_CONTACT] = {"no_care_contact", "The care contact takes over: appoint one first.",
				 "Den fasta vårdkontakten tar över: utse en först.", CONFLICT},
	[EVR_NOT_DISCHARGED] = {"not_discharged", "This step follows the discharge.",
				"Steget följer på utskrivningen.", CONFLICT},
};

const event_type_info *event_info(event_type t) { return (unsigned)t < EVENT_TYPE_COUNT ? &event_types[t] : NULL; }

const char *event_type_code(event_type t)
{
	return (unsigned)t < EVENT_TYPE_COUNT ? event_types[t].code : "unknown";
}

bool event_type_from_code(const char *code, event_type *out)
{
	if (!code)
		return false;
	for (int i = 0; i < EVENT_TYPE_COUNT; i++) {
		if (strcmp(event_types[i].code, code) == 0) {
			*out = (event_type)i;
			return true;
		}
	}
	return false;
}

/* The label and lookup pair of one payload enum; an out-of-range value gets row 0. */
#define CODE_TABLE_FUNCS(type, prefix, table, count)                                                         \
	const hg_code_label *prefix##_label(type v) { return (unsigned)v < (count) ? &table[v] : &table[0]; } \
	bool prefix##_from_code(const char *code, type *out)                                                 \
	{                                                                                                    \
		int i;                                                                                       \
		if (!hg_code_find(table, (count), code, &i))                                                 \
			return false;                                                                        \
		*out = (type)i;                                                                              \
		return true;                                                                                 \
	}

CODE_TABLE_FUNCS(consent_state, consent_state, consent_states, CONSENT_STATE_COUNT)
CODE_TABLE_FUNCS(consent_how, consent_how, consent_hows, CONSENT_HOW_COUNT)
CODE_TABLE_FUNCS(track_colour, track_colour, track_colours, TRACK_COLOUR_COUNT)
CODE_TABLE_FUNCS(sip_place, sip_place, sip_places, SIP_PLACE_COUNT)
CODE_TABLE_FUNCS(discharge_destination, discharge_destination, destinations, DEST_COUNT)
CODE_TABLE_FUNCS(deviation_category, deviation_category, deviation_categories, DEVIATION_CATEGORY_COUNT)
CODE_TABLE_FUNCS(sip_party, sip_party, sip_parties, SIP_PARTY_COUNT)
CODE_TABLE_FUNCS(admission_reason, admission_reason, admission_reasons, ADMISSION_REASON_COUNT)
CODE_TABLE_FUNCS(legal_form, legal_form, legal_forms, LEGAL_FORM_COUNT)
CODE_TABLE_FUNCS(decision_outcome, decision_outcome, decision_outcomes, DECISION_OUTCOME_COUNT)
CODE_TABLE_FUNCS(municipal_service, municipal_service, municipal_services, MUNICIPAL_SERVICE_COUNT)
CODE_TABLE_FUNCS(discharge_item, discharge_item, discharge_items, DISCHARGE_ITEM_COUNT)

bool consent_how_is_exception(consent_how h)
{
	return h == CONSENT_HOW_PRESUMED || h == CONSENT_HOW_UNABLE || h == CONSENT_HOW_EMERGENCY;
}

const event_reason_info *event_reason_get(event_reason r)
{
	return (unsigned)r < EVR_COUNT ? &reasons[r] : &reasons[EVR_OK];
}

bool event_reason_from_code(const char *code, event_reason *out)
{
	if (!code)
		return false;
	for (int i = 0; i < EVR_COUNT; i++) {
		if (strcmp(reasons[i].code, code) == 0) {
			*out = (event_reason)i;
			return true;
		}
	}
	return false;
}

void event_error_clear(event_error *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof *err);
	err->reason = EVR_OK;
	err->code = reasons[EVR_OK].code;
	err->message_en = reasons[EVR_OK].message_en;
	err->message_sv = reasons[EVR_OK].message_sv;
}

hg_status event_error_set(event_error *err, event_reason r, const char *field)
{
	const event_reason_info *ri = event_reason_get(r);
	if (err) {
		err->reason = r;
		err->code = ri->code;
		err->message_en = ri->message_en;
		err->message_sv = ri->message_sv;
		err->field[0] = '\0';
		if (field)
			(void)snprintf(err->field, sizeof err->field, "%s", field);
		err->seq = 0;
	}
	return ri->status;
}

hg_status event_error_pnr(event_error *err, int why, const char *field)
{
	hg_status rc = event_error_set(err, EVR_BAD_PERSONNUMMER, field);
	if (err && why != PNR_OK) {
		const hg_code_label *m = pnr_reason_message((pnr_reason)why);
		err->message_en = m->en;
		err->message_sv = m->sv;
	}
	return rc;
}

void event_init(event *ev, event_type type)
{
	memset(ev, 0, sizeof *ev);
	ev->type = type;
	ev->occurred_at = HG_INSTANT_NONE;
	ev->recorded_at = HG_INSTANT_NONE;
	if (type == EVENT_ADMISSION_NOTICE) {
		ev->u.admission_notice.expected_discharge_date = HG_DATE_NONE;
		ev->u.admission_notice.need_judged_at = HG_INSTANT_NONE;
	} else if (type == EVENT_EXPECTED_DATE_CHANGED) {
		ev->u.expected_date_changed.date = HG_DATE_NONE;
	} else if (type == EVENT_SIP_CALLED) {
		ev->u.sip_called.meeting_at = HG_INSTANT_NONE;
	} else if (type == EVENT_SIP_HELD) {
		ev->u.sip_held.held_at = HG_INSTANT_NONE;
		ev->u.sip_held.follow_up_date = HG_DATE_NONE; /* unused action slots stay zero */
	} else if (type == EVENT_CARE_PLAN_CALLED) {
		ev->u.care_plan_called.meeting_at = HG_INSTANT_NONE;
	} else if (type == EVENT_CARE_PLAN_ESTABLISHED) {
		ev->u.care_plan_established.follow_up_date = HG_DATE_NONE;
	} else if (type == EVENT_MUNICIPAL_PLAN) {
		ev->u.municipal_plan.can_receive_on = HG_DATE_NONE;
	}
}

bool event_party_same_unit(const event_party *a, const event_party *b) { return strcmp(a->unit, b->unit) == 0; }

/* ---- field validation ---- */

/* Supported instants and dates: 2000-01-01 up to the end of the calendar's years. */
#define INSTANT_MIN ((hg_instant)10957 * HG_SECONDS_PER_DAY)
#define DATE_MIN ((hg_date)10957)
#define DATE_MAX ((hg_date)84005) /* 2199-12-31 */
#define INSTANT_END ((hg_instant)(DATE_MAX + 1) * HG_SECONDS_PER_DAY)

/* The context of one validation: where errors go and the field path prefix. */
struct vctx {
	event_error *err;
	const event *ev;
};

static hg_status fail(struct vctx *c, event_reason r, const char *field) { return event_error_set(c->err, r, field); }

static bool terminated(const char *s, size_t size) { return memchr(s, '\0', size) != NULL; }

/* A text field: NUL within its buffer; non-empty when required. */
static hg_status check_text(struct vctx *c, const char *s, size_t size, bool required, const char *field)
{
	if (!terminated(s, size))
		return fail(c, EVR_NOT_TERMINATED, field);
	if (required && s[0] == '\0')
		return fail(c, EVR_REQUIRED, field);
	return HG_OK;
}

static hg_status check_instant(struct vctx *c, hg_instant t, bool required, const char *field)
{
	if (t == HG_INSTANT_NONE)
		return required ? fail(c, EVR_REQUIRED, field) : HG_OK;
	if (t < INSTANT_MIN || t >= INSTANT_END)
		return fail(c, EVR_BAD_INSTANT, field);
	return HG_OK;
}

static hg_status check_date(struct vctx *c, hg_date d, bool required, const char *field)
{
	if (d == HG_DATE_NONE)
		return required ? fail(c, EVR_REQUIRED, field) : HG_OK;
	if (d < DATE_MIN || d > DATE_MAX)
		return fail(c, EVR_BAD_DATE, field);
	return HG_OK;
}

static hg_status check_code(struct vctx *c, int v, int count, const char *field)
{
	return v >= 0 && v < count ? HG_OK : fail(c, EVR_BAD_CODE, field);
}

/* A reference to another event: positive. Whether it exists is an episode rule with its own reason. */
static hg_status check_seq_ref(struct vctx *c, int32_t ref, const char *field)
{
	return ref < 1 ? fail(c, EVR_BAD_SEQ, field) : HG_OK;
}

/* snake_case: [a-z][a-z0-9_]* */
static hg_status check_code_text(struct vctx *c, const char *s, size_t size, const char *field)
{
	hg_status rc = check_text(c, s, size, true, field);
	if (rc)
		return rc;
	if (s[0] < 'a' || s[0] > 'z')
		return fail(c, EVR_BAD_CODE_TEXT, field);
	for (const char *p = s; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
		if (!ok)
			return fail(c, EVR_BAD_CODE_TEXT, field);
	}
	return HG_OK;
}

static hg_status check_municipality(struct vctx *c, const char *s, const char *field)
{
	if (!terminated(s, EVENT_MUNICIPALITY_SIZE))
		return fail(c, EVR_BAD_MUNICIPALITY, field);
	if (s[0] == '\0')
		return fail(c, EVR_REQUIRED, field);
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return fail(c, EVR_BAD_MUNICIPALITY, field);
	return HG_OK;
}

static hg_status check_party(struct vctx *c, const event_party *p, const char *prefix)
{
	char field[EVENT_FIELD_MAX];
	hg_status rc;
	(void)snprintf(field, sizeof field, "%s.unit", prefix);
	if ((rc = check_text(c, p->unit, sizeof p->unit, true, field)))
		return rc;
	(void)snprintf(field, sizeof field, "%s.kind", prefix);
	if ((rc = check_code(c, (int)p->kind, UNIT_KIND_COUNT, field)))
		return rc;
	(void)snprintf(field, sizeof field, "%s.org", prefix);
	return check_text(c, p->org, sizeof p->org, true, field);
}

/* Recipients: count in range, each well-formed, no unit twice. */
static hg_status check_recipients(struct vctx *c, const event_recipients *r, bool required)
{
	char field[EVENT_FIELD_MAX];
	if (r->count < 0 || r->count > EVENT_RECIPIENTS_MAX)
		return fail(c, EVR_TOO_MANY_RECIPIENTS, "recipients");
	if (r->count == 0)
		return required ? fail(c, EVR_NO_RECIPIENTS, "recipients") : HG_OK;
	for (int i = 0; i < r->count; i++) {
		(void)snprintf(field, sizeof field, "recipients[%d]", i);
		hg_status rc = check_party(c, &r->to[i], field);
		if (rc)
			return rc;
		for (int j = 0; j < i; j++)
			if (event_party_same_unit(&r->to[i], &r->to[j]))
				return fail(c, EVR_DUPLICATE_RECIPIENT, field);
	}
	return HG_OK;
}

static hg_status check_admitted(struct vctx *c)
{
	const struct event_admitted *a = &c->ev->u.admitted;
	const event_patient *p = &a->patient;
	hg_status rc;
	if ((rc = check_text(c, p->personnummer, sizeof p->personnummer, true, "patient.personnummer")))
		return rc;
	/* The stored form is the normalised one: parsing must give back exactly the same text. */
	pnr_options opt = pnr_options_default(cal_local_date(c->ev->occurred_at));
	opt.accept_reserve = true;
	pnr parsed;
	pnr_reason why;
	if (pnr_parse(p->personnummer, &opt, &parsed, &why) != HG_OK)
		return event_error_pnr(c->err, (int)why, "patient.personnummer");
	if (strcmp(parsed.normal, p->personnummer) != 0)
		return fail(c, EVR_BAD_PERSONNUMMER, "patient.personnummer");
	if ((rc = check_text(c, p->name, sizeof p->name, true, "patient.name")) ||
	    (rc = check_municipality(c, p->registered_municipality, "patient.registered_municipality")) ||
	    (rc = check_text(c, p->primary_care_unit, sizeof p->primary_care_unit, false, "patient.primary_care_unit")) ||
	    (rc = check_text(c, p->address, sizeof p->address, false, "patient.address")) ||
	    (rc = check_text(c, a->hospital, sizeof a->hospital, true, "hospital")) ||
	    (rc = check_text(c, a->ward, sizeof a->ward, true, "ward")))
		return rc;
	return check_code(c, (int)a->care, CARE_TYPE_COUNT, "care_type");
}

static hg_status check_transferred(struct vctx *c)
{
	const struct event_transferred *t = &c->ev->u.transferred;
	hg_status rc = check_text(c, t->ward, sizeof t->ward, true, "ward");
	return rc ? rc : check_code(c, (int)t->care, CARE_TYPE_COUNT, "care_type");
}

/*
 * An expected date: in range and at most a year after the day of the event.
 * A date in the past is an episode rule (episode.c), checked after the rule
 * against a date before the admission, so that each has its own reason.
 */
static hg_status check_expected(struct vctx *c, hg_date d, const char *field)
{
	hg_status rc = check_date(c, d, true, field);
	if (rc)
		return rc;
	hg_date today = cal_local_date(c->ev->occurred_at);
	if (d > today + EVENT_EXPECTED_DATE_MAX_DAYS)
		return fail(c, EVR_EXPECTED_DATE_TOO_FAR, field);
	return HG_OK;
}

static hg_status check_admission_notice(struct vctx *c)
{
	const struct event_admission_notice *n = &c->ev->u.admission_notice;
	hg_status rc = check_recipients(c, &n->recipients, true);
	if (rc || (rc = check_expected(c, n->expected_discharge_date, "expected_discharge_date")) ||
	    (rc = check_instant(c, n->need_judged_at, false, "need_judged_at")) ||
	    (rc = check_code(c, (int)n->reason, ADMISSION_REASON_COUNT, "reason")) ||
	    (rc = check_text(c, n->address, sizeof n->address, false, "address")))
		return rc;
	if (n->need_judged_at != HG_INSTANT_NONE && n->need_judged_at > c->ev->occurred_at)
		return fail(c, EVR_TIME_OUT_OF_ORDER, "need_judged_at");
	return HG_OK;
}

static hg_status check_expected_date_changed(struct vctx *c)
{
	return check_expected(c, c->ev->u.expected_date_changed.date, "expected_discharge_date");
}

static hg_status check_acknowledged(struct vctx *c) { return check_seq_ref(c, c->ev->u.acknowledged.ack_seq, "ack_seq"); }

static hg_status check_info_requested(struct vctx *c) { return check_party(c, &c->ev->u.info_requested.to, "to"); }

static hg_status check_info_replied(struct vctx *c)
{
	return check_seq_ref(c, c->ev->u.info_replied.reply_to_seq, "reply_to_seq");
}

static hg_status check_consent(struct vctx *c)
{
	const struct event_consent_recorded *k = &c->ev->u.consent_recorded;
	hg_status rc = check_code(c, (int)k->state, CONSENT_STATE_COUNT, "state");
	if (rc || (rc = check_code_text(c, k->scope, sizeof k->scope, "scope")) ||
	    (rc = check_code(c, (int)k->how, CONSENT_HOW_COUNT, "how")))
		return rc;
	/* An exception names its ground; unable and emergency are grounds of an exception only. */
	if (k->state == CONSENT_EXCEPTION && !consent_how_is_exception(k->how))
		return fail(c, EVR_CONSENT_EXCEPTION_HOW, "how");
	if (k->state != CONSENT_EXCEPTION && (k->how == CONSENT_HOW_UNABLE || k->how == CONSENT_HOW_EMERGENCY))
		return fail(c, EVR_CONSENT_EXCEPTION_HOW, "how");
	return HG_OK;
}

static hg_status check_track(struct vctx *c)
{
	return check_code(c, (int)c->ev->u.track_set.colour, TRACK_COLOUR_COUNT, "colour");
}

static hg_status check_care_contact(struct vctx *c)
{
	const struct event_care_contact_appointed *k = &c->ev->u.care_contact_appointed;
	hg_status rc = check_text(c, k->name, sizeof k->name, true, "name");
	if (rc || (rc = check_text(c, k->title, sizeof k->title, false, "title")))
		return rc;
	return check_text(c, k->phone, sizeof k->phone, false, "phone");
}

/* A meeting called (SIP or care plan): a time to come, at most a year after the call. */
static hg_status check_meeting(struct vctx *c, hg_instant meeting_at, sip_place place)
{
	hg_status rc = check_instant(c, meeting_at, true, "meeting_at");
	if (rc || (rc = check_code(c, (int)place, SIP_PLACE_COUNT, "place")))
		return rc;
	if (cal_local_date(meeting_at) > cal_local_date(c->ev->occurred_at) + EVENT_MEETING_MAX_DAYS)
		return fail(c, EVR_MEETING_TOO_FAR, "meeting_at");
	/* A call is for a meeting to come; a call recorded afterwards keeps its real sending time. */
	if (meeting_at < c->ev->occurred_at - EVENT_CLOCK_SKEW_SECONDS)
		return fail(c, EVR_TIME_OUT_OF_ORDER, "meeting_at");
	return HG_OK;
}

static hg_status check_sip_called(struct vctx *c)
{
	return check_meeting(c, c->ev->u.sip_called.meeting_at, c->ev->u.sip_called.place);
}

static hg_status check_legal_form(struct vctx *c)
{
	legal_form f = c->ev->u.legal_form_set.form;
	hg_status rc = check_code(c, (int)f, LEGAL_FORM_COUNT, "legal_form");
	return rc ? rc : f == LEGAL_FORM_NONE ? fail(c, EVR_BAD_CODE, "legal_form") : HG_OK;
}

static hg_status check_care_plan_called(struct vctx *c)
{
	return check_meeting(c, c->ev->u.care_plan_called.meeting_at, c->ev->u.care_plan_called.place);
}

static hg_status check_care_plan_established(struct vctx *c)
{
	hg_date d = c->ev->u.care_plan_established.follow_up_date;
	hg_status rc = check_date(c, d, false, "follow_up_date");
	if (rc || d == HG_DATE_NONE)
		return rc;
	return d < cal_local_date(c->ev->occurred_at) ? fail(c, EVR_TIME_OUT_OF_ORDER, "follow_up_date") : HG_OK;
}

static hg_status check_municipal_decision(struct vctx *c)
{
	const struct event_municipal_decision *d = &c->ev->u.municipal_decision;
	hg_status rc = check_code(c, (int)d->outcome, DECISION_OUTCOME_COUNT, "outcome");
	if (rc)
		return rc;
	if (d->services & ~EVENT_SERVICES_ALL)
		return fail(c, EVR_BAD_CODE, "services");
	if (d->outcome != DECISION_REJECTED && d->services == 0)
		return fail(c, EVR_REQUIRED, "services");
	return HG_OK;
}

static hg_status check_municipal_plan(struct vctx *c)
{
	const struct event_municipal_plan *p = &c->ev->u.municipal_plan;
	hg_status rc = check_date(c, p->can_receive_on, true, "can_receive_on");
	if (rc)
		return rc;
	if (p->services & ~EVENT_SERVICES_ALL)
		return fail(c, EVR_BAD_CODE, "services");
	if (p->can_receive_on > cal_local_date(c->ev->occurred_at) + EVENT_MEETING_MAX_DAYS)
		return fail(c, EVR_MEETING_TOO_FAR, "can_receive_on");
	return HG_OK;
}

static hg_status check_information_transferred(struct vctx *c)
{
	return c->ev->u.information_transferred.items & ~EVENT_ITEMS_ALL ? fail(c, EVR_BAD_CODE, "items") : HG_OK;
}

static hg_status check_sip_held(struct vctx *c)
{
	const struct event_sip_held *s = &c->ev->u.sip_held;
	hg_status rc = check_instant(c, s->held_at, true, "held_at");
	if (rc || (rc = check_code(c, (int)s->place, SIP_PLACE_COUNT, "place")) ||
	    (rc = check_date(c, s->follow_up_date, false, "follow_up_date")))
		return rc;
	if (s->held_at > c->ev->occurred_at + EVENT_CLOCK_SKEW_SECONDS)
		return fail(c, EVR_TIME_OUT_OF_ORDER, "held_at");
	if (s->follow_up_date != HG_DATE_NONE && s->follow_up_date < cal_local_date(s->held_at))
		return fail(c, EVR_TIME_OUT_OF_ORDER, "follow_up_date");
	if (s->participants & ~EVENT_SIP_PARTIES_ALL)
		return fail(c, EVR_BAD_CODE, "participants");
	if (s->actions.count < 0 || s->actions.count > EVENT_SIP_ACTIONS_MAX)
		return fail(c, EVR_TOO_MANY_ACTIONS, "actions");
	for (int i = 0; i < s->actions.count; i++) {
		const event_sip_action *a = &s->actions.items[i];
		char field[EVENT_FIELD_MAX];
		(void)snprintf(field, sizeof field, "actions[%d].what", i);
		if ((rc = check_text(c, a->what, sizeof a->what, true, field)))
			return rc;
		(void)snprintf(field, sizeof field, "actions[%d].responsible", i);
		if ((rc = check_code(c, (int)a->responsible, SIP_PARTY_COUNT, field)))
			return rc;
		(void)snprintf(field, sizeof field, "actions[%d].due", i);
		if ((rc = check_date(c, a->due, true, field)))
			return rc;
		if (a->due < cal_local_date(s->held_at))
			return fail(c, EVR_TIME_OUT_OF_ORDER, field);
	}
	return HG_OK;
}

static hg_status check_ready(struct vctx *c) { return check_recipients(c, &c->ev->u.ready_for_discharge.recipients, false); }

static hg_status check_discharged(struct vctx *c)
{
	return check_code(c, (int)c->ev->u.discharged.destination, DEST_COUNT, "destination");
}

static hg_status check_deviation(struct vctx *c)
{
	const struct event_deviation *d = &c->ev->u.deviation;
	hg_status rc = check_code(c, (int)d->category, DEVIATION_CATEGORY_COUNT, "category");
	return rc ? rc : check_text(c, d->against_org, sizeof d->against_org, true, "against_org");
}

static hg_status check_cancelled(struct vctx *c)
{
	if (c->ev->corrects_seq != 0)
		return fail(c, EVR_BAD_CORRECTION, "corrects_seq");
	return check_seq_ref(c, c->ev->u.cancelled.cancels_seq, "cancels_seq");
}

static hg_status check_nothing(struct vctx *c)
{
	(void)c;
	return HG_OK;
}

/* The payload validator of each type. */
static hg_status (*const payload_checks[EVENT_TYPE_COUNT])(struct vctx *) = {
	[EVENT_ADMITTED] = check_admitted,
	[EVENT_TRANSFERRED] = check_transferred,
	[EVENT_ADMISSION_NOTICE] = check_admission_notice,
	[EVENT_EXPECTED_DATE_CHANGED] = check_expected_date_changed,
	[EVENT_ACKNOWLEDGED] = check_acknowledged,
	[EVENT_INFO_REQUESTED] = check_info_requested,
	[EVENT_INFO_REPLIED] = check_info_replied,
	[EVENT_CONSENT_RECORDED] = check_consent,
	[EVENT_TRACK_SET] = check_track,
	[EVENT_CARE_CONTACT_APPOINTED] = check_care_contact,
	[EVENT_SIP_CALLED] = check_sip_called,
	[EVENT_SIP_HELD] = check_sip_held,
	[EVENT_READY_FOR_DISCHARGE] = check_ready,
	[EVENT_READY_WITHDRAWN] = check_nothing,
	[EVENT_MUNICIPALITY_READY] = check_nothing,
	[EVENT_DISCHARGED] = check_discharged,
	[EVENT_DEVIATION] = check_deviation,
	[EVENT_CANCELLED] = check_cancelled,
	[EVENT_LEAVE_STARTED] = check_nothing,
	[EVENT_LEAVE_ENDED] = check_nothing,
	[EVENT_LEGAL_FORM_SET] = check_legal_form,
	[EVENT_CARE_PLAN_CALLED] = check_care_plan_called,
	[EVENT_CARE_PLAN_ESTABLISHED] = check_care_plan_established,
	[EVENT_CHIEF_PHYSICIAN_APPLIED] = check_nothing,
	[EVENT_MUNICIPAL_REPORT_RECEIVED] = check_nothing,
	[EVENT_MUNICIPAL_PATIENT_CONTACTED] = check_nothing,
	[EVENT_MUNICIPAL_APPLICATION_RECEIVED] = check_nothing,
	[EVENT_MUNICIPAL_DECISION] = check_municipal_decision,
	[EVENT_MUNICIPAL_PLAN] = check_municipal_plan,
	[EVENT_HOME_CARE_STARTED] = check_nothing,
	[EVENT_INFORMATION_TRANSFERRED] = check_information_transferred,
	[EVENT_PATIENT_INFORMED] = check_nothing,
	[EVENT_RESPONSIBILITY_TAKEN_OVER] = check_nothing,
	[EVENT_CHILDREN_AS_RELATIVES] = check_nothing,
};

hg_status event_validate_fields(const event *ev, event_error *err)
{
	struct vctx c = {.err = err, .ev = ev};
	hg_status rc;
	event_error_clear(err);
	if ((unsigned)ev->type >= EVENT_TYPE_COUNT)
		return fail(&c, EVR_UNKNOWN_TYPE, "type");
	if (ev->seq < 0)
		return fail(&c, EVR_BAD_SEQ, "seq");
	if ((rc = check_instant(&c, ev->occurred_at, true, "occurred_at")) ||
	    (rc = check_instant(&c, ev->recorded_at, false, "recorded_at")))
		return rc;
	if (ev->recorded_at != HG_INSTANT_NONE && ev->occurred_at > ev->recorded_at + EVENT_CLOCK_SKEW_SECONDS)
		return fail(&c, EVR_IN_FUTURE, "occurred_at");
	if ((rc = check_text(&c, ev->author_unit, sizeof ev->author_unit, true, "author_unit")) ||
	    (rc = check_code(&c, (int)ev->author_kind, UNIT_KIND_COUNT, "author_kind")) ||
	    (rc = check_text(&c, ev->author_org, sizeof ev->author_org, true, "author_org")) ||
	    (rc = check_text(&c, ev->author_user, sizeof ev->author_user, false, "author_user")) ||
	    (rc = check_text(&c, ev->note, sizeof ev->note, false, "note")))
		return rc;
	if (ev->corrects_seq < 0)
		return fail(&c, EVR_BAD_CORRECTION, "corrects_seq");
	return payload_checks[ev->type](&c);
}
