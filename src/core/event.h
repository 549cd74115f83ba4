/*
 * event.h - the events of an episode (vårdtillfälle) as plain values.
 *
 * Everything that happens in a discharge-coordination episode is an event,
 * stored immutably in order (design.md §1). An event is a tagged union: a
 * header common to all types (who, when, which position in the episode, an
 * optional correction pointer and free text) and a payload per type. Payloads
 * hold fixed-size fields only, so an event can be copied, compared and stored
 * as one value without ownership questions.
 *
 * The rules that concern one event alone (required fields, codes in range,
 * dates in range) live here in event_validate_fields(); the rules that concern
 * the order of events live in episode.h. Both report a violation as an
 * event_error: a stable reason code, the API field it concerns and an English
 * and a Swedish message, which the HTTP layer turns into an RFC 9457 problem
 * and the HL7 layer into an ERR segment. Every code in this file (event types,
 * consent states, destinations, deviation categories, reasons) comes from a
 * table, so adapters map strings with the *_from_code() lookups only.
 */
#ifndef HG_EVENT_H
#define HG_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/domain.h"
#include "core/status.h"

#define EVENT_RECIPIENTS_MAX 8   /* recipients of one notice */
#define EVENT_PNR_SIZE 16        /* normalised "YYYYMMDD-NNNN" and a NUL, with room */
#define EVENT_MUNICIPALITY_SIZE 5 /* 4-digit SCB kommunkod and a NUL */
#define EVENT_ADDRESS_MAX (HG_NAME_MAX * 2)
#define EVENT_PHONE_MAX 32
#define EVENT_FIELD_MAX 64       /* longest API field name in an event_error, incl. NUL */
#define EVENT_SIP_ACTIONS_MAX 8   /* actions (who does what) of one SIP */
#define EVENT_SIP_ACTION_MAX 256  /* text of one action, incl. NUL */
/* An expected discharge date may lie at most this many days after the notice. */
#define EVENT_EXPECTED_DATE_MAX_DAYS 366
/* A meeting (SIP, care plan) and the municipality's receiving date may lie at most this many days ahead. */
#define EVENT_MEETING_MAX_DAYS 366
/* occurred_at may lie at most this far after recorded_at (clock skew between systems). */
#define EVENT_CLOCK_SKEW_SECONDS (15 * 60)

/* The event types of design.md §1. The order is part of no interface: use the codes. */
typedef enum event_type {
	EVENT_ADMITTED = 0,
	EVENT_TRANSFERRED,
	EVENT_ADMISSION_NOTICE,
	EVENT_EXPECTED_DATE_CHANGED,
	EVENT_ACKNOWLEDGED,
	EVENT_INFO_REQUESTED,
	EVENT_INFO_REPLIED,
	EVENT_CONSENT_RECORDED,
	EVENT_TRACK_SET,
	EVENT_CARE_CONTACT_APPOINTED,
	EVENT_SIP_CALLED,
	EVENT_SIP_HELD,
	EVENT_READY_FOR_DISCHARGE,
	EVENT_READY_WITHDRAWN,
	EVENT_MUNICIPALITY_READY,
	EVENT_DISCHARGED,
	EVENT_DEVIATION,
	EVENT_CANCELLED,
	EVENT_LEAVE_STARTED,
	EVENT_LEAVE_ENDED,
	/* issue 14.1: compulsory psychiatric care (LPT 7 a §, LRV 12 a §): a samordnad vårdplan instead of a SIP */
	EVENT_LEGAL_FORM_SET,
	EVENT_CARE_PLAN_CALLED,
	EVENT_CARE_PLAN_ESTABLISHED,
	EVENT_CHIEF_PHYSICIAN_APPLIED,
	/* issue 14.3 and 18.3: the municipality's own steps and its plan */
	EVENT_MUNICIPAL_REPORT_RECEIVED,
	EVENT_MUNICIPAL_PATIENT_CONTACTED,
	EVENT_MUNICIPAL_APPLICATION_RECEIVED,
	EVENT_MUNICIPAL_DECISION,
	EVENT_MUNICIPAL_PLAN,
	EVENT_HOME_CARE_STARTED,
	/* issue 14.4: the discharge step */
	EVENT_INFORMATION_TRANSFERRED,
	EVENT_PATIENT_INFORMED,
	EVENT_RESPONSIBILITY_TAKEN_OVER,
	/* issue 14.7: children as relatives (barn som anhöriga) */
	EVENT_CHILDREN_AS_RELATIVES,
	EVENT_TYPE_COUNT
} event_type;

