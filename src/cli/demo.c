/*
 * demo.c - the demo region and its episodes (see demo.h).
 *
 * The region is data: tables of municipalities (real SCB codes and names),
 * hospitals, wards, primary care units and logins. The episodes are planned
 * one at a time as a list of events with clinical times (the flow of
 * design.md §1 with realistic delays and a few of everything that goes wrong),
 * sorted by time, cut at `now`, and appended through store_append() with
 * recorded_at = occurred_at + a small delay. References between events
 * (acknowledgement -> notice, reply -> request, cancellation -> notice) are
 * planned as indices and turned into seq numbers as the events are stored.
 *
 * Patients: a fictitious name, a valid personnummer (or a reserve number on
 * request) drawn without repeats, a registered municipality weighted by
 * population and a primary care unit there. Some patients come back: a patient
 * has one to four episodes, some within 30 days of the last discharge.
 * A few episodes are forced to be in hospital or waiting as ready at `now`, so
 * that even a small demo shows every state.
 */
#include "cli/demo.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/pnr.h"
#include "core/survey.h"
#include "store/followup_store.h"

#define HOUR ((hg_instant)3600)
#define DAY ((hg_instant)HG_SECONDS_PER_DAY)
#define MINUTE ((hg_instant)60)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the PRNG ---- */

void demo_rng_seed(demo_rng *r, uint64_t seed) { r->state = seed; }

uint64_t demo_rng_next(demo_rng *r)
{
	uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

uint32_t demo_rng_below(demo_rng *r, uint32_t n)
{
	/* The modulo bias of a 64-bit draw over n < 2^32 is below 2^-32: irrelevant for a demo. */
	return n == 0 ? 0 : (uint32_t)(demo_rng_next(r) % n);
}

int64_t demo_rng_range(demo_rng *r, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int64_t)(demo_rng_next(r) % (uint64_t)(hi - lo + 1));
}

bool demo_rng_chance(demo_rng *r, int permille) { return (int)demo_rng_below(r, 1000) < permille; }

/* ---- the region ---- */

enum { H_FALUN = 0, H_MORA, H_LUDVIKA, H_AVESTA, HOSPITAL_COUNT };

static const char *const hospital_names[HOSPITAL_COUNT] = {
	[H_FALUN] = "Falu lasarett",
	[H_MORA] = "Mora lasarett",
	[H_LUDVIKA] = "Ludvika lasarett",
	[H_AVESTA] = "Avesta lasarett",
};
static const char *const hospital_municipality[HOSPITAL_COUNT] = {
	[H_FALUN] = "2080", [H_MORA] = "2062", [H_LUDVIKA] = "2085", [H_AVESTA] = "2084"};

/*
 * The 15 municipalities of Dalarna with their SCB codes. Population: rounded
 * figures of the right size (SCB, early 2020s), used only as weights. hospital:
 * the nearest of the four; postal: the first three digits of the main town's
 * postcodes, for fictitious addresses.
 */
static const struct demo_municipality {
	const char *code;
	const char *name;     /* "Falun" */
	const char *org_name; /* "Falu kommun" */
	const char *town;
	const char *postal;
	int population;
	int hospital;
} municipalities[] = {
	{"2021", "Vansbro", "Vansbro kommun", "Vansbro", "780", 6600, H_MORA},
	{"2023", "Malung-Sälen", "Malung-Sälens kommun", "Malung", "782", 10000, H_MORA},
	{"2026", "Gagnef", "Gagnefs kommun", "Djurås", "786", 10200, H_FALUN},
	{"2029", "Leksand", "Leksands kommun", "Leksand", "793", 15900, H_FALUN},
	{"2031", "Rättvik", "Rättviks kommun", "Rättvik", "795", 10800, H_FALUN},
	{"2034", "Orsa", "Orsa kommun", "Orsa", "794", 6900, H_MORA},
	{"2039", "Älvdalen", "Älvdalens kommun", "Älvdalen", "796", 7000, H_MORA},
	{"2061", "Smedjebacken", "Smedjebackens kommun", "Smedjebacken", "777", 10700, H_LUDVIKA},
	{"2062", "Mora", "Mora kommun", "Mora", "792", 20400, H_MORA},
	{"2080", "Falun", "Falu kommun", "Falun", "791", 59400, H_FALUN},
	{"2081", "Borlänge", "Borlänge kommun", "Borlänge", "784", 52400, H_FALUN},
	{"2082", "Säter", "Säters kommun", "Säter", "783", 11100, H_FALUN},
	{"2083", "Hedemora", "Hedemora kommun", "Hedemora", "776", 15200, H_AVESTA},
	{"2084", "Avesta", "Avesta kommun", "Avesta", "774", 23000, H_AVESTA},
	{"2085", "Ludvika", "Ludvika kommun", "Ludvika", "771", 25800, H_LUDVIKA},
};
#define MUNICIPALITY_COUNT ((int)COUNT(municipalities))

/* Wards: invented names and HSA-style ids (fictitious suffixes). */
static const struct demo_ward {
	const char *id;
	int hospital;
	const char *name;
	care_type care;
} wards[] = {
	{"SE2321000180-E1012", H_FALUN, "Avd 12 Medicin, Falu lasarett", CARE_SOMATIC},
	{"SE2321000180-E1014", H_FALUN, "Avd 14 Kardiologi, Falu lasarett", CARE_SOMATIC},
	{"SE2321000180-E1017", H_FALUN, "Avd 17 Kirurgi, Falu lasarett", CARE_SOMATIC},
	{"SE2321000180-E1021", H_FALUN, "Avd 21 Ortopedi, Falu lasarett", CARE_SOMATIC},
	{"SE2321000180-E1031", H_FALUN, "Avd 31 Geriatrik, Falu lasarett", CARE_GERIATRIC},
	{"SE2321000180-E1041", H_FALUN, "Avd 41 Allmänpsykiatri, Falu lasarett", CARE_PSYCHIATRIC},
	{"SE2321000180-E1102", H_MORA, "Avd 2 Medicin, Mora lasarett", CARE_SOMATIC},
	{"SE2321000180-E1104", H_MORA, "Avd 4 Kirurgi och ortopedi, Mora lasarett", CARE_SOMATIC},
	{"SE2321000180-E1106", H_MORA, "Avd 6 Psykiatri, Mora lasarett", CARE_PSYCHIATRIC},
	{"SE2321000180-E1203", H_LUDVIKA, "Avd 3 Medicin, Ludvika lasarett", CARE_SOMATIC},
	{"SE2321000180-E1205", H_LUDVIKA, "Avd 5 Geriatrik, Ludvika lasarett", CARE_GERIATRIC},
	{"SE2321000180-E1301", H_AVESTA, "Avd 1 Medicin, Avesta lasarett", CARE_SOMATIC},
	{"SE2321000180-E1302", H_AVESTA, "Avd 2 Geriatrik, Avesta lasarett", CARE_GERIATRIC},
};
#define WARD_COUNT ((int)COUNT(wards))

/* 30 primary care units (vårdcentraler), named after the places they serve. */
static const struct demo_primary_care {
	const char *id;
	const char *municipality;
	const char *name;
} primary_care_units[] = {
	{"SE2321000180-E2001", "2080", "Vårdcentralen Falun Centrum"},
	{"SE2321000180-E2002", "2080", "Vårdcentralen Britsarvet"},
	{"SE2321000180-E2003", "2080", "Vårdcentralen Kopparstaden"},
	{"SE2321000180-E2004", "2080", "Vårdcentralen Slätta"},
	{"SE2321000180-E2005", "2080", "Vårdcentralen Grycksbo"},
	{"SE2321000180-E2006", "2080", "Vårdcentralen Svärdsjö"},
	{"SE2321000180-E2011", "2081", "Vårdcentralen Borlänge Centrum"},
	{"SE2321000180-E2012", "2081", "Vårdcentralen Tjärna Ängar"},
	{"SE2321000180-E2013", "2081", "Vårdcentralen Kvarnsveden"},
	{"SE2321000180-E2014", "2081", "Vårdcentralen Domnarvet"},
	{"SE2321000180-E2015", "2081", "Vårdcentralen Jakobsgårdarna"},
	{"SE2321000180-E2021", "2085", "Vårdcentralen Ludvika"},
	{"SE2321000180-E2022", "2085", "Vårdcentralen Grangärde"},
	{"SE2321000180-E2031", "2084", "Vårdcentralen Avesta"},
	{"SE2321000180-E2032", "2084", "Vårdcentralen Krylbo"},
	{"SE2321000180-E2041", "2062", "Vårdcentralen Mora"},
	{"SE2321000180-E2042", "2062", "Vårdcentralen Noret"},
	{"SE2321000180-E2051", "2029", "Vårdcentralen Leksand"},
	{"SE2321000180-E2052", "2029", "Vårdcentralen Insjön"},
	{"SE2321000180-E2061", "2083", "Vårdcentralen Hedemora"},
	{"SE2321000180-E2062", "2083", "Vårdcentralen Långshyttan"},
	{"SE2321000180-E2071", "2031", "Vårdcentralen Rättvik"},
	{"SE2321000180-E2081", "2082", "Vårdcentralen Säter"},
	{"SE2321000180-E2091", "2061", "Vårdcentralen Smedjebacken"},
	{"SE2321000180-E2101", "2026", "Vårdcentralen Djurås"},
	{"SE2321000180-E2111", "2023", "Vårdcentralen Malung"},
	{"SE2321000180-E2112", "2023", "Vårdcentralen Sälen"},
	{"SE2321000180-E2121", "2039", "Vårdcentralen Älvdalen"},
	{"SE2321000180-E2131", "2034", "Vårdcentralen Orsa"},
	{"SE2321000180-E2141", "2021", "Vårdcentralen Vansbro"},
};
#define PRIMARY_CARE_COUNT ((int)COUNT(primary_care_units))

