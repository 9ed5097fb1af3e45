/*
 * main: the command line. One table of subcommands, each parsing its own options with
 * GOption. Exit codes: 0 success, 2 usage or configuration error, 1 runtime failure.
 */
#include "config.h"
#include "daemon.h"
#include "escalate.h"
#include "intake.h"
#include "notify.h"
#include "publish.h"
#include "stats.h"
#include "statuspage.h"
#include "store.h"
#include "template.h"
#include "util.h"
#include "view.h"
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#define EXIT_USAGE 2
#define EXIT_RUNTIME 1

static char *opt_config = NULL;
static gboolean opt_verbose = FALSE, opt_quiet = FALSE, opt_json = FALSE;

struct cmd {
	const char *name;
	const char *args;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static int usage_error(GOptionContext *ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int
usage_error(GOptionContext *ctx, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "sevmail: %s\n", msg);
	if (ctx != NULL) {
		g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);

		fprintf(stderr, "%s", help);
	}
	return EXIT_USAGE;
}

/* Parses a subcommand's options; argv keeps the positional arguments. */
static gboolean
parse(GOptionContext *ctx, GOptionEntry *entries, int *argc, char ***argv, int *rc)
{
	static GOptionEntry common[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
	     "configuration file (default /etc/sevmail/sevmail.conf)", "FILE"},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "log more", NULL},
	    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "log only warnings", NULL},
	    {NULL}};
	g_autoptr(GError) e = NULL;

	g_option_context_add_main_entries(ctx, common, NULL);
	if (entries != NULL)
		g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &e)) {
		*rc = usage_error(ctx, "%s", e->message);
		return FALSE;
	}
	return TRUE;
}

static struct config *
load_config(int *rc)
{
	g_autoptr(GError) e = NULL;
	struct config *cfg = config_load(opt_config ? opt_config : "/etc/sevmail/sevmail.conf", &e);

	if (cfg == NULL) {
		fprintf(stderr, "sevmail: %s\n", e->message);
		*rc = EXIT_USAGE;
	}
	return cfg;
}

static struct store *
open_store(const struct config *cfg, int *rc)
{
	g_autoptr(GError) e = NULL;
	struct store *s = store_open(cfg->database, cfg->busy_timeout, &e);

	if (s == NULL) {
		fprintf(stderr, "sevmail: %s\n", e->message);
		*rc = EXIT_RUNTIME;
	}
	return s;
}

/* Loads config and database for a subcommand; FALSE with *rc set on failure. */
static gboolean
setup(struct config **cfg, struct store **s, int *rc)
{
	*cfg = load_config(rc);
	if (*cfg == NULL)
		return FALSE;
	*s = open_store(*cfg, rc);
	return *s != NULL;
}

/* A read that failed: says why, closes the store, and is the command's exit code. A
 * failed read never prints as "nothing there". */
static int
read_failed(struct store *s, const GError *e)
{
	fprintf(stderr, "sevmail: %s\n", e->message);
	store_close(s);
	return EXIT_RUNTIME;
}

static int
cmd_run(int argc, char **argv)
{
	gboolean once = FALSE;
	GOptionEntry entries[] = {
	    {"once", 0, 0, G_OPTION_ARG_NONE, &once, "one full pass, then exit", NULL}, {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- fetch, process and send mail");
	struct config *cfg = NULL;
	struct store *s = NULL;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc))
		return rc;
	if (argc > 1)
		return usage_error(ctx, "run takes no arguments");
	if (!setup(&cfg, &s, &rc)) {
		config_free(cfg);
		return rc;
	}
	if (once) {
		struct pass_stats st = {0};
		g_autoptr(GError) e = NULL;

		if (daemon_pass(cfg, s, &st, &e) != 0) {
			fprintf(stderr, "sevmail: %s\n", e->message);
			rc = EXIT_RUNTIME;
		}
		g_message("pass done: %d message(s) read (%d already processed), %d recipient(s) "
		          "sent, %d to retry, %d failed",
		          st.fetched, st.duplicates, st.sent, st.deferred, st.failed);
		config_free(cfg);
	} else {
		rc = daemon_run(opt_config ? opt_config : "/etc/sevmail/sevmail.conf", cfg, s);
	}
	store_close(s);
	return rc;
}

