/*
 * Cutting replies to their new text: the shapes of sevmail's own corpus replies (bodies as
 * mime.c hands them over; the files themselves are test_corpus.c's), then the clients and
 * languages the corpus does not show, each also read through the command parser. Other
 * projects' reply fixtures are test_reply_peers.c's.
 */
#include <string.h>

#include "command.h"
#include "reply.h"

/* The page as sevmail sent it, after its first line; q is the quote prefix and qb the prefix
 * of a quoted empty line, which clients write differently ("> ", ">"). The page deliberately
 * has command words at line starts. */
#define PAGE_REST(q, qb)                                                                           \
	qb "\n" q "Status:   Investigating (not acknowledged)\n" q "Severity: not assessed\n" q    \
	   "Started:  2026-11-26 14:03 UTC\n" q                                                    \
	   "Source:   alertmanager: [FIRING:1] HighErrorRate api-gateway (production "             \
	   "10.0.3.17:8080 critical)\n" qb "\n" q                                                  \
	   "api-gateway's 5xx ratio is 12.4% (> 5%) over the last 5 minutes.\n" q                  \
	   "Runbook: https://runbooks.example.com/api-gateway/high-error-rate\n" qb "\n" q         \
	   "Reply to this mail with one command per line:\n" q "ACK\n" q "SEV1, SEV2 or SEV3\n" q  \
	   "IMPACT: who is affected and how\n" q "MITIGATING / RESOLVED\n" q                       \
	   "HELP lists all commands\n" qb "\n" q                                                   \
	   "Not acknowledged within 5 minutes: the next on-call is paged.\n"
#define PAGE(q, qb) q "INC-1 HighErrorRate api-gateway\n" PAGE_REST(q, qb)
#define BOM "\xEF\xBB\xBF"
#define NNBSP "\xE2\x80\xAF"
#define OUTLOOK_HEADERS                                                                            \
	"From: Incident Desk <incidents@example.com>\n"                                            \
	"Sent: Thursday, November 26, 2026 3:04:37 PM\n"                                           \
	"To: Alice Example <alice@example.com>; Bob Example <bob@example.com>; Carol "             \
	"Example <carol@example.com>\n"                                                            \
	"Subject: [INC-1] [SEV ?] HighErrorRate api-gateway\n"

struct reply_case {
	const char *name;
	const char *body;
	const char *new_text;
	const char *commands; /* "KEYWORD|argument" joined by " ; ", or NULL: not checked */
	const char *notes;    /* notes joined by " ; ", or NULL: not checked */
};

/* tests/corpus/replies/NAME.eml, bodies as mime.c decodes them (QP, base64, format=flowed,
 * HTML to text); expected results from tests/corpus/README.md and expected.tsv. */
