/*
 * backup_sqlite.c - online backup and restore of the SQLite store (store.h:
 * store_backup, store_restore), on SQLite's backup API.
 *
 * A backup copies every page of the database in one step under one read
 * transaction. Under WAL a reader sees one committed state and never blocks the
 * server's writers, so the copy is consistent and the server keeps running:
 * what was committed before the copy began is in it, nothing half. The copy is
 * written to FILE.part, checked (integrity_check, a hemgang schema), synced and
 * renamed to FILE, so FILE is either absent or whole.
 *
 * A restore checks the backup the same way, refuses a schema newer than this
 * binary knows, and copies it into the target through the backup API as well
 * (into a new file, or over an existing one with force: then the target's own
 * connections, a running server's included, see the restored content at once).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/migrations.h"
#include "store/sq_db.h"
#include "store/store.h"

#define BACKUP_BUSY_MS 30000

static hg_status fail(char *err, size_t errlen, hg_status rc, const char *what, sqlite3 *db)
{
	snprintf(err, errlen, "%s: %s", what, db ? sqlite3_errmsg(db) : strerror(errno));
	return rc;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Checks that db is a sound hemgang database; fills info. */
static hg_status check_db(sqlite3 *db, store_backup_info *info, char *err, size_t errlen)
{
	/* The messages come from db before the query is finished (that may reset them). */
	sq_q q;
	hg_status rc = HG_OK;
	sq_q_prepare(&q, db, "PRAGMA integrity_check");
	if (!sq_q_step(&q)) {
		rc = fail(err, errlen, HG_EIO, "integrity check", db);
	} else if (!sq_q_col_text(&q, 0) || strcmp(sq_q_col_text(&q, 0), "ok") != 0) {
		snprintf(err, errlen, "the database is damaged: %s", sq_q_col_text(&q, 0) ? sq_q_col_text(&q, 0) : "");
		rc = HG_EINVAL;
	}
	IGNORE(sq_q_finish(&q)); /* rc says what went wrong, with its message */
	if (rc != HG_OK)
		return rc;
	sq_q_prepare(&q, db,
	             "SELECT (SELECT max(number) FROM schema_migrations), (SELECT count(*) FROM events), "
	             "(SELECT page_count * page_size FROM pragma_page_count, pragma_page_size)");
	if (!sq_q_step(&q)) {
		snprintf(err, errlen, "not a hemgang database (%s)", sqlite3_errmsg(db));
		rc = HG_EINVAL;
	} else {
		info->schema_version = sq_q_col_int(&q, 0);
		info->events = sq_q_col_int64(&q, 1);
		info->bytes = sq_q_col_int64(&q, 2);
	}
	IGNORE(sq_q_finish(&q));
	return rc;
}

/* Copies all of src into dst in one step, waiting out locks up to BACKUP_BUSY_MS. */
static hg_status copy_pages(sqlite3 *dst, sqlite3 *src, char *err, size_t errlen)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b)
		return fail(err, errlen, HG_EIO, "backup", dst);
	int step;
	for (int waited = 0;; waited += 50) {
		step = sqlite3_backup_step(b, -1);
		if ((step != SQLITE_BUSY && step != SQLITE_LOCKED) || waited >= BACKUP_BUSY_MS)
			break;
		sqlite3_sleep(50);
	}
	int done = sqlite3_backup_finish(b);
	if (step != SQLITE_DONE || done != SQLITE_OK)
		return fail(err, errlen, HG_EIO, "copying the pages", dst);
	return HG_OK;
}