/* Bit of a unit kind in event_type_info.author_kinds. */
#define EVENT_KIND_BIT(k) (1u << (unsigned)(k))

/* One row of the event type table. */
typedef struct event_type_info {
	const char *code;      /* stable snake_case code: JSON, database, API, e.g. "admission_notice" */
	const char *sv;        /* Swedish name, e.g. "inskrivningsmeddelande" */
	const char *en;        /* English name */
	unsigned author_kinds; /* EVENT_KIND_BIT() of every unit kind that may author it */
	bool is_notice;        /* sent to recipients, who acknowledge it */
	bool after_discharge;  /* may be appended after the discharge (see docs/events.md) */
	bool needs_party;      /* the author unit must be a recipient of a notice in the episode */
} event_type_info;

/* The row of t; a valid pointer for every t < EVENT_TYPE_COUNT, NULL otherwise. */
const event_type_info *event_info(event_type t);
bool event_type_from_code(const char *code, event_type *out);
/* Code of t, or "unknown" for a value outside the table. */
const char *event_type_code(event_type t);

/* ---- codes used in payloads; each has a code/label table ---- */

typedef enum consent_state {
	CONSENT_GIVEN = 0,
	CONSENT_DECLINED,
	CONSENT_WITHDRAWN,
	CONSENT_EXCEPTION, /* no consent, but a recorded exception (how: presumed, unable, emergency) */
	CONSENT_STATE_COUNT
} consent_state;
typedef enum consent_how {
	CONSENT_HOW_VERBAL = 0,  /* muntligt */
	CONSENT_HOW_WRITTEN,     /* skriftligt */
	CONSENT_HOW_DIGITAL,     /* e-tjänst / signed digitally */
	CONSENT_HOW_REPRESENTATIVE, /* by a legal representative (god man, förvaltare) */
	CONSENT_HOW_PRESUMED,    /* presumed (patient cannot express a will; noted in the record) */
	CONSENT_HOW_UNABLE,      /* exception: the patient is unable to take a stand */
	CONSENT_HOW_EMERGENCY,   /* exception: an emergency (nödsituation) */
	CONSENT_HOW_COUNT
} consent_how;
typedef enum track_colour { TRACK_GREEN = 0, TRACK_YELLOW, TRACK_RED, TRACK_COLOUR_COUNT } track_colour;
typedef enum sip_place { SIP_HOME = 0, SIP_HOSPITAL, SIP_VIDEO, SIP_OTHER, SIP_PLACE_COUNT } sip_place;
typedef enum discharge_destination {
	DEST_OWN_HOME = 0,
	DEST_SPECIAL_HOUSING, /* särskilt boende (SÄBO) */
	DEST_SHORT_TERM_CARE, /* korttidsvård */
	DEST_OTHER_HOSPITAL,
	DEST_DECEASED,
	DEST_OTHER,
	DEST_COUNT
} discharge_destination;
typedef enum deviation_category {
	DEVIATION_NOTICE_MISSING = 0,     /* inskrivningsmeddelande saknas */
	DEVIATION_NOTICE_LATE,            /* inskrivningsmeddelande för sent */
	DEVIATION_INFORMATION_INCOMPLETE, /* bristfällig information */
	DEVIATION_DISCHARGE_NOT_READY,    /* utskriven utan att vara utskrivningsklar / hemgångsklar */
	DEVIATION_MEDICATION,             /* läkemedel */
	DEVIATION_CARE_CONTACT_MISSING,   /* fast vårdkontakt ej utsedd */
	DEVIATION_SIP_MISSING,            /* SIP ej kallad / genomförd */
	DEVIATION_EQUIPMENT,              /* hjälpmedel */
	DEVIATION_TRANSPORT,              /* transport */
	DEVIATION_OTHER,
	DEVIATION_CATEGORY_COUNT
} deviation_category;