static const struct reply_case corpus_cases[] = {
    {"iphone-ack",
     "Ack\n\nSent from my iPhone\n\n"
     "> On Nov 26, 2026, at 15:04, Incident Desk <incidents@example.com> wrote:\n> \n"
     "> " BOM "INC-1 HighErrorRate api-gateway\n" PAGE_REST("> ", "> "),
     "Ack", "ACK|", ""},
    {"gmail-android-sev1",
     "Sev1\n\nOn Thu, Nov 26, 2026, 3:04" NNBSP
     "PM Incident Desk <incidents@example.com> wrote:\n\n" PAGE("> ", ">") "\n\n",
     "Sev1", "SEV|1", ""},
    {"multi-command-thunderbird",
     "SEV1\nIMPACT: checkout failing for all users\n"
     "NEXT: rolling back api-gateway from 2.42.0 to 2.41.3 in all regions, next update in "
     "30 minutes at the latest\n\nOn 26/11/2026 15:04, Incident Desk wrote:\n" PAGE("> ", ">"),
     "SEV1\nIMPACT: checkout failing for all users\n"
     "NEXT: rolling back api-gateway from 2.42.0 to 2.41.3 in all regions, next update in "
     "30 minutes at the latest",
     "SEV|1 ; IMPACT|checkout failing for all users ; NEXT|rolling back api-gateway from "
     "2.42.0 to 2.41.3 in all regions, next update in 30 minutes at the latest",
     ""},
    {"outlook-ios-mitigating",
     "Mitigating\n\nGet Outlook for iOS<https://aka.example.com/o0ukef>\n"
     "________________________________\n" OUTLOOK_HEADERS "\n" PAGE("", ""),
     "Mitigating", "MITIGATING|", ""},
    /* HTML only: the text is what mime_html_to_text makes of Word's markup */
    {"outlook-desktop-html-update",
     "UPDATE: rolled back api-gateway to 2.41.3, 5xx ratio down to 3.1% and falling\n"
     "Carol\n-----Original Message-----\n" OUTLOOK_HEADERS PAGE("", ""),
     "UPDATE: rolled back api-gateway to 2.41.3, 5xx ratio down to 3.1% and falling\nCarol",
     "UPDATE|rolled back api-gateway to 2.41.3, 5xx ratio down to 3.1% and falling", "Carol"},
    {"samsung-ic-me",
     "IC me\n\n\n\nSent from my Galaxy\n\n\n-------- Original message --------\n"
     "From: Incident Desk <incidents@example.com> \nDate: 26/11/2026  15:04  (GMT+01:00) \n"
     "To: Alice Example <alice@example.com>, Bob Example <bob@example.com>, Carol Example "
     "<carol@example.com> \nSubject: [INC-1] [SEV ?] HighErrorRate api-gateway \n\n" PAGE("", ""),
     "IC me", "IC|me", ""},
    {"german-iphone-next",
     "NEXT: Überwachung der Fehlerquote für 15 Minuten, danach RESOLVED\n\n"
     "Von meinem iPhone gesendet\n\n"
     "> Am 26.11.2026 um 15:04 schrieb Incident Desk <incidents@example.com>:\n> \n"
     "> " BOM "INC-1 HighErrorRate api-gateway\n" PAGE_REST("> ", "> "),
     "NEXT: Überwachung der Fehlerquote für 15 Minuten, danach RESOLVED",
     "NEXT|Überwachung der Fehlerquote für 15 Minuten, danach RESOLVED", ""},
    {"k9-ack-punctuation",
     "ack.\n-- \nSent from my Android device with K-9 Mail. Please excuse my brevity.\n\n"
     "On November 26, 2026 3:04:37 PM GMT+01:00, Incident Desk <incidents@example.com> "
     "wrote:\n" PAGE(">", ">"),
     "ack.", "ACK|", ""},
    {"bottom-posted-mutt",
     "On Thu, Nov 26, 2026 at 02:04:37PM +0000, Incident Desk wrote:\n"
     "> INC-1 HighErrorRate api-gateway\n>\n> Status:   Investigating (not acknowledged)\n"
     "> Severity: not assessed\n[...]\n> Reply to this mail with one command per line:\n"
     "> ACK\n> SEV1, SEV2 or SEV3\n> IMPACT: who is affected and how\n\n"
     "IMPACT: checkout failing for EU users only, US traffic unaffected\n\n"
     "-- \nAlice Example, platform on-call\n",
     "IMPACT: checkout failing for EU users only, US traffic unaffected",
     "IMPACT|checkout failing for EU users only, US traffic unaffected", ""},
    {"resolved-signature-thunderbird", "resolved\n\n-- \nAlice\n", "resolved", "RESOLVED|", ""},
    {"quoted-resolved-applemail",
     "Still seeing a few 502s from the EU edge, keeping an eye on it.\n\n"
     "> On 26 Nov 2026, at 15:42, Incident Desk <incidents@example.com> wrote:\n> \n"
     "> Title: [SEV 2] HighErrorRate api-gateway\n> Status: Resolved\n"
     "> Impact: checkout failing for EU users only, US traffic unaffected\n"
     "> Next Steps: post-mortem to follow\n> \n"
     "> RESOLVED by alice@example.com at 15:41 CET\n> \n"
     "> You receive this because you are subscribed to stakeholders@example.com.\n\n",
     "Still seeing a few 502s from the EU edge, keeping an eye on it.", "",
     "Still seeing a few 502s from the EU edge, keeping an eye on it."},
    /* POSTMORTEM has no command kind in command.h yet, so commands are not checked here. */
    {"gmail-web-postmortem",
     "ROOT CAUSE: api-gateway 2.42.0 lowered the upstream connection pool from 512 to 64 "
     "connections; under peak EU traffic requests queued and timed out with 502/504.\n"
     "ACTION: add a canary stage that compares the 5xx ratio before promoting api-gateway "
     "releases\nACTION: alert on upstream connection pool saturation above 80%\n"
     "POSTMORTEM\nthanks\nAlice\n\nOn Thu, Nov 26, 2026 at 3:41" NNBSP
     "PM Incident Desk <incidents@example.com> wrote:\n\n> INC-1 HighErrorRate api-gateway\n"
     ">\n> Done: RESOLVED (status Mitigating -> Resolved)\n"
     "> Next: reply with ROOT CAUSE: ... and one ACTION: ... line per action item,\n"
     "> then POSTMORTEM to send the post-mortem to the attendees and lists.\n\n",
     "ROOT CAUSE: api-gateway 2.42.0 lowered the upstream connection pool from 512 to 64 "
     "connections; under peak EU traffic requests queued and timed out with 502/504.\n"
     "ACTION: add a canary stage that compares the 5xx ratio before promoting api-gateway "
     "releases\nACTION: alert on upstream connection pool saturation above 80%\n"
     "POSTMORTEM\nthanks\nAlice",
     NULL, NULL},
    {"subject-tag-only-roundcube", "SEV2\n\nEU only, downgrading.\n",
     "SEV2\n\nEU only, downgrading.", "SEV|2", "EU only, downgrading."},
    {"forwarded-gmail",
     "ack\nGot this on my personal address only, forwarding so it is on record.\n\n"
     "---------- Forwarded message ---------\n"
     "From: Incident Desk <incidents@example.com>\nDate: Thu, Nov 26, 2026 at 3:04" NNBSP
     "PM\nSubject: [INC-1] [SEV ?] HighErrorRate api-gateway\n"
     "To: Alice Example <alice@example.com>, Bob Example <bob@example.com>\n\n\n" PAGE("", ""),
     "ack\nGot this on my personal address only, forwarding so it is on record.", "ACK|",
     "Got this on my personal address only, forwarding so it is on record."},
    {"unknown-keyword",
     "Snooze\n\nSent from my iPhone\n\n"
     "> On Nov 26, 2026, at 15:04, Incident Desk <incidents@example.com> wrote:\n> \n"
     "> " BOM "INC-1 HighErrorRate api-gateway\n" PAGE_REST("> ", "> "),
     "Snooze", "SNOOZE|", ""},
    {"declare-sev2-checkout-latency",
     "IMPACT: p99 checkout latency 2.4s, about 8% of card payments time out\n"
     "NEXT: scaling checkout-svc from 6 to 12 replicas, update in 30 minutes\n\n"
     "-- \nAlice Example, platform on-call\n",
     "IMPACT: p99 checkout latency 2.4s, about 8% of card payments time out\n"
     "NEXT: scaling checkout-svc from 6 to 12 replicas, update in 30 minutes",
     "IMPACT|p99 checkout latency 2.4s, about 8% of card payments time out ; "
     "NEXT|scaling checkout-svc from 6 to 12 replicas, update in 30 minutes",
     ""},
    {"spoofed-outsider-mallory", "RESOLVED\n", "RESOLVED", "RESOLVED|", ""},
    {"forged-from-alice", "SEV3\n", "SEV3", "SEV|3", ""},
};

