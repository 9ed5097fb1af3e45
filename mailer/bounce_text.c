/*
 * bounce_text: bounces written as prose, without a delivery-status part: qmail's, Exim's,
 * Exchange's and Gmail's. One table of shapes, each found by the sentence its MTA always
 * writes and read by its own function; the returned message below the report is never
 * read. Part of the bounce module. Pure.
 */
#include "bounce_text.h"

#include "util.h"
#include <string.h>

/* Where the returned message starts in the prose of the MTAs (compared ignoring case). */
static const char *const returned_markers[] = {
    "------ This is a copy of the message",         /* Exim */
    "--- Below this line is a copy of the message", /* qmail */
    "----- Original message -----",                 /* Gmail */
    "Original message headers:",                    /* Exchange */
    "Below is a copy of the original message",      /* OpenSMTPD */
};

/* The offset of needle in haystack, ignoring ASCII case, or -1. */
static gssize
find_ci(const char *haystack, const char *needle)
{
	g_autofree char *h = g_ascii_strdown(haystack, -1);
	g_autofree char *n = g_ascii_strdown(needle, -1);
	const char *at = strstr(h, n);

	return at != NULL ? at - h : -1;
}

char *
bounce_human_text(const struct mime_doc *d)
{
	const struct mime_part *plain = NULL, *html = NULL;
	char *text;

	for (guint i = 0; i < d->parts->len; i++) {
		const struct mime_part *p = d->parts->pdata[i];

		if (plain == NULL && strcmp(p->type, "text/plain") == 0)
			plain = p;
		else if (html == NULL && strcmp(p->type, "text/html") == 0)
			html = p;
	}
	if (plain != NULL)
		text = g_strdup(plain->text);
	else if (html != NULL)
		text = mime_html_to_text(html->text, strlen(html->text));
	else
		return g_strdup("");
	for (gsize i = 0; i < G_N_ELEMENTS(returned_markers); i++) {
		gssize at = find_ci(text, returned_markers[i]);

		if (at >= 0)
			text[at] = '\0';
	}
	return text;
}

/* The text with one pair of quotes, brackets and separators trimmed from its ends. */
static char *
bare(const char *s)
{
	g_autofree char *t = g_strstrip(g_strdup(s != NULL ? s : ""));
	const char *p = t;
	gsize n;

	while (*p == ':' || *p == '>' || *p == ' ' || *p == '#' || *p == '\'' || *p == '"')
		p++;
	n = strlen(p);
	while (n > 0 && strchr(" #'\"", p[n - 1]) != NULL)
		n--;
	return g_strndup(p, n);
}

static gboolean
indented(const char *line)
{
	return *line == ' ' || *line == '\t';
}

static gboolean
blank(const char *line)
{
	for (; *line != '\0'; line++)
		if (!g_ascii_isspace(*line))
			return FALSE;
	return TRUE;
}

/* Lines from..to-1 of lines joined by spaces. Caller frees. */
static char *
joined(char **lines, guint from, guint to)
{
	GString *out = g_string_new(NULL);

	for (guint i = from; i < to; i++) {
		g_autofree char *t = g_strstrip(g_strdup(lines[i]));

		g_string_append_printf(out, "%s%s", out->len > 0 && *t != '\0' ? " " : "", t);
	}
	return g_string_free(out, FALSE);
}

char *
bounce_reason_for(const char *text, const char *address)
{
	g_auto(GStrv) lines = NULL;
	guint n, i, end;

	if (text == NULL || address == NULL)
		return NULL;
	lines = g_strsplit(text, "\n", -1);
	n = g_strv_length(lines);
	for (i = 0; i < n && find_ci(lines[i], address) < 0; i++)
		;
	if (i == n)
		return NULL;
	for (end = i + 1; end < n && indented(lines[end]) && !blank(lines[end]); end++)
		;
	{
		gssize at = find_ci(lines[i], address);
		g_autofree char *rest = g_strdup(lines[i] + at + strlen(address));
		g_autofree char *below = joined(lines, i + 1, end);
		g_autofree char *all = g_strconcat(rest, " ", below, NULL);

		return bare(all);
	}
}

/* The index of the first line at or after from that contains needle (ignoring case), or
 * n. */
static guint
line_with(char **lines, guint n, guint from, const char *needle)
{
	while (from < n && find_ci(lines[from], needle) < 0)
		from++;
	return from;
}

