"""Attacking the stakeholder lists with nothing but mail: a flood of requests from a domain the
list does not take gets no answer at all (no backscatter); forged subscribe requests for one
victim (or its +detail forms) send at most LISTS_MAILS_PER_ADDRESS (include/lists.h: 3 in 24
hours) confirmations, and the victim can still confirm; senders that are not plain addresses are refused without
stopping intake; a list without `domains` takes only the incident address's domain, and
`domains = *` takes anyone and makes `sevmail check` warn."""

import json
import os
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid, parseaddr

from story import body_of

LIMIT = 3  # LISTS_MAILS_PER_ADDRESS
DAY = 24 * 3600


def request_raw(sender, to, subject, body="\n", header_from=None):
    """A request as a person's mail client writes it; header_from, when given, is the
    From line exactly as written (for addresses EmailMessage would refuse to build)."""
    if header_from is None:
        msg = EmailMessage(policy=SMTP)
        msg["From"] = sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Message-ID"] = make_msgid(domain=sender.split("@")[-1])
        msg.set_content(body)
        return msg.as_bytes()
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: %s\r\n"
            "Date: Thu, 26 Nov 2026 16:02:02 +0000\r\n\r\n%s" % (
                header_from, to, subject, make_msgid(domain="evil.test"),
                body.replace("\n", "\r\n"))).encode()


def ingest(desk, tmp_path, raws, name="m"):
    """`sevmail ingest` of every message in one run (it sends what it queued at the end)."""
    paths = []
    for i, raw in enumerate(raws):
        path = tmp_path / ("%s-%03d.eml" % (name, i))
        path.write_bytes(raw)
        paths.append(str(path))
    return desk.run("ingest", *paths, check=False)


def outbox(desk):
    """Every outgoing message ever queued, delivered ones included."""
    return json.loads(desk.run("outbox", "--all", "--json").stdout)


def recipients(rows):
    return [r["address"] for row in rows for r in row["recipients"]]


def outcomes(desk):
    """(route, reason) of every stored message, in the order they came."""
    return desk.query("SELECT route, reason FROM messages ORDER BY id")


def request_address(desk):
    return desk.list_address.replace("@", "-request@")


