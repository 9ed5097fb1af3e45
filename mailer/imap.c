/*
 * imap: the incident mailbox over IMAP, with libetpan. Messages are listed by UID, fetched
 * in bounded batches with BODY.PEEK[] and handed over one at a time; marking them
 * processed (\Seen, or a move) is a separate step the caller takes after its commit.
 * TLS is libetpan's (GnuTLS underneath, which checks no certificate by itself): the
 * chain and host name are verified by imap_tls.c before anything is sent.
 * libetpan writes with send() without MSG_NOSIGNAL: the daemon must ignore SIGPIPE.
 */
#include "imap.h"
#include "imap_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

/* A batch holds at most this many messages, or this many bytes (a larger message goes
 * alone), so memory stays flat however much mail has piled up. */
#define IMAP_BATCH_COUNT 50
#define IMAP_BATCH_BYTES (8u * 1024 * 1024)

/* Our copy of the stream's driver, whose read turns EOF into an error (imap_guard_eof). */
struct imap_guard {
	mailstream_low_driver driver; /* first: libetpan sees a plain driver */
	mailstream_low_driver *inner;
};

struct imap {
	mailimap *imap;
	struct imap_guard guard; /* outlives the stream: freed with this struct */
	char *where;             /* "host:port", for messages */
	char *mailbox;
	char *processed;
	guint32 uidvalidity;
	gsize max_size;           /* 0: no limit */
	gboolean processed_ready; /* CREATE of the processed folder was tried */
	gboolean idling;
};

/* One message of a listing: its UID and size (RFC822.SIZE). */
struct imap_entry {
	guint32 uid;
	guint32 size;
};

/* One fetched body, pointing into libetpan's fetch list. */
struct imap_body {
	guint32 uid;
	const char *raw;
	gsize len;
};

G_DEFINE_QUARK(sevmail_imap_error, imap_error)

static int imap_fail(struct imap *im, int r, enum imap_error code, GError **err, const char *fmt,
                     ...) G_GNUC_PRINTF(5, 6);

/* Fills err from a failed libetpan call: stream and parse failures are connection and
 * protocol problems whatever the command; a NO or BAD from the server gets `code` and
 * the server's own text. Always returns -1. */
static int
imap_fail(struct imap *im, int r, enum imap_error code, GError **err, const char *fmt, ...)
{
	g_autofree char *what = NULL;
	const char *text = im->imap->imap_response;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (r == MAILIMAP_ERROR_STREAM)
		g_set_error(err, IMAP_ERROR, IMAP_ERROR_CONNECT,
		            "%s: connection to IMAP server %s lost or timed out", what, im->where);
	else if (r == MAILIMAP_ERROR_PARSE)
		g_set_error(err, IMAP_ERROR, IMAP_ERROR_PROTOCOL,
		            "%s: cannot parse the response of IMAP server %s", what, im->where);
	else if (r == MAILIMAP_ERROR_MEMORY)
		g_set_error(err, IMAP_ERROR, IMAP_ERROR_PROTOCOL, "%s: out of memory", what);
	else
		g_set_error(err, IMAP_ERROR, code, "%s: %s", what,
		            text != NULL && *text != '\0' ? text : "refused by the server");
	return -1;
}

/* Waits for a non-blocking connect; returns 0 or an errno value. */
static int
imap_wait_connect(int fd, const struct addrinfo *ai, int timeout)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(int);
	int r, e = 0;

	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return errno;
	do
		r = poll(&pfd, 1, timeout * 1000);
	while (r == -1 && errno == EINTR);
	if (r == 0)
		return ETIMEDOUT;
	if (r == -1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		return errno;
	return e;
}

/* libetpan's own connect keeps no usable errno ("connection refused" for everything),
 * so the TCP connection is made here and handed to libetpan as a stream. Returns a
 * non-blocking socket (as libetpan expects), or -1 and the reason in *why. */