#define REGION_ADMIN_UNIT "SE2321000180-E9000"
/* Municipalities whose demo users (analysts, invoice officers) need an administration unit. */
static const char *const municipal_admin[] = {"2080", "2081"};

/* Municipal unit ids are local ids: K + kommunkod + a suffix per kind. */
static const struct municipal_unit_kind {
	unit_kind kind;
	const char *suffix;
	const char *name; /* after "<org name>, " */
} municipal_kinds[] = {
	{UNIT_MUNICIPAL_SOCIAL, "BIST", "biståndsenheten"},
	{UNIT_MUNICIPAL_HEALTH, "HSL", "hemsjukvården"},
};

#define FALU_WARDS                                                                                               \
	"SE2321000180-E1012", "SE2321000180-E1014", "SE2321000180-E1017", "SE2321000180-E1021",                  \
		"SE2321000180-E1031", "SE2321000180-E1041"
#define OTHER_WARDS                                                                                              \
	"SE2321000180-E1102", "SE2321000180-E1104", "SE2321000180-E1106", "SE2321000180-E1203",                  \
		"SE2321000180-E1205", "SE2321000180-E1301", "SE2321000180-E1302"

static const demo_login logins[] = {
	{"avd12", "Avd 12 Medicin, Falu lasarett (demo)", ROLE_WARD_STAFF, DEMO_REGION_CODE, {"SE2321000180-E1012"}},
	{"avd31", "Avd 31 Geriatrik, Falu lasarett (demo)", ROLE_WARD_STAFF, DEMO_REGION_CODE, {"SE2321000180-E1031"}},
	{"avd41", "Avd 41 Allmänpsykiatri, Falu lasarett (demo)", ROLE_WARD_STAFF, DEMO_REGION_CODE,
	 {"SE2321000180-E1041"}},
	{"mora-avd2", "Avd 2 Medicin, Mora lasarett (demo)", ROLE_WARD_STAFF, DEMO_REGION_CODE, {"SE2321000180-E1102"}},
	{"ludvika-avd3", "Avd 3 Medicin, Ludvika lasarett (demo)", ROLE_WARD_STAFF, DEMO_REGION_CODE,
	 {"SE2321000180-E1203"}},
	{"avesta-avd1", "Avd 1 Medicin, Avesta lasarett (demo)", ROLE_WARD_STAFF, DEMO_REGION_CODE,
	 {"SE2321000180-E1301"}},
	{"vc-falun", "Vårdcentralerna i Falun (demo)", ROLE_PRIMARY_CARE, DEMO_REGION_CODE,
	 {"SE2321000180-E2001", "SE2321000180-E2002", "SE2321000180-E2003", "SE2321000180-E2004",
	  "SE2321000180-E2005", "SE2321000180-E2006"}},
	{"vc-borlange", "Vårdcentralerna i Borlänge (demo)", ROLE_PRIMARY_CARE, DEMO_REGION_CODE,
	 {"SE2321000180-E2011", "SE2321000180-E2012", "SE2321000180-E2013", "SE2321000180-E2014",
	  "SE2321000180-E2015"}},
	{"vc-mora", "Vårdcentralerna i Mora (demo)", ROLE_PRIMARY_CARE, DEMO_REGION_CODE,
	 {"SE2321000180-E2041", "SE2321000180-E2042"}},
	{"vc-ludvika", "Vårdcentralerna i Ludvika (demo)", ROLE_PRIMARY_CARE, DEMO_REGION_CODE,
	 {"SE2321000180-E2021", "SE2321000180-E2022"}},
	{"bist-falun", "Biståndshandläggare, Falu kommun (demo)", ROLE_MUNICIPAL_ASSESSOR, "2080", {"K2080-BIST"}},
	{"ssk-falun", "Sjuksköterska hemsjukvården, Falu kommun (demo)", ROLE_MUNICIPAL_NURSE, "2080", {"K2080-HSL"}},
	{"bist-borlange", "Biståndshandläggare, Borlänge kommun (demo)", ROLE_MUNICIPAL_ASSESSOR, "2081",
	 {"K2081-BIST"}},
	{"ssk-borlange", "Sjuksköterska hemsjukvården, Borlänge kommun (demo)", ROLE_MUNICIPAL_NURSE, "2081",
	 {"K2081-HSL"}},
	{"bist-mora", "Biståndshandläggare, Mora kommun (demo)", ROLE_MUNICIPAL_ASSESSOR, "2062", {"K2062-BIST"}},
	{"ssk-mora", "Sjuksköterska hemsjukvården, Mora kommun (demo)", ROLE_MUNICIPAL_NURSE, "2062", {"K2062-HSL"}},
	{"bist-ludvika", "Biståndshandläggare, Ludvika kommun (demo)", ROLE_MUNICIPAL_ASSESSOR, "2085",
	 {"K2085-BIST"}},
	{"bist-orsa", "Biståndshandläggare, Orsa kommun (demo)", ROLE_MUNICIPAL_ASSESSOR, "2034", {"K2034-BIST"}},
	{"analytiker", "Analytiker, Region Dalarna (demo)", ROLE_ANALYST, DEMO_REGION_CODE, {REGION_ADMIN_UNIT}},
	{"analytiker-falun", "Analytiker, Falu kommun (demo)", ROLE_ANALYST, "2080", {"K2080-ADM"}},
	{"faktura-region", "Fakturahandläggare, Region Dalarna (demo)", ROLE_INVOICE_OFFICER, DEMO_REGION_CODE,
	 {REGION_ADMIN_UNIT}},
	{"faktura-falun", "Fakturahandläggare, Falu kommun (demo)", ROLE_INVOICE_OFFICER, "2080", {"K2080-ADM"}},
	{"faktura-borlange", "Fakturahandläggare, Borlänge kommun (demo)", ROLE_INVOICE_OFFICER, "2081",
	 {"K2081-ADM"}},
	{"admin", "Administratör, Region Dalarna (demo)", ROLE_ADMIN, DEMO_REGION_CODE, {REGION_ADMIN_UNIT}},
	{"admin-falun", "Administratör, Falu kommun (demo)", ROLE_ADMIN, "2080", {"K2080-ADM"}},
	{"journal", "Journalsystem, Falu lasarett (demo)", ROLE_INTEGRATION, DEMO_REGION_CODE, {FALU_WARDS}},
	{"journal-narsjukhus", "Journalsystem, Mora, Ludvika och Avesta lasarett (demo)", ROLE_INTEGRATION,
	 DEMO_REGION_CODE, {OTHER_WARDS}},
};

const demo_login *demo_logins(size_t *n)
{
	*n = COUNT(logins);
	return logins;
}

static void copy_text(char *dst, size_t cap, const char *src) { (void)snprintf(dst, cap, "%s", src); }

static void set_err(char *err, size_t errlen, const char *what, const char *id, hg_status rc)
{
	(void)snprintf(err, errlen, "cannot store %s '%s': %s", what, id, hg_status_name(rc));
}

static hg_status put_org(store *s, const char *code, const char *name, org_kind kind, char *err, size_t errlen)
{
	store_org o;
	memset(&o, 0, sizeof o);
	copy_text(o.code, sizeof o.code, code);
	copy_text(o.name, sizeof o.name, name);
	o.kind = kind;
	copy_text(o.county, sizeof o.county, "20");
	hg_status rc = store_org_put(s, &o);
	if (rc)
		set_err(err, errlen, "organisation", code, rc);
	return rc;
}

static hg_status put_unit(store *s, const store_unit *u, char *err, size_t errlen)
{
	hg_status rc = store_unit_put(s, u);
	if (rc)
		set_err(err, errlen, "unit", u->id, rc);
	return rc;
}

