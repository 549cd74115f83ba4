/*
 * meta_api.c - the rules the web UI shows forms by, served from the core's own tables.
 *
 * The UI offers an event form only when the user's role may send the type (src/core/access.c) and one of the
 * user's units is of a kind that may author it (src/core/event.c's type table), and only the types that are
 * allowed after the discharge once the patient has left. It used to keep a hand-written copy of both tables;
 * `GET /api/v1/rules` hands it the tables themselves, so a new event type or role is one row in the core and
 * nothing in the UI. The server judges every event anyway: the rules only decide which buttons are shown.
 */
#include "http/meta_api.h"

#include <jansson.h>

#include "core/access.h"
#include "core/domain.h"
#include "core/event.h"
#include "http/api.h"

/* Unit kind codes of an event type's author_kinds bits. */
static json_t *kinds_json(unsigned bits)
{
	json_t *a = json_array();
	for (int k = 0; k < UNIT_KIND_COUNT; k++)
		if (bits & EVENT_KIND_BIT(k))
			json_array_append_new(a, json_string(unit_kind_label((unit_kind)k)->code));
	return a;
}

static json_t *rules_json(void)
{
	json_t *roles = json_object(), *types = json_object();
	for (int r = 0; r < ROLE_COUNT; r++) {
		json_t *may = json_array();
		for (int e = 0; e < EVENT_TYPE_COUNT; e++)
			if (access_role_may_send((role)r, (event_type)e))
				json_array_append_new(may, json_string(event_type_code((event_type)e)));
		json_object_set_new(roles, role_label((role)r)->code, may);
	}
	for (int e = 0; e < EVENT_TYPE_COUNT; e++) {
		const event_type_info *ti = event_info((event_type)e);
		json_object_set_new(types, ti->code,
				    json_pack("{s:s, s:s, s:o, s:b, s:b, s:b}", "sv", ti->sv, "en", ti->en, "author_kinds",
					      kinds_json(ti->author_kinds), "notice", ti->is_notice, "after_discharge",
					      ti->after_discharge, "needs_party", ti->needs_party));
	}
	return json_pack("{s:o, s:o}", "roles", roles, "event_types", types);
}

static hg_status get_rules(http_request *req, http_response *res, void *p)
{
	api_caller c;
	if (!api_authenticate(req, res, p, &c))
		return HG_OK;
	IGNORE(http_response_header(res, "Cache-Control", "private, max-age=300"));
	return http_reply_json(res, 200, rules_json());
}

static const http_route routes[] = {
	{HTTP_GET, "/api/v1/rules", get_rules, NULL},
};

const http_route *meta_routes(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
