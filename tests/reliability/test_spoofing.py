"""Spoofed commands: a responder's address in From is easy to forge, so a command counts
only with a valid reply token or a DMARC pass from our own MX ([security] sender_auth =
token-or-dmarc, authserv_id = mx.example.com). Each forgery below is rejected, leaves a
`rejected` event, and changes nothing. The private stack adds no Authentication-Results,
so the crafted mails carry their own, as the receiving MX would have added them."""

import base64
import hashlib
import hmac

import pytest

from helpers import db, name, reply, secret_of, token, token_address

STATE = ("status", "severity", "commander", "acked_by", "acked_at", "resolved_at", "title",
         "impact", "next_steps")


def state(desk, incident):
    shown = desk.show(incident)
    return {k: shown[k] for k in STATE}, len(shown["events"])


def flipped_token(desk, incident_id, bit=0):
    digest = bytearray(hmac.new(secret_of(desk).encode(), b"incident:%d" % incident_id,
                                hashlib.sha256).digest()[:10])
    digest[bit // 8] ^= 1 << (7 - bit % 8)
    return base64.b32encode(bytes(digest)).decode().lower()


@pytest.fixture
def two_incidents(desk):
    # a fixed clock: no escalation event joins the events counted below, however long
    # the test takes
    desk.clock = 1795701600
    desk.alert()  # INC-1, Alertmanager, SEV1
    desk.wait_incoming(1)
    desk.deliver(desk.monitor_mail("Replica lag on db-%s" % name(1)))  # INC-2
    desk.once()
    pages = desk.inbox(desk.alice, 2)
    page1 = next(p for p in pages if p["Subject"].startswith("[INC-1]"))
    return desk, page1


def forgeries(desk, page1):
    """(label, raw): commands as alice that must not count."""
    subject = "Re: " + page1["Subject"]
    thread = page1["Message-ID"]
    alice = desk.alice
    wrong_domain = "mx.attacker.example"
    return [
        ("token of incident 2 on incident 1's address",
         reply(desk, alice, "RESOLVED", token_address(desk, 1, token(desk, 2)),
               subject=subject, in_reply_to=thread)),
        ("one bit of the token flipped",
         reply(desk, alice, "RESOLVED", token_address(desk, 1, flipped_token(desk, 1, 37)),
               subject=subject, in_reply_to=thread)),
        ("forged Authentication-Results below the real one",
         reply(desk, alice, "RESOLVED", desk.address, subject=subject, in_reply_to=thread,
               headers=[("Authentication-Results", "mx.example.com; dkim=none;"
                         " spf=softfail smtp.mailfrom=example.com;"
                         " dmarc=fail (p=none) header.from=example.com"),
                        ("Received", "from mallory.example.org by mx.example.com"),
                        ("Authentication-Results", "mx.example.com; dkim=pass"
                         " header.d=example.com; dmarc=pass header.from=example.com")])),
        ("Authentication-Results of another authserv-id",
         reply(desk, alice, "RESOLVED", desk.address, subject=subject, in_reply_to=thread,
               headers=[("Authentication-Results", "%s; dkim=pass header.d=example.com;"
                         " dmarc=pass header.from=example.com" % wrong_domain)])),
    ]


def test_forged_commands_are_rejected_and_change_nothing(two_incidents, figure):
    desk, page1 = two_incidents
    for label, raw in forgeries(desk, page1):
        before = {i: state(desk, i) for i in (1, 2)}
        desk.deliver(raw)
        desk.once()
        after = {i: state(desk, i) for i in (1, 2)}
        msgid = raw.split(b"Message-ID: <", 1)[1].split(b">", 1)[0].decode()
        rows = db(desk).execute("SELECT incident_id, kind, detail FROM events"
                                " WHERE message_id = ? OR message_id = ?",
                                (msgid, "<%s>" % msgid)).fetchall()
        figure(label, rows[0][2] if rows else "no event")
        assert [(r[0], r[1]) for r in rows] == [(1, "rejected")], (label, rows)
        assert after[1][0] == before[1][0], label
        assert after[1][1] == before[1][1] + 1, label
        assert after[2] == before[2], label
    assert desk.show(1)["status"] == "triggered"


def test_the_dmarc_path_accepts_a_real_pass(two_incidents):
    """The control: the topmost Authentication-Results from our authserv-id with dmarc=pass
    for the From domain is accepted (so the rejections above are about the forgery)."""
    desk, page1 = two_incidents
    desk.deliver(reply(desk, desk.alice, "ack", desk.address,
                       subject="Re: " + page1["Subject"], in_reply_to=page1["Message-ID"],
                       headers=[("Authentication-Results", "mx.example.com; dkim=pass"
                                 " header.d=example.com; dmarc=pass header.from=example.com")]))
    desk.once()
    shown = desk.show(1)
    assert shown["status"] == "investigating"
    assert shown["acked_by"] == desk.alice


def test_incident_2s_token_in_incident_1s_thread(two_incidents, figure):
    """A reply in incident 1's thread (subject, In-Reply-To) sent to incident 2's token
    address. The token decides which incident a reply is about (DESIGN.md): incident 1
    never changes; what happens to incident 2 is recorded as a figure."""
    desk, page1 = two_incidents
    before1, _ = state(desk, 1)
    before2, _ = state(desk, 2)
    desk.deliver(reply(desk, desk.alice, "RESOLVED", token_address(desk, 2),
                       subject="Re: " + page1["Subject"], in_reply_to=page1["Message-ID"]))
    desk.once()
    assert state(desk, 1)[0] == before1
    after2, _ = state(desk, 2)
    figure("incident 2 after a reply in incident 1's thread with incident 2's token",
           "status %s -> %s" % (before2["status"], after2["status"]))
