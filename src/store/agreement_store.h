/*
 * agreement_store.h - agreements (överenskommelser) held in the database as
 * versioned documents: import, list, show, export, and the sets of versions
 * an invoice is built with.
 *
 * An agreement enters the database as its JSON file (agreement_json.h); the
 * file is kept as imported, so an export gives back its sources and notes
 * too. (id, version) is never changed or removed: a revision is a new version.
 * The built-in statutory defaults (agreement_statutory()) are written into the
 * database the first time agreements are read, so that every invoice names
 * versions that exist there and can be built again from them.
 */
#ifndef HG_STORE_AGREEMENT_STORE_H
#define HG_STORE_AGREEMENT_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/agreement.h"
#include "core/date.h"
#include "core/status.h"
#include "store/store.h"

/* One stored version, as listed. */
typedef struct agreement_row {
	char id[HG_ID_MAX];
	int version;
	char name[HG_NAME_MAX];
	char region[AGREEMENT_CODE_MAX];
	agreement_model model;
	hg_date valid_from, valid_to; /* valid_to HG_DATE_NONE = open */
	hg_instant imported_at;
	char imported_by[HG_ID_MAX];
	bool latest; /* the highest version of its id */
} agreement_row;

/* An (id, version) pair: how an invoice names the agreements it used. */
typedef struct agreement_ref {
	char id[HG_ID_MAX];
	int version;
} agreement_ref;

/*
 * Imports the agreement file text[0..len): parses and validates it
 * (agreement_json_parse) and stores it as (id, version). Importing the same
 * document again (the same JSON value, whatever its layout) is a no-op
 * (*existed = true); a different document under an
 * existing (id, version) is HG_ECONFLICT ("raise the version"). On failure err
 * gets one line. *out (may be NULL) receives the record.
 */
hg_status agreement_store_import(store *s, const char *text, size_t len, const char *by, hg_instant now,
				 agreement *out, bool *existed, char *err, size_t errlen) HG_MUST_CHECK;

/* HG_OK when the document texts stored[0..stored_len) and doc[0..len) are the same JSON value (layout and
 * key order do not count), HG_ECONFLICT when they differ, HG_ENOMEM. Both backends judge a re-import with it. */
hg_status agreement_document_same(const char *stored, size_t stored_len, const char *doc, size_t len) HG_MUST_CHECK;

/* Writes the built-in statutory agreements whose id is not stored yet (imported_by "builtin"). */
hg_status agreement_store_ensure_builtin(store *s, hg_instant now) HG_MUST_CHECK;

/* Every stored version, ordered by id and version. *rows is hg_malloc'ed (caller frees). */
hg_status agreement_store_list(store *s, agreement_row **rows, size_t *n) HG_MUST_CHECK;

/*
 * One version (0 = the latest) of agreement id: *out (may be NULL) gets the
 * record, *document (may be NULL) the file as imported, hg_malloc'ed (caller
 * frees), *row (may be NULL) the listing row. HG_ENOTFOUND when absent.
 */
hg_status agreement_store_get(store *s, const char *id, int version, agreement *out, char **document,
			      agreement_row *row) HG_MUST_CHECK;

/* The latest version of every id: *list hg_malloc'ed (caller frees), *n records. */
hg_status agreement_store_current(store *s, agreement **list, size_t *n) HG_MUST_CHECK;

/* Exactly the versions refs[0..n): *list hg_malloc'ed (caller frees). HG_ENOTFOUND when one is missing. */
hg_status agreement_store_versions(store *s, const agreement_ref *refs, size_t n, agreement **list) HG_MUST_CHECK;

/*
 * The agreement as a file (format hemgang-agreement/1): a new JSON object the
 * caller json_decref()s, NULL when out of memory. agreement_json_parse() of
 * its text gives back an equal record.
 */
json_t *agreement_json_render(const agreement *a);

/* The listing row as a JSON object (the caller json_decref()s it); NULL when out of memory. */
json_t *agreement_row_json(const agreement_row *r);

#endif