/*
 * Who takes part in a SIP meeting, and who is responsible for an action of the
 * plan: the patient, relatives, and each party's representative (the ward when
 * the meeting is in hospital). Participants are a set: bit EVENT_SIP_PARTY_BIT(p).
 */
typedef enum sip_party {
	SIP_PARTY_PATIENT = 0,
	SIP_PARTY_RELATIVE,             /* närstående */
	SIP_PARTY_WARD,                 /* slutenvården */
	SIP_PARTY_PRIMARY_CARE,         /* vårdcentralen */
	SIP_PARTY_SPECIALIST_OUTPATIENT,
	SIP_PARTY_MUNICIPAL_SOCIAL,     /* kommunens socialtjänst */
	SIP_PARTY_MUNICIPAL_HEALTH,     /* kommunal hälso- och sjukvård */
	SIP_PARTY_OTHER,
	SIP_PARTY_COUNT
} sip_party;
#define EVENT_SIP_PARTY_BIT(p) (1u << (unsigned)(p))
#define EVENT_SIP_PARTIES_ALL ((1u << SIP_PARTY_COUNT) - 1u)

/*
 * The reason for admission on an admission notice (orsak till inskrivning): a
 * code, with free text in the event's note. `other` is always valid. UNSTATED
 * is what a notice stored before the reason was required reads as; a new
 * notice must state one (episode.h, recording rules).
 */
typedef enum admission_reason {
	ADMISSION_REASON_UNSTATED = 0,
	ADMISSION_REASON_ACUTE_ILLNESS,     /* akut sjukdom */
	ADMISSION_REASON_FALL_INJURY,       /* fall eller annan skada */
	ADMISSION_REASON_INFECTION,         /* infektion */
	ADMISSION_REASON_CARDIOVASCULAR,    /* hjärt- och kärlsjukdom */
	ADMISSION_REASON_STROKE,            /* stroke */
	ADMISSION_REASON_PLANNED_TREATMENT, /* planerad behandling eller operation */
	ADMISSION_REASON_PSYCHIATRIC,       /* psykiatrisk vård */
	ADMISSION_REASON_PALLIATIVE,        /* palliativ vård */
	ADMISSION_REASON_OTHER,             /* annan orsak (free text in note) */
	ADMISSION_REASON_COUNT
} admission_reason;

/* The legal form of a patient in compulsory psychiatric care who will leave for open care under it. */
typedef enum legal_form {
	LEGAL_FORM_NONE = 0, /* voluntary care (HSL): a SIP; what an episode reads as before a legal form is set */
	LEGAL_FORM_LPT,      /* öppen psykiatrisk tvångsvård, LPT 7 a § */
	LEGAL_FORM_LRV,      /* öppen rättspsykiatrisk vård, LRV 12 a § */
	LEGAL_FORM_COUNT
} legal_form;

/* The municipality's decision on assistance (bistånd) and the services it plans. */
typedef enum decision_outcome {
	DECISION_GRANTED = 0,  /* beviljat */
	DECISION_PARTLY,       /* delvis beviljat */
	DECISION_REJECTED,     /* avslag */
	DECISION_OUTCOME_COUNT
} decision_outcome;
typedef enum municipal_service {
	SERVICE_HOME_CARE = 0,     /* hemtjänst */
	SERVICE_HOME_HEALTH_CARE,  /* hemsjukvård */
	SERVICE_SAFETY_ALARM,      /* trygghetslarm */
	SERVICE_MEALS,             /* matdistribution */
	SERVICE_SHORT_TERM_CARE,   /* korttidsvård */
	SERVICE_SPECIAL_HOUSING,   /* särskilt boende */
	SERVICE_REHABILITATION,    /* rehabilitering i hemmet */
	SERVICE_AIDS,              /* hjälpmedel och bostadsanpassning */
	SERVICE_OTHER,
	MUNICIPAL_SERVICE_COUNT
} municipal_service;
#define EVENT_SERVICE_BIT(s) (1u << (unsigned)(s))
#define EVENT_SERVICES_ALL ((1u << MUNICIPAL_SERVICE_COUNT) - 1u)