static int
imap_tcp_connect(const char *host, int port, int timeout, char **why)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res, *ai;
	char service[16];
	int fd = -1, r, e = ENOTCONN;

	g_snprintf(service, sizeof service, "%d", port);
	r = getaddrinfo(host, service, &hints, &res);
	if (r != 0) {
		*why = g_strdup(r == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		            ai->ai_protocol);
		if (fd == -1) {
			e = errno;
			continue;
		}
		e = imap_wait_connect(fd, ai, timeout);
		if (e == 0) {
			/* commands go out whole and at once: Nagle would hold a command's
			 * last segment back for the server's delayed ACK */
			if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
			break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		*why = g_strdup(g_strerror(e));
	return fd;
}

/* TCP, then for security = tls the TLS handshake and its verification: a stream that is
 * ready for the greeting, or NULL + err. */
static mailstream *
imap_stream(struct imap *im, const struct imap_params *p, int timeout, GError **err)
{
	g_autofree char *why = NULL;
	mailstream *stream;
	int fd;

	fd = imap_tcp_connect(p->host, p->port, timeout, &why);
	if (fd == -1) {
		g_set_error(err, IMAP_ERROR, IMAP_ERROR_CONNECT,
		            "cannot connect to IMAP server %s: %s", im->where, why);
		return NULL;
	}
	if (p->security == SECURITY_TLS)
		stream = mailstream_ssl_open_with_callback_timeout(fd, timeout, imap_tls_setup,
		                                                   (void *)p->host);
	else
		stream = mailstream_socket_open_timeout(fd, timeout);
	if (stream == NULL) {
		close(fd);
		if (p->security == SECURITY_TLS)
			g_set_error(err, IMAP_ERROR, IMAP_ERROR_CONNECT,
			            "TLS handshake with IMAP server %s failed (is it TLS on "
			            "connect? try security = starttls or none)",
			            im->where);
		else
			g_set_error(err, IMAP_ERROR, IMAP_ERROR_PROTOCOL, "out of memory");
		return NULL;
	}
	if (p->security == SECURITY_TLS && imap_tls_verify(im->where, stream, p, err) == -1) {
		mailstream_close(stream);
		return NULL;
	}
	return stream;
}

/* STARTTLS on a greeted connection, verified like implicit TLS. A connection that fails
 * the verification is dropped without another word (not even LOGOUT). */
static int
imap_starttls(struct imap *im, const struct imap_params *p, GError **err)
{
	int r;

	r = mailimap_socket_starttls_with_callback(im->imap, imap_tls_setup, (void *)p->host);
	if (r == MAILIMAP_ERROR_STREAM) {
		g_set_error(err, IMAP_ERROR, IMAP_ERROR_CONNECT,
		            "TLS handshake with IMAP server %s after STARTTLS failed", im->where);
		return -1;
	}
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, IMAP_ERROR_CONNECT, err, "IMAP server %s refused STARTTLS",
		                 im->where);
	if (imap_tls_verify(im->where, im->imap->imap_stream, p, err) == -1) {
		mailstream_close(im->imap->imap_stream);
		im->imap->imap_stream = NULL;
		return -1;
	}
	return 0;
}

/* Connects and reads the greeting; security decides how the stream starts. */
static int
imap_connect(struct imap *im, const struct imap_params *p, int timeout, GError **err)
{
	mailstream *stream = imap_stream(im, p, timeout, err);
	int r;

	if (stream == NULL)
		return -1;
	r = mailimap_connect(im->imap, stream);
	if (r == MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION)
		return imap_fail(im, r, IMAP_ERROR_CONNECT, err,
		                 "IMAP server %s refused the connection", im->where);
	if (r == MAILIMAP_ERROR_STREAM) {
		g_set_error(err, IMAP_ERROR, IMAP_ERROR_CONNECT,
		            "IMAP server %s sent no greeting within %d s", im->where, timeout);
		return -1;
	}
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED && r != MAILIMAP_NO_ERROR_AUTHENTICATED) {
		g_set_error(err, IMAP_ERROR, IMAP_ERROR_PROTOCOL,
		            "%s does not greet like an IMAP server (wrong port?)", im->where);
		return -1;
	}
	if (p->security != SECURITY_STARTTLS)
		return 0;
	return imap_starttls(im, p, err);
}

