/* status.c - names for hg_status values, for messages and logs. */
#include "core/status.h"

const char *hg_status_name(hg_status s)
{
	static const char *const names[] = {
		[HG_OK] = "ok",
		[HG_EINVAL] = "invalid",
		[HG_ENOMEM] = "out of memory",
		[HG_ENOTFOUND] = "not found",
		[HG_ECONFLICT] = "conflict",
		[HG_EDENIED] = "denied",
		[HG_ERANGE] = "out of range",
		[HG_EIO] = "i/o error",
		[HG_EINTERNAL] = "internal error",
	};
	if ((unsigned)s < sizeof names / sizeof names[0] && names[s])
		return names[s];
	return "unknown";
}
