"""TLS to the mail servers: sevmail trusts a server only when its certificate leads to a
trusted CA (the system's, or [imap]/[smtp] ca_file) and is for the configured host name.

The IMAP side runs against the private Dovecot with TLS (see MailStack(tls=True)): it
presents a certificate for localhost to clients that ask for localhost by SNI, and one for
imap.wrong.test to everyone else, both from a private test CA that no system trusts.

OpenSMTPD 6.8 on Debian 12 cannot do TLS with OpenSSL 3, so the SMTP side runs against a
small STARTTLS server in this file (SmtpSink) with the same certificates and SNI rule; it
keeps what it receives instead of delivering it.
"""

import os
import shutil
import socketserver
import ssl
import sys
import tempfile
import threading

import pytest

from mailstack import TLS_HOST, TLS_WRONG_HOST, MailStack, make_test_ca
from story import Desk

SECURITY_PORTS = {"tls": "imaps_port", "starttls": "imap_port"}


@pytest.fixture(scope="module")
def tls_stack(request):
    base = tempfile.mkdtemp(prefix="sevmail-tls-", dir="/tmp")
    os.chmod(base, 0o755)
    stack = MailStack(base, tls=True)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
        if request.session.testsfailed:
            sys.stderr.write("\nTLS mail stack left in %s\n" % base)
        else:
            shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def desk(tls_stack, unique, tmp_path):
    return Desk(tls_stack, str(tmp_path / "desk"), unique)


def imap_over(desk, security, host=TLS_HOST, ca_file=None):
    """Point the desk's IMAP at the TLS stack; SMTP stays plain on 127.0.0.1."""
    port = getattr(desk.stack, SECURITY_PORTS[security])
    desk.write_config(imap__security=security, imap__port=port, imap__host=host,
                      imap__ca_file=ca_file)
    return "%s:%d" % (host, port)


def alert_waiting(desk):
    desk.alert()
    desk.wait_incoming(1)


def refused(desk):
    proc = desk.run("run", "--once", check=False)
    err = proc.stderr.decode(errors="replace")
    assert proc.returncode == 1, err
    assert desk.incidents() == [], "nothing is read from an untrusted server"
    return err


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_a_private_ca_is_not_trusted_without_ca_file(desk, security):
    alert_waiting(desk)
    where = imap_over(desk, security)
    err = refused(desk)
    assert "TLS certificate of IMAP server %s is not trusted" % where in err
    assert "sevmail test CA" in err and "set [imap] ca_file" in err


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_with_ca_file_the_alert_is_read_and_oncall_paged(desk, security):
    alert_waiting(desk)
    imap_over(desk, security, ca_file=desk.stack.ca_file)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    assert page["Subject"].startswith("[INC-1]")
    assert desk.show(1)["status"] == "triggered"


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_a_certificate_for_another_name_is_refused(desk, security):
    # 127.0.0.1 is no name to ask for by SNI, so Dovecot presents its other certificate,
    # from the trusted CA but for imap.wrong.test.
    alert_waiting(desk)
    where = imap_over(desk, security, host="127.0.0.1", ca_file=desk.stack.ca_file)
    err = refused(desk)
    assert ("TLS certificate of IMAP server %s is for %s, not for 127.0.0.1"
            % (where, TLS_WRONG_HOST)) in err


def test_ca_file_replaces_the_trusted_cas(desk, tmp_path):
    other_ca = make_test_ca(str(tmp_path / "other-ca"), names=())
    alert_waiting(desk)
    imap_over(desk, "tls", ca_file=other_ca)
    err = refused(desk)
    assert "is not in [imap] ca_file %s" % other_ca in err


def test_an_unreadable_ca_file_is_named(desk, tmp_path):
    missing = str(tmp_path / "no-such-ca.pem")
    imap_over(desk, "starttls", ca_file=missing)
    err = refused(desk)
    assert "[imap] ca_file cannot be read" in err and missing in err


# ---------------------------------------------------------------- SMTP over STARTTLS


