/*
 * test_hl7.c - the HL7 v2 parser (hl7.h) and the MLLP deframer: delimiters
 * from MSH-2, segments, fields, repetitions, components, subcomponents,
 * escapes, timestamps and ceilings, one table per concern.
 */
#include <limits.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "hl7/hl7.h"
#include "hl7/mllp.h"
#include "test.h"

#define ADT "MSH|^~\\&|PAS|FALU|HEMGANG|RD|20240503101500+0200||ADT^A01^ADT_A01|MSG0001|P|2.5\r"

static void test_parse(struct test *t)
{
	static const struct {
		const char *in;
		hg_status rc;
		hl7_parse_reason why;
		int segments;
	} rows[] = {
		/* 1 */ {ADT "PID|||19121212-1212\r", HG_OK, HL7_PARSE_OK, 2},
		/* 2 */ {ADT "PID|1\nPV1|1|I\r\n", HG_OK, HL7_PARSE_OK, 3},
		/* 3 */ {"\r\n" ADT "\r\r", HG_OK, HL7_PARSE_OK, 1},
		/* 4 */ {"", HG_EINVAL, HL7_PARSE_EMPTY, 0},
		/* 5 */ {"\r\r\n", HG_EINVAL, HL7_PARSE_EMPTY, 0},
		/* 6 */ {"PID|1\r" ADT, HG_EINVAL, HL7_PARSE_NO_MSH, 0},
		/* 7 */ {"MSH|^\r", HG_EINVAL, HL7_PARSE_BAD_DELIMITERS, 0},
		/* 8 */ {"MSH|^^\\&|A\r", HG_EINVAL, HL7_PARSE_BAD_DELIMITERS, 0},
		/* 9 */ {"MSHA^~\\&A\r", HG_EINVAL, HL7_PARSE_BAD_DELIMITERS, 0},
		/* 10 */ {"MSH|^~\\&|A\rpid|1\r", HG_EINVAL, HL7_PARSE_BAD_SEGMENT_ID, 0},
		/* 11 */ {"MSH|^~\\&|A\rPID^1\r", HG_EINVAL, HL7_PARSE_BAD_SEGMENT_ID, 0},
		/* 12 */ {"MSH|^~\\&|A\rPI\r", HG_EINVAL, HL7_PARSE_BAD_SEGMENT_ID, 0},
		/* 13 */ {"MSH|^~\\&|A\rZXY\r", HG_OK, HL7_PARSE_OK, 2},
		/* 14 */ {"MSH#*!@$#A#B\rPID#1\r", HG_OK, HL7_PARSE_OK, 2},
		/* 15 */ {"MSH|^~|A\r", HG_OK, HL7_PARSE_OK, 1},
		/* 16 */ {"MSH|^~\\&#|A\r", HG_OK, HL7_PARSE_OK, 1},
		/* 17 */ {"MSH|^~\\&#$|A\r", HG_EINVAL, HL7_PARSE_BAD_DELIMITERS, 0},
		/* 18 */ {"MSH|^~ &|A\r", HG_EINVAL, HL7_PARSE_BAD_DELIMITERS, 0},
		/* 19 */ {"MSH|^~\\|\r", HG_OK, HL7_PARSE_OK, 1},
		/* 20 */ {"MSH||~\\&|A\r", HG_EINVAL, HL7_PARSE_BAD_DELIMITERS, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hl7_message *m = hg_malloc(sizeof *m);
		hl7_parse_reason why;
		hg_status rc = hl7_parse(rows[i].in, strlen(rows[i].in), m, &why);
		T_EQ_INT(t, rc, rows[i].rc, "parse %zu status", i + 1);
		T_EQ_STR(t, hl7_parse_reason_code(why), hl7_parse_reason_code(rows[i].why), "parse %zu reason", i + 1);
		T_EQ_INT(t, m->count, rows[i].segments, "parse %zu segments", i + 1);
		hg_free(m);
	}
	/* a NUL byte, and the size ceilings */
	hl7_message *m = hg_malloc(sizeof *m);
	hl7_parse_reason why;
	static const char nul[] = "MSH|^~\\&|A\0B\r";
	T_EQ_INT(t, hl7_parse(nul, sizeof nul - 1, m, &why), HG_EINVAL, "NUL byte");
	T_EQ_INT(t, why, HL7_PARSE_NUL, "NUL byte reason");
	size_t big = HL7_MESSAGE_MAX + 1;
	char *text = hg_malloc(big + 1);
	memset(text, 'A', big);
	memcpy(text, "MSH|^~\\&|", 9);
	T_EQ_INT(t, hl7_parse(text, big, m, &why), HG_ERANGE, "over HL7_MESSAGE_MAX");
	T_EQ_INT(t, why, HL7_PARSE_TOO_LONG, "too long reason");
	T_EQ_INT(t, hl7_parse(text, HL7_MESSAGE_MAX, m, &why), HG_OK, "exactly HL7_MESSAGE_MAX in one segment");
	/* segments: HL7_SEGMENTS_MAX is fine, one more is not */
	size_t n = 0;
	n += (size_t)snprintf(text, big, "MSH|^~\\&|A\r");
	for (int s = 1; s < HL7_SEGMENTS_MAX; s++)
		n += (size_t)snprintf(text + n, big - n, "NTE|%d|x\r", s);
	T_EQ_INT(t, hl7_parse(text, n, m, &why), HG_OK, "HL7_SEGMENTS_MAX segments");
	T_EQ_INT(t, m->count, HL7_SEGMENTS_MAX, "segment count at the ceiling");
	n += (size_t)snprintf(text + n, big - n, "NTE|x\r");
	T_EQ_INT(t, hl7_parse(text, n, m, &why), HG_ERANGE, "one segment too many");
	T_EQ_INT(t, why, HL7_PARSE_TOO_MANY_SEGMENTS, "too many segments reason");
	hg_free(text);
	hg_free(m);
}

static const char *const msg_std =
	"MSH|^~\\&|PAS|FALU^1.2.752.29.4.19^ISO|HEMGANG|RD|20240503101500+0200||ADT^A01^ADT_A01|MSG0001|P|2.5|||AL|NE||8859/1\r"
	"EVN|A01|20240503101200|||||20240503100000\r"
	"PID|1||19121212-1212^^^&1.2.752.129.2.1.3.1&ISO^NNSWE~X99^^^LOCAL||Tolvansson^Tolvan^Olof~Tolvan^T^^^^^A||"
	"19121212|M|||Storgatan 1&Storgatan&1^Lgh 1101^Falun^^791 31^SE^H^^2080~Box 7^^Borl\\XE4\\nge^^781 00^SE^M|"
	"||||||||||||||||||N\r"
	"PV1|1|I|E1012^12^3^FALU&1.2.752.29.4.19&ISO||||||||||||||||V12345^^^FALU|||||||||||||||||01||||||||20240503095500|\r"
	"PV2|||||||||20240510\r"
	"NTE|1||Escapes: \\F\\ \\S\\ \\T\\ \\R\\ \\E\\.\\.br\\next \\H\\bold\\N\\ \\Zcustom\\ \\X41\\ \\C2842\\x\\\r"
	"NTE|2||unterminated \\F and empty \\\\ and \"\"\r"
	"NTE|3||\"\"\r";

static void test_get(struct test *t)
{
	static const struct {
		const char *seg;
		int occurrence, field, rep, comp, sub;
		hg_status rc;
		const char *want;
	} rows[] = {
		/* 1 */ {"MSH", 0, 1, 0, 0, 0, HG_OK, "|"},
		/* 2 */ {"MSH", 0, 2, 0, 0, 0, HG_OK, "^~\\&"},
		/* 3 */ {"MSH", 0, 3, 1, 1, 0, HG_OK, "PAS"},
		/* 4 */ {"MSH", 0, 4, 1, 2, 0, HG_OK, "1.2.752.29.4.19"},
		/* 5 */ {"MSH", 0, 9, 1, 2, 0, HG_OK, "A01"},
		/* 6 */ {"MSH", 0, 9, 0, 0, 0, HG_OK, "ADT^A01^ADT_A01"},
		/* 7 */ {"MSH", 0, 10, 1, 0, 0, HG_OK, "MSG0001"},
		/* 8 */ {"MSH", 0, 18, 1, 1, 0, HG_OK, "8859/1"},
		/* 9 */ {"MSH", 0, 19, 1, 1, 0, HG_OK, ""},
		/* 10 */ {"PID", 0, 3, 1, 1, 0, HG_OK, "19121212-1212"},
		/* 11 */ {"PID", 0, 3, 1, 4, 2, HG_OK, "1.2.752.129.2.1.3.1"},
		/* 12 */ {"PID", 0, 3, 1, 4, 1, HG_OK, ""},
		/* 13 */ {"PID", 0, 3, 2, 1, 0, HG_OK, "X99"},
		/* 14 */ {"PID", 0, 3, 3, 1, 0, HG_OK, ""},
		/* 15 */ {"PID", 0, 5, 2, 7, 0, HG_OK, "A"},
		/* 16 */ {"PID", 0, 11, 1, 1, 1, HG_OK, "Storgatan 1"},
		/* 17 */ {"PID", 0, 11, 1, 1, 3, HG_OK, "1"},
		/* 18 */ {"PID", 0, 11, 1, 1, 4, HG_OK, ""},
		/* 19 */ {"PID", 0, 11, 1, 9, 0, HG_OK, "2080"},
		/* 20 */ {"PID", 0, 11, 2, 3, 0, HG_OK, "Borl\xe4nge"},
		/* 21 */ {"PID", 0, 30, 1, 0, 0, HG_OK, "N"},
		/* 22 */ {"PV1", 0, 3, 1, 4, 1, HG_OK, "FALU"},
		/* 23 */ {"PV1", 0, 19, 1, 1, 0, HG_OK, "V12345"},
		/* 24 */ {"PV1", 0, 36, 1, 1, 0, HG_OK, "01"},
		/* 25 */ {"PV1", 0, 44, 1, 1, 0, HG_OK, "20240503095500"},
		/* 26 */ {"PV1", 0, 45, 1, 1, 0, HG_OK, ""},
		/* 27 */ {"PV1", 0, 99, 1, 1, 0, HG_OK, ""},
		/* 28 */ {"PV2", 0, 9, 1, 1, 0, HG_OK, "20240510"},
		/* 29 */ {"NTE", 0, 3, 1, 1, 0, HG_OK, "Escapes: | ^ & ~ \\.\nnext bold \\Zcustom\\ A x\\"},
		/* 30 */ {"NTE", 1, 3, 1, 1, 0, HG_OK, "unterminated \\F and empty \\\\ and \"\""},
		/* 31 */ {"NTE", 2, 3, 1, 1, 0, HG_OK, ""},
		/* 32 */ {"ZZZ", 0, 1, 1, 1, 0, HG_OK, ""},
		/* 33 */ {"MSH", 0, 0, 1, 1, 0, HG_OK, ""},
	};
	hl7_message *m = hg_malloc(sizeof *m);
	hl7_parse_reason why;
	T_EQ_INT(t, hl7_parse(msg_std, strlen(msg_std), m, &why), HG_OK, "parse the standard message");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char buf[256];
		int seg = hl7_find(m, rows[i].seg, rows[i].occurrence);
		hg_status rc = hl7_get(m, seg, rows[i].field, rows[i].rep, rows[i].comp, rows[i].sub, buf, sizeof buf);
		T_EQ_INT(t, rc, rows[i].rc, "get %zu status", i + 1);
		T_EQ_STR(t, buf, rows[i].want, "get %zu value", i + 1);
	}
	T_EQ_INT(t, hl7_repetitions(m, hl7_find(m, "PID", 0), 3), 2, "PID-3 repetitions");
	T_EQ_INT(t, hl7_repetitions(m, hl7_find(m, "PID", 0), 4), 0, "PID-4 empty");
	T_EQ_INT(t, hl7_repetitions(m, 0, 2), 1, "MSH-2 is one value");
	T_EQ_INT(t, hl7_field_count(m, 0), 18, "MSH fields");
	T_EQ_INT(t, hl7_find(m, "NTE", 3), -1, "no fourth NTE");
	/* a value that does not fit, and escapes that would put control characters in */
	char small[4];
	T_EQ_INT(t, hl7_get(m, 0, 10, 1, 0, 0, small, sizeof small), HG_ERANGE, "MSG0001 into 4 bytes");
	T_EQ_STR(t, small, "", "a value that does not fit leaves \"\"");
	static const char *const ctl = "MSH|^~\\&|A|\\X00\\|B\\X07\\|C\x01|D\\X0D0A\\\r";
	T_EQ_INT(t, hl7_parse(ctl, strlen(ctl), m, &why), HG_OK, "parse control escapes");
	char buf[32];
	T_EQ_INT(t, hl7_get(m, 0, 4, 1, 0, 0, buf, sizeof buf), HG_EINVAL, "\\X00\\ is refused");
	T_EQ_INT(t, hl7_get(m, 0, 5, 1, 0, 0, buf, sizeof buf), HG_EINVAL, "\\X07\\ is refused");
	T_EQ_INT(t, hl7_get(m, 0, 6, 1, 0, 0, buf, sizeof buf), HG_EINVAL, "a raw control byte is refused");
	T_EQ_INT(t, hl7_get(m, 0, 7, 1, 0, 0, buf, sizeof buf), HG_OK, "\\X0D0A\\ is a line break");
	T_EQ_STR(t, buf, "D\r\n", "CR LF decoded");
	hg_free(m);
}

