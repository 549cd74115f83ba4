/*
 * status.h - the one status type used across hemgang.
 *
 * Every function that can fail returns hg_status and is marked HG_MUST_CHECK so
 * the compiler refuses to let a failure be ignored. Zero is success, so
 * `if (rc) goto fail;` reads naturally. The adapters map these to HTTP codes,
 * HL7 ACK codes and CLI exit codes; the core never decides how a failure is shown.
 */
#ifndef HG_STATUS_H
#define HG_STATUS_H

#define HG_MUST_CHECK __attribute__((warn_unused_result))

/* Consumes a status whose failure needs no handling, saying so (e.g. a reply that could not be queued is
 * answered by the HTTP framework with a generic 500). */
#define IGNORE(x)                         \
	do {                              \
		hg_status ignored_ = (x); \
		(void)ignored_;           \
	} while (0)

typedef enum hg_status {
	HG_OK = 0,
	HG_EINVAL,    /* input malformed or breaks a rule */
	HG_ENOMEM,    /* allocation failed */
	HG_ENOTFOUND, /* no such thing (or not visible to the caller) */
	HG_ECONFLICT, /* state conflict: duplicate, stale version */
	HG_EDENIED,   /* caller lacks the right */
	HG_ERANGE,    /* a value or size is beyond a ceiling */
	HG_EIO,       /* storage or network failure */
	HG_EINTERNAL  /* an invariant broke: a bug */
} hg_status;

/* Short English name of a status, e.g. "invalid"; never NULL. */
const char *hg_status_name(hg_status s);

#endif
