/*
 * hl7.c - the HL7 v2 parser and escaping of hl7.h.
 *
 * hl7_parse() only finds the delimiters and the segment boundaries; values are
 * cut out lazily by hl7_get(), which keeps the parser a single linear pass with
 * no allocation, so a hostile message costs at most one scan per lookup.
 */
#include "hl7/hl7.h"

#include <limits.h>
#include <string.h>

#include "core/date.h"

static const char *const parse_reasons[HL7_PARSE_REASON_COUNT] = {
	[HL7_PARSE_OK] = "ok",
	[HL7_PARSE_EMPTY] = "empty",
	[HL7_PARSE_TOO_LONG] = "too_long",
	[HL7_PARSE_NO_MSH] = "no_msh",
	[HL7_PARSE_BAD_DELIMITERS] = "bad_delimiters",
	[HL7_PARSE_TOO_MANY_SEGMENTS] = "too_many_segments",
	[HL7_PARSE_BAD_SEGMENT_ID] = "bad_segment_id",
	[HL7_PARSE_NUL] = "nul_byte",
};

const char *hl7_parse_reason_code(hl7_parse_reason r)
{
	return (unsigned)r < HL7_PARSE_REASON_COUNT ? parse_reasons[r] : "unknown";
}

hl7_delims hl7_delims_standard(void)
{
	hl7_delims d = {'|', '^', '~', '\\', '&'};
	return d;
}

static bool is_id_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

static bool is_alnum(char c) { return is_id_char(c) || (c >= 'a' && c <= 'z'); }

/* A delimiter must be printable, not alphanumeric, not a space. */
static bool delimiter_ok(char c) { return c > 0x20 && c < 0x7f && !is_alnum(c); }

static hg_status fail(hl7_message *out, hl7_parse_reason *why, hl7_parse_reason r)
{
	out->count = 0;
	if (why)
		*why = r;
	return r == HL7_PARSE_TOO_LONG || r == HL7_PARSE_TOO_MANY_SEGMENTS ? HG_ERANGE : HG_EINVAL;
}

/* Reads MSH-1 and MSH-2 from the first segment (text[0..len) without its terminator). */
static bool read_delims(const char *s, size_t len, hl7_delims *d)
{
	char enc[5] = {0};
	size_t n = 0;
	if (len < 6 || memcmp(s, "MSH", 3) != 0)
		return false;
	d->field = s[3];
	if (!delimiter_ok(d->field))
		return false;
	for (size_t i = 4; i < len && s[i] != d->field; i++) {
		if (n == sizeof enc)
			return false;
		enc[n++] = s[i];
	}
	if (n < 2)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!delimiter_ok(enc[i]) || enc[i] == d->field)
			return false;
		for (size_t j = 0; j < i; j++)
			if (enc[i] == enc[j])
				return false;
	}
	d->component = enc[0];
	d->repetition = enc[1];
	d->escape = n > 2 ? enc[2] : '\0';
	d->subcomponent = n > 3 ? enc[3] : '\0';
	return true;
}

hg_status hl7_parse(const char *text, size_t len, hl7_message *out, hl7_parse_reason *why)
{
	size_t i = 0;
	out->text = text;
	out->len = len;
	out->count = 0;
	memset(&out->d, 0, sizeof out->d);
	if (why)
		*why = HL7_PARSE_OK;
	if (len > HL7_MESSAGE_MAX)
		return fail(out, why, HL7_PARSE_TOO_LONG);
	if (!text)
		return fail(out, why, HL7_PARSE_EMPTY);
	if (memchr(text, '\0', len))
		return fail(out, why, HL7_PARSE_NUL);
	while (i < len) {
		size_t start = i;
		while (i < len && text[i] != '\r' && text[i] != '\n')
			i++;
		size_t n = i - start;
		while (i < len && (text[i] == '\r' || text[i] == '\n'))
			i++;
		if (n == 0)
			continue;
		const char *s = text + start;
		if (out->count == 0) {
			if (n < 3 || memcmp(s, "MSH", 3) != 0)
				return fail(out, why, HL7_PARSE_NO_MSH);
			if (!read_delims(s, n, &out->d))
				return fail(out, why, HL7_PARSE_BAD_DELIMITERS);
		} else if (n < 3 || !is_id_char(s[0]) || !is_id_char(s[1]) || !is_id_char(s[2]) ||
			   (n > 3 && s[3] != out->d.field)) {
			return fail(out, why, HL7_PARSE_BAD_SEGMENT_ID);
		}
		if (out->count == HL7_SEGMENTS_MAX)
			return fail(out, why, HL7_PARSE_TOO_MANY_SEGMENTS);
		hl7_segment *g = &out->seg[out->count++];
		memcpy(g->id, s, 3);
		g->id[3] = '\0';
		g->start = (uint32_t)start;
		g->len = (uint32_t)n;
	}
	if (out->count == 0)
		return fail(out, why, HL7_PARSE_EMPTY);
	return HG_OK;
}

