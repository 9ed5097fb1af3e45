/*
 * relay: one composed message to the SMTP server with libESMTP, and a verdict for each
 * recipient. STARTTLS is libESMTP's, on an OpenSSL context made in relay_tls.c, which
 * checks the certificate and host name. libESMTP writes with write(2), so a server that hangs up
 * mid-session raises SIGPIPE: the daemon ignores SIGPIPE and gets EPIPE here instead.
 */
#include "relay.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Before libesmtp.h, which declares smtp_starttls_set_ctx() only after OpenSSL's types. */
#include "relay_tls.h"

#include <auth-client.h>
#include <libesmtp.h>

G_DEFINE_QUARK(sevmail_relay_error, relay_error)

/* What one session learned beyond libESMTP's status structs (from its callbacks). */
struct relay_run {
	const struct relay_params *p;
	char *where; /* "host:port", for messages */
	const char *raw;
	gsize len;
	SSL_CTX *tls; /* this session's, for STARTTLS */
	gboolean connected;
	enum relay_error problem_code;
	char *problem;    /* TLS or extension trouble that made libESMTP quit */
	gboolean in_auth; /* AUTH sent, final reply pending */
	gboolean auth_ok;
	char *auth_reply; /* the server's reply to a failed AUTH */
	char *last_reply; /* the last reply line read, for sessions that end early */
};

static void relay_problem(struct relay_run *run, enum relay_error code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
relay_problem(struct relay_run *run, enum relay_error code, const char *fmt, ...)
{
	va_list ap;

	if (run->problem != NULL)
		return;
	va_start(ap, fmt);
	run->problem = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	run->problem_code = code;
}

/* libESMTP makes its socket itself and hands it to no callback; its commands (the
 * pipelined envelope, the message in chunks, the final dot) are small writes that Nagle's
 * algorithm holds back until the server's delayed ACK, 40 ms a time. At SMTP_EV_CONNECT
 * the connected TCP socket to the server's port is found among our descriptors and set
 * TCP_NODELAY (another one to that port with it set as well does no harm). */
static void
relay_nodelay(int port)
{
	g_autoptr(GDir) dir = g_dir_open("/proc/self/fd", 0, NULL);
	const char *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		int fd = atoi(name), type = 0;
		socklen_t len = sizeof type;
		struct sockaddr_storage peer;
		socklen_t plen = sizeof peer;
		int peer_port = -1;

		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM ||
		    getpeername(fd, (struct sockaddr *)&peer, &plen) != 0)
			continue;
		if (peer.ss_family == AF_INET)
			peer_port = ntohs(((struct sockaddr_in *)&peer)->sin_port);
		else if (peer.ss_family == AF_INET6)
			peer_port = ntohs(((struct sockaddr_in6 *)&peer)->sin6_port);
		if (peer_port == port)
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	}
}

/*
 * libESMTP checks the server certificate itself after STARTTLS: OpenSSL's verification
 * result (the chain against the CAs of our SSL_CTX, and the configured host name, see
 * relay_tls_new), then the name once more against the DNS *canonical* name of the host.
 * That second check trusts DNS (a CNAME moves it) and knows no IP addresses, so it is
 * overridden: OpenSSL has already checked the name the configuration gives.
 */
static void
relay_event(smtp_session_t session, int event, void *arg, ...)
{
	struct relay_run *run = arg;
	g_autofree char *why = NULL;
	va_list ap;
	long verify;
	int *ok;

	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_CONNECT:
		run->connected = TRUE;
		relay_nodelay(run->p->port);
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		relay_problem(run, RELAY_ERROR_TLS, "SMTP server %s does not offer STARTTLS",
		              run->where);
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		verify = va_arg(ap, long);
		(void)va_arg(ap, int *);
		why = relay_tls_untrusted(run->p, run->where, verify, va_arg(ap, SSL *));
		relay_problem(run, RELAY_ERROR_TLS, "%s", why);
		break;
	case SMTP_EV_NO_PEER_CERTIFICATE:
		relay_problem(run, RELAY_ERROR_TLS, "SMTP server %s presented no TLS certificate",
		              run->where);
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		ok = va_arg(ap, int *);
		*ok = 1;
		break;
	case SMTP_EV_WEAK_CIPHER:
		relay_problem(run, RELAY_ERROR_TLS, "SMTP server %s chose a weak TLS cipher",
		              run->where);
		break;
	case SMTP_EV_UNUSABLE_CA_LIST:
		relay_problem(run, RELAY_ERROR_TLS, "the CA list for SMTP TLS is unusable");
		break;
	case SMTP_EV_EXTNA_8BITMIME:
		relay_problem(run, RELAY_ERROR_PROTOCOL,
		              "SMTP server %s does not accept 8-bit mail (no 8BITMIME)",
		              run->where);
		break;
	}
	va_end(ap);
}

