"""The walking skeleton's story, against the real Dovecot and OpenSMTPD: an alert declares
an incident, alice is paged and answers from her phone, stakeholders get status mail."""

from story import body_of, is_token_address, token_address


def test_alert_pages_oncall_and_replies_run_the_incident(desk):
    # 14:03 Alertmanager fires; sevmail declares INC-1 and pages alice.
    desk.alert("alertmanager-firing.eml")
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    assert page["Subject"].startswith("[INC-1] [SEV 1] HighErrorRate api-gateway")
    assert is_token_address(token_address(page), desk)
    assert page["Auto-Submitted"] == "auto-generated"
    assert "ACK" in body_of(page)
    assert "alertname = HighErrorRate" in body_of(page)
    inc = desk.show(1)
    assert inc["status"] == "triggered"
    assert inc["severity"] == 1  # preset from severity=critical by severity_map
    assert inc["source"] == "alertmanager"
    assert inc["title"] == "HighErrorRate api-gateway"
    # the severity is known from the alert, so stakeholders hear of it at once
    [first_status] = desk.inbox(desk.dave, 1)
    assert "Status: Investigating" in body_of(first_status)
    assert first_status["List-Id"] is not None

    # 14:05 alice: "Ack" from her iPhone, the page quoted below it.
    desk.phone_reply(desk.alice, page, "Ack")
    desk.wait_incoming(2)
    desk.once()
    inc = desk.show(1)
    assert inc["status"] == "investigating"
    assert inc["acked_by"] == desk.alice
    assert inc["commander"] == desk.alice
    confirm = desk.inbox(desk.alice, 2)[1]
    assert confirm["Subject"].startswith("[INC-1]")
    assert "Acknowledged by " + desk.alice in body_of(confirm)
    assert confirm["In-Reply-To"].strip("<>") != ""

    # 14:09 alice: severity, impact and next steps in one reply.
    desk.phone_reply(desk.alice, page,
                     "SEV1\nIMPACT: checkout failing for all users\n"
                     "NEXT: rolling back api-gateway to 2.41.3")
    desk.wait_incoming(3)
    desk.once()
    inc = desk.show(1)
    assert inc["impact"] == "checkout failing for all users"
    assert inc["next_steps"] == "rolling back api-gateway to 2.41.3"
    status = desk.inbox(desk.dave, 2)[1]
    text = body_of(status)
    assert status["Subject"].startswith("[INC-1] [SEV 1] HighErrorRate api-gateway")
    assert "Title: [SEV 1] HighErrorRate api-gateway" in text
    assert "Status: Investigating" in text
    assert "Impact: checkout failing for all users" in text
    assert "Next Steps: rolling back api-gateway to 2.41.3" in text
    assert "Incident commander: " + desk.alice in text
    assert status["References"].strip() == "<%s>" % page["Message-ID"].strip("<>")

    # 14:41 alice: resolved.
    desk.phone_reply(desk.alice, page, "RESOLVED")
    desk.wait_incoming(4)
    desk.once()
    inc = desk.show(1)
    assert inc["status"] == "resolved"
    assert inc["resolved_at"] is not None
    final = desk.inbox(desk.dave, 3)[2]
    assert "Status: Resolved" in body_of(final)
    kinds = [e["kind"] for e in inc["events"]]
    for kind in ("declared", "severity", "paged", "acknowledged", "commander", "updated",
                 "status"):
        assert kind in kinds
    assert desk.incidents(everything=False) == []


def test_repeated_alert_pages_nobody_twice(desk):
    desk.alert("alertmanager-firing.eml")
    desk.wait_incoming(1)  # first the alert, then its repeat, whatever the MTA's order
    desk.alert("alertmanager-firing-repeat.eml")
    desk.wait_incoming(2)
    desk.once()
    assert len(desk.incidents()) == 1
    assert desk.sent_to(desk.alice) == ["page"]
    assert len(desk.inbox(desk.alice, 1)) == 1
    assert "alert_repeat" in [e["kind"] for e in desk.show(1)["events"]]


def test_stranger_cannot_resolve_even_with_the_token(desk):
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.phone_reply(desk.mallory, page, "RESOLVED")
    desk.wait_incoming(2)
    desk.once()
    inc = desk.show(1)
    assert inc["status"] == "triggered"
    rejected = [e for e in inc["events"] if e["kind"] == "rejected"]
    assert len(rejected) == 1 and "not a responder" in rejected[0]["detail"]
    assert desk.outbox(desk.mallory) == []


def test_quoted_commands_are_not_applied_and_text_becomes_a_note(desk):
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    # the quoted page below contains ACK, SEV1 ... and RESOLVED at line starts
    desk.phone_reply(desk.bob, page, "Looking at the load balancer now")
    desk.wait_incoming(2)
    desk.once()
    inc = desk.show(1)
    assert inc["status"] == "triggered"
    notes = [e for e in inc["events"] if e["kind"] == "note"]
    assert [n["detail"] for n in notes] == ["Note: Looking at the load balancer now"]


def test_unknown_keyword_gets_an_error_reply_and_changes_nothing(desk):
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.phone_reply(desk.alice, page, "Akc")
    desk.wait_incoming(2)
    desk.once()
    error = desk.inbox(desk.alice, 2)[1]
    assert "Akc" in body_of(error) and "Nothing was changed" in body_of(error)
    assert desk.show(1)["status"] == "triggered"


def test_each_message_is_applied_once(desk):
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    desk.once()
    # the same bytes again, as after a crash between commit and \\Seen
    raw = desk.stack.fetch_raw(desk.address)[0]
    desk.run("ingest", input=raw)
    assert len(desk.incidents()) == 1
    assert desk.sent_to(desk.alice) == ["page"]
    assert len(desk.inbox(desk.alice, 1)) == 1