/* Other delimiters: MSH-2 declares them, and every level follows. */
static void test_other_delimiters(struct test *t)
{
	static const char *const msg = "MSH#*!@$#APP#FAC*1.2.3#RA#RF#2024#"
				       "#ADT*A02#C1#P#2.4\rPID###1234*1*M11*A$1.2.752$ISO!X#\rNTE###a@F@b@S@c@R@d@T@e@E@f";
	static const struct {
		const char *seg;
		int field, rep, comp, sub;
		const char *want;
	} rows[] = {
		{"MSH", 1, 0, 0, 0, "#"},   {"MSH", 2, 0, 0, 0, "*!@$"}, {"MSH", 4, 1, 2, 0, "1.2.3"},
		{"MSH", 9, 1, 2, 0, "A02"}, {"PID", 3, 1, 4, 2, "1.2.752"}, {"PID", 3, 2, 1, 0, "X"},
		{"NTE", 3, 1, 1, 0, "a#b*c!d$e@f"},
	};
	hl7_message *m = hg_malloc(sizeof *m);
	hl7_parse_reason why;
	T_EQ_INT(t, hl7_parse(msg, strlen(msg), m, &why), HG_OK, "parse # * ! @ $");
	T_EQ_INT(t, m->d.field, '#', "field separator");
	T_EQ_INT(t, m->d.escape, '@', "escape character");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char buf[64];
		int seg = hl7_find(m, rows[i].seg, 0);
		T_EQ_INT(t, hl7_get(m, seg, rows[i].field, rows[i].rep, rows[i].comp, rows[i].sub, buf, sizeof buf), HG_OK,
			 "other delimiters %zu", i + 1);
		T_EQ_STR(t, buf, rows[i].want, "other delimiters %zu value", i + 1);
	}
	/* two encoding characters: no escapes, no subcomponents */
	static const char *const two = "MSH|^~|A\\F\\B|x&y\r";
	T_EQ_INT(t, hl7_parse(two, strlen(two), m, &why), HG_OK, "parse ^~ only");
	char buf[32];
	T_EQ_INT(t, hl7_get(m, 0, 3, 1, 0, 0, buf, sizeof buf), HG_OK, "no escape character");
	T_EQ_STR(t, buf, "A\\F\\B", "backslashes are text");
	T_EQ_INT(t, hl7_get(m, 0, 4, 1, 1, 1, buf, sizeof buf), HG_OK, "no subcomponent separator");
	T_EQ_STR(t, buf, "x&y", "ampersand is text");
	/* a later segment named MSH that is only its name (found by fuzzing) */
	static const char *const bare = "MSH|^~\\&|A\rMSH\r";
	T_EQ_INT(t, hl7_parse(bare, strlen(bare), m, &why), HG_OK, "parse a bare second MSH");
	T_EQ_INT(t, hl7_get(m, 1, 1, 0, 0, 0, buf, sizeof buf), HG_OK, "MSH-1 of a bare MSH");
	T_EQ_STR(t, buf, "", "a bare MSH has no field separator");
	T_EQ_INT(t, hl7_get(m, 1, 2, 0, 0, 0, buf, sizeof buf), HG_OK, "MSH-2 of a bare MSH");
	T_EQ_STR(t, buf, "", "nor encoding characters");
	hg_free(m);
}