/* libetpan 1.9.4 reads a literal (a message body) in a loop that counts a read of 0 bytes,
 * end of file, as progress: a connection closed in the middle of a FETCH spins there
 * forever, timeout or not. Every read of our stream goes through this guard instead,
 * which reports end of file as the error it is. */
static ssize_t
imap_guard_read(mailstream_low *low, void *buf, size_t count)
{
	struct imap_guard *g = (struct imap_guard *)low->driver;
	ssize_t r = g->inner->mailstream_read(low, buf, count);

	return r == 0 ? -1 : r;
}

static void
imap_guard_eof(struct imap *im)
{
	mailstream_low *low = mailstream_get_low(im->imap->imap_stream);

	im->guard.inner = low->driver;
	im->guard.driver = *low->driver;
	im->guard.driver.mailstream_read = imap_guard_read;
	low->driver = &im->guard.driver;
}

/* Logs in, learns the capabilities (MOVE, UIDPLUS, IDLE) and selects the mailbox. */
static int
imap_login_select(struct imap *im, const struct imap_params *p, GError **err)
{
	struct mailimap_capability_data *caps = NULL;
	int r;

	if (p->user == NULL || *p->user == '\0') {
		g_set_error(err, IMAP_ERROR, IMAP_ERROR_AUTH, "no IMAP user is configured");
		return -1;
	}
	r = mailimap_login(im->imap, p->user, p->password != NULL ? p->password : "");
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, IMAP_ERROR_AUTH, err, "IMAP login as %s failed", p->user);
	/* Sent again after login: servers may advertise more to an authenticated user. */
	r = mailimap_capability(im->imap, &caps);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, IMAP_ERROR_PROTOCOL, err, "IMAP CAPABILITY on %s failed",
		                 im->where);
	mailimap_capability_data_free(caps);
	r = mailimap_select(im->imap, im->mailbox);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, IMAP_ERROR_MAILBOX, err,
		                 "IMAP mailbox %s cannot be selected", im->mailbox);
	im->uidvalidity = im->imap->imap_selection_info->sel_uidvalidity;
	return 0;
}

struct imap *
imap_open(const struct imap_params *p, GError **err)
{
	struct imap *im;
	int timeout = p->timeout > 0 ? p->timeout : 60;

	im = g_new0(struct imap, 1);
	im->where = g_strdup_printf("%s:%d", p->host, p->port);
	im->mailbox = g_strdup(p->mailbox != NULL && *p->mailbox != '\0' ? p->mailbox : "INBOX");
	im->processed =
	    p->processed != NULL && *p->processed != '\0' ? g_strdup(p->processed) : NULL;
	im->max_size = p->max_message_size;
	im->imap = mailimap_new(0, NULL);
	if (im->imap == NULL) {
		g_set_error(err, IMAP_ERROR, IMAP_ERROR_PROTOCOL, "out of memory");
		imap_close(im);
		return NULL;
	}
	/* Used by libetpan for STARTTLS and every read and write: a silent server fails the
	 * call after `timeout` seconds instead of hanging the daemon. */
	mailimap_set_timeout(im->imap, timeout);
	if (imap_connect(im, p, timeout, err) == -1) {
		imap_close(im);
		return NULL;
	}
	imap_guard_eof(im);
	if (imap_login_select(im, p, err) == -1) {
		imap_close(im);
		return NULL;
	}
	return im;
}

void
imap_close(struct imap *im)
{
	if (im == NULL)
		return;
	if (im->imap != NULL) {
		if (im->idling)
			mailimap_idle_done(im->imap);
		/* mailimap_free() sends LOGOUT on a live stream; its errors do not matter. */
		mailimap_free(im->imap);
	}
	g_free(im->where);
	g_free(im->mailbox);
	g_free(im->processed);
	g_free(im);
}

guint32
imap_uidvalidity(struct imap *im)
{
	return im->uidvalidity;
}

/* Finds the static attribute of type `type` in a FETCH response item, or NULL. */
static struct mailimap_msg_att_static *
imap_att(struct mailimap_msg_att *att, int type)
{
	clistiter *cur;

	for (cur = clist_begin(att->att_list); cur != NULL; cur = clist_next(cur)) {
		struct mailimap_msg_att_item *item = clist_content(cur);

		if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
		    item->att_data.att_static->att_type == type)
			return item->att_data.att_static;
	}
	return NULL;
}

