/*
 * adt.c - reading ADT messages, planning the events they mean, and the ACK
 * (adt.h). Every code this module knows is in a table here: the triggers, the
 * assigning authorities of PID-3, the discharge dispositions of PV1-36, the
 * HL7 error codes and the map from event fields back to HL7 fields.
 */
#include "hl7/adt.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h> /* snprintf, vsnprintf */
#include <string.h>

#include "core/calendar.h"
#include "core/pnr.h"
#include "core/text.h"

/* Where the time of each trigger is read from, in order of preference. */
#define SRC(s, f) {s, f}
static const adt_source time_default[] = {SRC("EVN", 6), SRC("EVN", 2), SRC("MSH", 7), SRC("", 0)};
static const adt_source time_admit[] = {SRC("PV1", 44), SRC("EVN", 6), SRC("EVN", 2), SRC("MSH", 7), SRC("", 0)};
static const adt_source time_discharge[] = {SRC("PV1", 45), SRC("EVN", 6), SRC("EVN", 2), SRC("MSH", 7), SRC("", 0)};

static const struct trigger_row {
	const char *code;
	const char *meaning;
	const adt_source *time;
	bool date_change; /* a differing PV2-9 also becomes an expected date change */
} triggers[ADT_TRIGGER_COUNT] = {
	[ADT_A01] = {"A01", "admitted (new episode)", time_admit, false},
	[ADT_A02] = {"A02", "transferred to the ward in PV1-3", time_default, true},
	[ADT_A03] = {"A03", "discharged (PV1-36 destination, PV1-45 time)", time_discharge, false},
	[ADT_A08] = {"A08", "patient data corrected; PV2-9 expected date changed", time_default, true},
	[ADT_A11] = {"A11", "admission cancelled (the episode is cancelled)", time_default, false},
	[ADT_A12] = {"A12", "latest transfer cancelled", time_default, false},
	[ADT_A13] = {"A13", "discharge cancelled (the episode reopens)", time_default, false},
	[ADT_A16] = {"A16", "ready for discharge, where the facility is configured for it", time_default, true},
	[ADT_A21] = {"A21", "leave started", time_default, true},
	[ADT_A22] = {"A22", "leave ended", time_default, true},
	[ADT_A25] = {"A25", "ready for discharge withdrawn, where configured", time_default, false},
	[ADT_A18] = {"A18", "identities merged: the episodes of MRG-1 move to PID-3", time_default, false},
	[ADT_A40] = {"A40", "identities merged: the episodes of MRG-1 move to PID-3", time_default, false},
};

const char *adt_trigger_code(adt_trigger t) { return (unsigned)t < ADT_TRIGGER_COUNT ? triggers[t].code : "other"; }

const char *adt_trigger_meaning(adt_trigger t)
{
	return (unsigned)t < ADT_TRIGGER_COUNT ? triggers[t].meaning : "accepted and ignored";
}

/* PID-3 assigning authorities (CX.4 universal id or namespace) hemgang recognises. */
static const struct authority_row {
	const char *oid;
	pnr_kind kind;
} authorities[] = {
	{"1.2.752.129.2.1.3.1", PNR_PERSONAL},     /* personnummer (Skatteverket) */
	{"1.2.752.129.2.1.3.3", PNR_COORDINATION}, /* samordningsnummer */
	{"1.2.752.74.9.1", PNR_RESERVE},           /* nationellt reservnummer (Inera) */
	{"1.2.752.129.2.1.3.2", PNR_RESERVE},      /* reserve numbers of Inera's services */
	{"1.2.752.97.3.1.3", PNR_RESERVE},         /* Region Stockholm reserve numbers */
};

/* PV1-36 discharge disposition: HL7 table 0112 (suggested values) and hemgang's own codes. */
static const struct destination_row {
	const char *code;
	discharge_destination dest;
} destinations[] = {
	{"01", DEST_OWN_HOME},         {"06", DEST_OWN_HOME},         {"07", DEST_OWN_HOME},
	{"08", DEST_OWN_HOME},         {"02", DEST_OTHER_HOSPITAL},   {"43", DEST_OTHER_HOSPITAL},
	{"62", DEST_OTHER_HOSPITAL},   {"63", DEST_OTHER_HOSPITAL},   {"65", DEST_OTHER_HOSPITAL},
	{"03", DEST_SPECIAL_HOUSING},  {"61", DEST_SPECIAL_HOUSING},  {"04", DEST_SHORT_TERM_CARE},
	{"05", DEST_OTHER},            {"50", DEST_OTHER},            {"51", DEST_OTHER},
	{"20", DEST_DECEASED},         {"40", DEST_DECEASED},         {"41", DEST_DECEASED},
	{"42", DEST_DECEASED},
};

bool adt_destination_from_code(const char *code, discharge_destination *out)
{
	for (size_t i = 0; i < sizeof destinations / sizeof destinations[0]; i++)
		if (strcmp(destinations[i].code, code) == 0) {
			*out = destinations[i].dest;
			return true;
		}
	return discharge_destination_from_code(code, out);
}

/* HL7 table 0357, message error condition codes. */
static const struct hl7_code_row {
	int code;
	const char *name;
} hl7_codes[] = {
	{0, "Message accepted"},         {100, "Segment sequence error"},    {101, "Required field missing"},
	{102, "Data type error"},        {103, "Table value not found"},     {200, "Unsupported message type"},
	{201, "Unsupported event code"}, {202, "Unsupported processing id"}, {203, "Unsupported version id"},
	{204, "Unknown key identifier"}, {205, "Duplicate key identifier"},  {206, "Application record locked"},
	{207, "Application internal error"},
};

static const char *hl7_code_name(int code)
{
	for (size_t i = 0; i < sizeof hl7_codes / sizeof hl7_codes[0]; i++)
		if (hl7_codes[i].code == code)
			return hl7_codes[i].name;
	return "Application internal error";
}

static const char *const versions[] = {"2.3", "2.3.1", "2.4", "2.5", "2.5.1"};

/* ---- errors ---- */

void adt_error_clear(adt_error *e)
{
	memset(e, 0, sizeof *e);
	e->code = "ok";
}

