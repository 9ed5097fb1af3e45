"""The test mail stack itself: SMTP in, LMTP across, IMAP out."""

import os
import smtplib
from email.message import EmailMessage

import pytest


def _message(subject, to):
    msg = EmailMessage()
    msg["From"] = "monitor@example.org"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content("body of %s\n" % subject)
    return msg.as_bytes()


def test_smtp_delivery_lands_in_the_right_inbox(mailstack, unique):
    tagged = "someone-%s+tag@example.test" % unique
    plain = "x-%s@example.com" % unique
    mailstack.send(_message("to the tag " + unique, tagged), "monitor@example.org", [tagged])
    mailstack.send(_message("to x " + unique, plain), "monitor@example.org", [plain])

    # +tag is a detail: the mail belongs to the base address, and Delivered-To
    # still says which address it was sent to.
    tagged_inbox = mailstack.wait_for("someone-%s@example.test" % unique, 1)
    assert [m["Subject"] for m in tagged_inbox] == ["to the tag " + unique]
    assert tagged_inbox[0]["Delivered-To"] == tagged

    plain_inbox = mailstack.wait_for(plain, 1)
    assert [m["Subject"] for m in plain_inbox] == ["to x " + unique]
    assert plain_inbox[0]["Delivered-To"] == plain
    assert plain_inbox[0].get_content() == "body of to x %s\n" % unique

    # Mail is stored under maildir_root and owned by an unprivileged user.
    home = os.path.join(mailstack.maildir_root, "example.com", "x-" + unique)
    assert os.stat(home).st_uid != 0


def test_other_domains_are_refused(mailstack, unique):
    rcpt = "nobody-%s@elsewhere.invalid" % unique
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        mailstack.send(_message("relay attempt", rcpt), "monitor@example.org", [rcpt])


def test_append_puts_mail_straight_into_a_mailbox(mailstack, unique):
    address = "inject-%s@example.net" % unique
    assert mailstack.fetch_all(address) == []

    mailstack.append(address, _message("injected " + unique, address))
    inbox = mailstack.fetch_all(address)
    assert [m["Subject"] for m in inbox] == ["injected " + unique]
    assert "Delivered-To" not in inbox[0]

    mailstack.append(address, _message("filed " + unique, address), mailbox="Archive")
    assert [m["Subject"] for m in mailstack.fetch_all(address, mailbox="Archive")] == [
        "filed " + unique]
    assert len(mailstack.fetch_all(address)) == 1
