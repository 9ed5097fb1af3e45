"""Everyone around an incident is told the truth: those paged hear who acknowledged, the
old and the new commander hear of a change, a list that heard of an incident hears of it to
the end, UPDATE text reaches the stakeholders, subjects say what a mail is, a refused
responder hears why and a stranger hears nothing. Against the real Dovecot and OpenSMTPD,
asserting on what lands in each mailbox."""

from email.message import EmailMessage
from email.utils import make_msgid

from story import body_of, is_token_address, token_address


def subjects(desk, who, count):
    return [m["Subject"] for m in desk.inbox(who, count)]


def test_those_paged_hear_who_acknowledged(desk):
    desk.clock = 1_800_000_000
    desk.write_config(escalation__ack_timeout=300)
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.clock += 301
    desk.once()
    desk.clock += 301
    desk.once()  # round 1 paged alice again, then bob
    [bob_page] = desk.inbox(desk.bob, 1)
    assert bob_page["Subject"].startswith("[INC-1] Still not acknowledged:")
    desk.phone_reply(desk.alice, page, "ACK")
    desk.wait_incoming(2)
    desk.once()
    notice = desk.inbox(desk.bob, 2)[1]
    local = desk.alice.split("@")[0]
    assert notice["Subject"] == "[INC-1] Acknowledged by %s: HighErrorRate api-gateway" % local
    assert "acknowledged by " + desk.alice in body_of(notice)
    # alice herself gets her confirmation, not a notice
    assert subjects(desk, desk.alice, 3)[2].startswith("[INC-1] Done: ")


def test_old_and_new_commanders_are_told(desk):
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.phone_reply(desk.alice, page, "ACK\nIC " + desk.bob.split("@")[0])
    desk.wait_incoming(2)
    desk.once()
    [told] = desk.inbox(desk.bob, 1)
    assert told["Subject"].startswith("[INC-1] You are the incident commander:")
    assert is_token_address(token_address(told), desk)  # bob can answer it
    # bob hands it back: alice, the new one, is told; bob made the change himself
    bob_reply = desk.phone_reply(desk.bob, told, "IC " + desk.alice)
    desk.wait_incoming(3)
    desk.once()
    alice = subjects(desk, desk.alice, 3)
    assert any(s.startswith("[INC-1] You are the incident commander:") for s in alice)
    assert bob_reply is not None and desk.show(1)["commander"] == desk.alice


def test_a_list_that_heard_of_an_incident_hears_of_it_to_the_end(desk):
    desk.alert()  # SEV1 from severity_map: dave's list (severities 1,2) hears of it
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.inbox(desk.dave, 1)
    desk.phone_reply(desk.alice, page, "ACK\nSEV3\nUPDATE: only the admin panel is slow")
    desk.wait_incoming(2)
    desk.once()
    downgraded = desk.inbox(desk.dave, 2)[1]
    assert downgraded["Subject"].startswith("[INC-1] [SEV 3]")
    assert "Latest update: only the admin panel is slow" in body_of(downgraded)
    desk.phone_reply(desk.alice, page, "RESOLVED")
    desk.wait_incoming(3)
    desk.once()
    final = desk.inbox(desk.dave, 3)[2]
    assert final["Subject"].endswith("- Resolved")
    assert "Status: Resolved" in body_of(final)
    assert "Next update" not in body_of(final)


def test_update_text_reaches_the_stakeholders_and_the_status_page(desk, tmp_path):
    site = tmp_path / "site"
    desk.write_config(status_page__output=str(site))
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.phone_reply(desk.alice, page, "UPDATE: rolled back to 2.41.3, errors falling")
    desk.wait_incoming(2)
    desk.once()
    status = desk.inbox(desk.dave, 2)[1]
    assert "Latest update: rolled back to 2.41.3, errors falling" in body_of(status)
    assert "rolled back to 2.41.3, errors falling" in (site / "inc-1.html").read_text()


def test_subjects_say_what_each_mail_is(desk):
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    assert page["Subject"] == "[INC-1] [SEV 1] HighErrorRate api-gateway"
    desk.phone_reply(desk.alice, page, "SEV7")
    desk.wait_incoming(2)
    desk.once()
    error = desk.inbox(desk.alice, 2)[1]
    assert error["Subject"].startswith("[INC-1] Not done: ")
    status = desk.inbox(desk.dave, 1)[0]
    assert status["Subject"] == "[INC-1] [SEV 1] HighErrorRate api-gateway - Investigating"
    for m in (page, error, status):
        assert m["Subject"].startswith("[INC-1]")


def test_a_refused_responder_hears_why_and_a_stranger_hears_nothing(desk):
    desk.write_config(security__sender_auth="token")
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    for sender in (desk.bob, desk.mallory):
        msg = EmailMessage()
        msg["From"] = sender
        msg["Reply-To"] = "somewhere-else@example.org"
        msg["To"] = desk.address  # no reply token
        msg["Subject"] = "Re: [INC-1] HighErrorRate api-gateway"
        msg["Message-ID"] = make_msgid(domain="example.com")
        msg.set_content("RESOLVED\n")
        desk.deliver(msg.as_bytes())
    desk.once()
    assert desk.show(1)["status"] == "triggered"
    [answer] = desk.inbox(desk.bob, 1)
    assert answer["To"] == desk.bob
    assert answer["Subject"].startswith("[INC-1] Not done: ")
    assert "reply token" in body_of(answer)
    outbox = desk.run("outbox", "--all", "--json").stdout.decode()
    assert desk.mallory not in outbox and "somewhere-else" not in outbox


def test_declare_on_the_command_line_pages_and_tells_the_lists(desk):
    out = desk.run("declare", "--severity", "1", "--title", "Checkout down",
                   "--impact", "nobody can pay")
    assert out.stdout.decode().strip() == "INC-1 declared"
    [page] = desk.inbox(desk.alice, 1)
    assert page["Subject"] == "[INC-1] [SEV 1] Checkout down"
    [status] = desk.inbox(desk.dave, 1)
    assert "Impact: nobody can pay" in body_of(status)
    bad = desk.run("declare", "--severity", "5", "--title", "x", check=False)
    assert bad.returncode == 2
    assert b"--severity 1|2|3" in bad.stderr


def test_help_is_the_same_as_dash_dash_help(desk):
    out = desk.run("help").stdout.decode()
    assert "declare" in out and "quarantine" in out
    one = desk.run("help", "declare").stdout.decode()
    assert "--severity" in one