int hl7_find(const hl7_message *m, const char *id, int n)
{
	for (int i = 0; i < m->count; i++)
		if (strcmp(m->seg[i].id, id) == 0 && n-- == 0)
			return i;
	return -1;
}

/* The k-th (0-based) piece of s separated by sep; n == 0 and p NULL when there is none. */
static hl7_slice piece(hl7_slice s, char sep, int k)
{
	hl7_slice r = {NULL, 0};
	size_t i = 0;
	if (!s.p)
		return r;
	for (int at = 0; at < k; at++) {
		const char *q = memchr(s.p + i, sep, s.n - i);
		if (!q)
			return r;
		i = (size_t)(q - s.p) + 1;
	}
	const char *end = memchr(s.p + i, sep, s.n - i);
	r.p = s.p + i;
	r.n = end ? (size_t)(end - r.p) : s.n - i;
	return r;
}

static bool is_msh(const hl7_message *m, int seg) { return strcmp(m->seg[seg].id, "MSH") == 0; }

hl7_slice hl7_field_raw(const hl7_message *m, int seg, int field)
{
	hl7_slice none = {NULL, 0};
	if (seg < 0 || seg >= m->count || field < 1)
		return none;
	hl7_slice whole = {m->text + m->seg[seg].start, m->seg[seg].len};
	if (is_msh(m, seg)) {
		if (field == 1) { /* a later "MSH" segment may be just the name */
			hl7_slice sep = {whole.p + 3, whole.n > 3 ? 1 : 0};
			return whole.n > 3 ? sep : none;
		}
		return piece(whole, m->d.field, field - 1);
	}
	return piece(whole, m->d.field, field);
}

int hl7_field_count(const hl7_message *m, int seg)
{
	if (seg < 0 || seg >= m->count)
		return 0;
	int n = 0;
	const char *p = m->text + m->seg[seg].start;
	for (uint32_t i = 0; i < m->seg[seg].len; i++)
		n += p[i] == m->d.field;
	return is_msh(m, seg) ? n + 1 : n;
}

int hl7_repetitions(const hl7_message *m, int seg, int field)
{
	hl7_slice f = hl7_field_raw(m, seg, field);
	if (f.n == 0)
		return 0;
	if (is_msh(m, seg) && field <= 2)
		return 1;
	int n = 1;
	for (size_t i = 0; i < f.n; i++)
		n += f.p[i] == m->d.repetition;
	return n;
}

static bool allowed_byte(unsigned char c) { return c >= 0x20 ? c != 0x7f : (c == '\t' || c == '\n' || c == '\r'); }

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Appends one byte; false when it does not fit (one byte is kept for the NUL). */
static bool put(char *buf, size_t cap, size_t *n, char c)
{
	if (*n + 1 >= cap)
		return false;
	buf[(*n)++] = c;
	return true;
}

/* Decodes the escape sequence body (between the escape characters); false when it is not one we resolve. */
static int decode_escape(const char *b, size_t n, const hl7_delims *d, char *buf, size_t cap, size_t *len)
{
	if (n == 1) {
		char c;
		switch (b[0]) {
		case 'F': c = d->field; break;
		case 'S': c = d->component; break;
		case 'T': c = d->subcomponent; break;
		case 'R': c = d->repetition; break;
		case 'E': c = d->escape; break;
		case 'H':
		case 'N': return 1; /* highlighting on/off: no text */
		default: return 0;
		}
		if (!c)
			return 0;
		return put(buf, cap, len, c) ? 1 : -1;
	}
	if (n == 3 && memcmp(b, ".br", 3) == 0)
		return put(buf, cap, len, '\n') ? 1 : -1;
	if (n >= 3 && b[0] == 'X' && (n - 1) % 2 == 0) {
		for (size_t i = 1; i < n; i += 2)
			if (hex_value(b[i]) < 0 || hex_value(b[i + 1]) < 0)
				return 0;
		for (size_t i = 1; i < n; i += 2) {
			unsigned char c = (unsigned char)(hex_value(b[i]) * 16 + hex_value(b[i + 1]));
			if (!allowed_byte(c))
				return -2;
			if (!put(buf, cap, len, (char)c))
				return -1;
		}
		return 1;
	}
	if (n >= 1 && (b[0] == 'C' || b[0] == 'M'))
		return 1; /* character set switches: the text is read as sent */
	return 0;
}

