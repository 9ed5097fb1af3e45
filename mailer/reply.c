/*
 * reply: cuts a reply body down to what its sender wrote now. Each line is classified once
 * (text, blank, quote, attribution, or a cut marker after which only history, signatures and
 * client boilerplate follow); the new text is then the part above the first marker, or, for
 * a bottom-posted reply, the unquoted text between and below the quote blocks.
 */
#include <string.h>

#include "reply.h"

enum line_kind {
	LINE_TEXT,
	LINE_BLANK,
	LINE_QUOTE,       /* "> ...", also ">..." and " > ..." */
	LINE_ATTRIBUTION, /* "On ... wrote:" and its translations, possibly wrapped */
	LINE_CUT,         /* everything from here down is history, signature or boilerplate */
};

/*
 * Single lines after which nothing new follows. Matched case-insensitively against the line
 * without leading blanks (trailing blanks are already gone).
 */
static const char *const reply_cut_patterns[] = {
    /* the first line of every mail sevmail sends to a person (REPLY_MARKER): whatever
     * client or language quoted the rest, or did not quote it at all, nothing below it is
     * the responder's */
    "^#{2}\\s*reply above this line\\s*#{2}$",
    /* signature delimiter: RFC 3676 "-- " and the bare "--" editors leave */
    "^--$",
    /* Outlook/AOL/Yahoo/Samsung/Gmail history banners and their translations */
    "^-{2,}\\s*(original message|forwarded message|ursprüngliche nachricht|"
    "weitergeleitete nachricht|message d'origine|message original|message transféré|"
    "mensaje original|mensaje reenviado|mensagem original|mensagem encaminhada|"
    "messaggio originale|messaggio inoltrato|oorspronkelijk bericht|doorgestuurd bericht|"
    "originalmeddelande|vidarebefordrat meddelande|oprindelig meddelelse|"
    "opprinnelig melding|alkuperäinen viesti|oryginalna wiadomość|původní zpráva|"
    "исходное сообщение|пересылаемое сообщение|original|原始邮件|原始郵件|元のメッセージ|"
    "원본 메시지)\\s*-{2,}$",
    "^(begin forwarded message|anfang der weitergeleiteten nachricht|"
    "début du message réexpédié|inicio del mensaje reenviado)\\s*:$",
    /* Outlook's separator above its From:/Sent: block, and mailing-list footers */
    "^_{10,}$",
    /* mobile clients' boilerplate: short, the whole line, no sentence punctuation */
    "^sent from my( [\\p{L}\\p{N}'’&-]+){1,4}\\.?$",
    "^sent (from|with|via) (outlook|mail|yahoo mail|gmail|aol|proton ?mail|samsung|"
    "bluemail|spark|airmail|edison mail|fastmail|icloud|thunderbird|k-9 mail|"
    "fairemail|sparrow|blackberry|superhuman|newton|nine|mail for windows)\\b.{0,60}$",
    "^get outlook for (ios|android)\\b.{0,80}$",
    "^(von meinem|gesendet von meinem|gesendet mit|gesendet von|gesendet aus) .{1,50}$",
    "^(envoyé de mon|envoyé depuis mon|envoyé depuis) .{1,40}$",
    "^(enviado desde mi|enviado desde|enviado do meu|enviado do) .{1,40}$",
    "^(inviato da|inviato dal mio) .{1,40}$",
    "^(verzonden vanaf|verzonden met|verstuurd vanaf|verstuurd met) .{1,40}$",
    "^(skickat från|sendt fra|lähetetty|wysłane z) .{1,40}$",
    "^(.{1,30}から送信|发自我的.{1,30}|從我的.{1,30}傳送|.{1,30}에서 보냄)$",
};

/* "On <date>, <name> wrote:" in the languages the peer fixtures and phones use; the verb
 * may be followed by the name (German Apple Mail: "Am ... schrieb Name <addr>:"), and
 * Russian webmail writes "<date> от <name>:". Yandex (and Gmail in Japanese) have no verb
 * at all, only a date, a name and an address. */
static const char reply_attribution_pattern[] =
    "(?<!\\p{L})(wrote|writes|schrieb|a écrit|escribió|ha escrito|escreveu|ha scritto|"
    "scrisse|schreef|skrev|kirjoitti|napisał|napsal|написал|написала|от|έγραψε|yazdı|írta|"
    "写道|寫道|작성|のメール)(?!\\p{L}).{0,200}[:：]$"
    "|^\\d{1,4}\\s*[./年년-]\\s*\\d{1,2}\\s*[./月월-]\\s*\\d{1,4}(?!\\d).{0,200}"
    "<[^<>@\\s]+@[^<>\\s]+>\\s*[:：]$";