/* Keeps the last complete reply line of a chunk the server sent, and follows AUTH. */
static void
relay_reply(struct relay_run *run, const char *buf, int len)
{
	const char *end = buf + len, *start;

	while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (end == buf)
		return;
	for (start = end; start > buf && start[-1] != '\n'; start--)
		;
	g_free(run->last_reply);
	run->last_reply = g_strndup(start, end - start);
	if (!run->in_auth || *start == '3')
		return;
	run->in_auth = FALSE;
	run->auth_ok = *start == '2';
	if (!run->auth_ok) {
		g_free(run->auth_reply);
		run->auth_reply = g_strdup(run->last_reply);
	}
}

/* Sees the protocol as text (above TLS; message contents are not shown by libESMTP). */
static void
relay_monitor(const char *buf, int len, int writing, void *arg)
{
	struct relay_run *run = arg;

	if (writing == SMTP_CB_WRITING && len >= 5 && g_ascii_strncasecmp(buf, "AUTH ", 5) == 0)
		run->in_auth = TRUE;
	else if (writing == SMTP_CB_READING)
		relay_reply(run, buf, len);
}

/* Hands libESMTP the whole message at once; len == NULL means "rewind". libESMTP frees
 * *ctx with free(), so it is malloc'ed. */
static const char *
relay_message(void **ctx, int *len, void *arg)
{
	struct relay_run *run = arg;
	int *done;

	if (*ctx == NULL && (*ctx = calloc(1, sizeof(int))) == NULL) {
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	done = *ctx;
	if (len == NULL) {
		*done = 0;
		return NULL;
	}
	*len = *done ? 0 : (int)run->len;
	*done = 1;
	return run->raw;
}

/* Supplies the credentials to libESMTP's SASL plugins (PLAIN, LOGIN, CRAM-MD5). */
static int
relay_interact(auth_client_request_t req, char **result, int fields, void *arg)
{
	const struct relay_params *p = arg;
	int i;

	for (i = 0; i < fields; i++) {
		const char *v = NULL;

		if (req[i].flags & AUTH_USER)
			v = p->user;
		else if (req[i].flags & AUTH_PASS)
			v = p->password != NULL ? p->password : "";
		else if (req[i].flags & AUTH_REALM)
			v = "";
		/* The plugins copy into fixed buffers of req[i].size bytes. */
		if (v == NULL || (req[i].size != 0 && strlen(v) > req[i].size))
			return 0;
		result[i] = (char *)v;
	}
	return 1;
}

static void
relay_auth_init(void)
{
	static gsize once;

	if (g_once_init_enter(&once)) {
		auth_client_init();
		g_once_init_leave(&once, 1);
	}
}

/* A session with server, timeouts, TLS policy, AUTH and our callbacks set up. */
static smtp_session_t
relay_session(struct relay_run *run, auth_context_t *auth)
{
	static const int phases[] = {Timeout_GREETING, Timeout_ENVELOPE, Timeout_DATA,
	                             Timeout_TRANSFER, Timeout_DATA2};
	const struct relay_params *p = run->p;
	long ms = (p->timeout > 0 ? p->timeout : 60) * 1000L;
	smtp_session_t s = smtp_create_session();
	guint i;

	if (s == NULL)
		return NULL;
	smtp_set_server(s, run->where);
	/* Our timeout, not RFC 5321's minutes-long minimums. (connect() itself is blocking
	 * in libESMTP: an unreachable host takes the kernel's TCP timeout.) */
	for (i = 0; i < G_N_ELEMENTS(phases); i++)
		smtp_set_timeout(s, phases[i] | Timeout_OVERRIDE_RFC2822_MINIMUM, ms);
	if (p->security == SECURITY_STARTTLS) {
		g_autofree char *why = NULL;

		smtp_starttls_enable(s, Starttls_REQUIRED);
		run->tls = relay_tls_new(p, &why);
		if (run->tls != NULL)
			smtp_starttls_set_ctx(s, run->tls);
		else
			relay_problem(run, RELAY_ERROR_TLS, "%s", why);
	} else {
		smtp_starttls_enable(s, Starttls_DISABLED);
	}
	smtp_set_eventcb(s, relay_event, run);
	smtp_set_monitorcb(s, relay_monitor, run, 0);
	if (p->user != NULL && *p->user != '\0') {
		relay_auth_init();
		*auth = auth_create_context();
		auth_set_mechanism_flags(*auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(*auth, relay_interact, (void *)p);
		smtp_auth_set_context(s, *auth);
	}
	return s;
}

/* Envelope addresses go into SMTP commands verbatim: no controls, spaces or brackets. */
static gboolean
relay_address_ok(const char *a, gboolean may_be_empty)
{
	const unsigned char *c;

	if (a == NULL || (*a == '\0' && !may_be_empty))
		return FALSE;
	for (c = (const unsigned char *)a; *c != '\0'; c++)
		if (*c <= ' ' || *c == 0x7f || *c == '<' || *c == '>')
			return FALSE;
	return TRUE;
}

static void
relay_result_free(gpointer data)
{
	struct relay_rcpt_result *r = data;

	g_free(r->address);
	g_free(r->reason);
	g_free(r);
}

void
relay_results_free(GPtrArray *results)
{
	if (results != NULL)
		g_ptr_array_unref(results);
}

static void
relay_set(struct relay_rcpt_result *res, enum relay_status status, const char *reason)
{
	res->status = status;
	g_free(res->reason);
	res->reason = g_strdup(reason);
}

/* Applies a server reply (code + text) to a result: 5xx is final, anything else not. */
static void
relay_set_reply(struct relay_rcpt_result *res, const smtp_status_t *st)
{
	g_autofree char *text = g_strchomp(g_strdup(st->text != NULL ? st->text : ""));
	g_autofree char *reason = g_strdup_printf("%d %s", st->code, text);

	relay_set(res, st->code >= 500 ? RELAY_PERMFAIL : RELAY_TEMPFAIL, reason);
}

/* Nothing could be tried for the recipients in `open`: each is TEMPFAIL with the reason. */
static int
relay_give_up(GPtrArray *open, GError **err, enum relay_error code, const char *reason)
{
	guint i;

	for (i = 0; i < open->len; i++)
		relay_set(open->pdata[i], RELAY_TEMPFAIL, reason);
	g_set_error_literal(err, RELAY_ERROR, code, reason);
	return -1;
}

/* One recipient's verdict: a refused MAIL FROM decides for all, then the recipient's own
 * RCPT reply, then the end of DATA; with no reply at all the session's reason stands. */
static void
relay_verdict(struct relay_rcpt_result *res, smtp_message_t msg, smtp_recipient_t rcpt,
              const char *session_reason)
{
	const smtp_status_t *rev = smtp_reverse_path_status(msg);
	const smtp_status_t *data = smtp_message_transfer_status(msg);
	const smtp_status_t *st = smtp_recipient_status(rcpt);

	if (rev->code >= 400)
		relay_set_reply(res, rev);
	else if (st->code >= 400 || (st->code > 0 && st->code < 200))
		relay_set_reply(res, st);
	else if (st->code >= 200 && data->code >= 200 && data->code < 300)
		relay_set(res, RELAY_SENT, NULL);
	else if (st->code >= 200 && data->code >= 400)
		relay_set_reply(res, data);
	else
		relay_set(res, RELAY_TEMPFAIL, session_reason);
}

/* Why a session ended early: libESMTP's error, else the server's last words. */
static char *
relay_session_reason(struct relay_run *run, int code)
{
	char buf[256];

	if (code != 0 && smtp_strerror(code, buf, sizeof buf) != NULL && buf[0] != '\0')
		return g_strdup_printf("SMTP session with %s failed: %s", run->where, buf);
	if (run->last_reply != NULL)
		return g_strdup_printf("SMTP session with %s ended early: %s", run->where,
		                       run->last_reply);
	return g_strdup_printf("SMTP session with %s ended early", run->where);
}

static gboolean
relay_any_sent(GPtrArray *open)
{
	guint i;

	for (i = 0; i < open->len; i++)
		if (((struct relay_rcpt_result *)open->pdata[i])->status == RELAY_SENT)
			return TRUE;
	return FALSE;
}

/* Turns what the session left behind into results for the recipients in `open` (each
 * with its libESMTP handle in `handles`); -1 when nothing could be tried. */
static int
relay_collect(struct relay_run *run, smtp_message_t msg, GPtrArray *open, GPtrArray *handles,
              int code, GError **err)
{
	const char *user = run->p->user;
	g_autofree char *reason = NULL;
	char buf[256];
	guint i;

	if (!run->connected) {
		reason = g_strdup_printf("cannot connect to SMTP server %s: %s", run->where,
		                         smtp_strerror(code, buf, sizeof buf));
		return relay_give_up(open, err, RELAY_ERROR_CONNECT, reason);
	}
	if (run->problem != NULL)
		return relay_give_up(open, err, run->problem_code, run->problem);
	reason = relay_session_reason(run, code);
	for (i = 0; i < open->len; i++)
		relay_verdict(open->pdata[i], msg, handles->pdata[i], reason);
	/* A failed login is a configuration problem: never let the refusals that follow it
	 * ("relaying denied") turn into permanent failures. */
	if (user != NULL && *user != '\0' && !run->auth_ok && !relay_any_sent(open)) {
		g_free(reason);
		if (run->auth_reply != NULL)
			reason =
			    g_strdup_printf("SMTP login as %s failed: %s", user, run->auth_reply);
		else
			reason = g_strdup_printf("SMTP server %s offers no AUTH that sevmail can "
			                         "use (PLAIN, LOGIN); is STARTTLS needed?",
			                         run->where);
		return relay_give_up(open, err, RELAY_ERROR_AUTH, reason);
	}
	if (smtp_reverse_path_status(msg)->code == 0)
		return relay_give_up(open, err, RELAY_ERROR_PROTOCOL, reason);
	return 0;
}

/* Results start as TEMPFAIL without reason; bad addresses are refused at once, the rest
 * (also added to *open) go to the server. */
static GPtrArray *
relay_results_new(GPtrArray *rcpts, GPtrArray *open)
{
	GPtrArray *results = g_ptr_array_new_with_free_func(relay_result_free);
	guint i;

	for (i = 0; i < rcpts->len; i++) {
		struct relay_rcpt_result *res = g_new0(struct relay_rcpt_result, 1);

		res->address = g_strdup(rcpts->pdata[i]);
		res->status = RELAY_TEMPFAIL;
		if (relay_address_ok(res->address, FALSE))
			g_ptr_array_add(open, res);
		else
			relay_set(res, RELAY_PERMFAIL, "invalid recipient address");
		g_ptr_array_add(results, res);
	}
	return results;
}

static gboolean
relay_is_8bit(const char *raw, gsize len)
{
	gsize i;

	for (i = 0; i < len; i++)
		if ((unsigned char)raw[i] >= 0x80)
			return TRUE;
	return FALSE;
}

/* Runs the session for the recipients in `open`. */
static int
relay_run_session(struct relay_run *run, const char *from, GPtrArray *open, GError **err)
{
	g_autoptr(GPtrArray) handles = g_ptr_array_new();
	auth_context_t auth = NULL;
	smtp_session_t s = relay_session(run, &auth);
	smtp_message_t msg = s != NULL ? smtp_add_message(s) : NULL;
	guint i;
	int r = 0;

	for (i = 0; msg != NULL && i < open->len; i++) {
		struct relay_rcpt_result *res = open->pdata[i];
		smtp_recipient_t rcpt = smtp_add_recipient(msg, res->address);

		if (rcpt == NULL)
			msg = NULL;
		g_ptr_array_add(handles, rcpt);
	}
	if (msg == NULL)
		r = relay_give_up(open, err, RELAY_ERROR_PROTOCOL, "out of memory");
	else if (run->problem != NULL)
		r = relay_give_up(open, err, run->problem_code, run->problem);
	if (r == 0) {
		smtp_set_reverse_path(msg, from);
		smtp_set_messagecb(msg, relay_message, run);
		if (relay_is_8bit(run->raw, run->len))
			smtp_8bitmime_set_body(msg, E8bitmime_8BITMIME);
		smtp_start_session(s);
		r = relay_collect(run, msg, open, handles, smtp_errno(), err);
	}
	if (s != NULL)
		smtp_destroy_session(s);
	SSL_CTX_free(run->tls);
	if (auth != NULL)
		auth_destroy_context(auth);
	return r;
}
/* libESMTP finds lines by CRLF only (for headers and dot-stuffing): make sure every line
 * ends so, whatever the composer did. Returns NULL when raw is fine as it is. */
static GString *
relay_crlf(const char *raw, gsize len)
{
	GString *out;
	gsize i;

	for (i = 0; i < len; i++)
		if ((raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) ||
		    (raw[i] == '\r' && (i + 1 == len || raw[i + 1] != '\n')))
			break;
	if (i == len)
		return NULL;
	out = g_string_sized_new(len + len / 32 + 2);
	for (i = 0; i < len; i++) {
		if (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n')
			continue;
		if (raw[i] == '\r' || raw[i] == '\n')
			g_string_append(out, "\r\n");
		else
			g_string_append_c(out, raw[i]);
	}
	return out;
}

/*
 * libESMTP does the dot-stuffing, and it also edits headers on the way: it strips
 * Return-Path, sends a single-instance header (From, To, Cc, Date, Message-Id, ...) only
 * once, and adds Date, From and Message-Id when they are missing. Composed mail has all
 * three, so what arrives is what was composed.
 */
int
relay_send(const struct relay_params *p, const char *from, GPtrArray *rcpts, const char *raw,
           gsize len, GPtrArray **results, GError **err)
{
	struct relay_run run = {.p = p};
	g_autoptr(GString) fixed = relay_crlf(raw, len);
	g_autoptr(GPtrArray) open = g_ptr_array_new();
	int r;

	*results = relay_results_new(rcpts, open);
	run.where = g_strdup_printf("%s:%d", p->host, p->port);
	run.raw = fixed != NULL ? fixed->str : raw;
	run.len = fixed != NULL ? fixed->len : len;
	if (p->security == SECURITY_TLS)
		r = relay_give_up(open, err, RELAY_ERROR_UNSUPPORTED,
		                  "security = tls (TLS on connect, port 465) is not supported for "
		                  "SMTP by this build; use starttls");
	else if (strchr(p->host, ':') != NULL)
		r = relay_give_up(open, err, RELAY_ERROR_UNSUPPORTED,
		                  "an IPv6 address as SMTP host is not supported; use a host name");
	else if (!relay_address_ok(from, TRUE))
		r = relay_give_up(open, err, RELAY_ERROR_PROTOCOL,
		                  "invalid envelope sender address");
	else if (run.len > G_MAXINT / 2)
		r = relay_give_up(open, err, RELAY_ERROR_PROTOCOL, "message too large");
	else if (open->len == 0)
		r = 0; /* no recipient left to try */
	else
		r = relay_run_session(&run, from, open, err);
	g_free(run.where);
	g_free(run.problem);
	g_free(run.auth_reply);
	g_free(run.last_reply);
	return r;
}

int
relay_greeting(const struct relay_params *p, GError **err)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) conn = NULL;
	g_autoptr(GDataInputStream) in = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *line = NULL;

	g_socket_client_set_timeout(client, (guint)(p->timeout > 0 ? p->timeout : 60));
	conn = g_socket_client_connect_to_host(client, p->host, (guint16)p->port, NULL, &e);
	if (conn == NULL) {
		g_set_error(err, RELAY_ERROR, RELAY_ERROR_CONNECT, "SMTP server %s:%d: %s", p->host,
		            p->port, e->message);
		return -1;
	}
	in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(conn)));
	line = g_data_input_stream_read_line(in, NULL, NULL, NULL);
	if (line == NULL || !g_str_has_prefix(line, "220")) {
		g_set_error(err, RELAY_ERROR, RELAY_ERROR_PROTOCOL,
		            "%s:%d does not greet like an SMTP server (wrong port?)", p->host,
		            p->port);
		return -1;
	}
	return 0;
}