def test_two_hundred_requests_from_a_refused_domain_get_no_answer(desk, tmp_path):
    """example.org is not among the list's domains: whatever its people write to the
    request address (nothing, subscribe, unsubscribe, a made-up confirm), nothing goes out."""
    outsiders = ["mallory%d-%s@example.org" % (i, desk.tag) for i in range(5)]
    subjects = ["help", "subscribe", "unsubscribe", "Re: confirm 3f2a9c7d1e5b4a608c2e4f1b",
                "what is this list?"]
    raws = [request_raw(outsiders[i % 5], request_address(desk), subjects[i // 5 % 5])
            for i in range(200)]
    # then one request from a domain the list takes: proof that answers do go out
    carol = "carol-%s@example.net" % desk.tag
    raws.append(request_raw(carol, request_address(desk), "subscribe"))

    proc = ingest(desk, tmp_path, raws)

    assert proc.returncode == 0, proc.stderr.decode()
    rows = outbox(desk)
    assert recipients(rows) == [carol], rows
    [confirm] = desk.inbox(carol, 1)
    assert confirm["Subject"].startswith("confirm ")
    for who in outsiders:
        assert desk.stack.fetch_all(who) == []
    stored = outcomes(desk)
    assert len(stored) == 201
    for route, reason in stored[:200]:
        assert route == "list"
        assert "refused without an answer" in reason and "example.org" in reason, reason
    assert desk.run("members", "stakeholders").stdout.decode().split() == [desk.dave]


def test_forged_subscribe_requests_send_the_victim_at_most_three_mails(desk, tmp_path):
    victim = "victim-%s@example.net" % desk.tag
    desk.clock = 1795701600
    raws = [request_raw(victim, request_address(desk), "subscribe") for _ in range(200)]

    proc = ingest(desk, tmp_path, raws)

    assert proc.returncode == 0, proc.stderr.decode()
    assert recipients(outbox(desk)) == [victim] * LIMIT
    confirms = desk.inbox(victim, LIMIT)
    assert len(confirms) == LIMIT
    assert all(m["Subject"].startswith("confirm ") for m in confirms)
    stored = outcomes(desk)
    assert len(stored) == 200
    limited = [reason for _, reason in stored if "not carried out and not answered" in reason]
    assert len(limited) == 200 - LIMIT
    assert "in the last 24 hours" in limited[0]

    # the address's owner did want in: a confirmation is carried out and welcomed
    desk.clock += 3600
    first = confirms[0]
    proc = ingest(desk, tmp_path, [request_raw(victim, request_address(desk),
                                               "Re: " + first["Subject"])], name="confirm")
    assert proc.returncode == 0, proc.stderr.decode()
    assert victim in desk.run("members", "stakeholders").stdout.decode().split()
    assert "now subscribed" in body_of(desk.inbox(victim, LIMIT + 1)[LIMIT])

    # a day later the address may be answered again
    desk.clock += DAY
    proc = ingest(desk, tmp_path, [request_raw(victim, request_address(desk), "unsubscribe")],
                  name="later")
    assert proc.returncode == 0, proc.stderr.decode()
    assert desk.inbox(victim, LIMIT + 2)[LIMIT + 1]["Subject"].startswith("confirm ")


def test_plus_addresses_of_one_mailbox_share_the_limit(desk, tmp_path):
    """victim+1@, victim+2@... all land in victim's mailbox: they count as one address."""
    local, domain = ("victim-%s@example.net" % desk.tag).split("@")
    forms = ["%s+%d@%s" % (local, i, domain) for i in range(40)]
    raws = [request_raw(who, request_address(desk), "subscribe") for who in forms]

    proc = ingest(desk, tmp_path, raws)

    assert proc.returncode == 0, proc.stderr.decode()
    assert recipients(outbox(desk)) == forms[:LIMIT]
    assert len(desk.inbox("%s@%s" % (local, domain), LIMIT)) == LIMIT
    reasons = [reason for _, reason in outcomes(desk)]
    assert sum("not carried out and not answered" in r for r in reasons) == 40 - LIMIT


HOSTILE_FROM = [
    '"a,b"@evil.test',
    "%s@evil.test" % ("a" * 300),
    "\"o'neil;--\"@evil.test",
]


def hostile_requests(desk):
    return [request_raw(None, request_address(desk), "subscribe", header_from=sender)
            for sender in HOSTILE_FROM]


def assert_refused_as_not_plain(stored):
    for route, reason in stored:
        assert route == "list"
        assert "not a plain mail address" in reason, reason


def test_hostile_senders_do_not_stop_an_ingest(desk, tmp_path):
    """With the list open to every domain, only the address check stands between these
    senders and an answer that cannot be built."""
    desk.write_config(list_stakeholders__domains="*")
    alert = desk.monitor_mail("Disk full on db-1")

    proc = ingest(desk, tmp_path, hostile_requests(desk) + [alert])

    assert proc.returncode == 0, proc.stderr.decode()
    stored = outcomes(desk)
    assert len(stored) == 4
    assert_refused_as_not_plain(stored[:3])
    assert stored[3][0] == "alert"
    assert desk.show(1)["title"]
    [page] = desk.inbox(desk.alice, 1)
    assert page["Subject"].startswith("[INC-1] ")
    assert recipients(outbox(desk)) == [desk.alice]


def test_hostile_senders_do_not_stop_the_daemon(desk):
    """The same over IMAP and SMTP: one pass of `sevmail run` reads the three requests and
    then the alert, and pages."""
    desk.write_config(list_stakeholders__domains="*")
    for raw in hostile_requests(desk):
        desk.deliver(raw)
    desk.deliver(desk.monitor_mail("Disk full on db-1"))

    desk.once()

    [page] = desk.inbox(desk.alice, 1)
    assert page["Subject"].startswith("[INC-1] ")
    stored = outcomes(desk)
    assert len(stored) == 4
    assert_refused_as_not_plain(stored[:3])
    assert recipients(outbox(desk)) == [desk.alice]
    # and the mailbox goes on: the next mail is read in the next pass
    desk.deliver(request_raw(desk.alice, request_address(desk), "subscribe"))
    desk.once()
    assert desk.inbox(desk.alice, 2)[1]["Subject"].startswith("confirm ")


def test_a_list_without_domains_takes_only_the_incident_domain(desk, tmp_path):
    desk.write_config(list_stakeholders__domains=None)
    outsider = "carol-%s@example.net" % desk.tag  # example.net: no longer taken
    insider = "erin-%s@example.com" % desk.tag    # the domain of incidents-…@example.com

    proc = ingest(desk, tmp_path, [request_raw(outsider, request_address(desk), "subscribe"),
                                   request_raw(insider, request_address(desk), "subscribe")])

    assert proc.returncode == 0, proc.stderr.decode()
    assert recipients(outbox(desk)) == [insider]
    [confirm] = desk.inbox(insider, 1)
    assert parseaddr(confirm["Reply-To"])[1] == request_address(desk)
    assert desk.stack.fetch_all(outsider) == []
    (route, reason), _ = outcomes(desk)
    assert route == "list" and "the domain example.net may not subscribe" in reason
    check = desk.run("check")
    assert b"domains = *" not in check.stderr


def test_domains_star_takes_anyone_and_check_warns(desk, tmp_path):
    desk.write_config(list_stakeholders__domains="*")
    stranger = desk.mallory  # example.org

    check = desk.run("check")
    assert desk.check_says(check.stdout) == "configuration OK\n"
    warnings = [line for line in check.stderr.decode().splitlines() if "domains = *" in line]
    assert len(warnings) == 1
    assert "[list:stakeholders]" in warnings[0] and "name the domains" in warnings[0]

    proc = ingest(desk, tmp_path, [request_raw(stranger, request_address(desk), "subscribe")])
    assert proc.returncode == 0, proc.stderr.decode()
    [confirm] = desk.inbox(stranger, 1)
    assert confirm["Subject"].startswith("confirm ")
    proc = ingest(desk, tmp_path, [request_raw(stranger, request_address(desk),
                                               "Re: " + confirm["Subject"])], name="confirm")
    assert proc.returncode == 0, proc.stderr.decode()
    assert stranger in desk.run("members", "stakeholders").stdout.decode().split()
