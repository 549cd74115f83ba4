/*
 * pnr.c - parsing and checking of personnummer, samordningsnummer and reserve
 * numbers (see pnr.h and docs/identity.md).
 *
 * An input is first read as a personnummer in one of four layouts (10, 11, 12
 * or 13 characters), which gives the precise reason when it is wrong. Only if
 * that fails is it matched against the reserve-number forms, so a mistyped
 * personnummer is never silently taken for a reserve number: every reserve form
 * has either a letter in its serial or a prefix ("99" + 10 digits) that no
 * personnummer can have.
 */
#include "core/pnr.h"

#include <string.h>

static const hg_code_label kinds[PNR_KIND_COUNT] = {
	[PNR_PERSONAL] = {"personnummer", "personnummer", "personal identity number"},
	[PNR_COORDINATION] = {"samordningsnummer", "samordningsnummer", "coordination number"},
	[PNR_RESERVE] = {"reservnummer", "reservnummer", "reserve number"},
};

static const hg_code_label reasons[PNR_REASON_COUNT] = {
	[PNR_OK] = {"ok", "giltigt", "valid"},
	[PNR_EMPTY] = {"empty", "inget nummer angivet", "no number given"},
	[PNR_BAD_LENGTH] = {"bad_length", "fel längd (10-13 tecken)", "wrong length (10-13 characters)"},
	[PNR_BAD_CHARACTER] = {"bad_character", "otillåtet tecken", "a character that is not a digit"},
	[PNR_BAD_SEPARATOR] = {"bad_separator", "fel skiljetecken eller fel plats för det",
			       "wrong separator or separator in the wrong place"},
	[PNR_BAD_DATE] = {"bad_date", "datumet finns inte", "no such date"},
	[PNR_BAD_SERIAL] = {"bad_serial", "födelsenummer 000 delas aldrig ut", "birth number 000 is never issued"},
	[PNR_BAD_CHECKSUM] = {"bad_checksum", "fel kontrollsiffra", "check digit does not match"},
	[PNR_FUTURE_DATE] = {"future_date", "födelsedatum efter referensdatum", "birth date after the reference date"},
	[PNR_RESERVE_NOT_ACCEPTED] = {"reserve_not_accepted", "reservnummer godtas inte här",
				      "reserve numbers are not accepted here"},
	[PNR_BAD_REFERENCE] = {"bad_reference", "referensdatum utanför tillåtet intervall",
			       "reference date out of range"},
};

/* The same reasons as whole sentences for the person who typed the number: which part is wrong. */
static const hg_code_label messages[PNR_REASON_COUNT] = {
	[PNR_OK] = {"ok", "Numret är giltigt.", "The number is valid."},
	[PNR_EMPTY] = {"empty", "Skriv personnumret.", "Enter the personal identity number."},
	[PNR_BAD_LENGTH] = {"bad_length",
			    "Personnumret har fel antal siffror: skriv 12 siffror (ÅÅÅÅMMDD-NNNN) eller 10 (ÅÅMMDD-NNNN).",
			    "The number has the wrong number of digits: write 12 (YYYYMMDD-NNNN) or 10 (YYMMDD-NNNN)."},
	[PNR_BAD_CHARACTER] = {"bad_character", "Personnumret får bara innehålla siffror och ett bindestreck.",
			       "The number may only hold digits and a hyphen."},
	[PNR_BAD_SEPARATOR] = {"bad_separator",
			       "Bindestrecket står på fel plats: det ska stå före de fyra sista siffrorna (ÅÅÅÅMMDD-NNNN).",
			       "The hyphen is in the wrong place: it goes before the last four digits (YYYYMMDD-NNNN)."},
	[PNR_BAD_DATE] = {"bad_date",
			  "Datumdelen (ÅÅÅÅMMDD) är inget riktigt datum: kontrollera månad och dag.",
			  "The date part (YYYYMMDD) is not a real date: check the month and the day."},
	[PNR_BAD_SERIAL] = {"bad_serial", "Födelsenumret (siffrorna 9-11) kan inte vara 000.",
			    "The birth number (digits 9-11) cannot be 000."},
	[PNR_BAD_CHECKSUM] = {"bad_checksum",
			      "Kontrollsiffran (den sista siffran) stämmer inte: någon siffra är felskriven.",
			      "The check digit (the last digit) does not match: a digit is mistyped."},
	[PNR_FUTURE_DATE] = {"future_date", "Födelsedatumet i personnumret ligger i framtiden.",
			     "The birth date in the number lies in the future."},
	[PNR_RESERVE_NOT_ACCEPTED] = {"reserve_not_accepted", "Reservnummer godtas inte här: skriv personnummer "
							       "eller samordningsnummer.",
				      "Reserve numbers are not accepted here: write a personal identity or coordination number."},
	[PNR_BAD_REFERENCE] = {"bad_reference", "Personnumret kan inte prövas mot dagens datum.",
			       "The number cannot be checked against today's date."},
};

