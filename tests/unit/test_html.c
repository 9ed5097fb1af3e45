/*
 * HTML replies: mime_html_to_text marks what the clients' markup says is history (quoting
 * elements, Outlook's reply divider) as "> " lines and leaves signature blocks out, so that
 * reply.c cuts HTML-only replies by the rules of plain text. The snippets are the markup
 * the clients write, with an attribution or header block removed where that alone would
 * have saved the day: the markup must suffice. Then mailgun/talon's HTML fixtures.
 */
#include <string.h>

#include "command.h"
#include "mime.h"
#include "reply.h"

struct html_case {
	const char *name;
	const char *html;
	const char *commands; /* "KEYWORD|argument" joined by " ; " */
};

/* The page's command words, as the original under a reply shows them. */
#define PAGE_HTML "INC-1 HighErrorRate api-gateway<br>ACK<br>SEV1, SEV2 or SEV3<br>RESOLVED<br>"

static const struct html_case cases[] = {
    {"gmail-quote-without-attribution",
     "<div dir=\"ltr\">Sev1</div><br><div class=\"gmail_quote gmail_quote_container\">"
     "<blockquote class=\"gmail_quote\">" PAGE_HTML "</blockquote></div>",
     "SEV|1"},
    {"gmail-forward",
     "<div dir=\"ltr\"><div>ack</div><br><div class=\"gmail_quote\"><div "
     "class=\"gmail_attr\">Forwarded:<br></div><br>" PAGE_HTML "</div></div>",
     "ACK|"},
    {"apple-mail-cite",
     "<html><body><div>resolved</div><div><br><blockquote type=\"cite\"><div>" PAGE_HTML
     "</div></blockquote></div></body></html>",
     "RESOLVED|"},
    {"outlook-web-divider",
     "<div>Mitigating</div><hr style=\"display:inline-block;width:98%\" tabindex=\"-1\">"
     "<div id=\"divRplyFwdMsg\" dir=\"ltr\"><b>Sent:</b> Thursday<br></div>"
     "<div class=\"BodyFragment\">" PAGE_HTML "</div>",
     "MITIGATING|"},
    {"new-outlook-appendonsend",
     "<div>SEV2</div><div id=\"appendonsend\"></div><div>" PAGE_HTML "</div>", "SEV|2"},
    {"outlook-desktop-border-top",
     "<div class=WordSection1><p class=MsoNormal>IC me<o:p></o:p></p><div><div "
     "style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in'><p "
     "class=MsoNormal><b>From:</b> Incident Desk<br><b>Sent:</b> Thursday</p></div></div>"
     "<p class=MsoNormal>" PAGE_HTML "</p></div>",
     "IC|me"},
    {"outlook-desktop-german",
     "<p>ack</p><div style=\"border:none; border-top:solid #B5C4DF 1.0pt\"><p><b>Von:</b> "
     "Incident Desk</p></div><p>" PAGE_HTML "</p>",
     "ACK|"},
    {"outlook-desktop-japanese",
     "<p>ack</p><div style=\"border:none;border-top:solid #E1E1E1 1.0pt\"><p><b>差出人:</b> "
     "Incident Desk<br><b>送信日時:</b> 2026年11月26日 15:04</p></div><p>" PAGE_HTML "</p>",
     "ACK|"},
    {"outlook-desktop-korean",
     "<p>ack</p><div style=\"border:none;border-top:solid #E1E1E1 1.0pt\"><p><b>보낸 사람:</b> "
     "Incident Desk<br><b>보낸 날짜:</b> 2026년 11월 26일</p></div><p>" PAGE_HTML "</p>",
     "ACK|"},
    {"hotmail-stop-spelling", "<div>ack</div><hr id=\"stopSpelling\">Subject: x<br>" PAGE_HTML,
     "ACK|"},
    {"thunderbird-cite",
     "<p>SEV3</p><div class=\"moz-cite-prefix\">Incident Desk:<br></div><blockquote "
     "type=\"cite\" cite=\"mid:inc-1.page.1@example.com\">" PAGE_HTML "</blockquote>"
     "<div class=\"moz-signature\">-- <br>RESOLVED</div>",
     "SEV|3"},
    {"yahoo-quoted",
     "<div class=\"ydp1\"><div>ack</div></div><div id=\"ydp2yahoo_quoted_1234\" "
     "class=\"yahoo_quoted\"><div>" PAGE_HTML "</div></div>",
     "ACK|"},
    {"proton-quote-and-signature",
     "<div>resolved</div><div class=\"protonmail_signature_block\"><div>Sent with Proton "
     "Mail secure email.</div></div><div class=\"protonmail_quote\">------- Original "
     "Message -------<br><blockquote class=\"protonmail_quote\">" PAGE_HTML "</blockquote></div>",
     "RESOLVED|"},
    {"gmail-signature-dropped",
     "<div>ack</div><div class=\"gmail_signature\" data-smartmail=\"gmail_signature\">"
     "Fixed<br>Alice</div>",
     "ACK|"},
    {"bottom-posted-after-quote",
     "<blockquote type=\"cite\">" PAGE_HTML "</blockquote><div>IMPACT: EU only</div>",
     "IMPACT|EU only"},
};

