/*
 * readmodel.c - the in-memory read model (see readmodel.h): one small row per
 * held episode in one array, found by id through an open-addressing table.
 * The table keeps the low 32 bits of each id beside its slot, so that a probe
 * touches the row itself only when it is very likely the one sought.
 * Every string is interned once and named by a 32-bit code: unit ids, places
 * and hospitals in one pool (they index the per-unit arrays), patient names in
 * another. An episode a list can show (open, or discharged within the window)
 * has its list columns in a detail block; an episode held only for its
 * unacknowledged notices (most of them, on a national database) has just the
 * name, personnummer and ward the notice list shows. Per unit, two arrays: the
 * rows it is party to (lists) and the rows with a notice waiting for it.
 *
 * A query collects the rows of the caller's units, filters them with the
 * predicates of the SQL (store_sqlite.c build_where), sorts and pages them the
 * way the SQL does and copies the page out.
 *
 * Interned strings are kept until the model is freed: the pools grow with the
 * distinct names seen (some 20 bytes a new patient), not with the appends.
 */
#include "store/readmodel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

#define RM_NONE        UINT32_MAX
#define RM_PARTIES_MAX (2 + EPISODE_RECIPIENTS_MAX)
#define RM_SLOT_EMPTY  (-1)
#define RM_SLOT_GONE   (-2)

/* An unacknowledged notice of a held episode (12 bytes). */
typedef struct rm_ack {
	int32_t sent; /* sent_at - RM_EPOCH: seconds from 2000 (1932-2068 fit) */
	int32_t seq;
	uint32_t unit_type; /* unit code << 8 | event_type */
} rm_ack;

#define RM_EPOCH       INT64_C(946684800) /* 2000-01-01T00:00:00Z */
#define ACK_SENT_AT(a) ((hg_instant)(a)->sent + RM_EPOCH)

#define ACK_UNIT(a)  ((a)->unit_type >> 8)
#define ACK_TYPE(a)  ((int)((a)->unit_type & 0xff))
#define RM_UNITS_MAX (1u << 24)

/* The list columns of an episode a list can show. */
typedef struct rm_detail {
	hg_instant admitted_at, notice_at, ready_at, discharged_at;
	hg_instant due[3], met[3];                          /* admission notice, care contact, SIP call */
	uint32_t municipality, primary_care_unit, hospital; /* unit pool codes */
	uint32_t parties[RM_PARTIES_MAX];
	hg_date expected_date;
	uint8_t care, track_is_set, track, n_parties;
} rm_detail;

/* A held episode; id 0 marks a free slot. */
typedef struct rm_row {
	int64_t id;
	rm_detail *d;        /* hg_malloc'ed when a list can show the episode, else NULL */
	rm_ack *acks;        /* hg_malloc'ed, n_acks, in no particular order */
	uint32_t name, ward; /* name pool, unit pool codes */
	int32_t last_seq;
	uint16_t n_acks;
	uint8_t status;
	char pnr[EVENT_PNR_SIZE];
} rm_row;

/* A place in the id -> slot table: the slot (RM_SLOT_EMPTY, RM_SLOT_GONE) and the low 32 bits of its id. */
typedef struct rm_ref {
	uint32_t tag;
	int32_t slot;
} rm_ref;

/* A place in a string table: the code + 1 (0 empty) and the high 32 bits of the string's hash, so
 * that a probe compares the text only when the hashes agree. */
typedef struct rm_code_ref {
	uint32_t code1;
	uint32_t tag;
} rm_code_ref;

/* Interned strings: code -> text, text -> code. */
typedef struct rm_strings {
	char *pool; /* NUL-terminated strings */
	size_t len, cap;
	uint32_t *off; /* code -> offset in pool */
	size_t n, cap_off;
	rm_code_ref *map; /* hash -> code + 1 (0 empty) and the hash's high half */
	size_t map_cap;
} rm_strings;

/* The rows (slots) a unit is party to. */
typedef struct rm_vec {
	int32_t *v; /* hg_malloc'ed */
	uint32_t n, cap;
} rm_vec;

typedef struct rm_staged {
	store_episode_row row;
	char (*parties)[HG_ID_MAX]; /* hg_malloc'ed */
	size_t n_parties;
	readmodel_notice *notices; /* hg_malloc'ed */
	size_t n_notices;
} rm_staged;

struct readmodel {
	pthread_rwlock_t lock;
	hg_instant window_from;
	bool broken;  /* an update failed (out of memory): every query goes to SQL */
	bool loading; /* readmodel_load_begin: the per-unit arrays wait for readmodel_load_end */

	rm_row *rows;
	size_t n_rows, cap_rows; /* slots used so far (free ones among them) and allocated */
	int32_t *free_slots;
	size_t n_free, cap_free;
	size_t held, listed, notices;

	rm_ref *map; /* id -> slot, open addressing */
	size_t map_cap, map_used;

	rm_strings units, names;
	rm_vec *unit_rows;    /* unit code -> the listed rows it is party to */
	rm_vec *unit_noticed; /* unit code -> the rows with a notice waiting for it */
	size_t cap_unit_vecs;

	rm_staged *staged; /* the writer's open batch */
	size_t n_staged, cap_staged;
	atomic_size_t answered; /* queries answered */
};

/* ---- growable arrays ---- */

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c = elem * c > (1u << 20) ? c + c / 2 : c * 2; /* big arrays by half: less slack */
	void *bigger = hg_realloc(*p, c * elem);
	if (!bigger)
		return false;
	*p = bigger;
	*cap = c;
	return true;
}