/* A unit row with the common fields set. */
static store_unit unit_row(const char *id, const char *org, const char *name, unit_kind kind, const char *municipality)
{
	store_unit u;
	memset(&u, 0, sizeof u);
	copy_text(u.id, sizeof u.id, id);
	copy_text(u.org, sizeof u.org, org);
	copy_text(u.name, sizeof u.name, name);
	u.kind = kind;
	u.care = CARE_SOMATIC;
	copy_text(u.municipality, sizeof u.municipality, municipality);
	return u;
}

static void municipal_unit_id(char *out, size_t cap, int m, int k)
{
	(void)snprintf(out, cap, "K%s-%s", municipalities[m].code, municipal_kinds[k].suffix);
}

static hg_status put_units(store *s, char *err, size_t errlen)
{
	hg_status rc = HG_OK;
	char id[HG_ID_MAX], name[HG_NAME_MAX];
	for (int i = 0; i < WARD_COUNT && !rc; i++) {
		store_unit u = unit_row(wards[i].id, DEMO_REGION_CODE, wards[i].name, UNIT_WARD,
					hospital_municipality[wards[i].hospital]);
		u.care = wards[i].care;
		copy_text(u.hospital, sizeof u.hospital, hospital_names[wards[i].hospital]);
		rc = put_unit(s, &u, err, errlen);
	}
	for (int i = 0; i < PRIMARY_CARE_COUNT && !rc; i++) {
		const struct demo_primary_care *p = &primary_care_units[i];
		store_unit u = unit_row(p->id, DEMO_REGION_CODE, p->name, UNIT_PRIMARY_CARE, p->municipality);
		rc = put_unit(s, &u, err, errlen);
	}
	for (int m = 0; m < MUNICIPALITY_COUNT && !rc; m++) {
		for (int k = 0; k < (int)COUNT(municipal_kinds) && !rc; k++) {
			municipal_unit_id(id, sizeof id, m, k);
			(void)snprintf(name, sizeof name, "%s, %s", municipalities[m].org_name, municipal_kinds[k].name);
			store_unit u = unit_row(id, municipalities[m].code, name, municipal_kinds[k].kind,
						municipalities[m].code);
			rc = put_unit(s, &u, err, errlen);
		}
	}
	if (!rc) {
		store_unit u = unit_row(REGION_ADMIN_UNIT, DEMO_REGION_CODE,
					"Region Dalarna (demo), hälso- och sjukvårdsförvaltningen", UNIT_ADMIN, "2080");
		rc = put_unit(s, &u, err, errlen);
	}
	for (size_t i = 0; i < COUNT(municipal_admin) && !rc; i++) {
		for (int m = 0; m < MUNICIPALITY_COUNT; m++) {
			if (strcmp(municipalities[m].code, municipal_admin[i]) != 0)
				continue;
			(void)snprintf(id, sizeof id, "K%s-ADM", municipalities[m].code);
			(void)snprintf(name, sizeof name, "%s, socialförvaltningen (administration)",
				       municipalities[m].org_name);
			store_unit u = unit_row(id, municipalities[m].code, name, UNIT_ADMIN, municipalities[m].code);
			rc = put_unit(s, &u, err, errlen);
		}
	}
	return rc;
}

hg_status demo_create_region(store *s, const char *password_hash, hg_instant now, char *err, size_t errlen)
{
	hg_status rc = put_org(s, DEMO_REGION_CODE, "Region Dalarna (demo)", ORG_REGION, err, errlen);
	for (int m = 0; m < MUNICIPALITY_COUNT && !rc; m++)
		rc = put_org(s, municipalities[m].code, municipalities[m].org_name, ORG_MUNICIPALITY, err, errlen);
	if (!rc)
		rc = put_units(s, err, errlen);
	for (size_t i = 0; i < COUNT(logins) && !rc; i++) {
		store_user u;
		int64_t id;
		memset(&u, 0, sizeof u);
		copy_text(u.username, sizeof u.username, logins[i].username);
		copy_text(u.display_name, sizeof u.display_name, logins[i].display_name);
		copy_text(u.org, sizeof u.org, logins[i].org);
		u.role = logins[i].role;
		for (int k = 0; k < STORE_USER_UNITS_MAX && logins[i].units[k]; k++)
			copy_text(u.units[u.n_units++], sizeof u.units[0], logins[i].units[k]);
		rc = store_user_add(s, &u, password_hash, now, &id);
		if (rc)
			set_err(err, errlen, "user", logins[i].username, rc);
	}
	return rc;
}

/* ---- people ---- */

static const char *const female_names[] = {
	"Anna",   "Eva",    "Maria",   "Karin",  "Kristina", "Lena",     "Kerstin", "Margareta", "Elisabeth", "Ingrid",
	"Birgitta", "Marie", "Ulla",   "Inger",  "Gunilla",  "Britt",    "Barbro",  "Ingegerd",  "Elsa",      "Astrid",
	"Sara",   "Emma",   "Linnea",  "Ulrika", "Gun",      "Siv",      "Marianne", "Monica",   "Agneta",    "Solveig",
};
static const char *const male_names[] = {
	"Lars",   "Karl",   "Anders",  "Johan",  "Per",      "Erik",     "Nils",    "Jan",       "Lennart",   "Olof",
	"Bengt",  "Sven",   "Gunnar",  "Bo",     "Göran",    "Leif",     "Rolf",    "Stig",      "Kjell",     "Åke",
	"Hans",   "Ulf",    "Bertil",  "Mikael", "Peter",    "Thomas",   "Björn",   "Rune",      "Kent",      "Arne",
};
static const char *const last_names[] = {
	"Andersson", "Johansson", "Karlsson",  "Nilsson",   "Eriksson",  "Larsson",   "Olsson",    "Persson",
	"Svensson",  "Gustafsson", "Pettersson", "Jonsson", "Jansson",   "Hansson",   "Bengtsson", "Lindberg",
	"Jakobsson", "Magnusson", "Olofsson",  "Lindström", "Lindqvist", "Lindgren",  "Berg",      "Axelsson",
	"Bergström", "Lundberg",  "Lundgren",  "Mattsson",  "Hedlund",   "Ersson",    "Forsberg",  "Backlund",
	"Hellström", "Sjöberg",   "Wallin",    "Holm",      "Nordin",    "Dahlberg",  "Mårtensson", "Höglund",
};
static const char *const streets[] = {
	"Storgatan",  "Kyrkogatan", "Skolgatan", "Åsgatan",   "Bergsgatan", "Björkvägen", "Tallvägen", "Granvägen",
	"Södra vägen", "Norra vägen", "Prästgårdsvägen", "Bruksgatan", "Sjövägen", "Malmvägen", "Gruvgatan", "Älvgatan",
};
static const char *const contact_titles[] = {"distriktssköterska", "sjuksköterska", "läkare", "vårdsamordnare"};

#define PICK(g, table) ((table)[demo_rng_below(&(g)->rng, (uint32_t)COUNT(table))])

/* ---- the generator's working state ---- */

#define PLAN_MAX 96 /* events planned for one episode; the plan below never needs half */

struct plan_item {
	event ev;
	int ref;          /* index of the planned event this one refers to, or -1 */
	hg_instant delay; /* recorded_at - occurred_at */
};

struct patient {
	event_patient data;
	int municipality;
	int primary_care;
	int age;
};

struct gen {
	store *s;
	demo_rng rng;
	hg_instant now;
	bool reserve_numbers;
	struct plan_item *plan; /* PLAN_MAX items */
	struct plan_item sink;  /* receives events planned beyond PLAN_MAX (then overflow is set) */
	int n;
	bool overflow;
	int order[PLAN_MAX];
	int32_t seq_of[PLAN_MAX];
	uint64_t *ids; /* open-addressing set of identity numbers already used (0 = empty) */
	size_t ids_cap;
	demo_result *res;
	char *err;
	size_t errlen;
};

static hg_instant rnd(struct gen *g, hg_instant lo, hg_instant hi) { return demo_rng_range(&g->rng, lo, hi); }
static bool chance(struct gen *g, int permille) { return demo_rng_chance(&g->rng, permille); }

/* An instant between lo_h and hi_h o'clock local time on the first day from t's date on that is after not_before. */
static hg_instant at_daytime(struct gen *g, hg_instant t, int lo_h, int hi_h, hg_instant not_before)
{
	hg_date d = cal_local_date(t);
	for (int i = 0; i < 400; i++, d++) {
		hg_instant x = cal_local_midnight(d) + rnd(g, lo_h * HOUR, hi_h * HOUR);
		if (x > not_before)
			return x;
	}
	return not_before + HOUR; /* NEVER: a later day always qualifies */
}

static event_party party(const char *unit, unit_kind kind, const char *org)
{
	event_party p;
	memset(&p, 0, sizeof p);
	copy_text(p.unit, sizeof p.unit, unit);
	p.kind = kind;
	copy_text(p.org, sizeof p.org, org);
	return p;
}

