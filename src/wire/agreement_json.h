/*
 * agreement_json.h - reads an agreement (struct agreement, core/agreement.h)
 * from its JSON file, the format documented in docs/liability.md and used by
 * the files in agreements/.
 *
 * This is an adapter: it only moves bytes into the core's record and names the
 * JSON field that is wrong; what makes an agreement valid is decided by
 * agreement_validate(), which every successful parse has passed.
 */
#ifndef HG_WIRE_AGREEMENT_JSON_H
#define HG_WIRE_AGREEMENT_JSON_H

#include <stddef.h>

#include "core/agreement.h"
#include "core/status.h"

#define AGREEMENT_JSON_MAX (256 * 1024) /* ceiling on an agreement file, bytes */
#define AGREEMENT_JSON_FORMAT "hemgang-agreement/1"

/*
 * Parses the JSON text[0..len) into *out. On failure returns HG_EINVAL (or
 * HG_ERANGE when len exceeds AGREEMENT_JSON_MAX) and writes one line into
 * err[0..errlen) naming the field, e.g. "rates[2].amount_ore: must be an
 * integer" or "grace_days: grace days must be 0..365".
 */
hg_status agreement_json_parse(const char *text, size_t len, agreement *out, char *err, size_t errlen) HG_MUST_CHECK;

/*
 * Reads and parses the file at path. HG_EIO when it cannot be read, otherwise
 * as agreement_json_parse; err says what is wrong (without the path).
 */
hg_status agreement_json_load(const char *path, agreement *out, char *err, size_t errlen) HG_MUST_CHECK;

#endif