/* Orders struct imap_entry and struct imap_body alike: both start with the UID. */
static gint
imap_uid_cmp(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

	return x < y ? -1 : x > y;
}

/* Runs UID FETCH set (UID + `body` or RFC822.SIZE); *result is libetpan's list. */
enum imap_what { IMAP_SIZES, IMAP_BODIES, IMAP_HEADERS };

static int
imap_uid_fetch(struct imap *im, struct mailimap_set *set, enum imap_what what, clist **result)
{
	struct mailimap_fetch_type *type = mailimap_fetch_type_new_fetch_att_list_empty();
	int r;

	mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_uid());
	if (what == IMAP_BODIES)
		mailimap_fetch_type_new_fetch_att_list_add(
		    type, mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	else if (what == IMAP_HEADERS)
		mailimap_fetch_type_new_fetch_att_list_add(
		    type, mailimap_fetch_att_new_body_peek_section(mailimap_section_new_header()));
	else
		mailimap_fetch_type_new_fetch_att_list_add(type,
		                                           mailimap_fetch_att_new_rfc822_size());
	r = mailimap_uid_fetch(im->imap, set, type, result);
	mailimap_fetch_type_free(type);
	mailimap_set_free(set);
	return r;
}

/* Lists the UIDs above after_uid with their sizes, ascending. `UID n:*` always includes
 * the last message, even when its UID is below n, so the list is filtered here. */
static int
imap_list(struct imap *im, guint32 after_uid, GArray *out, GError **err)
{
	clist *result = NULL;
	clistiter *cur;
	int r;

	r = imap_uid_fetch(im, mailimap_set_new_interval(after_uid + 1, 0), IMAP_SIZES, &result);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, IMAP_ERROR_PROTOCOL, err,
		                 "listing new messages in IMAP mailbox %s failed", im->mailbox);
	for (cur = clist_begin(result); cur != NULL; cur = clist_next(cur)) {
		struct mailimap_msg_att_static *uid =
		    imap_att(clist_content(cur), MAILIMAP_MSG_ATT_UID);
		struct mailimap_msg_att_static *size =
		    imap_att(clist_content(cur), MAILIMAP_MSG_ATT_RFC822_SIZE);
		struct imap_entry e;

		if (uid == NULL || uid->att_data.att_uid <= after_uid)
			continue;
		e.uid = uid->att_data.att_uid;
		e.size = size != NULL ? size->att_data.att_rfc822_size : 0;
		g_array_append_val(out, e);
	}
	mailimap_fetch_list_free(result);
	g_array_sort(out, imap_uid_cmp);
	return 0;
}

/* Fetches entries[0..n) (bodies, or headers only) and hands them to cb in UID order.
 * Returns 0 to go on, 1 when cb said stop, -1 on error; *count grows by the messages
 * handed over, out of total. */
static int
imap_fetch_batch(struct imap *im, const struct imap_entry *entries, guint n, gboolean headers,
                 imap_message_cb cb, void *data, guint *count, guint total, GError **err)
{
	g_autoptr(GArray) bodies = g_array_new(FALSE, FALSE, sizeof(struct imap_body));
	struct mailimap_set *set = mailimap_set_new_empty();
	clist *result = NULL;
	clistiter *cur;
	guint i;
	int r, stop = 0;

	for (i = 0; i < n; i++)
		mailimap_set_add_single(set, entries[i].uid);
	r = imap_uid_fetch(im, set, headers ? IMAP_HEADERS : IMAP_BODIES, &result);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, IMAP_ERROR_PROTOCOL, err,
		                 "fetching messages from IMAP mailbox %s failed", im->mailbox);
	for (cur = clist_begin(result); cur != NULL; cur = clist_next(cur)) {
		struct mailimap_msg_att_static *uid =
		    imap_att(clist_content(cur), MAILIMAP_MSG_ATT_UID);
		struct mailimap_msg_att_static *sec =
		    imap_att(clist_content(cur), MAILIMAP_MSG_ATT_BODY_SECTION);
		struct imap_body b;

		/* Unsolicited FETCH responses (flag changes) carry no body: skip them. */
		if (uid == NULL || sec == NULL || sec->att_data.att_body_section == NULL ||
		    sec->att_data.att_body_section->sec_body_part == NULL)
			continue;
		b.uid = uid->att_data.att_uid;
		b.raw = sec->att_data.att_body_section->sec_body_part;
		b.len = sec->att_data.att_body_section->sec_length;
		g_array_append_val(bodies, b);
	}
	g_array_sort(bodies, imap_uid_cmp);
	for (i = 0; i < bodies->len && !stop; i++) {
		struct imap_body *b = &g_array_index(bodies, struct imap_body, i);
		struct imap_message m = {b->uid, b->raw,   b->len, headers,
		                         0,      ++*count, total,  i + 1 == bodies->len};

		for (guint j = 0; j < n; j++)
			if (entries[j].uid == b->uid)
				m.size = entries[j].size;
		stop = cb(&m, data) == -1;
	}
	mailimap_fetch_list_free(result);
	return stop;
}