static char *commands_of(const char *html);

/*
 * Text a reader does not see is never read: each document shows "ack" and hides a line
 * "RESOLVED" (planted, say, by whoever wrote the mail being answered) another way.
 */
struct hidden_case {
	const char *name;
	const char *html;
};

#define ACK "<div>ack</div>"

static const struct hidden_case hidden_cases[] = {
    {"display-none", ACK "<div style=\"display:none\">RESOLVED</div>"},
    {"display-none-spelling", ACK "<div style=\"COLOR:red ;  Display : NONE !important\">"
                                  "RESOLVED</div>"},
    {"display-none-inherited", ACK "<div style=\"display:none\"><table><tr><td><p><b>RESOLVED"
                                   "</b></p></td></tr></table></div>"},
    {"display-comment-inside", ACK "<div style=\"display:/**/none\">RESOLVED</div>"},
    {"display-comment-around", ACK "<div style=\"/*x*/display/*y*/:/*z*/none\">RESOLVED</div>"},
    {"display-escaped-name", ACK "<div style=\"dis\\70 lay:none\">RESOLVED</div>"},
    {"display-escaped-value", ACK "<div style=\"display:\\6e one\">RESOLVED</div>"},
    {"display-escaped-letter", ACK "<div style=\"d\\isplay:no\\ne\">RESOLVED</div>"},
    {"visibility-hidden", ACK "<p style=\"visibility:hidden\">RESOLVED</p>"},
    {"details-closed", ACK "<details><summary>more</summary><p>RESOLVED</p></details>"},
    {"details-closed-text", ACK "<details><summary>more</summary>RESOLVED</details>"},
    {"visibility-collapse", ACK "<table><tr style=\"visibility: collapse\"><td>RESOLVED</td>"
                                "</tr></table>"},
    {"hidden-attribute", ACK "<div hidden>RESOLVED</div>"},
    {"hidden-attribute-value", ACK "<section hidden=\"until-found\"><p>RESOLVED</p></section>"},
    {"font-size-0", ACK "<span style=\"font-size:0\">RESOLVED</span>"},
    {"font-size-0px", ACK "<p style=\"font-size: 0px\">RESOLVED</p>"},
    {"font-size-half-px", ACK "<p style=\"font-size:0.5px\">RESOLVED</p>"},
    {"font-size-1pt", ACK "<p style=\"font-size:1pt\">RESOLVED</p>"},
    {"font-shorthand-0", ACK "<p style=\"font:0/0 a\">RESOLVED</p>"},
    {"font-size-0-inherited", ACK "<div style=\"font-size:0\"><p><b>RESOLVED</b></p></div>"},
    {"font-size-0-relative-child", ACK "<div style=\"font-size:0\"><span style=\"font-size:"
                                       "150%\">RESOLVED</span><span style=\"font-size:2em\">"
                                       "RESOLVED</span></div>"},
    {"max-height-0-overflow", ACK "<div style=\"max-height:0;overflow:hidden\">RESOLVED</div>"},
    {"height-0-overflow-y", ACK "<div style=\"height:0px; overflow-y:hidden\">RESOLVED</div>"},
    {"line-height-0-overflow", ACK "<div style=\"line-height:0;overflow:hidden\">RESOLVED</div>"},
    {"width-0-height-0", ACK "<div style=\"width:0;height:0\">RESOLVED</div>"},
    {"screen-reader-only", ACK "<span style=\"position:absolute;width:1px;height:1px;"
                               "overflow:hidden;clip:rect(0,0,0,0)\">RESOLVED</span>"},
    {"opacity-0", ACK "<div style=\"opacity:0\">RESOLVED</div>"},
    {"opacity-0-01", ACK "<div style=\"opacity:.01\">RESOLVED</div>"},
    {"opacity-0-percent", ACK "<div style=\"opacity:0%\">RESOLVED</div>"},
    {"mso-hide", ACK "<div style=\"mso-hide:all\">RESOLVED</div>"},
    {"text-indent-off-screen", ACK "<div style=\"text-indent:-9999px\">RESOLVED</div>"},
    {"left-off-screen", ACK "<div style=\"position:absolute;left:-10000px\">RESOLVED</div>"},
    {"scale-0", ACK "<div style=\"transform:scale(0)\">RESOLVED</div>"},
    {"scale-property-0", ACK "<div style=\"scale:1 0\">RESOLVED</div>"},
    {"zoom-hundredth", ACK "<div style=\"zoom:0.01\">RESOLVED</div>"},
    {"zoom-0", ACK "<div style=\"zoom:0\">RESOLVED</div>"},
    {"zoom-percent", ACK "<div style=\"zoom:1%\">RESOLVED</div>"},
    {"filter-opacity-0", ACK "<div style=\"filter:opacity(0)\">RESOLVED</div>"},
    {"filter-opacity-0-percent", ACK "<div style=\"filter:blur(0) opacity(0%)\">RESOLVED</div>"},
    {"clip-path-inset", ACK "<div style=\"clip-path:inset(100%)\">RESOLVED</div>"},
    {"clip-path-inset-half", ACK "<div style=\"clip-path:inset(50% 0)\">RESOLVED</div>"},
    {"clip-path-inset-sides", ACK "<div style=\"clip-path:inset(0 0 100% 0)\">RESOLVED</div>"},
    {"clip-path-circle-0", ACK "<div style=\"clip-path:circle(0)\">RESOLVED</div>"},
    {"clip-path-circle-at", ACK "<div style=\"clip-path:circle(0px at 50% 50%)\">RESOLVED</div>"},
    {"clip-path-ellipse", ACK "<div style=\"clip-path:ellipse(40% 0)\">RESOLVED</div>"},
    {"clip-rect-absolute", ACK "<div style=\"position:absolute;clip:rect(0,0,0,0)\">RESOLVED"
                               "</div>"},
    {"height-0-overflow", ACK "<div style=\"height:0;overflow:hidden\">RESOLVED</div>"},
    {"width-0-overflow", ACK "<div style=\"width:0;overflow:hidden\">RESOLVED</div>"},
    {"line-height-0-font-size-0", ACK "<div style=\"line-height:0;font-size:0\">RESOLVED</div>"},
    {"white-on-white-hex3", ACK "<div style=\"background:#fff\"><span style=\"color:#fff\">"
                                "RESOLVED</span></div>"},
    {"white-on-white-hex6", ACK "<div style=\"background-color:#FFFFFF\"><p style=\"color:"
                                "#ffffff\">RESOLVED</p></div>"},
    {"white-on-white-names", ACK "<div style=\"background-color:White\"><p style=\"color:"
                                 "white\">RESOLVED</p></div>"},
    {"white-on-white-rgb", ACK "<div style=\"background: rgb(255, 255, 255)\"><p style=\""
                               "color:rgb(255 255 255)\">RESOLVED</p></div>"},
    {"white-on-white-hsl", ACK "<p style=\"color:hsl(0, 0%, 100%)\">RESOLVED</p>"},
    {"white-on-white-same-element", ACK "<p style=\"color:#fff;background-color:#fff\">"
                                        "RESOLVED</p>"},
    {"white-on-default-page", ACK "<p style=\"color:#ffffff\">RESOLVED</p>"},
    {"near-white", ACK "<p style=\"color:#fefefe\">RESOLVED</p>"},
    {"whitesmoke-on-white", ACK "<p style=\"color:whitesmoke\">RESOLVED</p>"},
    {"color-inherited", ACK "<div style=\"color:#fff\"><ul><li>RESOLVED</li></ul></div>"},
    {"font-color-on-bgcolor", ACK "<table bgcolor=\"white\"><tr><td><font color=\"#FFFFFF\">"
                                  "RESOLVED</font></td></tr></table>"},
    {"font-color-bare-hex", ACK "<font color=\"ffffff\">RESOLVED</font>"},
    {"black-on-black", ACK "<table bgcolor=\"#000000\"><tr><td><font color=\"#010101\">"
                           "RESOLVED</font></td></tr></table>"},
    {"body-text-attribute", "<body bgcolor=\"#ffffff\" text=\"#ffffff\">RESOLVED"
                            "<div style=\"color:#000\">ack</div></body>"},
    {"transparent", ACK "<p style=\"color:transparent\">RESOLVED</p>"},
    {"rgba-alpha-0", ACK "<p style=\"color:rgba(0,0,0,0)\">RESOLVED</p>"},
    {"hex-alpha-0", ACK "<p style=\"color:#00000000\">RESOLVED</p>"},
    {"sheet-class", "<style>.x { display: none }</style>" ACK "<div class=\"a x\">RESOLVED</div>"},
    {"sheet-id", "<style>div#y{font-size:0px}</style>" ACK "<div id=\"y\">RESOLVED</div>"},
    {"sheet-tag", "<style>em{color:#fff}</style>" ACK "<p><em>RESOLVED</em></p>"},
    {"sheet-descendant", "<style>body .wrap span.h{visibility:hidden}</style>" ACK
                         "<div class=\"wrap\"><span class=\"h\">RESOLVED</span></div>"},
    {"sheet-media",
     "<style>@media screen { .m { display:none } }</style>" ACK "<p class=\"m\">RESOLVED</p>"},
    {"sheet-in-head-comment", "<html><head><style><!-- /* x */ .c{opacity:0} --></style>"
                              "</head><body>" ACK "<p class=c>RESOLVED</p></body></html>"},
    {"sheet-important-beats-inline", "<style>.x{display:none !important}</style>" ACK
                                     "<div class=x style=\"display:block\">RESOLVED</div>"},
    {"sheet-important-tag", "<style>p{visibility:hidden!IMPORTANT}</style><div>ack</div>"
                            "<p style=\"visibility:visible\">RESOLVED</p>"},
    {"media-important-shows-nothing", "<style>@media print{.x{display:block!important}}</style>" ACK
                                      "<div class=x style=\"display:none\">RESOLVED</div>"},
    {"inline-important-first", ACK "<div style=\"display:none!important;display:block\">"
                                   "RESOLVED</div>"},
    {"sheet-attribute", "<style>p[data-x]{display:none}</style>" ACK "<p data-x>RESOLVED</p>"},
    {"sheet-attribute-alone", "<style>[hidden-by]{visibility:hidden}</style>" ACK "<div "
                              "hidden-by=\"me\">RESOLVED</div>"},
    {"sheet-attribute-word", "<style>div[class~=x]{display:none}</style>" ACK "<div class=\"a "
                             "x\">RESOLVED</div>"},
    {"sheet-attribute-value", "<style>body [data-k = \"a b\"] {font-size:0}</style>" ACK
                              "<span data-k=\"A B\">RESOLVED</span>"},
    {"sheet-attribute-prefix", "<style>[title^=re]{opacity:0}</style>" ACK "<p title=\"red\">"
                               "RESOLVED</p>"},
    {"sheet-attribute-important", "<style>[data-x]{display:none!important}</style>" ACK
                                  "<p data-x style=\"display:block\">RESOLVED</p>"},
    {"template", ACK "<template><p>RESOLVED</p></template>"},
    {"script", ACK "<script>document.write('RESOLVED')</script>"},
    {"style-text", ACK "<style>RESOLVED{}</style>"},
    {"head-title", "<html><head><title>RESOLVED</title></head><body>" ACK "</body></html>"},
    {"comment", ACK "<!--\nRESOLVED\n-->"},
};

