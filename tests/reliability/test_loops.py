"""Mail loops. The worst auto-responder answers every mail sevmail sends, without
Auto-Submitted or Precedence: over a simulated hour (SEVMAIL_NOW one minute further each
round) sevmail answers it at most 20 times (NOTIFY_ANSWERS_PER_HOUR in include/notify.h).
Bounces and read receipts are never answered."""

from email.utils import parseaddr

import pytest

from helpers import (db, fetch_new, mailbox_count, name, reply, token_address, wait_until)

ANSWER_KINDS = ("confirm", "error", "help")
OUT_OF_OFFICE = ("I am out of the office until Monday, with no access to mail.\n"
                 "For urgent matters call the front desk.")


def sent_to(desk, address):
    """{kind: mails queued for address}"""
    return dict(db(desk).execute(
        "SELECT o.kind, count(*) FROM outbox o JOIN outbox_rcpts r ON r.outbox_id = o.id"
        " WHERE r.address = ? GROUP BY o.kind", (address,)))


def delivered_count(desk, address):
    return db(desk).execute(
        "SELECT count(*) FROM outbox_rcpts WHERE address = ? AND state = 'sent'",
        (address,)).fetchone()[0]


def auto_reply(desk, who, original):
    """What a careless mail client sends back: no Auto-Submitted, no Precedence, a normal
    return path, to the Reply-To."""
    to = parseaddr(original.get("Reply-To") or original["From"])[1]
    return reply(desk, who, OUT_OF_OFFICE, to, subject="Re: " + original["Subject"],
                 in_reply_to=original["Message-ID"])


def simulate(desk, responders, minutes=60, cap=None):
    """Each round: every responder's client answers what arrived since the last round,
    then the clock moves a minute and sevmail makes one pass. Returns the number of
    auto-replies per responder and the minutes simulated (fewer than asked when a
    responder sent more than `cap` auto-replies: a loop that is not stopped)."""
    seen = {who: 0 for who in responders}
    replies = {who: 0 for who in responders}
    for minute in range(minutes):
        if cap is not None and max(replies.values()) > cap:
            return replies, minute
        for who in responders:
            expected = delivered_count(desk, who)
            wait_until(lambda: mailbox_count(desk.stack, who) >= expected,
                       what="%d mails for %s" % (expected, who))
            for uid, msg in fetch_new(desk.stack, who, seen[who]):
                seen[who] = uid
                desk.deliver(auto_reply(desk, who, msg))
                replies[who] += 1
        desk.clock += 60
        desk.once()
    return replies, minutes


def test_an_auto_responder_gets_at_most_20_answers_an_hour(desk, figure):
    desk.clock = 1795701600
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    replies, _ = simulate(desk, [desk.alice])
    kinds = sent_to(desk, desk.alice)
    answers = sum(kinds.get(k, 0) for k in ANSWER_KINDS)
    figure("auto-replies from alice in the hour", replies[desk.alice])
    figure("answers sevmail sent to alice in the hour", answers)
    figure("all mail sevmail sent to alice, by kind", kinds)
    assert replies[desk.alice] > 20  # the loop was really tried
    assert answers <= 20


@pytest.mark.slow
def test_two_auto_responders_on_one_incident_are_not_kept_talking(desk, figure):
    """alice and bob both auto-reply to everything; each auto-reply is a timeline note
    that sevmail relays to the other participant, whose client answers it..."""
    desk.clock = 1795701600
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    # bob takes part (a note of his own), so he is a participant who gets relays
    desk.deliver(reply(desk, desk.bob, "NOTE: looking at it too", token_address(desk, 1),
                       subject="Re: [INC-1] alert"))
    desk.clock += 60
    desk.once()
    replies, minutes = simulate(desk, [desk.alice, desk.bob], cap=100)
    to_alice, to_bob = sent_to(desk, desk.alice), sent_to(desk, desk.bob)
    figure("simulated minutes (stopped early past 100 auto-replies)", minutes)
    figure("auto-replies (alice, bob)", (replies[desk.alice], replies[desk.bob]))
    figure("mail sevmail sent to alice, by kind", to_alice)
    figure("mail sevmail sent to bob, by kind", to_bob)
    for kinds in (to_alice, to_bob):
        # answers are limited; what auto-replies cause in all must be too
        caused = sum(kinds.get(k, 0) for k in ANSWER_KINDS + ("relay",))
        assert caused <= 20, kinds


def bounce(desk, page):
    boundary = "bounce-boundary"
    return ("Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
            "To: %s\r\nSubject: Re: %s\r\nIn-Reply-To: %s\r\nMessage-ID: <bounce-%s@mx>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status;"
            " boundary=\"%s\"\r\n\r\n"
            "--%s\r\nContent-Type: text/plain\r\n\r\nRESOLVED\r\n"
            "--%s\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; %s\r\n"
            "Action: failed\r\nStatus: 5.2.2\r\n\r\n"
            "--%s\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: %s\r\n"
            "Subject: %s\r\n\r\n--%s--\r\n" % (
                token_address(desk, 1), page["Subject"], page["Message-ID"], name(1),
                boundary, boundary, boundary, desk.alice, boundary, page["Message-ID"],
                page["Subject"], boundary)).encode()


def plain_bounce(desk, page):
    return ("Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.example.net\r\nTo: %s\r\n"
            "Subject: failure notice\r\nMessage-ID: <plain-bounce-%s@mx>\r\n"
            "In-Reply-To: %s\r\n\r\nHi. This is the qmail-send program.\r\nRESOLVED\r\n" % (
                token_address(desk, 1), name(2), page["Message-ID"])).encode()


def read_receipt(desk, page):
    boundary = "mdn-boundary"
    return ("Return-Path: <%s>\r\nFrom: %s\r\nTo: %s\r\nSubject: Read: %s\r\n"
            "In-Reply-To: %s\r\nMessage-ID: <mdn-%s@example.com>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=disposition-notification;"
            " boundary=\"%s\"\r\n\r\n"
            "--%s\r\nContent-Type: text/plain\r\n\r\nYour message was displayed.\r\n"
            "--%s\r\nContent-Type: message/disposition-notification\r\n\r\n"
            "Final-Recipient: rfc822; %s\r\nOriginal-Message-ID: %s\r\n"
            "Disposition: manual-action/MDN-sent-manually; displayed\r\n\r\n--%s--\r\n" % (
                desk.alice, desk.alice, token_address(desk, 1), page["Subject"],
                page["Message-ID"], name(3), boundary, boundary, boundary, desk.alice,
                page["Message-ID"], boundary)).encode()


def test_bounces_and_read_receipts_are_never_answered(desk, figure):
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    before = db(desk).execute("SELECT count(*) FROM outbox").fetchone()[0]
    status = desk.show(1)["status"]
    for raw in (bounce(desk, page), plain_bounce(desk, page), read_receipt(desk, page)):
        desk.deliver(raw)
    desk.once()
    rows = db(desk).execute("SELECT route, reason FROM messages WHERE uid > 1 ORDER BY uid"
                            ).fetchall()
    for route, reason in rows:
        figure("route", "%s: %s" % (route, reason))
    assert len(rows) == 3
    assert db(desk).execute("SELECT count(*) FROM outbox").fetchone()[0] == before
    assert desk.show(1)["status"] == status
    assert all(route == "ignored" for route, _ in rows), rows