/* Flushes path (and, for a rename to be durable, its directory) to disk. */
static hg_status sync_file(const char *path, bool dir)
{
	char buf[4096];
	const char *target = path;
	if (dir) {
		const char *slash = strrchr(path, '/');
		if (!slash)
			target = ".";
		else if (slash == path)
			target = "/";
		else {
			snprintf(buf, sizeof buf, "%.*s", (int)(slash - path), path);
			target = buf;
		}
	}
	int fd = open(target, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
	if (fd < 0)
		return HG_EIO;
	int rc = fsync(fd);
	close(fd);
	return rc == 0 ? HG_OK : HG_EIO;
}

hg_status store_backup(const char *path, const char *to, store_backup_info *info, char *err, size_t errlen)
{
	char part[4096];
	sqlite3 *src = NULL, *dst = NULL;
	hg_status rc;
	memset(info, 0, sizeof *info);
	err[0] = '\0';
	if (exists(to)) {
		snprintf(err, errlen, "%s exists already", to);
		return HG_ECONFLICT;
	}
	if ((size_t)snprintf(part, sizeof part, "%s.part", to) >= sizeof part) {
		snprintf(err, errlen, "the path is too long");
		return HG_EINVAL;
	}
	unlink(part);
	/* Read-write without create: a missing database is an error, and reading a WAL database may
	 * need to write its -shm file. */
	if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = fail(err, errlen, HG_EIO, path, src);
		goto out;
	}
	sqlite3_busy_timeout(src, BACKUP_BUSY_MS);
	if (sqlite3_open_v2(part, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = fail(err, errlen, HG_EIO, part, dst);
		goto out;
	}
	rc = copy_pages(dst, src, err, errlen);
	if (rc == HG_OK)
		rc = check_db(dst, info, err, errlen);
	/* The copy stands alone: one file, no -wal beside it. */
	if (rc == HG_OK && sq_db_exec(dst, "PRAGMA journal_mode=DELETE") != HG_OK)
		rc = fail(err, errlen, HG_EIO, "journal mode of the copy", dst);
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	if (rc == HG_OK && sync_file(part, false) != HG_OK)
		rc = fail(err, errlen, HG_EIO, "sync", NULL);
	if (rc == HG_OK && rename(part, to) != 0)
		rc = fail(err, errlen, HG_EIO, "rename", NULL);
	if (rc == HG_OK && sync_file(to, true) != HG_OK)
		rc = fail(err, errlen, HG_EIO, "sync of the directory", NULL);
	if (rc != HG_OK)
		unlink(part);
	return rc;
}

hg_status store_restore(const char *from, const char *path, bool force, store_backup_info *info, char *err,
			size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	hg_status rc;
	size_t n = 0;
	const store_migration *m = store_migrations(&n);
	int known = n ? m[n - 1].number : 0;
	memset(info, 0, sizeof *info);
	err[0] = '\0';
	if (!exists(from)) {
		snprintf(err, errlen, "%s does not exist", from);
		return HG_ENOTFOUND;
	}
	if (exists(path) && !force) {
		snprintf(err, errlen, "%s exists; restore over it only with --force (stop the server first)", path);
		return HG_ECONFLICT;
	}
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = fail(err, errlen, HG_EIO, from, src);
		goto out;
	}
	rc = check_db(src, info, err, errlen);
	if (rc == HG_OK && info->schema_version > known) {
		snprintf(err, errlen, "the backup has schema %d, this hemgang knows up to %d: use a newer hemgang",
			 info->schema_version, known);
		rc = HG_EINVAL;
	}
	if (rc != HG_OK)
		goto out;
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = fail(err, errlen, HG_EIO, path, dst);
		goto out;
	}
	sqlite3_busy_timeout(dst, BACKUP_BUSY_MS);
	rc = copy_pages(dst, src, err, errlen);
	if (rc == HG_OK && sq_db_exec(dst, "PRAGMA journal_mode=WAL") != HG_OK)
		rc = fail(err, errlen, HG_EIO, "journal mode", dst);
	if (rc == HG_OK) {
		store_backup_info again;
		rc = check_db(dst, &again, err, errlen);
		if (rc == HG_OK && again.events != info->events) {
			snprintf(err, errlen, "the restored database holds %lld events, the backup %lld",
				 (long long)again.events, (long long)info->events);
			rc = HG_EIO;
		}
	}
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc;
}