static event_party ward_party(int w) { return party(wards[w].id, UNIT_WARD, DEMO_REGION_CODE); }
static event_party primary_care_party(int v)
{
	return party(primary_care_units[v].id, UNIT_PRIMARY_CARE, DEMO_REGION_CODE);
}
static event_party municipal_party(int m, int k)
{
	char id[HG_ID_MAX];
	municipal_unit_id(id, sizeof id, m, k);
	return party(id, municipal_kinds[k].kind, municipalities[m].code);
}

static bool login_has_unit(const demo_login *l, const char *unit)
{
	for (int k = 0; k < STORE_USER_UNITS_MAX && l->units[k]; k++)
		if (strcmp(l->units[k], unit) == 0)
			return true;
	return false;
}

/*
 * Who an event of unit is attributed to: for admissions, transfers, notices
 * and discharges the records-system integration of the ward, otherwise a demo
 * user of the unit; units without a demo login are "verksamhetssystem", the
 * unit's own records system.
 */
static const char *author_user_for(const char *unit, bool from_records_system)
{
	for (int pass = 0; pass < 2; pass++) {
		bool want_integration = (pass == 0) == from_records_system;
		for (size_t i = 0; i < COUNT(logins); i++)
			if ((logins[i].role == ROLE_INTEGRATION) == want_integration && login_has_unit(&logins[i], unit))
				return logins[i].username;
	}
	return "verksamhetssystem";
}

/* Plans an event of type t at `at` authored by unit p; returns it for its payload. */
static event *plan_add(struct gen *g, event_type t, hg_instant at, const event_party *p, int ref)
{
	struct plan_item *it = g->n < PLAN_MAX ? &g->plan[g->n++] : &g->sink;
	bool records_system = t == EVENT_ADMITTED || t == EVENT_TRANSFERRED || t == EVENT_DISCHARGED ||
			      t == EVENT_ADMISSION_NOTICE || t == EVENT_READY_FOR_DISCHARGE;
	if (it == &g->sink)
		g->overflow = true;
	event_init(&it->ev, t);
	it->ev.occurred_at = at;
	copy_text(it->ev.author_unit, sizeof it->ev.author_unit, p->unit);
	it->ev.author_kind = p->kind;
	copy_text(it->ev.author_org, sizeof it->ev.author_org, p->org);
	copy_text(it->ev.author_user, sizeof it->ev.author_user, author_user_for(p->unit, records_system));
	it->ref = ref;
	it->delay = records_system ? rnd(g, 20, 180) : rnd(g, 10, 900);
	return &it->ev;
}

static int last_index(const struct gen *g) { return g->n - 1; }

/* ---- patients ---- */

static bool id_insert(struct gen *g, uint64_t key)
{
	size_t mask = g->ids_cap - 1, i = (size_t)(key * 0x9E3779B97F4A7C15ull) & mask;
	while (g->ids[i]) {
		if (g->ids[i] == key)
			return false;
		i = (i + 1) & mask;
	}
	g->ids[i] = key;
	return true;
}

static int pick_municipality(struct gen *g)
{
	int total = 0;
	for (int m = 0; m < MUNICIPALITY_COUNT; m++)
		total += municipalities[m].population;
	int x = (int)demo_rng_below(&g->rng, (uint32_t)total);
	for (int m = 0; m < MUNICIPALITY_COUNT; m++) {
		if (x < municipalities[m].population)
			return m;
		x -= municipalities[m].population;
	}
	return MUNICIPALITY_COUNT - 1; /* NEVER */
}

static int pick_primary_care(struct gen *g, int m)
{
	int candidates[PRIMARY_CARE_COUNT] = {0}, n = 0;
	for (int v = 0; v < PRIMARY_CARE_COUNT; v++)
		if (strcmp(primary_care_units[v].municipality, municipalities[m].code) == 0)
			candidates[n++] = v;
	return n ? candidates[demo_rng_below(&g->rng, (uint32_t)n)] : 0;
}

/*
 * A new patient: mostly 65 or older (the age of most patients in discharge
 * planning), an identity number not used before in this demo, a name that
 * fits the legal sex, an address in the registered municipality, and now and
 * then a protected identity (no address at all).
 */
static hg_status patient_new(struct gen *g, struct patient *pt)
{
	hg_date today = cal_local_date(g->now);
	memset(pt, 0, sizeof *pt);
	pt->age = chance(g, 130) ? (int)rnd(g, 19, 64) : 65 + (int)(rnd(g, 0, 11) + rnd(g, 0, 11) + rnd(g, 0, 11));
	for (int attempt = 0; attempt < 1000; attempt++) {
		hg_date birth = today - (hg_date)(pt->age * 365 + pt->age / 4) - (hg_date)rnd(g, 0, 364);
		int serial = (int)rnd(g, 1, 999), y, mo, d;
		date_to_ymd(birth, &y, &mo, &d);
		if (!id_insert(g, (uint64_t)((int64_t)birth + 1000000) * 1000u + (uint64_t)serial))
			continue;
		bool female = serial % 2 == 0;
		char *out = pt->data.personnummer;
		if (g->reserve_numbers) {
			(void)snprintf(out, sizeof pt->data.personnummer, "%04d%02d%02d-R%03d", y, mo, d, serial);
		} else {
			char nine[48]; /* nine digits; room for what the compiler cannot rule out */
			(void)snprintf(nine, sizeof nine, "%02d%02d%02d%03d", y % 100, mo, d, serial);
			(void)snprintf(out, sizeof pt->data.personnummer, "%04d%02d%02d-%03d%d", y, mo, d, serial,
				       pnr_luhn_digit(nine));
		}
		const char *first = female ? PICK(g, female_names) : PICK(g, male_names);
		(void)snprintf(pt->data.name, sizeof pt->data.name, "%s %s", first, PICK(g, last_names));
		pt->municipality = pick_municipality(g);
		pt->primary_care = pick_primary_care(g, pt->municipality);
		const struct demo_municipality *mu = &municipalities[pt->municipality];
		copy_text(pt->data.registered_municipality, sizeof pt->data.registered_municipality, mu->code);
		copy_text(pt->data.primary_care_unit, sizeof pt->data.primary_care_unit,
			  primary_care_units[pt->primary_care].id);
		pt->data.protected_identity = chance(g, 8);
		if (!pt->data.protected_identity)
			(void)snprintf(pt->data.address, sizeof pt->data.address, "%s %d, %s %02d %s", PICK(g, streets),
				       (int)rnd(g, 1, 60), mu->postal, (int)rnd(g, 30, 99), mu->town);
		return HG_OK;
	}
	(void)snprintf(g->err, g->errlen, "cannot find an unused identity number");
	return HG_EINTERNAL; /* NEVER with the ceiling on episodes */
}

/* ---- wards ---- */

static int pick_ward(struct gen *g, int hospital, care_type care)
{
	int candidates[WARD_COUNT] = {0}, n = 0;
	for (int w = 0; w < WARD_COUNT; w++)
		if (wards[w].hospital == hospital && wards[w].care == care)
			candidates[n++] = w;
	return n ? candidates[demo_rng_below(&g->rng, (uint32_t)n)] : -1;
}

/* The admitting ward: the patient's nearest hospital (sometimes the county hospital) and a care type by age. */
static int choose_ward(struct gen *g, const struct patient *pt)
{
	int h = municipalities[pt->municipality].hospital;
	care_type care = CARE_SOMATIC;
	int x = (int)rnd(g, 0, 999);
	if (h != H_FALUN && x < 120)
		h = H_FALUN;
	x = (int)rnd(g, 0, 999);
	if (pt->age < 65)
		care = x < 380 ? CARE_PSYCHIATRIC : CARE_SOMATIC;
	else
		care = x < 40 ? CARE_PSYCHIATRIC : x < 300 ? CARE_GERIATRIC : CARE_SOMATIC;
	int w = pick_ward(g, h, care);
	if (w < 0 && care == CARE_PSYCHIATRIC)
		w = pick_ward(g, H_FALUN, care);
	if (w < 0)
		w = pick_ward(g, h, CARE_SOMATIC);
	return w;
}

/* Where a patient moves: an older patient from a somatic ward to geriatrics where there is one, else another ward. */
static int transfer_target(struct gen *g, int from, int age)
{
	int h = wards[from].hospital;
	if (wards[from].care == CARE_SOMATIC && age >= 65) {
		int w = pick_ward(g, h, CARE_GERIATRIC);
		if (w >= 0)
			return w;
	}
	int candidates[WARD_COUNT] = {0}, n = 0;
	for (int w = 0; w < WARD_COUNT; w++)
		if (wards[w].hospital == h && w != from && wards[w].care == wards[from].care)
			candidates[n++] = w;
	return n ? candidates[demo_rng_below(&g->rng, (uint32_t)n)] : -1;
}

