"""Bounces that count. Every mail sevmail sends leaves from its own signed bounce address;
when a recipient's mail server gives up, the real OpenSMTPD of the mail stack sends its
bounce there, into sevmail's mailbox. The page that bounced shows in `outbox --json` and on
the incident's timeline; an unsigned, forged or replayed bounce changes nothing; a list
subscriber whose mail keeps bouncing is suspended and the list's owner is told.

The stack's domain gone.example.com (mailstack.UNKNOWN_USERS_DOMAIN) takes every
address at SMTP time and then finds nobody by that name: smtpd bounces the mail, as a
mail server does for a person who has left."""

import base64
import email
import email.policy
import hashlib
import hmac
import json
import os
import re
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

from mailstack import UNKNOWN_USERS_DOMAIN
from story import Desk, body_of


def gone(tag, name):
    return "%s-%s@%s" % (name, tag, UNKNOWN_USERS_DOMAIN)


def first_oncall(mailstack, tmp_path, tag, who):
    """A desk whose one on-call responder is `who`; alice stays commander, bob a responder."""
    desk = Desk(mailstack, str(tmp_path / "desk"), tag)
    desk.write_config(**{"responders__" + desk.alice: "commander",
                         "responders__" + desk.bob: "responder",
                         "responders__" + who: "oncall"})
    return desk


def outbox(desk, everything=False):
    args = ["outbox", "--json"] + (["--all"] if everything else [])
    return json.loads(desk.run(*args).stdout)


def recipient(rows, address, kind=None):
    """(row, recipient) of the newest outbox row for address (of kind, when given)."""
    found = None
    for row in rows:
        for r in row["recipients"]:
            if r["address"] == address and (kind is None or row["kind"] == kind):
                found = (row, r)
    assert found is not None, "no outbox row for %s in %r" % (address, rows)
    return found


def bounce_address_of(raw):
    """The address the bounce was delivered to (Delivered-To): sevmail's bounce address."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    return msg["Delivered-To"].strip()


def signature(desk, outbox_id):
    """What the bounce address of outbox message outbox_id carries: the first 80 bits of
    HMAC-SHA256("bounce:ID") under the desk's secret, base32 in lower case."""
    with open(os.path.join(desk.dir, "secret"), "rb") as f:
        secret = f.read().rstrip(b"\n")
    mac = hmac.new(secret, b"bounce:%d" % outbox_id, hashlib.sha256).digest()
    return base64.b32encode(mac[:10]).decode().lower()


def ingest(desk, raw):
    """sevmail ingest of one message; the line it logs about it."""
    return desk.run("ingest", "--no-send", input=raw).stderr.decode()


def with_new_message_id(raw, old_address=None, new_address=None):
    """The same bounce as another message (another Message-ID), to another address."""
    text = raw.decode("utf-8", "replace")
    if old_address is not None:
        text = text.replace(old_address, new_address)
    text = re.sub(r"(?im)^Message-ID:.*$", "Message-ID: %s" % make_msgid(domain="mx.test"),
                  text, count=1)
    return text.encode()


def bounced_events(desk, incident=1):
    return [e for e in desk.show(incident)["events"] if e["kind"] == "bounced"]


def test_a_page_that_bounces_is_marked_and_on_the_timeline(mailstack, unique, tmp_path):
    carol = gone(unique, "carol")
    desk = first_oncall(mailstack, tmp_path, unique, carol)
    desk.run("subscribe", "stakeholders", desk.dave)
    desk.alert()  # critical: SEV 1, carol is paged and dave hears of it
    desk.wait_incoming(1)
    desk.once()

    # every mail leaves from its own signed bounce address; From is the desk's
    [status] = desk.inbox(desk.dave, 1)
    local, domain = desk.address.split("@")
    assert re.fullmatch(r"<%s\+bounce-\d+-[a-z2-7]{16}@%s>" % (re.escape(local), domain),
                        status["Return-Path"]), status["Return-Path"]
    assert parseaddr(status["From"])[1] == desk.address

    # smtpd took the page, found no carol, and sent its bounce back to that address
    desk.wait_incoming(2)
    bounce = desk.stack.fetch_raw(desk.address)[1]
    page_row, page_rcpt = recipient(outbox(desk, everything=True), carol, "page")
    assert page_rcpt["state"] == "sent"
    assert bounce_address_of(bounce) == "%s+bounce-%d-%s@%s" % (
        local, page_row["id"], signature(desk, page_row["id"]), domain)
    before = len(outbox(desk, everything=True))

    desk.once()
    row, rcpt = recipient(outbox(desk), carol, "page")  # listed without --all
    assert row["id"] == page_row["id"] and row["incident"] == 1
    assert rcpt["state"] == "bounced"
    assert rcpt["error"] == "5.1.1 user unknown"
    [event] = bounced_events(desk)
    assert event["detail"] == "Page to %s bounced: 5.1.1 user unknown" % carol
    # nobody is answered (not the mailer daemon, not carol), and the page that reached
    # nobody moves escalation on at once: carol's own step again is passed, the
    # commander is paged, long before ack_timeout
    after = outbox(desk, everything=True)
    assert [(row["kind"], [r["address"] for r in row["recipients"]])
            for row in after[before:]] == [("repage", [desk.alice])]
    steps = [e["detail"] for e in desk.show(1)["events"] if e["kind"] == "escalated"]
    assert len(steps) == 2
    assert "The last page bounced" in steps[0] and "paged nobody" in steps[0]
    assert "paged %s" % desk.alice in steps[1]