/* The written layouts of a personnummer, by trimmed length. */
static const struct pnr_layout {
	size_t len;
	int sep;      /* index of the '-' or '+', or -1 */
	bool century; /* begins with the two century digits */
} layouts[] = {
	{10, -1, false}, /* YYMMDDNNNN */
	{11, 6, false},  /* YYMMDD-NNNN, YYMMDD+NNNN */
	{12, -1, true},  /* YYYYMMDDNNNN */
	{13, 8, true},   /* YYYYMMDD-NNNN */
};

/*
 * Reserve-number forms. Pattern letters: 'D' a digit, 'A' a letter or a digit,
 * '9' the digit nine, '-' a hyphen. A dated form begins with a birth date
 * YYYYMMDD and is normalised to "YYYYMMDD-XXXX"; min_letters keeps an all-digit
 * serial (a personnummer with a typo) out of it.
 */
static const struct reserve_form {
	const char *pattern;
	bool dated;
	int min_letters;
} reserve_forms[] = {
	{"DDDDDDDD-AAAA", true, 1}, /* Socialstyrelsen's recommendation; Skåne, VGR, Värmland */
	{"DDDDDDDDAAAA", true, 1},
	{"99DDDDDDDDDD", false, 0}, /* Region Stockholm: 99, year issued, serial */
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
static char to_upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c; }

