/*
 * demo.c - the demo region or country and its episodes (see demo.h).
 *
 * The shape is data: tables of municipalities (real SCB codes and names),
 * hospitals, wards, primary care units and logins. For the region they are
 * Dalarna's tables below; for the country the same Dalarna plus the other 20
 * regions built from demo_country.c (hospitals, wards and primary care units
 * derived from each municipality's size). Both become one `world` of plain
 * arrays that the generator reads, so the region demo draws exactly what it
 * always drew.
 *
 * The episodes are planned one at a time as a list of events with clinical
 * times (the flow of design.md §1 with realistic delays and a few of
 * everything that goes wrong), sorted by time, cut at `now`, and judged one
 * by one by the core (episode_append on the fold kept in memory) with
 * recorded_at = occurred_at + a small delay. References between events
 * (acknowledgement -> notice, reply -> request, cancellation -> notice) are
 * planned as indices and turned into seq numbers as the events are judged. A
 * judged episode goes whole to the bulk loader (store/store_bulk.h).
 *
 * Patients: a fictitious name, a valid personnummer (or a reserve number on
 * request) drawn without repeats, a registered municipality weighted by
 * population and a primary care unit there. Some patients come back: a patient
 * has one to four episodes, some within 30 days of the last discharge, each
 * admitted after the discharge before it (never two stays at once).
 * A few episodes are forced to be in hospital or waiting as ready at `now`, so
 * that even a small demo shows every state.
 */
#include "cli/demo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/episode.h"
#include "core/pnr.h"
#include "core/survey.h"
#include "core/text.h"
#include "store/followup_store.h"
#include "store/store_bulk.h"

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
	{"ifo-falun", "Handläggare IFO, Falu kommun (demo)", ROLE_MUNICIPAL_IFO, "2080", {"K2080-IFO"}},
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

/* snprintf into a name or id buffer: the demo's names fit, and a longer one is cut, never overflows. */
__attribute__((format(printf, 3, 4))) static void text_printf(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
}

/* ---- the world: the region or the country as plain arrays ---- */

/* Who authors an event of a unit: [AUTHOR_STAFF] a person, [AUTHOR_RECORDS] the records system. */
enum { AUTHOR_STAFF = 0, AUTHOR_RECORDS, AUTHOR_KINDS };

struct w_region {
	char code[8]; /* "R20" */
	char name[HG_NAME_MAX];
	char county[4];
	int county_hospital; /* index into hospitals: where the region sends what its other hospitals cannot take */
};

struct w_municipality {
	char code[8];
	char org_name[HG_NAME_MAX];
	char town[HG_NAME_MAX];
	char postal[4];
	int population;
	int region;
	int hospital; /* where its patients go */
	int pc_first, pc_count;
	const char *author[2][AUTHOR_KINDS]; /* per municipal unit kind */
};

struct w_hospital {
	char name[HG_NAME_MAX];
	char municipality[8];
	int region;
	int ward_first, ward_count;
};

struct w_ward {
	char id[HG_ID_MAX];
	char name[HG_NAME_MAX];
	int hospital;
	care_type care;
	const char *author[AUTHOR_KINDS];
};

struct w_primary_care {
	char id[HG_ID_MAX];
	char name[HG_NAME_MAX];
	int municipality;
	const char *author[AUTHOR_KINDS];
};

struct world {
	bool country;
	int n_regions, n_municipalities, n_hospitals, n_wards, n_pc;
	struct w_region *regions;
	struct w_municipality *municipalities;
	struct w_hospital *hospitals;
	struct w_ward *wards;
	struct w_primary_care *pc;
	int64_t total_population;
};

/* Room for the country: 21 regions, 290 municipalities, 72 hospitals. */
#define W_REGIONS_MAX 32
#define W_MUNICIPALITIES_MAX 320
#define W_HOSPITALS_MAX 96
#define W_WARDS_MAX 640
#define W_PC_MAX 1400

static const struct ward_template {
	const char *name;
	care_type care;
} county_hospital_wards[] = {
	{"Medicin", CARE_SOMATIC},  {"Kardiologi", CARE_SOMATIC}, {"Kirurgi", CARE_SOMATIC},
	{"Ortopedi", CARE_SOMATIC}, {"Geriatrik", CARE_GERIATRIC}, {"Allmänpsykiatri", CARE_PSYCHIATRIC},
},
  local_hospital_wards[] = {
	{"Medicin", CARE_SOMATIC},
	{"Kirurgi och ortopedi", CARE_SOMATIC},
	{"Geriatrik", CARE_GERIATRIC},
};

/* Primary care units of a town with several: "Vårdcentralen Umeå Centrum", ... then numbers. */
static const char *const pc_suffixes[] = {"Centrum", "Norra", "Södra", "Östra", "Västra",
					  "Hamnen", "Parken", "Torget", "Ängen", "Backen"};
#define PC_INHABITANTS 12000 /* one primary care unit per this many inhabitants (at least one) */

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
 * unit's own records system. Worked out once per unit when the world is built.
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

static void set_authors(const char *author[AUTHOR_KINDS], const char *unit)
{
	author[AUTHOR_STAFF] = author_user_for(unit, false);
	author[AUTHOR_RECORDS] = author_user_for(unit, true);
}

static void municipal_unit_id(char *out, size_t cap, const char *code, int k)
{
	text_printf(out, cap, "K%s-%s", code, municipal_kinds[k].suffix);
}

static int add_region(struct world *w, const char *county, const char *name)
{
	struct w_region *r = &w->regions[w->n_regions];
	text_printf(r->code, sizeof r->code, "R%s", county);
	text_printf(r->name, sizeof r->name, "%s (demo)", name);
	(void)hg_copy(r->county, sizeof r->county, county);
	r->county_hospital = -1;
	return w->n_regions++;
}

static int add_municipality(struct world *w, int region, const char *code, const char *org_name, const char *town,
			    const char *postal, int population)
{
	struct w_municipality *m = &w->municipalities[w->n_municipalities];
	(void)hg_copy(m->code, sizeof m->code, code);
	(void)hg_copy(m->org_name, sizeof m->org_name, org_name);
	(void)hg_copy(m->town, sizeof m->town, town);
	(void)hg_copy(m->postal, sizeof m->postal, postal);
	m->population = population;
	m->region = region;
	m->hospital = -1;
	for (int k = 0; k < (int)COUNT(municipal_kinds); k++) {
		char id[HG_ID_MAX];
		municipal_unit_id(id, sizeof id, code, k);
		set_authors(m->author[k], id);
	}
	w->total_population += population;
	return w->n_municipalities++;
}

static int add_hospital(struct world *w, int region, const char *name, const char *municipality)
{
	struct w_hospital *h = &w->hospitals[w->n_hospitals];
	(void)hg_copy(h->name, sizeof h->name, name);
	(void)hg_copy(h->municipality, sizeof h->municipality, municipality);
	h->region = region;
	h->ward_first = w->n_wards;
	h->ward_count = 0;
	return w->n_hospitals++;
}

/* Wards are added right after their hospital, so a hospital's wards are one range. */
static void add_ward(struct world *w, int hospital, const char *id, const char *name, care_type care)
{
	struct w_ward *x = &w->wards[w->n_wards++];
	(void)hg_copy(x->id, sizeof x->id, id);
	(void)hg_copy(x->name, sizeof x->name, name);
	x->hospital = hospital;
	x->care = care;
	set_authors(x->author, id);
	w->hospitals[hospital].ward_count++;
}