static int
ingest_one(const struct config *cfg, struct store *s, const char *name, const char *raw, gsize len)
{
	struct intake_source src = {"ingest", 0, 0, FALSE, 0, TRUE};
	struct intake_result res;
	g_autoptr(GError) e = NULL;

	if (intake_message(cfg, s, raw, len, &src, &res, &e) != 0) {
		fprintf(stderr, "sevmail: %s: not processed, nothing was changed: %s\n", name,
		        e->message);
		return -1;
	}
	daemon_log_result(name, &res);
	intake_result_clear(&res);
	return 0;
}

static int
ingest_files(const struct config *cfg, struct store *s, int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		g_autofree char *raw = NULL;
		gsize len = 0;
		g_autoptr(GError) e = NULL;

		if (!g_file_get_contents(argv[i], &raw, &len, &e)) {
			fprintf(stderr, "sevmail: %s\n", e->message);
			rc = EXIT_RUNTIME;
		} else if (ingest_one(cfg, s, argv[i], raw, len) != 0) {
			rc = EXIT_RUNTIME;
		}
	}
	return rc;
}

/* One message from standard input, as an MTA's pipe delivers it. The exit codes are the
 * ones MTAs understand (sysexits.h): EX_TEMPFAIL whenever trying again later can help
 * (configuration unreadable, database busy or full), so the MTA keeps the mail queued
 * instead of bouncing an alert while an administrator fixes things. */
static int
ingest_stdin(const struct config *cfg, struct store *s)
{
	g_autoptr(GIOChannel) in = g_io_channel_unix_new(0);
	g_autofree char *raw = NULL;
	g_autoptr(GError) e = NULL;
	gsize len = 0;

	g_io_channel_set_encoding(in, NULL, NULL);
	if (g_io_channel_read_to_end(in, &raw, &len, &e) != G_IO_STATUS_NORMAL) {
		fprintf(stderr, "sevmail: cannot read standard input: %s\n", e->message);
		return EX_TEMPFAIL; /* the MTA keeps the message and tries again */
	}
	return ingest_one(cfg, s, "stdin", raw, len) == 0 ? 0 : EX_TEMPFAIL;
}

static int
cmd_ingest(int argc, char **argv)
{
	gboolean no_send = FALSE;
	GOptionEntry entries[] = {{"no-send", 0, 0, G_OPTION_ARG_NONE, &no_send,
	                           "only queue the mail it causes; `run` sends it later", NULL},
	                          {NULL}};
	g_autoptr(GOptionContext) ctx =
	    g_option_context_new("[FILE...] - process messages from files, or one from stdin");
	g_autoptr(config) cfg = NULL;
	struct store *s = NULL;
	struct pass_stats st = {0};
	g_autoptr(GError) e = NULL;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc))
		return rc;
	if (!setup(&cfg, &s, &rc))
		return argc < 2 ? EX_TEMPFAIL : rc;
	rc = argc < 2 ? ingest_stdin(cfg, s) : ingest_files(cfg, s, argc, argv);
	if (cfg->status_page_output != NULL &&
	    publish_status_page(cfg, s, cfg->status_page_output, &e) != 0) {
		g_warning("status page not written: %s", e->message);
		g_clear_error(&e);
	}
	/* What was committed stays committed: a failed send is the outbox's to retry. */
	if (!no_send && daemon_send(cfg, s, &st, &e) != 0)
		g_warning("%s (the outbox will retry)", e->message);
	store_close(s);
	return rc;
}

static int
cmd_explain(int argc, char **argv)
{
	GOptionEntry entries[] = {{"json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "print JSON", NULL},
	                          {NULL}};
	g_autoptr(GOptionContext) ctx =
	    g_option_context_new("FILE - how sevmail reads a message, changing nothing");
	g_autoptr(config) cfg = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *raw = NULL, *out = NULL;
	struct intake_result res;
	struct intake_explain x;
	struct store *s = NULL;
	gsize len = 0;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc))
		return rc;
	if (argc != 2)
		return usage_error(ctx, "explain takes one file (a message as .eml)");
	if (!g_file_get_contents(argv[1], &raw, &len, &e)) {
		fprintf(stderr, "sevmail: %s\n", e->message);
		return EXIT_RUNTIME;
	}
	if (!setup(&cfg, &s, &rc))
		return rc;
	rc = intake_explain(cfg, s, raw, len, &res, &x, &e);
	store_close(s);
	if (rc != 0) {
		fprintf(stderr, "sevmail: %s\n", e->message);
		return EXIT_RUNTIME;
	}
	out = opt_json ? view_explain_json(&res, &x) : view_explain_text(&res, &x);
	printf("%s%s", out, opt_json ? "\n" : "");
	intake_result_clear(&res);
	intake_explain_clear(&x);
	return 0;
}