/* ---- interned strings ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return h;
}

static const char *str_of(const rm_strings *t, uint32_t code)
{
	return code == RM_NONE ? "" : t->pool + t->off[code];
}

static uint32_t hash_tag(uint64_t h)
{
	return (uint32_t)(h >> 32);
}

/* The code of s (of hash h), or RM_NONE when it was never interned. */
static uint32_t str_find_hashed(const rm_strings *t, const char *s, uint64_t h)
{
	if (!t->map_cap)
		return RM_NONE;
	for (size_t i = h & (t->map_cap - 1);; i = (i + 1) & (t->map_cap - 1)) {
		rm_code_ref r = t->map[i];
		if (!r.code1)
			return RM_NONE;
		if (r.tag == hash_tag(h) && strcmp(str_of(t, r.code1 - 1), s) == 0)
			return r.code1 - 1;
	}
}

/* The code of s, or RM_NONE when it was never interned. */
static uint32_t str_find(const rm_strings *t, const char *s)
{
	return str_find_hashed(t, s, hash_str(s));
}

static bool str_map_resize(rm_strings *t, size_t cap)
{
	rm_code_ref *m = hg_calloc(cap, sizeof *m);
	if (!m)
		return false;
	for (size_t k = 0; k < t->map_cap; k++) {
		rm_code_ref r = t->map[k];
		if (!r.code1)
			continue;
		/* the place from the hash's low half, which the tag does not keep: hashed again */
		size_t i = hash_str(str_of(t, r.code1 - 1)) & (cap - 1);
		while (m[i].code1)
			i = (i + 1) & (cap - 1);
		m[i] = r;
	}
	hg_free(t->map);
	t->map = m;
	t->map_cap = cap;
	return true;
}

/* The code of s, interning it when new; RM_NONE when out of memory. */
static uint32_t str_intern(rm_strings *t, const char *s)
{
	uint64_t h = hash_str(s);
	uint32_t code = str_find_hashed(t, s, h);
	if (code != RM_NONE)
		return code;
	size_t len = strlen(s) + 1;
	/* filled up to three quarters: a probe compares tags until one agrees */
	if ((t->n + 1) * 4 > t->map_cap * 3 && !str_map_resize(t, t->map_cap ? t->map_cap * 2 : 256))
		return RM_NONE;
	if (!grow((void **)&t->pool, &t->cap, t->len + len, 1) ||
	    !grow((void **)&t->off, &t->cap_off, t->n + 1, sizeof *t->off))
		return RM_NONE;
	memcpy(t->pool + t->len, s, len);
	code = (uint32_t)t->n++;
	t->off[code] = (uint32_t)t->len;
	t->len += len;
	size_t i = h & (t->map_cap - 1);
	while (t->map[i].code1)
		i = (i + 1) & (t->map_cap - 1);
	t->map[i] = (rm_code_ref){code + 1, hash_tag(h)};
	return code;
}

static void str_free(rm_strings *t)
{
	hg_free(t->pool);
	hg_free(t->off);
	hg_free(t->map);
}

/* A unit's code, interned, with its per-unit arrays in place; RM_NONE when out of memory. */
static uint32_t unit_intern(readmodel *rm, const char *unit)
{
	uint32_t code = str_intern(&rm->units, unit);
	if (code == RM_NONE || code >= RM_UNITS_MAX)
		return RM_NONE;
	if (code >= rm->cap_unit_vecs) {
		size_t cap = rm->cap_unit_vecs ? rm->cap_unit_vecs * 2 : 256;
		rm_vec *a = hg_realloc(rm->unit_rows, cap * sizeof *a);
		if (!a)
			return RM_NONE;
		rm->unit_rows = a;
		rm_vec *b = hg_realloc(rm->unit_noticed, cap * sizeof *b);
		if (!b)
			return RM_NONE; /* unit_rows is larger than needed: harmless */
		rm->unit_noticed = b;
		memset(a + rm->cap_unit_vecs, 0, (cap - rm->cap_unit_vecs) * sizeof *a);
		memset(b + rm->cap_unit_vecs, 0, (cap - rm->cap_unit_vecs) * sizeof *b);
		rm->cap_unit_vecs = cap;
	}
	return code;
}

/* ---- id -> slot ---- */

static uint32_t id_tag(int64_t id)
{
	return (uint32_t)(uint64_t)id;
}

/* Hashes the tag alone, so that the table grows without reading the rows. */
static size_t tag_hash(uint32_t tag, size_t cap)
{
	return (size_t)(((uint64_t)tag * 0x9E3779B97F4A7C15u) >> 17) & (cap - 1);
}

static int32_t slot_find(const readmodel *rm, int64_t id, size_t *at)
{
	uint32_t tag = id_tag(id);
	if (!rm->map_cap)
		return RM_SLOT_EMPTY;
	for (size_t i = tag_hash(tag, rm->map_cap);; i = (i + 1) & (rm->map_cap - 1)) {
		rm_ref m = rm->map[i];
		if (m.slot == RM_SLOT_EMPTY)
			return RM_SLOT_EMPTY;
		if (m.slot >= 0 && m.tag == tag && rm->rows[m.slot].id == id) {
			if (at)
				*at = i;
			return m.slot;
		}
	}
}

static bool map_resize(readmodel *rm, size_t cap)
{
	rm_ref *m = hg_malloc(cap * sizeof *m);
	if (!m)
		return false;
	for (size_t i = 0; i < cap; i++)
		m[i] = (rm_ref){0, RM_SLOT_EMPTY};
	rm->map_used = 0;
	for (size_t i = 0; i < rm->map_cap; i++) {
		rm_ref r = rm->map[i];
		if (r.slot < 0)
			continue;
		size_t j = tag_hash(r.tag, cap);
		while (m[j].slot != RM_SLOT_EMPTY)
			j = (j + 1) & (cap - 1);
		m[j] = r;
		rm->map_used++;
	}
	hg_free(rm->map);
	rm->map = m;
	rm->map_cap = cap;
	return true;
}

