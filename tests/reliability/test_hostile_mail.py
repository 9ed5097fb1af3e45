"""Hostile and broken mail, generated at test time: 5,000 parts, a 50 MiB attachment (read
by its header under the default max_message_size of 25 MiB, and whole with the limit
raised to 100 MiB), nesting 2,000 deep (tests/corpus/bad), invalid quoted-printable. Each
is stored (or refused with the reason), nothing crashes, the daemon goes on to the next
message; peak memory (this child's own, from wait4) and time per message are measured.
Memory is asserted against generous bounds, time is not asserted."""

import base64
import os
import re
import uuid

import pytest

from helpers import append_many, db, integrity, name, run_measured, scalar
from story import CORPUS, SEVMAIL

MIB = 1024 * 1024
ATTACHMENT = 50 * MIB


def headers(desk, subject, content_type, extra=""):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Thu, 26 Nov 2026 18:15:00 +0000\r\n"
            "Message-ID: <%s@monitoring.example.com>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: %s\r\n%s\r\n" % (desk.monitor, desk.address, subject,
                                             uuid.uuid4().hex, content_type, extra)).encode()


def many_parts(desk, n=5000):
    out = [headers(desk, "Five thousand parts on %s" % name(1),
                   'multipart/mixed; boundary="sep"'), b"preamble\r\n"]
    for i in range(n):
        out.append(b"--sep\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
                   b"part %d of the alert\r\n" % i)
    out.append(b"--sep--\r\n")
    return b"".join(out)


def big_attachment(desk, subject, size=ATTACHMENT):
    data = os.urandom(size)
    return b"".join([
        headers(desk, subject, 'multipart/mixed; boundary="sep"'),
        b"--sep\r\nContent-Type: text/plain\r\n\r\nCore dump of the gateway attached.\r\n",
        b"--sep\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename=\"core\"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n",
        base64.encodebytes(data).replace(b"\n", b"\r\n"),
        b"--sep--\r\n"])


def deep_nesting(desk):
    with open(os.path.join(CORPUS, "bad", "deep-multipart-2000.eml"), "rb") as f:
        raw = f.read()
    head, body = raw.split(b"\n\n", 1)
    keep = [line for line in re.split(rb"\n(?![ \t])", head)
            if not re.match(rb"(?i)(from|to|message-id|subject|delivered-to|return-path):",
                            line)]
    new = headers(desk, "Deeply nested on %s" % name(2),
                  'multipart/mixed; boundary="b0"').replace(b"\r\n", b"\n")
    new = new.replace(b'Content-Type: multipart/mixed; boundary="b0"\n\n', b"")
    return new + b"\n".join(l for l in keep if not l.lower().startswith(
        (b"content-type", b"mime-version", b"date"))) + \
        b'\nContent-Type: multipart/mixed; boundary="b0"\n\n' + body


def invalid_qp(desk):
    body = (b"Disk usage =ZZ critical =4\r\n"
            b"soft break chain =\r\n=\r\n=\r\n"
            b"bad escapes =G1 =\xff =1 = \r\n"
            + b"=E2=82" * 2000 + b"\r\n"      # truncated UTF-8 sequences
            + b"a" * 20000 + b"=\r\n"          # one 20,000 character line
            + b"ends with a lone equals sign =")
    return headers(desk, "Invalid quoted-printable on %s" % name(3),
                   "text/plain; charset=utf-8",
                   "Content-Transfer-Encoding: quoted-printable\r\n") + body


CASES = {
    "5000-parts": (many_parts, 150),
    "deep-nesting-2000": (deep_nesting, 150),
    "invalid-quoted-printable": (invalid_qp, 150),
}