static void test_escape(struct test *t)
{
	static const struct {
		const char *in, *escaped;
	} rows[] = {
		{"plain", "plain"},
		{"a|b^c~d\\e&f", "a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f"},
		{"line\r\nbreak", "line\\X0D\\\\X0A\\break"},
		{"", ""},
		{"Åsa Öberg", "Åsa Öberg"},
	};
	hl7_delims d = hl7_delims_standard();
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char out[128], back[128];
		T_EQ_INT(t, hl7_escape(rows[i].in, &d, out, sizeof out), HG_OK, "escape %zu", i + 1);
		T_EQ_STR(t, out, rows[i].escaped, "escape %zu text", i + 1);
		hl7_slice s = {out, strlen(out)};
		T_EQ_INT(t, hl7_unescape(s, &d, back, sizeof back), HG_OK, "unescape %zu", i + 1);
		T_EQ_STR(t, back, rows[i].in, "round trip %zu", i + 1);
	}
	char tiny[5];
	T_EQ_INT(t, hl7_escape("a|b", &d, tiny, sizeof tiny), HG_ERANGE, "escape beyond the buffer");
	T_EQ_STR(t, tiny, "", "escape failure leaves \"\"");
}

static void test_ts(struct test *t)
{
	static const struct {
		const char *in;
		hg_status rc;
		int y, mo, d, h, mi, s, precision, offset;
	} rows[] = {
		{"2024", HG_OK, 2024, 1, 1, 0, 0, 0, 4, INT32_MIN},
		{"202405", HG_OK, 2024, 5, 1, 0, 0, 0, 6, INT32_MIN},
		{"20240503", HG_OK, 2024, 5, 3, 0, 0, 0, 8, INT32_MIN},
		{"2024050310", HG_OK, 2024, 5, 3, 10, 0, 0, 10, INT32_MIN},
		{"202405031015", HG_OK, 2024, 5, 3, 10, 15, 0, 12, INT32_MIN},
		{"20240503101530", HG_OK, 2024, 5, 3, 10, 15, 30, 14, INT32_MIN},
		{"20240503101530.1234", HG_OK, 2024, 5, 3, 10, 15, 30, 14, INT32_MIN},
		{"20240503101530+0200", HG_OK, 2024, 5, 3, 10, 15, 30, 14, 120},
		{"202405031015-0530", HG_OK, 2024, 5, 3, 10, 15, 0, 12, -330},
		{"20240230", HG_EINVAL, 0, 0, 0, 0, 0, 0, 0, 0},
		{"20240503241500", HG_EINVAL, 0, 0, 0, 0, 0, 0, 0, 0},
		{"2024050310153", HG_EINVAL, 0, 0, 0, 0, 0, 0, 0, 0},
		{"20240503.5", HG_EINVAL, 0, 0, 0, 0, 0, 0, 0, 0},
		{"20240503101530.12345", HG_EINVAL, 0, 0, 0, 0, 0, 0, 0, 0},
		{"20240503101530+02", HG_EINVAL, 0, 0, 0, 0, 0, 0, 0, 0},
		{"20240503101530+1600", HG_EINVAL, 0, 0, 0, 0, 0, 0, 0, 0},
		{"2024-05-03", HG_EINVAL, 0, 0, 0, 0, 0, 0, 0, 0},
		{"", HG_EINVAL, 0, 0, 0, 0, 0, 0, 0, 0},
		{"17991231", HG_EINVAL, 0, 0, 0, 0, 0, 0, 0, 0},
		{"20240503101530+0200 ", HG_EINVAL, 0, 0, 0, 0, 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hl7_ts ts;
		hg_status rc = hl7_parse_ts(rows[i].in, &ts);
		T_EQ_INT(t, rc, rows[i].rc, "ts %zu '%s'", i + 1, rows[i].in);
		if (rc != HG_OK || rows[i].rc != HG_OK)
			continue;
		T_TRUE(t, ts.year == rows[i].y && ts.month == rows[i].mo && ts.day == rows[i].d && ts.hour == rows[i].h &&
				  ts.minute == rows[i].mi && ts.second == rows[i].s,
		       "ts %zu parts", i + 1);
		T_EQ_INT(t, ts.precision, rows[i].precision, "ts %zu precision", i + 1);
		T_EQ_INT(t, ts.offset_minutes, rows[i].offset, "ts %zu offset", i + 1);
	}
}

static void test_deframe(struct test *t)
{
	static const struct {
		const char *in;
		size_t len, max;
		mllp_frame_state state;
		size_t off, mlen, consumed;
	} rows[] = {
		{"\x0b" "MSH|x\x1c\r", 8, 100, MLLP_FRAME, 1, 5, 8},
		{"noise\x0b" "AB\x1c\r" "\x0b" "C", 12, 100, MLLP_FRAME, 6, 2, 10},
		{"\x0b" "AB\x1c", 4, 100, MLLP_NEED_MORE, 0, 0, 0},
		{"\x0b" "AB", 3, 100, MLLP_NEED_MORE, 0, 0, 0},
		{"garbage", 7, 100, MLLP_NEED_MORE, 0, 0, 7},
		{"xx\x0b" "AB", 5, 100, MLLP_NEED_MORE, 0, 0, 2},
		{"\x0b" "ABCDEF", 7, 4, MLLP_TOO_BIG, 0, 0, 0},
		{"\x0b" "ABCD\x1c\r", 7, 4, MLLP_FRAME, 1, 4, 7},
		{"\x0b" "ABCDE\x1c\r", 8, 4, MLLP_TOO_BIG, 0, 0, 8},
		{"\x0b\x1c\r", 3, 4, MLLP_FRAME, 1, 0, 3},
		{"\x0b" "A\x1c" "B\x1c\r", 6, 100, MLLP_FRAME, 1, 3, 6},
		{"", 0, 100, MLLP_NEED_MORE, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t off, mlen, consumed;
		mllp_frame_state s = mllp_deframe(rows[i].in, rows[i].len, rows[i].max, &off, &mlen, &consumed);
		T_EQ_INT(t, s, rows[i].state, "deframe %zu state", i + 1);
		T_EQ_INT(t, consumed, rows[i].consumed, "deframe %zu consumed", i + 1);
		if (s == MLLP_FRAME) {
			T_EQ_INT(t, off, rows[i].off, "deframe %zu offset", i + 1);
			T_EQ_INT(t, mlen, rows[i].mlen, "deframe %zu length", i + 1);
		}
	}
}

int main(void)
{
	struct test t = {.name = "test_hl7"};
	test_parse(&t);
	test_get(&t);
	test_other_delimiters(&t);
	test_escape(&t);
	test_ts(&t);
	test_deframe(&t);
	return test_report(&t);
}
