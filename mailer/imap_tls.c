/*
 * imap_tls: verifying the IMAP server's certificate. libetpan's GnuTLS backend accepts any
 * certificate, so the chain the server presented is checked here with GnuTLS's trust list
 * (system CAs, or [imap] ca_file), and its first certificate against the configured host
 * name. Part of the imap module: libetpan and GnuTLS types stay inside it.
 */
#include "imap_tls.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

/* Certificates of the server's chain looked at; servers send two to four. */
#define IMAP_TLS_CHAIN_MAX 16

/* Called by libetpan before the TLS handshake (implicit TLS and STARTTLS). */
void
imap_tls_setup(struct mailstream_ssl_context *ctx, void *data)
{
	/* SNI, so a server with several certificates presents the right one. */
	if (!g_hostname_is_ip_address(data))
		mailstream_ssl_set_server_name(ctx, data);
}

/* Imports the chain the server presented (its own certificate first) from the DER copies
 * libetpan makes. Returns how many went into crts. */
static guint
imap_tls_chain(mailstream *stream, gnutls_x509_crt_t *crts, guint max)
{
	carray *chain = mailstream_get_certificate_chain(stream);
	guint i, n = 0;

	if (chain == NULL)
		return 0;
	for (i = 0; i < carray_count(chain) && n < max; i++) {
		MMAPString *der = carray_get(chain, i);
		gnutls_datum_t d = {(unsigned char *)der->str, (unsigned int)der->len};

		if (gnutls_x509_crt_init(&crts[n]) < 0)
			break;
		if (gnutls_x509_crt_import(crts[n], &d, GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(crts[n]);
			break;
		}
		n++;
	}
	mailstream_certificate_chain_free(chain);
	return n;
}

/* The CAs a server certificate must lead to: those of ca_file when it is set (instead of
 * the system's, as with curl --cacert), else the system's. Read on every connect, so a
 * renewed file counts at once. NULL and the reason in *why when there are none. */
static gnutls_x509_trust_list_t
imap_tls_trust(const char *ca_file, char **why)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *pem = NULL;
	gnutls_x509_trust_list_t list;
	gsize len = 0;
	int r;

	if (ca_file != NULL && !g_file_get_contents(ca_file, &pem, &len, &e)) {
		*why = g_strdup_printf("[imap] ca_file cannot be read: %s", e->message);
		return NULL;
	}
	if (gnutls_x509_trust_list_init(&list, 0) < 0) {
		*why = g_strdup("out of memory");
		return NULL;
	}
	if (ca_file != NULL) {
		gnutls_datum_t d = {(unsigned char *)pem, (unsigned int)len};

		r = gnutls_x509_trust_list_add_trust_mem(list, &d, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
	} else {
		r = gnutls_x509_trust_list_add_system_trust(list, 0, 0);
	}
	if (r > 0)
		return list;
	gnutls_x509_trust_list_deinit(list, 1);
	if (ca_file != NULL)
		*why = g_strdup_printf("[imap] ca_file %s holds no PEM certificate", ca_file);
	else
		*why = g_strdup("no system CA certificates found (install ca-certificates, or set "
		                "[imap] ca_file)");
	return NULL;
}

/* What people meet most, in the order worth fixing; GnuTLS words the rest. */
static const struct {
	unsigned int flag;
	const char *text;
} imap_tls_reasons[] = {
    {GNUTLS_CERT_REVOKED, "it has been revoked"},
    {GNUTLS_CERT_EXPIRED, "it has expired"},
    {GNUTLS_CERT_NOT_ACTIVATED, "it is not valid yet (is the clock right?)"},
    {GNUTLS_CERT_INSECURE_ALGORITHM, "it is signed with an insecure algorithm"},
    {GNUTLS_CERT_PURPOSE_MISMATCH, "it is not meant for a TLS server"},
};

/* Why the chain was refused, with what to do about it. */
static char *
imap_tls_untrusted(const char *where, const char *ca_file, gnutls_x509_crt_t top,
                   unsigned int status)
{
	gnutls_datum_t issuer = {NULL, 0}, text = {NULL, 0};
	g_autofree char *why = NULL;
	guint i;

	for (i = 0; i < G_N_ELEMENTS(imap_tls_reasons) && why == NULL; i++)
		if (status & imap_tls_reasons[i].flag)
			why = g_strdup(imap_tls_reasons[i].text);
	if (why == NULL && (status & GNUTLS_CERT_SIGNER_NOT_FOUND) &&
	    gnutls_x509_crt_get_issuer_dn3(top, &issuer, 0) >= 0) {
		if (ca_file == NULL)
			why = g_strdup_printf("its issuer \"%s\" is not a trusted CA; if that is "
			                      "your own CA, set [imap] ca_file to its certificate",
			                      (const char *)issuer.data);
		else
			why = g_strdup_printf("its issuer \"%s\" is not in [imap] ca_file %s",
			                      (const char *)issuer.data, ca_file);
		gnutls_free(issuer.data);
	}
	if (why == NULL &&
	    gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) >= 0) {
		why = g_strdup((const char *)text.data);
		gnutls_free(text.data);
	}
	return g_strdup_printf("TLS certificate of IMAP server %s is not trusted: %s", where,
	                       why != NULL ? g_strchomp(why) : "verification failed");
}