static int
imap_idle_stop(struct imap *im, GError **err)
{
	int r;

	if (!im->idling)
		return 0;
	im->idling = FALSE;
	r = mailimap_idle_done(im->imap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, IMAP_ERROR_PROTOCOL, err, "ending IMAP IDLE failed");
	return 0;
}

int
imap_fetch_new(struct imap *im, guint32 after_uid, imap_message_cb cb, void *data, GError **err)
{
	g_autoptr(GArray) list = g_array_new(FALSE, FALSE, sizeof(struct imap_entry));
	guint i = 0, n, count = 0;
	gsize bytes;
	int r;

	if (imap_idle_stop(im, err) == -1)
		return -1;
	if (after_uid == G_MAXUINT32)
		return 0;
	/* from here on, an EXISTS the server sends (in this listing's answer or a later
	 * command's) may be mail this fetch does not see: imap_idle_start asks for another */
	if (im->imap->imap_selection_info != NULL)
		im->imap->imap_selection_info->sel_has_exists = 0;
	if (imap_list(im, after_uid, list, err) == -1)
		return -1;
	while (i < list->len) {
		const struct imap_entry *e = &g_array_index(list, struct imap_entry, i);
		gboolean big = im->max_size != 0 && e[0].size > im->max_size;

		/* a batch: consecutive messages within the limits; an oversized message goes
		 * alone, as headers only */
		bytes = e[0].size;
		for (n = 1; !big && i + n < list->len && n < IMAP_BATCH_COUNT; n++) {
			if (bytes + e[n].size > IMAP_BATCH_BYTES ||
			    (im->max_size != 0 && e[n].size > im->max_size))
				break;
			bytes += e[n].size;
		}
		r = imap_fetch_batch(im, e, n, big, cb, data, &count, list->len, err);
		if (r == -1)
			return -1;
		if (r == 1)
			break;
		i += n;
	}
	return (int)count;
}

/* UID STORE uid +FLAGS.SILENT (flag); takes ownership of flag. */
/* A UID set of uids[0..n). */
static struct mailimap_set *
imap_uid_set(const guint32 *uids, guint n)
{
	struct mailimap_set *set = mailimap_set_new_empty();

	for (guint i = 0; i < n; i++)
		mailimap_set_add_single(set, uids[i]);
	return set;
}

/* UID STORE uids +FLAGS.SILENT (flag); takes ownership of flag. */
static int
imap_add_flag(struct imap *im, const guint32 *uids, guint n, struct mailimap_flag *flag,
              GError **err)
{
	struct mailimap_flag_list *flags = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *att;
	struct mailimap_set *set = imap_uid_set(uids, n);
	int r;

	mailimap_flag_list_add(flags, flag);
	att = mailimap_store_att_flags_new_add_flags_silent(flags);
	r = mailimap_uid_store(im->imap, set, att);
	mailimap_store_att_flags_free(att);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, IMAP_ERROR_MAILBOX, err,
		                 "flagging %u message(s) from UID %u in IMAP mailbox %s failed", n,
		                 uids[0], im->mailbox);
	return 0;
}

/* Creates the processed folder once per connection; "already exists" is the usual
 * answer and not an error (a real problem shows up in the move that follows). */