/* How a wrapped attribution starts: "On", "Am", "Le", ... or a date ("02.04.2012 14:20 ..."). */
static const char reply_lead_pattern[] = "^((on|am|le|el|il|op|em|den|dne|w dniu|στις|в)\\s|\\d)";

/*
 * The header block Outlook (and webmail forwarding) copies above the original, which then
 * follows unquoted: per language the sender's label, then the labels that may follow it
 * (sent, date, to, cc, subject). A block is three or more such lines, one the sender's;
 * the languages mix freely (Gmail writes "Von:" above "Date:"). A space in a label stands
 * for any run of blanks.
 */
static const struct reply_header_labels {
	const char *from;
	const char *fields;
} reply_header_labels[] = {
    {"from", "sent|date|to|cc|bcc|subject"},                        /* en */
    {"von", "gesendet|datum|an|cc|betreff"},                        /* de */
    {"de", "envoyé|date|à|cc|cci|objet"},                           /* fr */
    {"de", "enviado el|enviado|fecha|para|cc|asunto"},              /* es */
    {"de", "enviada|enviado|data|para|cc|assunto"},                 /* pt */
    {"da", "inviato|data|a|cc|oggetto"},                            /* it */
    {"van", "verzonden|datum|aan|cc|onderwerp"},                    /* nl */
    {"från", "skickat|datum|till|kopia|ämne"},                      /* sv */
    {"fra", "sendt|dato|til|kopi|cc|emne"},                         /* da, nb */
    {"lähettäjä", "lähetetty|päivämäärä|vastaanottaja|kopio|aihe"}, /* fi */
    {"od", "wysłano|data|do|dw|temat"},                             /* pl */
    {"od", "odesláno|datum|komu|kopie|předmět"},                    /* cs */
    {"feladó", "elküldve|dátum|címzett|másolatot kap|tárgy"},       /* hu */
    {"kimden", "gönderildi|tarih|kime|bilgi|konu"},                 /* tr */
    {"από", "στάλθηκε|ημερομηνία|προς|κοιν\\.?|θέμα"},              /* el */
    {"от", "отправлено|дата|кому|копия|тема"},                      /* ru */
    {"від", "надіслано|дата|кому|копія|тема"},                      /* uk */
    {"差出人", "送信日時|日時|日付|宛先|cc|件名"},                  /* ja */
    {"发件人", "发送时间|时间|日期|收件人|抄送|主题"},              /* zh-CN */
    {"寄件者", "寄件日期|傳送時間|日期|收件者|副本|主旨"},          /* zh-TW */
    {"보낸 사람", "보낸 날짜|날짜|받는 사람|참조|제목"},            /* ko */
    {"de la", "trimis|data|către|cc|subiect"},                      /* ro */
    {"от", "изпратено|дата|до|копие|относно"},                      /* bg */
    {"de", "enviat el|enviat|data|per a|a|cc|assumpte"},            /* ca */
    {"dari", "dikirim|tanggal|tarikh|kepada|cc|subjek|perihal"},    /* id, ms */
    {"từ", "đã gửi|ngày|đến|cc|chủ đề"},                            /* vi */
    {"จาก", "ส่ง|วันที่|ถึง|สำเนา|เรื่อง"},                                /* th */
    {"מאת", "נשלח|תאריך|אל|עותק|נושא"},                             /* he */
    {"من", "تاريخ الإرسال|أرسل|التاريخ|إلى|نسخة|الموضوع"},          /* ar */
    {"از", "ارسال شده|تاریخ|به|رونوشت|موضوع"},                      /* fa */
    {"प्रेषक", "भेजा गया|दिनांक|प्रति|प्रतिलिपि|विषय"},                   /* hi */
    {"šalje|pošiljatelj|pošiljatelj|od", "poslano|datum|prima|za|kopija|predmet|zadeva"},
    {"шаље", "послато|датум|прима|копија|тема"},           /* sr */
    {"saatja", "saadetud|kuupäev|adressaat|koopia|teema"}, /* et */
    {"nuo", "išsiųsta|data|kam|kopija|tema"},              /* lt */
    {"no", "nosūtīts|datums|kam|kopija|tēma"},             /* lv */
    {"nork", "noiz bidalia|data|nori|cc|gaia"},            /* eu */
};