/* ---- the episode plan ---- */

enum scenario { SCENARIO_NORMAL = 0, SCENARIO_IN_HOSPITAL, SCENARIO_WAITING };

/* Distribution rows: a share in permille and a range of the value. */
struct share {
	int permille;
	hg_instant lo, hi;
};

static hg_instant draw(struct gen *g, const struct share *rows, size_t n)
{
	int x = (int)rnd(g, 0, 999);
	for (size_t i = 0; i < n; i++) {
		if (x < rows[i].permille || i + 1 == n)
			return rnd(g, rows[i].lo, rows[i].hi);
		x -= rows[i].permille;
	}
	return 0; /* NEVER */
}

/* Time from a notice to its acknowledgement by one recipient: mostly within hours. */
static const struct share ack_delays[] = {
	{700, 5 * MINUTE, 6 * HOUR}, {220, 6 * HOUR, 48 * HOUR}, {80, 2 * DAY, 6 * DAY}};
/* Time from the (last) ready notice to "municipality ready": most the same day, a long tail. */
static const struct share municipality_waits[] = {
	{500, 0, 10 * HOUR}, {250, 10 * HOUR, 2 * DAY}, {130, 2 * DAY, 7 * DAY}, {80, 7 * DAY, 21 * DAY},
	{40, 21 * DAY, 45 * DAY}};

/* Hours from admission to ready for discharge, per care type. */
static const struct {
	hg_instant lo, hi;
} ready_after[CARE_TYPE_COUNT] = {
	[CARE_SOMATIC] = {30 * HOUR, 200 * HOUR},
	[CARE_GERIATRIC] = {72 * HOUR, 300 * HOUR},
	[CARE_PSYCHIATRIC] = {96 * HOUR, 480 * HOUR},
};

/* Track shares (green, yellow; red is the rest) in permille per care type. */
static const int track_shares[CARE_TYPE_COUNT][2] = {
	[CARE_SOMATIC] = {550, 330},
	[CARE_GERIATRIC] = {380, 430},
	[CARE_PSYCHIATRIC] = {300, 400},
};

static const struct {
	int permille;
	discharge_destination dest;
} destinations[] = {
	{720, DEST_OWN_HOME}, {130, DEST_SHORT_TERM_CARE}, {80, DEST_SPECIAL_HOUSING}, {30, DEST_OTHER_HOSPITAL},
	{40, DEST_DECEASED},
};

static const struct {
	deviation_category category;
	const char *note;
} random_deviations[] = {
	{DEVIATION_INFORMATION_INCOMPLETE, "Uppgifter om hjälpbehov saknades i meddelandet."},
	{DEVIATION_MEDICATION, "Läkemedelslistan följde inte med vid hemgång."},
	{DEVIATION_EQUIPMENT, "Hjälpmedel (rollator) var inte utprovat före hemgång."},
	{DEVIATION_TRANSPORT, "Patienten kom hem sent på kvällen utan att hemtjänsten var informerad."},
	{DEVIATION_OTHER, "Hemgång tidigare än överenskommet utan kontakt med kommunen."},
};

static const char *const withdraw_notes[] = {
	"Försämrad, misstänkt ny infektion.",
	"Nytt fall på avdelningen, röntgen planeras.",
	"Feber och förhöjda infektionsprover.",
};
static const char *const date_change_notes[] = {
	"Långsammare återhämtning än beräknat.",
	"Inväntar undersökning.",
	"Snabbare förbättring än väntat.",
	"",
};

struct episode_ctx {
	const struct patient *pt;
	int ward, ward2;          /* admitting ward; ward after the transfer or -1 */
	hg_instant t0, t_transfer; /* admission; transfer or NONE */
	int recipients;
	event_party to[3];
	event_party social, health, primary;
};

static const event_party *ward_at(const struct episode_ctx *c, hg_instant t, event_party *buf)
{
	*buf = ward_party(c->ward2 >= 0 && t >= c->t_transfer ? c->ward2 : c->ward);
	return buf;
}

static void plan_acks(struct gen *g, const struct episode_ctx *c, int notice, hg_instant sent, int permille)
{
	for (int i = 0; i < c->recipients; i++) {
		if (!chance(g, permille))
			continue;
		(void)plan_add(g, EVENT_ACKNOWLEDGED, sent + draw(g, ack_delays, COUNT(ack_delays)), &c->to[i], notice);
	}
}

static void set_recipients(event_recipients *r, const struct episode_ctx *c)
{
	r->count = c->recipients;
	for (int i = 0; i < c->recipients; i++)
		r->to[i] = c->to[i];
}

static void staff_name(struct gen *g, char *out, size_t cap)
{
	const char *first = chance(g, 800) ? PICK(g, female_names) : PICK(g, male_names);
	(void)snprintf(out, cap, "%s %s", first, PICK(g, last_names));
}

/*
 * Plans one episode of patient pt admitted at t0. The times follow the flow
 * of design.md §1; everything is planned to its end even when that lies after
 * `now` (the caller cuts).
 */