static void add_primary_care(struct world *w, int municipality, const char *id, const char *name)
{
	struct w_primary_care *p = &w->pc[w->n_pc];
	struct w_municipality *m = &w->municipalities[municipality];
	(void)hg_copy(p->id, sizeof p->id, id);
	(void)hg_copy(p->name, sizeof p->name, name);
	p->municipality = municipality;
	set_authors(p->author, id);
	if (m->pc_count == 0)
		m->pc_first = w->n_pc;
	m->pc_count++;
	w->n_pc++;
}

/* Dalarna from the tables above: the region demo, and one region of the country. */
static void add_dalarna(struct world *w)
{
	int r = add_region(w, "20", "Region Dalarna");
	int m0 = w->n_municipalities, h0 = w->n_hospitals;
	for (int m = 0; m < MUNICIPALITY_COUNT; m++) {
		const struct demo_municipality *d = &municipalities[m];
		int i = add_municipality(w, r, d->code, d->org_name, d->town, d->postal, d->population);
		w->municipalities[i].hospital = h0 + d->hospital;
	}
	for (int h = 0; h < HOSPITAL_COUNT; h++) {
		(void)add_hospital(w, r, hospital_names[h], hospital_municipality[h]);
		for (int x = 0; x < WARD_COUNT; x++)
			if (wards[x].hospital == h)
				add_ward(w, h0 + h, wards[x].id, wards[x].name, wards[x].care);
	}
	w->regions[r].county_hospital = h0 + H_FALUN;
	/* the table lists each municipality's units together */
	for (int m = 0; m < MUNICIPALITY_COUNT; m++)
		for (int v = 0; v < PRIMARY_CARE_COUNT; v++)
			if (strcmp(primary_care_units[v].municipality, municipalities[m].code) == 0)
				add_primary_care(w, m0 + m, primary_care_units[v].id, primary_care_units[v].name);
}

/* A region of the country from demo_country.c: its municipalities, hospitals, wards and primary care. */
static void add_country_region(struct world *w, const demo_county *county, const demo_country_municipality *rows,
			       size_t n_rows)
{
	char hsa[16], id[HG_ID_MAX], name[HG_NAME_MAX];
	int r = add_region(w, county->code, county->region_name);
	int m0 = w->n_municipalities, h0 = w->n_hospitals;
	text_printf(hsa, sizeof hsa, "SE23210000%s", county->code);
	for (size_t i = 0; i < n_rows; i++) {
		const demo_country_municipality *c = &rows[i];
		if (strncmp(c->code, county->code, 2) != 0)
			continue;
		char org_name[HG_NAME_MAX], postal[4];
		text_printf(org_name, sizeof org_name, "%s kommun", c->name);
		text_printf(postal, sizeof postal, "%03d", 100 + (int)((strtol(c->code, NULL, 10) * 7) % 880));
		int m = add_municipality(w, r, c->code, org_name, c->name, postal, c->population);
		if (c->hospital == HOSPITAL_NONE)
			continue;
		/* a big town's hospital has several wards of each kind */
		bool main = c->hospital == HOSPITAL_COUNTY;
		int hh = w->n_hospitals - h0, sets = 1 + c->population / 200000;
		text_printf(name, sizeof name, main ? "Länssjukhuset %s" : "%s lasarett", c->name);
		int h = add_hospital(w, r, name, c->code);
		w->municipalities[m].hospital = h;
		if (main)
			w->regions[r].county_hospital = h;
		const struct ward_template *t = main ? county_hospital_wards : local_hospital_wards;
		int nt = main ? (int)COUNT(county_hospital_wards) : (int)COUNT(local_hospital_wards);
		for (int set = 0; set < sets; set++) {
			for (int k = 0; k < nt; k++) {
				int number = 10 * (set + 1) + k + 1;
				text_printf(id, sizeof id, "%s-E1%02d%02d", hsa, hh, number);
				text_printf(name, sizeof name, "Avd %d %s, %s", number, t[k].name, w->hospitals[h].name);
				add_ward(w, h, id, name, t[k].care);
			}
		}
	}
	/* The other municipalities go to the region's hospitals in turn (the demo knows no distances). */
	int n_h = w->n_hospitals - h0, turn = 0;
	for (int m = m0; m < w->n_municipalities; m++) {
		struct w_municipality *mu = &w->municipalities[m];
		if (mu->hospital < 0)
			mu->hospital = h0 + turn++ % n_h;
		int units = (mu->population + PC_INHABITANTS / 2) / PC_INHABITANTS;
		units = units < 1 ? 1 : units;
		for (int k = 0; k < units; k++) {
			text_printf(id, sizeof id, "%s-E2%03d%02d", hsa, m - m0, k);
			if (units == 1)
				text_printf(name, sizeof name, "Vårdcentralen %s", mu->town);
			else if (k < (int)COUNT(pc_suffixes))
				text_printf(name, sizeof name, "Vårdcentralen %s %s", mu->town, pc_suffixes[k]);
			else
				text_printf(name, sizeof name, "Vårdcentralen %s %d", mu->town, k + 1);
			add_primary_care(w, m, id, name);
		}
	}
}

static void world_free(struct world *w)
{
	if (!w)
		return;
	hg_free(w->regions);
	hg_free(w->municipalities);
	hg_free(w->hospitals);
	hg_free(w->wards);
	hg_free(w->pc);
	hg_free(w);
}

bool demo_is_country(const demo_options *o)
{
	return o->shape == DEMO_SHAPE_COUNTRY || (o->shape == DEMO_SHAPE_AUTO && o->episodes > DEMO_REGION_EPISODES_MAX);
}

/* The region (Dalarna) or the country; *out is freed with world_free. */
static hg_status world_new(bool country, struct world **out)
{
	struct world *w = hg_calloc(1, sizeof *w);
	*out = NULL;
	if (!w)
		return HG_ENOMEM;
	w->country = country;
	w->regions = hg_calloc(W_REGIONS_MAX, sizeof *w->regions);
	w->municipalities = hg_calloc(W_MUNICIPALITIES_MAX, sizeof *w->municipalities);
	w->hospitals = hg_calloc(W_HOSPITALS_MAX, sizeof *w->hospitals);
	w->wards = hg_calloc(W_WARDS_MAX, sizeof *w->wards);
	w->pc = hg_calloc(W_PC_MAX, sizeof *w->pc);
	if (!w->regions || !w->municipalities || !w->hospitals || !w->wards || !w->pc) {
		world_free(w);
		return HG_ENOMEM;
	}
	if (!country) {
		add_dalarna(w);
	} else {
		size_t n_counties, n_rows;
		const demo_county *counties = demo_counties(&n_counties);
		const demo_country_municipality *rows = demo_country_municipalities(&n_rows);
		for (size_t i = 0; i < n_counties; i++) {
			if (strcmp(counties[i].code, "20") == 0)
				add_dalarna(w);
			else
				add_country_region(w, &counties[i], rows, n_rows);
		}
	}
	*out = w;
	return HG_OK;
}

/* ---- writing the world ---- */

static void set_err(char *err, size_t errlen, const char *what, const char *id, hg_status rc)
{
	text_printf(err, errlen, "cannot store %s '%s': %s", what, id, hg_status_name(rc));
}

static hg_status put_org(store *s, const char *code, const char *name, org_kind kind, const char *county, char *err,
			 size_t errlen)
{
	store_org o;
	memset(&o, 0, sizeof o);
	(void)hg_copy(o.code, sizeof o.code, code);
	(void)hg_copy(o.name, sizeof o.name, name);
	o.kind = kind;
	(void)hg_copy(o.county, sizeof o.county, county);
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
	(void)hg_copy(u.id, sizeof u.id, id);
	(void)hg_copy(u.org, sizeof u.org, org);
	(void)hg_copy(u.name, sizeof u.name, name);
	u.kind = kind;
	u.care = CARE_SOMATIC;
	(void)hg_copy(u.municipality, sizeof u.municipality, municipality);
	return u;
}