/* A top part made only of this is no reply yet: look below the quote too ("Hi," + inline). */
static const char reply_greeting_pattern[] =
    "^(hi|hello|hey|hallo|dear|moin|servus|bonjour|hola|ciao|good (morning|afternoon|evening)|"
    "guten (morgen|tag|abend))\\b[^.!?]{0,40}[,!:]?$";

/* Marks left where a bottom-poster trimmed the quote: "[...]", "<snip>". */
static const char reply_snip_pattern[] =
    "^[\\[<(]\\s*(\\.\\.\\.|…|snip|snipped|schnipp|gekürzt)\\s*[\\]>)]$";

/* A sign-off in the "-Name" style, cut when it is the last line. */
static const char reply_signoff_pattern[] = "^-\\p{Lu}\\p{L}*(\\s+\\p{Lu}[\\p{L}.]*){0,2}$";

/* A decoration line left above a cut ("-----", "====="). */
static const char reply_separator_pattern[] = "^[-_=*~#]{3,}$";

struct reply_regexes {
	GRegex *cut; /* all of reply_cut_patterns as one alternation: one match per line */
	GRegex *attribution, *lead, *header_from, *header_field, *greeting, *snip, *signoff,
	    *separator;
};

static GRegex *
reply_compile(const char *pattern)
{
	GError *err = NULL;
	/* No G_REGEX_OPTIMIZE: PCRE2's JIT writes executable memory, which the hardened unit
	 * forbids (MemoryDenyWriteExecute) and valgrind cannot follow; the patterns only ever
	 * see the first 5000 lines of a reply. */
	GRegex *re = g_regex_new(pattern, G_REGEX_CASELESS, 0, &err);

	/* The patterns are constants: failing to compile them is a bug, not an input error. */
	if (re == NULL)
		g_error("reply: bad pattern %s: %s", pattern, err->message);
	return re;
}

/* One pattern matching where any of patterns matches. */
static GRegex *
reply_compile_any(const char *const *patterns, gsize n)
{
	g_autoptr(GString) any = g_string_new(NULL);

	for (gsize i = 0; i < n; i++)
		g_string_append_printf(any, "%s(?:%s)", i > 0 ? "|" : "", patterns[i]);
	return reply_compile(any->str);
}

/* "^*?(label|...)\\s*:" over the senders' labels of reply_header_labels, or over the others
 * (fields); the colon may be a full-width one. */
static GRegex *
reply_compile_labels(gboolean fields)
{
	g_autoptr(GString) re = g_string_new("^\\*?(");

	for (gsize i = 0; i < G_N_ELEMENTS(reply_header_labels); i++) {
		const struct reply_header_labels *l = &reply_header_labels[i];

		if (i > 0)
			g_string_append_c(re, '|');
		for (const char *p = fields ? l->fields : l->from; *p != '\0'; p++)
			if (*p == ' ')
				g_string_append(re, "\\s+");
			else
				g_string_append_c(re, *p);
	}
	g_string_append(re, ")\\s*[:：]");
	return reply_compile(re->str);
}

/* The patterns, compiled once for the life of the process. */
static const struct reply_regexes *
reply_regexes(void)
{
	static struct reply_regexes r;
	static gsize done;

	if (g_once_init_enter(&done)) {
		r.cut = reply_compile_any(reply_cut_patterns, G_N_ELEMENTS(reply_cut_patterns));
		r.attribution = reply_compile(reply_attribution_pattern);
		r.lead = reply_compile(reply_lead_pattern);
		r.header_from = reply_compile_labels(FALSE);
		r.header_field = reply_compile_labels(TRUE);
		r.greeting = reply_compile(reply_greeting_pattern);
		r.snip = reply_compile(reply_snip_pattern);
		r.signoff = reply_compile(reply_signoff_pattern);
		r.separator = reply_compile(reply_separator_pattern);
		g_once_init_leave(&done, 1);
	}
	return &r;
}

static gboolean
reply_match(const GRegex *re, const char *s)
{
	return g_regex_match(re, s, 0, NULL);
}

/* One line without U+FEFF/U+200B (iOS starts quotes with a BOM) and without trailing
 * blanks, NBSP included. Leading blanks stay: they are the reply's own indentation. */