/* ---- per-unit rows ---- */

static bool vec_add(rm_vec *v, int32_t slot)
{
	if (v->n == v->cap) {
		uint32_t cap = v->cap ? v->cap * 2 : 8;
		int32_t *bigger = hg_realloc(v->v, cap * sizeof *bigger);
		if (!bigger)
			return false;
		v->v = bigger;
		v->cap = cap;
	}
	v->v[v->n++] = slot;
	return true;
}

static void vec_remove(rm_vec *v, int32_t slot)
{
	for (uint32_t i = 0; i < v->n; i++)
		if (v->v[i] == slot) {
			v->v[i] = v->v[--v->n];
			return;
		}
}

/* ---- life ---- */

hg_status readmodel_create(hg_instant window_from, readmodel **out)
{
	readmodel *rm = hg_calloc(1, sizeof *rm);
	if (!rm)
		return HG_ENOMEM;
	if (pthread_rwlock_init(&rm->lock, NULL) != 0) {
		hg_free(rm);
		return HG_ENOMEM;
	}
	rm->window_from = window_from;
	*out = rm;
	return HG_OK;
}

static void staged_clear(readmodel *rm)
{
	for (size_t i = 0; i < rm->n_staged; i++) {
		hg_free(rm->staged[i].parties);
		hg_free(rm->staged[i].notices);
	}
	rm->n_staged = 0;
}

void readmodel_free(readmodel *rm)
{
	if (!rm)
		return;
	staged_clear(rm);
	hg_free(rm->staged);
	for (size_t i = 0; i < rm->n_rows; i++) {
		hg_free(rm->rows[i].acks);
		hg_free(rm->rows[i].d);
	}
	for (size_t i = 0; i < rm->cap_unit_vecs; i++) {
		hg_free(rm->unit_rows[i].v);
		hg_free(rm->unit_noticed[i].v);
	}
	hg_free(rm->unit_rows);
	hg_free(rm->unit_noticed);
	hg_free(rm->rows);
	hg_free(rm->free_slots);
	hg_free(rm->map);
	str_free(&rm->units);
	str_free(&rm->names);
	pthread_rwlock_destroy(&rm->lock);
	hg_free(rm);
}

hg_instant readmodel_window_from(const readmodel *rm)
{
	return rm->window_from;
}

/* True when a list answered here can show the episode: open, or discharged within the window. */
static bool listed(const readmodel *rm, const store_episode_row *r)
{
	if (r->status == EPISODE_ADMITTED || r->status == EPISODE_READY)
		return true;
	return r->status == EPISODE_DISCHARGED &&
	       (r->discharged_at == HG_INSTANT_NONE || r->discharged_at >= rm->window_from);
}

bool readmodel_holds(const readmodel *rm, const readmodel_entry *e)
{
	if (e->row.status == EPISODE_CANCELLED || e->row.status == EPISODE_EMPTY)
		return false; /* neither a list nor the notices show them */
	return listed(rm, &e->row) || e->n_notices > 0;
}

/* ---- updates (write lock held) ---- */

/* The distinct units of the row's notices into out (at most cap); their count. */
static size_t ack_units(const rm_row *r, uint32_t *out, size_t cap)
{
	size_t n = 0;
	for (uint16_t i = 0; i < r->n_acks; i++) {
		uint32_t u = ACK_UNIT(&r->acks[i]);
		bool dup = false;
		for (size_t k = 0; k < n && !dup; k++)
			dup = out[k] == u;
		if (!dup && n < cap)
			out[n++] = u;
	}
	return n;
}

static bool code_in(const uint32_t *v, size_t n, uint32_t code)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == code)
			return true;
	return false;
}

/* Moves slot's membership in the per-unit arrays `vecs` from the units old[0..n_old) to
 * new[0..n_new): only the units that changed are touched (a big unit's array is long). While
 * loading, nothing: readmodel_load_end builds the arrays from the rows. */
static bool vecs_move(const readmodel *rm, rm_vec *vecs, int32_t slot, const uint32_t *old, size_t n_old,
                      const uint32_t *new_, size_t n_new)
{
	if (rm->loading)
		return true;
	for (size_t i = 0; i < n_old; i++)
		if (!code_in(new_, n_new, old[i]))
			vec_remove(&vecs[old[i]], slot);
	for (size_t i = 0; i < n_new; i++)
		if (!code_in(old, n_old, new_[i]) && !vec_add(&vecs[new_[i]], slot))
			return false;
	return true;
}

#define RM_ACK_UNITS_MAX EPISODE_RECIPIENTS_MAX

static void row_drop(readmodel *rm, int32_t slot, size_t at)
{
	rm_row *r = &rm->rows[slot];
	uint32_t units[RM_ACK_UNITS_MAX];
	size_t n_units = ack_units(r, units, RM_ACK_UNITS_MAX);
	(void)vecs_move(rm, rm->unit_noticed, slot, units, n_units, NULL, 0); /* removing allocates nothing */
	if (r->d) {
		(void)vecs_move(rm, rm->unit_rows, slot, r->d->parties, r->d->n_parties, NULL, 0);
		rm->listed--;
	}
	rm->notices -= r->n_acks;
	hg_free(r->acks);
	hg_free(r->d);
	memset(r, 0, sizeof *r);
	rm->map[at].slot = RM_SLOT_GONE;
	rm->free_slots[rm->n_free++] = slot; /* room reserved when the slot was taken */
	rm->held--;
}

/* Fills slot from e: the row's own columns, the detail of a listed one, the notices; moves the
 * slot's membership in the per-unit arrays from what it was to what e says. */