hg_status adt_error_set(adt_error *e, bool reject, int hl7_code, const char *segment, int field, int component,
			const char *code, const char *text, ...)
{
	if (!e)
		return HG_EINVAL;
	adt_error_clear(e);
	e->reject = reject;
	e->hl7_code = hl7_code;
	hg_copy(e->segment, sizeof e->segment, segment);
	e->field = field;
	e->component = component;
	e->code = code;
	va_list ap;
	va_start(ap, text);
	vsnprintf(e->text, sizeof e->text, text, ap);
	va_end(ap);
	return HG_EINVAL;
}

/* ---- text: escapes resolved, then UTF-8 ---- */

/* Length of a valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	if (len == 0 || len > n || (s[0] >= 0xf8))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0;
	if (len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return len;
}

static bool utf8_valid(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq((const unsigned char *)s + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* Latin-1 to UTF-8; false when it does not fit. */
static bool latin1_to_utf8(const char *in, char *out, size_t cap)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		size_t need = *p < 0x80 ? 1 : 2;
		if (n + need >= cap)
			return false;
		if (*p < 0x80) {
			out[n++] = (char)*p;
		} else {
			out[n++] = (char)(0xc0 | (*p >> 6));
			out[n++] = (char)(0x80 | (*p & 0x3f));
		}
	}
	out[n] = '\0';
	return true;
}

static bool charset_is_latin1(const adt_header *h) { return strcmp(h->charset, "8859/1") == 0; }

/*
 * Reads a value as UTF-8 text into buf: 8859/1 (MSH-18) is converted; other
 * declared sets must already be UTF-8 (ASCII is), and text that is not valid
 * UTF-8 is read as Latin-1, the common undeclared case. AE 102 naming the
 * field when it is too long or holds control characters.
 */
static hg_status text_at(const hl7_message *m, const adt_header *h, const char *segid, int seg, int field, int rep,
			 int comp, int sub, char *buf, size_t cap, adt_error *err)
{
	char raw[1024];
	hg_status rc = hl7_get(m, seg, field, rep, comp, sub, raw, sizeof raw);
	if (rc == HG_OK) {
		if (!charset_is_latin1(h) && utf8_valid(raw)) {
			if (strlen(raw) >= cap)
				rc = HG_ERANGE;
			else
				hg_copy(buf, cap, raw);
		} else if (!latin1_to_utf8(raw, buf, cap)) {
			rc = HG_ERANGE;
		}
	}
	if (rc == HG_OK)
		return HG_OK;
	buf[0] = '\0';
	return adt_error_set(err, false, 102, segid, field, comp, rc == HG_ERANGE ? "too_long" : "bad_text",
			     rc == HG_ERANGE ? "%s-%d is too long." : "%s-%d holds control characters.", segid, field);
}

/* Same, for a segment found by name (first occurrence); absent segment: "". */
static hg_status text_of(const hl7_message *m, const adt_header *h, const char *segid, int field, int rep, int comp,
			 int sub, char *buf, size_t cap, adt_error *err)
{
	int seg = hl7_find(m, segid, 0);
	buf[0] = '\0';
	if (seg < 0)
		return HG_OK;
	return text_at(m, h, segid, seg, field, rep, comp, sub, buf, cap, err);
}

/* ---- times ---- */

hg_status adt_ts_to_instant(const char *s, hg_instant *out)
{
	hl7_ts ts;
	if (hl7_parse_ts(s, &ts) != HG_OK || ts.precision < 8)
		return HG_EINVAL;
	hg_date d = date_from_ymd(ts.year, ts.month, ts.day);
	if (ts.precision == 8)
		return cal_instant_from_local(d, 12, 0, 0, false, out);
	if (ts.offset_minutes != INT32_MIN) {
		*out = (hg_instant)d * HG_SECONDS_PER_DAY + ts.hour * 3600 + ts.minute * 60 + ts.second -
		       (hg_instant)ts.offset_minutes * 60;
		return HG_OK;
	}
	return cal_instant_from_local(d, ts.hour, ts.minute, ts.second, false, out);
}

/* A date (PV2-9): the local date of a timestamp; a bare date as written. */
static hg_status ts_to_date(const char *s, hg_date *out)
{
	hl7_ts ts;
	hg_instant t;
	if (hl7_parse_ts(s, &ts) != HG_OK || ts.precision < 8)
		return HG_EINVAL;
	if (ts.precision == 8 || ts.offset_minutes == INT32_MIN) {
		*out = date_from_ymd(ts.year, ts.month, ts.day);
		return HG_OK;
	}
	if (adt_ts_to_instant(s, &t) != HG_OK)
		return HG_EINVAL;
	*out = cal_local_date(t);
	return *out == HG_DATE_NONE ? HG_EINVAL : HG_OK;
}

/* ---- the header ---- */

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

