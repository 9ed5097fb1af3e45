/*
 * intake_bounce: mail to a signed bounce address (local+bounce-ID-SIG@domain, the envelope
 * sender of outbox message ID) reports on that message. Each recipient it names as failed
 * for good is marked bounced; a page's bounce goes on the incident's timeline; a list
 * subscriber who keeps bouncing is suspended. Unsigned or forged bounce addresses, and
 * messages the outbox does not hold, are kept with no effect. A bounce is never answered
 * and never causes mail to the address that bounced.
 */
#include "intake_ctx.h"

#include "auth.h"
#include "bounce.h"
#include "lists.h"
#include <string.h>

/* The recipient of row a verdict is about: the one it names (final, else original), else
 * the message's only recipient (a report from where the mail was forwarded to), or NULL. */
static const char *
recipient_of(const struct outbox_row *row, const struct bounce *b)
{
	const char *named[] = {b->recipient, b->original};

	for (gsize k = 0; k < G_N_ELEMENTS(named); k++)
		for (guint i = 0; named[k] != NULL && i < row->rcpts->len; i++) {
			const struct outbox_rcpt_row *r = row->rcpts->pdata[i];

			if (g_ascii_strcasecmp(r->address, named[k]) == 0)
				return r->address;
		}
	if (row->rcpts->len == 1)
		return ((const struct outbox_rcpt_row *)row->rcpts->pdata[0])->address;
	return NULL;
}

/* The timeline hears of a page that bounced: the escalation reads it. */
static int
page_bounced(struct ctx *c, const struct outbox_row *row, const char *rcpt, const struct bounce *b,
             GError **err)
{
	g_autofree char *detail = NULL;
	struct event *e;
	int rc;

	if (row->incident_id == 0 || !outbox_kind_info(outbox_kind_parse(row->kind))->pages)
		return 0;
	detail = g_strdup_printf("Page to %s bounced: %s", rcpt, b->diagnostic);
	e = event_make(c->notify.now, c->mail->from_addr != NULL ? c->mail->from_addr : "sevmail",
	               EVENT_BOUNCED, detail);
	rc = store_event_add(c->store, row->incident_id, e, c->message_id, err);
	event_free(e);
	return rc;
}

/* One verdict: recorded, and what it did appended to done for the log. 0, or -1 + err. */
static int
apply(struct ctx *c, const struct outbox_row *row, const struct bounce *b, GString *done,
      GError **err)
{
	const char *rcpt = recipient_of(row, b);
	int marked;

	g_string_append(done, done->len > 0 ? "; " : "");
	if (rcpt == NULL) {
		g_string_append_printf(done, "%s is no recipient of it, nothing changed",
		                       b->recipient != NULL ? b->recipient
		                                            : "a recipient not named");
		return 0;
	}
	if (b->kind == BOUNCE_TEMPORARY) {
		g_autofree char *note = g_strdup_printf("delayed: %s", b->diagnostic);

		g_string_append_printf(done, "%s delayed (%s), not counted as a bounce", rcpt,
		                       b->diagnostic);
		return store_outbox_delayed(c->store, row->id, rcpt, note, err);
	}
	if ((marked = store_outbox_bounced(c->store, row->id, rcpt, b->diagnostic, c->notify.now,
	                                   err)) <= 0) {
		if (marked == 0)
			g_string_append_printf(done, "%s bounced before, nothing changed", rcpt);
		return marked;
	}
	g_string_append_printf(done, "%s bounced (%s)", rcpt, b->diagnostic);
	if (page_bounced(c, row, rcpt, b, err) != 0)
		return -1;
	return lists_bounced(&c->notify, rcpt, b->diagnostic, done, err);
}

static int
read_report(struct ctx *c, const struct outbox_row *row, GError **err)
{
	g_autoptr(GPtrArray) verdicts = bounce_parse(c->raw, c->raw_len);
	g_autoptr(GString) done = g_string_new(NULL);

	if (c->x != NULL)
		c->x->incident = row->incident_id;
	if (verdicts->len == 0) {
		intake_decide(c, "ignored", row->incident_id,
		              "mail to the bounce address of outbox message %" G_GINT64_FORMAT
		              " that reports no failed delivery (an automatic reply?); kept with "
		              "no effect",
		              row->id);
		return 0;
	}
	for (guint i = 0; i < verdicts->len; i++)
		if (apply(c, row, verdicts->pdata[i], done, err) != 0)
			return -1;
	intake_decide(c, "bounce", row->incident_id,
	              "delivery report on outbox message %" G_GINT64_FORMAT " (%s): %s", row->id,
	              row->kind, done->str);
	return 0;
}

int
intake_route_bounce(struct ctx *c, gboolean *handled, GError **err)
{
	gboolean bounce_address = FALSE;
	gint64 id = auth_bounce_outbox(c->cfg->secret, c->cfg->address, c->mail->recipients,
	                               &bounce_address);
	struct outbox_row *row = NULL;
	int found, rc;

	*handled = bounce_address;
	if (!bounce_address)
		return 0;
	if (id == 0) {
		intake_decide(c, "ignored", 0,
		              "mail to a bounce address whose signature does not verify (unsigned "
		              "or forged); kept with no effect");
		return 0;
	}
	if ((found = store_outbox_get(c->store, id, &row, err)) <= 0) {
		if (found == 0)
			intake_decide(c, "ignored", 0,
			              "a bounce for outbox message %" G_GINT64_FORMAT
			              ", which does not exist; kept with no effect",
			              id);
		return found;
	}
	rc = read_report(c, row, err);
	outbox_row_free(row);
	return rc;
}