/* The items of the information transfer at discharge; one that is not sent is a deviation. */
typedef enum discharge_item {
	DISCHARGE_ITEM_MEDICATION_LIST = 0,  /* läkemedelslista */
	DISCHARGE_ITEM_DISCHARGE_INFORMATION, /* utskrivningsinformation / epikris */
	DISCHARGE_ITEM_AIDS,                 /* hjälpmedel */
	DISCHARGE_ITEM_APPOINTMENTS,         /* bokade besök */
	DISCHARGE_ITEM_COUNT
} discharge_item;
#define EVENT_ITEM_BIT(i) (1u << (unsigned)(i))
#define EVENT_ITEMS_ALL ((1u << DISCHARGE_ITEM_COUNT) - 1u)

const hg_code_label *legal_form_label(legal_form v);
bool legal_form_from_code(const char *code, legal_form *out);
const hg_code_label *decision_outcome_label(decision_outcome v);
bool decision_outcome_from_code(const char *code, decision_outcome *out);
const hg_code_label *municipal_service_label(municipal_service v);
bool municipal_service_from_code(const char *code, municipal_service *out);
const hg_code_label *discharge_item_label(discharge_item v);
bool discharge_item_from_code(const char *code, discharge_item *out);

const hg_code_label *consent_state_label(consent_state v);
bool consent_state_from_code(const char *code, consent_state *out);
const hg_code_label *consent_how_label(consent_how v);
bool consent_how_from_code(const char *code, consent_how *out);
const hg_code_label *track_colour_label(track_colour v);
bool track_colour_from_code(const char *code, track_colour *out);
const hg_code_label *sip_place_label(sip_place v);
bool sip_place_from_code(const char *code, sip_place *out);
const hg_code_label *discharge_destination_label(discharge_destination v);
bool discharge_destination_from_code(const char *code, discharge_destination *out);
const hg_code_label *deviation_category_label(deviation_category v);
bool deviation_category_from_code(const char *code, deviation_category *out);
const hg_code_label *sip_party_label(sip_party v);
bool sip_party_from_code(const char *code, sip_party *out);
const hg_code_label *admission_reason_label(admission_reason v);
bool admission_reason_from_code(const char *code, admission_reason *out);
/* True for the consent "how" codes that make an exception: presumed, unable, emergency. */
bool consent_how_is_exception(consent_how h);

/* ---- payloads ---- */

/* A unit a notice is addressed to (or that a request goes to). */
typedef struct event_party {
	char unit[HG_ID_MAX]; /* HSA-id or local unit id */
	unit_kind kind;
	char org[HG_ID_MAX]; /* region code or 4-digit municipality code */
} event_party;

typedef struct event_patient {
	char personnummer[EVENT_PNR_SIZE]; /* normalised "YYYYMMDD-NNNN" (pnr.h) */
	char name[HG_NAME_MAX];
	char registered_municipality[EVENT_MUNICIPALITY_SIZE]; /* folkbokföringskommun, 4 digits */
	char primary_care_unit[HG_ID_MAX];                    /* listed vårdcentral; may be empty */
	bool protected_identity;                               /* skyddad identitet: address never shown */
	char address[EVENT_ADDRESS_MAX];                       /* registered address; may be empty */
} event_patient;