hg_status adt_read_header(const hl7_message *m, bool allow_test, adt_header *h, adt_error *err)
{
	adt_error scratch;
	char ts[64];
	memset(h, 0, sizeof *h);
	h->sent_at = HG_INSTANT_NONE;
	adt_error_clear(err ? err : &scratch);
	int msh = hl7_find(m, "MSH", 0);
	if (msh != 0)
		return adt_error_set(err, true, 100, "MSH", 0, 0, "no_msh", "The message does not start with MSH.");
	/* Read everything first, so that even a rejected message gets an ACK that names it. */
	struct {
		int field, comp;
		char *buf;
		size_t cap;
	} reads[] = {
		{18, 1, h->charset, sizeof h->charset},
		{3, 1, h->sending_app, sizeof h->sending_app},
		{4, 1, h->sending_facility, sizeof h->sending_facility},
		{5, 1, h->receiving_app, sizeof h->receiving_app},
		{6, 1, h->receiving_facility, sizeof h->receiving_facility},
		{9, 1, h->message_type, sizeof h->message_type},
		{9, 2, h->trigger_code, sizeof h->trigger_code},
		{10, 0, h->control_id, sizeof h->control_id},
		{11, 1, h->processing_id, sizeof h->processing_id},
		{12, 1, h->version, sizeof h->version},
		{15, 0, h->accept_ack, sizeof h->accept_ack},
		{16, 0, h->app_ack, sizeof h->app_ack},
	};
	int bad_field = 0;
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
		if (text_at(m, h, "MSH", msh, reads[i].field, 1, reads[i].comp, 0, reads[i].buf, reads[i].cap, NULL) != HG_OK &&
		    !bad_field)
			bad_field = reads[i].field;
	if (!h->sending_facility[0] && text_at(m, h, "MSH", msh, 4, 1, 2, 0, h->sending_facility,
					       sizeof h->sending_facility, NULL) != HG_OK && !bad_field)
		bad_field = 4;
	if (text_at(m, h, "MSH", msh, 7, 1, 1, 0, ts, sizeof ts, NULL) == HG_OK && ts[0] &&
	    adt_ts_to_instant(ts, &h->sent_at) != HG_OK)
		h->sent_at = HG_INSTANT_NONE;
	if (bad_field)
		return adt_error_set(err, true, 102, "MSH", bad_field, 0, "bad_header", "MSH-%d is malformed or too long.",
				     bad_field);
	if (!h->control_id[0])
		return adt_error_set(err, true, 101, "MSH", 10, 0, "required", "MSH-10 (message control id) is missing.");
	if (strcmp(h->message_type, "ADT") != 0)
		return adt_error_set(err, true, 200, "MSH", 9, 1, "unsupported_message_type",
				     "Message type '%s' is not supported; hemgang takes ADT.", h->message_type);
	if (!h->trigger_code[0])
		return adt_error_set(err, true, 201, "MSH", 9, 2, "required", "MSH-9.2 (trigger event) is missing.");
	if (!h->processing_id[0])
		return adt_error_set(err, true, 101, "MSH", 11, 0, "required", "MSH-11 (processing id) is missing.");
	if (strcmp(h->processing_id, "P") != 0 &&
	    !(allow_test && (strcmp(h->processing_id, "T") == 0 || strcmp(h->processing_id, "D") == 0)))
		return adt_error_set(err, true, 202, "MSH", 11, 0, "unsupported_processing_id",
				     "Processing id '%s' is not accepted here.", h->processing_id);
	if (!in_list(h->version, versions, sizeof versions / sizeof versions[0]))
		return adt_error_set(err, true, 203, "MSH", 12, 0, "unsupported_version",
				     "HL7 version '%s' is not supported (2.3 to 2.5.1).", h->version);
	if (!h->sending_facility[0])
		return adt_error_set(err, true, 101, "MSH", 4, 0, "required", "MSH-4 (sending facility) is missing.");
	return HG_OK;
}

/* ---- the patient ---- */

/*
 * PID-3 conventions without an OID that mean a Swedish personnummer or
 * samordningsnummer: identifier type (CX.5) with the authority's namespace
 * (CX.4.1) or universal id (CX.4.2); "" = any authority. NNSWE is HL7 table
 * 0203's "national person identifier" of Sweden; PN ("person number") is
 * generic, so only with the country namespace SE.
 */
static const struct type_row {
	const char *type, *authority;
} type_conventions[] = {
	{"NNSWE", ""},
	{"PN", "SE"},
};

/* ---- a facility's own rules ---- */

static bool rule_part_ok(const char *s, size_t n, size_t cap)
{
	if (n >= cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '^' || s[i] == '&' || s[i] == ' ' || (unsigned char)s[i] < 0x20)
			return false;
	return true;
}

hg_status adt_pid_rule_parse(const char *text, adt_pid_rule *out)
{
	memset(out, 0, sizeof *out);
	if (!text)
		return HG_EINVAL;
	if (strncmp(text, "reserve:", 8) == 0) {
		out->reserve = true;
		text += 8;
	}
	const char *caret = strchr(text, '^');
	size_t na = caret ? (size_t)(caret - text) : strlen(text);
	const char *type = caret ? caret + 1 : "";
	if (!rule_part_ok(text, na, sizeof out->authority) || !rule_part_ok(type, strlen(type), sizeof out->type) ||
	    (na == 0 && !type[0]))
		return HG_EINVAL;
	memcpy(out->authority, text, na);
	out->authority[na] = '\0';
	hg_copy(out->type, sizeof out->type, type);
	return HG_OK;
}

hg_status adt_pid_rules_parse(const char *text, adt_pid_rules *out)
{
	memset(out, 0, sizeof *out);
	for (const char *p = text ? text : ""; *p;) {
		while (*p == ' ')
			p++;
		size_t k = strcspn(p, " ");
		if (k == 0)
			break;
		char one[ADT_PID_RULE_TEXT_MAX];
		if (k >= sizeof one)
			return HG_EINVAL;
		if (out->n == ADT_PID_RULES_MAX)
			return HG_ERANGE;
		memcpy(one, p, k);
		one[k] = '\0';
		if (adt_pid_rule_parse(one, &out->rule[out->n]) != HG_OK)
			return HG_EINVAL;
		out->n++;
		p += k;
	}
	return HG_OK;
}

void adt_pid_rule_format(const adt_pid_rule *r, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s%s", r->reserve ? "reserve:" : "", r->authority, r->type[0] ? "^" : "", r->type);
}