static char *
reply_clean_line(const char *raw)
{
	GString *s = g_string_new(NULL);
	gsize keep = 0;

	for (const char *p = raw; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c == 0xFEFF || c == 0x200B)
			continue;
		g_string_append_unichar(s, c);
		if (!g_unichar_isspace(c))
			keep = s->len;
	}
	g_string_truncate(s, keep);
	return g_string_free(s, FALSE);
}

/* The line without its leading blanks, for matching. */
static const char *
reply_content(const char *line)
{
	while (*line != '\0' && g_unichar_isspace(g_utf8_get_char(line)))
		line = g_utf8_next_char(line);
	return line;
}

static gboolean
reply_is_cut_line(const char *content)
{
	const struct reply_regexes *r = reply_regexes();

	return reply_match(r->cut, content);
}

gboolean
reply_starts_with_from_label(const char *text)
{
	return text != NULL && g_utf8_validate(text, -1, NULL) &&
	       reply_match(reply_regexes()->header_from, reply_content(text));
}

/* A copied header block: three or more header lines in a row, one of them "From:" (Outlook
 * starts with From:, Hotmail with Date:). */
static gboolean
reply_is_header_block(char **lines, guint i, guint n)
{
	const struct reply_regexes *r = reply_regexes();
	int fields = 0;
	gboolean from = FALSE;

	for (guint j = i; j < n && j < i + 6; j++) {
		const char *content = reply_content(lines[j]);

		if (reply_match(r->header_from, content))
			from = TRUE;
		else if (!reply_match(r->header_field, content))
			break;
		fields++;
	}
	return from && fields >= 3;
}

/* How many lines (1-3) an attribution starting at line i takes, or 0. Clients wrap it, so
 * lines are joined, but a joined attribution must start like one ("On", "Am", a date), or
 * the sentence above "On ... wrote:" would be taken with it. *strong tells whether it is
 * unmistakable even without a quote below it. */
static guint
reply_attribution_at(char **lines, guint i, guint n, gboolean *strong)
{
	const struct reply_regexes *r = reply_regexes();
	const char *first = reply_content(lines[i]);
	gboolean lead = reply_match(r->lead, first);
	g_autoptr(GString) joined = g_string_new(NULL);

	for (guint k = 0; k < 3 && i + k < n; k++) {
		const char *part = reply_content(lines[i + k]);

		if (*part == '\0' || (k > 0 && !lead) || joined->len + strlen(part) > 1000)
			return 0;
		if (k > 0)
			g_string_append_c(joined, ' ');
		g_string_append(joined, part);
		if (!g_str_has_suffix(joined->str, ":") && !g_str_has_suffix(joined->str, "："))
			continue;
		if (reply_match(r->attribution, joined->str)) {
			*strong = lead || strpbrk(joined->str, "@0123456789") != NULL;
			return k + 1;
		}
	}
	return 0;
}

static enum line_kind
reply_classify_one(char **lines, guint i, guint n, guint *span)
{
	const char *content = reply_content(lines[i]);
	gboolean strong = FALSE;

	*span = 1;
	if (*content == '\0')
		return LINE_BLANK;
	if (*content == '>')
		return LINE_QUOTE;
	if (reply_is_cut_line(content) || reply_is_header_block(lines, i, n))
		return LINE_CUT;
	*span = reply_attribution_at(lines, i, n, &strong);
	if (*span == 0) {
		*span = 1;
		return LINE_TEXT;
	}
	/* Only a quote below makes it an attribution; without one it is the header of an
	 * unquoted copy (HTML converted to text) when unmistakable, else just a sentence. */
	for (guint j = i + *span; j < n; j++) {
		const char *next = reply_content(lines[j]);

		if (*next == '\0')
			continue;
		if (*next == '>')
			return LINE_ATTRIBUTION;
		break;
	}
	if (strong)
		return LINE_CUT;
	*span = 1;
	return LINE_TEXT;
}

static enum line_kind *
reply_classify(char **lines, guint n)
{
	enum line_kind *kinds = g_new(enum line_kind, n + 1);

	for (guint i = 0; i < n;) {
		guint span;
		enum line_kind k = reply_classify_one(lines, i, n, &span);

		for (guint j = 0; j < span; j++)
			kinds[i + j] = k;
		i += span;
	}
	return kinds;
}