/* ... while what a reader does see stays, however it is styled. */
static const struct hidden_case visible_cases[] = {
    {"aria-hidden", "<div aria-hidden=\"true\">ack</div>"},
    {"details-open", "<details open><summary>x</summary>ack</details>"},
    {"details-summary", "<details><summary>ack</summary>more</details>"},
    {"white-on-dark", "<div style=\"background:#1a1a1a;color:#fff\">ack</div>"},
    {"white-on-dark-bgcolor", "<table bgcolor=\"#2e2e2e\"><tr><td><font color=white>ack"
                              "</font></td></tr></table>"},
    {"grey-on-white", "<p style=\"color:#999999\">ack</p>"},
    {"white-on-image", "<div style=\"background:url(bg.png) #fff;color:#fff\">ack</div>"},
    {"white-on-gradient", "<div style=\"background-image:linear-gradient(red,blue);"
                          "background:linear-gradient(#000,#333);color:white\">ack</div>"},
    {"unknown-colours", "<p style=\"color:var(--text)\">ack</p>"},
    {"inline-overrides-sheet", "<style>.x{display:none}</style><div class=x "
                               "style=\"display:block\">ack</div>"},
    {"inline-important-beats-sheet", "<style>.x{display:none !important}</style><div "
                                     "class=x style=\"display:block !important\">ack</div>"},
    {"sheet-important-shows", "<style>.x{display:block !important}</style><div class=x>ack"
                              "</div>"},
    {"attribute-colour", "<style>[data-x]{color:red}</style><p data-x>ack</p>"},
    {"attribute-other-value", "<style>p[data-x=a]{display:none}</style><p data-x=b>ack</p>"},
    {"attribute-other-tag", "<style>div[data-x]{display:none}</style><p data-x>ack</p>"},
    {"attribute-absent", "<style>[data-x]{display:none}</style><p data-y>ack</p>"},
    {"attribute-inline-overrides", "<style>[data-x]{display:none}</style><p data-x "
                                   "style=\"display:block\">ack</p>"},
    {"attribute-pseudo-class", "<style>a[href]:hover{display:none}</style><a href=x>ack</a>"},
    {"child-recoloured", "<div style=\"color:#fff\">RESOLVED<span style=\"color:#222\">ack"
                         "</span></div>"},
    /* MJML and other templates: font-size:0 on the wrapper, the size again on each column */
    {"font-size-0-wrapper", "<div style=\"font-size:0px;text-align:left\"><div style=\""
                            "display:inline-block;font-size:13px\">ack</div></div>"},
    {"font-size-0-wrapper-rem", "<td style=\"font-size:0\"><div style=\"font:1rem/1.5 Ubuntu\">"
                                "ack</div></td>"},
    {"small-but-readable", "<p style=\"font-size:9px;line-height:11px;overflow:hidden\">ack</p>"},
    {"pseudo-class-ignored", "<style>p:hover{display:none}</style><p>ack</p>"},
    /* a fuzzer finding: a parenthesis that never closes */
    {"unclosed-background", "<div style=\"background:rgb(9, 9\">ack</div>"},
    {"slash-in-font", "<p style=\"font:13px/1.5 Arial;background:url(a/b.png)\">ack</p>"},
    {"escaped-display-block", "<p style=\"display:\\62 lock\">ack</p>"},
    {"opacity-half", "<p style=\"opacity:0.5\">ack</p>"},
    {"zoom-larger", "<p style=\"zoom:1.2\">ack</p>"},
    {"zoom-normal", "<p style=\"zoom:normal;scale:none\">ack</p>"},
    {"filter-blur", "<p style=\"filter:blur(1px)\">ack</p>"},
    {"filter-opacity-half", "<p style=\"filter:opacity(50%) grayscale(1)\">ack</p>"},
    {"clip-path-inset-small", "<p style=\"clip-path:inset(10% 5%)\">ack</p>"},
    {"clip-path-inset-px", "<p style=\"clip-path:inset(100px 0 0 0)\">ack</p>"},
    {"clip-path-circle", "<p style=\"clip-path:circle(50% at 50% 50%)\">ack</p>"},
    {"scale-one", "<p style=\"scale:1;transform:scale(1.5)\">ack</p>"},
    {"print-media-too", "<style>@media print{.p{color:#000}}</style><p class=p>ack</p>"},
};

