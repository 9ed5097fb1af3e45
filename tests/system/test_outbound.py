"""Outbound mail people trust: subscriptions by mail, threading, an SMTP outage, a
recipient refused for good, a hostile alert subject, and a large list in batches."""

import email
import email.policy
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

from faultproxy import FaultProxy
from story import body_of


def request(desk, who, to, subject, in_reply_to=None):
    """`who` writes to `to` (an alias of sevmail's mailbox, as the MTA would deliver it)."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = who
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=who.split("@")[1])
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    msg.set_content("\n")
    desk.stack.send(msg.as_bytes(), who, [desk.address])


def declare_sev1(desk):
    # the alert is read only once it is in the mailbox, after what is there already
    waiting = len(desk.stack.fetch_raw(desk.address))
    desk.alert()
    desk.wait_incoming(waiting + 1)
    desk.once()
    return desk.inbox(desk.alice, 1)[0]


def test_subscribe_confirm_receive_and_unsubscribe_by_mail(desk):
    carol = "carol-%s@example.net" % desk.tag
    req = desk.list_address.replace("@", "-request@")
    request(desk, carol, req, "subscribe")
    desk.wait_incoming(1)
    desk.once()
    [confirm] = desk.inbox(carol, 1)
    assert confirm["Subject"].startswith("confirm ")
    assert parseaddr(confirm["Reply-To"])[1] == req
    assert desk.run("members", "stakeholders").stdout.decode().split() == [desk.dave]

    request(desk, carol, req, "Re: " + confirm["Subject"], confirm["Message-ID"])
    desk.wait_incoming(2)
    desk.once()
    welcome = desk.inbox(carol, 2)[1]
    assert "now subscribed" in body_of(welcome)
    assert carol in desk.run("members", "stakeholders").stdout.decode().split()

    declare_sev1(desk)  # severity 1 from the alert: the list hears of it
    status = desk.inbox(carol, 3)[2]
    assert status["List-Id"].startswith("stakeholders")
    assert "unsubscribe" in status["List-Unsubscribe"]

    # leaving, through the List-Unsubscribe address, with one reply to confirm
    target = status["List-Unsubscribe"].strip("<>").split(":", 1)[1].split("?")[0]
    request(desk, carol, target, "unsubscribe")
    desk.wait_incoming(4)
    desk.once()
    confirm = desk.inbox(carol, 4)[3]
    request(desk, carol, req, "Re: " + confirm["Subject"])
    desk.wait_incoming(5)
    desk.once()
    assert "no longer subscribed" in body_of(desk.inbox(carol, 5)[4])
    assert carol not in desk.run("members", "stakeholders").stdout.decode().split()


def test_plus_address_and_refusals(desk):
    mallory = desk.mallory  # example.org is not among the list's domains
    carol = "carol-%s@example.net" % desk.tag
    local, domain = desk.address.split("@")
    request(desk, carol, "%s+stakeholders-subscribe@%s" % (local, domain), "please add me")
    request(desk, mallory, desk.list_address.replace("@", "-request@"), "subscribe")
    desk.wait_incoming(2)
    desk.once()
    [confirm] = desk.inbox(carol, 1)
    assert confirm["Subject"].startswith("confirm ")
    assert desk.outbox(mallory) == []  # no backscatter to a refused domain
    # mallory replays carol's token: issued to someone else, no effect
    request(desk, mallory, desk.list_address.replace("@", "-request@"),
            "Re: " + confirm["Subject"])
    desk.wait_incoming(3)
    desk.once()
    assert desk.run("members", "stakeholders").stdout.decode().split() == [desk.dave]


def test_every_mail_of_an_incident_threads(desk):
    page = declare_sev1(desk)
    desk.phone_reply(desk.alice, page, "SEV1\nIMPACT: checkout down")
    desk.wait_incoming(2)
    desk.once()
    root = page["Message-ID"]
    # everything sevmail sent them, once it has arrived
    to_dave = desk.delivered(desk.dave)
    mails = desk.delivered(desk.alice) + to_dave
    assert len(mails) >= 4
    for m in mails:
        assert m["Subject"].startswith("[INC-1] ")
        assert m["Auto-Submitted"] == "auto-generated"
        assert m["X-Loop"] == desk.address
        if m["Message-ID"] != root:
            assert m["References"].split()[0] == root
            assert m["In-Reply-To"]
    for m in to_dave:
        assert m["Reply-To"] is None  # the token is only for responders
        assert m["Precedence"] == "list"


def test_smtp_outage_then_everything_delivered_once(desk):
    with FaultProxy(desk.stack.smtp_port) as proxy:
        # nobody acknowledges here: keep escalation out of this story
        desk.write_config(smtp__port=proxy.port, escalation__ack_timeout=86400)
        proxy.refuse()
        desk.alert()
        desk.wait_incoming(1)
        desk.clock = 1795701600
        desk.once()
        queued = desk.run("outbox", "--json").stdout
        assert b'"state" : "queued"' in queued and b"refused" in queued
        proxy.listen()
        desk.clock += 3600  # past the retry time
        desk.once()
    assert len(desk.inbox(desk.alice, 1)) == 1
    assert len(desk.inbox(desk.dave, 1)) == 1
    desk.clock += 7200
    desk.once()
    assert desk.sent_to(desk.alice) == ["page"]  # sent once, and not again
    assert len(desk.delivered(desk.alice)) == 1
    assert b"empty" in desk.run("outbox").stdout


def test_a_refused_recipient_is_recorded_and_the_others_receive(desk):
    desk.run("subscribe", "stakeholders", "ghost@nowhere.invalid")
    declare_sev1(desk)
    assert len(desk.inbox(desk.dave, 1)) == 1
    [(state, error)] = desk.query("SELECT state, last_error FROM outbox_rcpts"
                                  " WHERE address = 'ghost@nowhere.invalid'")
    assert state == "failed" and error.startswith("5")
    out = desk.run("outbox").stdout.decode()
    assert "ghost@nowhere.invalid" in out and "failed" in out


def test_a_hostile_alert_subject_adds_no_header(desk):
    from story import CORPUS
    import os
    desk.write_config(alerts__senders="alertmanager@example.com")
    with open(os.path.join(CORPUS, "bad", "header-injection-encoded-crlf-subject.eml"),
              "rb") as f:
        raw = f.read()
    desk.deliver(raw)
    desk.once()
    pages = desk.delivered(desk.alice)
    assert len(pages) == 1
    for m in pages:
        assert m["Bcc"] is None and m["X-Injected"] is None
        assert "\r" not in m["Subject"] and "\n" not in m["Subject"]
    # the injected Bcc reached no envelope (sevmail's outbox, rather than a mailbox every
    # test could write to)
    assert "mallory@example.org" not in [address for _, address, _ in desk.outbox()]


def test_a_large_list_goes_out_in_batched_transactions(desk):
    n = 2000
    desk.query("INSERT INTO subscriptions (list, address, created_at) VALUES (?, ?, 0)",
               many=[("stakeholders", "sub%04d-%s@example.net" % (i, desk.tag))
                     for i in range(n)])
    with FaultProxy(desk.stack.smtp_port) as proxy:
        desk.write_config(smtp__port=proxy.port, smtp__max_recipients=100)
        declare_sev1(desk)
        # one connection for the page, twenty for the 2,001 list members
        assert proxy.accepted == 1 + 21
    sent = desk.value("SELECT count(*) FROM outbox_rcpts WHERE state = 'sent'")
    assert sent == n + 2
    for i in (0, n - 1):
        [m] = desk.stack.wait_for("sub%04d-%s@example.net" % (i, desk.tag), 1)
        assert "Status: Investigating" in body_of(m)
