/*
 * cmd_server.c - `hemgang serve`, `hemgang migrate` and `hemgang rebuild`:
 * the commands that open the database and run or maintain the server.
 *
 * serve blocks SIGINT and SIGTERM before the worker threads start and waits
 * for them with sigwait in the main thread, so shutdown needs no signal
 * handler and no global flag: the server stops, requests in flight finish, the
 * store closes.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "http/api.h"
#include "auth/password.h"
#include "http/auth.h"
#include "http/invoice_api.h" /* agreements and invoices (issue 5) */
#include "fhir/fhir.h"       /* FHIR messaging and Encounter (issue 7) */
#include "hl7/hl7_api.h"     /* HL7 facilities, ward codes, quarantine (issue 7) */
#include "hl7/mllp.h" /* --mllp: the HL7 v2 listener (issue 7) */
#include "hl7/outbox.h" /* messages out to subscribers (issue 16.4) */
#include "http/followup_api.h" /* indicators, point measurements, forecast, survey (issue 6) */
#include "http/meta_api.h" /* the core's rule tables for the UI (issue 17.6) */
#include "store/store.h"

/*
 * The modules that contribute routes. The server's route table is their
 * concatenation, in this order; adding a module's API means adding a row.
 * Every module runs on SQLite and on PostgreSQL alike (issue 12).
 */
static const http_route *(*const route_providers[])(size_t *n) = {
	api_routes,
	meta_routes,
	invoice_api_routes,
	followup_routes,
	hl7_routes,
	fhir_routes,
};

/* The whole route table, hg_malloc'ed (caller frees); NULL when out of memory. */
static http_route *all_routes(size_t *n)
{
	size_t total = 0, k = 0;
	for (size_t i = 0; i < sizeof route_providers / sizeof route_providers[0]; i++) {
		size_t m;
		(void)route_providers[i](&m);
		total += m;
	}
	http_route *all = hg_malloc(total * sizeof *all);
	if (!all)
		return NULL;
	for (size_t i = 0; i < sizeof route_providers / sizeof route_providers[0]; i++) {
		size_t m;
		const http_route *r = route_providers[i](&m);
		for (size_t j = 0; j < m; j++)
			all[k++] = r[j];
	}
	*n = total;
	return all;
}