static void
test_hidden(gconstpointer data)
{
	const struct hidden_case *c = data;
	g_autofree char *text = mime_html_to_text(c->html, strlen(c->html));
	g_autofree char *commands = commands_of(c->html);

	g_assert_nonnull(strstr(text, "ack"));
	g_assert_null(strstr(text, "RESOLVED"));
	g_assert_cmpstr(commands, ==, "ACK|");
}

static void
test_visible(gconstpointer data)
{
	const struct hidden_case *c = data;
	g_autofree char *commands = commands_of(c->html);

	g_assert_true(g_str_has_suffix(commands, "ACK|"));
}

static char *
commands_of(const char *html)
{
	g_autofree char *text = mime_html_to_text(html, strlen(html));
	g_autofree char *new_text = reply_new_text(text);
	g_autoptr(command_list) l = command_parse(new_text);
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < l->commands->len; i++) {
		const struct command *c = g_ptr_array_index(l->commands, i);

		g_string_append_printf(s, "%s%s|%s", i > 0 ? " ; " : "", c->keyword, c->argument);
	}
	return g_string_free(s, FALSE);
}

static void
test_case(gconstpointer data)
{
	const struct html_case *c = data;
	g_autofree char *got = commands_of(c->html);

	g_assert_cmpstr(got, ==, c->commands);
}

