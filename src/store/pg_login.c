/*
 * pg_login.c - the login limits' counters in the database (store.h,
 * migrations/pg/0006_login_failures.sql), so that every server on one
 * PostgreSQL database counts the same failures and honours the same locks:
 * five wrong passwords through server A lock the account from that address on
 * server B too. Only the counting and the lock's end are kept here; how many
 * failures lock and for how long is decided in src/http/auth.c. On SQLite
 * (one server) the limits stay in that server's memory: these calls say
 * HG_EINVAL there and store_login_limits_shared() is false.
 */
#include "store/pg_int.h"

bool store_login_limits_shared(const store *s)
{
	return s && s->pg;
}

hg_status store_login_failure(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now, int window,
                              int *failures)
{
	if (!s->pg)
		return HG_EINVAL;
	pg_conn *c = pgc_get(s->pg);
	PGresult *r = NULL;
	hg_status rc =
	    pgx_query(s->pg, c, &r,
	              "INSERT INTO login_failures(key_hash, failures, last_failure) VALUES ($1, 1, $2) "
	              "ON CONFLICT (key_hash) DO UPDATE SET failures = CASE WHEN login_failures.locked_until <= $2 "
	              "AND $2 - login_failures.last_failure >= $3 THEN 1 ELSE login_failures.failures + 1 END, "
	              "last_failure = $2 RETURNING failures",
	              "hii", hash, (int64_t)now, (int64_t)window);
	if (rc == HG_OK)
		*failures = (int)pgr_int(r, 0, 0);
	PQclear(r);
	/* the table keeps only what still counts */
	if (rc == HG_OK)
		rc = pgx_query(s->pg, c, NULL,
		               "DELETE FROM login_failures WHERE last_failure < $1 AND locked_until <= $2", "ii",
		               (int64_t)(now - window), (int64_t)now);
	pgc_put(s->pg, c);
	return rc;
}

hg_status store_login_lock(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant until)
{
	if (!s->pg)
		return HG_EINVAL;
	return pg_write1(s->pg, NULL,
	                 "UPDATE login_failures SET locked_until = greatest(locked_until, $2) WHERE key_hash = $1",
	                 "hi", hash, (int64_t)until);
}

hg_status store_login_locked_until(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant *until)
{
	if (!s->pg)
		return HG_EINVAL;
	pg_conn *c = pgc_get(s->pg);
	PGresult *r = NULL;
	*until = 0;
	hg_status rc =
	    pgx_query(s->pg, c, &r, "SELECT locked_until FROM login_failures WHERE key_hash = $1", "h", hash);
	if (rc == HG_OK && PQntuples(r) > 0)
		*until = pgr_int(r, 0, 0);
	PQclear(r);
	pgc_put(s->pg, c);
	return rc;
}

hg_status store_login_reset(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE])
{
	if (!s->pg)
		return HG_EINVAL;
	return pg_write1(s->pg, NULL, "DELETE FROM login_failures WHERE key_hash = $1", "h", hash);
}