static int
cmd_check(int argc, char **argv)
{
	gboolean connect = FALSE;
	GOptionEntry entries[] = {{"connect", 0, 0, G_OPTION_ARG_NONE, &connect,
	                           "also log in to the IMAP server and greet the SMTP server",
	                           NULL},
	                          {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- validate the configuration");
	g_autoptr(config) cfg = NULL;
	g_autoptr(GError) e = NULL;
	g_auto(GStrv) warnings = NULL;
	struct store *s = NULL;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc))
		return rc;
	if ((cfg = load_config(&rc)) == NULL)
		return rc;
	if (notify_check_templates(cfg, &e) != 0) {
		fprintf(stderr, "sevmail: templates: %s\n", e->message);
		return EXIT_USAGE;
	}
	if ((s = open_store(cfg, &rc)) == NULL)
		return rc;
	store_close(s);
	warnings = config_warnings(cfg);
	for (char **w = warnings; *w != NULL; w++)
		fprintf(stderr, "sevmail: warning: %s\n", *w);
	if (connect && daemon_check_connect(cfg, &e) != 0) {
		fprintf(stderr, "sevmail: %s\n", e->message);
		return EXIT_RUNTIME;
	}
	printf("configuration OK%s\n", connect ? "; the IMAP and SMTP servers answer" : "");
	return 0;
}

static int
cmd_list(int argc, char **argv)
{
	gboolean all = FALSE;
	GOptionEntry entries[] = {
	    {"all", 0, 0, G_OPTION_ARG_NONE, &all, "also resolved and closed incidents", NULL},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "print JSON", NULL},
	    {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- list incidents");
	g_autoptr(config) cfg = NULL;
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) e = NULL;
	struct store *s = NULL;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc) || !setup(&cfg, &s, &rc))
		return rc;
	if ((list = store_incident_list(s, all, &e)) == NULL)
		return read_failed(s, e);
	if (opt_json) {
		g_autofree char *json = view_incidents_json(list);

		printf("%s\n", json);
	}
	for (guint i = 0; !opt_json && i < list->len; i++) {
		g_autofree char *line = view_incident_text(list->pdata[i], NULL);

		fputs(line, stdout);
	}
	if (!opt_json && list->len == 0)
		printf(all ? "no incidents\n" : "no open incidents\n");
	store_close(s);
	return 0;
}

static gint64
parse_id(const char *arg)
{
	char *end = NULL;
	gint64 id;

	if (g_ascii_strncasecmp(arg, "INC-", 4) == 0)
		arg += 4;
	id = g_ascii_strtoll(arg, &end, 10);
	return *arg != '\0' && *end == '\0' && id > 0 ? id : 0;
}

/* The incident named by argv[1] with its events, for show and postmortem; NULL with *rc
 * set (a usage error, or no such incident) and the store closed. */
static struct incident *
incident_arg(GOptionContext *ctx, int argc, char **argv, struct config **cfg, struct store **s,
             GPtrArray **events, int *rc)
{
	struct incident *inc;
	g_autoptr(GError) e = NULL;
	gint64 id;
	int found;

	if (argc != 2 || (id = parse_id(argv[1])) == 0) {
		*rc = usage_error(ctx, "give one incident number, such as 1 or INC-1");
		return NULL;
	}
	if (!setup(cfg, s, rc))
		return NULL;
	if ((found = store_incident_get(*s, id, &inc, &e)) == 0) {
		fprintf(stderr, "sevmail: there is no incident INC-%" G_GINT64_FORMAT "\n", id);
		store_close(*s);
		*rc = EXIT_RUNTIME;
		return NULL;
	}
	if (found < 0 || (*events = store_events(*s, id, &e)) == NULL) {
		incident_free(inc);
		*rc = read_failed(*s, e);
		return NULL;
	}
	return inc;
}

