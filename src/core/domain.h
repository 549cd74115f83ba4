/*
 * domain.h - small vocabulary shared by the core modules: care types, kinds of
 * unit, and the size limits of identifiers. Each enum has a table of codes
 * (the stable English code used in JSON, CSV and the database) and Swedish and
 * English labels, so adapters never spell them out themselves.
 */
#ifndef HG_DOMAIN_H
#define HG_DOMAIN_H

#include <stdbool.h>

#define HG_ID_MAX 48    /* unit ids (HSA-id), organisation codes, usernames, incl. NUL */
#define HG_NAME_MAX 128 /* person and unit names, incl. NUL */
#define HG_NOTE_MAX 2048 /* free text on an event, incl. NUL */

/* Care type of a ward (vårdform); liability grace days and rates depend on it. */
typedef enum care_type {
	CARE_SOMATIC = 0,
	CARE_GERIATRIC,
	CARE_PSYCHIATRIC,
	CARE_TYPE_COUNT
} care_type;

/* What kind of unit authors or receives notices. */
typedef enum unit_kind {
	UNIT_WARD = 0,              /* slutenvård: a hospital ward */
	UNIT_PRIMARY_CARE,          /* vårdcentral (region-funded outpatient care) */
	UNIT_SPECIALIST_OUTPATIENT, /* specialist outpatient clinic (öppenvård) */
	UNIT_MUNICIPAL_SOCIAL,      /* kommunens socialtjänst: biståndshandläggare */
	UNIT_MUNICIPAL_HEALTH,      /* kommunal hälso- och sjukvård: hemsjukvård */
	UNIT_ADMIN,                 /* region/municipal administration: analysts, invoicing */
	UNIT_MUNICIPAL_IFO,         /* kommunens individ- och familjeomsorg (IFO), issue 14.7 */
	UNIT_KIND_COUNT
} unit_kind;

typedef struct hg_code_label {
	const char *code; /* stable English code, e.g. "somatic" */
	const char *sv;   /* Swedish label */
	const char *en;   /* English label */
} hg_code_label;

/*
 * Finds code in the table tab[0..n) of an enum's labels: *out = its index.
 * False for an unknown code or NULL. Every enum with a code table looks its
 * codes up through this one function.
 */
bool hg_code_find(const hg_code_label *tab, int n, const char *code, int *out);

const hg_code_label *care_type_label(care_type c);
/* Finds a care type by its code; false when unknown. */
bool care_type_from_code(const char *code, care_type *out);

const hg_code_label *unit_kind_label(unit_kind k);
bool unit_kind_from_code(const char *code, unit_kind *out);

/* True for kinds that belong to a municipality rather than the region (social services, IFO, health care). */
bool unit_kind_is_municipal(unit_kind k);
/* True for outpatient care (primary care or specialist clinic): may appoint a care contact. */
bool unit_kind_is_outpatient(unit_kind k);

#endif
