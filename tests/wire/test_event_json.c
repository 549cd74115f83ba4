/*
 * test_event_json.c - the JSON form of events and episode states: a populated
 * event of every type survives event_to_json -> event_from_json byte for byte
 * and the canonical text -> event -> text; what API clients may write is
 * normalised (local times, any personnummer form, null = absent); every
 * rejection names its reason and the JSON path of the member; the episode
 * renderer hides the address when asked and the anonymous form carries no
 * identity at all.
 */
#include <stdlib.h>

#include "core/alloc.h"
#include "wire/episode_json.h"
#include "wire/event_json.h"
#include "test.h"

/* Day numbers and instants of the example stay (May 2024, CEST = UTC+2). */
#define D_0501 19844
#define DAY(d) ((hg_date)(D_0501 + (d) - 1)) /* DAY(3) = 2024-05-03 */
#define AT(d, h, m) ((hg_instant)DAY(d) * HG_SECONDS_PER_DAY + (h) * 3600 + (m) * 60)

#define WARD "SE2321000032-W12"
#define VC "SE2321000032-VC1"
#define SOC "K2080-BIST"
#define PNR "19811218-9876"
#define NAME "Tolvan Tolvansson"
#define ADDRESS "Storgatan 1, 791 71 Falun"

#define HDR(seq_, type_, occ, unit, kind, org)                                                               \
	.id = 1000 + (seq_), .seq = (seq_), .type = (type_), .occurred_at = (occ), .recorded_at = (occ) + 60, \
	.author_unit = unit, .author_kind = (kind), .author_org = org, .author_user = "anna.andersson",        \
	.note = "anteckning " #seq_ " åäö"
#define P_VC {VC, UNIT_PRIMARY_CARE, "20"}
#define P_SOC {SOC, UNIT_MUNICIPAL_SOCIAL, "2080"}

