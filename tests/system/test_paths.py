"""One story per path through the intake, against the real servers: a recovery tells the
responders (and resolves with auto_resolve), an out-of-office is never answered, a
misbehaving auto-responder gets a bounded number of answers, DECLARE opens an incident."""


from story import body_of

T0 = 1795701780  # 2026-11-26 14:03 UTC


def page_alice(desk):
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    return desk.inbox(desk.alice, 1)[0]


def test_recovery_is_recorded_and_told_to_the_commander(desk):
    page = page_alice(desk)
    desk.phone_reply(desk.alice, page, "ack")
    # the ack is in the mailbox before the recovery is sent: two mails sent at once may
    # be delivered (and so read) in either order, and the story is ack, then recovery
    desk.wait_incoming(2)
    desk.alert("alertmanager-resolved.eml")
    desk.wait_incoming(3)
    desk.once()
    inc = desk.show(1)
    assert "alert_resolved" in [e["kind"] for e in inc["events"]]
    assert inc["status"] == "investigating"  # a person decides
    # the confirmation of the ack and the notice go out in one pass, in either order
    [notice] = [m for m in desk.inbox(desk.alice, 3)
                if "The alert reports it is resolved" in body_of(m)]
    assert notice["Subject"].startswith("[INC-1]")


def test_auto_resolve_resolves_and_tells_stakeholders(desk):
    desk.write_config(alerts__auto_resolve="true")
    page_alice(desk)
    desk.alert("alertmanager-resolved.eml")
    desk.wait_incoming(2)
    desk.once()
    assert desk.show(1)["status"] == "resolved"
    # the first status mail and this one may be delivered in either order
    resolved = [m for m in desk.inbox(desk.dave, 2) if "Status: Resolved" in body_of(m)]
    assert len(resolved) == 1


def test_out_of_office_is_never_answered(desk):
    desk.clock = T0  # no escalation timer fires, however long the test takes
    page = page_alice(desk)
    queued = desk.outbox()
    reply = desk.phone_reply(desk.alice, page, "I am out of the office until Monday.",
                             headers={"Auto-Submitted": "auto-replied"})
    assert reply
    desk.wait_incoming(2)
    desk.once()
    assert desk.outbox() == queued  # nothing more was sent, to alice or anyone
    assert [e["kind"] for e in desk.show(1)["events"]].count("note") == 0


def test_a_chatty_responder_gets_a_bounded_number_of_answers(desk):
    desk.clock = T0  # one fixed hour, from the page on
    page = page_alice(desk)
    for _ in range(25):
        desk.phone_reply(desk.alice, page, "Snooze")
    desk.wait_incoming(26)
    desk.once()
    answers = desk.value("SELECT count(*) FROM outbox WHERE kind = 'error'")
    assert answers == 20


def test_a_responder_declares_an_incident_by_mail(desk):
    from email.message import EmailMessage
    import email.policy
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = desk.bob
    msg["To"] = desk.address
    msg["Subject"] = "DECLARE SEV2 Checkout latency above 2s"
    msg["Message-ID"] = "<declare-%s@example.com>" % desk.tag
    msg.set_content("IMPACT: 8% of card payments time out\nNEXT: scaling checkout-svc\n\n"
                    "-- \nBob\n")
    desk.write_config(security__sender_auth="none")  # no DMARC on this private stack
    desk.stack.send(msg.as_bytes(), desk.bob, [desk.address])
    desk.wait_incoming(1)
    desk.once()
    inc = desk.show(1)
    assert inc["title"] == "Checkout latency above 2s" and inc["severity"] == 2
    assert inc["commander"] == desk.bob and inc["status"] == "investigating"
    assert inc["impact"] == "8% of card payments time out"
    [page] = desk.inbox(desk.alice, 1)  # the on-call hears of it
    assert page["Subject"].startswith("[INC-1] [SEV 2] Checkout latency above 2s")
    [confirm] = desk.inbox(desk.bob, 1)
    assert "Checkout latency above 2s" in confirm["Subject"]
    desk.inbox(desk.dave, 1)  # SEV 2 reaches the stakeholders list