/* The paragraph (lines up to a blank one) starting at from, joined. Caller frees. */
static char *
paragraph(char **lines, guint n, guint from)
{
	guint end = from;

	while (end < n && !blank(lines[end]))
		end++;
	return joined(lines, from, end);
}

/* The first non-blank line at or after from, or n. */
static guint
next_filled(char **lines, guint n, guint from)
{
	while (from < n && blank(lines[from]))
		from++;
	return from;
}

/* Verdicts for X-Failed-Recipients when the prose named nobody. */
static void
failed_recipients_header(const struct mime_doc *d, const char *format, const char *why,
                         gboolean failed, GPtrArray *out)
{
	const char *value = mime_doc_header(d, "X-Failed-Recipients");
	const char *end = value;
	char *a;

	while (out->len < BOUNCE_MAX_VERDICTS && (a = bounce_address_in(end, &end)) != NULL) {
		g_ptr_array_add(out, bounce_verdict(format, a, NULL, why, failed));
		g_free(a);
	}
}

/* qmail: "<addr>:" lines, each followed by its reason. */
static void
read_qmail(const struct mime_doc *d, char **lines, guint n, GPtrArray *out)
{
	for (guint i = 0; i < n && out->len < BOUNCE_MAX_VERDICTS; i++) {
		g_autofree char *line = g_strstrip(g_strdup(lines[i]));
		g_autofree char *addr = NULL, *why = NULL;
		guint from;

		if (line[0] != '<' || !g_str_has_suffix(line, ">:") ||
		    (addr = bounce_address_in(line, NULL)) == NULL)
			continue;
		from = next_filled(lines, n, i + 1);
		why = from < n && lines[from][0] != '<' ? paragraph(lines, n, from) : NULL;
		g_ptr_array_add(out, bounce_verdict("qmail", addr, NULL, why, TRUE));
	}
	if (out->len == 0)
		failed_recipients_header(d, "qmail", NULL, TRUE, out);
}

/* Exim: after "The following address(es) failed:" (or, in a delay warning, "...has not
 * yet been delivered..."), each address slightly indented, its reason indented deeper
 * below it (or after it on its line). */
static void
read_exim(const struct mime_doc *d, char **lines, guint n, GPtrArray *out)
{
	guint i = line_with(lines, n, 0, "address(es) failed");
	gboolean delayed = FALSE;

	if (i == n) {
		i = line_with(lines, n, 0, "not yet been delivered");
		delayed = i < n;
	}
	for (i = i < n ? i + 1 : 0; i < n && out->len < BOUNCE_MAX_VERDICTS; i++) {
		const char *line = lines[i];
		gsize indent = strspn(line, " \t");
		const char *end = NULL;
		g_autofree char *addr = bounce_address_in(line, &end);
		g_autofree char *rest = NULL, *below = NULL, *why = NULL;
		guint stop = i + 1;

		if (addr == NULL || indent > 3 ||
		    (line[indent] != '<' && !g_ascii_isalnum(line[indent])))
			continue;
		while (stop < n && strspn(lines[stop], " \t") > indent && !blank(lines[stop]))
			stop++;
		rest = bare(end);
		below = joined(lines, i + 1, stop);
		why = g_strconcat(rest, " ", below, NULL);
		g_ptr_array_add(out, bounce_verdict("exim", addr, NULL, why, !delayed));
		i = stop - 1;
	}
	if (out->len == 0)
		failed_recipients_header(d, "exim", NULL, !delayed, out);
}

/* The diagnostic for addr in Exchange's section for administrators, or NULL. */
static char *
exchange_diagnostic(char **lines, guint n, const char *addr)
{
	guint section = line_with(lines, n, 0, "Diagnostic information for administrators");
	guint at = line_with(lines, n, section, addr);

	for (guint i = at < n ? at : section; i < n && i < (at < n ? at + 4 : n); i++) {
		g_autofree char *code = bounce_status_in(lines[i]);
		gssize remote = find_ci(lines[i], "Remote Server returned");

		if (code == NULL)
			continue;
		return bare(remote >= 0 ? lines[i] + remote + strlen("Remote Server returned")
		                        : lines[i]);
	}
	return NULL;
}

/* Exchange: "Delivery has failed to these recipients or groups:" (or "is delayed"), the
 * addresses on the lines below, their description, and the diagnostic for
 * administrators. */