/* One populated event per type, plus variants with NONE values, no recipients, a correction, no id. */
static const event events[] = {
	{HDR(1, EVENT_ADMITTED, AT(1, 6, 30), WARD, UNIT_WARD, "20"),
	 .u.admitted = {{PNR, NAME, "2080", VC, false, ADDRESS}, "SE2321000032-FALU", WARD, CARE_GERIATRIC}},
	{HDR(2, EVENT_TRANSFERRED, AT(1, 9, 0), WARD, UNIT_WARD, "20"),
	 .u.transferred = {"SE2321000032-W14", CARE_PSYCHIATRIC}},
	{HDR(3, EVENT_ADMISSION_NOTICE, AT(1, 10, 0), WARD, UNIT_WARD, "20"),
	 .u.admission_notice = {{2, {P_VC, P_SOC}}, DAY(10), AT(1, 7, 0), ADMISSION_REASON_STROKE, ADDRESS}},
	{HDR(4, EVENT_EXPECTED_DATE_CHANGED, AT(2, 10, 0), WARD, UNIT_WARD, "20"),
	 .u.expected_date_changed = {DAY(12)}},
	{HDR(5, EVENT_ACKNOWLEDGED, AT(2, 11, 0), SOC, UNIT_MUNICIPAL_SOCIAL, "2080"), .u.acknowledged = {3}},
	{HDR(6, EVENT_INFO_REQUESTED, AT(2, 12, 0), WARD, UNIT_WARD, "20"), .u.info_requested = {P_SOC}},
	{HDR(7, EVENT_INFO_REPLIED, AT(2, 13, 0), SOC, UNIT_MUNICIPAL_SOCIAL, "2080"), .u.info_replied = {6}},
	{HDR(8, EVENT_CONSENT_RECORDED, AT(2, 14, 0), SOC, UNIT_MUNICIPAL_SOCIAL, "2080"),
	 .u.consent_recorded = {CONSENT_GIVEN, "care_planning", CONSENT_HOW_REPRESENTATIVE}},
	{HDR(9, EVENT_TRACK_SET, AT(3, 8, 0), WARD, UNIT_WARD, "20"), .u.track_set = {TRACK_YELLOW}},
	{HDR(10, EVENT_CARE_CONTACT_APPOINTED, AT(3, 9, 0), VC, UNIT_PRIMARY_CARE, "20"),
	 .u.care_contact_appointed = {"Sara Svensson", "distriktssköterska", "023-49 00 00"}},
	{HDR(11, EVENT_SIP_CALLED, AT(3, 10, 0), VC, UNIT_PRIMARY_CARE, "20"),
	 .u.sip_called = {AT(6, 12, 30), SIP_HOME}},
	{HDR(12, EVENT_SIP_HELD, AT(6, 14, 0), VC, UNIT_PRIMARY_CARE, "20"),
	 .u.sip_held = {AT(6, 12, 30), SIP_VIDEO, DAY(31) + 1, EVENT_SIP_PARTY_BIT(SIP_PARTY_PATIENT) | EVENT_SIP_PARTY_BIT(SIP_PARTY_MUNICIPAL_SOCIAL),
		    {2, {{"Hemtjänst morgon och kväll", SIP_PARTY_MUNICIPAL_SOCIAL, DAY(8)}, {"Läkemedelsgenomgång", SIP_PARTY_PRIMARY_CARE, DAY(20)}}}}},
	{HDR(13, EVENT_READY_FOR_DISCHARGE, AT(7, 9, 0), WARD, UNIT_WARD, "20"),
	 .u.ready_for_discharge = {{1, {P_SOC}}}},
	{HDR(14, EVENT_READY_WITHDRAWN, AT(7, 15, 0), WARD, UNIT_WARD, "20")},
	{HDR(15, EVENT_MUNICIPALITY_READY, AT(8, 9, 0), SOC, UNIT_MUNICIPAL_SOCIAL, "2080")},
	{HDR(16, EVENT_DISCHARGED, AT(9, 11, 0), WARD, UNIT_WARD, "20"), .u.discharged = {DEST_SPECIAL_HOUSING}},
	{HDR(17, EVENT_DEVIATION, AT(9, 12, 0), SOC, UNIT_MUNICIPAL_SOCIAL, "2080"),
	 .u.deviation = {DEVIATION_NOTICE_LATE, "20"}},
	{HDR(18, EVENT_CANCELLED, AT(9, 13, 0), SOC, UNIT_MUNICIPAL_SOCIAL, "2080"), .u.cancelled = {17}},
	{HDR(19, EVENT_LEAVE_STARTED, AT(4, 10, 0), WARD, UNIT_WARD, "20")},
	{HDR(20, EVENT_LEAVE_ENDED, AT(5, 18, 0), WARD, UNIT_WARD, "20")},
	/* variants */
	{HDR(21, EVENT_ADMISSION_NOTICE, AT(1, 11, 0), WARD, UNIT_WARD, "20"), .corrects_seq = 3,
	 .u.admission_notice = {{1, {P_VC}}, DAY(11), HG_INSTANT_NONE}},
	{HDR(22, EVENT_READY_FOR_DISCHARGE, AT(8, 9, 0), WARD, UNIT_WARD, "20"), .u.ready_for_discharge = {{0, {{"", 0, ""}}}}},
	{HDR(23, EVENT_SIP_HELD, AT(6, 14, 0), VC, UNIT_PRIMARY_CARE, "20"),
	 .u.sip_held = {AT(6, 12, 30), SIP_OTHER, HG_DATE_NONE}},
	{.type = EVENT_ADMITTED, .occurred_at = AT(1, 6, 30), .recorded_at = HG_INSTANT_NONE, .author_unit = WARD,
	 .author_kind = UNIT_WARD, .author_org = "20",
	 .u.admitted = {{"19121212-1212", "Y", "2080", "", true, ""}, "H", "W", CARE_SOMATIC}},	/* issue 14: the care process steps */
	{HDR(24, EVENT_LEGAL_FORM_SET, AT(2, 9, 0), WARD, UNIT_WARD, "20"), .u.legal_form_set = {LEGAL_FORM_LRV}},
	{HDR(25, EVENT_CARE_PLAN_CALLED, AT(3, 9, 0), WARD, UNIT_WARD, "20"),
	 .u.care_plan_called = {AT(5, 13, 0), SIP_HOSPITAL}},
	{HDR(26, EVENT_CARE_PLAN_ESTABLISHED, AT(5, 15, 0), VC, UNIT_PRIMARY_CARE, "20"),
	 .u.care_plan_established = {DAY(30)}},
	{HDR(27, EVENT_CHIEF_PHYSICIAN_APPLIED, AT(5, 16, 0), WARD, UNIT_WARD, "20")},
	{HDR(28, EVENT_MUNICIPAL_REPORT_RECEIVED, AT(1, 12, 0), SOC, UNIT_MUNICIPAL_SOCIAL, "2080")},
	{HDR(29, EVENT_MUNICIPAL_PATIENT_CONTACTED, AT(2, 9, 0), SOC, UNIT_MUNICIPAL_SOCIAL, "2080")},
	{HDR(30, EVENT_MUNICIPAL_APPLICATION_RECEIVED, AT(2, 10, 0), SOC, UNIT_MUNICIPAL_SOCIAL, "2080")},
	{HDR(31, EVENT_MUNICIPAL_DECISION, AT(4, 10, 0), "IFO-2080", UNIT_MUNICIPAL_IFO, "2080"),
	 .u.municipal_decision = {DECISION_PARTLY, EVENT_SERVICE_BIT(SERVICE_HOME_CARE) | EVENT_SERVICE_BIT(SERVICE_MEALS)}},
	{HDR(32, EVENT_MUNICIPAL_PLAN, AT(4, 11, 0), SOC, UNIT_MUNICIPAL_SOCIAL, "2080"),
	 .u.municipal_plan = {EVENT_SERVICE_BIT(SERVICE_SAFETY_ALARM), DAY(9), true}},
	{HDR(33, EVENT_HOME_CARE_STARTED, AT(9, 18, 0), SOC, UNIT_MUNICIPAL_SOCIAL, "2080")},
	{HDR(34, EVENT_INFORMATION_TRANSFERRED, AT(9, 10, 0), WARD, UNIT_WARD, "20"),
	 .u.information_transferred = {EVENT_ITEM_BIT(DISCHARGE_ITEM_MEDICATION_LIST) | EVENT_ITEM_BIT(DISCHARGE_ITEM_APPOINTMENTS)}},
	{HDR(35, EVENT_PATIENT_INFORMED, AT(9, 10, 30), WARD, UNIT_WARD, "20")},
	{HDR(36, EVENT_RESPONSIBILITY_TAKEN_OVER, AT(9, 14, 0), VC, UNIT_PRIMARY_CARE, "20")},
	{HDR(37, EVENT_CHILDREN_AS_RELATIVES, AT(2, 15, 0), SOC, UNIT_MUNICIPAL_SOCIAL, "2080"),
	 .u.children_as_relatives = {true}},
};
#define N_EVENTS (sizeof events / sizeof events[0])

static void test_round_trip(struct test *t)
{
	bool seen[EVENT_TYPE_COUNT] = {false};
	for (size_t i = 0; i < N_EVENTS; i++) {
		const event *ev = &events[i];
		event_error err;
		seen[ev->type] = true;
		/* The rows are realistic events: the core accepts each one on its own. */
		T_EQ_INT(t, event_validate_fields(ev, &err), HG_OK, "row %zu valid (%s at %s)", i, err.code, err.field);

		json_t *obj = event_to_json(ev);
		event back;
		T_TRUE(t, obj != NULL, "row %zu rendered", i);
		hg_status rc = event_from_json(obj, EVENT_JSON_STORED, &back, &err);
		T_EQ_INT(t, rc, HG_OK, "row %zu parsed back (%s at %s)", i, err.code, err.field);
		T_TRUE(t, memcmp(&back, ev, sizeof back) == 0, "row %zu (%s) byte for byte", i, event_type_code(ev->type));
		json_decref(obj);

		char *text = event_to_text(ev);
		T_TRUE(t, text != NULL, "row %zu text", i);
		if (!text)
			continue;
		rc = event_from_text(text, &back, &err);
		T_EQ_INT(t, rc, HG_OK, "row %zu text parsed (%s at %s)", i, err.code, err.field);
		T_TRUE(t, memcmp(&back, ev, sizeof back) == 0, "row %zu text byte for byte", i);
		char *again = event_to_text(&back);
		T_EQ_STR(t, again, text, "row %zu text stable", i);
		hg_free(again);

		/* Sorted keys: the same members in reverse order give the same text. */
		json_t *loaded = json_loads(text, 0, NULL), *reversed = json_object();
		const char *keys[64];
		size_t nkeys = 0;
		const char *key;
		json_t *value;
		json_object_foreach(loaded, key, value) if (nkeys < 64) keys[nkeys++] = key;
		while (nkeys > 0) {
			nkeys--;
			json_object_set(reversed, keys[nkeys], json_object_get(loaded, keys[nkeys]));
		}
		rc = event_from_json(reversed, EVENT_JSON_STORED, &back, &err);
		again = rc == HG_OK ? event_to_text(&back) : NULL;
		T_EQ_STR(t, again, text, "row %zu text independent of member order", i);
		hg_free(again);
		json_decref(reversed);
		json_decref(loaded);
		hg_free(text);
	}
	for (int ty = 0; ty < EVENT_TYPE_COUNT; ty++)
		T_TRUE(t, seen[ty], "a round-trip row of type %s", event_type_code((event_type)ty));
}