/* Smaller shapes: edge cases of the cutting itself. */
static const struct reply_case edge_cases[] = {
    {"null", NULL, "", NULL, NULL},
    {"empty", "", "", NULL, NULL},
    {"only-quote", "> ACK\n> SEV1\n", "", "", ""},
    {"only-signature", "-- \nAlice\n", "", "", ""},
    {"crlf", "ACK\r\n\r\nOn Thu, Nov 26, 2026 at 3:04 PM Desk <d@example.com> wrote:\r\n> x\r\n",
     "ACK", "ACK|", ""},
    {"bom-and-trailing-blanks", BOM "ack \xC2\xA0\t\n\n\n", "ack", "ACK|", ""},
    {"leading-blank-lines", "\n\n  \nSEV2\n", "SEV2", "SEV|2", ""},
    {"keeps-indentation", "NOTE: steps\n   1. drain\n   2. restart\n",
     "NOTE: steps\n   1. drain\n   2. restart", NULL, NULL},
    {"wrapped-attribution",
     "ack\n\nOn Thu, Nov 26, 2026 at 3:04 PM Incident Desk\n<incidents@example.com>\nwrote:\n\n"
     "> SEV1\n",
     "ack", "ACK|", ""},
    {"french-attribution",
     "RESOLVED\n\nLe jeu. 26 nov. 2026 à 15:04, Incident Desk <incidents@example.com> a écrit "
     ":\n\n> ACK\n",
     "RESOLVED", "RESOLVED|", ""},
    {"spanish-attribution",
     "ack\n\nEl jue, 26 nov 2026 a las 15:04, Incident Desk (<incidents@example.com>) "
     "escribió:\n> SEV1\n",
     "ack", "ACK|", ""},
    {"german-outlook-block",
     "Mitigating\n\nVon: Incident Desk <incidents@example.com>\n"
     "Gesendet: Donnerstag, 26. November 2026 15:04\nAn: Carol Example <carol@example.com>\n"
     "Betreff: [INC-1] HighErrorRate api-gateway\n\nACK\n",
     "Mitigating", "MITIGATING|", ""},
    {"outlook-block-without-separator",
     "SEV2\n\nFrom: Incident Desk <incidents@example.com>\nSent: Thursday 3:04 PM\n"
     "To: Carol\nSubject: [INC-1]\n\nSEV1\n",
     "SEV2", "SEV|2", ""},
    {"greeting-then-inline",
     "Hi,\nOn Thu, Nov 26, 2026 at 3:04 PM Desk <d@example.com> wrote:\n> SEV1\n\nack\n",
     "Hi,\n\nack", "ACK|", "Hi,"},
    {"attribution-sentence-kept", "Here is what the runbook says:\nNOTE: drain first\n",
     "Here is what the runbook says:\nNOTE: drain first", "NOTE|drain first",
     "Here is what the runbook says:"},
    {"html-quote-without-prefix",
     "ack\nOn 26.11.2026 15:04, Incident Desk wrote:\nRESOLVED\nSEV1\n", "ack", "ACK|", ""},
    {"not-a-signature", "ack\nthe fix -- a restart -- worked\n",
     "ack\nthe fix -- a restart -- worked", NULL, NULL},
    {"sent-from-sentence", "ack\n\nSent from my desk, the phone is dead.\n",
     "ack\n\nSent from my desk, the phone is dead.", NULL, NULL},
    {"mobile-boilerplate", "ack\n\nSent from Outlook for Android\n\n> x\n", "ack", "ACK|", ""},
    {"mobile-boilerplate-de", "ack\n\nGesendet von meinem Samsung Galaxy\n", "ack", "ACK|", ""},
    {"signoff-dash-name", "ack\n\n-Alice\n", "ack", "ACK|", ""},
    {"swedish-attribution",
     "ack\n\nDen 26 nov. 2026 kl. 15:04 skrev Incident Desk <incidents@example.com>:\n\n"
     "> SEV1\n",
     "ack", "ACK|", ""},
    {"dutch-attribution",
     "SEV2\n\nOp do 26 nov. 2026 om 15:04 schreef Incident Desk "
     "<incidents@example.com>:\n> RESOLVED\n",
     "SEV2", "SEV|2", ""},
    {"german-gmail-attribution",
     "ack\n\nAm Do., 26. Nov. 2026 um 15:04 Uhr schrieb Incident Desk <\n"
     "incidents@example.com>:\n\n> RESOLVED\n",
     "ack", "ACK|", ""},
    {"french-outlook-block",
     "Résolu\nRESOLVED\n\nDe : Incident Desk <incidents@example.com>\n"
     "Envoyé : jeudi 26 novembre 2026 15:04\nÀ : Carol Example <carol@example.com>\n"
     "Objet : [INC-1] HighErrorRate api-gateway\n\nACK\n",
     "Résolu\nRESOLVED", "RESOLVED|", "Résolu"},
    {"spanish-outlook-block",
     "ack\n\n________________________________\nDe: Incident Desk <incidents@example.com>\n"
     "Enviado: jueves, 26 de noviembre de 2026 15:04\nPara: Carol\nAsunto: [INC-1]\n\n"
     "SEV1\n",
     "ack", "ACK|", ""},
    {"yahoo-iphone",
     "Mitigating\n\nSent from Yahoo Mail for iPhone\n\n\nOn Thursday, "
     "November 26, 2026, 3:04 PM, Incident Desk <incidents@example.com> "
     "wrote:\n\nACK\n",
     "Mitigating", "MITIGATING|", ""},
    {"proton",
     "RESOLVED\n\nSent with Proton Mail secure email.\n\n"
     "On Thursday, November 26th, 2026 at 3:04 PM, Incident Desk "
     "<incidents@example.com> wrote:\n\n> ACK\n",
     "RESOLVED", "RESOLVED|", ""},
    {"samsung-signature", "IC me\n\n\n\nSent from my Samsung Galaxy smartphone.\n", "IC me",
     "IC|me", ""},
    {"samsung-german", "ack\n\nVon meinem Samsung Galaxy Smartphone gesendet.\n", "ack", "ACK|",
     ""},
    {"iphone-swedish", "ack\n\nSkickat från min iPhone\n", "ack", "ACK|", ""},
    {"iphone-dutch", "ack\n\nVerzonden vanaf mijn iPhone\n", "ack", "ACK|", ""},
    {"iphone-spanish", "ack\n\nEnviado desde mi iPhone\n", "ack", "ACK|", ""},
    {"iphone-french", "ack\n\nEnvoyé de mon iPhone\n", "ack", "ACK|", ""},
    {"outlook-android", "ack\n\nGet Outlook for Android<https://aka.example.com/ghei36>\n", "ack",
     "ACK|", ""},
    {"postmortem-meeting",
     "POSTMORTEM MEETING 2026-12-01 15:00 +01:00\n\nOn Thu, Nov 26, 2026 at 3:41 PM "
     "Incident Desk <incidents@example.com> wrote:\n> POSTMORTEM\n",
     "POSTMORTEM MEETING 2026-12-01 15:00 +01:00", "POSTMORTEM|MEETING 2026-12-01 15:00 +01:00",
     ""},
};