static hg_status row_fill(readmodel *rm, int32_t slot, const readmodel_entry *e)
{
	rm_row *r = &rm->rows[slot];
	const store_episode_row *src = &e->row;
	uint32_t old_parties[RM_PARTIES_MAX], new_parties[RM_PARTIES_MAX], old_units[RM_ACK_UNITS_MAX],
	    new_units[RM_ACK_UNITS_MAX];
	size_t n_old_parties = 0, n_new_parties = 0, n_old_units, n_new_units;
	rm_ack *acks = NULL;
	size_t n_acks = 0;

	if (r->d) {
		n_old_parties = r->d->n_parties;
		memcpy(old_parties, r->d->parties, n_old_parties * sizeof *old_parties);
	}
	n_old_units = ack_units(r, old_units, RM_ACK_UNITS_MAX);

	r->last_seq = src->last_seq;
	r->status = (uint8_t)src->status;
	memcpy(r->pnr, src->pnr, sizeof r->pnr);
	r->pnr[sizeof r->pnr - 1] = 0;
	if ((r->name = str_intern(&rm->names, src->patient_name)) == RM_NONE ||
	    (r->ward = unit_intern(rm, src->ward)) == RM_NONE)
		return HG_ENOMEM;

	/* the notices: a new array, then the per-unit arrays follow; each unit is interned once
	 * (an episode's notices go to a few units, again and again) */
	size_t want = e->n_notices > UINT16_MAX ? UINT16_MAX : e->n_notices;
	size_t first_of[RM_ACK_UNITS_MAX], n_seen = 0; /* the first notice to each unit seen so far */
	if (want && !(acks = hg_malloc(want * sizeof *acks)))
		return HG_ENOMEM;
	for (size_t i = 0; i < want; i++) {
		uint32_t u = RM_NONE;
		for (size_t k = 0; k < n_seen && u == RM_NONE; k++)
			if (strcmp(e->notices[first_of[k]].unit, e->notices[i].unit) == 0)
				u = ACK_UNIT(&acks[first_of[k]]);
		if (u == RM_NONE) {
			u = unit_intern(rm, e->notices[i].unit);
			if (n_seen < RM_ACK_UNITS_MAX)
				first_of[n_seen++] = i;
		}
		hg_instant rel = e->notices[i].sent_at - RM_EPOCH;
		if (u == RM_NONE || rel < INT32_MIN || rel > INT32_MAX) {
			hg_free(acks);
			return HG_ENOMEM; /* (a time beyond 2068 too: SQL answers from then on) */
		}
		acks[n_acks++] =
		    (rm_ack){(int32_t)rel, e->notices[i].seq, u << 8 | ((uint32_t)e->notices[i].type & 0xff)};
	}
	rm->notices -= r->n_acks;
	hg_free(r->acks);
	r->acks = acks;
	r->n_acks = (uint16_t)n_acks;
	rm->notices += n_acks;
	n_new_units = ack_units(r, new_units, RM_ACK_UNITS_MAX);
	if (!vecs_move(rm, rm->unit_noticed, slot, old_units, n_old_units, new_units, n_new_units))
		return HG_ENOMEM;

	if (!listed(rm, src)) {
		if (r->d) {
			(void)vecs_move(rm, rm->unit_rows, slot, old_parties, n_old_parties, NULL, 0);
			hg_free(r->d);
			r->d = NULL;
			rm->listed--;
		}
		return HG_OK;
	}
	if (!r->d) {
		if (!(r->d = hg_calloc(1, sizeof *r->d)))
			return HG_ENOMEM;
		rm->listed++;
	}
	rm_detail *d = r->d;
	d->admitted_at = src->admitted_at;
	d->notice_at = src->notice_at;
	d->ready_at = src->ready_at;
	d->discharged_at = src->discharged_at;
	d->due[0] = src->notice_due;
	d->met[0] = src->notice_met;
	d->due[1] = src->care_contact_due;
	d->met[1] = src->care_contact_met;
	d->due[2] = src->sip_due;
	d->met[2] = src->sip_met;
	d->expected_date = src->expected_date;
	d->care = (uint8_t)src->care;
	d->track_is_set = src->track_is_set;
	d->track = (uint8_t)src->track;
	if ((d->municipality = unit_intern(rm, src->municipality)) == RM_NONE ||
	    (d->primary_care_unit = unit_intern(rm, src->primary_care_unit)) == RM_NONE ||
	    (d->hospital = unit_intern(rm, src->hospital)) == RM_NONE)
		return HG_ENOMEM;
	for (size_t i = 0; i < e->n_parties && n_new_parties < RM_PARTIES_MAX; i++) {
		uint32_t code = unit_intern(rm, e->parties[i]);
		if (code == RM_NONE)
			return HG_ENOMEM;
		if (!code_in(new_parties, n_new_parties, code))
			new_parties[n_new_parties++] = code;
	}
	d->n_parties = 0; /* as good as the arrays until they are moved */
	if (!vecs_move(rm, rm->unit_rows, slot, old_parties, n_old_parties, new_parties, n_new_parties))
		return HG_ENOMEM;
	memcpy(d->parties, new_parties, n_new_parties * sizeof *new_parties);
	d->n_parties = (uint8_t)n_new_parties;
	return HG_OK;
}