/* The exact canonical text of a few events: compact, sorted, UTC "Z", null for NONE. */
static void test_canonical_text(struct test *t)
{
	static const struct {
		size_t row;
		const char *text;
	} rows[] = {
		{18, "{\"author\":{\"kind\":\"ward\",\"org\":\"20\",\"unit\":\"SE2321000032-W12\",\"user\":\"anna.andersson\"},"
		     "\"corrects_seq\":0,\"id\":1019,\"note\":\"anteckning 19 åäö\",\"occurred_at\":\"2024-05-04T10:00:00Z\","
		     "\"recorded_at\":\"2024-05-04T10:01:00Z\",\"seq\":19,\"type\":\"leave_started\"}"},
		{21, "{\"author\":{\"kind\":\"ward\",\"org\":\"20\",\"unit\":\"SE2321000032-W12\",\"user\":\"anna.andersson\"},"
		     "\"corrects_seq\":0,\"id\":1022,\"note\":\"anteckning 22 åäö\",\"occurred_at\":\"2024-05-08T09:00:00Z\","
		     "\"recipients\":[],\"recorded_at\":\"2024-05-08T09:01:00Z\",\"seq\":22,\"type\":\"ready_for_discharge\"}"},
		{22, "{\"actions\":[],\"author\":{\"kind\":\"primary_care\",\"org\":\"20\",\"unit\":\"SE2321000032-VC1\",\"user\":\"anna.andersson\"},"
		     "\"corrects_seq\":0,\"follow_up_date\":null,\"held_at\":\"2024-05-06T12:30:00Z\",\"id\":1023,"
		     "\"note\":\"anteckning 23 åäö\",\"occurred_at\":\"2024-05-06T14:00:00Z\",\"participants\":[],"
		     "\"place\":\"other\",\"recorded_at\":\"2024-05-06T14:01:00Z\",\"seq\":23,\"type\":\"sip_held\"}"},
		{23, "{\"author\":{\"kind\":\"ward\",\"org\":\"20\",\"unit\":\"SE2321000032-W12\",\"user\":\"\"},"
		     "\"care_type\":\"somatic\",\"corrects_seq\":0,\"hospital\":\"H\",\"id\":0,\"note\":\"\","
		     "\"occurred_at\":\"2024-05-01T06:30:00Z\",\"patient\":{\"address\":\"\",\"name\":\"Y\","
		     "\"personnummer\":\"19121212-1212\",\"primary_care_unit\":\"\",\"protected_identity\":true,"
		     "\"registered_municipality\":\"2080\"},\"recorded_at\":null,\"seq\":0,\"type\":\"admitted\",\"ward\":\"W\"}"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *text = event_to_text(&events[rows[i].row]);
		T_EQ_STR(t, text, rows[i].text, "canonical text of row %zu", rows[i].row);
		hg_free(text);
	}
}

/* Jansson's dump of event_to_json: the canonical text that event_to_text writes directly. */
static char *jansson_text(const event *ev)
{
	json_t *obj = event_to_json(ev);
	char *text = obj ? json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(obj);
	return text;
}

/*
 * event_to_text writes the text itself (for speed) and must give exactly what
 * Jansson gives: every row, and text with every character that JSON escapes,
 * UTF-8 of 2-4 bytes, and text that is not UTF-8 (no text at all).
 */
static void test_text_as_jansson(struct test *t)
{
	for (size_t i = 0; i < N_EVENTS; i++) {
		char *mine = event_to_text(&events[i]), *ref = jansson_text(&events[i]);
		T_EQ_STR(t, mine, ref, "row %zu (%s) as Jansson writes it", i, event_type_code(events[i].type));
		hg_free(mine);
		free(ref);
	}
	static const struct {
		const char *note;
		bool utf8;
	} notes[] = {
		{"citat \" och \\ snedstreck / och tab\t", true},
		{"rader\r\nny\bsida\f", true},
		{"styrtecken \001\037\177 slut", true},
		{"två byte åäö Ü, tre byte €, fyra byte \xF0\x9F\x98\x80", true},
		{"", true},
		{"trasig \xC3", false},
		{"för lång \xC0\x80", false},
		{"surrogat \xED\xA0\x80", false},
		{"utanför \xF4\x90\x80\x80", false},
		{"fortsättning \x80", false},
	};
	for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
		event ev = events[0];
		(void)snprintf(ev.note, sizeof ev.note, "%s", notes[i].note);
		(void)snprintf(ev.u.admitted.patient.name, sizeof ev.u.admitted.patient.name, "%s", notes[i].note);
		char *mine = event_to_text(&ev), *ref = jansson_text(&ev);
		T_EQ_STR(t, mine, ref, "note %zu as Jansson writes it", i);
		T_TRUE(t, (mine != NULL) == notes[i].utf8, "note %zu: text exactly when UTF-8", i);
		hg_free(mine);
		free(ref);
	}
}

/* Looks up "a.b[1].c"-free paths: dot-separated object members only. */
static const json_t *member(const json_t *obj, const char *path)
{
	char buf[128];
	(void)snprintf(buf, sizeof buf, "%s", path);
	for (char *part = strtok(buf, "."); part && obj; part = strtok(NULL, "."))
		obj = json_object_get(obj, part);
	return obj;
}

