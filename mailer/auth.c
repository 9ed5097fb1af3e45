/*
 * auth: reply tokens, Authentication-Results and the never-answer rules. Pure.
 */
#include "auth.h"

#include "authres.h"
#include "digest.h"
#include "util.h"
#include <string.h>

#define TOKEN_CHARS 16

/* 80 bits of HMAC-SHA256(secret, msg) in base32. Every use has its own message prefix
 * ("incident:", "bounce:"), so a value made for one use never passes for another. */
static char *
mac32(const char *secret, const char *msg)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	guint8 digest[DIGEST_SHA256_LEN];
	char *out = g_malloc(TOKEN_CHARS + 1);

	digest_hmac_sha256(secret, strlen(secret), msg, strlen(msg), digest);
	/* base32 of the first 80 bits: 5 bits per character */
	for (int i = 0; i < TOKEN_CHARS; i++) {
		int bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = ((unsigned)digest[byte] << 8 | digest[byte + 1]) >> (11 - shift);

		out[i] = alphabet[v & 31];
	}
	out[TOKEN_CHARS] = '\0';
	return out;
}

static char *
token(const char *secret, gint64 incident_id)
{
	g_autofree char *msg = g_strdup_printf("incident:%" G_GINT64_FORMAT, incident_id);

	return mac32(secret, msg);
}

static char *
bounce_sig(const char *secret, gint64 outbox_id)
{
	g_autofree char *msg = g_strdup_printf("bounce:%" G_GINT64_FORMAT, outbox_id);

	return mac32(secret, msg);
}

char *
auth_reply_address(const char *secret, const char *address, gint64 incident_id)
{
	const char *at = strrchr(address, '@');
	g_autofree char *t = token(secret, incident_id);

	return g_strdup_printf("%.*s+%" G_GINT64_FORMAT "-%s%s", (int)(at - address), address,
	                       incident_id, t, at);
}

char *
auth_bounce_address(const char *secret, const char *address, gint64 outbox_id)
{
	const char *at = strrchr(address, '@');
	g_autofree char *sig = bounce_sig(secret, outbox_id);

	if (at == NULL)
		return g_strdup(address);
	return g_strdup_printf("%.*s+bounce-%" G_GINT64_FORMAT "-%s%s", (int)(at - address),
	                       address, outbox_id, sig, at);
}