static void plan_episode(struct gen *g, const struct patient *pt, hg_instant t0, enum scenario sc)
{
	struct episode_ctx c;
	event_party wbuf, author;
	event *ev;
	memset(&c, 0, sizeof c);
	c.pt = pt;
	c.t0 = t0;
	c.ward = choose_ward(g, pt);
	c.ward2 = -1;
	c.t_transfer = HG_INSTANT_NONE;
	c.social = municipal_party(pt->municipality, 0);
	c.health = municipal_party(pt->municipality, 1);
	c.primary = primary_care_party(pt->primary_care);
	c.to[c.recipients++] = c.social;
	c.to[c.recipients++] = c.primary;
	bool health_involved = chance(g, 350);
	if (health_involved)
		c.to[c.recipients++] = c.health;
	care_type care = wards[c.ward].care;
	hg_date admitted_date = cal_local_date(t0);

	/* When the doctor will judge the patient ready, and what the stay ends in. */
	hg_instant stay = rnd(g, ready_after[care].lo, ready_after[care].hi);
	hg_instant t_ready = at_daytime(g, t0 + stay, 9, 15, t0 + 12 * HOUR);
	if (sc == SCENARIO_IN_HOSPITAL && t_ready < g->now + 6 * HOUR)
		t_ready = at_daytime(g, g->now + rnd(g, 6 * HOUR, 3 * DAY), 9, 15, g->now + 6 * HOUR);
	if (sc == SCENARIO_WAITING && t_ready > g->now - 2 * HOUR)
		t_ready = g->now - rnd(g, 2 * HOUR, (g->now - t0) / 2);
	int x = (int)rnd(g, 0, 999);
	discharge_destination dest = DEST_OWN_HOME;
	for (size_t i = 0; i < COUNT(destinations); i++) {
		if (x < destinations[i].permille) {
			dest = destinations[i].dest;
			break;
		}
		x -= destinations[i].permille;
	}
	if (sc != SCENARIO_NORMAL && dest == DEST_DECEASED)
		dest = DEST_OWN_HOME;
	bool has_ready = dest != DEST_DECEASED;
	hg_instant t_end = has_ready ? t_ready : t0 + rnd(g, 12 * HOUR, stay); /* ready, or death */

	/* admission */
	ev = plan_add(g, EVENT_ADMITTED, t0, ward_at(&c, t0, &wbuf), -1);
	ev->u.admitted.patient = pt->data;
	copy_text(ev->u.admitted.hospital, sizeof ev->u.admitted.hospital, hospital_names[wards[c.ward].hospital]);
	copy_text(ev->u.admitted.ward, sizeof ev->u.admitted.ward, wards[c.ward].id);
	ev->u.admitted.care = care;

	/* a move to another ward early in the stay */
	if (chance(g, 80) && t_end - t0 > 30 * HOUR) {
		int to = transfer_target(g, c.ward, pt->age);
		if (to >= 0) {
			c.t_transfer = t0 + rnd(g, 6 * HOUR, (t_end - t0) / 2);
			c.ward2 = to;
			ev = plan_add(g, EVENT_TRANSFERRED, c.t_transfer, ward_at(&c, c.t_transfer, &wbuf), -1);
			copy_text(ev->u.transferred.ward, sizeof ev->u.transferred.ward, wards[to].id);
			ev->u.transferred.care = wards[to].care;
		}
	}

	/* admission notice: mostly within 24 h, a few late, a few never */
	hg_instant t_notice = HG_INSTANT_NONE, need_judged = HG_INSTANT_NONE;
	x = (int)rnd(g, 0, 999);
	if (x < 60 || (!has_ready && x < 300)) {
		/* never sent */
	} else if (x < 120) {
		t_notice = t0 + rnd(g, 25 * HOUR, 72 * HOUR);
	} else if (x < 200 && sc == SCENARIO_NORMAL) {
		need_judged = t0 + rnd(g, 1 * DAY, 3 * DAY);
		t_notice = need_judged + rnd(g, 1 * HOUR, 20 * HOUR);
	} else {
		t_notice = t0 + rnd(g, 20 * MINUTE, 20 * HOUR);
	}
	if (t_notice != HG_INSTANT_NONE && t_notice > t_end - 2 * HOUR) {
		if (!has_ready) {
			t_notice = HG_INSTANT_NONE;
		} else {
			t_ready = at_daytime(g, t_notice + rnd(g, 3 * HOUR, 30 * HOUR), 9, 15, t_notice + 2 * HOUR);
			t_end = t_ready;
		}
	}
	if (sc == SCENARIO_WAITING && t_ready > g->now - HOUR) {
		/* keep the waiting patient waiting: the notice went early */
		t_notice = t0 + rnd(g, 20 * MINUTE, 2 * HOUR);
		need_judged = HG_INSTANT_NONE;
		t_ready = t_notice + (g->now - t_notice) / 2;
		t_end = t_ready;
	}
	hg_date expected = admitted_date + (hg_date)((t_end - t0) / DAY) + (hg_date)rnd(g, -1, 3);
	int notice = -1;
	if (t_notice != HG_INSTANT_NONE) {
		hg_date notice_date = cal_local_date(t_notice);
		if (expected < notice_date)
			expected = notice_date;
		const event_party *w = ward_at(&c, t_notice, &wbuf);
		author = *w;
		if (chance(g, 12)) {
			/* sent to the wrong municipality first, cancelled, sent again */
			struct episode_ctx wrong = c;
			int other = (pt->municipality + 1 + (int)rnd(g, 0, MUNICIPALITY_COUNT - 2)) % MUNICIPALITY_COUNT;
			wrong.to[0] = municipal_party(other, 0);
			ev = plan_add(g, EVENT_ADMISSION_NOTICE, t_notice, &author, -1);
			set_recipients(&ev->u.admission_notice.recipients, &wrong);
			ev->u.admission_notice.expected_discharge_date = expected;
			ev->u.admission_notice.reason = ADMISSION_REASON_OTHER;
			int wrong_notice = last_index(g);
			t_notice += rnd(g, 30 * MINUTE, 3 * HOUR);
			ev = plan_add(g, EVENT_CANCELLED, t_notice, &author, wrong_notice);
			copy_text(ev->note, sizeof ev->note, "Skickat till fel kommun.");
			t_notice += rnd(g, 2 * MINUTE, 20 * MINUTE);
		}
		ev = plan_add(g, EVENT_ADMISSION_NOTICE, t_notice, &author, -1);
		set_recipients(&ev->u.admission_notice.recipients, &c);
		ev->u.admission_notice.expected_discharge_date = expected;
		/* a reason is required (issue 14); drawn without touching the random stream */
		ev->u.admission_notice.reason = (admission_reason)(1 + (int)((t0 / 60) % (ADMISSION_REASON_COUNT - 1)));
		ev->u.admission_notice.need_judged_at = need_judged;
		notice = last_index(g);
		plan_acks(g, &c, notice, t_notice, 900);
	}

	/* the expected discharge date moves 0-3 times before the ready notice */
	if (notice >= 0 && t_end - t_notice > 6 * HOUR) {
		int changes = (int)draw(g, (const struct share[]){{500, 0, 0}, {250, 1, 1}, {150, 2, 2}, {100, 3, 3}}, 4);
		hg_instant start = t_notice + 2 * HOUR, len = t_end - HOUR - start;
		hg_date current = expected;
		for (int i = 0; i < changes && len > 0; i++) {
			hg_instant t = start + len * (i + 1) / (changes + 1);
			hg_date today = cal_local_date(t);
			hg_date d = current + (hg_date)(chance(g, 350) ? rnd(g, -3, -1) : rnd(g, 1, 5));
			if (d < today)
				d = today;
			if (d == current)
				d = current + 1;
			ev = plan_add(g, EVENT_EXPECTED_DATE_CHANGED, t, ward_at(&c, t, &wbuf), -1);
			ev->u.expected_date_changed.date = d;
			copy_text(ev->note, sizeof ev->note, PICK(g, date_change_notes));
			current = d;
		}
	}

	/* consent and an information request from the municipality now and then */
	bool declined = false; /* no information goes to a party that declined (issue 14) */
	if (notice >= 0 && chance(g, 300)) {
		hg_instant t = t_notice + rnd(g, 2 * HOUR, 3 * DAY);
		ev = plan_add(g, EVENT_CONSENT_RECORDED, t, &c.social, -1);
		ev->u.consent_recorded.state = chance(g, 920) ? CONSENT_GIVEN : CONSENT_DECLINED;
		declined = ev->u.consent_recorded.state == CONSENT_DECLINED;
		copy_text(ev->u.consent_recorded.scope, sizeof ev->u.consent_recorded.scope, "care_planning");
		x = (int)rnd(g, 0, 99);
		ev->u.consent_recorded.how = x < 70 ? CONSENT_HOW_VERBAL
					     : x < 85 ? CONSENT_HOW_WRITTEN
					     : x < 95 ? CONSENT_HOW_REPRESENTATIVE
						      : CONSENT_HOW_PRESUMED;
	}
	if (notice >= 0 && chance(g, 100) && t_end - t_notice > 4 * HOUR) {
		hg_instant t = t_notice + rnd(g, HOUR, t_end - t_notice - 2 * HOUR);
		const event_party *w = ward_at(&c, t, &wbuf);
		author = *w;
		ev = plan_add(g, EVENT_INFO_REQUESTED, t, &c.social, -1);
		ev->u.info_requested.to = author;
		copy_text(ev->note, sizeof ev->note, "Hur går patienten? Behov av hjälp med förflyttning?");
		int request = last_index(g);
		hg_instant t_reply = t + rnd(g, HOUR, 30 * HOUR);
		if (!declined) {
			ev = plan_add(g, EVENT_INFO_REPLIED, t_reply, &author, request);
			copy_text(ev->note, sizeof ev->note, "Går med rollator, behöver tillsyn nattetid.");
		}
	}

	/* process track: green ~50 %, yellow ~35 %, red ~15 % (more yellow and red in geriatrics and psychiatry) */
	x = (int)rnd(g, 0, 999);
	track_colour track = x < track_shares[care][0] ? TRACK_GREEN
			     : x < track_shares[care][0] + track_shares[care][1] ? TRACK_YELLOW
										   : TRACK_RED;
	hg_instant t_track = t0 + rnd(g, 12 * HOUR, 72 * HOUR);
	if (t_track > t_end - 30 * MINUTE)
		t_track = t0 + (t_end - t0) / 2;
	if (has_ready || chance(g, 500)) {
		bool by_primary = notice >= 0 && t_track > t_notice && chance(g, 350);
		ev = plan_add(g, EVENT_TRACK_SET, t_track, by_primary ? &c.primary : ward_at(&c, t_track, &wbuf), -1);
		ev->u.track_set.colour = track;
		if (track != TRACK_RED && chance(g, 60) && t_end - t_track > 26 * HOUR) {
			hg_instant t = t_track + rnd(g, DAY, t_end - t_track - HOUR);
			track = (track_colour)(track + 1);
			ev = plan_add(g, EVENT_TRACK_SET, t, ward_at(&c, t, &wbuf), -1);
			ev->u.track_set.colour = track;
		}
	}

	hg_instant t_dis;
	if (!has_ready) {
		t_dis = t_end;
	} else {
		/* ready for discharge; sometimes withdrawn and given again */
		hg_instant t_final = t_ready;
		ev = plan_add(g, EVENT_READY_FOR_DISCHARGE, t_ready, ward_at(&c, t_ready, &wbuf), -1);
		if (notice < 0)
			set_recipients(&ev->u.ready_for_discharge.recipients, &c);
		plan_acks(g, &c, last_index(g), t_ready, 920);
		if (sc == SCENARIO_NORMAL && chance(g, 50)) {
			hg_instant t_w = t_ready + rnd(g, 6 * HOUR, 48 * HOUR);
			ev = plan_add(g, EVENT_READY_WITHDRAWN, t_w, ward_at(&c, t_w, &wbuf), -1);
			copy_text(ev->note, sizeof ev->note, PICK(g, withdraw_notes));
			t_final = at_daytime(g, t_w + rnd(g, DAY, 4 * DAY), 9, 15, t_w + HOUR);
			ev = plan_add(g, EVENT_READY_FOR_DISCHARGE, t_final, ward_at(&c, t_final, &wbuf), -1);
			if (notice < 0)
				set_recipients(&ev->u.ready_for_discharge.recipients, &c);
		}

		/* municipality ready, then the discharge; some go without municipal services */
		bool services = dest == DEST_OWN_HOME ? !(track == TRACK_GREEN && chance(g, 400)) : dest != DEST_OTHER_HOSPITAL;
		bool premature = services && sc == SCENARIO_NORMAL && chance(g, 20);
		hg_instant wait = draw(g, municipality_waits, COUNT(municipality_waits));
		if (sc == SCENARIO_WAITING)
			wait = (g->now - t_final) + rnd(g, 2 * DAY, 20 * DAY);
		if (services && !premature) {
			hg_instant t_mr = t_final + wait;
			bool by_health = health_involved && chance(g, 250);
			(void)plan_add(g, EVENT_MUNICIPALITY_READY, t_mr, by_health ? &c.health : &c.social, -1);
			t_dis = t_mr + rnd(g, HOUR, 8 * HOUR);
		} else {
			t_dis = t_final + (dest == DEST_OTHER_HOSPITAL ? rnd(g, 2 * HOUR, 2 * DAY) : rnd(g, HOUR, 8 * HOUR));
			if (sc == SCENARIO_WAITING)
				t_dis = t_final + wait;
		}
		if (premature) {
			ev = plan_add(g, EVENT_DEVIATION, t_dis + rnd(g, 2 * HOUR, 2 * DAY), &c.social, -1);
			ev->u.deviation.category = DEVIATION_DISCHARGE_NOT_READY;
			copy_text(ev->u.deviation.against_org, sizeof ev->u.deviation.against_org, DEMO_REGION_CODE);
			copy_text(ev->note, sizeof ev->note, "Utskriven innan kommunen meddelat hemgångsklar.");
		}

		/* care contact: mostly within 3 days of the first ready notice, some late, a few never */
		hg_instant t_cc = HG_INSTANT_NONE;
		/* before the ready notice only where the unit already has the admission notice */
		hg_instant earliest = notice >= 0 ? t_notice + HOUR : t_ready + 10 * MINUTE;
		hg_instant on_time_end = t_dis - 30 * MINUTE < t_ready + 60 * HOUR ? t_dis - 30 * MINUTE : t_ready + 60 * HOUR;
		x = (int)rnd(g, 0, 999);
		if (x < 880 && track == TRACK_RED && notice >= 0 && x < 400)
			t_cc = t_ready - rnd(g, 2 * HOUR, 2 * DAY);
		else if (x < 880 && on_time_end > t_ready + 10 * MINUTE)
			t_cc = t_ready + rnd(g, 10 * MINUTE, on_time_end - t_ready);
		else if (x < 880)
			t_cc = t_ready - rnd(g, HOUR, DAY); /* a quick discharge: appointed on the way */
		else if (x < 950)
			t_cc = t_ready + rnd(g, 4 * DAY, 8 * DAY); /* late; often the patient is home by then */
		if (t_cc != HG_INSTANT_NONE && t_cc < earliest)
			t_cc = earliest < t_dis - 30 * MINUTE ? earliest : HG_INSTANT_NONE;
		if (t_cc != HG_INSTANT_NONE && t_cc >= t_dis - 30 * MINUTE)
			t_cc = HG_INSTANT_NONE; /* discharged first: the appointment never came */
		if (t_cc != HG_INSTANT_NONE) {
			ev = plan_add(g, EVENT_CARE_CONTACT_APPOINTED, t_cc, &c.primary, -1);
			staff_name(g, ev->u.care_contact_appointed.name, sizeof ev->u.care_contact_appointed.name);
			copy_text(ev->u.care_contact_appointed.title, sizeof ev->u.care_contact_appointed.title,
				  PICK(g, contact_titles));
		} else if (sc == SCENARIO_NORMAL && chance(g, 400)) {
			ev = plan_add(g, EVENT_DEVIATION, t_dis + rnd(g, HOUR, 3 * DAY), &c.social, -1);
			ev->u.deviation.category = DEVIATION_CARE_CONTACT_MISSING;
			copy_text(ev->u.deviation.against_org, sizeof ev->u.deviation.against_org, DEMO_REGION_CODE);
			copy_text(ev->note, sizeof ev->note, "Ingen fast vårdkontakt utsedd före utskrivning.");
		}

		/* SIP on the yellow and red tracks, called by the care contact */
		if (t_cc != HG_INSTANT_NONE && track != TRACK_GREEN) {
			hg_instant t_call = chance(g, 850) ? t_ready + rnd(g, 2 * HOUR, 60 * HOUR)
							   : t_ready + rnd(g, 4 * DAY, 7 * DAY);
			if (t_call < t_cc)
				t_call = t_cc + rnd(g, 10 * MINUTE, 4 * HOUR);
			sip_place place;
			hg_instant meeting;
			if (track == TRACK_RED && t_call + 2 * DAY < t_dis) {
				place = chance(g, 750) ? SIP_HOSPITAL : SIP_VIDEO;
				meeting = at_daytime(g, t_call + rnd(g, DAY, 2 * DAY), 9, 15, t_call + HOUR);
			} else {
				place = chance(g, 800) ? SIP_HOME : SIP_VIDEO;
				hg_instant base = t_dis > t_call ? t_dis : t_call;
				meeting = at_daytime(g, base + rnd(g, 2 * DAY, 10 * DAY), 9, 15, base + HOUR);
			}
			ev = plan_add(g, EVENT_SIP_CALLED, t_call, &c.primary, -1);
			ev->u.sip_called.meeting_at = meeting;
			ev->u.sip_called.place = place;
			if (chance(g, 750)) {
				ev = plan_add(g, EVENT_SIP_HELD, meeting + rnd(g, HOUR, 6 * HOUR), &c.primary, -1);
				ev->u.sip_held.held_at = meeting;
				ev->u.sip_held.place = place;
				ev->u.sip_held.follow_up_date = cal_local_date(meeting) + (hg_date)rnd(g, 14, 45);
				/* participants are required (issue 14); the ward takes part in a meeting in hospital */
				ev->u.sip_held.participants = EVENT_SIP_PARTY_BIT(SIP_PARTY_PATIENT) |
							      EVENT_SIP_PARTY_BIT(SIP_PARTY_PRIMARY_CARE) |
							      EVENT_SIP_PARTY_BIT(SIP_PARTY_MUNICIPAL_SOCIAL) |
							      (place == SIP_HOSPITAL ? EVENT_SIP_PARTY_BIT(SIP_PARTY_WARD) : 0u);
			}
		}
	}

	ev = plan_add(g, EVENT_DISCHARGED, t_dis, ward_at(&c, t_dis, &wbuf), -1);
	ev->u.discharged.destination = dest;

	/* deviations: about the notice, and a few about everything else */
	if (notice < 0 && has_ready && chance(g, 500)) {
		ev = plan_add(g, EVENT_DEVIATION, t_ready + rnd(g, HOUR, DAY), &c.social, -1);
		ev->u.deviation.category = DEVIATION_NOTICE_MISSING;
		copy_text(ev->u.deviation.against_org, sizeof ev->u.deviation.against_org, DEMO_REGION_CODE);
		copy_text(ev->note, sizeof ev->note, "Inget inskrivningsmeddelande före underrättelsen om utskrivningsklar.");
	} else if (notice >= 0 && t_notice - (need_judged != HG_INSTANT_NONE ? need_judged : t0) > DAY &&
		   chance(g, 400)) {
		ev = plan_add(g, EVENT_DEVIATION, t_notice + rnd(g, HOUR, 2 * DAY), &c.social, -1);
		ev->u.deviation.category = DEVIATION_NOTICE_LATE;
		copy_text(ev->u.deviation.against_org, sizeof ev->u.deviation.against_org, DEMO_REGION_CODE);
		copy_text(ev->note, sizeof ev->note, "Inskrivningsmeddelandet kom mer än ett dygn efter inskrivningen.");
	}
	if (has_ready && chance(g, 40)) {
		size_t k = demo_rng_below(&g->rng, (uint32_t)COUNT(random_deviations));
		bool by_health = health_involved && chance(g, 500);
		ev = plan_add(g, EVENT_DEVIATION, t_dis + rnd(g, 2 * HOUR, 3 * DAY), by_health ? &c.health : &c.social, -1);
		ev->u.deviation.category = random_deviations[k].category;
		copy_text(ev->u.deviation.against_org, sizeof ev->u.deviation.against_org, DEMO_REGION_CODE);
		copy_text(ev->note, sizeof ev->note, random_deviations[k].note);
	}
	if (has_ready && chance(g, 10)) {
		ev = plan_add(g, EVENT_DEVIATION, t_dis + rnd(g, HOUR, DAY), ward_at(&c, t_dis, &wbuf), -1);
		ev->u.deviation.category = DEVIATION_OTHER;
		copy_text(ev->u.deviation.against_org, sizeof ev->u.deviation.against_org,
			  municipalities[pt->municipality].code);
		copy_text(ev->note, sizeof ev->note, "Hemtjänsten kunde inte ta emot patienten enligt planeringen.");
	}
}