/* Chooses the PID-3 repetition to use and parses it into p->personnummer. */
static hg_status read_identifier(const hl7_message *m, const adt_header *h, const char *segid, int pid, int field,
				 hg_date today, const adt_pid_rules *rules, char out[EVENT_PNR_SIZE], adt_error *err)
{
	int reps = hl7_repetitions(m, pid, field);
	int best = -1, best_rank = 99;
	pnr_kind best_kind = PNR_PERSONAL;
	char id[PNR_INPUT_MAX + 1];
	if (reps == 0)
		return adt_error_set(err, false, 101, segid, field, 0, "required", "%s-%d (patient identifier) is missing.",
				     segid, field);
	for (int r = 1; r <= reps; r++) {
		char ns[96], uid[96], type[16];
		if (text_at(m, h, segid, pid, field, r, 4, 1, ns, sizeof ns, NULL) != HG_OK ||
		    text_at(m, h, segid, pid, field, r, 4, 2, uid, sizeof uid, NULL) != HG_OK ||
		    text_at(m, h, segid, pid, field, r, 5, 0, type, sizeof type, NULL) != HG_OK)
			continue;
		int rank = 99;
		pnr_kind kind = PNR_PERSONAL;
		/* the facility's own rules first: they say what its system sends */
		for (size_t k = 0; rules && rank == 99 && k < rules->n; k++) {
			const adt_pid_rule *rule = &rules->rule[k];
			if ((!rule->authority[0] || strcmp(rule->authority, ns) == 0 || strcmp(rule->authority, uid) == 0) &&
			    (!rule->type[0] || strcmp(rule->type, type) == 0)) {
				kind = rule->reserve ? PNR_RESERVE : PNR_PERSONAL;
				rank = rule->reserve ? 2 : 0;
			}
		}
		for (size_t a = 0; rank == 99 && a < sizeof authorities / sizeof authorities[0]; a++)
			if (strcmp(uid, authorities[a].oid) == 0 || strcmp(ns, authorities[a].oid) == 0) {
				kind = authorities[a].kind;
				rank = kind == PNR_RESERVE ? 2 : 0;
			}
		for (size_t c = 0; rank == 99 && c < sizeof type_conventions / sizeof type_conventions[0]; c++)
			if (strcmp(type, type_conventions[c].type) == 0 &&
			    (!type_conventions[c].authority[0] || strcmp(ns, type_conventions[c].authority) == 0 ||
			     strcmp(uid, type_conventions[c].authority) == 0))
				rank = 1;
		if (rank == 99 && !ns[0] && !uid[0] && !type[0])
			rank = 3; /* no authority at all: used only if it is a personnummer */
		if (rank < best_rank) {
			best = r;
			best_rank = rank;
			best_kind = kind;
		}
	}
	if (best < 0)
		return adt_error_set(err, false, 204, segid, field, 4, "unknown_assigning_authority",
				     "No %s-%d identifier has an assigning authority hemgang knows "
				     "(personnummer 1.2.752.129.2.1.3.1, samordningsnummer 1.2.752.129.2.1.3.3, "
				     "type NNSWE, SE^PN, or a rule of the facility).", segid, field);
	if (text_at(m, h, segid, pid, field, best, 1, 0, id, sizeof id, NULL) != HG_OK || !id[0])
		return adt_error_set(err, false, 101, segid, field, 1, "required", "%s-%d.1 (the number) is missing or too long.",
				     segid, field);
	pnr_options opt = pnr_options_default(today);
	opt.accept_reserve = best_kind == PNR_RESERVE;
	pnr parsed;
	pnr_reason why;
	if (pnr_parse(id, &opt, &parsed, &why) != HG_OK)
		return adt_error_set(err, false, 102, segid, field, 1, "bad_personnummer", "%s-%d: %s", segid, field,
				     pnr_reason_label(why)->en);
	hg_copy(out, EVENT_PNR_SIZE, parsed.normal);
	return HG_OK;
}

/* The repetition of a field whose type component is one of the wanted codes, else the first. */
static int pick_repetition(const hl7_message *m, int seg, int field, int type_comp, const char *a, const char *b)
{
	int reps = hl7_repetitions(m, seg, field);
	for (int r = 1; r <= reps; r++) {
		char type[8];
		if (hl7_get(m, seg, field, r, type_comp, 0, type, sizeof type) == HG_OK &&
		    (strcmp(type, a) == 0 || strcmp(type, b) == 0))
			return r;
	}
	return 1;
}

