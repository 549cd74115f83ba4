/*
 * event_json.c - the JSON form of events: one table of field descriptors per
 * event type, walked in both directions.
 *
 * An event is a flat object: "type", the header members and the payload
 * members of its type. Each member is one row {JSON name, kind, offset into
 * the C struct, buffer size, flags}; nested objects (author, patient, a party)
 * and the recipient list point at a sub-table whose offsets are relative to
 * the nested struct. event_to_json() renders every row; event_from_json()
 * first rejects members that no row names, then decodes every row, so an
 * unknown member, a wrong JSON type or a malformed value is reported with the
 * JSON path of the member. Adding a field to an event means adding a row here
 * and a line in docs/api-events.md. The rules on values (required, in range,
 * well-formed) stay in core/event.c: this file only converts, and refuses what
 * cannot be converted without loss.
 */
#include "wire/event_json.h"

#include <stdio.h> /* snprintf */
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/calendar.h"
#include "core/pnr.h"

/* ---- enum codes ---- */

/* The code table of one enum, seen through int so one row kind serves them all. */
typedef struct enum_codec {
	const char *(*code)(int v);             /* the code of v, NULL outside the table */
	bool (*parse)(const char *s, int *out); /* false for an unknown code */
} enum_codec;

#define ENUM_CODEC(name, type, count, label_fn, from_fn)                                                     \
	_Static_assert(sizeof(type) == sizeof(int), #type " is stored as an int");                            \
	static const char *name##_code(int v) { return v >= 0 && v < (count) ? label_fn((type)v)->code : NULL; } \
	static bool name##_parse(const char *s, int *out)                                                     \
	{                                                                                                     \
		type v;                                                                                       \
		if (!from_fn(s, &v))                                                                          \
			return false;                                                                         \
		*out = (int)v;                                                                                \
		return true;                                                                                  \
	}                                                                                                     \
	static const enum_codec name = {name##_code, name##_parse};

ENUM_CODEC(codec_care_type, care_type, CARE_TYPE_COUNT, care_type_label, care_type_from_code)
ENUM_CODEC(codec_unit_kind, unit_kind, UNIT_KIND_COUNT, unit_kind_label, unit_kind_from_code)
ENUM_CODEC(codec_consent_state, consent_state, CONSENT_STATE_COUNT, consent_state_label, consent_state_from_code)
ENUM_CODEC(codec_consent_how, consent_how, CONSENT_HOW_COUNT, consent_how_label, consent_how_from_code)
ENUM_CODEC(codec_track_colour, track_colour, TRACK_COLOUR_COUNT, track_colour_label, track_colour_from_code)
ENUM_CODEC(codec_sip_place, sip_place, SIP_PLACE_COUNT, sip_place_label, sip_place_from_code)
ENUM_CODEC(codec_destination, discharge_destination, DEST_COUNT, discharge_destination_label,
	   discharge_destination_from_code)
ENUM_CODEC(codec_sip_party, sip_party, SIP_PARTY_COUNT, sip_party_label, sip_party_from_code)
ENUM_CODEC(codec_admission_reason, admission_reason, ADMISSION_REASON_COUNT, admission_reason_label,
	   admission_reason_from_code)
ENUM_CODEC(codec_legal_form, legal_form, LEGAL_FORM_COUNT, legal_form_label, legal_form_from_code)
ENUM_CODEC(codec_decision_outcome, decision_outcome, DECISION_OUTCOME_COUNT, decision_outcome_label,
	   decision_outcome_from_code)
ENUM_CODEC(codec_municipal_service, municipal_service, MUNICIPAL_SERVICE_COUNT, municipal_service_label,
	   municipal_service_from_code)
ENUM_CODEC(codec_discharge_item, discharge_item, DISCHARGE_ITEM_COUNT, discharge_item_label, discharge_item_from_code)
ENUM_CODEC(codec_deviation, deviation_category, DEVIATION_CATEGORY_COUNT, deviation_category_label,
	   deviation_category_from_code)

/* ---- the field tables ---- */

typedef enum field_kind {
	FIELD_TEXT,         /* char[size]; JSON string */
	FIELD_PERSONNUMMER, /* char[size]; any written form in, normalised with pnr.h */
	FIELD_ENUM,         /* an enum (int); JSON string code */
	FIELD_DATE,         /* hg_date; "YYYY-MM-DD" or null */
	FIELD_INSTANT,      /* hg_instant; ISO 8601 or local Stockholm time in, UTC "Z" out, or null */
	FIELD_BOOL,         /* bool */
	FIELD_INT32,        /* int32_t: seq and seq references */
	FIELD_INT64,        /* int64_t: store ids */
	FIELD_OBJECT,       /* a nested object: sub-table, offsets relative to this row's offset */
	FIELD_RECIPIENTS,   /* event_recipients: array of objects of sub-table (a party) */
	FIELD_CODE_SET,     /* unsigned bit set of an enum (size: its count); JSON array of codes, table order */
	FIELD_SIP_ACTIONS   /* event_sip_actions: array of objects of sub-table (an action) */
} field_kind;

enum {
	F_REQUIRED = 1u << 0,    /* absent or null is EVR_REQUIRED */
	F_STORED_ONLY = 1u << 1, /* set by the server: an unknown member in INPUT mode */
};

typedef struct field_table field_table;

typedef struct field_desc {
	const char *name; /* JSON member name */
	field_kind kind;
	size_t offset;    /* into the struct the table describes */
	size_t size;      /* FIELD_TEXT/PERSONNUMMER: buffer size incl. NUL */
	unsigned flags;
	event_reason too_long;   /* FIELD_TEXT: reason when the text does not fit (0: EVR_NOT_TERMINATED) */
	const enum_codec *codes; /* FIELD_ENUM */
	const field_table *sub;  /* FIELD_OBJECT, FIELD_RECIPIENTS */
} field_desc;

struct field_table {
	const field_desc *rows;
	size_t count;
};

#define TABLE(rows) {rows, sizeof rows / sizeof rows[0]}
#define SIZEOF_MEMBER(type, member) sizeof(((type *)0)->member)

/* Rows of a text member of struct type. */
#define TEXT_ROW(name, type, member, flags)                                                                  \
	{name, FIELD_TEXT, offsetof(type, member), SIZEOF_MEMBER(type, member), flags, EVR_OK, NULL, NULL}
#define TEXT_ROW_R(name, type, member, flags, reason)                                                        \
	{name, FIELD_TEXT, offsetof(type, member), SIZEOF_MEMBER(type, member), flags, reason, NULL, NULL}
#define ROW(name, kind, type, member, flags) {name, kind, offsetof(type, member), 0, flags, EVR_OK, NULL, NULL}
#define ENUM_ROW(name, type, member, flags, codec)                                                           \
	{name, FIELD_ENUM, offsetof(type, member), 0, flags, EVR_OK, &codec, NULL}
#define SUB_ROW(name, kind, type, member, flags, table)                                                      \
	{name, kind, offsetof(type, member), 0, flags, EVR_OK, NULL, &table}

/* A party (recipient, or the unit asked for information). The server fills kind and org from its unit table. */
static const field_desc party_rows[] = {
	TEXT_ROW("unit", event_party, unit, F_REQUIRED),
	ENUM_ROW("kind", event_party, kind, F_REQUIRED | F_STORED_ONLY, codec_unit_kind),
	TEXT_ROW("org", event_party, org, F_REQUIRED | F_STORED_ONLY),
};
static const field_table party_table = TABLE(party_rows);

/* The author: flat members of struct event gathered into one JSON object. */
static const field_desc author_rows[] = {
	TEXT_ROW("unit", event, author_unit, F_REQUIRED),
	ENUM_ROW("kind", event, author_kind, F_REQUIRED, codec_unit_kind),
	TEXT_ROW("org", event, author_org, F_REQUIRED),
	TEXT_ROW("user", event, author_user, 0),
};
static const field_table author_table = TABLE(author_rows);

static const field_desc header_rows[] = {
	ROW("id", FIELD_INT64, event, id, F_STORED_ONLY),
	ROW("seq", FIELD_INT32, event, seq, F_STORED_ONLY),
	ROW("occurred_at", FIELD_INSTANT, event, occurred_at, F_REQUIRED),
	ROW("recorded_at", FIELD_INSTANT, event, recorded_at, F_STORED_ONLY),
	{"author", FIELD_OBJECT, 0, 0, F_REQUIRED | F_STORED_ONLY, EVR_OK, NULL, &author_table},
	ROW("corrects_seq", FIELD_INT32, event, corrects_seq, 0),
	TEXT_ROW("note", event, note, 0),
};
static const field_table header_table = TABLE(header_rows);

static const field_desc patient_rows[] = {
	{"personnummer", FIELD_PERSONNUMMER, offsetof(event_patient, personnummer),
	 SIZEOF_MEMBER(event_patient, personnummer), F_REQUIRED, EVR_BAD_PERSONNUMMER, NULL, NULL},
	TEXT_ROW("name", event_patient, name, F_REQUIRED),
	TEXT_ROW_R("registered_municipality", event_patient, registered_municipality, F_REQUIRED, EVR_BAD_MUNICIPALITY),
	TEXT_ROW("primary_care_unit", event_patient, primary_care_unit, 0),
	ROW("protected_identity", FIELD_BOOL, event_patient, protected_identity, 0),
	TEXT_ROW("address", event_patient, address, 0),
};
static const field_table patient_table = TABLE(patient_rows);

/* Payload rows: offsets are into struct event, so a row names its union member in full. */
static const field_desc admitted_rows[] = {
	SUB_ROW("patient", FIELD_OBJECT, event, u.admitted.patient, F_REQUIRED, patient_table),
	TEXT_ROW("hospital", event, u.admitted.hospital, F_REQUIRED),
	TEXT_ROW("ward", event, u.admitted.ward, F_REQUIRED),
	ENUM_ROW("care_type", event, u.admitted.care, F_REQUIRED, codec_care_type),
};
static const field_desc transferred_rows[] = {
	TEXT_ROW("ward", event, u.transferred.ward, F_REQUIRED),
	ENUM_ROW("care_type", event, u.transferred.care, F_REQUIRED, codec_care_type),
};
static const field_desc admission_notice_rows[] = {
	SUB_ROW("recipients", FIELD_RECIPIENTS, event, u.admission_notice.recipients, F_REQUIRED, party_table),
	ROW("expected_discharge_date", FIELD_DATE, event, u.admission_notice.expected_discharge_date, F_REQUIRED),
	ROW("need_judged_at", FIELD_INSTANT, event, u.admission_notice.need_judged_at, 0),
	/* Optional here so that notices stored before issue 14 still read; a new notice must state it (episode.c). */
	ENUM_ROW("reason", event, u.admission_notice.reason, 0, codec_admission_reason),
	TEXT_ROW("address", event, u.admission_notice.address, 0),
};
/* Same name as in the admission notice (and in event_validate_fields' errors). */
static const field_desc expected_date_changed_rows[] = {
	ROW("expected_discharge_date", FIELD_DATE, event, u.expected_date_changed.date, F_REQUIRED),
};
static const field_desc acknowledged_rows[] = {
	ROW("ack_seq", FIELD_INT32, event, u.acknowledged.ack_seq, F_REQUIRED),
};
static const field_desc info_requested_rows[] = {
	SUB_ROW("to", FIELD_OBJECT, event, u.info_requested.to, F_REQUIRED, party_table),
};
static const field_desc info_replied_rows[] = {
	ROW("reply_to_seq", FIELD_INT32, event, u.info_replied.reply_to_seq, F_REQUIRED),
};
static const field_desc consent_recorded_rows[] = {
	ENUM_ROW("state", event, u.consent_recorded.state, F_REQUIRED, codec_consent_state),
	TEXT_ROW_R("scope", event, u.consent_recorded.scope, F_REQUIRED, EVR_BAD_CODE_TEXT),
	ENUM_ROW("how", event, u.consent_recorded.how, F_REQUIRED, codec_consent_how),
};
static const field_desc track_set_rows[] = {
	ENUM_ROW("colour", event, u.track_set.colour, F_REQUIRED, codec_track_colour),
};
static const field_desc care_contact_appointed_rows[] = {
	TEXT_ROW("name", event, u.care_contact_appointed.name, F_REQUIRED),
	TEXT_ROW("title", event, u.care_contact_appointed.title, 0),
	TEXT_ROW("phone", event, u.care_contact_appointed.phone, 0),
};
static const field_desc sip_called_rows[] = {
	ROW("meeting_at", FIELD_INSTANT, event, u.sip_called.meeting_at, F_REQUIRED),
	ENUM_ROW("place", event, u.sip_called.place, F_REQUIRED, codec_sip_place),
};
static const field_desc sip_action_rows[] = {
	TEXT_ROW("what", event_sip_action, what, F_REQUIRED),
	ENUM_ROW("responsible", event_sip_action, responsible, F_REQUIRED, codec_sip_party),
	ROW("due", FIELD_DATE, event_sip_action, due, F_REQUIRED),
};
static const field_table sip_action_table = TABLE(sip_action_rows);
static const field_desc sip_held_rows[] = {
	ROW("held_at", FIELD_INSTANT, event, u.sip_held.held_at, F_REQUIRED),
	ENUM_ROW("place", event, u.sip_held.place, F_REQUIRED, codec_sip_place),
	ROW("follow_up_date", FIELD_DATE, event, u.sip_held.follow_up_date, 0),
	/* Optional here so that SIPs stored before issue 14 still read; a new SIP names them (episode.c). */
	{"participants", FIELD_CODE_SET, offsetof(event, u.sip_held.participants), SIP_PARTY_COUNT, 0, EVR_OK,
	 &codec_sip_party, NULL},
	SUB_ROW("actions", FIELD_SIP_ACTIONS, event, u.sip_held.actions, 0, sip_action_table),
};
static const field_desc ready_for_discharge_rows[] = {
	/* empty or absent: the recipients of the admission notice(s) */
	SUB_ROW("recipients", FIELD_RECIPIENTS, event, u.ready_for_discharge.recipients, 0, party_table),
};
static const field_desc discharged_rows[] = {
	ENUM_ROW("destination", event, u.discharged.destination, F_REQUIRED, codec_destination),
};
static const field_desc deviation_rows[] = {
	ENUM_ROW("category", event, u.deviation.category, F_REQUIRED, codec_deviation),
	TEXT_ROW("against_org", event, u.deviation.against_org, F_REQUIRED),
};
static const field_desc cancelled_rows[] = {
	ROW("cancels_seq", FIELD_INT32, event, u.cancelled.cancels_seq, F_REQUIRED),
};

static const field_desc legal_form_set_rows[] = {
	ENUM_ROW("legal_form", event, u.legal_form_set.form, F_REQUIRED, codec_legal_form),
};
static const field_desc care_plan_called_rows[] = {
	ROW("meeting_at", FIELD_INSTANT, event, u.care_plan_called.meeting_at, F_REQUIRED),
	ENUM_ROW("place", event, u.care_plan_called.place, F_REQUIRED, codec_sip_place),
};
static const field_desc care_plan_established_rows[] = {
	ROW("follow_up_date", FIELD_DATE, event, u.care_plan_established.follow_up_date, 0),
};
static const field_desc municipal_decision_rows[] = {
	ENUM_ROW("outcome", event, u.municipal_decision.outcome, F_REQUIRED, codec_decision_outcome),
	{"services", FIELD_CODE_SET, offsetof(event, u.municipal_decision.services), MUNICIPAL_SERVICE_COUNT, 0,
	 EVR_OK, &codec_municipal_service, NULL},
};
static const field_desc municipal_plan_rows[] = {
	{"services", FIELD_CODE_SET, offsetof(event, u.municipal_plan.services), MUNICIPAL_SERVICE_COUNT, 0, EVR_OK,
	 &codec_municipal_service, NULL},
	ROW("can_receive_on", FIELD_DATE, event, u.municipal_plan.can_receive_on, F_REQUIRED),
	ROW("short_term_care", FIELD_BOOL, event, u.municipal_plan.short_term_care, 0),
};
static const field_desc information_transferred_rows[] = {
	/* what was sent; what is not listed is missing (a deviation) */
	{"items", FIELD_CODE_SET, offsetof(event, u.information_transferred.items), DISCHARGE_ITEM_COUNT, F_REQUIRED,
	 EVR_OK, &codec_discharge_item, NULL},
};
static const field_desc children_as_relatives_rows[] = {
	ROW("children_as_relatives", FIELD_BOOL, event, u.children_as_relatives.present, F_REQUIRED),
};

/* The payload table of each type; types without a payload have none. */
static const field_table payload_tables[EVENT_TYPE_COUNT] = {
	[EVENT_ADMITTED] = TABLE(admitted_rows),
	[EVENT_TRANSFERRED] = TABLE(transferred_rows),
	[EVENT_ADMISSION_NOTICE] = TABLE(admission_notice_rows),
	[EVENT_EXPECTED_DATE_CHANGED] = TABLE(expected_date_changed_rows),
	[EVENT_ACKNOWLEDGED] = TABLE(acknowledged_rows),
	[EVENT_INFO_REQUESTED] = TABLE(info_requested_rows),
	[EVENT_INFO_REPLIED] = TABLE(info_replied_rows),
	[EVENT_CONSENT_RECORDED] = TABLE(consent_recorded_rows),
	[EVENT_TRACK_SET] = TABLE(track_set_rows),
	[EVENT_CARE_CONTACT_APPOINTED] = TABLE(care_contact_appointed_rows),
	[EVENT_SIP_CALLED] = TABLE(sip_called_rows),
	[EVENT_SIP_HELD] = TABLE(sip_held_rows),
	[EVENT_READY_FOR_DISCHARGE] = TABLE(ready_for_discharge_rows),
	[EVENT_READY_WITHDRAWN] = {NULL, 0},
	[EVENT_MUNICIPALITY_READY] = {NULL, 0},
	[EVENT_DISCHARGED] = TABLE(discharged_rows),
	[EVENT_DEVIATION] = TABLE(deviation_rows),
	[EVENT_CANCELLED] = TABLE(cancelled_rows),
	[EVENT_LEAVE_STARTED] = {NULL, 0},
	[EVENT_LEAVE_ENDED] = {NULL, 0},
	[EVENT_LEGAL_FORM_SET] = TABLE(legal_form_set_rows),
	[EVENT_CARE_PLAN_CALLED] = TABLE(care_plan_called_rows),
	[EVENT_CARE_PLAN_ESTABLISHED] = TABLE(care_plan_established_rows),
	[EVENT_CHIEF_PHYSICIAN_APPLIED] = {NULL, 0},
	[EVENT_MUNICIPAL_REPORT_RECEIVED] = {NULL, 0},
	[EVENT_MUNICIPAL_PATIENT_CONTACTED] = {NULL, 0},
	[EVENT_MUNICIPAL_APPLICATION_RECEIVED] = {NULL, 0},
	[EVENT_MUNICIPAL_DECISION] = TABLE(municipal_decision_rows),
	[EVENT_MUNICIPAL_PLAN] = TABLE(municipal_plan_rows),
	[EVENT_HOME_CARE_STARTED] = {NULL, 0},
	[EVENT_INFORMATION_TRANSFERRED] = TABLE(information_transferred_rows),
	[EVENT_PATIENT_INFORMED] = {NULL, 0},
	[EVENT_RESPONSIBILITY_TAKEN_OVER] = {NULL, 0},
	[EVENT_CHILDREN_AS_RELATIVES] = TABLE(children_as_relatives_rows),
};

/* ---- rendering ---- */

static int get_int(const char *p)
{
	int v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* A text buffer as a JSON string; a buffer without a NUL is rendered up to its end. */
static json_t *text_value(const char *s, size_t size) { return json_stringn(s, strnlen(s, size)); }

static json_t *date_value(hg_date d)
{
	char buf[11];
	return d == HG_DATE_NONE ? json_null() : json_string(date_format(d, buf));
}

static json_t *instant_value(hg_instant t)
{
	char buf[21];
	return t == HG_INSTANT_NONE ? json_null() : json_string(instant_format_utc(t, buf));
}

static json_t *table_to_json(const field_table *tab, const char *base);

static json_t *recipients_to_json(const field_table *sub, const event_recipients *r)
{
	json_t *arr = json_array();
	int n = r->count < 0 ? 0 : r->count > EVENT_RECIPIENTS_MAX ? EVENT_RECIPIENTS_MAX : r->count;
	if (!arr)
		return NULL;
	for (int i = 0; i < n; i++) {
		if (json_array_append_new(arr, table_to_json(sub, (const char *)&r->to[i])) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *actions_to_json(const field_table *sub, const event_sip_actions *a)
{
	json_t *arr = json_array();
	int n = a->count < 0 ? 0 : a->count > EVENT_SIP_ACTIONS_MAX ? EVENT_SIP_ACTIONS_MAX : a->count;
	if (!arr)
		return NULL;
	for (int i = 0; i < n; i++) {
		if (json_array_append_new(arr, table_to_json(sub, (const char *)&a->items[i])) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* A bit set as the array of its codes, in table order. */
static json_t *code_set_to_json(const field_desc *f, const char *p)
{
	unsigned set;
	memcpy(&set, p, sizeof set);
	json_t *arr = json_array();
	for (int i = 0; arr && i < (int)f->size; i++) {
		if (!(set & (1u << i)))
			continue;
		if (json_array_append_new(arr, json_string(f->codes->code(i))) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* The JSON value of one row; NULL when out of memory. */
static json_t *row_to_json(const field_desc *f, const char *base)
{
	const char *p = base + f->offset;
	switch (f->kind) {
	case FIELD_TEXT:
	case FIELD_PERSONNUMMER:
		return text_value(p, f->size);
	case FIELD_ENUM: {
		const char *code = f->codes->code(get_int(p));
		return code ? json_string(code) : json_null();
	}
	case FIELD_DATE: {
		hg_date d;
		memcpy(&d, p, sizeof d);
		return date_value(d);
	}
	case FIELD_INSTANT: {
		hg_instant t;
		memcpy(&t, p, sizeof t);
		return instant_value(t);
	}
	case FIELD_BOOL: {
		bool b;
		memcpy(&b, p, sizeof b);
		return json_boolean(b);
	}
	case FIELD_INT32: {
		int32_t v;
		memcpy(&v, p, sizeof v);
		return json_integer(v);
	}
	case FIELD_INT64: {
		int64_t v;
		memcpy(&v, p, sizeof v);
		return json_integer(v);
	}
	case FIELD_OBJECT:
		return table_to_json(f->sub, p);
	case FIELD_RECIPIENTS:
		return recipients_to_json(f->sub, (const event_recipients *)(const void *)p);
	case FIELD_CODE_SET:
		return code_set_to_json(f, p);
	case FIELD_SIP_ACTIONS:
		return actions_to_json(f->sub, (const event_sip_actions *)(const void *)p);
	}
	return NULL; /* NEVER */
}

/* Adds every row of tab to obj; false when out of memory. */
static bool table_add(json_t *obj, const field_table *tab, const char *base)
{
	for (size_t i = 0; i < tab->count; i++)
		if (json_object_set_new(obj, tab->rows[i].name, row_to_json(&tab->rows[i], base)) != 0)
			return false;
	return true;
}

static json_t *table_to_json(const field_table *tab, const char *base)
{
	json_t *obj = json_object();
	if (obj && !table_add(obj, tab, base)) {
		json_decref(obj);
		obj = NULL;
	}
	return obj;
}

json_t *event_to_json(const event *ev)
{
	const char *base = (const char *)ev;
	json_t *obj = json_object();
	if (!obj)
		return NULL;
	if (json_object_set_new(obj, "type", json_string(event_type_code(ev->type))) != 0 ||
	    !table_add(obj, &header_table, base) ||
	    ((unsigned)ev->type < EVENT_TYPE_COUNT && !table_add(obj, &payload_tables[ev->type], base))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* ---- parsing ---- */

/* Where a parse is: the mode, the event (for the personnummer's reference date), the error. */
struct pctx {
	event_json_mode mode;
	const event *ev;
	event_error *err;
};

/* The JSON path of member name under prefix: "name", "prefix.name". */
static void path_join(char out[EVENT_FIELD_MAX], const char *prefix, const char *name)
{
	if (prefix[0])
		(void)snprintf(out, EVENT_FIELD_MAX, "%s.%s", prefix, name);
	else
		(void)snprintf(out, EVENT_FIELD_MAX, "%s", name);
}

static hg_status fail(struct pctx *c, event_reason r, const char *path) { return event_error_set(c->err, r, path); }

static bool row_visible(const struct pctx *c, const field_desc *f)
{
	return c->mode == EVENT_JSON_STORED || !(f->flags & F_STORED_ONLY);
}

static const field_desc *table_find(const struct pctx *c, const field_table *tab, const char *name)
{
	for (size_t i = 0; i < tab->count; i++)
		if (strcmp(tab->rows[i].name, name) == 0)
			return row_visible(c, &tab->rows[i]) ? &tab->rows[i] : NULL;
	return NULL;
}

/* Rejects the first member of obj that none of tabs[0..n) names (nor "type" at the top). */
static hg_status reject_unknown(struct pctx *c, const json_t *obj, const field_table *const *tabs, size_t n,
				bool top, const char *prefix)
{
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)obj, key, value) {
		bool known = top && strcmp(key, "type") == 0;
		for (size_t i = 0; i < n && !known; i++)
			known = table_find(c, tabs[i], key) != NULL;
		if (!known) {
			char path[EVENT_FIELD_MAX];
			path_join(path, prefix, key);
			return fail(c, EVR_BAD_CODE, path);
		}
	}
	return HG_OK;
}

/* A JSON string into a text buffer of size bytes; never truncates. */
static hg_status parse_text(struct pctx *c, const field_desc *f, const json_t *v, char *dst, const char *path)
{
	if (!json_is_string(v))
		return fail(c, EVR_BAD_CODE, path);
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (memchr(s, '\0', len) != NULL) /* an embedded NUL would cut the text short */
		return fail(c, EVR_BAD_CODE, path);
	if (len >= f->size)
		return fail(c, f->too_long != EVR_OK ? f->too_long : EVR_NOT_TERMINATED, path);
	memcpy(dst, s, len + 1);
	return HG_OK;
}

static hg_status parse_personnummer(struct pctx *c, const json_t *v, char *dst, size_t size, const char *path)
{
	if (!json_is_string(v))
		return fail(c, EVR_BAD_CODE, path);
	/* The reference date of the century rule: the local date of the event (occurred_at is parsed first). */
	hg_date ref = c->ev->occurred_at == HG_INSTANT_NONE ? HG_DATE_NONE : cal_local_date(c->ev->occurred_at);
	if (ref == HG_DATE_NONE)
		return fail(c, EVR_REQUIRED, "occurred_at"); /* NEVER: occurred_at is required */
	pnr_options opt = pnr_options_default(ref);
	opt.accept_reserve = true;
	pnr parsed;
	pnr_reason why;
	if (pnr_parse(json_string_value(v), &opt, &parsed, &why) != HG_OK)
		return event_error_pnr(c->err, (int)why, path); /* names the part that is wrong */
	if (strlen(parsed.normal) >= size)
		return fail(c, EVR_BAD_PERSONNUMMER, path);
	memcpy(dst, parsed.normal, strlen(parsed.normal) + 1);
	return HG_OK;
}

/*
 * An instant: ISO 8601 with Z or an offset, or a local Europe/Stockholm time
 * "YYYY-MM-DDTHH:MM[:SS]" without one. A bare date is refused: which moment of
 * the day was meant is not known.
 */
static hg_status parse_instant_text(const char *s, hg_instant *out)
{
	if (instant_parse_iso(s, out) == HG_OK)
		return HG_OK;
	if (strlen(s) < 16 || s[10] != 'T')
		return HG_EINVAL;
	return cal_parse_local(s, out);
}

static hg_status parse_int(struct pctx *c, const json_t *v, int64_t lo, int64_t hi, int64_t *out, const char *path)
{
	if (!json_is_integer(v))
		return fail(c, EVR_BAD_CODE, path);
	json_int_t n = json_integer_value(v);
	if (n < lo || n > hi)
		return fail(c, EVR_BAD_SEQ, path);
	*out = (int64_t)n;
	return HG_OK;
}

static hg_status parse_table(struct pctx *c, const field_table *tab, const json_t *obj, char *base, const char *prefix);

/* An array of objects of f->sub into items (at most max, each stride bytes), counted in *count. */
static hg_status parse_items(struct pctx *c, const field_desc *f, const json_t *v, size_t max, event_reason too_many,
			     char *items, size_t stride, int *count, const char *path)
{
	if (!json_is_array(v))
		return fail(c, EVR_BAD_CODE, path);
	size_t n = json_array_size(v);
	if (n > max)
		return fail(c, too_many, path);
	for (size_t i = 0; i < n; i++) {
		char item[EVENT_FIELD_MAX + 24]; /* room for any index: the compiler cannot see that i < max */
		(void)snprintf(item, sizeof item, "%.50s[%zu]", path, i);
		const json_t *one = json_array_get(v, i);
		if (!json_is_object(one))
			return fail(c, EVR_BAD_CODE, item);
		const field_table *tabs[] = {f->sub};
		hg_status rc = reject_unknown(c, one, tabs, 1, false, item);
		if (rc || (rc = parse_table(c, f->sub, one, items + i * stride, item)))
			return rc;
	}
	*count = (int)n;
	return HG_OK;
}

/* An array of distinct codes into a bit set. */
static hg_status parse_code_set(struct pctx *c, const field_desc *f, const json_t *v, char *p, const char *path)
{
	unsigned set = 0;
	if (!json_is_array(v))
		return fail(c, EVR_BAD_CODE, path);
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *one = json_array_get(v, i);
		int e;
		char item[EVENT_FIELD_MAX];
		(void)snprintf(item, sizeof item, "%.40s[%zu]", path, i % 1000);
		if (!json_is_string(one) || !f->codes->parse(json_string_value(one), &e) || e < 0 || e >= (int)f->size ||
		    (set & (1u << e)))
			return fail(c, EVR_BAD_CODE, item);
		set |= 1u << e;
	}
	memcpy(p, &set, sizeof set);
	return HG_OK;
}

/* Decodes one present, non-null member. */
static hg_status parse_row(struct pctx *c, const field_desc *f, const json_t *v, char *base, const char *path)
{
	char *p = base + f->offset;
	hg_status rc;
	switch (f->kind) {
	case FIELD_TEXT:
		return parse_text(c, f, v, p, path);
	case FIELD_PERSONNUMMER:
		return parse_personnummer(c, v, p, f->size, path);
	case FIELD_ENUM: {
		int e;
		if (!json_is_string(v) || !f->codes->parse(json_string_value(v), &e))
			return fail(c, EVR_BAD_CODE, path);
		memcpy(p, &e, sizeof e);
		return HG_OK;
	}
	case FIELD_DATE: {
		hg_date d;
		if (!json_is_string(v))
			return fail(c, EVR_BAD_CODE, path);
		if (date_parse(json_string_value(v), &d) != HG_OK)
			return fail(c, EVR_BAD_DATE, path);
		memcpy(p, &d, sizeof d);
		return HG_OK;
	}
	case FIELD_INSTANT: {
		hg_instant t;
		if (!json_is_string(v))
			return fail(c, EVR_BAD_CODE, path);
		if (parse_instant_text(json_string_value(v), &t) != HG_OK)
			return fail(c, EVR_BAD_INSTANT, path);
		memcpy(p, &t, sizeof t);
		return HG_OK;
	}
	case FIELD_BOOL: {
		bool b;
		if (!json_is_boolean(v))
			return fail(c, EVR_BAD_CODE, path);
		b = json_is_true(v);
		memcpy(p, &b, sizeof b);
		return HG_OK;
	}
	case FIELD_INT32: {
		int64_t n;
		if ((rc = parse_int(c, v, INT32_MIN, INT32_MAX, &n, path)))
			return rc;
		int32_t n32 = (int32_t)n;
		memcpy(p, &n32, sizeof n32);
		return HG_OK;
	}
	case FIELD_INT64: {
		int64_t n;
		if ((rc = parse_int(c, v, 0, INT64_MAX, &n, path)))
			return rc;
		memcpy(p, &n, sizeof n);
		return HG_OK;
	}
	case FIELD_OBJECT: {
		if (!json_is_object(v))
			return fail(c, EVR_BAD_CODE, path);
		const field_table *tabs[] = {f->sub};
		if ((rc = reject_unknown(c, v, tabs, 1, false, path)))
			return rc;
		return parse_table(c, f->sub, v, p, path);
	}
	case FIELD_RECIPIENTS: {
		event_recipients *r = (event_recipients *)(void *)p;
		return parse_items(c, f, v, EVENT_RECIPIENTS_MAX, EVR_TOO_MANY_RECIPIENTS, (char *)r->to, sizeof r->to[0],
				   &r->count, path);
	}
	case FIELD_CODE_SET:
		return parse_code_set(c, f, v, p, path);
	case FIELD_SIP_ACTIONS: {
		event_sip_actions *a = (event_sip_actions *)(void *)p;
		return parse_items(c, f, v, EVENT_SIP_ACTIONS_MAX, EVR_TOO_MANY_ACTIONS, (char *)a->items,
				   sizeof a->items[0], &a->count, path);
	}
	}
	return fail(c, EVR_BAD_CODE, path); /* NEVER */
}

/* Decodes every visible row of tab from obj into base; absent and null are the same. */
static hg_status parse_table(struct pctx *c, const field_table *tab, const json_t *obj, char *base, const char *prefix)
{
	for (size_t i = 0; i < tab->count; i++) {
		const field_desc *f = &tab->rows[i];
		if (!row_visible(c, f))
			continue;
		char path[EVENT_FIELD_MAX];
		path_join(path, prefix, f->name);
		const json_t *v = json_object_get(obj, f->name);
		if (!v || json_is_null(v)) {
			if (f->flags & F_REQUIRED)
				return fail(c, EVR_REQUIRED, path);
			continue; /* keeps event_init's value: "", 0, false or NONE */
		}
		hg_status rc = parse_row(c, f, v, base, path);
		if (rc)
			return rc;
	}
	return HG_OK;
}

hg_status event_from_json(const json_t *obj, event_json_mode mode, event *ev, event_error *err)
{
	struct pctx c = {.mode = mode, .ev = ev, .err = err};
	event_type type;
	event_init(ev, EVENT_ADMITTED);
	event_error_clear(err);
	if (!json_is_object(obj))
		return fail(&c, EVR_BAD_CODE, "");
	const json_t *t = json_object_get(obj, "type");
	if (!t || json_is_null(t))
		return fail(&c, EVR_REQUIRED, "type");
	if (!json_is_string(t))
		return fail(&c, EVR_BAD_CODE, "type");
	if (!event_type_from_code(json_string_value(t), &type))
		return fail(&c, EVR_UNKNOWN_TYPE, "type");
	event_init(ev, type);

	const field_table *tabs[] = {&header_table, &payload_tables[type]};
	hg_status rc = reject_unknown(&c, obj, tabs, 2, true, "");
	if (rc || (rc = parse_table(&c, &header_table, obj, (char *)ev, "")) ||
	    (rc = parse_table(&c, &payload_tables[type], obj, (char *)ev, "")))
		return rc;
	return HG_OK;
}

/* ---- canonical text ---- */

/*
 * The canonical text is what Jansson's json_dumpb(event_to_json(ev),
 * JSON_COMPACT | JSON_SORT_KEYS) gives (the form every stored body has), but
 * written straight from the field tables: building the JSON value, sorting it
 * and dumping it twice cost more than all else of a bulk load. The test of
 * this file compares both for every type and for awkward text.
 */

/* The text is built in an hg_buf; failed is sticky: out of memory, or text that is not UTF-8 (set here). Its
 * ceiling is a bound no event reaches: every byte of the struct escaped as \u00XX, and the member names. */
typedef hg_buf text_out;
#define EVENT_TEXT_MAX (sizeof(event) * 6 + 4096)

static void out_bytes(text_out *o, const char *s, size_t n) { (void)hg_buf_add(o, s, n); }

static void out_text(text_out *o, const char *s) { out_bytes(o, s, strlen(s)); }

/* Length of the valid UTF-8 sequence at s[0..n) (RFC 3629, as Jansson checks it), or 0. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t v;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, v = s[0] & 0x1Fu;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, v = s[0] & 0x0Fu;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, v = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0u) != 0x80u)
			return 0;
		v = v << 6 | (s[i] & 0x3Fu);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000))
		return 0;
	return len;
}

/* A JSON string with Jansson's escapes: \\ \" \b \f \n \r \t, other controls as \u00XX, UTF-8 as it is. */
static void out_string(text_out *o, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0;
	out_bytes(o, "\"", 1);
	for (size_t i = 0; i < n && !o->failed;) {
		size_t len = utf8_length(u + i, n - i);
		if (len == 0) {
			o->failed = true;
			break;
		}
		if (len > 1 || (u[i] >= 0x20 && u[i] != '"' && u[i] != '\\')) {
			i += len;
			run += len;
			continue;
		}
		out_bytes(o, s + i - run, run);
		run = 0;
		char esc[8];
		switch (u[i]) {
		case '"': out_bytes(o, "\\\"", 2); break;
		case '\\': out_bytes(o, "\\\\", 2); break;
		case '\b': out_bytes(o, "\\b", 2); break;
		case '\f': out_bytes(o, "\\f", 2); break;
		case '\n': out_bytes(o, "\\n", 2); break;
		case '\r': out_bytes(o, "\\r", 2); break;
		case '\t': out_bytes(o, "\\t", 2); break;
		default:
			(void)snprintf(esc, sizeof esc, "\\u%04X", u[i]);
			out_bytes(o, esc, 6);
		}
		i++;
	}
	out_bytes(o, s + n - run, run);
	out_bytes(o, "\"", 1);
}

static void out_int(text_out *o, long long v)
{
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%lld", v);
	out_bytes(o, buf, (size_t)n);
}

/* One member of an object being written: its row and the struct the row's offset is into. */
typedef struct out_member {
	const char *name;
	const field_desc *f; /* NULL: the "type" member */
	const char *base;
} out_member;

#define OUT_MEMBERS_MAX 24

static void out_members(text_out *o, out_member *m, size_t n, const event *ev);

static void out_table(text_out *o, const field_table *tab, const char *base)
{
	out_member m[OUT_MEMBERS_MAX];
	size_t n = 0;
	for (size_t i = 0; i < tab->count && n < OUT_MEMBERS_MAX; i++)
		m[n++] = (out_member){tab->rows[i].name, &tab->rows[i], base};
	out_members(o, m, n, NULL);
}

static void out_row(text_out *o, const field_desc *f, const char *base)
{
	const char *p = base + f->offset;
	switch (f->kind) {
	case FIELD_TEXT:
	case FIELD_PERSONNUMMER:
		out_string(o, p, strnlen(p, f->size));
		return;
	case FIELD_ENUM: {
		const char *code = f->codes->code(get_int(p));
		if (code)
			out_string(o, code, strlen(code));
		else
			out_text(o, "null");
		return;
	}
	case FIELD_DATE: {
		hg_date d;
		char buf[11];
		memcpy(&d, p, sizeof d);
		if (d == HG_DATE_NONE)
			out_text(o, "null");
		else
			out_string(o, date_format(d, buf), 10);
		return;
	}
	case FIELD_INSTANT: {
		hg_instant t;
		char buf[21];
		memcpy(&t, p, sizeof t);
		if (t == HG_INSTANT_NONE)
			out_text(o, "null");
		else {
			const char *s = instant_format_utc(t, buf);
			out_string(o, s, strlen(s));
		}
		return;
	}
	case FIELD_BOOL: {
		bool b;
		memcpy(&b, p, sizeof b);
		out_text(o, b ? "true" : "false");
		return;
	}
	case FIELD_INT32: {
		int32_t v;
		memcpy(&v, p, sizeof v);
		out_int(o, v);
		return;
	}
	case FIELD_INT64: {
		int64_t v;
		memcpy(&v, p, sizeof v);
		out_int(o, v);
		return;
	}
	case FIELD_OBJECT:
		out_table(o, f->sub, p);
		return;
	case FIELD_RECIPIENTS: {
		const event_recipients *r = (const event_recipients *)(const void *)p;
		int n = r->count < 0 ? 0 : r->count > EVENT_RECIPIENTS_MAX ? EVENT_RECIPIENTS_MAX : r->count;
		out_bytes(o, "[", 1);
		for (int i = 0; i < n; i++) {
			if (i)
				out_bytes(o, ",", 1);
			out_table(o, f->sub, (const char *)&r->to[i]);
		}
		out_bytes(o, "]", 1);
		return;
	}
	case FIELD_SIP_ACTIONS: {
		const event_sip_actions *a = (const event_sip_actions *)(const void *)p;
		int n = a->count < 0 ? 0 : a->count > EVENT_SIP_ACTIONS_MAX ? EVENT_SIP_ACTIONS_MAX : a->count;
		out_bytes(o, "[", 1);
		for (int i = 0; i < n; i++) {
			if (i)
				out_bytes(o, ",", 1);
			out_table(o, f->sub, (const char *)&a->items[i]);
		}
		out_bytes(o, "]", 1);
		return;
	}
	case FIELD_CODE_SET: {
		/* the codes of the set bits, in table order */
		unsigned set;
		bool first = true;
		memcpy(&set, p, sizeof set);
		out_bytes(o, "[", 1);
		for (int i = 0; i < (int)f->size; i++) {
			if (!(set & (1u << i)))
				continue;
			const char *code = f->codes->code(i);
			if (!first)
				out_bytes(o, ",", 1);
			first = false;
			out_string(o, code, strlen(code));
		}
		out_bytes(o, "]", 1);
		return;
	}
	}
	o->failed = true; /* NEVER */
}

/* An object of members m[0..n), in the byte order of their names (JSON_SORT_KEYS). */
static void out_members(text_out *o, out_member *m, size_t n, const event *ev)
{
	for (size_t i = 1; i < n; i++) {
		out_member x = m[i];
		size_t j = i;
		for (; j > 0 && strcmp(m[j - 1].name, x.name) > 0; j--)
			m[j] = m[j - 1];
		m[j] = x;
	}
	out_bytes(o, "{", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			out_bytes(o, ",", 1);
		out_string(o, m[i].name, strlen(m[i].name));
		out_bytes(o, ":", 1);
		if (m[i].f)
			out_row(o, m[i].f, m[i].base);
		else
			out_string(o, event_type_code(ev->type), strlen(event_type_code(ev->type)));
	}
	out_bytes(o, "}", 1);
}

char *event_to_text(const event *ev)
{
	const char *base = (const char *)ev;
	out_member m[OUT_MEMBERS_MAX];
	size_t n = 0;
	text_out o;
	if (!event_type_code(ev->type))
		return NULL;
	hg_buf_init(&o, EVENT_TEXT_MAX);
	m[n++] = (out_member){"type", NULL, base};
	const field_table *tabs[2] = {&header_table,
				      (unsigned)ev->type < EVENT_TYPE_COUNT ? &payload_tables[ev->type] : NULL};
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; tabs[k] && i < tabs[k]->count && n < OUT_MEMBERS_MAX; i++)
			m[n++] = (out_member){tabs[k]->rows[i].name, &tabs[k]->rows[i], base};
	out_members(&o, m, n, ev);
	return hg_buf_take(&o, NULL);
}

hg_status event_from_text(const char *text, event *ev, event_error *err)
{
	json_error_t jerr;
	event_init(ev, EVENT_ADMITTED);
	event_error_clear(err);
	if (!text)
		return event_error_set(err, EVR_REQUIRED, "");
	size_t len = strnlen(text, EVENT_JSON_TEXT_MAX + 1);
	if (len > EVENT_JSON_TEXT_MAX)
		return event_error_set(err, EVR_NOT_TERMINATED, "");
	json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		if (json_error_code(&jerr) == json_error_out_of_memory)
			return HG_ENOMEM;
		return event_error_set(err, EVR_BAD_CODE, "");
	}
	hg_status rc = event_from_json(obj, EVENT_JSON_STORED, ev, err);
	json_decref(obj);
	return rc;
}