/* The markers themselves: one '>' per quoting level, on every line of the quoted part. */
static void
test_markers(void)
{
	static const char html[] = "<p>top</p><blockquote>one<br>two<blockquote>three</blockquote>"
	                           "four</blockquote><p>after</p>";
	g_autofree char *text = mime_html_to_text(html, strlen(html));

	g_assert_cmpstr(text, ==, "top\n> one\n> two\n>> three\n> four\nafter");
}

/* A styled box in an alert is no divider unless it holds a copied header block, and a
 * blockquote-free alert comes out unchanged. */
static void
test_alert_html_untouched(void)
{
	static const char html[] =
	    "<table><tr><td><div style=\"border-top: solid 1px #ccc; padding-top: 4px\">"
	    "1 alert for alertname=X job=Y</div><div>Labels</div><div>job = Y</div></td></tr>"
	    "</table>";
	g_autofree char *text = mime_html_to_text(html, strlen(html));

	g_assert_cmpstr(text, ==, "1 alert for alertname=X job=Y\nLabels\njob = Y");
}

/* Hostile nesting: thousands of quoting and divider-styled elements cost neither stack nor
 * quadratic time, and the marker run stays short. */
static void
test_deep_nesting(void)
{
	g_autoptr(GString) html = g_string_new(NULL);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	for (int i = 0; i < 5000; i++)
		g_string_append(html, "<blockquote><div style=\"border-top:solid 1px\">From: x");
	text = mime_html_to_text(html->str, html->len);
	g_assert_true(g_str_has_prefix(text, ">> From: x\n>>> From: x\n"));
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l != NULL; l++)
		g_assert_true(g_str_has_prefix(*l, ">") &&
		              strlen(*l) <= strlen(">>>>>>>> From: x"));
}

