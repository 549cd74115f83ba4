/*
 * csv.c - the one CSV writer (see wire.h): separators, the quoting rule and
 * the formula guard, in one place.
 */
#include "wire/wire.h"

#include <string.h>

void wire_csv_init(wire_csv *w, hg_buf *out, char sep, unsigned flags)
{
	*w = (wire_csv){.out = out, .sep = sep, .flags = flags};
}

static void separate(wire_csv *w)
{
	if (w->in_row)
		(void)hg_buf_add(w->out, &w->sep, 1);
	w->in_row = true;
}

void wire_csv_field(wire_csv *w, const char *text)
{
	const char *s = text ? text : "";
	bool quote = (w->flags & WIRE_CSV_ALWAYS_QUOTE) || strchr(s, w->sep) || strpbrk(s, "\"\r\n");
	separate(w);
	if (quote)
		(void)hg_buf_add(w->out, "\"", 1);
	if ((w->flags & WIRE_CSV_FORMULA_GUARD) && (*s == '=' || *s == '+' || *s == '-' || *s == '@'))
		(void)hg_buf_add(w->out, "'", 1);
	while (*s) {
		size_t run = strcspn(s, "\"");
		(void)hg_buf_add(w->out, s, run);
		s += run;
		if (*s == '"') {
			(void)hg_buf_add(w->out, "\"\"", 2); /* a quote is doubled */
			s++;
		}
	}
	if (quote)
		(void)hg_buf_add(w->out, "\"", 1);
}

void wire_csv_raw(wire_csv *w, const char *s, size_t n)
{
	separate(w);
	(void)hg_buf_add(w->out, s, n);
}

void wire_csv_end_row(wire_csv *w)
{
	(void)hg_buf_add(w->out, "\r\n", 2);
	w->in_row = false;
}
