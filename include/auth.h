/*
 * auth: whether to believe who a mail says it is from, and whether to answer it at all.
 * Reply tokens (HMAC-SHA256 of the incident id under the secret), the signed bounce
 * addresses of outgoing mail, the topmost trusted Authentication-Results, and the
 * never-answer rules of DESIGN.md. Pure.
 */
#ifndef SEVMAIL_AUTH_H
#define SEVMAIL_AUTH_H

#include "mime.h"

/* The reply address for an incident: local+<id>-<token>@domain. Caller frees. */
char *auth_reply_address(const char *secret, const char *address, gint64 incident_id);

/* Looks for a reply token in the recipients (addresses local+<id>-<token>@domain of our
 * address). Returns the incident id of a valid token, 0 when there is none; sets *forged
 * when a token-shaped address is there but does not verify. */
gint64 auth_token_incident(const char *secret, const char *address, GPtrArray *recipients,
                           gboolean *forged);

/* The envelope sender of outbox message outbox_id: local+bounce-<id>-<sig>@domain, sig
 * an HMAC of the id under the secret made apart from reply tokens (a token never passes
 * as a signature, nor a signature as a token), 16 base32 characters. Caller frees. */
char *auth_bounce_address(const char *secret, const char *address, gint64 outbox_id);

/* Looks for our bounce address among the recipients. Returns the outbox id whose
 * signature verifies (compared in constant time), 0 when none does; sets *bounce_address
 * when some recipient is a local+bounce-... address at all (signed, forged or unsigned). */
gint64 auth_bounce_outbox(const char *secret, const char *address, GPtrArray *recipients,
                          gboolean *bounce_address);

/*
 * TRUE when the topmost Authentication-Results from authserv_id says dmarc=pass for the
 * From domain (or dkim=pass aligned with it). Headers from other ids are ignored; a lower
 * header from the trusted id never overrides the topmost one. That header is read by the
 * grammar of RFC 8601 (authres.h): a ';' or "dmarc=pass" inside a quoted value or a
 * comment is data. It passes when
 *   - one resinfo is dmarc=pass with its own header.from equal to the From domain, and no
 *     dmarc resinfo says anything but pass; or
 *   - there is no dmarc resinfo at all, and one resinfo is dkim=pass with its own header.d
 *     equal to the From domain (header.i's part after '@' when it has no header.d).
 * Verdict and domain always come from the same resinfo; a dkim=pass for another domain never
 * counts. Domains compare exactly, ignoring case (no relaxed alignment). A malformed trusted
 * header is no pass.
 */
gboolean auth_dmarc_pass(GPtrArray *auth_results, const char *authserv_id, const char *from_addr);

/* Why this mail must never be answered (auto-submitted, bulk, bounce, our own, loop), or
 * NULL when an answer is allowed. Static storage. */
const char *auth_no_answer(const struct mail *m, const char *address);

#endif