struct event_admitted {
	event_patient patient;
	char hospital[HG_ID_MAX];
	char ward[HG_ID_MAX];
	care_type care;
};
struct event_transferred {
	char ward[HG_ID_MAX]; /* the ward the patient moves to */
	care_type care;
};
/* Recipients of a notice; shared by the admission notice and the ready notice. */
typedef struct event_recipients {
	int count; /* 0..EVENT_RECIPIENTS_MAX */
	event_party to[EVENT_RECIPIENTS_MAX];
} event_recipients;
struct event_admission_notice {
	event_recipients recipients;     /* at least one */
	hg_date expected_discharge_date; /* required */
	hg_instant need_judged_at;       /* HG_INSTANT_NONE: the 24 h run from admission */
	admission_reason reason;         /* required on a new notice; free text in the note */
	char address[EVENT_ADDRESS_MAX]; /* registered address as of the notice; "" = the admission's */
};
struct event_expected_date_changed {
	hg_date date; /* the new expected discharge date */
};
struct event_acknowledged {
	int32_t ack_seq; /* seq of the notice acknowledged */
};
struct event_info_requested {
	event_party to; /* the unit asked */
};
struct event_info_replied {
	int32_t reply_to_seq; /* seq of the info_requested answered */
};
struct event_consent_recorded {
	consent_state state;
	char scope[HG_ID_MAX]; /* snake_case code of what may be shared, e.g. "care_planning" */
	consent_how how;
};
struct event_track_set {
	track_colour colour;
};
struct event_care_contact_appointed {
	char name[HG_NAME_MAX];
	char title[HG_NAME_MAX]; /* e.g. "distriktssköterska"; may be empty */
	char phone[EVENT_PHONE_MAX];
};
struct event_sip_called {
	hg_instant meeting_at;
	sip_place place;
};
/* One action of a SIP: what, who is responsible, by when. */
typedef struct event_sip_action {
	char what[EVENT_SIP_ACTION_MAX];
	sip_party responsible;
	hg_date due; /* required; not before the meeting's date */
} event_sip_action;
typedef struct event_sip_actions {
	int count; /* 0..EVENT_SIP_ACTIONS_MAX */
	event_sip_action items[EVENT_SIP_ACTIONS_MAX];
} event_sip_actions;
struct event_sip_held {
	hg_instant held_at;
	sip_place place;
	hg_date follow_up_date;  /* required on a new SIP; HG_DATE_NONE in SIPs stored before issue 14 */
	unsigned participants;   /* EVENT_SIP_PARTY_BIT() set; required on a new SIP */
	event_sip_actions actions;
};
struct event_ready_for_discharge {
	/* count == 0: the recipients of the admission notice(s) */
	event_recipients recipients;
};
struct event_discharged {
	discharge_destination destination;
};
struct event_deviation {
	deviation_category category;
	char against_org[HG_ID_MAX]; /* region or municipality code the deviation concerns */
};
struct event_cancelled {
	int32_t cancels_seq;
};
struct event_legal_form_set {
	legal_form form; /* lpt or lrv (none is not recorded: cancel the event instead) */
};
struct event_care_plan_called {
	hg_instant meeting_at;
	sip_place place;
};
struct event_care_plan_established {
	hg_date follow_up_date; /* optional */
};
struct event_municipal_decision {
	decision_outcome outcome;
	unsigned services; /* EVENT_SERVICE_BIT() set of the services granted; required unless rejected */
};
struct event_municipal_plan {
	unsigned services;     /* EVENT_SERVICE_BIT() set of the services planned */
	hg_date can_receive_on; /* the date the municipality can receive the patient */
	bool short_term_care;  /* the patient goes to short-term care (korttidsvård) first */
};
struct event_information_transferred {
	unsigned items; /* EVENT_ITEM_BIT() set of what was sent; a missing one is a deviation */
};
struct event_children_as_relatives {
	bool present; /* the patient has minor children (barn som anhöriga, HSL 5 kap. 7 §) */
};

/*
 * One event. Header fields first, common to all types; then the payload of
 * `type`. Set every unused field to zero (event_init does): the store compares
 * and hashes whole values.
 */
typedef struct event {
	int64_t id;             /* store-assigned; 0 before append */
	int32_t seq;            /* 1-based position in its episode; store-assigned, 0 before append */
	event_type type;
	hg_instant occurred_at; /* when it happened (clinical time) */
	hg_instant recorded_at; /* when stored; HG_INSTANT_NONE before append */
	char author_unit[HG_ID_MAX];
	unit_kind author_kind;
	char author_org[HG_ID_MAX]; /* region code or municipality code of the author */
	char author_user[HG_ID_MAX];
	int32_t corrects_seq; /* 0, or the seq of an earlier event of the same type this one replaces */
	char note[HG_NOTE_MAX];  /* free text: reason, description; may be empty */
	union {
		struct event_admitted admitted;
		struct event_transferred transferred;
		struct event_admission_notice admission_notice;
		struct event_expected_date_changed expected_date_changed;
		struct event_acknowledged acknowledged;
		struct event_info_requested info_requested;
		struct event_info_replied info_replied;
		struct event_consent_recorded consent_recorded;
		struct event_track_set track_set;
		struct event_care_contact_appointed care_contact_appointed;
		struct event_sip_called sip_called;
		struct event_sip_held sip_held;
		struct event_ready_for_discharge ready_for_discharge;
		struct event_discharged discharged;
		struct event_deviation deviation;
		struct event_cancelled cancelled;
		struct event_legal_form_set legal_form_set;
		struct event_care_plan_called care_plan_called;
		struct event_care_plan_established care_plan_established;
		struct event_municipal_decision municipal_decision;
		struct event_municipal_plan municipal_plan;
		struct event_information_transferred information_transferred;
		struct event_children_as_relatives children_as_relatives;
	} u;
} event;