static int
cmd_show(int argc, char **argv)
{
	GOptionEntry entries[] = {{"json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "print JSON", NULL},
	                          {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("ID - one incident and its timeline");
	g_autoptr(config) cfg = NULL;
	g_autoptr(incident) inc = NULL;
	g_autoptr(GPtrArray) events = NULL;
	g_autofree char *out = NULL;
	struct store *s = NULL;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc))
		return rc;
	if ((inc = incident_arg(ctx, argc, argv, &cfg, &s, &events, &rc)) == NULL)
		return rc;
	store_close(s);
	out = opt_json ? view_incident_json(inc, events) : view_incident_text(inc, events);
	printf("%s%s", out, opt_json ? "\n" : "");
	return 0;
}

static int
change_subscription(int argc, char **argv, gboolean subscribe)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new(
	    subscribe ? "LIST ADDRESS - add a subscriber" : "LIST ADDRESS - remove a subscriber");
	g_autoptr(config) cfg = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *address = NULL;
	const struct list_config *l;
	struct store *s = NULL;
	int rc = 0, changed;

	if (!parse(ctx, NULL, &argc, &argv, &rc))
		return rc;
	if (argc != 3)
		return usage_error(ctx, "give a list name and an address");
	address = util_address(argv[2]);
	if (strchr(address, '@') == NULL || strpbrk(address, " \t\r\n<>,;") != NULL)
		return usage_error(ctx, "'%s' is not an e-mail address", argv[2]);
	if ((cfg = load_config(&rc)) == NULL)
		return rc;
	if ((l = config_list_by_name(cfg, argv[1])) == NULL) {
		fprintf(stderr, "sevmail: %s has no [list:%s]\n", cfg->path, argv[1]);
		return EXIT_USAGE;
	}
	if ((s = open_store(cfg, &rc)) == NULL)
		return rc;
	changed = subscribe ? store_subscribe(s, l->name, address, util_now(), &e)
	                    : store_unsubscribe(s, l->name, address, &e);
	store_close(s);
	if (changed < 0) {
		fprintf(stderr, "sevmail: %s\n", e->message);
		return EXIT_RUNTIME;
	}
	if (!subscribe && changed == 0)
		printf("%s was not subscribed to %s\n", address, l->name);
	else
		printf("%s %s %s\n", address, subscribe ? "subscribed to" : "unsubscribed from",
		       l->name);
	return 0;
}

static int
cmd_subscribe(int argc, char **argv)
{
	return change_subscription(argc, argv, TRUE);
}

static int
cmd_unsubscribe(int argc, char **argv)
{
	return change_subscription(argc, argv, FALSE);
}

static int
cmd_lists(int argc, char **argv)
{
	GOptionEntry entries[] = {{"json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "print JSON", NULL},
	                          {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- stakeholder lists");
	g_autoptr(config) cfg = NULL;
	g_autoptr(GPtrArray) subs =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GError) e = NULL;
	struct store *s = NULL;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc) || !setup(&cfg, &s, &rc))
		return rc;
	for (guint i = 0; i < cfg->lists->len; i++) {
		GPtrArray *members =
		    store_subscribers(s, ((struct list_config *)cfg->lists->pdata[i])->name, &e);

		if (members == NULL)
			return read_failed(s, e);
		g_ptr_array_add(subs, members);
	}
	store_close(s);
	if (opt_json) {
		g_autofree char *json = view_lists_json(cfg->lists, subs);

		printf("%s\n", json);
		return 0;
	}
	for (guint i = 0; i < cfg->lists->len; i++) {
		const struct list_config *l = cfg->lists->pdata[i];
		GPtrArray *members = subs->pdata[i];

		printf("%s <%s>: %u subscriber(s)\n", l->name, l->address, members->len);
		for (guint j = 0; j < members->len; j++)
			printf("  %s\n", (const char *)members->pdata[j]);
	}
	return 0;
}

static int
cmd_outbox(int argc, char **argv)
{
	gboolean all = FALSE;
	GOptionEntry entries[] = {
	    {"all", 0, 0, G_OPTION_ARG_NONE, &all, "also mail that was delivered", NULL},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "print JSON", NULL},
	    {NULL}};
	g_autoptr(GOptionContext) ctx =
	    g_option_context_new("[retry ID] - queued and failed mail; requeue a failed one");
	g_autoptr(config) cfg = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *out = NULL;
	struct store *s = NULL;
	gint64 id = 0;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc))
		return rc;
	if (argc > 1 && (strcmp(argv[1], "retry") != 0 || argc != 3 ||
	                 (id = g_ascii_strtoll(argv[2], NULL, 10)) <= 0))
		return usage_error(ctx, "use 'outbox' to list, or 'outbox retry ID'");
	if (!setup(&cfg, &s, &rc))
		return rc;
	if (id != 0) {
		rc = store_outbox_retry(s, id, util_now(), &e);
		store_close(s);
		if (rc < 0)
			fprintf(stderr, "sevmail: %s\n", e->message);
		else if (rc == 0)
			fprintf(stderr, "sevmail: the outbox has no message %" G_GINT64_FORMAT "\n",
			        id);
		else
			printf("message %" G_GINT64_FORMAT " requeued; `run` sends it\n", id);
		return rc == 1 ? 0 : EXIT_RUNTIME;
	}
	if ((rows = store_outbox_list(s, all, &e)) == NULL)
		return read_failed(s, e);
	store_close(s);
	out = opt_json ? view_outbox_json(rows) : view_outbox_text(rows);
	printf("%s%s", out, opt_json ? "\n" : "");
	return 0;
}

