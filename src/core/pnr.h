/*
 * pnr.h - Swedish identity numbers: personnummer, samordningsnummer and the
 * regions' reserve numbers (reservnummer).
 *
 * Every notice in hemgang names its patient by one of these, so they are parsed
 * once, here, into a fixed-size value: the kind, the normalised 12-digit form
 * "YYYYMMDD-NNNN", the birth date and the legal sex. Parsing never allocates and
 * never reads the clock: the caller passes the reference date ("today") that the
 * century rule of the 10-digit forms needs. A rejected input gets one stable
 * reason code with an English and a Swedish message. docs/identity.md lists the
 * accepted forms, the century rule and the reserve-number forms with examples.
 */
#ifndef HG_PNR_H
#define HG_PNR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "core/domain.h"
#include "core/status.h"

/* Longest input the parser reads, surrounding whitespace included; longer is bad_length. */
#define PNR_INPUT_MAX 64
/* Size of the normalised and the masked forms, "YYYYMMDD-NNNN" and a NUL. */
#define PNR_TEXT_SIZE 14

typedef enum pnr_kind {
	PNR_PERSONAL = 0, /* personnummer (Skatteverket, 18 § folkbokföringslagen) */
	PNR_COORDINATION, /* samordningsnummer: day of month + 60 */
	PNR_RESERVE,      /* a region's temporary reserve number */
	PNR_KIND_COUNT
} pnr_kind;

typedef enum pnr_sex { PNR_SEX_NONE = 0, PNR_SEX_FEMALE, PNR_SEX_MALE } pnr_sex;

/* Why an input was rejected. The codes (pnr_reason_label()->code) are stable. */
typedef enum pnr_reason {
	PNR_OK = 0,
	PNR_EMPTY,                /* nothing but whitespace */
	PNR_BAD_LENGTH,           /* not 10-13 characters, or beyond PNR_INPUT_MAX */
	PNR_BAD_CHARACTER,        /* a character that is neither a digit nor a separator */
	PNR_BAD_SEPARATOR,        /* '-'/'+' in the wrong place, '+' in a 12-digit form, other separator */
	PNR_BAD_DATE,             /* no such date (month 13, 1900-02-29, day 32-60 or 92+) */
	PNR_BAD_SERIAL,           /* birth number 000, never issued */
	PNR_BAD_CHECKSUM,         /* the Luhn check digit does not match */
	PNR_FUTURE_DATE,          /* birth date after the reference date */
	PNR_RESERVE_NOT_ACCEPTED, /* a reserve number, but the options reject them */
	PNR_BAD_REFERENCE,        /* the caller's reference date is outside HG_YEAR_MIN..HG_YEAR_MAX */
	PNR_REASON_COUNT
} pnr_reason;

typedef struct pnr_options {
	hg_date reference;   /* "today" for the century rule and the future check */
	bool accept_reserve; /* accept the reserve-number forms of docs/identity.md */
	bool reserve_birth;  /* a dated reserve number (YYYYMMDD-XXXX) carries a real birth date */
} pnr_options;

typedef struct pnr {
	pnr_kind kind;
	char normal[PNR_TEXT_SIZE]; /* "YYYYMMDD-NNNN"; samordningsnummer keep day + 60 */
	hg_date birth;              /* HG_DATE_NONE for a reserve number unless reserve_birth */
	pnr_sex sex;                /* PNR_SEX_NONE for a reserve number */
} pnr;

/* Options with the given reference date that accept personnummer and samordningsnummer only. */
pnr_options pnr_options_default(hg_date reference);

/*
 * Parses s in any written form (see docs/identity.md). On success fills *out,
 * sets *why to PNR_OK and returns HG_OK; otherwise returns HG_EINVAL with the
 * reason in *why and *out zeroed. A NULL s is PNR_EMPTY. A reference date
 * outside HG_YEAR_MIN..HG_YEAR_MAX (a caller's bug) is HG_ERANGE, PNR_BAD_REFERENCE.
 */
hg_status pnr_parse(const char *s, const pnr_options *opt, pnr *out, pnr_reason *why) HG_MUST_CHECK;

/* Luhn (modulus 10, weights 2 1 2 1 ...) check digit of nine ASCII digits, or -1 if one is not a digit. */
int pnr_luhn_digit(const char nine[static 9]);
/* True when ten ASCII digits end in their Luhn check digit. */
bool pnr_luhn_valid(const char ten[static 10]);

/*
 * Age in whole years at date `at`. Someone born on 29 February has their
 * birthday on 1 March in a year without one. HG_EINVAL when p has no birth date
 * or `at` is before it.
 */
hg_status pnr_age_at(const pnr *p, hg_date at, int *age) HG_MUST_CHECK;

/*
 * The form to write in logs: the serial replaced by '*', e.g. "19121212-****";
 * a Stockholm-style reserve number keeps only "99YYYY". Writes a NUL-terminated
 * string into buf and returns buf.
 */
char *pnr_mask(const pnr *p, char buf[static PNR_TEXT_SIZE]);

/* Code and labels: codes are "personnummer", "samordningsnummer", "reservnummer". */
const hg_code_label *pnr_kind_label(pnr_kind k);
/* Code ("empty", "bad_checksum", ...) and English and Swedish messages of a reason. */
const hg_code_label *pnr_reason_label(pnr_reason r);
/*
 * The reason as a whole sentence in words a nurse uses, naming the part of the
 * number that is wrong (the check digit, the date part, the hyphen):
 * "Kontrollsiffran (den sista siffran) stämmer inte: ...". Same codes.
 */
const hg_code_label *pnr_reason_message(pnr_reason r);
/* "female", "male" or "none". */
const char *pnr_sex_code(pnr_sex s);

#endif
