/*
 * The never-answer rules as mail carries them: raw headers through mime_parse into
 * auth_no_answer. Every marker an autoresponder, a list or a loop leaves is found whatever
 * the case of its name and value; requests not to answer (X-Auto-Response-Suppress) and
 * headers any bulk-capable sender adds (Feedback-ID) are no markers.
 */
#include <string.h>

#include "auth.h"

#define US "incidents@example.com"

struct marker_case {
	const char *name;
	const char *headers; /* added to a person's reply */
	gboolean quiet;      /* must never be answered */
};

static const struct marker_case cases[] = {
    {"plain-reply", "", FALSE},
    {"auto-submitted-no", "Auto-Submitted: no\n", FALSE},
    {"auto-submitted-no-comment", "Auto-Submitted: No (sent by a person)\n", FALSE},
    {"auto-submitted-no-param", "Auto-Submitted: no; reason=test\n", FALSE},
    {"auto-submitted-notification", "Auto-Submitted: notification\n", TRUE},
    {"auto-submitted-upper", "AUTO-SUBMITTED: Auto-Replied\n", TRUE},
    {"auto-submitted-comment-first", "Auto-Submitted: (vacation) auto-replied\n", TRUE},
    {"auto-submitted-param", "Auto-Submitted: auto-generated; owner=x\n", TRUE},
    {"x-autoreply", "X-Autoreply: yes\n", TRUE},
    {"x-autoreply-lower", "x-autoreply: YES\n", TRUE},
    {"x-autorespond", "X-Autorespond: Vacation\n", TRUE},
    {"x-autoreply-from", "X-Autoreply-From: carol@example.com\n", TRUE},
    {"x-mail-autoreply", "X-Mail-Autoreply: yes\n", TRUE},
    {"x-fc-machinegenerated", "X-FC-MachineGenerated: true\n", TRUE},
    {"x-post-messageclass", "X-POST-MessageClass: 9; Autoresponder\n", TRUE},
    {"x-post-messageclass-other", "X-POST-MessageClass: 1; Mail\n", FALSE},
    {"precedence-auto-reply", "Precedence: auto_reply\n", TRUE},
    {"precedence-bulk-upper", "Precedence: BULK\n", TRUE},
    {"precedence-normal", "Precedence: normal\n", FALSE},
    {"x-precedence", "X-Precedence: bulk\n", TRUE},
    {"list-id", "List-Id: Ops team <ops.example.com>\n", TRUE},
    {"list-unsubscribe", "List-Unsubscribe: <mailto:ops-request@example.com?subject=unsub>\n",
     TRUE},
    {"x-loop-upper-name", "X-LOOP: " US "\n", TRUE},
    {"x-loop-upper-value", "X-Loop: INCIDENTS@Example.COM\n", TRUE},
    {"x-loop-second", "X-Loop: ops@example.org\nX-Loop: " US "\n", TRUE},
    {"x-loop-other", "X-Loop: ops@example.org\n", FALSE},
    {"x-auto-response-suppress", "X-Auto-Response-Suppress: All\n", FALSE},
    {"feedback-id", "Feedback-ID: 1:campaign:mailer:example\n", FALSE},
    {"x-autoresponder", "X-Autoresponder: yes\n", TRUE},
    {"x-auto-reply", "X-Auto-Reply: yes\n", TRUE},
    {"x-failed-recipients", "X-Failed-Recipients: carol@example.com\n", TRUE},
    {"auto-submitted-second", "Auto-Submitted: no\nAuto-Submitted: auto-replied\n", TRUE},
    {"return-path-mailer-daemon", "Return-Path: <MAILER-DAEMON@example.com>\n", TRUE},
    {"subject-automatic-reply", "Subject: Automatic reply: [INC-1] HighErrorRate\n", TRUE},
    {"subject-out-of-office", "Subject: Out of Office: [INC-1] HighErrorRate\n", TRUE},
    {"subject-german-ooo", "Subject: Automatische Antwort: [INC-1] HighErrorRate\n", TRUE},
};

static void
test_marker(gconstpointer data)
{
	const struct marker_case *c = data;
	/* a case may bring its own Return-Path or Subject instead of the reply's */
	gboolean own_path = strstr(c->headers, "Return-Path:") != NULL;
	gboolean own_subject = strstr(c->headers, "Subject:") != NULL;
	g_autofree char *raw = g_strdup_printf(
	    "%sFrom: Carol Example <carol@example.com>\n"
	    "To: Incident Desk <" US ">\n"
	    "%s%s"
	    "\n"
	    "ack\n",
	    own_path ? "" : "Return-Path: <carol@example.com>\n",
	    own_subject ? "" : "Subject: Re: [INC-1] HighErrorRate api-gateway\n", c->headers);
	g_autoptr(mail) m = mime_parse(raw, strlen(raw), NULL);
	const char *why;

	g_assert_nonnull(m);
	why = auth_no_answer(m, US);
	if (c->quiet)
		g_assert_nonnull(why);
	else
		g_assert_null(why);
}

/* The first marker found is the one given as the reason. */
static void
test_marker_reason(void)
{
	static const char raw[] = "From: ops@example.org\nTo: " US "\nSubject: digest\n"
	                          "List-Id: <ops.example.org>\nX-Autoreply: yes\n\nbody\n";
	g_autoptr(mail) m = mime_parse(raw, strlen(raw), NULL);

	g_assert_cmpstr(m->auto_marker, ==, "it is mailing-list mail (List-Id)");
	g_assert_cmpstr(auth_no_answer(m, US), ==, m->auto_marker);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *name = g_strdup_printf("/no-answer/%s", cases[i].name);

		g_test_add_data_func(name, &cases[i], test_marker);
	}
	g_test_add_func("/no-answer/reason", test_marker_reason);
	return g_test_run();
}