/* TRUE when the lines before the first quote hold nothing but blanks or a greeting. */
static gboolean
reply_top_is_empty(char **lines, guint end)
{
	const char *only = NULL;

	for (guint i = 0; i < end; i++) {
		const char *content = reply_content(lines[i]);

		if (*content == '\0')
			continue;
		if (only != NULL)
			return FALSE;
		only = content;
	}
	return only == NULL || reply_match(reply_regexes()->greeting, only);
}

static char reply_empty_line[] = "";

/* Appends the unquoted text below the quote blocks of a bottom-posted or inline reply,
 * one blank line between the pieces, up to the first cut. */
static void
reply_collect_below(char **lines, const enum line_kind *kinds, guint from, guint n, GPtrArray *out)
{
	const GRegex *snip = reply_regexes()->snip;
	gboolean gap = TRUE;

	for (guint i = from; i < n && kinds[i] != LINE_CUT; i++) {
		const char *last = out->len > 0 ? g_ptr_array_index(out, out->len - 1) : NULL;

		if (kinds[i] == LINE_QUOTE || kinds[i] == LINE_ATTRIBUTION ||
		    reply_match(snip, reply_content(lines[i]))) {
			gap = TRUE;
			continue;
		}
		if (kinds[i] == LINE_BLANK) {
			if (last != NULL && *last != '\0')
				g_ptr_array_add(out, lines[i]);
			continue;
		}
		if (gap && last != NULL && *last != '\0')
			g_ptr_array_add(out, reply_empty_line);
		g_ptr_array_add(out, lines[i]);
		gap = FALSE;
	}
}

/* Drops what may trail the new text: blank lines, separator lines, a "-Name" sign-off. */
static void
reply_trim_tail(GPtrArray *out)
{
	const struct reply_regexes *r = reply_regexes();

	while (out->len > 0) {
		const char *content = reply_content(g_ptr_array_index(out, out->len - 1));

		if (*content != '\0' && !reply_match(r->separator, content) &&
		    !reply_match(r->signoff, content))
			break;
		g_ptr_array_remove_index(out, out->len - 1);
	}
}

static char *
reply_join(GPtrArray *out)
{
	GString *s = g_string_new(NULL);
	guint i = 0;

	while (i < out->len && *reply_content(g_ptr_array_index(out, i)) == '\0')
		i++;
	for (; i < out->len; i++) {
		g_string_append(s, g_ptr_array_index(out, i));
		if (i + 1 < out->len)
			g_string_append_c(s, '\n');
	}
	return g_string_free(s, FALSE);
}

/*
 * The body's first REPLY_MAX_LINES lines. What a responder writes sits at the top, or under
 * a short quote; further down come only history, forwarded mail and pasted logs. Reading a
 * hostile body of a million short lines would otherwise cost seconds of the one event loop.
 */
#define REPLY_MAX_LINES 5000

/* The first max lines of text, NULL-terminated. By hand rather than g_strsplit, whose
 * strstr reads the whole rest of the text for every line under AddressSanitizer. */
static char **
reply_split(const char *text, guint max, guint *n)
{
	GPtrArray *lines = g_ptr_array_new();
	const char *p = text, *end = text + strlen(text);

	while (lines->len < max) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));

		g_ptr_array_add(lines, g_strndup(p, (gsize)((nl != NULL ? nl : end) - p)));
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	*n = lines->len;
	g_ptr_array_add(lines, NULL);
	return (char **)g_ptr_array_free(lines, FALSE);
}

static char **
reply_lines(const char *body, guint *n)
{
	g_autofree char *valid = g_utf8_make_valid(body != NULL ? body : "", -1);
	char **lines = reply_split(valid, REPLY_MAX_LINES, n);

	for (guint i = 0; i < *n; i++) {
		char *clean = reply_clean_line(lines[i]);

		g_free(lines[i]);
		lines[i] = clean;
	}
	return lines;
}

char *
reply_new_text(const char *body)
{
	guint n, first = 0;
	g_auto(GStrv) lines = reply_lines(body, &n);
	g_autofree enum line_kind *kinds = reply_classify(lines, n);
	g_autoptr(GPtrArray) out = g_ptr_array_new();

	while (first < n && (kinds[first] == LINE_TEXT || kinds[first] == LINE_BLANK))
		g_ptr_array_add(out, lines[first++]);
	if (first < n && kinds[first] != LINE_CUT && reply_top_is_empty(lines, first)) {
		reply_trim_tail(out);
		reply_collect_below(lines, kinds, first, n, out);
	}
	reply_trim_tail(out);
	return reply_join(out);
}