/*
 * Outlook's copied header block in each language, with the original below it unquoted, as
 * Outlook (and Exchange turning HTML into text) writes it without a separator line. The
 * original holds the page's command words and a RESOLVED planted at a line start: none may
 * be read.
 */
#define DESK "Incident Desk <incidents@example.com>"
#define CAROL "Carol Example <carol@example.com>"
#define SUBJ "[INC-1] HighErrorRate api-gateway"
#define ORIGINAL PAGE("", "") "RESOLVED\n"
#define BLOCK_CASE(lang, block)                                                                    \
	{                                                                                          \
		"outlook-block-" lang, "ACK\n\n" block "\n" ORIGINAL, "ACK", "ACK|", ""            \
	}
#define NBSP "\xC2\xA0"

static const struct reply_case block_cases[] = {
    BLOCK_CASE("ja", "差出人: " DESK "\n送信日時: 2026年11月26日 15:04\n宛先: " CAROL
                     "\n件名: " SUBJ "\n"),
    BLOCK_CASE("ja-new-outlook", "差出人: " DESK "\n日時: 2026年11月26日木曜日 15:04\n宛先: " CAROL
                                 "\n件名: RE: " SUBJ "\n"),
    BLOCK_CASE("zh-cn", "发件人: " DESK "\n发送时间: 2026年11月26日 15:04\n收件人: " CAROL
                        "\n抄送: dave@example.net\n主题: " SUBJ "\n"),
    BLOCK_CASE("zh-cn-fullwidth-colons",
               "发件人：" DESK "\n发送时间：2026年11月26日 15:04\n收件人：" CAROL "\n主题：" SUBJ
               "\n"),
    BLOCK_CASE("zh-tw",
               "寄件者: " DESK "\n寄件日期: 2026年11月26日 星期四 下午 3:04\n收件者: " CAROL
               "\n主旨: " SUBJ "\n"),
    BLOCK_CASE("ko", "보낸 사람: " DESK
                     "\n보낸 날짜: 2026년 11월 26일 목요일 오후 3:04\n받는 사람: " CAROL
                     "\n참조: dave@example.net\n제목: " SUBJ "\n"),
    BLOCK_CASE("fr-nbsp",
               "De" NBSP ": " DESK "\nEnvoyé" NBSP ": jeudi 26 novembre 2026 15:04\nÀ" NBSP
               ": " CAROL "\nObjet" NBSP ": " SUBJ "\n"),
    BLOCK_CASE("es-enviado-el", "De: " DESK "\nEnviado el: jueves, 26 de noviembre de 2026 15:04\n"
                                "Para: " CAROL "\nAsunto: " SUBJ "\n"),
    BLOCK_CASE("it", "Da: " DESK "\nInviato: giovedì 26 novembre 2026 15:04\nA: " CAROL
                     "\nOggetto: " SUBJ "\n"),
    BLOCK_CASE("pt-br",
               "De: " DESK "\nEnviado: quinta-feira, 26 de novembro de 2026 15:04\nPara: " CAROL
               "\nAssunto: " SUBJ "\n"),
    BLOCK_CASE("pt-pt", "De: " DESK "\nEnviada: 26 de novembro de 2026 15:04\nAssunto: " SUBJ "\n"),
    BLOCK_CASE("nl", "Van: " DESK "\nVerzonden: donderdag 26 november 2026 15:04\nAan: " CAROL
                     "\nOnderwerp: " SUBJ "\n"),
    BLOCK_CASE("ru", "От: " DESK "\nОтправлено: 26 ноября 2026 г. 15:04\nКому: " CAROL
                     "\nКопия: dave@example.net\nТема: " SUBJ "\n"),
    BLOCK_CASE("uk", "Від: " DESK "\nНадіслано: 26 листопада 2026 р. 15:04\nКому: " CAROL
                     "\nТема: " SUBJ "\n"),
    BLOCK_CASE("pl", "Od: " DESK "\nWysłano: czwartek, 26 listopada 2026 15:04\nDo: " CAROL
                     "\nDW: dave@example.net\nTemat: " SUBJ "\n"),
    BLOCK_CASE("cs", "Od: " DESK "\nOdesláno: čtvrtek 26. listopadu 2026 15:04\nKomu: " CAROL
                     "\nPředmět: " SUBJ "\n"),
    BLOCK_CASE("sv", "Från: " DESK "\nSkickat: den 26 november 2026 15:04\nKopia: " CAROL
                     "\nÄmne: " SUBJ "\n"),
    BLOCK_CASE("nb", "Fra: " DESK "\nSendt: torsdag 26. november 2026 15:04\nKopi: " CAROL
                     "\nEmne: " SUBJ "\n"),
    BLOCK_CASE("fi", "Lähettäjä: " DESK "\nLähetetty: torstai 26. marraskuuta 2026 15.04\n"
                     "Vastaanottaja: " CAROL "\nAihe: " SUBJ "\n"),
    BLOCK_CASE("hu", "Feladó: " DESK "\nElküldve: 2026. november 26. 15:04\nCímzett: " CAROL
                     "\nTárgy: " SUBJ "\n"),
    BLOCK_CASE("tr", "Kimden: " DESK "\nGönderildi: 26 Kasım 2026 Perşembe 15:04\nKime: " CAROL
                     "\nKonu: " SUBJ "\n"),
    BLOCK_CASE("el", "Από: " DESK "\nΣτάλθηκε: Πέμπτη, 26 Νοεμβρίου 2026 15:04\nΠρος: " CAROL
                     "\nΘέμα: " SUBJ "\n"),
    /* QQ Mail and Foxmail put a banner above theirs */
    BLOCK_CASE("zh-qq-banner", "------------------ 原始邮件 ------------------\n"),
    BLOCK_CASE("ja-banner", "-----元のメッセージ-----\n"),
    BLOCK_CASE("ko-banner", "-----원본 메시지-----\n"),
    /* phones' signatures and Gmail's attributions in the same languages */
    {"ja-iphone", "ACK\n\niPhoneから送信\n\nRESOLVED\n", "ACK", "ACK|", ""},
    {"zh-iphone", "ACK\n\n发自我的iPhone\n\nRESOLVED\n", "ACK", "ACK|", ""},
    {"zh-tw-iphone", "ACK\n\n從我的 iPhone 傳送\n\nRESOLVED\n", "ACK", "ACK|", ""},
    {"ko-iphone", "ACK\n\niPhone에서 보냄\n\nRESOLVED\n", "ACK", "ACK|", ""},
    {"ja-gmail-attribution", "ACK\n\n2026年11月26日(木) 15:04 " DESK ":\n\n" ORIGINAL, "ACK",
     "ACK|", ""},
    {"ko-gmail-attribution",
     "ACK\n\n2026년 11월 26일 (목) 오후 3:04, " DESK "님이 작성:\n\n" ORIGINAL, "ACK", "ACK|", ""},
    {"ja-apple-mail-attribution", "ACK\n\n2026/11/26 15:04、" DESK "のメール:\n\n" ORIGINAL, "ACK",
     "ACK|", ""},
    /* header words without the sender's label are the reply's own text */
    {"ja-labels-without-sender", "件名: 決済の障害\n宛先: 全員\n日時: 今から\nACK\n",
     "件名: 決済の障害\n宛先: 全員\n日時: 今から\nACK", "ACK|", NULL},
};

