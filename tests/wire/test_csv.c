/*
 * test_csv.c - the one CSV writer (wire.h): when a field is quoted, how a
 * quote inside is doubled, the formula guard, empty and raw fields, rows
 * ended by CRLF, and a ceiling that fails the whole text; and the PDF
 * writers' text in WinAnsi (wire_winansi).
 */
#include "wire/wire.h"
#include "test.h"

static const struct csv_row {
	char sep;
	unsigned flags;
	const char *fields[4]; /* one row; a field that begins with '#' is written raw without the '#' */
	const char *want;
} rows[] = {
    {',', 0, {"a", "b", "c"}, "a,b,c\r\n"},
    {',', 0, {"Falun", "Borlänge"}, "Falun,Borlänge\r\n"},
    {',', 0, {"a,b", "c"}, "\"a,b\",c\r\n"},
    {',', 0, {"a;b", "c"}, "a;b,c\r\n"},
    {';', 0, {"a;b", "c,d"}, "\"a;b\";c,d\r\n"},
    {',', 0, {"säger \"hej\""}, "\"säger \"\"hej\"\"\"\r\n"},
    {',', 0, {"rad 1\nrad 2", "x\r"}, "\"rad 1\nrad 2\",\"x\r\"\r\n"},
    {',', 0, {"", "", ""}, ",,\r\n"},
    {',', 0, {"=SUM(A1)", "-5"}, "=SUM(A1),-5\r\n"},
    {';', WIRE_CSV_FORMULA_GUARD, {"=SUM(A1)", "+46", "@x", "-"}, "'=SUM(A1);'+46;'@x;'-\r\n"},
    {';', WIRE_CSV_FORMULA_GUARD, {"=a;b", "a=b"}, "\"'=a;b\";a=b\r\n"},
    {';', WIRE_CSV_FORMULA_GUARD, {"#-1500,00", "#42"}, "-1500,00;42\r\n"},
    {',', WIRE_CSV_ALWAYS_QUOTE, {"a", "", "b\"c"}, "\"a\",\"\",\"b\"\"c\"\r\n"},
    {',', 0, {"#", "#1.5", "x"}, ",1.5,x\r\n"},
    {',', 0, {NULL}, "\r\n"},
};

static void test_rows(struct test *t)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hg_buf b;
		wire_csv w;
		hg_buf_init(&b, 1024);
		wire_csv_init(&w, &b, rows[i].sep, rows[i].flags);
		for (size_t k = 0; k < 4 && rows[i].fields[k]; k++) {
			const char *f = rows[i].fields[k];
			if (f[0] == '#')
				wire_csv_raw(&w, f + 1, strlen(f + 1));
			else
				wire_csv_field(&w, f);
		}
		wire_csv_end_row(&w);
		T_EQ_STR(t, b.data, rows[i].want, "csv row %zu", i);
		hg_buf_free(&b);
	}
}

/* Two rows; the second no longer fits under the ceiling: the text fails as a whole (HG_ERANGE). */
static void test_ceiling(struct test *t)
{
	hg_buf b;
	wire_csv w;
	hg_buf_init(&b, 12);
	wire_csv_init(&w, &b, ',', 0);
	wire_csv_field(&w, "a");
	wire_csv_field(&w, "b");
	wire_csv_end_row(&w);
	T_EQ_INT(t, hg_buf_status(&b), HG_OK, "first row fits");
	wire_csv_field(&w, "ccc");
	wire_csv_field(&w, "dd\"d");
	wire_csv_end_row(&w);
	T_EQ_INT(t, hg_buf_status(&b), HG_ERANGE, "second row passes the ceiling");
	T_TRUE(t, hg_buf_take(&b, NULL) == NULL, "a failed text is not handed over");
}

static const struct winansi_case {
	const char *in;
	size_t cap;
	const char *want;
} winansi_cases[] = {
    {"Falun", 16, "Falun"},
    {"Borlänge Åre Ö", 32, "Borl\xe4nge \xc5re \xd6"},
    {"a\u2013b", 16, "a?b"},             /* en dash: three bytes, outside Latin-1 */
    {"x\xf0\x9f\x98\x80y", 16, "x?y"},   /* four bytes */
    {"\xc2\xa0\xc2\xbd", 8, "\xa0\xbd"}, /* the start of the Latin-1 half */
    {"\xc2\x85", 8, "?"},                /* C1 controls are not WinAnsi text */
    {"abcdef", 4, "abc"},                /* at most cap-1 bytes */
    {"\xc3", 8, "?"},                    /* a lead byte at the end */
    {"", 1, ""},
};

static void test_winansi(struct test *t)
{
	for (size_t i = 0; i < sizeof winansi_cases / sizeof *winansi_cases; i++) {
		const struct winansi_case *c = &winansi_cases[i];
		char out[64];
		wire_winansi(c->in, out, c->cap);
		T_EQ_STR(t, out, c->want, "winansi case %zu", i);
	}
}

int main(void)
{
	struct test t = {.name = "test_csv"};
	test_rows(&t);
	test_ceiling(&t);
	test_winansi(&t);
	return test_report(&t);
}