def test_unsigned_forged_and_replayed_bounces_change_nothing(mailstack, unique, tmp_path):
    carol = gone(unique, "carol")
    desk = first_oncall(mailstack, tmp_path, unique, carol)
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    desk.wait_incoming(2)
    bounce = desk.stack.fetch_raw(desk.address)[1]
    real = bounce_address_of(bounce)
    row, _ = recipient(outbox(desk, everything=True), carol, "page")
    local, domain = desk.address.split("@")
    unsigned = "%s+bounce-%d@%s" % (local, row["id"], domain)
    forged = "%s+bounce-%d-%s@%s" % (local, row["id"], signature(desk, row["id"] + 1), domain)
    no_such = "%s+bounce-%d-%s@%s" % (local, 999, signature(desk, 999), domain)
    assert real == "%s+bounce-%d-%s@%s" % (local, row["id"], signature(desk, row["id"]), domain)
    for address, why in ((unsigned, "does not verify"), (forged, "does not verify"),
                         (no_such, "does not exist")):
        said = ingest(desk, with_new_message_id(bounce, real, address))
        assert ": ignored: " in said and why in said, said
    _, rcpt = recipient(outbox(desk, everything=True), carol, "page")
    assert rcpt["state"] == "sent" and rcpt["error"] is None
    assert bounced_events(desk) == []

    desk.once()  # the real one
    assert len(bounced_events(desk)) == 1
    before = outbox(desk, everything=True)

    # the same report again, as a mail server that sends it twice would
    said = ingest(desk, with_new_message_id(bounce))
    assert ": bounce INC-1: " in said and "bounced before, nothing changed" in said, said
    assert len(bounced_events(desk)) == 1
    assert outbox(desk, everything=True) == before
    # the very same message is not even read again
    said = ingest(desk, bounce)
    assert ": duplicate: " in said, said


def request(desk, who, to, subject):
    """`who` writes to `to`, an alias of sevmail's mailbox (as the MTA would deliver it)."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = who
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=who.split("@")[1])
    msg.set_content("\n")
    desk.stack.send(msg.as_bytes(), who, [desk.address])


def confirmation_token(desk, to):
    """The token of the newest confirmation queued for `to` (its mail bounces, so the
    test reads it where sevmail keeps it)."""
    raw = desk.value(
        "SELECT o.raw FROM outbox o JOIN outbox_rcpts r ON r.outbox_id = o.id WHERE"
        " o.kind = 'subscription' AND r.address = ? ORDER BY o.id DESC LIMIT 1", (to,))
    return re.search(rb"confirm ([0-9a-f]{24})", raw).group(1).decode()


def test_a_subscriber_who_keeps_bouncing_is_suspended_and_the_owner_told(desk):
    erin = gone(desk.tag, "erin")
    owner = "owner-%s@example.com" % desk.tag
    desk.write_config(list_stakeholders__owner=owner,
                      list_stakeholders__domains="example.com, example.net, "
                      + UNKNOWN_USERS_DOMAIN)
    desk.run("subscribe", "stakeholders", erin)
    for n in (1, 2, 3):
        desk.run("declare", "--severity", "1", "--title", "Checkout down %d" % n)
    desk.once()  # three status mails to dave and erin; erin's come back
    desk.wait_incoming(3)
    said = desk.once().stderr.decode()
    assert "suspended from stakeholders, its owner told" in said, said

    [told] = desk.inbox(owner, 1)
    assert told["Subject"] == "[stakeholders] Subscriber suspended: %s" % erin
    assert "3 permanent bounces in 30 days, the last: 5.1.1 user unknown" in body_of(told)
    members = desk.run("members", "stakeholders").stdout.decode().splitlines()
    assert desk.dave in members
    [line] = [m for m in members if m.startswith(erin)]
    assert " suspended since " in line and "3 permanent bounces" in line
    # a bounce never causes mail to the address that bounced
    assert {kind for kind, _, _ in desk.outbox(erin)} == {"status"}

    # no more list mail to erin
    desk.run("declare", "--severity", "1", "--title", "Checkout down 4")
    row, _ = recipient(outbox(desk, everything=True), desk.dave, "status")
    assert erin not in [r["address"] for r in row["recipients"]]

    # subscribing again, with the double opt-in, lifts the suspension (the confirmation
    # bounces too: erin reads the token in the outbox, as if she had received it)
    req = desk.list_address.replace("@", "-request@")
    request(desk, erin, req, "subscribe")
    desk.wait_incoming(4)
    desk.once()
    request(desk, erin, req, "Re: confirm %s" % confirmation_token(desk, erin))
    desk.wait_incoming(6)  # the confirmation's bounce and the answer
    desk.once()
    assert erin in desk.run("members", "stakeholders").stdout.decode().splitlines()
    desk.run("declare", "--severity", "1", "--title", "Checkout down 5")
    row, _ = recipient(outbox(desk, everything=True), desk.dave, "status")
    assert erin in [r["address"] for r in row["recipients"]]