static char *
join_commands(const struct command_list *l)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < l->commands->len; i++) {
		const struct command *c = g_ptr_array_index(l->commands, i);

		g_string_append_printf(s, "%s%s|%s", i > 0 ? " ; " : "", c->keyword, c->argument);
	}
	return g_string_free(s, FALSE);
}

static char *
join_notes(const struct command_list *l)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < l->notes->len; i++)
		g_string_append_printf(s, "%s%s", i > 0 ? " ; " : "",
		                       (const char *)g_ptr_array_index(l->notes, i));
	return g_string_free(s, FALSE);
}

static void
test_reply_case(gconstpointer data)
{
	const struct reply_case *c = data;
	g_autofree char *text = reply_new_text(c->body);
	g_autoptr(command_list) l = command_parse(text);
	g_autofree char *commands = join_commands(l);
	g_autofree char *notes = join_notes(l);

	g_assert_cmpstr(text, ==, c->new_text);
	if (c->commands != NULL)
		g_assert_cmpstr(commands, ==, c->commands);
	if (c->notes != NULL)
		g_assert_cmpstr(notes, ==, c->notes);
}

/* Bounded work: a body of a million short lines is read in its first lines only, fast,
 * and a command at its top still counts. */
static void
test_huge_body(void)
{
	g_autoptr(GString) body = g_string_new("ack\n\n");
	g_autofree char *text = NULL;

	for (int i = 0; i < 1000000; i++)
		g_string_append(body, "x\n");
	text = reply_new_text(body->str);
	g_assert_true(g_str_has_prefix(text, "ack\n\nx\nx\n"));
	g_assert_cmpuint(strlen(text), <, 20000);
}