/* Takes a slot for id (and its place in the map); false when out of memory. */
static bool slot_take(readmodel *rm, int64_t id, int32_t *slot)
{
	/* filled up to three quarters: a probe reads the table alone until the tag matches */
	if ((rm->map_used + 1) * 4 > rm->map_cap * 3 && !map_resize(rm, rm->map_cap ? rm->map_cap * 2 : 1024))
		return false;
	if (!grow((void **)&rm->free_slots, &rm->cap_free, rm->held + 1, sizeof *rm->free_slots))
		return false;
	if (rm->n_free)
		*slot = rm->free_slots[--rm->n_free];
	else {
		if (!grow((void **)&rm->rows, &rm->cap_rows, rm->n_rows + 1, sizeof *rm->rows))
			return false;
		*slot = (int32_t)rm->n_rows++;
	}
	memset(&rm->rows[*slot], 0, sizeof rm->rows[*slot]);
	rm->rows[*slot].id = id;
	size_t i = tag_hash(id_tag(id), rm->map_cap);
	while (rm->map[i].slot >= 0)
		i = (i + 1) & (rm->map_cap - 1);
	if (rm->map[i].slot == RM_SLOT_EMPTY)
		rm->map_used++;
	rm->map[i] = (rm_ref){id_tag(id), *slot};
	rm->held++;
	return true;
}

static hg_status put_locked(readmodel *rm, const readmodel_entry *e)
{
	size_t at = 0;
	int32_t slot = slot_find(rm, e->row.id, &at);
	if (rm->broken)
		return HG_OK;
	if (slot >= 0 && e->row.last_seq < rm->rows[slot].last_seq)
		return HG_OK; /* older than what is held */
	if (!readmodel_holds(rm, e)) {
		if (slot >= 0)
			row_drop(rm, slot, at);
		return HG_OK;
	}
	if (slot < 0 && !slot_take(rm, e->row.id, &slot)) {
		rm->broken = true;
		return HG_ENOMEM;
	}
	hg_status rc = row_fill(rm, slot, e);
	if (rc != HG_OK)
		rm->broken = true; /* a half-filled row: SQL answers from now on */
	return rc;
}

hg_status readmodel_put(readmodel *rm, const readmodel_entry *e)
{
	pthread_rwlock_wrlock(&rm->lock);
	hg_status rc = put_locked(rm, e);
	pthread_rwlock_unlock(&rm->lock);
	return rc;
}

void readmodel_refresh_begin(readmodel *rm)
{
	pthread_rwlock_wrlock(&rm->lock);
}

hg_status readmodel_refresh_put(readmodel *rm, const readmodel_entry *e)
{
	return put_locked(rm, e);
}

void readmodel_refresh_end(readmodel *rm)
{
	pthread_rwlock_unlock(&rm->lock);
}

void readmodel_load_begin(readmodel *rm)
{
	pthread_rwlock_wrlock(&rm->lock);
	rm->loading = true;
}

/* Calls add(vecs, code, slot, arg) for every per-unit membership of every held row: the parties
 * of a listed row in unit_rows, the units its notices wait for in unit_noticed. */
static void memberships(readmodel *rm, void (*add)(rm_vec *, uint32_t, int32_t))
{
	uint32_t units[RM_ACK_UNITS_MAX];
	for (size_t i = 0; i < rm->n_rows; i++) {
		const rm_row *r = &rm->rows[i];
		if (!r->id)
			continue;
		if (r->d)
			for (uint8_t k = 0; k < r->d->n_parties; k++)
				add(rm->unit_rows, r->d->parties[k], (int32_t)i);
		size_t n = ack_units(r, units, RM_ACK_UNITS_MAX);
		for (size_t k = 0; k < n; k++)
			add(rm->unit_noticed, units[k], (int32_t)i);
	}
}

/* Empties every per-unit array. */
static void vecs_clear(readmodel *rm)
{
	for (size_t u = 0; u < rm->cap_unit_vecs; u++) {
		rm_vec *v[2] = {&rm->unit_rows[u], &rm->unit_noticed[u]};
		for (int k = 0; k < 2; k++) {
			hg_free(v[k]->v);
			*v[k] = (rm_vec){0};
		}
	}
}

static void count_one(rm_vec *vecs, uint32_t code, int32_t slot)
{
	(void)slot;
	vecs[code].cap++;
}

static void put_one(rm_vec *vecs, uint32_t code, int32_t slot)
{
	vecs[code].v[vecs[code].n++] = slot;
}

hg_status readmodel_load_end(readmodel *rm)
{
	hg_status rc = HG_OK;
	rm->loading = false;
	/* every array to its exact size: counted in one pass over the rows, filled in a second */
	vecs_clear(rm);
	memberships(rm, count_one);
	for (size_t u = 0; u < rm->cap_unit_vecs && rc == HG_OK; u++) {
		rm_vec *v[2] = {&rm->unit_rows[u], &rm->unit_noticed[u]};
		for (int k = 0; k < 2; k++)
			if (v[k]->cap && !(v[k]->v = hg_malloc(v[k]->cap * sizeof *v[k]->v)))
				rc = HG_ENOMEM;
	}
	if (rc == HG_OK) {
		memberships(rm, put_one);
	} else {
		rm->broken = true; /* every query goes to SQL; the arrays stay empty */
		vecs_clear(rm);
	}
	pthread_rwlock_unlock(&rm->lock);
	return rc;
}

hg_status readmodel_stage(readmodel *rm, const readmodel_entry *e)
{
	rm_staged *s;
	if (!grow((void **)&rm->staged, &rm->cap_staged, rm->n_staged + 1, sizeof *rm->staged))
		goto fail;
	s = &rm->staged[rm->n_staged];
	memset(s, 0, sizeof *s);
	s->row = e->row;
	if (e->n_parties && !(s->parties = hg_malloc(e->n_parties * sizeof *s->parties)))
		goto fail;
	if (e->n_notices && !(s->notices = hg_malloc(e->n_notices * sizeof *s->notices))) {
		hg_free(s->parties);
		goto fail;
	}
	if (e->n_parties)
		memcpy(s->parties, e->parties, e->n_parties * sizeof *s->parties);
	if (e->n_notices)
		memcpy(s->notices, e->notices, e->n_notices * sizeof *s->notices);
	s->n_parties = e->n_parties;
	s->n_notices = e->n_notices;
	rm->n_staged++;
	return HG_OK;
fail:
	readmodel_break(rm); /* the batch will commit without this entry: the model would miss it */
	return HG_ENOMEM;
}