/* The names a certificate is for (DNS and IP subject alternative names, else the common
 * name), comma-separated, for messages. */
static char *
imap_tls_names(gnutls_x509_crt_t crt)
{
	GString *out = g_string_new(NULL);
	char buf[256], ip[INET6_ADDRSTRLEN];
	unsigned int i;
	size_t size;
	int type;

	for (i = 0;; i++) {
		size = sizeof buf - 1;
		type = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &size, NULL);
		if (type < 0 && type != GNUTLS_E_SHORT_MEMORY_BUFFER)
			break;
		if (type == GNUTLS_SAN_DNSNAME)
			g_string_append_printf(out, "%s%.*s", out->len ? ", " : "", (int)size, buf);
		else if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16) &&
		         inet_ntop(size == 4 ? AF_INET : AF_INET6, buf, ip, sizeof ip) != NULL)
			g_string_append_printf(out, "%s%s", out->len ? ", " : "", ip);
	}
	size = sizeof buf;
	if (out->len == 0 &&
	    gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size) >= 0)
		g_string_append(out, buf);
	if (out->len == 0)
		g_string_append(out, "no host name at all");
	return g_string_free(out, FALSE);
}

/* libetpan's GnuTLS backend accepts any certificate: before anything is sent, the chain
 * is verified against the trusted CAs (for a TLS server), and the server's own
 * certificate against the configured host name (never a name learnt from DNS). */
int
imap_tls_verify(const char *where, mailstream *stream, const struct imap_params *p, GError **err)
{
	gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
	                                 (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER, 0};
	gnutls_x509_crt_t crts[IMAP_TLS_CHAIN_MAX];
	gnutls_x509_trust_list_t trust = NULL;
	g_autofree char *why = NULL, *names = NULL;
	unsigned int status = 0;
	guint i, n = imap_tls_chain(stream, crts, G_N_ELEMENTS(crts));

	if (n == 0)
		why = g_strdup_printf("IMAP server %s presented no usable TLS certificate", where);
	else
		trust = imap_tls_trust(p->ca_file, &why);
	if (trust != NULL) {
		if (gnutls_x509_trust_list_verify_crt2(trust, crts, n, &purpose, 1, 0, &status,
		                                       NULL) < 0)
			status |= GNUTLS_CERT_INVALID;
		gnutls_x509_trust_list_deinit(trust, 1);
		if (status != 0) {
			why = imap_tls_untrusted(where, p->ca_file, crts[n - 1], status);
		} else if (!gnutls_x509_crt_check_hostname2(crts[0], p->host, 0)) {
			names = imap_tls_names(crts[0]);
			why =
			    g_strdup_printf("TLS certificate of IMAP server %s is for %s, not for "
			                    "%s; set [imap] host to a name it is for",
			                    where, names, p->host);
		}
	} else if (n > 0) {
		g_autofree char *cause = g_steal_pointer(&why);

		why = g_strdup_printf("cannot verify IMAP server %s: %s", where, cause);
	}
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	if (why == NULL)
		return 0;
	g_set_error_literal(err, IMAP_ERROR, IMAP_ERROR_TLS, why);
	return -1;
}
