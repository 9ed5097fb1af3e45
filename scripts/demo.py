#!/usr/bin/python3
"""make demo: one incident played through a private mail stack.

Starts a real Dovecot and OpenSMTPD on 127.0.0.1, configures sevmail for them, and plays
the story: Alertmanager fires, alice is paged and answers from her phone (ack, then SEV1
with IMPACT and NEXT, then RESOLVED), dave on the stakeholders list gets the status mails.
Prints what each person receives and the incident's timeline, stops every server, and
says where the mailboxes and the database are.
"""

import calendar
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from mailstack import MailStack  # noqa: E402
from story import Desk, body_of  # noqa: E402


def say(text):
    print("\n\033[1m== %s\033[0m" % text if sys.stdout.isatty() else "\n== %s" % text,
          flush=True)


def show_mail(msg, who):
    print("--- mail to %s" % who)
    for header in ("From", "To", "Reply-To", "Subject", "Message-ID", "In-Reply-To"):
        if msg[header]:
            print("%s: %s" % (header, msg[header]))
    print()
    print(body_of(msg).rstrip())
    print("---")


def story_time(hhmm):
    """The story's clock: Thursday 26 November 2026, UTC (sevmail reads SEVMAIL_NOW)."""
    hour, minute = map(int, hhmm.split(":"))
    return calendar.timegm((2026, 11, 26, hour, minute, 0))


def main():
    base = tempfile.mkdtemp(prefix="sevmail-demo-", dir="/tmp")
    os.chmod(base, 0o755)
    stack = MailStack(os.path.join(base, "mail"))
    os.makedirs(stack.base_dir, mode=0o755, exist_ok=True)
    say("Starting a private mail stack (Dovecot IMAP + OpenSMTPD SMTP) on 127.0.0.1")
    with stack:
        print("IMAP on port %d, SMTP on port %d" % (stack.imap_port, stack.smtp_port))
        desk = Desk(stack, os.path.join(base, "sevmail"), "")
        desk.run("check")
        desk.run("subscribe", "stakeholders", desk.dave)
        print("sevmail watches %s; alice and bob are on call; %s is subscribed to %s"
              % (desk.address, desk.dave, desk.list_address))

        say("14:03 Alertmanager fires HighErrorRate api-gateway")
        desk.alert("alertmanager-firing.eml")
        desk.wait_incoming(1)
        desk.clock = story_time("14:03")
        desk.once()
        [page] = desk.inbox(desk.alice, 1)
        show_mail(page, desk.alice)
        [status] = desk.inbox(desk.dave, 1)
        show_mail(status, desk.dave)

        say("14:08 and 14:13 nobody has acknowledged: alice is paged again, then bob")
        for when in ("14:08", "14:13"):
            desk.clock = story_time(when)
            desk.once()
        show_mail(desk.inbox(desk.alice, 2)[1], desk.alice)
        [bob_page] = desk.inbox(desk.bob, 1)
        show_mail(bob_page, desk.bob)

        steps = [
            ("14:15", "alice answers from her iPhone: Ack 👍 on it", "Ack 👍 on it"),
            ("14:19", "alice: SEV1, IMPACT and NEXT", "SEV1\nIMPACT: checkout failing for all "
             "users\nNEXT: rolling back api-gateway to 2.41.3"),
            ("14:41", "alice: Resolved, thanks!", "Resolved, thanks!"),
        ]
        received_alice, received_dave, received_bob = 2, 1, 1
        for n, (when, title, text) in enumerate(steps):
            say(when + " " + title)
            desk.phone_reply(desk.alice, page, text)
            desk.wait_incoming(2 + n)
            desk.clock = story_time(when)
            desk.once()
            received_alice += 1
            show_mail(desk.inbox(desk.alice, received_alice)[-1], desk.alice)
            for who, seen in ((desk.bob, received_bob), (desk.dave, received_dave)):
                mails = desk.stack.fetch_all(who)
                for msg in mails[seen:]:
                    show_mail(msg, who)
                if who == desk.bob:
                    received_bob = len(mails)
                else:
                    received_dave = len(mails)

        say("The incident's timeline (sevmail show 1)")
        print(desk.run("show", "1").stdout.decode())
    say("Done; nothing is left running")
    print("Mailboxes (Maildir): %s" % stack.maildir_root)
    print("Database:            %s" % desk.db)
    print("Configuration:       %s" % desk.config)
    print("Try: %s -c %s show 1 --json" % (os.path.join(ROOT, "sevmail"), desk.config))


if __name__ == "__main__":
    main()