/* Tries a quarantined message again, as a new delivery: on success it leaves the
 * quarantine; when it fails again it stays there (and is not quarantined twice). */
static int
quarantine_retry(const struct config *cfg, struct store *s, gint64 id)
{
	struct intake_source src = {"quarantine", 0, 0, FALSE, 0, FALSE};
	struct quarantined *q = NULL;
	struct intake_result res;
	g_autoptr(GError) e = NULL;
	gsize len = 0;
	const char *raw;
	int found = store_quarantine_get(s, id, &q, &e);

	if (found <= 0) {
		if (found == 0)
			fprintf(stderr,
			        "sevmail: the quarantine has no message %" G_GINT64_FORMAT
			        "; `sevmail quarantine` lists them\n",
			        id);
		else
			fprintf(stderr, "sevmail: %s\n", e->message);
		return EXIT_RUNTIME;
	}
	raw = g_bytes_get_data(q->raw, &len);
	if (intake_message(cfg, s, raw, len, &src, &res, &e) != 0) {
		fprintf(stderr, "sevmail: message %" G_GINT64_FORMAT " still fails: %s\n", id,
		        e->message);
		quarantined_free(q);
		return EXIT_RUNTIME;
	}
	quarantined_free(q);
	daemon_log_result("quarantine", &res);
	intake_result_clear(&res);
	if (store_quarantine_remove(s, id, &e) != 0) {
		fprintf(stderr, "sevmail: %s\n", e->message);
		return EXIT_RUNTIME;
	}
	printf("message %" G_GINT64_FORMAT " processed and taken out of the quarantine\n", id);
	return 0;
}

static int
cmd_quarantine(int argc, char **argv)
{
	GOptionEntry entries[] = {{"json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "print JSON", NULL},
	                          {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
	    "[retry ID] - messages that could not be processed; process one again");
	g_autoptr(config) cfg = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *out = NULL;
	struct store *s = NULL;
	gint64 id = 0;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc))
		return rc;
	if (argc > 1 && (strcmp(argv[1], "retry") != 0 || argc != 3 ||
	                 (id = g_ascii_strtoll(argv[2], NULL, 10)) <= 0))
		return usage_error(ctx, "use 'quarantine' to list, or 'quarantine retry ID'");
	if (!setup(&cfg, &s, &rc))
		return rc;
	if (id != 0) {
		rc = quarantine_retry(cfg, s, id);
		store_close(s);
		return rc;
	}
	rows = store_quarantine_list(s, &e);
	store_close(s);
	if (rows == NULL) {
		fprintf(stderr, "sevmail: %s\n", e->message);
		return EXIT_RUNTIME;
	}
	out = opt_json ? view_quarantine_json(rows) : view_quarantine_text(rows);
	printf("%s%s", out, opt_json ? "\n" : "");
	return 0;
}

static int
cmd_declare(int argc, char **argv)
{
	int severity = 0;
	g_autofree char *title = NULL, *impact = NULL;
	GOptionEntry entries[] = {
	    {"severity", 0, 0, G_OPTION_ARG_INT, &severity, "1, 2 or 3", "N"},
	    {"title", 0, 0, G_OPTION_ARG_STRING, &title, "what is happening", "TEXT"},
	    {"impact", 0, 0, G_OPTION_ARG_STRING, &impact, "who or what is affected", "TEXT"},
	    {NULL}};
	g_autoptr(GOptionContext) ctx =
	    g_option_context_new("- declare an incident: page the on-call, tell the lists");
	g_autoptr(config) cfg = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *by = NULL;
	struct store *s = NULL;
	struct pass_stats st = {0};
	gint64 id = 0;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc))
		return rc;
	if (severity < 1 || severity > 3 || title == NULL || *g_strstrip(title) == '\0' || argc > 1)
		return usage_error(ctx, "use 'declare --severity 1|2|3 --title TEXT "
		                        "[--impact TEXT]'");
	if (!setup(&cfg, &s, &rc))
		return rc;
	by = g_strdup_printf("%s (command line)", g_get_user_name());
	if (intake_declare(cfg, s, severity, title, impact, by, &id, &e) != 0) {
		fprintf(stderr, "sevmail: nothing was declared: %s\n", e->message);
		store_close(s);
		return EXIT_RUNTIME;
	}
	printf("INC-%" G_GINT64_FORMAT " declared\n", id);
	if (daemon_send(cfg, s, &st, &e) != 0)
		g_warning("%s (the outbox will retry)", e->message);
	store_close(s);
	return 0;
}