static bool four_digits(const char *s)
{
	if (strlen(s) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Appends part to buf with a separator when both are non-empty; false when it does not fit. */
static bool join(char *buf, size_t cap, const char *sep, const char *part)
{
	size_t n = strlen(buf);
	if (!part[0])
		return true;
	int w = snprintf(buf + n, cap - n, "%s%s", n ? sep : "", part);
	return w >= 0 && (size_t)w < cap - n;
}

static hg_status read_patient(const hl7_message *m, adt_message *out, hg_date today, const adt_pid_rules *rules,
			     adt_error *err)
{
	const adt_header *h = &out->h;
	event_patient *p = &out->patient;
	int pid = hl7_find(m, "PID", 0);
	hg_status rc;
	char family[HG_NAME_MAX], given[HG_NAME_MAX], part[HG_NAME_MAX], zip[16], city[HG_NAME_MAX], muni[16];
	if (pid < 0)
		return adt_error_set(err, false, 100, "PID", 0, 0, "required", "The PID segment is missing.");
	if ((rc = read_identifier(m, h, "PID", pid, 3, today, rules, p->personnummer, err)))
		return rc;
	if (out->trigger == ADT_A18 || out->trigger == ADT_A40) { /* the identity merged away */
		int mrg = hl7_find(m, "MRG", 0);
		if (mrg < 0)
			return adt_error_set(err, false, 100, "MRG", 0, 0, "required", "A merge needs the MRG segment.");
		if ((rc = read_identifier(m, h, "MRG", mrg, 1, today, rules, out->prior, err)))
			return rc;
		if (strcmp(out->prior, p->personnummer) == 0)
			return adt_error_set(err, false, 102, "MRG", 1, 1, "merge_into_itself",
					     "MRG-1 and PID-3 are the same number.");
	}
	int r = pick_repetition(m, pid, 5, 7, "L", "L");
	if ((rc = text_at(m, h, "PID", pid, 5, r, 1, 1, family, sizeof family, err)) ||
	    (rc = text_at(m, h, "PID", pid, 5, r, 2, 0, given, sizeof given, err)))
		return rc;
	if (!join(p->name, sizeof p->name, "", given) || !join(p->name, sizeof p->name, " ", family))
		return adt_error_set(err, false, 102, "PID", 5, 0, "too_long", "PID-5 (name) is too long.");

	r = pick_repetition(m, pid, 11, 7, "H", "L");
	if ((rc = text_at(m, h, "PID", pid, 11, r, 1, 1, part, sizeof part, err)))
		return rc;
	bool fits = join(p->address, sizeof p->address, ", ", part);
	if ((rc = text_at(m, h, "PID", pid, 11, r, 2, 0, part, sizeof part, err)) ||
	    (rc = text_at(m, h, "PID", pid, 11, r, 5, 0, zip, sizeof zip, err)) ||
	    (rc = text_at(m, h, "PID", pid, 11, r, 3, 0, city, sizeof city, err)))
		return rc;
	fits = fits && join(p->address, sizeof p->address, ", ", part);
	if (zip[0] || city[0]) {
		char place[HG_NAME_MAX + 20] = "";
		fits = fits && join(place, sizeof place, "", zip) && join(place, sizeof place, " ", city) &&
		       join(p->address, sizeof p->address, ", ", place);
	}
	if (!fits)
		return adt_error_set(err, false, 102, "PID", 11, 0, "too_long", "PID-11 (address) is too long.");
	/* kommunkod: XAD.9 county/parish code, else XAD.8 or PID-12 when they hold four digits */
	if ((rc = text_at(m, h, "PID", pid, 11, r, 9, 1, muni, sizeof muni, err)))
		return rc;
	if (!muni[0] && (rc = text_at(m, h, "PID", pid, 11, r, 8, 0, muni, sizeof muni, err)) == HG_OK && !four_digits(muni))
		muni[0] = '\0';
	if (rc)
		return rc;
	if (!muni[0] && (rc = text_at(m, h, "PID", pid, 12, 1, 1, 0, muni, sizeof muni, err)) == HG_OK && !four_digits(muni))
		muni[0] = '\0';
	if (rc)
		return rc;
	if (strlen(muni) >= sizeof p->registered_municipality)
		return adt_error_set(err, false, 102, "PID", 11, 9, "bad_municipality_code",
				     "The municipality code (PID-11.9) must be four digits.");
	hg_copy(p->registered_municipality, sizeof p->registered_municipality, muni);

	char death[4];
	if ((rc = text_at(m, h, "PID", pid, 30, 1, 0, 0, death, sizeof death, err)))
		return rc;
	if (strcmp(death, "Y") == 0) {
		out->has_destination = true;
		out->destination = DEST_DECEASED;
	}

	int pd1 = hl7_find(m, "PD1", 0);
	if (pd1 >= 0) {
		char flag[4];
		if ((rc = text_at(m, h, "PD1", pd1, 3, 1, 10, 0, p->primary_care_unit, sizeof p->primary_care_unit, err)))
			return rc;
		if (!p->primary_care_unit[0] &&
		    (rc = text_at(m, h, "PD1", pd1, 3, 1, 3, 0, p->primary_care_unit, sizeof p->primary_care_unit, err)))
			return rc;
		if ((rc = text_at(m, h, "PD1", pd1, 12, 1, 0, 0, flag, sizeof flag, err)))
			return rc;
		if (flag[0]) {
			if (strcmp(flag, "Y") != 0 && strcmp(flag, "N") != 0)
				return adt_error_set(err, false, 103, "PD1", 12, 0, "bad_code",
						     "PD1-12 (protection indicator) must be Y or N.");
			out->has_protection = true;
			p->protected_identity = flag[0] == 'Y';
		}
	}
	return HG_OK;
}

/* ---- the visit ---- */

static hg_status read_visit(const hl7_message *m, adt_message *out, adt_error *err)
{
	const adt_header *h = &out->h;
	char cls[8], code[32], date[64];
	hg_status rc;
	int pv1 = hl7_find(m, "PV1", 0);
	out->inpatient = true;
	if (pv1 < 0) {
		if (out->trigger == ADT_A01 || out->trigger == ADT_A02)
			return adt_error_set(err, false, 100, "PV1", 0, 0, "required", "The PV1 segment is missing.");
	} else {
		if ((rc = text_at(m, h, "PV1", pv1, 2, 1, 1, 0, cls, sizeof cls, err)) ||
		    (rc = text_at(m, h, "PV1", pv1, 3, 1, 1, 0, out->ward_code, sizeof out->ward_code, err)) ||
		    (rc = text_at(m, h, "PV1", pv1, 3, 1, 4, 1, out->facility, sizeof out->facility, err)) ||
		    (rc = text_at(m, h, "PV1", pv1, 19, 1, 1, 0, out->visit, sizeof out->visit, err)) ||
		    (rc = text_at(m, h, "PV1", pv1, 36, 1, 1, 0, code, sizeof code, err)))
			return rc;
		out->inpatient = !cls[0] || strcmp(cls, "I") == 0;
		if (!out->facility[0] &&
		    (rc = text_at(m, h, "PV1", pv1, 3, 1, 4, 2, out->facility, sizeof out->facility, err)))
			return rc;
		if (code[0] && out->destination != DEST_DECEASED) {
			if (!adt_destination_from_code(code, &out->destination))
				return adt_error_set(err, false, 103, "PV1", 36, 0, "bad_code",
						     "PV1-36 discharge disposition '%s' is not in the table.", code);
			out->has_destination = true;
		}
		if ((out->trigger == ADT_A01 || out->trigger == ADT_A02) && !out->ward_code[0])
			return adt_error_set(err, false, 101, "PV1", 3, 1, "required", "PV1-3.1 (ward) is missing.");
	}
	if (!out->facility[0])
		hg_copy(out->facility, sizeof out->facility, h->sending_facility);
	if ((rc = text_of(m, h, "PV2", 9, 1, 1, 0, date, sizeof date, err)))
		return rc;
	if (date[0] && ts_to_date(date, &out->expected_date) != HG_OK)
		return adt_error_set(err, false, 102, "PV2", 9, 0, "bad_date",
				     "PV2-9 (expected discharge date) is not a date (YYYYMMDD).");
	return HG_OK;
}

static hg_status read_time(const hl7_message *m, adt_message *out, adt_error *err)
{
	const adt_source *src = out->trigger == ADT_OTHER ? time_default : triggers[out->trigger].time;
	char ts[64];
	for (; src->segment[0]; src++) {
		hg_status rc = text_of(m, &out->h, src->segment, src->field, 1, 1, 0, ts, sizeof ts, err);
		if (rc)
			return rc;
		if (!ts[0])
			continue;
		out->occurred_src = *src;
		if (adt_ts_to_instant(ts, &out->occurred_at) != HG_OK)
			return adt_error_set(err, false, 102, src->segment, src->field, 0, "bad_instant",
					     "%s-%d is not a date and time (YYYYMMDDHHMM[SS][+ZZZZ]).", src->segment,
					     src->field);
		return HG_OK;
	}
	return adt_error_set(err, false, 101, "MSH", 7, 0, "required", "No time in EVN-6, EVN-2 or MSH-7.");
}

hg_status adt_read(const hl7_message *m, bool allow_test, hg_date today, adt_message *out, adt_error *err)
{
	return adt_read_rules(m, allow_test, today, NULL, out, err);
}

hg_status adt_read_rules(const hl7_message *m, bool allow_test, hg_date today, const adt_pid_rules *rules,
			 adt_message *out, adt_error *err)
{
	hg_status rc;
	memset(out, 0, sizeof *out);
	out->occurred_at = HG_INSTANT_NONE;
	out->expected_date = HG_DATE_NONE;
	out->destination = DEST_OTHER;
	if ((rc = adt_read_header(m, allow_test, &out->h, err)))
		return rc;
	out->trigger = ADT_OTHER;
	for (int t = 0; t < ADT_TRIGGER_COUNT; t++)
		if (strcmp(out->h.trigger_code, triggers[t].code) == 0)
			out->trigger = (adt_trigger)t;
	if (out->trigger == ADT_OTHER)
		return HG_OK;
	if ((rc = read_patient(m, out, today, rules, err)) || (rc = read_visit(m, out, err)) || (rc = read_time(m, out, err)))
		return rc;
	return HG_OK;
}

/* ---- planning ---- */

static void set_author_unit(event *ev, const adt_unit *u, const char *user)
{
	hg_copy(ev->author_unit, sizeof ev->author_unit, u->id);
	ev->author_kind = u->kind;
	hg_copy(ev->author_org, sizeof ev->author_org, u->org);
	hg_copy(ev->author_user, sizeof ev->author_user, user);
}

/* The episode's current ward as author: st->ward, with the org of the latest ward event. */
static void set_author_current(event *ev, const adt_context *cx)
{
	const char *org = "";
	for (size_t i = cx->n; i-- > 0;)
		if ((cx->history[i].type == EVENT_ADMITTED || cx->history[i].type == EVENT_TRANSFERRED) &&
		    !episode_event_cancelled(cx->history, cx->n, cx->history[i].seq)) {
			org = cx->history[i].author_org;
			break;
		}
	hg_copy(ev->author_unit, sizeof ev->author_unit, cx->st->ward);
	ev->author_kind = UNIT_WARD;
	hg_copy(ev->author_org, sizeof ev->author_org, org);
	hg_copy(ev->author_user, sizeof ev->author_user, cx->author_user);
}

static void set_author_of(event *ev, const event *target, const char *user)
{
	hg_copy(ev->author_unit, sizeof ev->author_unit, target->author_unit);
	ev->author_kind = target->author_kind;
	hg_copy(ev->author_org, sizeof ev->author_org, target->author_org);
	hg_copy(ev->author_user, sizeof ev->author_user, user);
}

static hg_status need_ward(const adt_unit *u, const adt_message *m, adt_error *err)
{
	if (!u->id[0])
		return adt_error_set(err, false, 103, "PV1", 3, 1, "unknown_ward", "Ward '%s' of facility '%s' is not mapped.",
				     m->ward_code, m->facility);
	if (u->kind != UNIT_WARD)
		return adt_error_set(err, false, 103, "PV1", 3, 1, "not_a_ward", "Unit '%s' is not a ward.", u->id);
	return HG_OK;
}

/* The patient data of the message laid over the stored one: an absent field changes nothing. */
static event_patient merged_patient(const event_patient *stored, const adt_message *m)
{
	event_patient p = *stored;
	const event_patient *in = &m->patient;
	if (in->personnummer[0])
		hg_copy(p.personnummer, sizeof p.personnummer, in->personnummer);
	if (in->name[0])
		hg_copy(p.name, sizeof p.name, in->name);
	if (in->registered_municipality[0])
		hg_copy(p.registered_municipality, sizeof p.registered_municipality, in->registered_municipality);
	if (in->primary_care_unit[0])
		hg_copy(p.primary_care_unit, sizeof p.primary_care_unit, in->primary_care_unit);
	if (in->address[0])
		hg_copy(p.address, sizeof p.address, in->address);
	if (m->has_protection)
		p.protected_identity = in->protected_identity;
	return p;
}

static bool same_patient(const event_patient *a, const event_patient *b)
{
	return strcmp(a->personnummer, b->personnummer) == 0 && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->registered_municipality, b->registered_municipality) == 0 &&
	       strcmp(a->primary_care_unit, b->primary_care_unit) == 0 && strcmp(a->address, b->address) == 0 &&
	       a->protected_identity == b->protected_identity;
}

static hg_status plan_cancel(const adt_message *m, const adt_context *cx, event_type type, event *out, size_t *n,
			    adt_error *err)
{
	const event *target = episode_latest_live(cx->history, cx->n, type);
	if (!target)
		return adt_error_set(err, false, 204, "MSH", 9, 2, "nothing_to_cancel",
				     "The episode has no %s to cancel.", event_type_code(type));
	event_init(&out[*n], EVENT_CANCELLED);
	out[*n].u.cancelled.cancels_seq = target->seq;
	out[*n].occurred_at = m->occurred_at;
	set_author_of(&out[*n], target, cx->author_user);
	(*n)++;
	return HG_OK;
}

hg_status adt_plan(const adt_message *m, const adt_context *cx, event out[ADT_EVENTS_MAX], size_t *n, adt_error *err)
{
	hg_status rc;
	*n = 0;
	adt_error_clear(err);
	if (m->trigger == ADT_OTHER || !m->inpatient)
		return HG_OK;
	if (m->trigger == ADT_A01) {
		if ((rc = need_ward(&cx->ward, m, err)))
			return rc;
		event *ev = &out[(*n)++];
		event_init(ev, EVENT_ADMITTED);
		ev->u.admitted.patient = m->patient;
		hg_copy(ev->u.admitted.hospital, sizeof ev->u.admitted.hospital,
		     cx->ward.hospital[0] ? cx->ward.hospital : m->facility);
		hg_copy(ev->u.admitted.ward, sizeof ev->u.admitted.ward, cx->ward.id);
		ev->u.admitted.care = cx->ward.care;
		ev->occurred_at = m->occurred_at;
		set_author_unit(ev, &cx->ward, cx->author_user);
		return HG_OK;
	}
	if (!cx->st || cx->n == 0 || cx->history[0].type != EVENT_ADMITTED)
		return adt_error_set(err, false, 204, "PV1", 19, 1, "no_episode",
				     "No episode for visit '%s' of this patient at facility '%s'.", m->visit, m->facility);
	const episode_state *st = cx->st;
	if (st->cancelled)
		return m->trigger == ADT_A11 ? HG_OK /* already cancelled: a repeat changes nothing */
					     : adt_error_set(err, false, 207, "MSH", 9, 2, "episode_cancelled",
							     "The episode was cancelled (A11).");
	switch (m->trigger) {
	case ADT_A02:
		if ((rc = need_ward(&cx->ward, m, err)))
			return rc;
		if (strcmp(cx->ward.id, st->ward) != 0) { /* a bed move within the ward changes nothing */
			event *ev = &out[(*n)++];
			event_init(ev, EVENT_TRANSFERRED);
			hg_copy(ev->u.transferred.ward, sizeof ev->u.transferred.ward, cx->ward.id);
			ev->u.transferred.care = cx->ward.care;
			ev->occurred_at = m->occurred_at;
			set_author_unit(ev, &cx->ward, cx->author_user);
		}
		break;
	case ADT_A03: {
		event *ev = &out[(*n)++];
		event_init(ev, EVENT_DISCHARGED);
		ev->u.discharged.destination = m->has_destination ? m->destination : DEST_OTHER;
		if (!m->has_destination)
			hg_copy(ev->note, sizeof ev->note, "PV1-36 (discharge disposition) was not given.");
		ev->occurred_at = m->occurred_at;
		set_author_current(ev, cx);
		return HG_OK;
	}
	case ADT_A18:
	case ADT_A40:
		if (strcmp(st->patient.personnummer, m->prior) != 0)
			return HG_OK; /* not (or no longer) the merged identity: nothing to move */
		/* the episode moves to PID-3 as an A08 moves it, with the surviving number */
		__attribute__((fallthrough));
	case ADT_A08: {
		event_patient p = merged_patient(&st->patient, m);
		if (!same_patient(&p, &st->patient)) {
			event *ev = &out[(*n)++];
			*ev = cx->history[0];
			ev->id = 0;
			ev->seq = 0;
			ev->recorded_at = HG_INSTANT_NONE;
			ev->corrects_seq = cx->history[0].seq;
			ev->occurred_at = st->admitted_at;
			ev->u.admitted.patient = p;
			memset(ev->note, 0, sizeof ev->note);
			hg_copy(ev->author_user, sizeof ev->author_user, cx->author_user);
		}
		break;
	}
	case ADT_A11: return plan_cancel(m, cx, EVENT_ADMITTED, out, n, err);
	case ADT_A12: return plan_cancel(m, cx, EVENT_TRANSFERRED, out, n, err);
	case ADT_A13: return plan_cancel(m, cx, EVENT_DISCHARGED, out, n, err);
	case ADT_A16:
	case ADT_A25:
		if (!cx->a16_ready)
			return HG_OK;
		event_init(&out[*n], m->trigger == ADT_A16 ? EVENT_READY_FOR_DISCHARGE : EVENT_READY_WITHDRAWN);
		out[*n].occurred_at = m->occurred_at;
		set_author_current(&out[(*n)++], cx);
		break;
	case ADT_A21:
	case ADT_A22:
		event_init(&out[*n], m->trigger == ADT_A21 ? EVENT_LEAVE_STARTED : EVENT_LEAVE_ENDED);
		out[*n].occurred_at = m->occurred_at;
		set_author_current(&out[(*n)++], cx);
		break;
	default: return HG_OK;
	}
	/* A differing PV2-9 is a change of the expected date, once an admission notice carries one. */
	if (triggers[m->trigger].date_change && m->expected_date != HG_DATE_NONE && st->notice_seq != 0 &&
	    st->status != EPISODE_DISCHARGED &&
	    m->expected_date != st->expected_date && *n < ADT_EVENTS_MAX) {
		event *ev = &out[(*n)++];
		event_init(ev, EVENT_EXPECTED_DATE_CHANGED);
		ev->u.expected_date_changed.date = m->expected_date;
		ev->occurred_at = m->occurred_at;
		set_author_current(ev, cx);
		if (m->trigger == ADT_A02) /* the new ward writes it */
			set_author_unit(ev, &cx->ward, cx->author_user);
	}
	return HG_OK;
}

/* ---- core rejections back to HL7 fields ---- */

static const struct field_row {
	const char *field; /* event_error.field, or a prefix ending in '.' */
	const char *segment;
	int hl7_field, component;
} field_map[] = {
	{"patient.personnummer", "PID", 3, 1},
	{"patient.name", "PID", 5, 0},
	{"patient.registered_municipality", "PID", 11, 9},
	{"patient.address", "PID", 11, 0},
	{"patient.primary_care_unit", "PD1", 3, 0},
	{"expected_discharge_date", "PV2", 9, 0},
	{"ward", "PV1", 3, 1},
	{"care_type", "PV1", 3, 1},
	{"hospital", "PV1", 3, 4},
	{"destination", "PV1", 36, 0},
	{"author_unit", "PV1", 3, 1},
	{"idempotency_key", "MSH", 10, 0},
	{"Idempotency-Key", "MSH", 10, 0},
};

void adt_error_from_event(const adt_message *m, const event_error *ev_err, hg_status rc, adt_error *out)
{
	const char *seg = "MSH";
	int field = 9, comp = 2;
	adt_error_clear(out);
	if (strcmp(ev_err->field, "occurred_at") == 0 && m->occurred_src.segment[0]) {
		seg = m->occurred_src.segment;
		field = m->occurred_src.field;
		comp = 0;
	}
	for (size_t i = 0; i < sizeof field_map / sizeof field_map[0]; i++)
		if (strcmp(ev_err->field, field_map[i].field) == 0) {
			seg = field_map[i].segment;
			field = field_map[i].hl7_field;
			comp = field_map[i].component;
		}
	int code = rc == HG_ECONFLICT ? 207 : ev_err->reason == EVR_REQUIRED ? 101 : rc == HG_EINVAL ? 102 : 207;
	if (ev_err->code && strcmp(ev_err->code, "idempotency_key_reused") == 0)
		code = 205;
	out->reject = false;
	out->hl7_code = code;
	hg_copy(out->segment, sizeof out->segment, seg);
	out->field = field;
	out->component = comp;
	out->code = ev_err->code ? ev_err->code : "invalid_event";
	snprintf(out->text, sizeof out->text, "%s", ev_err->message_en ? ev_err->message_en : out->code);
}

/* ---- the acknowledgement ---- */

bool adt_ack_wanted(const adt_header *h, adt_ack_code code)
{
	const char *a = h->accept_ack;
	if (!h->accept_ack[0] && !h->app_ack[0])
		return true; /* original mode */
	if (strcmp(a, "NE") == 0)
		return false;
	if (strcmp(a, "ER") == 0)
		return code != ADT_ACK_ACCEPT;
	if (strcmp(a, "SU") == 0)
		return code == ADT_ACK_ACCEPT;
	return true;
}

/* Appends printf-style text; false once it does not fit. */
__attribute__((format(printf, 4, 5))) static bool emit(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= cap - *len)
		return false;
	*len += (size_t)w;
	return true;
}