/* Value of n ASCII digits (checked by the caller). */
static int digits_value(const char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

static void put_digits(char *p, int n, int v)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

int pnr_luhn_digit(const char nine[static 9])
{
	int sum = 0;
	for (int i = 0; i < 9; i++) {
		if (!is_digit(nine[i]))
			return -1;
		int d = (nine[i] - '0') * (i % 2 == 0 ? 2 : 1);
		sum += d > 9 ? d - 9 : d;
	}
	return (10 - sum % 10) % 10;
}

bool pnr_luhn_valid(const char ten[static 10])
{
	int c = pnr_luhn_digit(ten);
	return c >= 0 && is_digit(ten[9]) && ten[9] - '0' == c;
}

/*
 * The year of a 10-digit form. With '-' (or none): the latest year ending in yy
 * whose month-day is not after the reference. With '+': the latest year ending
 * in yy that is at least 100 years before the reference year, because
 * Skatteverket changes the separator in the year of the 100th birthday.
 */
static int century_year(int yy, int month, int day, bool plus, int ref_y, int ref_m, int ref_d)
{
	int back = ((ref_y % 100) - yy + 100) % 100;
	if (plus)
		return ref_y - 100 - back;
	if (back == 0 && (month > ref_m || (month == ref_m && day > ref_d)))
		return ref_y - 100;
	return ref_y - back;
}

/* Reads s[0..n) as a personnummer or samordningsnummer. */
static pnr_reason parse_personal(const char *s, size_t n, const pnr_options *opt, pnr *out)
{
	const struct pnr_layout *lay = NULL;
	char ten[10];
	int year, month, day, issued_day;
	bool plus = false;

	for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
		if (layouts[i].len == n)
			lay = &layouts[i];
	if (!lay)
		return PNR_BAD_LENGTH;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if ((int)i == lay->sep) {
			if (is_digit(c))
				return PNR_BAD_LENGTH; /* 11 or 13 digits */
			if (c == '+' && !lay->century)
				plus = true;
			else if (c != '-')
				return PNR_BAD_SEPARATOR;
		} else if (!is_digit(c)) {
			return c == '-' || c == '+' ? PNR_BAD_SEPARATOR : PNR_BAD_CHARACTER;
		}
	}
	{
		size_t skip = lay->century ? 2 : 0, k = 0;
		for (size_t i = skip; i < n; i++)
			if ((int)i != lay->sep)
				ten[k++] = s[i];
	}

	month = digits_value(ten + 2, 2);
	issued_day = digits_value(ten + 4, 2);
	day = issued_day > 60 ? issued_day - 60 : issued_day;
	if (month < 1 || month > 12 || day < 1 || day > 31)
		return PNR_BAD_DATE;
	if (lay->century) {
		year = digits_value(s, 4);
	} else {
		int ry, rm, rd;
		date_to_ymd(opt->reference, &ry, &rm, &rd);
		year = century_year(digits_value(ten, 2), month, day, plus, ry, rm, rd);
	}
	if (!date_ymd_valid(year, month, day))
		return PNR_BAD_DATE;
	if (digits_value(ten + 6, 3) == 0)
		return PNR_BAD_SERIAL;
	if (!pnr_luhn_valid(ten))
		return PNR_BAD_CHECKSUM;
	out->birth = date_from_ymd(year, month, day);
	if (out->birth > opt->reference)
		return PNR_FUTURE_DATE;

	out->kind = issued_day > 60 ? PNR_COORDINATION : PNR_PERSONAL;
	out->sex = (ten[8] - '0') % 2 ? PNR_SEX_MALE : PNR_SEX_FEMALE;
	put_digits(out->normal, 4, year);
	memcpy(out->normal + 4, ten + 2, 4);
	out->normal[8] = '-';
	memcpy(out->normal + 9, ten + 6, 4);
	out->normal[13] = '\0';
	return PNR_OK;
}

static bool reserve_matches(const struct reserve_form *f, const char *s, size_t n)
{
	int letters = 0;
	if (strlen(f->pattern) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char p = f->pattern[i], c = s[i];
		bool ok = p == 'D'   ? is_digit(c)
			  : p == 'A' ? is_digit(c) || is_letter(c)
				     : c == p;
		if (!ok)
			return false;
		letters += is_letter(c);
	}
	return letters >= f->min_letters;
}

/* Fills *out from a matching reserve form; checks the birth date when it is configured to be one. */
static pnr_reason make_reserve(const struct reserve_form *f, const char *s, size_t n, const pnr_options *opt, pnr *out)
{
	char compact[12];
	size_t k = 0;
	for (size_t i = 0; i < n && k < sizeof compact; i++)
		if (s[i] != '-')
			compact[k++] = to_upper(s[i]);
	if (k != sizeof compact)
		return PNR_BAD_LENGTH; /* NEVER: every form has 12 characters besides its hyphen */

	out->kind = PNR_RESERVE;
	out->sex = PNR_SEX_NONE;
	out->birth = HG_DATE_NONE;
	if (f->dated) {
		memcpy(out->normal, compact, 8);
		out->normal[8] = '-';
		memcpy(out->normal + 9, compact + 8, 4);
		out->normal[13] = '\0';
		if (opt->reserve_birth) {
			int y = digits_value(compact, 4), m = digits_value(compact + 4, 2), d = digits_value(compact + 6, 2);
			if (!date_ymd_valid(y, m, d))
				return PNR_BAD_DATE;
			out->birth = date_from_ymd(y, m, d);
			if (out->birth > opt->reference)
				return PNR_FUTURE_DATE;
		}
	} else {
		memcpy(out->normal, compact, 12);
		out->normal[12] = '\0';
	}
	return PNR_OK;
}