/* Bytes that are not UTF-8 (a fuzzer finding: libxml2 passed them through) come out
 * replaced, never as invalid UTF-8. */
static void
test_invalid_utf8(void)
{
	static const char html[] = "<div>ack \xD6\x3C/div><blockquote>M\xFCnchen \xC3</blockquote>";
	g_autofree char *text = mime_html_to_text(html, sizeof html - 1);

	g_assert_true(g_utf8_validate(text, -1, NULL));
	g_assert_true(g_str_has_prefix(text, "ack "));
}

/* A body seen again gives the same text from the memo; one that differs in a single byte
 * (same length) or that comes after the memo was filled with others is rendered afresh. */
static void
test_memo(void)
{
	static const char shown[] = "<div>Firing: <b>db-1</b> down</div><p>runbook</p>";
	static const char one_byte[] = "<div>Firing: <b>db-3</b> down</div><p>runbook</p>";
	static const char hidden[] = "<div>Firing: <b>db-2</b> down</div><p hidden>runbook</p>";
	g_autofree char *first = mime_html_to_text(shown, sizeof shown - 1);
	g_autofree char *again = mime_html_to_text(shown, sizeof shown - 1);
	g_autofree char *other = NULL, *later = NULL;
	char *big;

	g_assert_cmpstr(first, ==, "Firing: db-1 down\nrunbook");
	g_assert_cmpstr(again, ==, first);
	g_assert_true(again != first);
	/* one byte apart, the same length */
	g_assert_cmpuint(sizeof one_byte, ==, sizeof shown);
	other = mime_html_to_text(one_byte, sizeof one_byte - 1);
	g_assert_cmpstr(other, ==, "Firing: db-3 down\nrunbook");
	g_clear_pointer(&other, g_free);
	/* an attribute apart: what it hides stays hidden */
	other = mime_html_to_text(hidden, sizeof hidden - 1);
	g_assert_cmpstr(other, ==, "Firing: db-2 down");
	for (int i = 0; i < 20; i++) {
		g_autofree char *html = g_strdup_printf("<p>alert %d</p>", i);
		g_autofree char *want = g_strdup_printf("alert %d", i);
		g_autofree char *text = mime_html_to_text(html, strlen(html));

		g_assert_cmpstr(text, ==, want);
	}
	later = mime_html_to_text(shown, sizeof shown - 1);
	g_assert_cmpstr(later, ==, first);
	/* a body over the memo's bound is rendered each time, the same way */
	big = g_strnfill(70 * 1024, 'x');
	memcpy(big, "<p>", 3);
	for (int i = 0; i < 2; i++) {
		g_autofree char *text = mime_html_to_text(big, strlen(big));

		g_assert_cmpuint(strlen(text), ==, 70 * 1024 - 3);
	}
	g_free(big);
}

