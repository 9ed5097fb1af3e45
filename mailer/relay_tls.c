/*
 * relay_tls: the OpenSSL side of relay.c's STARTTLS: a context that checks the chain and
 * the configured host name and sends SNI, and messages that say why a certificate was
 * refused and what to set (private to the relay module, through relay_tls.h).
 */
#include "relay_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* The names a certificate is for (DNS and IP subject alternative names, else the common
 * name), comma-separated, for messages. */
static char *
relay_cert_names(X509 *cert)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	GString *out = g_string_new(NULL);
	char buf[256], ip[INET6_ADDRSTRLEN];
	int i;

	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *n = sk_GENERAL_NAME_value(names, i);
		const ASN1_STRING *v = n->type == GEN_DNS ? n->d.dNSName : n->d.iPAddress;
		int len = ASN1_STRING_length(v);

		if (n->type == GEN_DNS)
			g_string_append_printf(out, "%s%.*s", out->len ? ", " : "", len,
			                       (const char *)ASN1_STRING_get0_data(v));
		else if (n->type == GEN_IPADD && (len == 4 || len == 16) &&
		         inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(v), ip,
		                   sizeof ip) != NULL)
			g_string_append_printf(out, "%s%s", out->len ? ", " : "", ip);
	}
	GENERAL_NAMES_free(names);
	if (out->len == 0 && X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName,
	                                               buf, sizeof buf) > 0)
		g_string_append(out, buf);
	if (out->len == 0)
		g_string_append(out, "no host name at all");
	return g_string_free(out, FALSE);
}

/* The issuer of the last certificate the server sent (RFC 4514), for messages. */
static void
relay_top_issuer(SSL *ssl, char *buf, int size)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	BIO *bio = BIO_new(BIO_s_mem());
	int len = 0;

	if (chain != NULL && sk_X509_num(chain) > 0 && bio != NULL) {
		X509_NAME_print_ex(
		    bio, X509_get_issuer_name(sk_X509_value(chain, sk_X509_num(chain) - 1)), 0,
		    XN_FLAG_RFC2253);
		len = BIO_read(bio, buf, size - 1);
	}
	buf[MAX(len, 0)] = '\0';
	BIO_free(bio);
}

/* Why OpenSSL refused the certificate of the server at `where` (verify code `code`), with
 * what to do. Caller frees. */
char *
relay_tls_untrusted(const struct relay_params *p, const char *where, long code, SSL *ssl)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	const char *ca_file = p->ca_file;
	g_autofree char *names = NULL;
	char issuer[256];

	if (code == X509_V_ERR_HOSTNAME_MISMATCH || code == X509_V_ERR_IP_ADDRESS_MISMATCH) {
		names = cert != NULL ? relay_cert_names(cert) : g_strdup("another host");
		return g_strdup_printf(
		    "TLS certificate of SMTP server %s is for %s, not for %s; set [smtp] "
		    "host to a name it is for",
		    where, names, p->host);
	}
	if (code != X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT &&
	    code != X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN &&
	    code != X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT &&
	    code != X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY &&
	    code != X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE) {
		return g_strdup_printf(
		    "TLS certificate of SMTP server %s is not trusted: %s (OpenSSL verify "
		    "error %ld)",
		    where, X509_verify_cert_error_string(code), code);
	}
	relay_top_issuer(ssl, issuer, sizeof issuer);
	if (ca_file == NULL)
		return g_strdup_printf(
		    "TLS certificate of SMTP server %s is not trusted: its issuer \"%s\" "
		    "is not a trusted CA; if that is your own CA, set [smtp] ca_file to "
		    "its certificate",
		    where, issuer);
	return g_strdup_printf(
	    "TLS certificate of SMTP server %s is not trusted: its issuer \"%s\" "
	    "is not in [smtp] ca_file %s",
	    where, issuer, ca_file);
}

/* libESMTP sends no SNI: OpenSSL calls this as the handshake starts, before it writes
 * the ClientHello, and the name is added then. */
static void
relay_tls_info(const SSL *ssl, int where, int ret)
{
	const char *host = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	if ((where & SSL_CB_HANDSHAKE_START) && host != NULL &&
	    SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) == NULL)
		SSL_set_tlsext_host_name((SSL *)ssl, host);
}

/* Loads the CAs to trust: ca_file (instead of the system's, as with curl --cacert) or
 * the system store (SSL_CERT_FILE / SSL_CERT_DIR override it). */
static char *
relay_tls_cas(SSL_CTX *ctx, const char *ca_file)
{
	char *why = NULL;

	if (ca_file == NULL) {
		if (SSL_CTX_set_default_verify_paths(ctx) != 1)
			why =
			    g_strdup("cannot load the system CA certificates (set [smtp] ca_file)");
	} else if (access(ca_file, R_OK) != 0) {
		why = g_strdup_printf("[smtp] ca_file %s cannot be read: %s", ca_file,
		                      g_strerror(errno));
	} else if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		why = g_strdup_printf("[smtp] ca_file %s holds no PEM certificate", ca_file);
	}
	ERR_clear_error();
	return why;
}

/*
 * A fresh SSL_CTX per session, so a changed ca_file counts from the next message on
 * (libESMTP 1.1.0 takes a reference of its own to it; its own default context must never
 * be used: it is cached for all sessions yet freed with the first one). OpenSSL verifies the host
 * name given in the configuration along with the chain. TLS 1.2 at most: after a TLS 1.3 handshake
 * the server's session tickets make the socket readable, and libESMTP then waits for the EHLO reply
 * before it has sent EHLO, stalling the session for the whole timeout. TLS 1.2 sends its ticket
 * inside the handshake. NULL + *why when TLS cannot be set up.
 */
SSL_CTX *
relay_tls_new(const struct relay_params *p, char **why)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	X509_VERIFY_PARAM *vp;
	gboolean ip = g_hostname_is_ip_address(p->host);

	if (ctx == NULL) {
		*why = g_strdup("cannot set up TLS (OpenSSL)");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	vp = SSL_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if ((*why = relay_tls_cas(ctx, p->ca_file)) == NULL &&
	    (ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, p->host)
	        : X509_VERIFY_PARAM_set1_host(vp, p->host, 0)) != 1)
		*why = g_strdup_printf("cannot check TLS certificates for host %s", p->host);
	if (*why != NULL) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (!ip) {
		SSL_CTX_set_app_data(ctx, (void *)p->host);
		SSL_CTX_set_info_callback(ctx, relay_tls_info);
	}
	return ctx;
}