/* Sorts the plan by occurred_at; ties keep the planned order (which respects every reference). */
static void plan_sort(struct gen *g)
{
	for (int i = 0; i < g->n; i++)
		g->order[i] = i;
	for (int i = 1; i < g->n; i++) {
		int v = g->order[i], j = i;
		while (j > 0 && g->plan[g->order[j - 1]].ev.occurred_at > g->plan[v].ev.occurred_at) {
			g->order[j] = g->order[j - 1];
			j--;
		}
		g->order[j] = v;
	}
}

/*
 * About a third of the patients who went home answer the follow-up survey a few
 * days later (by phone or through the link). Drawn from a generator of its own,
 * seeded by the episode, so the events of every episode stay as they were.
 */
static hg_status maybe_survey(struct gen *g, int64_t episode_id, hg_instant discharged)
{
	static const int yes_permille[SURVEY_QUESTION_COUNT] = {
		[SURVEY_FELT_SAFE] = 800, [SURVEY_TOOK_PART] = 700, [SURVEY_KNEW_CARE_CONTACT] = 750,
		[SURVEY_SIP_WHERE_WANTED] = 850};
	demo_rng r;
	survey_answer a;
	demo_rng_seed(&r, (uint64_t)episode_id * 0x9E3779B97F4A7C15ULL ^ 0x5375727665790000ULL);
	if (!demo_rng_chance(&r, 350) || store_is_postgres(g->s)) /* surveys are SQLite only so far (issue 12) */
		return HG_OK;
	survey_answer_init(&a);
	a.answered_at = discharged + (hg_instant)(3 + demo_rng_below(&r, 8)) * 86400 + demo_rng_below(&r, 8 * 3600);
	if (a.answered_at > g->now)
		return HG_OK;
	for (int q = 0; q < SURVEY_QUESTION_COUNT; q++)
		a.replies[q] = demo_rng_chance(&r, 100) ? SURVEY_UNANSWERED
			       : demo_rng_chance(&r, yes_permille[q]) ? SURVEY_YES : SURVEY_NO;
	a.replies[SURVEY_FELT_SAFE] = demo_rng_chance(&r, yes_permille[SURVEY_FELT_SAFE]) ? SURVEY_YES : SURVEY_NO;
	a.channel = demo_rng_chance(&r, 600) ? SURVEY_PHONE : SURVEY_LINK;
	a.respondent = demo_rng_chance(&r, 750) ? SURVEY_PATIENT : SURVEY_NEXT_OF_KIN;
	hg_status rc = followup_answer_put(g->s, episode_id, &a, "demo");
	if (rc != HG_OK)
		(void)snprintf(g->err, g->errlen, "cannot store a survey answer: %s", hg_status_name(rc));
	return rc;
}

