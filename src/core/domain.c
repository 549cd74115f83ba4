/* domain.c - code and label tables for the shared enums of domain.h. */
#include "core/domain.h"

#include <string.h>

static const hg_code_label care_types[CARE_TYPE_COUNT] = {
	[CARE_SOMATIC] = {"somatic", "somatisk vård", "somatic care"},
	[CARE_GERIATRIC] = {"geriatric", "geriatrisk vård", "geriatric care"},
	[CARE_PSYCHIATRIC] = {"psychiatric", "psykiatrisk vård", "psychiatric care"},
};

static const hg_code_label unit_kinds[UNIT_KIND_COUNT] = {
	[UNIT_WARD] = {"ward", "vårdavdelning (slutenvård)", "hospital ward"},
	[UNIT_PRIMARY_CARE] = {"primary_care", "vårdcentral", "primary care centre"},
	[UNIT_SPECIALIST_OUTPATIENT] = {"specialist_outpatient", "specialistmottagning", "specialist outpatient clinic"},
	[UNIT_MUNICIPAL_SOCIAL] = {"municipal_social", "kommunens socialtjänst", "municipal social services"},
	[UNIT_MUNICIPAL_HEALTH] = {"municipal_health", "kommunal hälso- och sjukvård", "municipal health care"},
	[UNIT_ADMIN] = {"admin", "administration", "administration"},
	[UNIT_MUNICIPAL_IFO] = {"municipal_ifo", "kommunens individ- och familjeomsorg (IFO)",
				"municipal individual and family care (IFO)"},
};

bool hg_code_find(const hg_code_label *tab, int n, const char *code, int *out)
{
	if (!code)
		return false;
	for (int i = 0; i < n; i++) {
		if (strcmp(tab[i].code, code) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

const hg_code_label *care_type_label(care_type c)
{
	return (unsigned)c < CARE_TYPE_COUNT ? &care_types[c] : &care_types[CARE_SOMATIC];
}

bool care_type_from_code(const char *code, care_type *out)
{
	int i;
	if (!hg_code_find(care_types, CARE_TYPE_COUNT, code, &i))
		return false;
	*out = (care_type)i;
	return true;
}

const hg_code_label *unit_kind_label(unit_kind k)
{
	return (unsigned)k < UNIT_KIND_COUNT ? &unit_kinds[k] : &unit_kinds[UNIT_ADMIN];
}

bool unit_kind_from_code(const char *code, unit_kind *out)
{
	int i;
	if (!hg_code_find(unit_kinds, UNIT_KIND_COUNT, code, &i))
		return false;
	*out = (unit_kind)i;
	return true;
}

bool unit_kind_is_municipal(unit_kind k)
{
	return k == UNIT_MUNICIPAL_SOCIAL || k == UNIT_MUNICIPAL_HEALTH || k == UNIT_MUNICIPAL_IFO;
}

bool unit_kind_is_outpatient(unit_kind k) { return k == UNIT_PRIMARY_CARE || k == UNIT_SPECIALIST_OUTPATIENT; }