void readmodel_break(readmodel *rm)
{
	pthread_rwlock_wrlock(&rm->lock);
	rm->broken = true;
	pthread_rwlock_unlock(&rm->lock);
}

hg_status readmodel_commit(readmodel *rm)
{
	hg_status rc = HG_OK;
	if (!rm->n_staged)
		return HG_OK;
	pthread_rwlock_wrlock(&rm->lock);
	for (size_t i = 0; i < rm->n_staged; i++) {
		const rm_staged *s = &rm->staged[i];
		readmodel_entry e = {s->row, (const char(*)[HG_ID_MAX])s->parties, s->n_parties, s->notices,
		                     s->n_notices};
		hg_status r = put_locked(rm, &e);
		if (r != HG_OK)
			rc = r;
	}
	pthread_rwlock_unlock(&rm->lock);
	staged_clear(rm);
	return rc;
}

void readmodel_discard(readmodel *rm)
{
	staged_clear(rm);
}

/* ---- queries (read lock held) ---- */

/* Whether every episode the store_query qv can match is held. */
static bool answerable(const readmodel *rm, const void *qv)
{
	const store_query *q = qv;
	if (rm->broken || q->pnr)
		return false;
	if (q->in_hospital || q->ready_only || q->status == EPISODE_ADMITTED || q->status == EPISODE_READY)
		return true; /* every open episode is held */
	return q->status == EPISODE_DISCHARGED && q->from != HG_INSTANT_NONE && q->from >= rm->window_from;
}

/* The predicates of build_where (store_sqlite.c) but visibility, on one listed row. */
static bool row_matches(const readmodel *rm, const rm_row *r, const store_query *q, uint32_t unit)
{
	const rm_detail *d = r->d;
	if (q->municipality && strcmp(str_of(&rm->units, d->municipality), q->municipality) != 0)
		return false;
	if (q->unit && (unit == RM_NONE || !code_in(d->parties, d->n_parties, unit)))
		return false;
	if ((q->status >= 0 || q->ready_only) && r->status != (q->ready_only ? EPISODE_READY : q->status))
		return false;
	if (q->in_hospital && r->status != EPISODE_ADMITTED && r->status != EPISODE_READY)
		return false;
	if (q->overdue_at != HG_INSTANT_NONE) {
		bool late = false;
		for (int k = 0; k < 3; k++)
			late = late || (d->due[k] != HG_INSTANT_NONE && d->due[k] < q->overdue_at &&
			                d->met[k] == HG_INSTANT_NONE);
		if (r->status == EPISODE_CANCELLED || !late)
			return false;
	}
	if ((q->from != HG_INSTANT_NONE || q->to != HG_INSTANT_NONE) && r->status == EPISODE_CANCELLED)
		return false;
	if (q->to != HG_INSTANT_NONE && !(d->admitted_at < q->to))
		return false;
	if (q->from != HG_INSTANT_NONE && d->discharged_at != HG_INSTANT_NONE && d->discharged_at < q->from)
		return false;
	return true;
}