static int
cmd_members(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("NAME - the subscribers of a list");
	g_autoptr(config) cfg = NULL;
	g_autoptr(GPtrArray) members = NULL;
	g_autoptr(GError) e = NULL;
	const struct list_config *l;
	struct store *s = NULL;
	int rc = 0;

	if (!parse(ctx, NULL, &argc, &argv, &rc))
		return rc;
	if (argc != 2)
		return usage_error(ctx, "give the name of a list");
	if (!setup(&cfg, &s, &rc))
		return rc;
	if ((l = config_list_by_name(cfg, argv[1])) == NULL) {
		fprintf(stderr, "sevmail: %s has no [list:%s]\n", cfg->path, argv[1]);
		store_close(s);
		return EXIT_USAGE;
	}
	if ((members = store_subscribers(s, l->name, &e)) == NULL)
		return read_failed(s, e);
	store_close(s);
	for (guint i = 0; i < members->len; i++)
		printf("%s\n", (const char *)members->pdata[i]);
	return 0;
}

static int
cmd_oncall(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("- who is on call now and next");
	g_autoptr(config) cfg = NULL;
	g_autoptr(GPtrArray) now_order = NULL;
	gint64 now = util_now();
	int rc = 0;

	if (!parse(ctx, NULL, &argc, &argv, &rc))
		return rc;
	if ((cfg = load_config(&rc)) == NULL)
		return rc;
	now_order = escalate_oncall_order(cfg, now);
	if (now_order->len == 0) {
		fprintf(stderr, "sevmail: nobody is on call: give a responder the role oncall, or "
		                "set [oncall] rotation\n");
		return EXIT_RUNTIME;
	}
	printf("now:  %s\n", (const char *)now_order->pdata[0]);
	if (cfg->rotation != NULL && cfg->rotation[0] != NULL) {
		gint64 turn = now >= cfg->rotation_start
		                  ? (now - cfg->rotation_start) / cfg->rotation_length + 1
		                  : 1;
		gint64 change = cfg->rotation_start + turn * cfg->rotation_length;
		g_autoptr(GPtrArray) next = escalate_oncall_order(cfg, change);
		g_autofree char *when = util_human_time(change);

		printf("next: %s from %s\n", (const char *)next->pdata[0], when);
	} else {
		for (guint i = 1; i < now_order->len; i++)
			printf("then: %s\n", (const char *)now_order->pdata[i]);
	}
	return 0;
}

static int
cmd_status_page(int argc, char **argv)
{
	static char *opt_output = NULL;
	GOptionEntry entries[] = {{"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
	                           "directory to write index.html and inc-N.html into", "DIR"},
	                          {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- write the static HTML status page");
	g_autoptr(config) cfg = NULL;
	g_autoptr(GError) e = NULL;
	struct store *s = NULL;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc))
		return rc;
	if (!setup(&cfg, &s, &rc))
		return rc;
	if (argc != 1 || (opt_output == NULL && cfg->status_page_output == NULL)) {
		store_close(s);
		return usage_error(ctx, "status-page needs --output DIR (or [status_page] output)");
	}
	rc = publish_status_page(cfg, s, opt_output != NULL ? opt_output : cfg->status_page_output,
	                         &e);
	store_close(s);
	if (rc != 0) {
		fprintf(stderr, "sevmail: %s\n", e->message);
		return EXIT_RUNTIME;
	}
	return 0;
}

