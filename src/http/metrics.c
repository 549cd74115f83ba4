/*
 * metrics.c - request counters and duration histograms, rendered in the
 * Prometheus text exposition format, into an hg_buf (core/buf.h) with a ceiling.
 *
 * Each route (and each pseudo route: static files, /metrics, the OpenAPI file,
 * unmatched paths) owns one slot, allocated when the server starts, so
 * observing a request never allocates: it takes the server's metrics mutex,
 * bumps a (method, status) counter and a histogram bucket, and lets go. Labels
 * are route PATTERNS, never raw paths, so no personnummer can reach a metric.
 */
#include "http/http_int.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

const double http_duration_bounds[HTTP_DURATION_BUCKETS] = {.001, .0025, .005, .01, .025, .05,
							    .1,   .25,   .5,   1,   2.5};

static const char *const pseudo_names[HTTP_SLOT_PSEUDO_COUNT] = {
	[HTTP_SLOT_STATIC] = "static",
	[HTTP_SLOT_METRICS] = "metrics",
	[HTTP_SLOT_OPENAPI] = "openapi",
	[HTTP_SLOT_UNMATCHED] = "unmatched",
};

/* Appends a string literal without measuring it at run time. */
#define PUT_LITERAL(b, lit) hg_buf_add((b), (lit), sizeof(lit) - 1)

hg_status http_metrics_init(http_metrics *m, const http_route *routes, size_t nroutes)
{
	m->nslots = nroutes + HTTP_SLOT_PSEUDO_COUNT;
	m->slots = hg_calloc(m->nslots, sizeof *m->slots);
	if (!m->slots)
		return HG_ENOMEM;
	for (size_t i = 0; i < nroutes; i++)
		m->slots[i].name = routes[i].name ? routes[i].name : routes[i].pattern;
	for (size_t i = 0; i < HTTP_SLOT_PSEUDO_COUNT; i++)
		m->slots[nroutes + i].name = pseudo_names[i];
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		hg_free(m->slots);
		m->slots = NULL;
		return HG_ENOMEM;
	}
	return HG_OK;
}

void http_metrics_free(http_metrics *m)
{
	if (!m->slots)
		return;
	pthread_mutex_destroy(&m->lock);
	hg_free(m->slots);
	m->slots = NULL;
}

void http_metrics_observe(http_metrics *m, size_t slot, unsigned method, int status, double seconds)
{
	if (slot >= m->nslots)
		return;
	pthread_mutex_lock(&m->lock);
	http_metric_slot *s = &m->slots[slot];
	size_t i;
	for (i = 0; i < s->ncounts; i++)
		if (s->counts[i].status == status && s->counts[i].method == method)
			break;
	if (i < s->ncounts)
		s->counts[i].count++;
	else if (s->ncounts < HTTP_METRIC_STATUSES)
		s->counts[s->ncounts++] = (http_metric_count){.count = 1, .status = (uint16_t)status, .method = (uint8_t)method};
	else
		s->dropped++;
	for (size_t b = 0; b < HTTP_DURATION_BUCKETS; b++)
		if (seconds <= http_duration_bounds[b])
			s->buckets[b]++;
	s->observations++;
	s->sum_seconds += seconds;
	pthread_mutex_unlock(&m->lock);
}

/* Writes a label value with the escapes of the exposition format (\\, \", \n). */
static void put_label(hg_buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			hg_buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			PUT_LITERAL(b, "\\n");
		else
			hg_buf_add(b, v, 1);
	}
}

static void render_counters(const http_metrics *m, hg_buf *b)
{
	hg_buf_printf(b, "# HELP hemgang_http_requests_total HTTP requests answered, by route pattern, method and "
			   "status.\n# TYPE hemgang_http_requests_total counter\n");
	for (size_t i = 0; i < m->nslots; i++) {
		const http_metric_slot *s = &m->slots[i];
		for (size_t j = 0; j < s->ncounts; j++) {
			const http_metric_count *c = &s->counts[j];
			PUT_LITERAL(b, "hemgang_http_requests_total{route=\"");
			put_label(b, s->name);
			hg_buf_printf(b, "\",method=\"%s\",status=\"%u\"} %llu\n",
					c->method < HTTP_METHOD_COUNT ? http_method_name((http_method)c->method) : "other",
					(unsigned)c->status, (unsigned long long)c->count);
		}
	}
}

static void render_histograms(const http_metrics *m, hg_buf *b)
{
	hg_buf_printf(b, "# HELP hemgang_http_request_duration_seconds Time from the request line to the "
			   "response, by route pattern.\n# TYPE hemgang_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < m->nslots; i++) {
		const http_metric_slot *s = &m->slots[i];
		if (s->observations == 0)
			continue;
		for (size_t k = 0; k <= HTTP_DURATION_BUCKETS; k++) {
			PUT_LITERAL(b, "hemgang_http_request_duration_seconds_bucket{route=\"");
			put_label(b, s->name);
			if (k < HTTP_DURATION_BUCKETS)
				hg_buf_printf(b, "\",le=\"%g\"} %llu\n", http_duration_bounds[k],
						(unsigned long long)s->buckets[k]);
			else
				hg_buf_printf(b, "\",le=\"+Inf\"} %llu\n", (unsigned long long)s->observations);
		}
		PUT_LITERAL(b, "hemgang_http_request_duration_seconds_sum{route=\"");
		put_label(b, s->name);
		hg_buf_printf(b, "\"} %.6f\n", s->sum_seconds);
		PUT_LITERAL(b, "hemgang_http_request_duration_seconds_count{route=\"");
		put_label(b, s->name);
		hg_buf_printf(b, "\"} %llu\n", (unsigned long long)s->observations);
	}
}

hg_status http_metrics_render(http_server *s, hg_buf *out)
{
	http_metrics *m = &s->metrics;
	uint64_t dropped = 0;
	pthread_mutex_lock(&m->lock);
	render_counters(m, out);
	render_histograms(m, out);
	for (size_t i = 0; i < m->nslots; i++)
		dropped += m->slots[i].dropped;
	pthread_mutex_unlock(&m->lock);
	hg_buf_printf(out,
			"# HELP hemgang_http_requests_in_flight Requests being handled now.\n"
			"# TYPE hemgang_http_requests_in_flight gauge\nhemgang_http_requests_in_flight %u\n"
			"# HELP hemgang_http_metrics_dropped_total Requests not counted by status: too many "
			"distinct statuses on one route.\n# TYPE hemgang_http_metrics_dropped_total counter\n"
			"hemgang_http_metrics_dropped_total %llu\n",
			atomic_load(&s->in_flight), (unsigned long long)dropped);
	hg_buf_printf(out,
			"# HELP hemgang_http_connections_refused_total Connections refused: the address held its share "
			"or the reserve.\n# TYPE hemgang_http_connections_refused_total counter\n"
			"hemgang_http_connections_refused_total %lu\n"
			"# HELP hemgang_http_connections_cut_total Connections closed for slow headers or body.\n"
			"# TYPE hemgang_http_connections_cut_total counter\nhemgang_http_connections_cut_total %lu\n",
			atomic_load(&s->refused_busy), atomic_load(&s->cut_slow));
	/* The application's lines come last, outside our lock: the callback may take its own. */
	if (s->cfg.extra_metrics)
		s->cfg.extra_metrics(s->app, out);
	if (out->failed)
		return out->len >= out->max ? HG_ERANGE : HG_ENOMEM;
	return HG_OK;
}