/* The first line of every mail sevmail sends: whatever copied the rest below a reply,
 * unquoted and in any language, nothing below it acts. */
static void
test_reply_marker_cuts_an_unquoted_copy(void)
{
	g_autofree char *t = reply_new_text("Mă uit acum.\n\n"
	                                    "## Reply above this line ##\n\n"
	                                    "HighErrorRate api-gateway\n"
	                                    "  ACK                   you are on it\n"
	                                    "RESOLVED\n");

	g_assert_cmpstr(t, ==, "Mă uit acum.");
}

/* A quoted marker is part of the quote: a bottom-posted answer below it still counts. */
static void
test_quoted_reply_marker_keeps_a_bottom_post(void)
{
	g_autofree char *t = reply_new_text("On Thu, Incident Desk wrote:\n"
	                                    "> ## Reply above this line ##\n"
	                                    "> HighErrorRate api-gateway\n\n"
	                                    "ACK\n");

	g_assert_cmpstr(t, ==, "ACK");
}

static void
test_romanian_outlook_block(void)
{
	g_autofree char *t = reply_new_text("Mă uit acum.\n\n"
	                                    "De la: Incident Desk <incidents@example.com>\n"
	                                    "Trimis: joi, 26 noiembrie 2026 14:03\n"
	                                    "Către: alice@example.com\n"
	                                    "Subiect: [INC-1] [SEV 1] HighErrorRate\n\n"
	                                    "RESOLVED\n");

	g_assert_cmpstr(t, ==, "Mă uit acum.");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(corpus_cases); i++) {
		g_autofree char *name = g_strdup_printf("/reply/corpus/%s", corpus_cases[i].name);

		g_test_add_data_func(name, &corpus_cases[i], test_reply_case);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(edge_cases); i++) {
		g_autofree char *name = g_strdup_printf("/reply/edge/%s", edge_cases[i].name);

		g_test_add_data_func(name, &edge_cases[i], test_reply_case);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(block_cases); i++) {
		g_autofree char *name = g_strdup_printf("/reply/languages/%s", block_cases[i].name);

		g_test_add_data_func(name, &block_cases[i], test_reply_case);
	}
	g_test_add_func("/reply/huge-body", test_huge_body);
	g_test_add_func("/reply/marker-cuts-an-unquoted-copy",
	                test_reply_marker_cuts_an_unquoted_copy);
	g_test_add_func("/reply/quoted-marker-keeps-a-bottom-post",
	                test_quoted_reply_marker_keeps_a_bottom_post);
	g_test_add_func("/reply/romanian-outlook-block", test_romanian_outlook_block);
	return g_test_run();
}