static hg_status put_units(store *s, const struct world *w, char *err, size_t errlen)
{
	hg_status rc = HG_OK;
	char id[HG_ID_MAX], name[HG_NAME_MAX];
	for (int i = 0; i < w->n_wards && !rc; i++) {
		const struct w_hospital *h = &w->hospitals[w->wards[i].hospital];
		store_unit u = unit_row(w->wards[i].id, w->regions[h->region].code, w->wards[i].name, UNIT_WARD,
					h->municipality);
		u.care = w->wards[i].care;
		(void)hg_copy(u.hospital, sizeof u.hospital, h->name);
		rc = put_unit(s, &u, err, errlen);
	}
	for (int i = 0; i < w->n_pc && !rc; i++) {
		const struct w_municipality *m = &w->municipalities[w->pc[i].municipality];
		store_unit u = unit_row(w->pc[i].id, w->regions[m->region].code, w->pc[i].name, UNIT_PRIMARY_CARE, m->code);
		rc = put_unit(s, &u, err, errlen);
	}
	for (int i = 0; i < w->n_municipalities && !rc; i++) {
		const struct w_municipality *m = &w->municipalities[i];
		for (int k = 0; k < (int)COUNT(municipal_kinds) && !rc; k++) {
			municipal_unit_id(id, sizeof id, m->code, k);
			text_printf(name, sizeof name, "%s, %s", m->org_name, municipal_kinds[k].name);
			store_unit u = unit_row(id, m->code, name, municipal_kinds[k].kind, m->code);
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
			text_printf(id, sizeof id, "K%s-ADM", municipalities[m].code);
			text_printf(name, sizeof name, "%s, socialförvaltningen (administration)",
				       municipalities[m].org_name);
			store_unit u = unit_row(id, municipalities[m].code, name, UNIT_ADMIN, municipalities[m].code);
			rc = put_unit(s, &u, err, errlen);
			/* individual and family care (IFO, issue 14.7): a municipal party of its own */
			text_printf(id, sizeof id, "K%s-IFO", municipalities[m].code);
			text_printf(name, sizeof name, "%s, individ- och familjeomsorgen (IFO)", municipalities[m].org_name);
			u = unit_row(id, municipalities[m].code, name, UNIT_MUNICIPAL_IFO, municipalities[m].code);
			if (!rc)
				rc = put_unit(s, &u, err, errlen);
		}
	}
	return rc;
}

