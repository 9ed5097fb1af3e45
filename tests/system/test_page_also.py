"""[person:ADDRESS] page_also: a responder's pages and re-pages also go, in a short form, to
the addresses of their other devices (an SMS gateway, a pager). The short form is plain
text; its subject and body, joined as a gateway joins them, fit one text message of 160
characters and still carry [INC-N] and the reply token address, so that an answer to that
address acts."""

import email.policy
import re
from email.message import EmailMessage
from email.utils import format_datetime, localtime, make_msgid

from story import is_token_address, token_address

T0 = 1795701780  # 2026-11-26 14:03 UTC
# long, not ASCII, and markup: the title is what gives way
TITLE = ("Disk full on db-primary-01.eu-west-1.example.com: /var/lib/postgresql at 100%, "
         "writes failing — données perdues <b>now</b>")


def at(desk, offset):
    desk.clock = T0 + offset
    desk.once()


def text_message(msg):
    """What the phone shows: the subject and the body as a gateway joins them."""
    assert msg.get_content_type() == "text/plain" and not msg.is_multipart()
    return msg["Subject"] + "\n" + msg.get_content().rstrip()


def test_pages_reach_the_phone_in_a_short_form_that_answers(desk):
    sms = "15551234567-%s@example.test" % desk.tag
    desk.write_config(escalation__ack_timeout=300, escalation__repeat=1,
                      **{"person_%s__page_also" % desk.alice: sms})
    desk.deliver(desk.monitor_mail(TITLE))
    at(desk, 0)
    [page] = desk.inbox(desk.alice, 1)
    token = token_address(page)
    assert is_token_address(token, desk)

    [short] = desk.inbox(sms, 1)
    shown = text_message(short)
    assert len(shown) <= 160, shown
    assert shown.startswith("[INC-1] SEV ? Disk full on db-primary-01")
    assert token in shown and token_address(short) == token
    assert shown.isascii() and "..." in shown  # the title, cut to fit
    assert "[INC-1]" in page["Subject"] and TITLE in page["Subject"]  # the mail keeps it all

    # the re-page too; bob, who has no [person:] section, gets only his mail
    at(desk, 301)
    assert "Still not acknowledged" in desk.inbox(desk.alice, 2)[1]["Subject"]
    again = desk.inbox(sms, 2)
    assert all(len(text_message(m)) <= 160 and token in text_message(m) for m in again)
    at(desk, 602)
    assert [k for k, _, _ in desk.outbox() if k == "short_page"] == ["short_page"] * 2

    # alice answers the text message: ACK to the address it names, from her phone's mail
    answer = EmailMessage(policy=email.policy.SMTP)
    answer["From"] = desk.alice
    [answer["To"]] = re.findall(r"\S+\+1-[a-z2-7]{16}@example\.com", shown)
    answer["Subject"] = "Re: " + short["Subject"]
    answer["Date"] = format_datetime(localtime())
    answer["Message-ID"] = make_msgid(domain="example.com")
    answer.set_content("ACK")
    desk.stack.send(answer.as_bytes(), desk.alice, [answer["To"]])
    desk.wait_incoming(2)
    at(desk, 700)
    assert desk.show(1)["acked_by"] == desk.alice
    assert desk.show(1)["status"] == "investigating"


def test_check_warns_about_a_person_nobody_pages(desk):
    stranger = "carol-%s@example.org" % desk.tag
    desk.write_config(**{"person_%s__page_also" % stranger: "15550000000@example.test"})
    proc = desk.run("check")
    assert b"configuration OK" in proc.stdout
    assert ("[person:%s] is neither in [responders] nor in a team" % stranger).encode() \
        in proc.stderr


def test_a_bad_page_also_is_refused_naming_section_and_key(desk):
    desk.write_config(**{"person_%s__page_also" % desk.alice: "15551234567"})
    proc = desk.run("check", check=False)
    assert proc.returncode == 2
    assert ("[person:%s] page_also: \"15551234567\" is not an address" % desk.alice).encode() \
        in proc.stderr