static int
cmd_stats(int argc, char **argv)
{
	g_autofree char *since_text = NULL;
	GOptionEntry entries[] = {{"since", 0, 0, G_OPTION_ARG_STRING, &since_text,
	                           "only incidents declared since", "DATE"},
	                          {"json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "print JSON", NULL},
	                          {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- counts, MTTA and MTTR");
	g_autoptr(config) cfg = NULL;
	g_autoptr(GPtrArray) incidents = NULL, per = NULL;
	g_autoptr(stats) st = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *out = NULL;
	struct store *s = NULL;
	gint64 since = 0;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc))
		return rc;
	if (since_text != NULL) {
		g_autofree char *iso = strchr(since_text, 'T') != NULL
		                           ? g_strdup(since_text)
		                           : g_strconcat(since_text, "T00:00:00Z", NULL);
		g_autoptr(GDateTime) t = g_date_time_new_from_iso8601(iso, NULL);

		if (t == NULL)
			return usage_error(ctx, "'%s' is not a date such as 2026-11-01",
			                   since_text);
		since = g_date_time_to_unix(t);
	}
	if (!setup(&cfg, &s, &rc))
		return rc;
	if ((incidents = store_incident_list(s, TRUE, &e)) == NULL ||
	    (per = store_events_each(s, incidents, &e)) == NULL)
		return read_failed(s, e);
	store_close(s);
	st = stats_compute(incidents, per, since);
	out = opt_json ? view_stats_json(st) : stats_text(st);
	printf("%s%s", out, opt_json ? "\n" : "");
	return 0;
}

/* Queues the post-mortem of a resolved incident and closes it, in one transaction. */
static int
postmortem_send(const struct config *cfg, struct store *s, struct incident *inc, GPtrArray *events,
                GError **err)
{
	struct notify n = {cfg, s, util_now()};
	struct event *done[2];
	int rc;

	if (inc->status != STATUS_RESOLVED) {
		g_set_error(err, g_quark_from_static_string("sevmail"), 0,
		            "INC-%" G_GINT64_FORMAT " is %s: a post-mortem is sent after it is "
		            "resolved, once",
		            inc->id, incident_status_name(inc->status));
		return EXIT_RUNTIME;
	}
	done[0] =
	    event_new(n.now, "sevmail", "postmortem", "Post-mortem sent (sevmail postmortem)");
	done[1] = event_new(n.now, "sevmail", "status", "Status: Resolved -> Closed");
	inc->status = STATUS_CLOSED;
	rc = store_begin(s, err);
	if (rc == 0)
		rc = notify_postmortem(&n, inc, events, NULL, err);
	for (int i = 0; rc == 0 && i < 2; i++)
		rc = store_event_add(s, inc->id, done[i], NULL, err);
	if (rc == 0)
		rc = store_incident_update(s, inc, err);
	if (rc == 0)
		rc = store_commit(s, err);
	else
		store_rollback(s);
	event_free(done[0]);
	event_free(done[1]);
	return rc == 0 ? 0 : EXIT_RUNTIME;
}

static int
cmd_postmortem(int argc, char **argv)
{
	gboolean send = FALSE;
	GOptionEntry entries[] = {
	    {"send", 0, 0, G_OPTION_ARG_NONE, &send, "queue it to the lists and responders", NULL},
	    {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("ID - the post-mortem of an incident");
	g_autoptr(config) cfg = NULL;
	g_autoptr(incident) inc = NULL;
	g_autoptr(GPtrArray) events = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *text = NULL;
	struct store *s = NULL;
	int rc = 0;

	if (!parse(ctx, entries, &argc, &argv, &rc))
		return rc;
	if ((inc = incident_arg(ctx, argc, argv, &cfg, &s, &events, &rc)) == NULL)
		return rc;
	if (send)
		rc = postmortem_send(cfg, s, inc, events, &e);
	else if ((text = notify_postmortem_text(cfg, inc, events, util_now(), &e)) != NULL)
		fputs(text, stdout);
	store_close(s);
	if (e != NULL) {
		fprintf(stderr, "sevmail: %s\n", e->message);
		return EXIT_RUNTIME;
	}
	if (send)
		printf("post-mortem of INC-%" G_GINT64_FORMAT " queued; it is closed\n", inc->id);
	return rc;
}

static int cmd_help(int argc, char **argv);

static const struct cmd commands[] = {
    {"run", "[--once]", "fetch and process mail, send what is due; repeat", cmd_run},
    {"ingest", "[FILE...]", "process messages from files (or stdin) through the intake",
     cmd_ingest},
    {"explain", "FILE [--json]", "how a message is read, changing nothing", cmd_explain},
    {"check", "", "validate configuration, templates and database", cmd_check},
    {"list", "[--all] [--json]", "incidents (open ones by default)", cmd_list},
    {"show", "ID [--json]", "one incident with its timeline", cmd_show},
    {"subscribe", "LIST ADDRESS", "add a subscriber to a stakeholder list", cmd_subscribe},
    {"unsubscribe", "LIST ADDRESS", "remove a subscriber", cmd_unsubscribe},
    {"lists", "[--json]", "stakeholder lists and their subscribers", cmd_lists},
    {"members", "NAME", "the subscribers of one list", cmd_members},
    {"oncall", "", "who is on call now and next", cmd_oncall},
    {"postmortem", "ID [--send]", "the post-mortem: print it, or queue it", cmd_postmortem},
    {"stats", "[--since DATE] [--json]", "counts, MTTA and MTTR by severity", cmd_stats},
    {"status-page", "--output DIR", "write the static HTML status page", cmd_status_page},
    {"outbox", "[--all] [--json] | retry ID", "queued and failed mail; requeue", cmd_outbox},
    {"quarantine", "[--json] | retry ID", "messages that could not be processed; retry one",
     cmd_quarantine},
    {"declare", "--severity N --title T [--impact I]", "declare an incident by hand", cmd_declare},
    {"help", "[COMMAND]", "this list, or one command's options", cmd_help},
};

static int
usage(FILE *to)
{
	fprintf(to, "usage: sevmail [-c FILE] COMMAND [ARGS]\n\ncommands:\n");
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
		g_autofree char *head =
		    g_strdup_printf("%s %s", commands[i].name, commands[i].args);

		fprintf(to, "  %-30s %s\n", head, commands[i].summary);
	}
	fprintf(to, "\n'sevmail COMMAND --help' shows a command's options.\n");
	return to == stdout ? 0 : EXIT_USAGE;
}

/* help [COMMAND]: the same as --help, for people who type the word. */
static int
cmd_help(int argc, char **argv)
{
	char *help[] = {argv[0], "--help", NULL};

	if (argc < 2)
		return usage(stdout);
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			help[0] = argv[1];
			return commands[i].run(2, help);
		}
	fprintf(stderr, "sevmail: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}

static GLogWriterOutput
log_writer(GLogLevelFlags level, const GLogField *fields, gsize n, gpointer data)
{
	const char *message = NULL;

	if ((level & G_LOG_LEVEL_DEBUG) && !opt_verbose)
		return G_LOG_WRITER_HANDLED;
	if ((level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO)) && opt_quiet)
		return G_LOG_WRITER_HANDLED;
	/* under systemd, structured fields to the journal; otherwise one line on stderr */
	if (g_log_writer_is_journald(fileno(stderr)) &&
	    g_log_writer_journald(level, fields, n, data) == G_LOG_WRITER_HANDLED)
		return G_LOG_WRITER_HANDLED;
	for (gsize i = 0; i < n; i++)
		if (strcmp(fields[i].key, "MESSAGE") == 0)
			message = fields[i].value;
	fprintf(stderr, "sevmail: %s%s\n",
	        level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)
	            ? "warning: "
	            : "",
	        message != NULL ? message : "");
	return G_LOG_WRITER_HANDLED;
}

int
main(int argc, char **argv)
{
	int first = 1;

	setlocale(LC_ALL, "");
	g_log_set_writer_func(log_writer, NULL, NULL);
	/* Global options may come before the command: sevmail -c FILE run */
	while (first < argc && argv[first][0] == '-') {
		if ((strcmp(argv[first], "-c") == 0 || strcmp(argv[first], "--config") == 0) &&
		    first + 1 < argc) {
			opt_config = g_strdup(argv[first + 1]);
			first += 2;
		} else if (g_str_has_prefix(argv[first], "--config=")) {
			opt_config = g_strdup(argv[first] + strlen("--config="));
			first++;
		} else if (strcmp(argv[first], "-v") == 0 || strcmp(argv[first], "-q") == 0) {
			opt_verbose |= argv[first][1] == 'v';
			opt_quiet |= argv[first][1] == 'q';
			first++;
		} else if (strcmp(argv[first], "-h") == 0 || strcmp(argv[first], "--help") == 0) {
			return usage(stdout);
		} else {
			fprintf(stderr, "sevmail: unknown option %s\n", argv[first]);
			return usage(stderr);
		}
	}
	if (first >= argc)
		return usage(stderr);
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(argv[first], commands[i].name) == 0)
			return commands[i].run(argc - first, argv + first);
	fprintf(stderr, "sevmail: unknown command '%s'\n", argv[first]);
	return usage(stderr);
}