/* Constant-time comparison: the token is a secret. */
static gboolean
same(const char *a, const char *b)
{
	size_t n = strlen(a);
	unsigned diff = n != strlen(b);

	for (size_t i = 0; i < n && b[i] != '\0'; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

/* The +detail of r when r is address with one (case of the domain ignored), else NULL.
 * Caller frees. */
static char *
plus_detail(const char *address, const char *r)
{
	const char *at = strrchr(address, '@');
	size_t local_len = (size_t)(at - address);
	const char *rat = strrchr(r, '@');

	if (rat == NULL || g_ascii_strcasecmp(rat, at) != 0 ||
	    g_ascii_strncasecmp(r, address, local_len) != 0 || r[local_len] != '+')
		return NULL;
	return g_strndup(r + local_len + 1, (gsize)(rat - r - local_len - 1));
}

gint64
auth_token_incident(const char *secret, const char *address, GPtrArray *recipients,
                    gboolean *forged)
{
	*forged = FALSE;
	for (guint i = 0; recipients != NULL && i < recipients->len; i++) {
		g_autofree char *detail = plus_detail(address, recipients->pdata[i]);
		g_autofree char *expected = NULL;
		char *dash = NULL;
		gint64 id;

		if (detail == NULL)
			continue;
		id = g_ascii_strtoll(detail, &dash, 10);
		if (id <= 0 || *dash != '-')
			continue; /* another +detail, such as a list request */
		expected = token(secret, id);
		if (same(expected, dash + 1))
			return id;
		*forged = TRUE;
	}
	return 0;
}

gint64
auth_bounce_outbox(const char *secret, const char *address, GPtrArray *recipients,
                   gboolean *bounce_address)
{
	*bounce_address = FALSE;
	for (guint i = 0; recipients != NULL && i < recipients->len; i++) {
		g_autofree char *detail = plus_detail(address, recipients->pdata[i]);
		g_autofree char *expected = NULL;
		char *dash = NULL;
		gint64 id;

		if (detail == NULL || g_ascii_strncasecmp(detail, "bounce-", 7) != 0)
			continue;
		*bounce_address = TRUE;
		id = g_ascii_strtoll(detail + 7, &dash, 10);
		if (id <= 0 || !g_ascii_isdigit(detail[7]) || *dash != '-')
			continue; /* unsigned, or no outbox id at all */
		expected = bounce_sig(secret, id);
		if (same(expected, dash + 1))
			return id;
	}
	return 0;
}

/*
 * Whether one resinfo speaks for the From domain. Alignment is exact (case-insensitive),
 * not DMARC's relaxed organizational match: dmarc=pass already carries the MX's own
 * alignment check, and for the DKIM fallback a signature of a parent domain is refused
 * rather than guessed at without the public suffix list. A DKIM signature's domain is
 * header.d; header.i (its "@domain" part) is looked at only when header.d is absent, as
 * Gmail writes it.
 */
static gboolean
aligned(const struct authres_result *r, const char *domain)
{
	const char *d;

	if (strcmp(r->method, "dmarc") == 0) {
		d = authres_prop(r, "header.from");
		return d != NULL && g_ascii_strcasecmp(d, domain) == 0;
	}
	d = authres_prop(r, "header.d");
	if (d != NULL)
		return g_ascii_strcasecmp(d, domain) == 0;
	d = authres_prop(r, "header.i");
	d = d != NULL ? strrchr(d, '@') : NULL;
	return d != NULL && g_ascii_strcasecmp(d + 1, domain) == 0;
}

/* The rule of auth.h over one parsed header: verdict and domain from the same resinfo. */
static gboolean
verdict(const struct authres *a, const char *domain)
{
	gboolean dmarc = FALSE, dmarc_pass = FALSE, dkim_pass = FALSE;

	for (guint i = 0; i < a->results->len; i++) {
		const struct authres_result *r = a->results->pdata[i];
		gboolean pass = strcmp(r->result, "pass") == 0;

		if (strcmp(r->method, "dmarc") == 0) {
			if (!pass)
				return FALSE; /* a DMARC failure is never saved by DKIM */
			dmarc = TRUE;
			dmarc_pass = dmarc_pass || aligned(r, domain);
		} else if (strcmp(r->method, "dkim") == 0 && pass && aligned(r, domain)) {
			dkim_pass = TRUE;
		}
	}
	return dmarc ? dmarc_pass : dkim_pass;
}

gboolean
auth_dmarc_pass(GPtrArray *auth_results, const char *authserv_id, const char *from_addr)
{
	const char *domain = util_domain(from_addr);

	if (authserv_id == NULL || *domain == '\0')
		return FALSE;
	for (guint i = 0; auth_results != NULL && i < auth_results->len; i++) {
		g_autofree char *id = authres_authserv_id(auth_results->pdata[i]);
		g_autoptr(authres) a = NULL;

		if (id == NULL || g_ascii_strcasecmp(id, authserv_id) != 0)
			continue;
		/* Only the topmost header from our own server counts: anything below it
		 * could have been written by the sender. A malformed one is no pass, and
		 * never lets a lower one speak instead. */
		a = authres_parse(auth_results->pdata[i], NULL);
		return a != NULL && verdict(a, domain);
	}
	return FALSE;
}

/* Subjects out-of-office replies write when they carry no header that says so (Outlook's
 * in its main languages); compared at the start, case ignored. */
static const char *const auto_subjects[] = {
    "Automatic reply:",     "Auto-reply:",           "Autoreply:",          "Out of Office:",
    "Out of office reply",  "Automatische Antwort:", "Abwesenheitsnotiz",   "Réponse automatique",
    "Respuesta automática", "Resposta automática",   "Risposta automatica", "Automatisch antwoord",
    "Automatiskt svar",
};

const char *
auth_no_answer(const struct mail *m, const char *address)
{
	static const char *const precedences[] = {"bulk", "junk", "list", "auto_reply"};
	g_autoptr(GString) keyword = g_string_new(NULL);
	int depth = 0;

	/* Auto-Submitted's keyword alone: "no (sent by hand)" and "No; x=y" are "no",
	 * "notification" is not */
	for (const char *p = m->auto_submitted; p != NULL && *p != '\0' && *p != ';'; p++)
		if (*p == '(' || *p == ')')
			depth = MAX(0, depth + (*p == '(' ? 1 : -1));
		else if (depth == 0 && !g_ascii_isspace(*p))
			g_string_append_c(keyword, *p);
	if (m->auto_submitted != NULL && g_ascii_strcasecmp(keyword->str, "no") != 0)
		return "it is auto-submitted (an automatic reply or notification)";
	for (gsize i = 0; m->precedence != NULL && i < G_N_ELEMENTS(precedences); i++)
		if (g_ascii_strcasecmp(m->precedence, precedences[i]) == 0)
			return "it is bulk, list or automatic mail (Precedence)";
	if (m->auto_marker != NULL)
		return m->auto_marker;
	if (m->is_report || (m->return_path != NULL && *m->return_path == '\0'))
		return "it is a bounce (empty return path or delivery report)";
	if (m->from_addr != NULL && g_str_has_prefix(m->from_addr, "mailer-daemon@"))
		return "it is from MAILER-DAEMON";
	if (m->return_path != NULL &&
	    g_ascii_strncasecmp(m->return_path, "mailer-daemon@", 14) == 0)
		return "it is a bounce (MAILER-DAEMON return path)";
	for (gsize i = 0; m->subject != NULL && i < G_N_ELEMENTS(auto_subjects); i++)
		if (g_ascii_strncasecmp(m->subject, auto_subjects[i], strlen(auto_subjects[i])) ==
		    0)
			return "it is an automatic reply (its subject says so)";
	if (m->from_addr != NULL && g_ascii_strcasecmp(m->from_addr, address) == 0)
		return "it is from sevmail's own address";
	for (guint i = 0; m->x_loops != NULL && i < m->x_loops->len; i++)
		if (strcasestr(g_ptr_array_index(m->x_loops, i), address) != NULL)
			return "it carries sevmail's own X-Loop header";
	return NULL;
}