def ingest(desk, path, figure, label):
    env = dict(os.environ)
    code, log, peak, seconds = run_measured([SEVMAIL, "-c", desk.config, "ingest",
                                             "--no-send", path], env=env)
    figure("%s: peak RSS" % label, "%.1f MiB" % peak)
    figure("%s: time" % label, "%.2f s" % seconds)
    figure("%s: outcome" % label, log.strip().splitlines()[-1:] if log.strip() else "-")
    return code, log, peak


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_mail_through_ingest(desk, tmp_path, figure, case):
    make, bound = CASES[case]
    path = str(tmp_path / (case + ".eml"))
    with open(path, "wb") as f:
        f.write(make(desk))
    figure("%s: size" % case, "%d bytes" % os.path.getsize(path))
    code, log, peak = ingest(desk, path, figure, case)
    assert code == 0, log
    assert peak < bound
    conn = db(desk)
    route, reason = conn.execute("SELECT route, reason FROM messages").fetchone()
    assert route and reason
    assert integrity(desk) == "ok"
    # the desk goes on: the next mail is applied as usual
    sentinel = str(tmp_path / "sentinel.eml")
    with open(sentinel, "wb") as f:
        f.write(desk.monitor_mail("After %s on %s" % (case, name(9))))
    desk.run("ingest", "--no-send", sentinel)
    assert "After %s on %s" % (case, name(9)) in [i["title"] for i in desk.incidents()]


@pytest.mark.slow
def test_a_50_mib_attachment_through_ingest(desk, tmp_path, figure):
    path = str(tmp_path / "attachment.eml")
    with open(path, "wb") as f:
        f.write(big_attachment(desk, "Core dump attached on %s" % name(4)))
    size = os.path.getsize(path)
    figure("50 MiB attachment: message size", "%.1f MiB" % (size / MIB))

    # default max_message_size (25 MiB): read by its header
    code, log, peak = ingest(desk, path, figure, "50 MiB attachment, default limit")
    assert code == 0, log
    assert peak < 300
    length, reason = db(desk).execute("SELECT length(raw), reason FROM messages").fetchone()
    assert length < 4096 and "max_message_size" in reason
    assert "Core dump attached on %s" % name(4) in [i["title"] for i in desk.incidents()]

    # max_message_size raised to 100 MiB: read whole (another Message-ID, same content)
    desk.write_config(general__max_message_size=100 * MIB)
    with open(path, "rb") as f:
        raw = f.read()
    raw = re.sub(rb"Message-ID: <[^>]*>", b"Message-ID: <whole-%s@monitoring.example.com>"
                 % uuid.uuid4().hex.encode(), raw, count=1)
    raw = raw.replace(b"Core dump attached on %s" % name(4).encode(),
                      b"Core dump attached on %s" % name(5).encode(), 1)
    with open(path, "wb") as f:
        f.write(raw)
    code, log, peak = ingest(desk, path, figure, "50 MiB attachment, max_message_size 100 MiB")
    assert code == 0, log
    assert peak < 300
    length = scalar(desk, "SELECT max(length(raw)) FROM messages")
    assert length == len(raw)
    assert "Core dump attached on %s" % name(5) in [i["title"] for i in desk.incidents()]
    assert integrity(desk) == "ok"


@pytest.mark.slow
@pytest.mark.parametrize("limit", [None, 100 * MIB], ids=["default-limit", "limit-100MiB"])
def test_hostile_mailbox_under_run(desk, figure, limit):
    """All of it in the IMAP mailbox, then an ordinary alert: one pass stores every message
    and applies the alert after them."""
    if limit:
        desk.write_config(general__max_message_size=limit)
    raws = [many_parts(desk), deep_nesting(desk), invalid_qp(desk),
            big_attachment(desk, "Core dump attached on %s" % name(6)),
            desk.monitor_mail("Ordinary alert after the hostile ones on %s" % name(7))]
    append_many(desk.stack, desk.address, raws)
    code, log, peak, seconds = run_measured([SEVMAIL, "-c", desk.config, "run", "--once"])
    label = "run --once, 5 messages, %s" % ("max_message_size 100 MiB" if limit
                                            else "default max_message_size")
    figure("%s: peak RSS" % label, "%.1f MiB" % peak)
    figure("%s: time" % label, "%.2f s" % seconds)
    assert code == 0, log
    assert peak < 400
    conn = db(desk)
    rows = conn.execute("SELECT uid, route, reason FROM messages ORDER BY uid").fetchall()
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5], rows
    assert conn.execute("SELECT max(last_uid) FROM checkpoints").fetchone()[0] == 5
    titles = [i["title"] for i in desk.incidents()]
    assert "Ordinary alert after the hostile ones on %s" % name(7) in titles
    assert "Core dump attached on %s" % name(6) in titles
    assert integrity(desk) == "ok"