static int cmp_slot(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/*
 * The slots in the per-unit arrays `vecs` of units[0..n) (or every listed row with `all`), each
 * once; *out hg_malloc'ed (NULL when none).
 */
static hg_status unit_slots(const readmodel *rm, const rm_vec *vecs, const char (*units)[HG_ID_MAX], size_t n_units,
                            bool all, int32_t **out, size_t *n)
{
	size_t cap = 0, len = 0;
	int32_t *v = NULL;
	*out = NULL;
	*n = 0;
	if (all) {
		for (size_t i = 0; i < rm->n_rows; i++)
			if (rm->rows[i].id && rm->rows[i].d) {
				if (!grow((void **)&v, &cap, len + 1, sizeof *v))
					goto nomem;
				v[len++] = (int32_t)i;
			}
	} else {
		size_t parts = 0;
		for (size_t u = 0; u < n_units; u++) {
			uint32_t code = str_find(&rm->units, units[u]);
			if (code == RM_NONE || code >= rm->cap_unit_vecs || !vecs[code].n)
				continue;
			const rm_vec *rv = &vecs[code];
			if (!grow((void **)&v, &cap, len + rv->n, sizeof *v))
				goto nomem;
			memcpy(v + len, rv->v, rv->n * sizeof *v);
			len += rv->n;
			parts++;
		}
		if (parts > 1) {
			size_t k = 0;
			qsort(v, len, sizeof *v, cmp_slot);
			for (size_t i = 0; i < len; i++)
				if (!k || v[k - 1] != v[i])
					v[k++] = v[i];
			len = k;
		}
	}
	*out = v;
	*n = len;
	return HG_OK;
nomem:
	hg_free(v);
	return HG_ENOMEM;
}

typedef struct rm_hit {
	hg_instant key; /* admitted_at, or sent_at */
	int64_t id;
	int32_t slot, seq;
	const char *unit; /* pending: the notice's unit */
	int type;         /* pending: the notice's event_type */
} rm_hit;

/* ORDER BY admitted_at DESC, episode_id DESC */
static int cmp_episode_hit(const void *pa, const void *pb)
{
	const rm_hit *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? 1 : -1;
	return (a->id < b->id) - (a->id > b->id);
}

/* ORDER BY sent_at DESC, episode_id DESC, seq DESC, unit_id */
static int cmp_pending_hit(const void *pa, const void *pb)
{
	const rm_hit *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? 1 : -1;
	if (a->id != b->id)
		return a->id < b->id ? 1 : -1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? 1 : -1;
	return strcmp(a->unit, b->unit);
}

static void row_out(const readmodel *rm, const rm_row *r, store_episode_row *o)
{
	const rm_detail *d = r->d;
	memset(o, 0, sizeof *o);
	o->id = r->id;
	o->status = (episode_status)r->status;
	memcpy(o->pnr, r->pnr, sizeof o->pnr);
	snprintf(o->patient_name, sizeof o->patient_name, "%s", str_of(&rm->names, r->name));
	snprintf(o->municipality, sizeof o->municipality, "%s", str_of(&rm->units, d->municipality));
	snprintf(o->primary_care_unit, sizeof o->primary_care_unit, "%s", str_of(&rm->units, d->primary_care_unit));
	snprintf(o->hospital, sizeof o->hospital, "%s", str_of(&rm->units, d->hospital));
	snprintf(o->ward, sizeof o->ward, "%s", str_of(&rm->units, r->ward));
	o->care = (care_type)d->care;
	o->admitted_at = d->admitted_at;
	o->notice_at = d->notice_at;
	o->ready_at = d->ready_at;
	o->discharged_at = d->discharged_at;
	o->expected_date = d->expected_date;
	o->track_is_set = d->track_is_set;
	o->track = (track_colour)d->track;
	o->notice_due = d->due[0];
	o->notice_met = d->met[0];
	o->care_contact_due = d->due[1];
	o->care_contact_met = d->met[1];
	o->sip_due = d->due[2];
	o->sip_met = d->met[2];
	o->last_seq = r->last_seq;
}

/* Sorts hits[0..n) with cmp and copies the page [offset, offset + limit) out through out_fn into an
 * hg_malloc'ed array of elem-byte elements. */
static hg_status page_out(const readmodel *rm, rm_hit *hits, size_t n, int (*cmp)(const void *, const void *),
                          size_t offset, int limit, size_t elem,
                          void (*out_fn)(const readmodel *, const rm_hit *, void *), void **rows, size_t *n_rows)
{
	if (n > 1)
		qsort(hits, n, sizeof *hits, cmp);
	size_t first = offset < n ? offset : n;
	size_t count = n - first < (size_t)limit ? n - first : (size_t)limit;
	*rows = NULL;
	*n_rows = 0;
	if (!count)
		return HG_OK;
	char *out = hg_malloc(count * elem);
	if (!out)
		return HG_ENOMEM;
	for (size_t i = 0; i < count; i++)
		out_fn(rm, &hits[first + i], out + i * elem);
	*rows = out;
	*n_rows = count;
	return HG_OK;
}

static void episode_hit_out(const readmodel *rm, const rm_hit *h, void *o)
{
	row_out(rm, &rm->rows[h->slot], o);
}

static void pending_hit_out(const readmodel *rm, const rm_hit *h, void *p)
{
	const rm_row *r = &rm->rows[h->slot];
	store_pending_ack *o = p;
	memset(o, 0, sizeof *o);
	o->episode_id = r->id;
	o->seq = h->seq;
	snprintf(o->unit, sizeof o->unit, "%s", h->unit);
	o->type = (event_type)h->type;
	o->sent_at = h->key;
	snprintf(o->patient_name, sizeof o->patient_name, "%s", str_of(&rm->names, r->name));
	memcpy(o->pnr, r->pnr, sizeof o->pnr);
	snprintf(o->ward, sizeof o->ward, "%s", str_of(&rm->units, r->ward));
}

/* Every notice waiting is held: all but a model that missed an update can answer. */
static bool pending_answerable(const readmodel *rm, const void *qv)
{
	const store_ack_query *q = qv;
	return !rm->broken && q->n_units <= STORE_USER_UNITS_MAX * 4;
}

/* Clears the outputs and takes the read lock; false (the lock given back) when can(rm, q) says the
 * query is left to SQL. */
static bool query_begin(readmodel *rm, bool (*can)(const readmodel *, const void *), const void *q, void **rows,
                        size_t *n, size_t *total, bool *answered)
{
	*rows = NULL;
	*n = 0;
	if (total)
		*total = 0;
	pthread_rwlock_rdlock(&rm->lock);
	*answered = can(rm, q);
	if (!*answered) {
		pthread_rwlock_unlock(&rm->lock);
		return false;
	}
	atomic_fetch_add(&rm->answered, 1);
	return true;
}

hg_status readmodel_query(readmodel *rm, const store_query *q, store_episode_row **rows, size_t *n, size_t *total,
                          bool *answered)
{
	int32_t *slots = NULL;
	size_t n_slots = 0, n_hits = 0;
	rm_hit *hits = NULL;
	int limit = q->limit <= 0 ? 100 : q->limit > 1000 ? 1000 : q->limit;
	size_t offset = q->offset < 0 ? 0 : (size_t)q->offset;
	hg_status rc;
	if (!query_begin(rm, answerable, q, (void **)rows, n, total, answered))
		return HG_OK;
	rc = unit_slots(rm, rm->unit_rows, q->units, q->n_units, q->all, &slots, &n_slots);
	if (rc == HG_OK && n_slots && !(hits = hg_malloc(n_slots * sizeof *hits)))
		rc = HG_ENOMEM;
	uint32_t unit = q->unit ? str_find(&rm->units, q->unit) : RM_NONE;
	for (size_t i = 0; rc == HG_OK && i < n_slots; i++) {
		const rm_row *r = &rm->rows[slots[i]];
		if (row_matches(rm, r, q, unit))
			hits[n_hits++] = (rm_hit){r->d->admitted_at, r->id, slots[i], 0, NULL, 0};
	}
	if (rc == HG_OK)
		rc = page_out(rm, hits, n_hits, cmp_episode_hit, offset, limit, sizeof **rows, episode_hit_out,
		              (void **)rows, n);
	if (rc == HG_OK && total)
		*total = n_hits;
	pthread_rwlock_unlock(&rm->lock);
	hg_free(slots);
	hg_free(hits);
	return rc;
}

hg_status readmodel_pending(readmodel *rm, const store_ack_query *q, store_pending_ack **rows, size_t *n, size_t *total,
                            bool *answered)
{
	int32_t *slots = NULL;
	size_t n_slots = 0, n_hits = 0, cap = 0;
	rm_hit *hits = NULL;
	uint32_t codes[STORE_USER_UNITS_MAX * 4];
	size_t n_codes = 0;
	int limit = q->limit <= 0 ? 50 : q->limit > 500 ? 500 : q->limit;
	size_t offset = q->offset < 0 ? 0 : (size_t)q->offset;
	hg_status rc;
	if (!query_begin(rm, pending_answerable, q, (void **)rows, n, total, answered))
		return HG_OK;
	for (size_t u = 0; u < q->n_units; u++) {
		uint32_t code = str_find(&rm->units, q->units[u]);
		if (code != RM_NONE && !code_in(codes, n_codes, code))
			codes[n_codes++] = code;
	}
	rc = unit_slots(rm, rm->unit_noticed, q->units, q->n_units, false, &slots, &n_slots);
	for (size_t i = 0; rc == HG_OK && i < n_slots; i++) {
		const rm_row *r = &rm->rows[slots[i]];
		for (uint16_t a = 0; a < r->n_acks && rc == HG_OK; a++) {
			const rm_ack *ack = &r->acks[a];
			if (!code_in(codes, n_codes, ACK_UNIT(ack)) || (q->type >= 0 && ACK_TYPE(ack) != q->type))
				continue;
			if (!grow((void **)&hits, &cap, n_hits + 1, sizeof *hits))
				rc = HG_ENOMEM;
			else
				hits[n_hits++] = (rm_hit){
				    ACK_SENT_AT(ack), r->id, slots[i], ack->seq, str_of(&rm->units, ACK_UNIT(ack)),
				    ACK_TYPE(ack)};
		}
	}
	if (rc == HG_OK)
		rc = page_out(rm, hits, n_hits, cmp_pending_hit, offset, limit, sizeof **rows, pending_hit_out,
		              (void **)rows, n);
	if (rc == HG_OK && total)
		*total = n_hits;
	pthread_rwlock_unlock(&rm->lock);
	hg_free(slots);
	hg_free(hits);
	return rc;
}

void readmodel_advance_window(readmodel *rm, hg_instant window_from)
{
	pthread_rwlock_wrlock(&rm->lock);
	if (window_from > rm->window_from) {
		rm->window_from = window_from;
		for (size_t i = 0; i < rm->n_rows; i++) {
			rm_row *r = &rm->rows[i];
			if (!r->id || !r->d || r->status != EPISODE_DISCHARGED ||
			    r->d->discharged_at == HG_INSTANT_NONE || r->d->discharged_at >= window_from)
				continue;
			if (!r->n_acks) {
				size_t at = 0;
				if (slot_find(rm, r->id, &at) == (int32_t)i)
					row_drop(rm, (int32_t)i, at);
				continue;
			}
			(void)vecs_move(rm, rm->unit_rows, (int32_t)i, r->d->parties, r->d->n_parties, NULL, 0);
			hg_free(r->d);
			r->d = NULL;
			rm->listed--;
		}
	}
	pthread_rwlock_unlock(&rm->lock);
}

bool readmodel_last_seq(readmodel *rm, int64_t id, int32_t *last_seq)
{
	pthread_rwlock_rdlock(&rm->lock);
	int32_t slot = rm->broken ? RM_SLOT_EMPTY : slot_find(rm, id, NULL);
	if (slot >= 0)
		*last_seq = rm->rows[slot].last_seq;
	pthread_rwlock_unlock(&rm->lock);
	return slot >= 0;
}

void readmodel_trim(readmodel *rm)
{
	pthread_rwlock_wrlock(&rm->lock);
	if (rm->n_rows && rm->n_rows < rm->cap_rows) {
		rm_row *fit = hg_realloc(rm->rows, rm->n_rows * sizeof *fit);
		if (fit) {
			rm->rows = fit;
			rm->cap_rows = rm->n_rows;
		}
	}
	if (rm->names.len && rm->names.len < rm->names.cap) {
		char *fit = hg_realloc(rm->names.pool, rm->names.len);
		if (fit) {
			rm->names.pool = fit;
			rm->names.cap = rm->names.len;
		}
	}
	pthread_rwlock_unlock(&rm->lock);
}

void readmodel_get_stats(readmodel *rm, readmodel_stats *out)
{
	pthread_rwlock_rdlock(&rm->lock);
	out->answered = atomic_load(&rm->answered);
	out->episodes = rm->held;
	out->listed = rm->listed;
	out->notices = rm->notices;
	out->strings = rm->units.n + rm->names.n;
	out->bytes = rm->cap_rows * sizeof *rm->rows + rm->cap_free * sizeof *rm->free_slots +
	             rm->map_cap * sizeof *rm->map + rm->listed * sizeof(rm_detail) + rm->notices * sizeof(rm_ack);
	const rm_strings *t[2] = {&rm->units, &rm->names};
	for (int i = 0; i < 2; i++)
		out->bytes += t[i]->cap + t[i]->cap_off * sizeof *t[i]->off + t[i]->map_cap * sizeof *t[i]->map;
	for (size_t i = 0; i < rm->cap_unit_vecs; i++)
		out->bytes += (rm->unit_rows[i].cap + rm->unit_noticed[i].cap) * sizeof(int32_t) + 2 * sizeof(rm_vec);
	pthread_rwlock_unlock(&rm->lock);
}