hg_status adt_ack(const adt_header *h, adt_ack_code code, const adt_error *err, hg_instant now, char *buf, size_t cap,
		  size_t *len)
{
	static const char *const original[] = {"AA", "AE", "AR"}, *const enhanced[] = {"CA", "CE", "CR"};
	hl7_delims d = hl7_delims_standard();
	bool enh = h->accept_ack[0] || h->app_ack[0];
	const char *version = h->version[0] ? h->version : "2.5";
	bool v25 = strncmp(version, "2.5", 3) == 0;
	/* an escaped value is at most five times as long as the value ("\X0D\" for a CR) */
	char app[5 * HG_ID_MAX], fac[5 * HG_ID_MAX], sapp[5 * HG_ID_MAX], sfac[5 * HG_ID_MAX],
		ctl[5 * ADT_CONTROL_ID_MAX], ackctl[5 * ADT_CONTROL_ID_MAX + 2], trig[5 * 8], proc[5 * 4], ver[5 * 16],
		text[5 * ADT_TEXT_MAX], when[32];
	*len = 0;
	if (cap == 0)
		return HG_ERANGE;
	buf[0] = '\0';
	if (hl7_escape(h->receiving_app[0] ? h->receiving_app : "HEMGANG", &d, app, sizeof app) ||
	    hl7_escape(h->receiving_facility, &d, fac, sizeof fac) || hl7_escape(h->sending_app, &d, sapp, sizeof sapp) ||
	    hl7_escape(h->sending_facility, &d, sfac, sizeof sfac) || hl7_escape(h->control_id, &d, ctl, sizeof ctl) ||
	    hl7_escape(h->trigger_code, &d, trig, sizeof trig) ||
	    hl7_escape(h->processing_id[0] ? h->processing_id : "P", &d, proc, sizeof proc) ||
	    hl7_escape(version, &d, ver, sizeof ver) || hl7_escape(err ? err->text : "", &d, text, sizeof text))
		return HG_ERANGE;
	snprintf(ackctl, sizeof ackctl, "A%s", ctl[0] ? ctl : "0");
	cal_local lt = cal_local_from_instant(now);
	if (lt.date == HG_DATE_NONE) {
		snprintf(when, sizeof when, "19700101000000+0000");
	} else {
		int y, mo, dd;
		date_to_ymd(lt.date, &y, &mo, &dd);
		snprintf(when, sizeof when, "%04d%02d%02d%02d%02d%02d+%02d%02d", y, mo, dd, lt.hour, lt.minute, lt.second,
			 lt.utc_offset / 3600, (lt.utc_offset % 3600) / 60);
	}
	const char *c = (enh ? enhanced : original)[code];
	bool ok = emit(buf, cap, len, "MSH|^~\\&|%s|%s|%s|%s|%s||ACK%s%s%s|%s|%s|%s\r", app, fac, sapp, sfac, when,
		       trig[0] ? "^" : "", trig, trig[0] ? "^ACK" : "", ackctl, proc, ver);
	ok = ok && emit(buf, cap, len, "MSA|%s|%s%s%s\r", c, ctl, err && code != ADT_ACK_ACCEPT ? "|" : "",
			err && code != ADT_ACK_ACCEPT ? text : "");
	if (ok && err && code != ADT_ACK_ACCEPT) {
		char loc[64] = "";
		if (err->segment[0]) {
			if (v25)
				snprintf(loc, sizeof loc, "%s^1^%d^1^%d", err->segment, err->field, err->component);
			else
				snprintf(loc, sizeof loc, "%s^1^%d", err->segment, err->field);
		}
		const char *name = hl7_code_name(err->hl7_code);
		char reason[5 * 64];
		if (hl7_escape(err->code ? err->code : "", &d, reason, sizeof reason))
			return HG_ERANGE;
		if (v25)
			ok = emit(buf, cap, len, "ERR||%s|%d^%s^HL70357|E|%s^^HEMGANG|||%s\r", loc, err->hl7_code, name, reason,
				  text);
		else
			ok = emit(buf, cap, len, "ERR|%s%s%d&%s&HL70357\r", loc, loc[0] ? "^" : "^^^", err->hl7_code, name);
	}
	if (!ok) {
		*len = 0;
		buf[0] = '\0';
		return HG_ERANGE;
	}
	return HG_OK;
}