class _SmtpSession(socketserver.StreamRequestHandler):
    """Just enough ESMTP for libESMTP: EHLO, STARTTLS, MAIL, RCPT, DATA, QUIT."""

    def reply(self, code, *texts):
        last = len(texts) - 1
        self.wfile.write("".join("%s%s%s\r\n" % (code, "-" if i < last else " ", text)
                                 for i, text in enumerate(texts)).encode())

    def starttls(self):
        self.reply("220", "2.0.0 ready to start TLS")
        self.request = self.server.context.wrap_socket(self.request, server_side=True)
        self.rfile = self.request.makefile("rb")
        self.wfile = self.request.makefile("wb", buffering=0)

    def handle(self):
        try:
            self.converse()
        except (OSError, ssl.SSLError):
            pass  # a client that refuses our certificate just hangs up

    def converse(self):
        tls, sender, rcpts = False, None, []
        self.reply("220", "sink ESMTP")
        while True:
            line = self.rfile.readline()  # a new file after STARTTLS
            if not line:
                return
            verb = line[:4].decode("ascii", "replace").upper()
            if verb == "EHLO":
                self.reply("250", "sink", "8BITMIME", *([] if tls else ["STARTTLS"]))
            elif verb == "STAR" and not tls:
                self.starttls()
                tls = True
            elif not tls and verb in ("MAIL", "RCPT", "DATA", "AUTH"):
                self.reply("530", "5.7.0 must issue STARTTLS first")
            elif verb == "MAIL":
                sender, rcpts = line[10:].strip(b"<> \r\n").decode(), []
                self.reply("250", "2.1.0 ok")
            elif verb == "RCPT":
                rcpts.append(line[8:].strip(b"<> \r\n").decode())
                self.reply("250", "2.1.5 ok")
            elif verb == "DATA":
                self.reply("354", "go ahead")
                body = b"".join(iter(self.rfile.readline, b".\r\n"))
                self.server.messages.append((sender, rcpts, body))
                self.reply("250", "2.0.0 kept")
            elif verb == "QUIT":
                self.reply("221", "2.0.0 bye")
                return
            elif verb in ("RSET", "NOOP"):
                self.reply("250", "2.0.0 ok")
            else:
                self.reply("502", "5.5.2 not here")


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, tls_dir):
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.port = self.server_address[1]
        self.messages = []
        self.server_names = []
        self.context = self._context(tls_dir, TLS_WRONG_HOST)
        by_name = self._context(tls_dir, TLS_HOST)

        def pick(sslobj, name, _ctx):
            self.server_names.append(name)
            if name == TLS_HOST:
                sslobj.context = by_name

        self.context.sni_callback = pick

    @staticmethod
    def _context(tls_dir, name):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(tls_dir, name + ".pem"),
                            os.path.join(tls_dir, name + ".key"))
        return ctx


@pytest.fixture
def smtp_sink(tls_stack):
    sink = SmtpSink(tls_stack.tls_dir)
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        sink.shutdown()
        sink.server_close()
        thread.join(timeout=10)


def smtp_over_starttls(desk, sink, host=TLS_HOST, ca_file=None):
    desk.write_config(smtp__security="starttls", smtp__host=host, smtp__port=sink.port,
                      smtp__ca_file=ca_file)
    return "%s:%d" % (host, sink.port)


def test_smtp_with_ca_file_sends_the_pages_and_names_the_server(desk, smtp_sink):
    desk.alert()
    desk.wait_incoming(1)  # INC-1 is this one, whatever order the MTA delivers in
    desk.alert("grafana-firing.eml")
    desk.wait_incoming(2)
    smtp_over_starttls(desk, smtp_sink, ca_file=desk.stack.ca_file)
    desk.once()
    # One SMTP session per message, each verified on its own.
    assert [(rcpts, body.split(b"Subject: ")[1][:7]) for _s, rcpts, body in smtp_sink.messages] \
        == [([desk.alice], b"[INC-1]"), ([desk.alice], b"[INC-2]")]
    assert smtp_sink.server_names == [TLS_HOST] * 2, "SNI carries the configured host"


def test_smtp_without_ca_file_keeps_the_page_queued(desk, smtp_sink):
    alert_waiting(desk)
    where = smtp_over_starttls(desk, smtp_sink)
    err = desk.once().stderr.decode(errors="replace")
    assert smtp_sink.messages == []
    assert "TLS certificate of SMTP server %s is not trusted" % where in err
    assert "sevmail test CA" in err and "set [smtp] ca_file" in err
    assert desk.show(1)["status"] == "triggered", "the incident is there, its page waits"


def test_smtp_certificate_for_another_name_is_refused(desk, smtp_sink):
    alert_waiting(desk)
    where = smtp_over_starttls(desk, smtp_sink, host="127.0.0.1", ca_file=desk.stack.ca_file)
    err = desk.once().stderr.decode(errors="replace")
    assert smtp_sink.messages == []
    assert ("TLS certificate of SMTP server %s is for %s, not for 127.0.0.1"
            % (where, TLS_WRONG_HOST)) in err