pnr_options pnr_options_default(hg_date reference)
{
	return (pnr_options){.reference = reference, .accept_reserve = false, .reserve_birth = false};
}

static bool reference_ok(hg_date ref)
{
	int y, m, d;
	if (ref == HG_DATE_NONE)
		return false;
	date_to_ymd(ref, &y, &m, &d);
	return y >= HG_YEAR_MIN && y <= HG_YEAR_MAX;
}

hg_status pnr_parse(const char *s, const pnr_options *opt, pnr *out, pnr_reason *why)
{
	size_t n;
	pnr_reason r;

	memset(out, 0, sizeof *out);
	out->birth = HG_DATE_NONE;
	if (!opt || !reference_ok(opt->reference)) {
		*why = PNR_BAD_REFERENCE;
		return HG_ERANGE;
	}
	if (!s)
		s = "";
	n = strnlen(s, PNR_INPUT_MAX + 1);
	if (n > PNR_INPUT_MAX) {
		r = PNR_BAD_LENGTH;
		goto out;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	if (n == 0) {
		r = PNR_EMPTY;
		goto out;
	}
	r = parse_personal(s, n, opt, out);
	if (r == PNR_OK)
		goto out;
	for (size_t i = 0; i < sizeof reserve_forms / sizeof reserve_forms[0]; i++) {
		if (reserve_matches(&reserve_forms[i], s, n)) {
			memset(out, 0, sizeof *out);
			r = opt->accept_reserve ? make_reserve(&reserve_forms[i], s, n, opt, out) : PNR_RESERVE_NOT_ACCEPTED;
			break;
		}
	}
out:
	*why = r;
	if (r == PNR_OK)
		return HG_OK;
	memset(out, 0, sizeof *out);
	out->birth = HG_DATE_NONE;
	return HG_EINVAL;
}

hg_status pnr_age_at(const pnr *p, hg_date at, int *age)
{
	int by, bm, bd, ay, am, ad, years;
	if (!p || p->birth == HG_DATE_NONE || at == HG_DATE_NONE || at < p->birth)
		return HG_EINVAL;
	date_to_ymd(p->birth, &by, &bm, &bd);
	date_to_ymd(at, &ay, &am, &ad);
	if (bm == 2 && bd == 29 && !date_is_leap_year(ay)) {
		bm = 3;
		bd = 1;
	}
	years = ay - by;
	if (am < bm || (am == bm && ad < bd))
		years--;
	*age = years;
	return HG_OK;
}

char *pnr_mask(const pnr *p, char buf[static PNR_TEXT_SIZE])
{
	/* Keep the date and the hyphen; a form without one (Stockholm's "99YYYY...") keeps six. */
	size_t len = strnlen(p->normal, PNR_TEXT_SIZE - 1);
	const char *dash = memchr(p->normal, '-', len);
	size_t keep = dash ? (size_t)(dash - p->normal) + 1 : (len < 6 ? len : 6);
	memcpy(buf, p->normal, keep);
	memset(buf + keep, '*', len - keep);
	buf[len] = '\0';
	return buf;
}

const hg_code_label *pnr_kind_label(pnr_kind k)
{
	return (unsigned)k < PNR_KIND_COUNT ? &kinds[k] : &kinds[PNR_PERSONAL];
}

const hg_code_label *pnr_reason_label(pnr_reason r)
{
	return (unsigned)r < PNR_REASON_COUNT ? &reasons[r] : &reasons[PNR_BAD_CHARACTER];
}

const hg_code_label *pnr_reason_message(pnr_reason r)
{
	return (unsigned)r < PNR_REASON_COUNT ? &messages[r] : &messages[PNR_BAD_CHARACTER];
}

const char *pnr_sex_code(pnr_sex s)
{
	static const char *const codes[] = {[PNR_SEX_NONE] = "none", [PNR_SEX_FEMALE] = "female", [PNR_SEX_MALE] = "male"};
	return (unsigned)s < sizeof codes / sizeof codes[0] ? codes[s] : "none";
}