static int
imap_processed_folder(struct imap *im, GError **err)
{
	int r;

	if (im->processed_ready)
		return 0;
	r = mailimap_create(im->imap, im->processed);
	if (r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_PARSE)
		return imap_fail(im, r, IMAP_ERROR_MAILBOX, err, "creating IMAP folder %s failed",
		                 im->processed);
	im->processed_ready = TRUE;
	return 0;
}

/* Without MOVE (RFC 6851): COPY, \Deleted, and expunge only those messages where UIDPLUS
 * allows; plain EXPUNGE otherwise. */
static int
imap_copy_delete(struct imap *im, const guint32 *uids, guint n, GError **err)
{
	struct mailimap_set *set = imap_uid_set(uids, n);
	int r;

	r = mailimap_uid_copy(im->imap, set, im->processed);
	if (r != MAILIMAP_NO_ERROR) {
		mailimap_set_free(set);
		return imap_fail(im, r, IMAP_ERROR_MAILBOX, err,
		                 "copying %u message(s) to IMAP folder %s failed", n,
		                 im->processed);
	}
	if (imap_add_flag(im, uids, n, mailimap_flag_new_deleted(), err) == -1) {
		mailimap_set_free(set);
		return -1;
	}
	if (mailimap_has_uidplus(im->imap))
		r = mailimap_uid_expunge(im->imap, set);
	else
		r = mailimap_expunge(im->imap);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, IMAP_ERROR_MAILBOX, err,
		                 "expunging %u message(s) from IMAP mailbox %s failed", n,
		                 im->mailbox);
	return 0;
}

static int
imap_move(struct imap *im, const guint32 *uids, guint n, GError **err)
{
	struct mailimap_set *set;
	int r;

	if (imap_processed_folder(im, err) == -1)
		return -1;
	if (!mailimap_has_extension(im->imap, "MOVE"))
		return imap_copy_delete(im, uids, n, err);
	set = imap_uid_set(uids, n);
	r = mailimap_uid_move(im->imap, set, im->processed);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, IMAP_ERROR_MAILBOX, err,
		                 "moving %u message(s) to IMAP folder %s failed", n, im->processed);
	return 0;
}

int
imap_mark_processed(struct imap *im, const guint32 *uids, guint n, GError **err)
{
	if (n == 0)
		return 0;
	if (imap_idle_stop(im, err) == -1)
		return -1;
	if (imap_add_flag(im, uids, n, mailimap_flag_new_seen(), err) == -1)
		return -1;
	if (im->processed == NULL)
		return 0;
	return imap_move(im, uids, n, err);
}

gboolean
imap_has_idle(struct imap *im)
{
	return mailimap_has_idle(im->imap) != 0;
}

int
imap_idle_start(struct imap *im, GError **err)
{
	int r;

	if (im->idling)
		return 0;
	if (!mailimap_has_idle(im->imap)) {
		g_set_error(err, IMAP_ERROR, IMAP_ERROR_PROTOCOL,
		            "IMAP server %s does not support IDLE", im->where);
		return -1;
	}
	/* The server tells of new mail once, in the answer to whatever command comes next: an
	 * EXISTS that came with the last fetch's listing or with a later command (the \Seen
	 * flags, a MOVE) will not come again in IDLE, and waiting would leave that mail for
	 * the next poll. So then no IDLE: the caller fetches again. */
	if (im->imap->imap_selection_info != NULL && im->imap->imap_selection_info->sel_has_exists)
		return 1;
	r = mailimap_idle(im->imap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, IMAP_ERROR_PROTOCOL, err, "IMAP IDLE on %s failed",
		                 im->where);
	im->idling = TRUE;
	/* what the server said right after "+ idling" may already be in libetpan's buffer,
	 * where watching the socket would never see it */
	if (im->imap->imap_stream != NULL && im->imap->imap_stream->read_buffer_len > 0)
		return 1;
	return 0;
}

int
imap_idle_fd(struct imap *im)
{
	return mailimap_idle_get_fd(im->imap);
}

int
imap_idle_done(struct imap *im, GError **err)
{
	return imap_idle_stop(im, err);
}