/* Zeroes *ev and sets type and the "none" sentinels (recorded_at, need_judged_at, follow-up date). */
void event_init(event *ev, event_type type);

/* ---- errors ---- */

/* Why an event was rejected. Codes (event_reason_info()->code) are stable API. */
typedef enum event_reason {
	EVR_OK = 0,
	/* field level: event_validate_fields() */
	EVR_UNKNOWN_TYPE,
	EVR_REQUIRED,          /* a required field is empty or NONE */
	EVR_NOT_TERMINATED,    /* a text field fills its buffer without a NUL */
	EVR_BAD_CODE,          /* an enum value outside its table */
	EVR_BAD_INSTANT,       /* an instant outside the supported years */
	EVR_BAD_DATE,          /* a date outside the supported years */
	EVR_IN_FUTURE,         /* occurred_at after recorded_at (beyond the clock skew) */
	EVR_BAD_PERSONNUMMER,
	EVR_BAD_MUNICIPALITY,  /* not a 4-digit kommunkod */
	EVR_BAD_CODE_TEXT,     /* a free code string that is not snake_case */
	EVR_BAD_SEQ,           /* a seq reference that is not >= 1, or seq itself negative */
	EVR_NO_RECIPIENTS,
	EVR_TOO_MANY_RECIPIENTS,
	EVR_DUPLICATE_RECIPIENT,
	EVR_EXPECTED_DATE_TOO_FAR,
	EVR_EXPECTED_DATE_BEFORE_NOTICE, /* episode rule: before the local date of the notice itself */
	EVR_BAD_CORRECTION,    /* corrects_seq negative, or set on a cancellation */
	/* sequence level: episode.h */
	EVR_SEQ_OUT_OF_ORDER,  /* stored seq is not the next one */
	EVR_NOTICE_BEFORE_ADMISSION,
	EVR_READY_BEFORE_ADMISSION,
	EVR_DISCHARGE_BEFORE_ADMISSION,
	EVR_EVENT_BEFORE_ADMISSION,
	EVR_ALREADY_ADMITTED,
	EVR_AFTER_DISCHARGE,
	EVR_EPISODE_CANCELLED,
	EVR_AUTHOR_KIND_NOT_ALLOWED,
	EVR_AUTHOR_NOT_PARTY,
	EVR_EXPECTED_DATE_BEFORE_ADMISSION,
	EVR_EXPECTED_DATE_UNCHANGED,
	EVR_NO_ADMISSION_NOTICE,
	EVR_ALREADY_READY,
	EVR_NOT_READY,
	EVR_TIME_OUT_OF_ORDER,  /* e.g. a withdrawal before the ready notice it ends */
	EVR_ACK_UNKNOWN_SEQ,
	EVR_ACK_NOT_A_NOTICE,
	EVR_ACK_NOT_ADDRESSED,
	EVR_ACK_DUPLICATE,
	EVR_REPLY_UNKNOWN_REQUEST,
	EVR_ALREADY_ON_LEAVE,
	EVR_NOT_ON_LEAVE,
	EVR_CANCEL_UNKNOWN_SEQ,
	EVR_CANCEL_ALREADY_CANCELLED,
	EVR_CANCEL_NOT_CANCELLABLE,
	EVR_CANCEL_BREAKS_LATER,
	EVR_CORRECTION_UNKNOWN_SEQ,
	EVR_CORRECTION_TYPE_MISMATCH,
	EVR_CORRECTION_OF_CANCELLED,
	EVR_CORRECTION_BREAKS_LATER,
	EVR_NOT_ORIGINAL_AUTHOR,
	EVR_HISTORY_REQUIRED,   /* a correction or cancellation given to a function without history */
	EVR_LIMIT_REACHED,      /* a bounded list of the episode state is full */
	EVR_PATIENT_HAS_OPEN_EPISODE, /* an admission of a patient who is still in hospital (store rule) */
	EVR_IDEMPOTENCY_KEY_REUSED,   /* a key already used for another request (store rule) */
	EVR_PRIMARY_CARE_REQUIRED,    /* a notice to municipal health care must also go to primary care */
	EVR_CONSENT_DECLINED,         /* information to a party whose consent is declined or withdrawn */
	EVR_CONSENT_EXCEPTION_HOW,    /* an exception needs how = presumed, unable or emergency (and only then) */
	EVR_CONSENT_PRESUMED_AFTER_DECLINED, /* a presumed consent cannot override a declined one */
	EVR_TOO_MANY_ACTIONS,         /* a SIP with more than EVENT_SIP_ACTIONS_MAX actions */
	EVR_SIP_WARD_REQUIRED,        /* a SIP held in hospital without the ward among the participants */
	EVR_MEETING_TOO_FAR,          /* a meeting called more than a year ahead */
	EVR_NO_LEGAL_FORM,            /* a care plan step without a legal form (LPT/LRV) recorded */
	EVR_CARE_PLAN_NOT_ESTABLISHED, /* the chief physician's application before the plan is established */
	EVR_NO_APPLICATION,           /* a decision before the application was received */
	EVR_NO_DECISION,              /* home care started without a decision */
	EVR_NO_CARE_CONTACT,          /* the care contact takes over before one is appointed */
	EVR_NOT_DISCHARGED,           /* a discharge step that needs the discharge first */
	EVR_COUNT
} event_reason;