/* Stores the planned events up to `now`; *discharged gets the discharge instant if it was stored. */
static hg_status plan_store(struct gen *g, hg_instant *discharged, bool *deceased)
{
	int64_t episode_id = 0;
	*discharged = HG_INSTANT_NONE;
	*deceased = false;
	if (g->overflow) {
		(void)snprintf(g->err, g->errlen, "generator bug: more than %d events planned for one episode", PLAN_MAX);
		return HG_EINTERNAL;
	}
	plan_sort(g);
	for (int i = 0; i < g->n; i++)
		g->seq_of[i] = 0;
	for (int k = 0; k < g->n; k++) {
		struct plan_item *it = &g->plan[g->order[k]];
		hg_instant recorded = it->ev.occurred_at + it->delay;
		if (recorded > g->now)
			break; /* the rest is the future */
		if (it->ref >= 0) {
			int32_t seq = g->seq_of[it->ref];
			if (seq == 0) {
				(void)snprintf(g->err, g->errlen, "generator bug: %s refers to an event not stored",
					       event_type_code(it->ev.type));
				return HG_EINTERNAL;
			}
			if (it->ev.type == EVENT_ACKNOWLEDGED)
				it->ev.u.acknowledged.ack_seq = seq;
			else if (it->ev.type == EVENT_INFO_REPLIED)
				it->ev.u.info_replied.reply_to_seq = seq;
			else if (it->ev.type == EVENT_CANCELLED)
				it->ev.u.cancelled.cancels_seq = seq;
		}
		store_append_result r;
		event_error e;
		hg_status rc = store_append(g->s, episode_id, &it->ev, NULL, recorded, &r, &e);
		if (rc) {
			if (e.reason != EVR_OK)
				(void)snprintf(g->err, g->errlen,
					       "generator bug: episode %d, %s event rejected: %s (field '%s')",
					       g->res->episodes + 1, event_type_code(it->ev.type), e.code, e.field);
			else
				(void)snprintf(g->err, g->errlen, "cannot append a %s event: %s",
					       event_type_code(it->ev.type), hg_status_name(rc));
			return e.reason != EVR_OK ? HG_EINTERNAL : rc;
		}
		episode_id = r.episode_id;
		g->seq_of[g->order[k]] = r.seq;
		g->res->events++;
		if (it->ev.type == EVENT_DISCHARGED) {
			*discharged = it->ev.occurred_at;
			*deceased = it->ev.u.discharged.destination == DEST_DECEASED;
		}
	}
	if (*discharged != HG_INSTANT_NONE && !*deceased)
		return maybe_survey(g, episode_id, *discharged);
	return HG_OK;
}

static hg_status run_episode(struct gen *g, const struct patient *pt, hg_instant t0, enum scenario sc,
			     hg_instant *discharged, bool *deceased)
{
	g->n = 0;
	g->overflow = false;
	plan_episode(g, pt, t0, sc);
	hg_status rc = plan_store(g, discharged, deceased);
	if (rc == HG_OK)
		g->res->episodes++;
	return rc;
}

/* Number of episodes of one patient: mostly one; readmissions for about one in four. */
static const struct share episodes_per_patient[] = {{720, 1, 1}, {180, 2, 2}, {70, 3, 3}, {30, 4, 4}};

hg_status demo_generate(store *s, const demo_options *o, demo_result *out, char *err, size_t errlen)
{
	struct gen g;
	struct patient pt;
	hg_status rc = HG_OK;
	memset(&g, 0, sizeof g);
	memset(out, 0, sizeof *out);
	if (o->episodes < 1 || o->episodes > DEMO_EPISODES_MAX) {
		(void)snprintf(err, errlen, "episodes must be 1..%d", DEMO_EPISODES_MAX);
		return HG_EINVAL;
	}
	g.s = s;
	demo_rng_seed(&g.rng, o->seed);
	g.now = o->now;
	g.reserve_numbers = o->reserve_numbers;
	g.res = out;
	g.err = err;
	g.errlen = errlen;
	for (g.ids_cap = 64; g.ids_cap < (size_t)o->episodes * 4; g.ids_cap *= 2)
		;
	g.ids = hg_calloc(g.ids_cap, sizeof *g.ids);
	g.plan = hg_malloc(PLAN_MAX * sizeof *g.plan);
	if (!g.ids || !g.plan) {
		(void)snprintf(err, errlen, "out of memory");
		rc = HG_ENOMEM;
		goto out;
	}
	/* A few episodes are kept in hospital at `now` (max(3, 2 %) each: admitted, and ready and waiting). */
	int forced = o->episodes / 50 > 3 ? o->episodes / 50 : 3;
	while (out->episodes < o->episodes) {
		rc = patient_new(&g, &pt);
		if (rc)
			goto out;
		out->patients++;
		enum scenario sc = out->episodes < forced	? SCENARIO_IN_HOSPITAL
				   : out->episodes < 2 * forced ? SCENARIO_WAITING
								: SCENARIO_NORMAL;
		hg_instant t0;
		int stays = 1;
		if (sc == SCENARIO_IN_HOSPITAL)
			t0 = g.now - rnd(&g, HOUR, 40 * HOUR);
		else if (sc == SCENARIO_WAITING)
			t0 = g.now - rnd(&g, 5 * DAY, 14 * DAY);
		else {
			t0 = g.now - rnd(&g, 2 * HOUR, DEMO_HISTORY_DAYS * DAY);
			stays = (int)draw(&g, episodes_per_patient, COUNT(episodes_per_patient));
		}
		for (int i = 0; i < stays && out->episodes < o->episodes; i++) {
			hg_instant discharged;
			bool deceased;
			rc = run_episode(&g, &pt, t0, sc, &discharged, &deceased);
			if (rc)
				goto out;
			if (discharged == HG_INSTANT_NONE || deceased)
				break;
			t0 = discharged + (chance(&g, 350) ? rnd(&g, DAY, 29 * DAY) : rnd(&g, 31 * DAY, 240 * DAY));
			if (t0 >= g.now - HOUR)
				break;
		}
	}
out:
	hg_free(g.ids);
	hg_free(g.plan);
	return rc;
}