/* Opens the store at path, printing one line on failure. */
static int open_store(const char *cmd, const char *path, store **out)
{
	char err[256];
	if (store_open(path, out, err, sizeof err) != HG_OK)
		return cli_fail(cmd, "%s", err);
	return CLI_OK;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Where the web UI (a directory holding index.html) and the OpenAPI document
 * are when no option names them, so the binary finds them wherever it is
 * started (issue 18): first relative to the binary's own directory - the
 * installed layout PREFIX/bin/hemgang beside PREFIX/share/hemgang/, then the
 * build tree build/MODE/hemgang in a checkout - and last under the current
 * directory. One row per place.
 */
static const struct {
	const char *ui, *openapi;
} beside_binary[] = {
	{"../share/hemgang/web", "../share/hemgang/openapi.json"}, /* make install, the Debian package */
	{"../../web/dist", "../../docs/openapi.json"},              /* a checkout's build/MODE/hemgang */
};
#define CWD_UI "web/dist"
#define CWD_OPENAPI "docs/openapi.json"

static bool has_index(const char *dir)
{
	char index[PATH_MAX];
	int n = snprintf(index, sizeof index, "%s/index.html", dir);
	return n > 0 && (size_t)n < sizeof index && is_file(index);
}

/* The directory of the running binary into out (no trailing slash); false when unknown. */
static bool binary_dir(char *out, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", out, cap - 1);
	if (n <= 0 || (size_t)n >= cap - 1)
		return false;
	out[n] = '\0';
	char *slash = strrchr(out, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return true;
}

/*
 * Finds the UI directory and the OpenAPI file that were not given as options,
 * writing their absolute paths into ui/oa (each PATH_MAX bytes; "" = none).
 */
static void locate_ui(char *ui, char *oa)
{
	char dir[PATH_MAX], p[PATH_MAX];
	ui[0] = oa[0] = '\0';
	bool known = binary_dir(dir, sizeof dir);
	for (size_t i = 0; known && i < sizeof beside_binary / sizeof beside_binary[0]; i++) {
		int n = snprintf(p, sizeof p, "%s/%s", dir, beside_binary[i].ui);
		if (!ui[0] && n > 0 && (size_t)n < sizeof p && has_index(p) && realpath(p, ui) == NULL)
			ui[0] = '\0';
		n = snprintf(p, sizeof p, "%s/%s", dir, beside_binary[i].openapi);
		if (!oa[0] && n > 0 && (size_t)n < sizeof p && is_file(p) && realpath(p, oa) == NULL)
			oa[0] = '\0';
	}
	if (!ui[0] && has_index(CWD_UI) && realpath(CWD_UI, ui) == NULL)
		ui[0] = '\0';
	if (!oa[0] && is_file(CWD_OPENAPI) && realpath(CWD_OPENAPI, oa) == NULL)
		oa[0] = '\0';
}

/* After each audit batch: resume the answers that waited for it. */
static void wake_server(void *srv) { http_server_wake(srv); }

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},      {"listen", required_argument, NULL, 'l'},
		{"threads", required_argument, NULL, 't'}, {"static", required_argument, NULL, 's'},
		{"openapi", required_argument, NULL, 'o'}, {"access-log", no_argument, NULL, 'a'},
		{"secure-cookies", no_argument, NULL, 'c'}, {"mllp", required_argument, NULL, 'm'},
		{"trusted-proxy", required_argument, NULL, 'p'}, {"mllp-limits", required_argument, NULL, 'L'},
		{"delivery", required_argument, NULL, 'D'},
		/* connection limits (docs/operations.md): value 1-100000, stored in limits[] by index */
		{"max-connections", required_argument, NULL, 1000}, {"per-address", required_argument, NULL, 1001},
		{"reserve", required_argument, NULL, 1002},         {"header-timeout", required_argument, NULL, 1003},
		{"body-timeout", required_argument, NULL, 1004},    {NULL, 0, NULL, 0},
	};
	unsigned limits[5] = {0}; /* 0 = the framework's default */
	const char *db = DEFAULT_DB, *listen = "127.0.0.1:8080", *static_root = NULL, *openapi = NULL;
	unsigned threads = 4;
	bool access_log = false, secure = false;
	const char *mllp = NULL; /* --mllp ADDR:PORT */
	mllp_config mc = {0};    /* --mllp-limits connections=N,per-peer=N,message-timeout=S,idle-timeout=S */
	char why[160];
	outbox_config oc; /* --delivery backoff=S,backoff-max=S,attempts=N,interval-ms=N,timeout=S */
	outbox_config_defaults(&oc);
	const char *trusted_proxy = NULL; /* --trusted-proxy ADDR */
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'l': listen = optarg; break;
		case 's': static_root = optarg; break;
		case 'o': openapi = optarg; break;
		case 'a': access_log = true; break;
		case 'c': secure = true; break;
		case 'm': mllp = optarg; break;
		case 'p': trusted_proxy = optarg; break;
		case 'L':
			if (mllp_config_limits(&mc, optarg, why, sizeof why) != HG_OK)
				return cli_usage_error("serve", "--mllp-limits: %s", why);
			break;
		case 'D':
			if (outbox_config_parse(&oc, optarg, why, sizeof why) != HG_OK)
				return cli_usage_error("serve", "--delivery: %s", why);
			break;
		case 't':
			if (sscanf(optarg, "%u", &threads) != 1 || threads < 1 || threads > 64)
				return cli_usage_error("serve", "--threads must be 1-64, not '%s'", optarg);
			break;
		case 1000: case 1001: case 1002: case 1003: case 1004:
			if (sscanf(optarg, "%u", &limits[c - 1000]) != 1 || limits[c - 1000] < 1 || limits[c - 1000] > 100000)
				return cli_usage_error("serve", "%s must be a number 1-100000, not '%s'", argv[optind - 1], optarg);
			break;
		case ':': return cli_usage_error("serve", "option %s needs a value", argv[optind - 1]);
		default: return cli_usage_error("serve", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	if (static_root && !is_dir(static_root))
		return cli_usage_error("serve", "--static: '%s' is not a directory", static_root);
	char found_ui[PATH_MAX], found_openapi[PATH_MAX];
	locate_ui(found_ui, found_openapi);
	if (!static_root && found_ui[0])
		static_root = found_ui;
	if (!openapi && found_openapi[0])
		openapi = found_openapi;
	if (auth_init() != HG_OK)
		return cli_fail("serve", "libsodium could not be initialised");

	api_app app = {0};
	char demo[8] = "";
	int rc = open_store("serve", db, &app.store);
	if (rc)
		return rc;
	if (auth_limiter_new(&app.limiter, 0) != HG_OK) {
		store_close(app.store);
		return cli_fail("serve", "out of memory");
	}
	auth_limiter_share(app.limiter, app.store); /* PostgreSQL: every server counts the same failures */
	/* The read model (issue 11): the worklists and lists answered from memory, loaded before serving. */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_read_model_load(app.store) != HG_OK) {
		store_close(app.store);
		auth_limiter_free(app.limiter);
		return cli_fail("serve", "cannot load the read model from %s", db);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	store_read_model_info rmi;
	if (store_read_model_info_get(app.store, &rmi))
		fprintf(stderr,
			"hemgang: read model loaded in %.2f s: %zu episodes (%zu in lists), %zu notices waiting, %.1f MB\n",
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, rmi.episodes, rmi.listed,
			rmi.notices, (double)rmi.bytes / 1e6);
	app.demo = store_setting_get(app.store, "demo", demo, sizeof demo) == HG_OK && strcmp(demo, "1") == 0;
	app.secure_cookies = secure;
	app.trusted_proxy = trusted_proxy;
	if (api_cache_create(&app.cache) != HG_OK) {
		auth_limiter_free(app.limiter);
		store_close(app.store);
		return cli_fail("serve", "out of memory");
	}

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	http_config cfg;
	http_config_defaults(&cfg);
	cfg.listen = listen;
	cfg.threads = threads;
	cfg.max_connections = limits[0];
	cfg.per_ip_connections = limits[1];
	cfg.reserve_connections = limits[2];
	cfg.header_timeout_s = limits[3];
	cfg.body_timeout_s = limits[4];
	cfg.per_ip_exempt = trusted_proxy; /* every client behind the proxy shares its address */
	cfg.static_root = static_root;
	cfg.spa_fallback = static_root != NULL;
	cfg.api_prefix = "/api/ /fhir/"; /* unknown API paths answer 404, never the web UI's index.html */
	cfg.openapi_file = openapi;
	cfg.openapi_url = "/api/openapi.json";
	cfg.metrics_url = "/metrics";
	cfg.access_log = access_log;
	cfg.extra_metrics = api_extra_metrics;
	cfg.durable = api_durable; /* answers wait, suspended, for their audit record's group commit */
	size_t nroutes = 0;
	http_route *routes = all_routes(&nroutes);
	http_server *srv = NULL;
	if (!routes || http_server_start(&cfg, routes, nroutes, &app, &srv) != HG_OK) {
		hg_free(routes);
		api_cache_free(app.cache);
		auth_limiter_free(app.limiter);
		store_close(app.store);
		return cli_fail("serve", "cannot listen on %s", listen);
	}
	store_audit_set_notify(app.store, wake_server, srv);
	/* a PostgreSQL URI may carry a password: it is not logged */
	fprintf(stderr, "hemgang: serving http://%s (port %u) from %s%s\n", listen, http_server_port(srv),
		store_is_postgres(app.store) ? "PostgreSQL" : db,
		app.demo ? " -- DEMO DATA, every password is 'demo'" : "");
	if (static_root && has_index(static_root))
		fprintf(stderr, "hemgang: web UI from %s\n", static_root);
	else if (static_root)
		fprintf(stderr, "hemgang: WARNING: %s has no index.html; the web UI will not load\n", static_root);
	else
		fprintf(stderr, "hemgang: WARNING: no web UI found (looked beside the binary in ../share/hemgang/web and "
				"../../web/dist, and in ./web/dist): serving the API only; build it with `make web`, "
				"install it with `make install`, or name it with --static DIR\n");
	/* The HL7 v2 MLLP listener beside the HTTP server (src/hl7/mllp.h). */
	mllp_server *mllp_srv = NULL;
	if (mllp) {
		mc.listen = mllp;
		mc.demo = app.demo;
		if (mllp_server_start(&mc, app.store, &mllp_srv) != HG_OK) {
			store_audit_set_notify(app.store, NULL, NULL);
			http_server_stop(srv);
			hg_free(routes);
			api_cache_free(app.cache);
			auth_limiter_free(app.limiter);
			store_close(app.store);
			return cli_fail("serve", "cannot listen for MLLP on %s", mllp);
		}
		fprintf(stderr, "hemgang: MLLP listening on %s (mllp port %u)\n", mllp, mllp_server_port(mllp_srv));
	}
	/* Messages out to subscribers (src/hl7/outbox.h); on PostgreSQL every server runs one, and a delivery
	 * is claimed by one of them (interop_delivery_claim). */
	outbox *out_thread = NULL;
	if (outbox_start(&oc, app.store, &out_thread) != HG_OK)
		fprintf(stderr, "hemgang: the delivery thread could not start: no messages go out\n");
	int sig = 0;
	sigwait(&set, &sig);
	fprintf(stderr, "hemgang: signal %d, stopping\n", sig);
	outbox_stop(out_thread);
	mllp_server_stop(mllp_srv);
	store_audit_set_notify(app.store, NULL, NULL); /* the server resumes its held answers itself now */
	http_server_stop(srv);
	hg_free(routes);
	api_cache_free(app.cache);
	auth_limiter_free(app.limiter);
	store_close(app.store);
	return CLI_OK;
}