static void
read_exchange(const struct mime_doc *d, char **lines, guint n, GPtrArray *out)
{
	guint failed_at = line_with(lines, n, 0, "Delivery has failed to these recipients");
	gboolean delayed = failed_at == n;
	guint i = next_filled(
	    lines, n,
	    (delayed ? line_with(lines, n, 0, "Delivery is delayed to these") : failed_at) + 1);
	guint first = i;
	g_autofree char *description = NULL;

	while (i < n && !blank(lines[i]) && strchr(lines[i], '@') != NULL)
		i++;
	description = i < n && !blank(lines[i]) ? paragraph(lines, n, i) : NULL;
	for (guint j = first; j < i && out->len < BOUNCE_MAX_VERDICTS; j++) {
		g_autofree char *addr = bounce_address_in(lines[j], NULL);
		g_autofree char *why = addr != NULL ? exchange_diagnostic(lines, n, addr) : NULL;

		if (addr != NULL)
			g_ptr_array_add(out,
			                bounce_verdict("exchange", addr, NULL,
			                               why != NULL ? why : description, !delayed));
	}
	if (out->len == 0)
		failed_recipients_header(d, "exchange", description, !delayed, out);
}

/* Gmail before 2016: "Delivery to the following recipient failed permanently:" (or "has
 * been delayed:"), the address below, then "Technical details of ... failure:". */
static void
read_gmail_old(const struct mime_doc *d, char **lines, guint n, GPtrArray *out)
{
	guint i = line_with(lines, n, 0, "Delivery to the following recipient");
	gboolean failed = i < n && find_ci(lines[i], "failed permanently") >= 0;
	guint a = next_filled(lines, n, i + 1);
	guint t = line_with(lines, n, 0, "Technical details of");
	g_autofree char *addr = a < n ? bounce_address_in(lines[a], NULL) : NULL;
	g_autofree char *details = t < n ? paragraph(lines, n, next_filled(lines, n, t + 1)) : NULL;
	static const char said[] = "server returned was:";
	gssize at = details != NULL ? find_ci(details, said) : -1;

	if (addr != NULL)
		g_ptr_array_add(out, bounce_verdict("gmail", addr, NULL,
		                                    at >= 0 ? details + at + strlen(said) : details,
		                                    failed));
}

/* Gmail: "Your message wasn't delivered to ADDRESS because ..." (or "There was a temporary
 * problem delivering your message to ADDRESS"), then "The response from the remote server
 * was:" (or "The response was:") and the server's words. */
static void
read_gmail(const struct mime_doc *d, char **lines, guint n, GPtrArray *out)
{
	guint i = line_with(lines, n, 0, "wasn't delivered to ");
	gboolean failed = i < n;
	guint r;
	g_autofree char *addr = NULL, *why = NULL;

	if (!failed)
		i = line_with(lines, n, 0, "temporary problem delivering your message to ");
	if (i == n || (addr = bounce_address_in(lines[i], NULL)) == NULL)
		return;
	r = line_with(lines, n, i, "The response");
	why = r < n ? paragraph(lines, n, next_filled(lines, n, r + 1)) : g_strdup(lines[i]);
	g_ptr_array_add(out, bounce_verdict("gmail", addr, NULL, why, failed));
}

struct shape {
	const char *marker; /* a sentence only this MTA's bounces write */
	void (*read)(const struct mime_doc *d, char **lines, guint n, GPtrArray *out);
};

/* Every prose shape, tried in order; the first whose marker is in the text reads it. */
static const struct shape shapes[] = {
    {"This is the qmail-send program", read_qmail},
    {"This message was created automatically by mail delivery software", read_exim},
    {"Delivery has failed to these recipients", read_exchange},
    {"Delivery is delayed to these recipients", read_exchange},
    {"Delivery to the following recipient", read_gmail_old},
    {"wasn't delivered to ", read_gmail},
    {"temporary problem delivering your message to ", read_gmail},
};

void
bounce_read_text(const struct mime_doc *d, const char *text, GPtrArray *out)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	guint n = g_strv_length(lines);

	for (gsize i = 0; i < G_N_ELEMENTS(shapes); i++) {
		if (find_ci(text, shapes[i].marker) < 0)
			continue;
		shapes[i].read(d, lines, n, out);
		return;
	}
}