/* The organisations, units and users of the world. */
static hg_status create_world(store *s, const struct world *w, const char *password_hash, hg_instant now, char *err,
			      size_t errlen)
{
	hg_status rc = HG_OK;
	for (int r = 0; r < w->n_regions && !rc; r++) {
		const struct w_region *x = &w->regions[r];
		rc = put_org(s, x->code, x->name, ORG_REGION, x->county, err, errlen);
		for (int m = 0; m < w->n_municipalities && !rc; m++)
			if (w->municipalities[m].region == r)
				rc = put_org(s, w->municipalities[m].code, w->municipalities[m].org_name, ORG_MUNICIPALITY,
					     x->county, err, errlen);
	}
	if (!rc)
		rc = put_units(s, w, err, errlen);
	for (size_t i = 0; i < COUNT(logins) && !rc; i++) {
		store_user u;
		int64_t id;
		memset(&u, 0, sizeof u);
		(void)hg_copy(u.username, sizeof u.username, logins[i].username);
		(void)hg_copy(u.display_name, sizeof u.display_name, logins[i].display_name);
		(void)hg_copy(u.org, sizeof u.org, logins[i].org);
		u.role = logins[i].role;
		for (int k = 0; k < STORE_USER_UNITS_MAX && logins[i].units[k]; k++)
			(void)hg_copy(u.units[u.n_units++], sizeof u.units[0], logins[i].units[k]);
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

/* A unit as an author or recipient, with the users its events are attributed to. */
struct party {
	event_party p;
	const char *author[AUTHOR_KINDS];
};

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
	const struct world *w;
	store_bulk *bulk; /* the episodes' writer (SQLite or PostgreSQL) */
	demo_rng rng;
	hg_instant now;
	hg_instant history; /* episodes start within this long before now */
	bool reserve_numbers;
	struct plan_item *plan; /* PLAN_MAX items */
	struct plan_item sink;  /* receives events planned beyond PLAN_MAX (then overflow is set) */
	int n;
	bool overflow;
	int order[PLAN_MAX];
	int32_t seq_of[PLAN_MAX];
	event *evs;         /* PLAN_MAX: the judged events of the episode, in seq order */
	episode_state *st;  /* their fold */
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

static struct party party(const char *unit, unit_kind kind, const char *org, const char *const author[AUTHOR_KINDS])
{
	struct party p;
	memset(&p, 0, sizeof p);
	(void)hg_copy(p.p.unit, sizeof p.p.unit, unit);
	p.p.kind = kind;
	(void)hg_copy(p.p.org, sizeof p.p.org, org);
	p.author[AUTHOR_STAFF] = author[AUTHOR_STAFF];
	p.author[AUTHOR_RECORDS] = author[AUTHOR_RECORDS];
	return p;
}

static struct party ward_party(const struct gen *g, int x)
{
	const struct w_ward *wd = &g->w->wards[x];
	return party(wd->id, UNIT_WARD, g->w->regions[g->w->hospitals[wd->hospital].region].code, wd->author);
}
static struct party primary_care_party(const struct gen *g, int v)
{
	const struct w_primary_care *p = &g->w->pc[v];
	return party(p->id, UNIT_PRIMARY_CARE, g->w->regions[g->w->municipalities[p->municipality].region].code,
		     p->author);
}
static struct party municipal_party(const struct gen *g, int m, int k)
{
	char id[HG_ID_MAX];
	const struct w_municipality *mu = &g->w->municipalities[m];
	municipal_unit_id(id, sizeof id, mu->code, k);
	return party(id, municipal_kinds[k].kind, mu->code, mu->author[k]);
}

/* Events a ward's records system sends; staff record the rest. */
static bool by_records_system(event_type t)
{
	return t == EVENT_ADMITTED || t == EVENT_TRANSFERRED || t == EVENT_DISCHARGED || t == EVENT_ADMISSION_NOTICE ||
	       t == EVENT_READY_FOR_DISCHARGE;
}

/* Plans an event of type t at `at` authored by unit p, recorded `delay` seconds later; returns it for its payload. */
static event *plan_put(struct gen *g, event_type t, hg_instant at, const struct party *p, int ref, hg_instant delay)
{
	struct plan_item *it = g->n < PLAN_MAX ? &g->plan[g->n++] : &g->sink;
	bool records_system = by_records_system(t);
	if (it == &g->sink)
		g->overflow = true;
	event_init(&it->ev, t);
	it->ev.occurred_at = at;
	(void)hg_copy(it->ev.author_unit, sizeof it->ev.author_unit, p->p.unit);
	it->ev.author_kind = p->p.kind;
	(void)hg_copy(it->ev.author_org, sizeof it->ev.author_org, p->p.org);
	(void)hg_copy(it->ev.author_user, sizeof it->ev.author_user, p->author[records_system ? AUTHOR_RECORDS : AUTHOR_STAFF]);
	it->ref = ref;
	it->delay = delay;
	return &it->ev;
}

/* plan_put with a drawn recording delay: seconds from a records system, minutes from staff. */
static event *plan_add(struct gen *g, event_type t, hg_instant at, const struct party *p, int ref)
{
	hg_instant delay = by_records_system(t) ? rnd(g, 20, 180) : rnd(g, 10, 900);
	return plan_put(g, t, at, p, ref, delay);
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
	const struct world *w = g->w;
	int64_t x = (int64_t)demo_rng_below(&g->rng, (uint32_t)w->total_population);
	for (int m = 0; m < w->n_municipalities; m++) {
		if (x < w->municipalities[m].population)
			return m;
		x -= w->municipalities[m].population;
	}
	return w->n_municipalities - 1; /* NEVER */
}

static int pick_primary_care(struct gen *g, int m)
{
	const struct w_municipality *mu = &g->w->municipalities[m];
	return mu->pc_count ? mu->pc_first + (int)demo_rng_below(&g->rng, (uint32_t)mu->pc_count) : 0;
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
		const struct w_municipality *mu = &g->w->municipalities[pt->municipality];
		(void)hg_copy(pt->data.registered_municipality, sizeof pt->data.registered_municipality, mu->code);
		(void)hg_copy(pt->data.primary_care_unit, sizeof pt->data.primary_care_unit,
			  g->w->pc[pt->primary_care].id);
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
	const struct w_hospital *h = &g->w->hospitals[hospital];
	int candidates[W_WARDS_MAX], n = 0;
	for (int x = h->ward_first; x < h->ward_first + h->ward_count; x++)
		if (g->w->wards[x].care == care)
			candidates[n++] = x;
	return n ? candidates[demo_rng_below(&g->rng, (uint32_t)n)] : -1;
}

/* The admitting ward: the patient's nearest hospital (sometimes the county hospital) and a care type by age. */
static int choose_ward(struct gen *g, const struct patient *pt)
{
	const struct w_municipality *mu = &g->w->municipalities[pt->municipality];
	int h = mu->hospital, county = g->w->regions[mu->region].county_hospital;
	care_type care = CARE_SOMATIC;
	int x = (int)rnd(g, 0, 999);
	if (h != county && x < 120)
		h = county;
	x = (int)rnd(g, 0, 999);
	if (pt->age < 65)
		care = x < 380 ? CARE_PSYCHIATRIC : CARE_SOMATIC;
	else
		care = x < 40 ? CARE_PSYCHIATRIC : x < 300 ? CARE_GERIATRIC : CARE_SOMATIC;
	int w = pick_ward(g, h, care);
	if (w < 0 && care == CARE_PSYCHIATRIC)
		w = pick_ward(g, county, care);
	if (w < 0)
		w = pick_ward(g, h, CARE_SOMATIC);
	return w;
}

/* Where a patient moves: an older patient from a somatic ward to geriatrics where there is one, else another ward. */
static int transfer_target(struct gen *g, int from, int age)
{
	const struct w_ward *f = &g->w->wards[from];
	const struct w_hospital *h = &g->w->hospitals[f->hospital];
	if (f->care == CARE_SOMATIC && age >= 65) {
		int w = pick_ward(g, f->hospital, CARE_GERIATRIC);
		if (w >= 0)
			return w;
	}
	int candidates[W_WARDS_MAX], n = 0;
	for (int w = h->ward_first; w < h->ward_first + h->ward_count; w++)
		if (w != from && g->w->wards[w].care == f->care)
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

/*
 * One episode being planned: who takes part, and the times each phase of
 * plan_episode fixes for the phases after it.
 */
struct episode_ctx {
	const struct gen *g;
	const struct patient *pt;
	enum scenario sc;
	int ward, ward2;           /* admitting ward; ward after the transfer or -1 */
	hg_instant t0, t_transfer; /* admission; transfer or NONE */
	int recipients;
	struct party to[3];
	struct party social, health, primary;
	const char *region; /* the region of the admitting ward: deviations about the hospital name it */
	bool health_involved; /* municipal home health care is a recipient */
	care_type care;       /* of the admitting ward */
	/* the outcome: when the doctor will judge the patient ready, and what the stay ends in */
	hg_instant stay, t_ready, t_end; /* t_end: the (first) ready notice, or the death */
	discharge_destination dest;
	bool has_ready; /* not a death in hospital: ready notices, care contact, SIP */
	/* the admission notice */
	hg_instant t_notice, need_judged; /* NONE: never sent / no need judged first */
	hg_date expected;                 /* the expected discharge date it gives */
	int notice;                       /* its plan index, or -1 */
	bool declined;                    /* the patient declined consent: no information goes out (issue 14) */
	track_colour track;               /* the process track, as last set */
	/* the ready notice to the discharge */
	hg_instant t_final, t_dis, t_cc; /* last ready notice; discharge; care contact appointed (or NONE) */
};

static const struct party *ward_at(const struct episode_ctx *c, hg_instant t, struct party *buf)
{
	*buf = ward_party(c->g, c->ward2 >= 0 && t >= c->t_transfer ? c->ward2 : c->ward);
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
		r->to[i] = c->to[i].p;
}

static void staff_name(struct gen *g, char *out, size_t cap)
{
	const char *first = chance(g, 800) ? PICK(g, female_names) : PICK(g, male_names);
	(void)snprintf(out, cap, "%s %s", first, PICK(g, last_names));
}

/* A deviation reported by `by` at `at` against the organisation `against`. */
static void plan_deviation(struct gen *g, hg_instant at, const struct party *by, deviation_category category,
			   const char *against, const char *note)
{
	event *ev = plan_add(g, EVENT_DEVIATION, at, by, -1);
	ev->u.deviation.category = category;
	(void)hg_copy(ev->u.deviation.against_org, sizeof ev->u.deviation.against_org, against);
	(void)hg_copy(ev->note, sizeof ev->note, note);
}

/* The episode's parties: the admitting ward, the recipients of its notices. */
static void episode_start(struct gen *g, struct episode_ctx *c, const struct patient *pt, hg_instant t0,
			  enum scenario sc)
{
	memset(c, 0, sizeof *c);
	c->g = g;
	c->pt = pt;
	c->sc = sc;
	c->t0 = t0;
	c->ward = choose_ward(g, pt);
	c->ward2 = -1;
	c->t_transfer = HG_INSTANT_NONE;
	c->social = municipal_party(g, pt->municipality, 0);
	c->health = municipal_party(g, pt->municipality, 1);
	c->primary = primary_care_party(g, pt->primary_care);
	const struct w_ward *ward = &g->w->wards[c->ward];
	c->region = g->w->regions[g->w->hospitals[ward->hospital].region].code;
	c->to[c->recipients++] = c->social;
	c->to[c->recipients++] = c->primary;
	c->health_involved = chance(g, 350);
	if (c->health_involved)
		c->to[c->recipients++] = c->health;
	c->care = ward->care;
	c->notice = -1;
	c->t_notice = c->need_judged = c->t_cc = HG_INSTANT_NONE;
}

/* When the doctor will judge the patient ready, and what the stay ends in. */
static void plan_outcome(struct gen *g, struct episode_ctx *c)
{
	hg_instant t0 = c->t0;
	c->stay = rnd(g, ready_after[c->care].lo, ready_after[c->care].hi);
	c->t_ready = at_daytime(g, t0 + c->stay, 9, 15, t0 + 12 * HOUR);
	if (c->sc == SCENARIO_IN_HOSPITAL && c->t_ready < g->now + 6 * HOUR)
		c->t_ready = at_daytime(g, g->now + rnd(g, 6 * HOUR, 3 * DAY), 9, 15, g->now + 6 * HOUR);
	if (c->sc == SCENARIO_WAITING && c->t_ready > g->now - 2 * HOUR)
		c->t_ready = g->now - rnd(g, 2 * HOUR, (g->now - t0) / 2);
	int x = (int)rnd(g, 0, 999);
	c->dest = DEST_OWN_HOME;
	for (size_t i = 0; i < COUNT(destinations); i++) {
		if (x < destinations[i].permille) {
			c->dest = destinations[i].dest;
			break;
		}
		x -= destinations[i].permille;
	}
	if (c->sc != SCENARIO_NORMAL && c->dest == DEST_DECEASED)
		c->dest = DEST_OWN_HOME;
	c->has_ready = c->dest != DEST_DECEASED;
	c->t_end = c->has_ready ? c->t_ready : t0 + rnd(g, 12 * HOUR, c->stay);
}

static void plan_admission(struct gen *g, struct episode_ctx *c)
{
	struct party wbuf;
	const struct w_ward *ward = &g->w->wards[c->ward];
	event *ev = plan_add(g, EVENT_ADMITTED, c->t0, ward_at(c, c->t0, &wbuf), -1);
	ev->u.admitted.patient = c->pt->data;
	(void)hg_copy(ev->u.admitted.hospital, sizeof ev->u.admitted.hospital, g->w->hospitals[ward->hospital].name);
	(void)hg_copy(ev->u.admitted.ward, sizeof ev->u.admitted.ward, ward->id);
	ev->u.admitted.care = c->care;
}

/* A move to another ward early in the stay. */
static void plan_transfer(struct gen *g, struct episode_ctx *c)
{
	struct party wbuf;
	if (!chance(g, 80) || c->t_end - c->t0 <= 30 * HOUR)
		return;
	int to = transfer_target(g, c->ward, c->pt->age);
	if (to < 0)
		return;
	c->t_transfer = c->t0 + rnd(g, 6 * HOUR, (c->t_end - c->t0) / 2);
	c->ward2 = to;
	event *ev = plan_add(g, EVENT_TRANSFERRED, c->t_transfer, ward_at(c, c->t_transfer, &wbuf), -1);
	(void)hg_copy(ev->u.transferred.ward, sizeof ev->u.transferred.ward, g->w->wards[to].id);
	ev->u.transferred.care = g->w->wards[to].care;
}

/* When the admission notice goes (mostly within 24 h, a few late, a few never) and the date it expects. */
static void notice_times(struct gen *g, struct episode_ctx *c)
{
	hg_instant t0 = c->t0;
	int x = (int)rnd(g, 0, 999);
	if (x < 60 || (!c->has_ready && x < 300)) {
		/* never sent */
	} else if (x < 120) {
		c->t_notice = t0 + rnd(g, 25 * HOUR, 72 * HOUR);
	} else if (x < 200 && c->sc == SCENARIO_NORMAL) {
		c->need_judged = t0 + rnd(g, 1 * DAY, 3 * DAY);
		c->t_notice = c->need_judged + rnd(g, 1 * HOUR, 20 * HOUR);
	} else {
		c->t_notice = t0 + rnd(g, 20 * MINUTE, 20 * HOUR);
	}
	if (c->t_notice != HG_INSTANT_NONE && c->t_notice > c->t_end - 2 * HOUR) {
		if (!c->has_ready) {
			c->t_notice = HG_INSTANT_NONE;
		} else {
			c->t_ready = at_daytime(g, c->t_notice + rnd(g, 3 * HOUR, 30 * HOUR), 9, 15, c->t_notice + 2 * HOUR);
			c->t_end = c->t_ready;
		}
	}
	if (c->sc == SCENARIO_WAITING && c->t_ready > g->now - HOUR) {
		/* keep the waiting patient waiting: the notice went early */
		c->t_notice = t0 + rnd(g, 20 * MINUTE, 2 * HOUR);
		c->need_judged = HG_INSTANT_NONE;
		c->t_ready = c->t_notice + (g->now - c->t_notice) / 2;
		c->t_end = c->t_ready;
	}
	c->expected = cal_local_date(t0) + (hg_date)((c->t_end - t0) / DAY) + (hg_date)rnd(g, -1, 3);
}

/* Sent to the wrong municipality first, cancelled, sent again a little later. */
static void plan_wrong_notice(struct gen *g, struct episode_ctx *c, const struct party *author)
{
	struct episode_ctx wrong = *c;
	int nm = g->w->n_municipalities;
	int other = (c->pt->municipality + 1 + (int)rnd(g, 0, nm - 2)) % nm;
	wrong.to[0] = municipal_party(g, other, 0);
	event *ev = plan_add(g, EVENT_ADMISSION_NOTICE, c->t_notice, author, -1);
	set_recipients(&ev->u.admission_notice.recipients, &wrong);
	ev->u.admission_notice.expected_discharge_date = c->expected;
	ev->u.admission_notice.reason = ADMISSION_REASON_OTHER;
	int wrong_notice = last_index(g);
	c->t_notice += rnd(g, 30 * MINUTE, 3 * HOUR);
	ev = plan_add(g, EVENT_CANCELLED, c->t_notice, author, wrong_notice);
	(void)hg_copy(ev->note, sizeof ev->note, "Skickat till fel kommun.");
	c->t_notice += rnd(g, 2 * MINUTE, 20 * MINUTE);
	/* the notice sent again may fall on the next day: its date must not be in the past */
	if (c->expected < cal_local_date(c->t_notice))
		c->expected = cal_local_date(c->t_notice);
	/* and the ready notice (or the death) must still come after it */
	if (c->t_end < c->t_notice + 2 * HOUR) {
		c->t_end = c->t_notice + 2 * HOUR;
		if (c->has_ready)
			c->t_ready = c->t_end;
	}
}

/* The admission notice and its acknowledgements. */
static void plan_notice(struct gen *g, struct episode_ctx *c)
{
	struct party wbuf, author;
	notice_times(g, c);
	if (c->t_notice == HG_INSTANT_NONE)
		return;
	hg_date notice_date = cal_local_date(c->t_notice);
	if (c->expected < notice_date)
		c->expected = notice_date;
	author = *ward_at(c, c->t_notice, &wbuf);
	if (chance(g, 12))
		plan_wrong_notice(g, c, &author);
	event *ev = plan_add(g, EVENT_ADMISSION_NOTICE, c->t_notice, &author, -1);
	set_recipients(&ev->u.admission_notice.recipients, c);
	ev->u.admission_notice.expected_discharge_date = c->expected;
	/* a reason is required (issue 14); drawn without touching the random stream */
	ev->u.admission_notice.reason = (admission_reason)(1 + (int)((c->t0 / 60) % (ADMISSION_REASON_COUNT - 1)));
	ev->u.admission_notice.need_judged_at = c->need_judged;
	c->notice = last_index(g);
	plan_acks(g, c, c->notice, c->t_notice, 900);
}

/* The expected discharge date moves 0-3 times before the ready notice. */
static void plan_date_changes(struct gen *g, struct episode_ctx *c)
{
	static const struct share change_counts[] = {{500, 0, 0}, {250, 1, 1}, {150, 2, 2}, {100, 3, 3}};
	struct party wbuf;
	if (c->notice < 0 || c->t_end - c->t_notice <= 6 * HOUR)
		return;
	int changes = (int)draw(g, change_counts, COUNT(change_counts));
	hg_instant start = c->t_notice + 2 * HOUR, len = c->t_end - HOUR - start;
	hg_date current = c->expected;
	for (int i = 0; i < changes && len > 0; i++) {
		hg_instant t = start + len * (i + 1) / (changes + 1);
		hg_date today = cal_local_date(t);
		hg_date d = current + (hg_date)(chance(g, 350) ? rnd(g, -3, -1) : rnd(g, 1, 5));
		if (d < today)
			d = today;
		if (d == current)
			d = current + 1;
		event *ev = plan_add(g, EVENT_EXPECTED_DATE_CHANGED, t, ward_at(c, t, &wbuf), -1);
		ev->u.expected_date_changed.date = d;
		(void)hg_copy(ev->note, sizeof ev->note, PICK(g, date_change_notes));
		current = d;
	}
}

/* Consent recorded by the municipality now and then (no information goes to a party that declined). */
static void plan_consent(struct gen *g, struct episode_ctx *c)
{
	if (c->notice < 0 || !chance(g, 300))
		return;
	hg_instant t = c->t_notice + rnd(g, 2 * HOUR, 3 * DAY);
	event *ev = plan_add(g, EVENT_CONSENT_RECORDED, t, &c->social, -1);
	ev->u.consent_recorded.state = chance(g, 920) ? CONSENT_GIVEN : CONSENT_DECLINED;
	c->declined = ev->u.consent_recorded.state == CONSENT_DECLINED;
	(void)hg_copy(ev->u.consent_recorded.scope, sizeof ev->u.consent_recorded.scope, "care_planning");
	int x = (int)rnd(g, 0, 99);
	ev->u.consent_recorded.how = x < 70 ? CONSENT_HOW_VERBAL
				     : x < 85 ? CONSENT_HOW_WRITTEN
				     : x < 95 ? CONSENT_HOW_REPRESENTATIVE
					      : CONSENT_HOW_PRESUMED;
}

/* An information request from the municipality to the ward, answered unless consent was declined. */
static void plan_info_request(struct gen *g, struct episode_ctx *c)
{
	struct party wbuf, author;
	if (c->notice < 0 || !chance(g, 100) || c->t_end - c->t_notice <= 4 * HOUR)
		return;
	hg_instant t = c->t_notice + rnd(g, HOUR, c->t_end - c->t_notice - 2 * HOUR);
	author = *ward_at(c, t, &wbuf);
	event *ev = plan_add(g, EVENT_INFO_REQUESTED, t, &c->social, -1);
	ev->u.info_requested.to = author.p;
	(void)hg_copy(ev->note, sizeof ev->note, "Hur går patienten? Behov av hjälp med förflyttning?");
	int request = last_index(g);
	hg_instant t_reply = t + rnd(g, HOUR, 30 * HOUR);
	if (!c->declined) {
		ev = plan_add(g, EVENT_INFO_REPLIED, t_reply, &author, request);
		(void)hg_copy(ev->note, sizeof ev->note, "Går med rollator, behöver tillsyn nattetid.");
	}
}

/* The process track: green ~50 %, yellow ~35 %, red ~15 % (more yellow and red in geriatrics and psychiatry). */
static void plan_track(struct gen *g, struct episode_ctx *c)
{
	struct party wbuf;
	int x = (int)rnd(g, 0, 999);
	const int *share = track_shares[c->care];
	c->track = x < share[0] ? TRACK_GREEN : x < share[0] + share[1] ? TRACK_YELLOW : TRACK_RED;
	hg_instant t_track = c->t0 + rnd(g, 12 * HOUR, 72 * HOUR);
	if (t_track > c->t_end - 30 * MINUTE)
		t_track = c->t0 + (c->t_end - c->t0) / 2;
	if (!c->has_ready && !chance(g, 500))
		return;
	bool by_primary = c->notice >= 0 && t_track > c->t_notice && chance(g, 350);
	event *ev = plan_add(g, EVENT_TRACK_SET, t_track, by_primary ? &c->primary : ward_at(c, t_track, &wbuf), -1);
	ev->u.track_set.colour = c->track;
	if (c->track != TRACK_RED && chance(g, 60) && c->t_end - t_track > 26 * HOUR) {
		hg_instant t = t_track + rnd(g, DAY, c->t_end - t_track - HOUR);
		c->track = (track_colour)(c->track + 1);
		ev = plan_add(g, EVENT_TRACK_SET, t, ward_at(c, t, &wbuf), -1);
		ev->u.track_set.colour = c->track;
	}
}

/* Ready for discharge; sometimes withdrawn and given again. A death has none: it ends the stay. */
static void plan_ready(struct gen *g, struct episode_ctx *c)
{
	struct party wbuf;
	c->t_dis = c->t_end;
	if (!c->has_ready)
		return;
	c->t_final = c->t_ready;
	event *ev = plan_add(g, EVENT_READY_FOR_DISCHARGE, c->t_ready, ward_at(c, c->t_ready, &wbuf), -1);
	if (c->notice < 0)
		set_recipients(&ev->u.ready_for_discharge.recipients, c);
	plan_acks(g, c, last_index(g), c->t_ready, 920);
	if (c->sc != SCENARIO_NORMAL || !chance(g, 50))
		return;
	hg_instant t_w = c->t_ready + rnd(g, 6 * HOUR, 48 * HOUR);
	ev = plan_add(g, EVENT_READY_WITHDRAWN, t_w, ward_at(c, t_w, &wbuf), -1);
	(void)hg_copy(ev->note, sizeof ev->note, PICK(g, withdraw_notes));
	c->t_final = at_daytime(g, t_w + rnd(g, DAY, 4 * DAY), 9, 15, t_w + HOUR);
	ev = plan_add(g, EVENT_READY_FOR_DISCHARGE, c->t_final, ward_at(c, c->t_final, &wbuf), -1);
	if (c->notice < 0)
		set_recipients(&ev->u.ready_for_discharge.recipients, c);
}

/* Municipality ready, and so the time of the discharge; some go without municipal services, a few too early. */
static void plan_municipality_ready(struct gen *g, struct episode_ctx *c)
{
	if (!c->has_ready)
		return;
	bool services = c->dest == DEST_OWN_HOME ? !(c->track == TRACK_GREEN && chance(g, 400))
						 : c->dest != DEST_OTHER_HOSPITAL;
	bool premature = services && c->sc == SCENARIO_NORMAL && chance(g, 20);
	hg_instant wait = draw(g, municipality_waits, COUNT(municipality_waits));
	if (c->sc == SCENARIO_WAITING)
		wait = (g->now - c->t_final) + rnd(g, 2 * DAY, 20 * DAY);
	if (services && !premature) {
		hg_instant t_mr = c->t_final + wait;
		bool by_health = c->health_involved && chance(g, 250);
		(void)plan_add(g, EVENT_MUNICIPALITY_READY, t_mr, by_health ? &c->health : &c->social, -1);
		c->t_dis = t_mr + rnd(g, HOUR, 8 * HOUR);
	} else {
		c->t_dis = c->t_final +
			   (c->dest == DEST_OTHER_HOSPITAL ? rnd(g, 2 * HOUR, 2 * DAY) : rnd(g, HOUR, 8 * HOUR));
		if (c->sc == SCENARIO_WAITING)
			c->t_dis = c->t_final + wait;
	}
	if (premature)
		plan_deviation(g, c->t_dis + rnd(g, 2 * HOUR, 2 * DAY), &c->social, DEVIATION_DISCHARGE_NOT_READY,
			       c->region, "Utskriven innan kommunen meddelat hemgångsklar.");
}

/* The care contact: mostly within 3 days of the first ready notice, some late, a few never. */
static void plan_care_contact(struct gen *g, struct episode_ctx *c)
{
	if (!c->has_ready)
		return;
	hg_instant t_ready = c->t_ready, t_dis = c->t_dis, t_cc = HG_INSTANT_NONE;
	/* before the ready notice only where the unit already has the admission notice */
	hg_instant earliest = c->notice >= 0 ? c->t_notice + HOUR : t_ready + 10 * MINUTE;
	hg_instant on_time_end = t_dis - 30 * MINUTE < t_ready + 60 * HOUR ? t_dis - 30 * MINUTE : t_ready + 60 * HOUR;
	int x = (int)rnd(g, 0, 999);
	if (x < 880 && c->track == TRACK_RED && c->notice >= 0 && x < 400)
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
	c->t_cc = t_cc;
	if (t_cc != HG_INSTANT_NONE) {
		event *ev = plan_add(g, EVENT_CARE_CONTACT_APPOINTED, t_cc, &c->primary, -1);
		staff_name(g, ev->u.care_contact_appointed.name, sizeof ev->u.care_contact_appointed.name);
		(void)hg_copy(ev->u.care_contact_appointed.title, sizeof ev->u.care_contact_appointed.title,
			  PICK(g, contact_titles));
	} else if (c->sc == SCENARIO_NORMAL && chance(g, 400)) {
		plan_deviation(g, t_dis + rnd(g, HOUR, 3 * DAY), &c->social, DEVIATION_CARE_CONTACT_MISSING, c->region,
			       "Ingen fast vårdkontakt utsedd före utskrivning.");
	}
}

/* SIP on the yellow and red tracks, called by the care contact, and mostly held. */
static void plan_sip(struct gen *g, struct episode_ctx *c)
{
	if (!c->has_ready || c->t_cc == HG_INSTANT_NONE || c->track == TRACK_GREEN)
		return;
	hg_instant t_ready = c->t_ready, t_dis = c->t_dis;
	hg_instant t_call = chance(g, 850) ? t_ready + rnd(g, 2 * HOUR, 60 * HOUR) : t_ready + rnd(g, 4 * DAY, 7 * DAY);
	if (t_call < c->t_cc)
		t_call = c->t_cc + rnd(g, 10 * MINUTE, 4 * HOUR);
	sip_place place;
	hg_instant meeting;
	if (c->track == TRACK_RED && t_call + 2 * DAY < t_dis) {
		place = chance(g, 750) ? SIP_HOSPITAL : SIP_VIDEO;
		meeting = at_daytime(g, t_call + rnd(g, DAY, 2 * DAY), 9, 15, t_call + HOUR);
	} else {
		place = chance(g, 800) ? SIP_HOME : SIP_VIDEO;
		hg_instant base = t_dis > t_call ? t_dis : t_call;
		meeting = at_daytime(g, base + rnd(g, 2 * DAY, 10 * DAY), 9, 15, base + HOUR);
	}
	event *ev = plan_add(g, EVENT_SIP_CALLED, t_call, &c->primary, -1);
	ev->u.sip_called.meeting_at = meeting;
	ev->u.sip_called.place = place;
	if (!chance(g, 750))
		return;
	ev = plan_add(g, EVENT_SIP_HELD, meeting + rnd(g, HOUR, 6 * HOUR), &c->primary, -1);
	ev->u.sip_held.held_at = meeting;
	ev->u.sip_held.place = place;
	ev->u.sip_held.follow_up_date = cal_local_date(meeting) + (hg_date)rnd(g, 14, 45);
	/* participants are required (issue 14); the ward takes part in a meeting in hospital */
	ev->u.sip_held.participants = EVENT_SIP_PARTY_BIT(SIP_PARTY_PATIENT) | EVENT_SIP_PARTY_BIT(SIP_PARTY_PRIMARY_CARE) |
				      EVENT_SIP_PARTY_BIT(SIP_PARTY_MUNICIPAL_SOCIAL) |
				      (place == SIP_HOSPITAL ? EVENT_SIP_PARTY_BIT(SIP_PARTY_WARD) : 0u);
}

static void plan_discharge(struct gen *g, struct episode_ctx *c)
{
	struct party wbuf;
	event *ev = plan_add(g, EVENT_DISCHARGED, c->t_dis, ward_at(c, c->t_dis, &wbuf), -1);
	ev->u.discharged.destination = c->dest;
	/* the discharge is a notice (issue 18.4): the parties acknowledge it within hours; no draw from the
	 * generator, so the rest of the demo stays as it was */
	if (c->notice >= 0 || c->has_ready) {
		int discharge = last_index(g);
		for (int i = 0; i < c->recipients; i++)
			(void)plan_put(g, EVENT_ACKNOWLEDGED, c->t_dis + HOUR + (hg_instant)i * 600, &c->to[i], discharge, 60);
	}
}

/* A deviation about the admission notice: missing before the ready notice, or late. */
static void plan_notice_deviation(struct gen *g, struct episode_ctx *c)
{
	if (c->notice < 0 && c->has_ready && chance(g, 500))
		plan_deviation(g, c->t_ready + rnd(g, HOUR, DAY), &c->social, DEVIATION_NOTICE_MISSING, c->region,
			       "Inget inskrivningsmeddelande före underrättelsen om utskrivningsklar.");
	else if (c->notice >= 0 && c->t_notice - (c->need_judged != HG_INSTANT_NONE ? c->need_judged : c->t0) > DAY &&
		 chance(g, 400))
		plan_deviation(g, c->t_notice + rnd(g, HOUR, 2 * DAY), &c->social, DEVIATION_NOTICE_LATE, c->region,
			       "Inskrivningsmeddelandet kom mer än ett dygn efter inskrivningen.");
}

/* Now and then one about something else, by the municipality against the region. */
static void plan_other_deviation(struct gen *g, struct episode_ctx *c)
{
	if (!c->has_ready || !chance(g, 40))
		return;
	size_t k = demo_rng_below(&g->rng, (uint32_t)COUNT(random_deviations));
	bool by_health = c->health_involved && chance(g, 500);
	plan_deviation(g, c->t_dis + rnd(g, 2 * HOUR, 3 * DAY), by_health ? &c->health : &c->social,
		       random_deviations[k].category, c->region, random_deviations[k].note);
}

/* ... and rarely one by the ward against the municipality. */
static void plan_ward_deviation(struct gen *g, struct episode_ctx *c)
{
	struct party wbuf;
	if (!c->has_ready || !chance(g, 10))
		return;
	plan_deviation(g, c->t_dis + rnd(g, HOUR, DAY), ward_at(c, c->t_dis, &wbuf), DEVIATION_OTHER,
		       g->w->municipalities[c->pt->municipality].code,
		       "Hemtjänsten kunde inte ta emot patienten enligt planeringen.");
}

/*
 * The phases of an episode, in the order they draw from the random stream and
 * plan their events (the order of the plan breaks ties of time). Each reads
 * the times the phases before it fixed, and skips itself when its part does
 * not happen.
 */
static void (*const episode_phases[])(struct gen *, struct episode_ctx *) = {
	plan_outcome,	   plan_admission,    plan_transfer,	     plan_notice,
	plan_date_changes, plan_consent,      plan_info_request,     plan_track,
	plan_ready,	   plan_municipality_ready, plan_care_contact, plan_sip,
	plan_discharge,	   plan_notice_deviation,   plan_other_deviation, plan_ward_deviation,
};

/*
 * Plans one episode of patient pt admitted at t0. The times follow the flow
 * of design.md §1; everything is planned to its end even when that lies after
 * `now` (the caller cuts).
 */
static void plan_episode(struct gen *g, const struct patient *pt, hg_instant t0, enum scenario sc)
{
	struct episode_ctx c;
	episode_start(g, &c, pt, t0, sc);
	for (size_t i = 0; i < COUNT(episode_phases); i++)
		episode_phases[i](g, &c);
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
	if (!demo_rng_chance(&r, 350))
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
	hg_status rc = store_bulk_survey_answer(g->bulk, episode_id, &a, "demo");
	if (rc != HG_OK)
		(void)snprintf(g->err, g->errlen, "cannot store a survey answer: %s", hg_status_name(rc));
	return rc;
}

/*
 * Judges the planned events up to `now` one by one, as store_append would
 * (episode_append on the fold of those before it; a rejection is a bug of the
 * planner), and hands the episode to the bulk loader. *discharged gets the
 * discharge instant if it was recorded.
 */
static hg_status plan_store(struct gen *g, hg_instant *discharged, bool *deceased)
{
	int64_t episode_id = 0;
	size_t m = 0;
	*discharged = HG_INSTANT_NONE;
	*deceased = false;
	if (g->overflow) {
		(void)snprintf(g->err, g->errlen, "generator bug: more than %d events planned for one episode", PLAN_MAX);
		return HG_EINTERNAL;
	}
	plan_sort(g);
	for (int i = 0; i < g->n; i++)
		g->seq_of[i] = 0;
	episode_init(g->st);
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
		event *ev = &g->evs[m];
		event_error e;
		*ev = it->ev;
		ev->id = 0;
		ev->seq = (int32_t)m + 1;
		ev->recorded_at = recorded;
		if (episode_append(g->st, g->evs, m, ev, &e) != HG_OK) {
			(void)snprintf(g->err, g->errlen, "generator bug: episode %d, %s event rejected: %s (field '%s')",
				       g->res->episodes + 1, event_type_code(ev->type), e.code, e.field);
			return HG_EINTERNAL;
		}
		g->seq_of[g->order[k]] = ev->seq;
		m++;
		if (ev->type == EVENT_DISCHARGED) {
			*discharged = ev->occurred_at;
			*deceased = ev->u.discharged.destination == DEST_DECEASED;
		}
	}
	hg_status rc = store_bulk_episode(g->bulk, g->evs, m, g->st, &episode_id);
	if (rc != HG_OK) {
		(void)snprintf(g->err, g->errlen, "cannot store episode %d: %s", g->res->episodes + 1, hg_status_name(rc));
		return rc;
	}
	g->res->events += (long)m;
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

/* How far back episodes start: 18 months, or for the country as long as its yearly rate needs. */
static int history_days(const struct world *w, int episodes)
{
	int64_t days = (int64_t)episodes * 365 / DEMO_COUNTRY_EPISODES_PER_YEAR;
	return w->country && days > DEMO_HISTORY_DAYS ? (int)days : DEMO_HISTORY_DAYS;
}

static hg_status generate(struct gen *g, const demo_options *o, demo_result *out)
{
	struct patient pt;
	hg_status rc = HG_OK;
	/* A few episodes are kept in hospital at `now` (max(3, 2 %) each, at most 2 000 in the country:
	 * admitted, and ready and waiting). */
	int forced = o->episodes / 50 > 3 ? o->episodes / 50 : 3;
	if (g->w->country && forced > 2000)
		forced = 2000;
	while (out->episodes < o->episodes) {
		rc = patient_new(g, &pt);
		if (rc)
			return rc;
		out->patients++;
		enum scenario sc = out->episodes < forced	? SCENARIO_IN_HOSPITAL
				   : out->episodes < 2 * forced ? SCENARIO_WAITING
								: SCENARIO_NORMAL;
		hg_instant t0;
		int stays = 1;
		if (sc == SCENARIO_IN_HOSPITAL)
			t0 = g->now - rnd(g, HOUR, 40 * HOUR);
		else if (sc == SCENARIO_WAITING)
			t0 = g->now - rnd(g, 5 * DAY, 14 * DAY);
		else {
			t0 = g->now - rnd(g, 2 * HOUR, g->history);
			stays = (int)draw(g, episodes_per_patient, COUNT(episodes_per_patient));
		}
		for (int i = 0; i < stays && out->episodes < o->episodes; i++) {
			hg_instant discharged;
			bool deceased;
			rc = run_episode(g, &pt, t0, sc, &discharged, &deceased);
			if (rc)
				return rc;
			/* the next stay only after this one ended: one patient is never in hospital twice */
			if (discharged == HG_INSTANT_NONE || deceased)
				break;
			t0 = discharged + (chance(g, 350) ? rnd(g, DAY, 29 * DAY) : rnd(g, 31 * DAY, 240 * DAY));
			if (t0 >= g->now - HOUR)
				break;
		}
	}
	return HG_OK;
}

/* The organisations, units, users and the demo setting, into the new store at path (left closed). */
static hg_status build_directory(const char *path, const struct world *w, const demo_options *o,
				 const char *password_hash, store **out, char *err, size_t errlen)
{
	char why[256] = "";
	store *s = NULL;
	*out = NULL;
	hg_status rc = store_open(path, &s, why, sizeof why);
	if (rc) {
		text_printf(err, errlen, "cannot create '%s': %s", path, why);
		return rc;
	}
	/* thousands of units for the country: without a sync per row */
	rc = store_set_durability(s, false);
	if (rc)
		text_printf(err, errlen, "cannot switch to bulk loading: %s", hg_status_name(rc));
	if (!rc)
		rc = create_world(s, w, password_hash, o->now, err, errlen);
	if (!rc) {
		rc = store_setting_put(s, "demo", "1");
		if (rc)
			text_printf(err, errlen, "cannot store the demo setting: %s", hg_status_name(rc));
	}
	hg_status back = store_set_durability(s, true);
	if (!rc && back) {
		text_printf(err, errlen, "cannot switch back to full durability: %s", hg_status_name(back));
		rc = back;
	}
	if (rc)
		store_close(s);
	else
		*out = s;
	return rc;
}

hg_status demo_build(const char *path, const demo_options *o, const char *password_hash, demo_result *out, char *err,
		     size_t errlen)
{
	struct gen g;
	struct world *w = NULL;
	store *s = NULL;
	store_bulk_stats stats = {0};
	hg_status rc, closed;
	memset(&g, 0, sizeof g);
	memset(out, 0, sizeof *out);
	if (o->episodes < 1 || o->episodes > DEMO_EPISODES_MAX) {
		(void)snprintf(err, errlen, "episodes must be 1..%d", DEMO_EPISODES_MAX);
		return HG_EINVAL;
	}
	rc = world_new(demo_is_country(o), &w);
	if (rc) {
		(void)snprintf(err, errlen, "out of memory");
		return rc;
	}
	out->regions = w->n_regions;
	out->municipalities = w->n_municipalities;
	out->hospitals = w->n_hospitals;
	out->wards = w->n_wards;
	out->primary_care_units = w->n_pc;
	out->history_days = history_days(w, o->episodes);
	rc = build_directory(path, w, o, password_hash, &s, err, errlen);
	if (rc)
		goto out;

	g.w = w;
	demo_rng_seed(&g.rng, o->seed);
	g.now = o->now;
	g.history = (hg_instant)out->history_days * DAY;
	g.reserve_numbers = o->reserve_numbers;
	g.res = out;
	g.err = err;
	g.errlen = errlen;
	for (g.ids_cap = 64; g.ids_cap < (size_t)o->episodes * 4; g.ids_cap *= 2)
		;
	g.ids = hg_calloc(g.ids_cap, sizeof *g.ids);
	g.plan = hg_malloc(PLAN_MAX * sizeof *g.plan);
	g.evs = hg_malloc(PLAN_MAX * sizeof *g.evs);
	g.st = hg_malloc(sizeof *g.st);
	if (!g.ids || !g.plan || !g.evs || !g.st) {
		(void)snprintf(err, errlen, "out of memory");
		rc = HG_ENOMEM;
		goto out;
	}
	/* the bulk loader holds a SQLite file alone: the store lets go of it first (PostgreSQL: pg_bulk.c) */
	store_close(s);
	s = NULL;
	rc = store_bulk_open(path, &g.bulk, err, errlen);
	if (rc)
		goto out;
	rc = generate(&g, o, out);
	closed = store_bulk_close(g.bulk, rc == HG_OK, &stats);
	if (rc == HG_OK && closed != HG_OK) {
		(void)snprintf(err, errlen, "cannot commit the episodes: %s", hg_status_name(closed));
		rc = closed;
	}
	out->plan_cpu = stats.caller_cpu;
	out->write_cpu = stats.writer_cpu;
out:
	store_close(s);
	hg_free(g.ids);
	hg_free(g.plan);
	hg_free(g.evs);
	hg_free(g.st);
	world_free(w);
	return rc;
}