hg_status hl7_unescape(hl7_slice raw, const hl7_delims *d, char *buf, size_t cap)
{
	size_t n = 0;
	hg_status rc = HG_OK;
	if (cap == 0)
		return HG_ERANGE;
	for (size_t i = 0; i < raw.n; i++) {
		char c = raw.p[i];
		if (d->escape && c == d->escape) {
			const char *end = memchr(raw.p + i + 1, d->escape, raw.n - i - 1);
			if (end) {
				size_t bn = (size_t)(end - (raw.p + i + 1));
				int r = bn ? decode_escape(raw.p + i + 1, bn, d, buf, cap, &n) : 0;
				if (r == -1) {
					rc = HG_ERANGE;
					goto out;
				}
				if (r == -2) {
					rc = HG_EINVAL;
					goto out;
				}
				if (r == 1) {
					i += bn + 1;
					continue;
				}
			}
		}
		if (!allowed_byte((unsigned char)c)) {
			rc = HG_EINVAL;
			goto out;
		}
		if (!put(buf, cap, &n, c)) {
			rc = HG_ERANGE;
			goto out;
		}
	}
out:
	if (rc != HG_OK)
		n = 0;
	buf[n] = '\0';
	return rc;
}

hg_status hl7_get(const hl7_message *m, int seg, int field, int rep, int comp, int sub, char *buf, size_t cap)
{
	if (cap == 0)
		return HG_ERANGE;
	buf[0] = '\0';
	hl7_slice s = hl7_field_raw(m, seg, field);
	if (s.n == 0)
		return HG_OK;
	if (is_msh(m, seg) && field <= 2) {
		if (s.n >= cap)
			return HG_ERANGE;
		memcpy(buf, s.p, s.n);
		buf[s.n] = '\0';
		return HG_OK;
	}
	if (rep > 0)
		s = piece(s, m->d.repetition, rep - 1);
	if (comp > 0)
		s = piece(s, m->d.component, comp - 1);
	if (sub > 0 && m->d.subcomponent)
		s = piece(s, m->d.subcomponent, sub - 1);
	else if (sub > 1)
		s.n = 0;
	if (s.n == 2 && s.p[0] == '"' && s.p[1] == '"')
		return HG_OK; /* the HL7 null: hemgang deletes nothing on it, it reads as empty */
	return hl7_unescape(s, &m->d, buf, cap);
}

hg_status hl7_escape(const char *s, const hl7_delims *d, char *buf, size_t cap)
{
	size_t n = 0;
	if (cap == 0)
		return HG_ERANGE;
	for (; s && *s; s++) {
		const char *rep = NULL;
		char c = *s;
		if (c == d->field)
			rep = "F";
		else if (c == d->component)
			rep = "S";
		else if (c == d->repetition)
			rep = "R";
		else if (d->escape && c == d->escape)
			rep = "E";
		else if (d->subcomponent && c == d->subcomponent)
			rep = "T";
		else if (c == '\r')
			rep = "X0D";
		else if (c == '\n')
			rep = "X0A";
		if (!rep) {
			if (!put(buf, cap, &n, c))
				goto toobig;
			continue;
		}
		char e = d->escape ? d->escape : '\\';
		if (!put(buf, cap, &n, e))
			goto toobig;
		for (; *rep; rep++)
			if (!put(buf, cap, &n, *rep))
				goto toobig;
		if (!put(buf, cap, &n, e))
			goto toobig;
	}
	buf[n] = '\0';
	return HG_OK;
toobig:
	buf[0] = '\0';
	return HG_ERANGE;
}

/* Reads exactly n digits at s into *v. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

hg_status hl7_parse_ts(const char *s, hl7_ts *out)
{
	size_t len = s ? strlen(s) : 0;
	size_t nd = 0;
	memset(out, 0, sizeof *out);
	out->month = out->day = 1;
	out->offset_minutes = INT32_MIN;
	if (len == 0 || len > 24)
		return HG_EINVAL;
	while (nd < len && s[nd] >= '0' && s[nd] <= '9')
		nd++;
	if (nd != 4 && nd != 6 && nd != 8 && nd != 10 && nd != 12 && nd != 14)
		return HG_EINVAL;
	int *parts[] = {&out->year, &out->month, &out->day, &out->hour, &out->minute, &out->second};
	if (!digits(s, 4, parts[0]))
		return HG_EINVAL;
	for (size_t k = 1; 4 + 2 * (k - 1) < nd; k++)
		if (!digits(s + 4 + 2 * (k - 1), 2, parts[k]))
			return HG_EINVAL;
	out->precision = (int)nd;
	size_t i = nd;
	if (i < len && s[i] == '.') {
		size_t f = ++i;
		if (nd != 14)
			return HG_EINVAL;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f || i - f > 4)
			return HG_EINVAL;
	}
	if (i < len) {
		int hh, mm;
		if ((s[i] != '+' && s[i] != '-') || len - i != 5 || !digits(s + i + 1, 2, &hh) || !digits(s + i + 3, 2, &mm) ||
		    hh > 14 || mm > 59)
			return HG_EINVAL;
		out->offset_minutes = (s[i] == '-' ? -1 : 1) * (hh * 60 + mm);
	}
	if (out->year < HG_YEAR_MIN || out->year > HG_YEAR_MAX || !date_ymd_valid(out->year, out->month, out->day) ||
	    out->hour > 23 || out->minute > 59 || out->second > 59)
		return HG_EINVAL;
	return HG_OK;
}