typedef struct event_reason_info {
	const char *code;       /* stable snake_case, e.g. "ready_before_admission" */
	const char *message_en; /* one sentence */
	const char *message_sv;
	hg_status status;       /* HG_EINVAL (bad field), HG_ECONFLICT (not allowed now), HG_ERANGE (limit) */
} event_reason_info;

const event_reason_info *event_reason_get(event_reason r);
bool event_reason_from_code(const char *code, event_reason *out);

/* A rejection: reason, the API field it concerns, messages (static storage). */
typedef struct event_error {
	event_reason reason;
	const char *code;       /* = event_reason_get(reason)->code */
	const char *message_en;
	const char *message_sv;
	char field[EVENT_FIELD_MAX]; /* JSON name: "expected_discharge_date", "recipients[1].unit"; "" if none */
	int32_t seq;                 /* in a fold: seq of the stored event that broke the rule; else 0 */
} event_error;

/* Clears *err to "ok". */
void event_error_clear(event_error *err);
/* Fills *err (which may be NULL) and returns the reason's status. */
hg_status event_error_set(event_error *err, event_reason r, const char *field) HG_MUST_CHECK;
/* EVR_BAD_PERSONNUMMER with the words of pnr_reason_message(why) (a pnr_reason): which part of the number is
 * wrong. PNR_OK keeps the reason's own message. */
hg_status event_error_pnr(event_error *err, int why, const char *field) HG_MUST_CHECK;

/*
 * Checks what can be checked on one event without its episode: type and codes
 * in range, required fields present, text NUL-terminated, dates and instants in
 * the supported range, personnummer and municipality code well-formed,
 * recipients present, unique and at most EVENT_RECIPIENTS_MAX, an expected date
 * at most EVENT_EXPECTED_DATE_MAX_DAYS after the event's local date. HG_OK, or the reason's status with *err filled (err may be NULL).
 */
hg_status event_validate_fields(const event *ev, event_error *err) HG_MUST_CHECK;

/* True when party lists (or a party) name the same unit. */
bool event_party_same_unit(const event_party *a, const event_party *b);

#endif