/* A member as text: strings as they are, other values as compact JSON with sorted keys; "(absent)" when missing. */
static char *member_text(const json_t *obj, const char *path)
{
	const json_t *v = member(obj, path);
	if (!v)
		return strdup("(absent)");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

#define INPUT_HEAD "\"type\":\"admitted\",\"occurred_at\":\"2024-05-01T08:30\""
#define INPUT_REST "\"hospital\":\"H\",\"ward\":\"W\",\"care_type\":\"somatic\""
#define INPUT_PATIENT(pnr) "\"patient\":{\"personnummer\":\"" pnr "\",\"name\":\"N\",\"registered_municipality\":\"2080\"}"

/* What a client may write, and what it becomes (read back through event_to_json). */
static void test_input_forms(struct test *t)
{
	static const struct {
		const char *in, *path, *want;
	} rows[] = {
		/* 1-4: instants: local Stockholm time without offset, offsets, Z, seconds and fractions */
		{"{" INPUT_HEAD "," INPUT_PATIENT(PNR) "," INPUT_REST "}", "occurred_at", "2024-05-01T06:30:00Z"},
		{"{\"type\":\"leave_started\",\"occurred_at\":\"2024-01-15T08:30:15\"}", "occurred_at", "2024-01-15T07:30:15Z"},
		{"{\"type\":\"leave_started\",\"occurred_at\":\"2024-05-01T08:30:00+02:00\"}", "occurred_at", "2024-05-01T06:30:00Z"},
		{"{\"type\":\"leave_started\",\"occurred_at\":\"2024-05-01T06:30:00.250Z\"}", "occurred_at", "2024-05-01T06:30:00Z"},
		/* 5: fall-back day: the ambiguous local hour is the earlier (summer time) one */
		{"{\"type\":\"leave_started\",\"occurred_at\":\"2024-10-27T02:30\"}", "occurred_at", "2024-10-27T00:30:00Z"},
		/* 6-9: any written form of a personnummer is stored normalised; the century from occurred_at */
		{"{" INPUT_HEAD "," INPUT_PATIENT("8112189876") "," INPUT_REST "}", "patient.personnummer", PNR},
		{"{" INPUT_HEAD "," INPUT_PATIENT("198112189876") "," INPUT_REST "}", "patient.personnummer", PNR},
		{"{" INPUT_HEAD "," INPUT_PATIENT("121212+1212") "," INPUT_REST "}", "patient.personnummer", "19121212-1212"},
		{"{" INPUT_HEAD "," INPUT_PATIENT(" 121212-1212 ") "," INPUT_REST "}", "patient.personnummer", "20121212-1212"},
		/* 10-13: absent and null are the same: "", false, 0, NONE (null) */
		{"{" INPUT_HEAD "," INPUT_PATIENT(PNR) "," INPUT_REST "}", "patient.protected_identity", "false"},
		{"{" INPUT_HEAD "," INPUT_PATIENT(PNR) "," INPUT_REST ",\"note\":null}", "note", ""},
		{"{\"type\":\"admission_notice\",\"occurred_at\":\"2024-05-01T10:00Z\",\"recipients\":[{\"unit\":\"A\"}],"
		 "\"expected_discharge_date\":\"2024-05-10\",\"need_judged_at\":null,\"corrects_seq\":null}",
		 "need_judged_at", "null"},
		{"{\"type\":\"sip_held\",\"occurred_at\":\"2024-05-01T10:00Z\",\"held_at\":\"2024-05-01T09:00Z\","
		 "\"place\":\"home\"}", "follow_up_date", "null"},
		/* 14-15: a recipient gives its unit only; kind and org are the server's */
		{"{\"type\":\"admission_notice\",\"occurred_at\":\"2024-05-01T10:00Z\",\"recipients\":[{\"unit\":\"A\"},{\"unit\":\"B\"}],"
		 "\"expected_discharge_date\":\"2024-05-10\"}", "recipients", "[{\"kind\":\"ward\",\"org\":\"\",\"unit\":\"A\"},{\"kind\":\"ward\",\"org\":\"\",\"unit\":\"B\"}]"},
		{"{\"type\":\"info_requested\",\"occurred_at\":\"2024-05-01T10:00Z\",\"to\":{\"unit\":\"K\"}}", "to", "{\"kind\":\"ward\",\"org\":\"\",\"unit\":\"K\"}"},
		/* 16-17: the author and the store's members stay unset in INPUT mode */
		{"{\"type\":\"leave_ended\",\"occurred_at\":\"2024-05-01T10:00Z\"}", "recorded_at", "null"},
		{"{\"type\":\"leave_ended\",\"occurred_at\":\"2024-05-01T10:00Z\"}", "author.unit", ""},
		/* 18-19: text exactly filling its buffer is kept; non-ASCII is kept */
		{"{\"type\":\"deviation\",\"occurred_at\":\"2024-05-01T10:00Z\",\"category\":\"other\","
		 "\"against_org\":\"123456789012345678901234567890123456789012345_7\"}", "against_org",
		 "123456789012345678901234567890123456789012345_7"},
		{"{\"type\":\"care_contact_appointed\",\"occurred_at\":\"2024-05-01T10:00Z\",\"name\":\"Åsa Öberg\"}",
		 "name", "Åsa Öberg"},
		/* issue 14: the notice's reason (a code) and address; a stored notice without them reads as unstated */
		{"{\"type\":\"admission_notice\",\"occurred_at\":\"2024-05-01T10:00Z\",\"expected_discharge_date\":\"2024-05-10\",\"recipients\":[{\"unit\":\"A\"}],\"reason\":\"other\",\"address\":\"Åsgatan 2\"}", "reason", "other"},
		{"{\"type\":\"admission_notice\",\"occurred_at\":\"2024-05-01T10:00Z\",\"expected_discharge_date\":\"2024-05-10\",\"recipients\":[{\"unit\":\"A\"}],\"reason\":\"other\",\"address\":\"Åsgatan 2\"}", "address", "Åsgatan 2"},
		{"{\"type\":\"admission_notice\",\"occurred_at\":\"2024-05-01T10:00Z\",\"expected_discharge_date\":\"2024-05-10\",\"recipients\":[{\"unit\":\"A\"}]}", "reason", "unstated"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		json_error_t jerr;
		json_t *in = json_loads(rows[i].in, 0, &jerr);
		event ev;
		event_error err;
		T_TRUE(t, in != NULL, "input %zu is JSON: %s", i + 1, jerr.text);
		hg_status rc = event_from_json(in, EVENT_JSON_INPUT, &ev, &err);
		T_EQ_INT(t, rc, HG_OK, "input %zu accepted (%s at %s)", i + 1, err.code, err.field);
		json_t *out = rc == HG_OK ? event_to_json(&ev) : NULL;
		char *got = out ? member_text(out, rows[i].path) : NULL;
		T_EQ_STR(t, got, rows[i].want, "input %zu %s", i + 1, rows[i].path);
		free(got);
		json_decref(out);
		json_decref(in);
	}
}

/* '@' in an error row's JSON stands for a run of `fill` letters 'a' (long texts). */
static char *expand(const char *in, size_t fill)
{
	size_t n = strlen(in);
	char *out = malloc(n + fill + 1), *p = out;
	for (const char *s = in; *s; s++) {
		if (*s == '@') {
			memset(p, 'a', fill);
			p += fill;
		} else {
			*p++ = *s;
		}
	}
	*p = '\0';
	return out;
}

#define T_ "\"type\":\"track_set\",\"occurred_at\":\"2024-05-01T10:00Z\""
#define N_ "\"type\":\"admission_notice\",\"occurred_at\":\"2024-05-01T10:00Z\",\"expected_discharge_date\":\"2024-05-10\""
#define A_ "\"type\":\"admitted\",\"occurred_at\":\"2024-05-01T10:00Z\",\"hospital\":\"H\",\"ward\":\"W\",\"care_type\":\"somatic\""
#define PAT_ "\"personnummer\":\"" PNR "\",\"name\":\"N\",\"registered_municipality\":\"2080\""
#define AUTH_ "\"author\":{\"unit\":\"U\",\"kind\":\"ward\",\"org\":\"20\"}"
enum { IN = EVENT_JSON_INPUT, ST = EVENT_JSON_STORED };

static const struct error_row {
	int mode;
	const char *json;
	size_t fill; /* length of the '@' run */
	const char *code, *field;
} error_rows[] = {
	/* 1-5: the type */
	{IN, "{\"occurred_at\":\"2024-05-01T10:00Z\",\"colour\":\"red\"}", 0, "required", "type"},
	{IN, "{\"type\":null}", 0, "required", "type"},
	{IN, "{\"type\":5}", 0, "bad_code", "type"},
	{IN, "{\"type\":\"teleported\"}", 0, "unknown_type", "type"},
	{IN, "[{\"type\":\"track_set\"}]", 0, "bad_code", ""},
	/* 6-11: unknown members, at every depth */
	{IN, "{" T_ ",\"colour\":\"red\",\"color\":\"red\"}", 0, "bad_code", "color"},
	{IN, "{" T_ ",\"colour\":\"red\",\"cancels_seq\":3}", 0, "bad_code", "cancels_seq"},
	{IN, "{" N_ ",\"recipients\":[{\"unit\":\"A\"},{\"unit\":\"B\",\"hsa\":\"x\"}]}", 0, "bad_code", "recipients[1].hsa"},
	{IN, "{" A_ ",\"patient\":{" PAT_ ",\"sex\":\"male\"}}", 0, "bad_code", "patient.sex"},
	{ST, "{" T_ ",\"colour\":\"red\"," AUTH_ ",\"extra\":1}", 0, "bad_code", "extra"},
	{ST, "{" T_ ",\"colour\":\"red\",\"author\":{\"unit\":\"U\",\"kind\":\"ward\",\"org\":\"20\",\"role\":\"x\"}}", 0, "bad_code", "author.role"},
	/* 12-17: INPUT mode: what the server sets is unknown */
	{IN, "{" T_ ",\"colour\":\"red\",\"seq\":4}", 0, "bad_code", "seq"},
	{IN, "{" T_ ",\"colour\":\"red\",\"id\":4}", 0, "bad_code", "id"},
	{IN, "{" T_ ",\"colour\":\"red\",\"recorded_at\":\"2024-05-01T10:00Z\"}", 0, "bad_code", "recorded_at"},
	{IN, "{" T_ ",\"colour\":\"red\"," AUTH_ "}", 0, "bad_code", "author"},
	{IN, "{" N_ ",\"recipients\":[{\"unit\":\"A\",\"kind\":\"primary_care\"}]}", 0, "bad_code", "recipients[0].kind"},
	{IN, "{\"type\":\"info_requested\",\"occurred_at\":\"2024-05-01T10:00Z\",\"to\":{\"unit\":\"A\",\"org\":\"20\"}}", 0, "bad_code", "to.org"},
	/* 18-26: wrong JSON types */
	{IN, "{" T_ ",\"colour\":1}", 0, "bad_code", "colour"},
	{IN, "{\"type\":\"acknowledged\",\"occurred_at\":\"2024-05-01T10:00Z\",\"ack_seq\":\"3\"}", 0, "bad_code", "ack_seq"},
	{IN, "{\"type\":\"acknowledged\",\"occurred_at\":\"2024-05-01T10:00Z\",\"ack_seq\":3.0}", 0, "bad_code", "ack_seq"},
	{IN, "{" A_ ",\"patient\":[]}", 0, "bad_code", "patient"},
	{IN, "{" A_ ",\"patient\":{" PAT_ ",\"protected_identity\":\"yes\"}}", 0, "bad_code", "patient.protected_identity"},
	{IN, "{" N_ ",\"recipients\":{\"unit\":\"A\"}}", 0, "bad_code", "recipients"},
	{IN, "{" N_ ",\"recipients\":[\"A\"]}", 0, "bad_code", "recipients[0]"},
	{IN, "{" T_ ",\"colour\":\"red\",\"note\":42}", 0, "bad_code", "note"},
	{IN, "{\"type\":\"leave_started\",\"occurred_at\":1714557600}", 0, "bad_code", "occurred_at"},
	/* 27-30: dates */
	{IN, "{" N_ ",\"recipients\":[{\"unit\":\"A\"}],\"expected_discharge_date\":\"2024-02-30\"}", 0, "bad_date", "expected_discharge_date"},
	{IN, "{\"type\":\"expected_date_changed\",\"occurred_at\":\"2024-05-01T10:00Z\",\"expected_discharge_date\":\"2024-5-10\"}", 0, "bad_date", "expected_discharge_date"},
	{IN, "{\"type\":\"sip_held\",\"occurred_at\":\"2024-05-01T10:00Z\",\"held_at\":\"2024-05-01T09:00Z\",\"place\":\"home\",\"follow_up_date\":\"2024-06-01T00:00Z\"}", 0, "bad_date", "follow_up_date"},
	{IN, "{\"type\":\"expected_date_changed\",\"occurred_at\":\"2024-05-01T10:00Z\",\"expected_discharge_date\":20240510}", 0, "bad_code", "expected_discharge_date"},
	/* 31-36: instants */
	{IN, "{\"type\":\"leave_started\",\"occurred_at\":\"2024-05-01T25:00Z\"}", 0, "bad_instant", "occurred_at"},
	{IN, "{\"type\":\"leave_started\",\"occurred_at\":\"2024-05-01\"}", 0, "bad_instant", "occurred_at"},
	{IN, "{\"type\":\"leave_started\",\"occurred_at\":\"2024-03-31T02:30\"}", 0, "bad_instant", "occurred_at"},
	{IN, "{\"type\":\"leave_started\",\"occurred_at\":\"2024-05-01T10:00+2\"}", 0, "bad_instant", "occurred_at"},
	{IN, "{\"type\":\"leave_started\",\"occurred_at\":\"yesterday\"}", 0, "bad_instant", "occurred_at"},
	{IN, "{\"type\":\"sip_called\",\"occurred_at\":\"2024-05-01T10:00Z\",\"meeting_at\":\"2024-02-30T10:00Z\",\"place\":\"home\"}", 0, "bad_instant", "meeting_at"},
	/* 37-42: unknown enum codes */
	{IN, "{" T_ ",\"colour\":\"purple\"}", 0, "bad_code", "colour"},
	{IN, "{" T_ ",\"colour\":\"Green\"}", 0, "bad_code", "colour"},
	{IN, "{" A_ ",\"care_type\":\"dental\",\"patient\":{" PAT_ "}}", 0, "bad_code", "care_type"},
	{IN, "{\"type\":\"discharged\",\"occurred_at\":\"2024-05-01T10:00Z\",\"destination\":\"home\"}", 0, "bad_code", "destination"},
	{IN, "{\"type\":\"consent_recorded\",\"occurred_at\":\"2024-05-01T10:00Z\",\"state\":\"given\",\"scope\":\"all\",\"how\":\"telepathy\"}", 0, "bad_code", "how"},
	{ST, "{" T_ ",\"colour\":\"red\",\"author\":{\"unit\":\"U\",\"kind\":\"doctor\",\"org\":\"20\"}}", 0, "bad_code", "author.kind"},
	/* 43-50: too long: never truncated */
	{IN, "{" T_ ",\"colour\":\"red\",\"note\":\"@\"}", HG_NOTE_MAX, "too_long", "note"},
	{IN, "{" T_ ",\"colour\":\"red\",\"note\":\"@\"}", HG_NOTE_MAX - 1, "ok", ""},
	{IN, "{" A_ ",\"patient\":{\"personnummer\":\"" PNR "\",\"name\":\"@\",\"registered_municipality\":\"2080\"}}", HG_NAME_MAX, "too_long", "patient.name"},
	{IN, "{" N_ ",\"recipients\":[{\"unit\":\"A\"},{\"unit\":\"@\"}]}", HG_ID_MAX, "too_long", "recipients[1].unit"},
	{IN, "{\"type\":\"consent_recorded\",\"occurred_at\":\"2024-05-01T10:00Z\",\"state\":\"given\",\"scope\":\"@\",\"how\":\"verbal\"}", HG_ID_MAX, "bad_code_text", "scope"},
	{IN, "{" A_ ",\"patient\":{\"personnummer\":\"" PNR "\",\"name\":\"N\",\"registered_municipality\":\"20801\"}}", 0, "bad_municipality_code", "patient.registered_municipality"},
	{IN, "{\"type\":\"care_contact_appointed\",\"occurred_at\":\"2024-05-01T10:00Z\",\"name\":\"S\",\"phone\":\"@\"}", EVENT_PHONE_MAX, "too_long", "phone"},
	{IN, "{" T_ ",\"colour\":\"red\",\"note\":\"a\\u0000b\"}", 0, "bad_code", "note"},
	{IN, "{" N_ ",\"recipients\":[{\"unit\":\"A\"}],\"reason\":\"broken_leg\"}", 0, "bad_code", "reason"},
	/* 51-58: required members absent or null */
	{IN, "{\"type\":\"track_set\",\"colour\":\"red\"}", 0, "required", "occurred_at"},
	{IN, "{" T_ ",\"colour\":null}", 0, "required", "colour"},
	{IN, "{" N_ "}", 0, "required", "recipients"},
	{IN, "{\"type\":\"admission_notice\",\"occurred_at\":\"2024-05-01T10:00Z\",\"recipients\":[{\"unit\":\"A\"}]}", 0, "required", "expected_discharge_date"},
	{IN, "{" A_ ",\"patient\":{\"personnummer\":\"" PNR "\",\"registered_municipality\":\"2080\"}}", 0, "required", "patient.name"},
	{IN, "{" N_ ",\"recipients\":[{\"unit\":\"A\"},{}]}", 0, "required", "recipients[1].unit"},
	{ST, "{" T_ ",\"colour\":\"red\"}", 0, "required", "author"},
	{ST, "{" N_ ",\"recipients\":[{\"unit\":\"A\",\"org\":\"20\"}]," AUTH_ "}", 0, "required", "recipients[0].kind"},
	/* 59-64: personnummer, recipients, integers */
	{IN, "{" A_ ",\"patient\":{\"personnummer\":\"19811218-9875\",\"name\":\"N\",\"registered_municipality\":\"2080\"}}", 0, "bad_personnummer", "patient.personnummer"},
	{IN, "{" A_ ",\"patient\":{\"personnummer\":\"20990101-0000\",\"name\":\"N\",\"registered_municipality\":\"2080\"}}", 0, "bad_personnummer", "patient.personnummer"},
	{IN, "{" A_ ",\"patient\":{\"personnummer\":\"@\",\"name\":\"N\",\"registered_municipality\":\"2080\"}}", 200, "bad_personnummer", "patient.personnummer"},
	{IN, "{" N_ ",\"recipients\":[{\"unit\":\"A\"},{\"unit\":\"B\"},{\"unit\":\"C\"},{\"unit\":\"D\"},{\"unit\":\"E\"},{\"unit\":\"F\"},{\"unit\":\"G\"},{\"unit\":\"H\"},{\"unit\":\"I\"}]}", 0, "too_many_recipients", "recipients"},
	{IN, "{\"type\":\"acknowledged\",\"occurred_at\":\"2024-05-01T10:00Z\",\"ack_seq\":3000000000}", 0, "bad_seq", "ack_seq"},
	{ST, "{" T_ ",\"colour\":\"red\"," AUTH_ ",\"id\":-1}", 0, "bad_seq", "id"},
};

static void test_errors(struct test *t)
{
	for (size_t i = 0; i < sizeof error_rows / sizeof error_rows[0]; i++) {
		const struct error_row *r = &error_rows[i];
		char *text = expand(r->json, r->fill);
		json_error_t jerr;
		json_t *obj = json_loads(text, JSON_ALLOW_NUL, &jerr);
		event ev;
		event_error err;
		T_TRUE(t, obj != NULL, "error row %zu is JSON: %s", i + 1, jerr.text);
		hg_status rc = event_from_json(obj, (event_json_mode)r->mode, &ev, &err);
		bool want_ok = strcmp(r->code, "ok") == 0;
		T_EQ_INT(t, rc, want_ok ? HG_OK : HG_EINVAL, "error row %zu status", i + 1);
		T_EQ_STR(t, err.code, r->code, "error row %zu reason", i + 1);
		T_EQ_STR(t, err.field, r->field, "error row %zu field", i + 1);
		json_decref(obj);
		free(text);
	}
}

/* The text form: malformed JSON, duplicate members, the size ceiling. */
static void test_text_errors(struct test *t)
{
	static const struct {
		const char *text;
		size_t fill;
		const char *code;
	} rows[] = {
		{"{", 0, "bad_code"},
		{"", 0, "bad_code"},
		{"{\"type\":\"leave_started\",\"type\":\"leave_ended\"}", 0, "bad_code"},
		{"{\"type\":\"leave_started\",\"occurred_at\":\"2024-05-01T10:00Z\"}", 0, "required"}, /* no author */
		{"{\"type\":\"leave_started\",\"occurred_at\":\"2024-05-01T10:00Z\"," AUTH_ ",\"note\":\"@\"}",
		 EVENT_JSON_TEXT_MAX, "too_long"},
		{"{\"type\":\"leave_started\",\"occurred_at\":\"2024-05-01T10:00Z\"," AUTH_ "}", 0, "ok"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *text = expand(rows[i].text, rows[i].fill);
		event ev;
		event_error err;
		hg_status rc = event_from_text(text, &ev, &err);
		T_EQ_INT(t, rc, strcmp(rows[i].code, "ok") == 0 ? HG_OK : HG_EINVAL, "text row %zu status", i + 1);
		T_EQ_STR(t, err.code, rows[i].code, "text row %zu reason", i + 1);
		free(text);
	}
}

/* ---- episode states ---- */

static void example_state(episode_state *st, bool protected_identity)
{
	episode_init(st);
	st->id = 42;
	st->status = EPISODE_READY;
	st->last_seq = 9;
	snprintf(st->patient.personnummer, sizeof st->patient.personnummer, "%s", PNR);
	snprintf(st->patient.name, sizeof st->patient.name, "%s", NAME);
	snprintf(st->patient.registered_municipality, sizeof st->patient.registered_municipality, "2080");
	snprintf(st->patient.primary_care_unit, sizeof st->patient.primary_care_unit, VC);
	snprintf(st->patient.address, sizeof st->patient.address, "%s", ADDRESS);
	st->patient.protected_identity = protected_identity;
	snprintf(st->hospital, sizeof st->hospital, "SE2321000032-FALU");
	snprintf(st->admitting_ward, sizeof st->admitting_ward, WARD);
	snprintf(st->ward, sizeof st->ward, WARD);
	st->care = CARE_GERIATRIC;
	st->admitted_at = AT(1, 6, 30);
	st->notice_at = AT(1, 10, 0);
	st->notice_seq = 2;
	st->notices_sent = 1;
	st->recipient_count = 2;
	st->recipients[0] = (episode_recipient){P_VC, AT(1, 10, 0), 2, AT(1, 11, 0), HG_INSTANT_NONE, 0, HG_INSTANT_NONE};
	st->recipients[1] = (episode_recipient){P_SOC, AT(1, 10, 0), 2, HG_INSTANT_NONE, AT(7, 9, 0), 8, HG_INSTANT_NONE};
	st->expected_date = DAY(12);
	st->first_expected_date = DAY(10);
	st->date_changes = 1;
	st->date_history_count = 2;
	st->date_history[0] = (episode_date_change){DAY(10), AT(1, 10, 0), 2};
	st->date_history[1] = (episode_date_change){DAY(12), AT(2, 10, 0), 4};
	st->ready_at = AT(7, 9, 0);
	st->ready_period_count = 1;
	st->ready_periods[0] = (episode_ready_period){AT(7, 9, 0), HG_INSTANT_NONE, 8, 0, 2u};
	st->track_is_set = true;
	st->track = TRACK_RED;
	st->track_set_at = AT(3, 8, 0);
	st->consent_count = 1;
	st->consents[0] = (episode_consent){"2080", CONSENT_GIVEN, "care_planning", CONSENT_HOW_VERBAL, AT(2, 14, 0), 5};
	snprintf(st->care_contact_name, sizeof st->care_contact_name, "Sara Svensson");
	snprintf(st->care_contact_phone, sizeof st->care_contact_phone, "023-49 00 00");
	snprintf(st->care_contact_unit, sizeof st->care_contact_unit, VC);
	st->care_contact_at = st->care_contact_first_at = AT(3, 9, 0);
	st->sip_called_at = AT(3, 10, 0);
	st->sip_meeting_at = AT(6, 12, 30);
	st->sip_place = SIP_HOSPITAL;
	st->deviations = 1;
}

static void test_episode(struct test *t)
{
	static const struct {
		bool protected_identity, show_address, anonymous;
		const char *path, *want;
	} rows[] = {
		/* 1-3: the address: shown, hidden when asked; protected identity obeys the caller (access.h decides) */
		{false, true, false, "patient.address", ADDRESS},
		{false, true, false, "patient.address_hidden", "false"},
		{false, false, false, "patient.address", "null"},
		{false, false, false, "patient.address_hidden", "true"},
		{true, true, false, "patient.address", ADDRESS},
		{true, false, false, "patient.address", "null"},
		{true, false, false, "patient.address_hidden", "true"},
		/* 7-: the identified form */
		{false, true, false, "id", "42"},
		{false, true, false, "status", "ready"},
		{false, true, false, "status_sv", "utskrivningsklar"},
		{false, true, false, "patient.personnummer", PNR},
		{false, true, false, "patient.name", NAME},
		{false, true, false, "patient.birth_date", "1981-12-18"},
		{false, true, false, "patient.age", "42"},
		{false, true, false, "patient.age_at_admission", "42"},
		{false, true, false, "patient.identity_kind", "personnummer"},
		{false, true, false, "care_type", "geriatric"},
		{false, true, false, "care_type_sv", "geriatrisk vård"},
		{false, true, false, "admitted_at", "2024-05-01T06:30:00Z"},
		{false, true, false, "notice.at", "2024-05-01T10:00:00Z"},
		{false, true, false, "expected_discharge_date", "2024-05-12"},
		{false, true, false, "first_expected_discharge_date", "2024-05-10"},
		{false, true, false, "date_changes", "1"},
		{false, true, false, "date_history", "[{\"changed_at\":\"2024-05-01T10:00:00Z\",\"date\":\"2024-05-10\",\"seq\":2},"
						   "{\"changed_at\":\"2024-05-02T10:00:00Z\",\"date\":\"2024-05-12\",\"seq\":4}]"},
		{false, true, false, "ready_at", "2024-05-07T09:00:00Z"},
		{false, true, false, "ready_days", "3"},
		{false, true, false, "ready_periods", "[{\"end\":null,\"end_seq\":0,\"notified\":[\"K2080-BIST\"],\"start\":\"2024-05-07T09:00:00Z\",\"start_seq\":8}]"},
		{false, true, false, "track.colour", "red"},
		{false, true, false, "track.colour_sv", "röd process"},
		{false, true, false, "consents", "[{\"at\":\"2024-05-02T14:00:00Z\",\"how\":\"verbal\",\"how_sv\":\"muntligt\",\"org\":\"2080\","
						 "\"scope\":\"care_planning\",\"seq\":5,\"state\":\"given\",\"state_sv\":\"samtycke lämnat\"}]"},
		{false, true, false, "care_contact.name", "Sara Svensson"},
		{false, true, false, "care_contact.appointed_at", "2024-05-03T09:00:00Z"},
		{false, true, false, "sip.place", "hospital"},
		{false, true, false, "sip.held_at", "null"},
		{false, true, false, "sip.held_place", "null"},
		{false, true, false, "discharged_at", "null"},
		{false, true, false, "destination", "null"},
		{false, true, false, "deviations", "1"},
		{false, true, false, "leave_started_at", "null"},
		/* the anonymous form: no identity, the rest as before */
		{false, true, true, "patient.personnummer", "(absent)"},
		{false, true, true, "patient.name", "(absent)"},
		{false, true, true, "patient.address", "(absent)"},
		{false, true, true, "patient.birth_date", "(absent)"},
		{false, true, true, "patient.age_at_admission", "42"},
		{false, true, true, "patient.registered_municipality", "2080"},
		{false, true, true, "care_contact.name", "(absent)"},
		{false, true, true, "care_contact.unit", VC},
		{false, true, true, "status", "ready"},
		{false, true, true, "expected_discharge_date", "2024-05-12"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		episode_state st;
		example_state(&st, rows[i].protected_identity);
		json_t *o = rows[i].anonymous ? episode_state_to_json_anonymous(&st)
					      : episode_state_to_json(&st, rows[i].show_address, DAY(10));
		T_TRUE(t, o != NULL, "episode row %zu rendered", i + 1);
		char *got = o ? member_text(o, rows[i].path) : NULL;
		T_EQ_STR(t, got, rows[i].want, "episode row %zu %s", i + 1, rows[i].path);
		free(got);
		json_decref(o);
	}

	/* Nothing identifying anywhere in the anonymous text. */
	static const char *const secrets[] = {PNR, "19811218", "811218", "9876", "Tolvan", "Storgatan", "Sara", "023-49"};
	episode_state st;
	example_state(&st, false);
	json_t *anon = episode_state_to_json_anonymous(&st), *full = episode_state_to_json(&st, true, DAY(10));
	char *anon_text = json_dumps(anon, JSON_COMPACT), *full_text = json_dumps(full, JSON_COMPACT);
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		T_TRUE(t, anon_text && !strstr(anon_text, secrets[i]), "anonymous text has no \"%s\"", secrets[i]);
		T_TRUE(t, full_text && strstr(full_text, secrets[i]), "identified text has \"%s\" (so the probe above is meaningful)", secrets[i]);
	}
	free(anon_text);
	free(full_text);
	json_decref(anon);
	json_decref(full);

	/* The empty state renders too: everything null or zero, no crash on an empty personnummer. */
	episode_init(&st);
	json_t *empty = episode_state_to_json(&st, true, DAY(10));
	char *age = empty ? member_text(empty, "patient.age") : NULL;
	T_EQ_STR(t, age, "null", "empty state: age");
	free(age);
	char *care = empty ? member_text(empty, "care_type") : NULL;
	T_EQ_STR(t, care, "null", "empty state: care_type");
	free(care);
	json_decref(empty);
}

int main(void)
{
	struct test t = {.name = "test_event_json"};
	test_round_trip(&t);
	test_canonical_text(&t);
	test_text_as_jansson(&t);
	test_input_forms(&t);
	test_errors(&t);
	test_text_errors(&t);
	test_episode(&t);
	return test_report(&t);
}