/* Parses the only option of migrate/rebuild: --db PATH. */
static int db_only(const char *cmd, int argc, char **argv, const char **db)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
	int c;
	*db = DEFAULT_DB;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == 'd')
			*db = optarg;
		else if (c == ':')
			return cli_usage_error(cmd, "option %s needs a value", argv[optind - 1]);
		else
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return CLI_OK;
}

int cmd_migrate(int argc, char **argv)
{
	const char *db;
	store *s;
	int rc = db_only("migrate", argc, argv, &db);
	if (rc || (rc = open_store("migrate", db, &s)))
		return rc;
	printf("%s\tschema version %d\n", db, store_schema_version(s));
	store_close(s);
	return CLI_OK;
}

int cmd_rebuild(int argc, char **argv)
{
	const char *db;
	store *s;
	size_t n = 0;
	int rc = db_only("rebuild", argc, argv, &db);
	if (rc || (rc = open_store("rebuild", db, &s)))
		return rc;
	hg_status st = store_rebuild(s, &n);
	store_close(s);
	if (st != HG_OK)
		return cli_fail("rebuild", "rebuilding the projections failed: %s", hg_status_name(st));
	printf("rebuilt %zu episodes\n", n);
	return CLI_OK;
}

/* `hemgang routes`: the registered API routes, METHOD<TAB>PATTERN, for docs and the OpenAPI check. */
int cmd_routes(int argc, char **argv)
{
	size_t n = 0;
	if (argc > 1)
		return cli_usage_error("routes", "unexpected argument '%s'", argv[1]);
	http_route *r = all_routes(&n);
	if (!r)
		return cli_fail("routes", "out of memory");
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\n", http_method_name(r[i].method), r[i].pattern);
	hg_free(r);
	return CLI_OK;
}