/* talon's html_replies: the reply is "Hi. I am fine." / "Thanks," / "Alex". */
static void
test_talon(gconstpointer data)
{
	const char *file = data;
	const char *corpus = g_getenv("SEVMAIL_CORPUS");
	g_autofree char *path =
	    g_build_filename(corpus != NULL ? corpus : "tests/corpus", "..", "corpus-peers",
	                     "talon", "html_replies", file, NULL);
	g_autofree char *html = NULL;
	g_autofree char *body = NULL, *text = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GString) visible = g_string_new(NULL);
	gsize len;

	g_assert_true(g_file_get_contents(path, &html, &len, NULL));
	body = mime_html_to_text(html, len);
	text = reply_new_text(body);
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l != NULL; l++)
		if (**l != '\0')
			g_string_append_printf(visible, "%s%s", visible->len > 0 ? "|" : "", *l);
	g_assert_cmpstr(visible->str, ==, "Hi. I am fine.|Thanks,|Alex");
}

static const char *const talon_files[] = {
    "gmail.html",           "hotmail.html",         "mail_ru.html",
    "ms_outlook_2003.html", "ms_outlook_2007.html", "ms_outlook_2010.html",
    "thunderbird.html",     "windows_mail.html",    "yandex_ru.html",
};

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *name = g_strdup_printf("/html/reply/%s", cases[i].name);

		g_test_add_data_func(name, &cases[i], test_case);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(hidden_cases); i++) {
		g_autofree char *name = g_strdup_printf("/html/hidden/%s", hidden_cases[i].name);

		g_test_add_data_func(name, &hidden_cases[i], test_hidden);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(visible_cases); i++) {
		g_autofree char *name = g_strdup_printf("/html/visible/%s", visible_cases[i].name);

		g_test_add_data_func(name, &visible_cases[i], test_visible);
	}
	g_test_add_func("/html/markers", test_markers);
	g_test_add_func("/html/alert-untouched", test_alert_html_untouched);
	g_test_add_func("/html/deep-nesting", test_deep_nesting);
	g_test_add_func("/html/invalid-utf8", test_invalid_utf8);
	g_test_add_func("/html/memo", test_memo);
	for (gsize i = 0; i < G_N_ELEMENTS(talon_files); i++) {
		g_autofree char *name = g_strdup_printf("/html/talon/%s", talon_files[i]);

		g_test_add_data_func(name, talon_files[i], test_talon);
	}
	return g_test_run();
}
