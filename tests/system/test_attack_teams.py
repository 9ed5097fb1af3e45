"""A team whose escalation names `commanders` when no responder has the role commander
(sevmail.conf(5), [team:NAME] escalation): its alerts are declared and page nobody at all.
`sevmail check`, which warns of nobody on call, says so before the night it matters."""

T = 1796220000  # Wednesday 2026-12-02 14:00 UTC


def test_check_warns_of_a_commanders_step_with_no_commanders(desk):
    desk.write_config(**{"responders__" + desk.alice: "oncall",
                         "team_ops__escalation": "commanders",
                         "team_ops__match": "subject=*ops*"})
    proc = desk.run("check")
    assert b"configuration OK" in proc.stdout
    assert (b"[team:ops] escalation: no responder has the role commander, so its "
            b"commanders step pages nobody") in proc.stderr, proc.stderr
    # what it warns of: the team's alert is declared and nobody hears of it
    desk.deliver(desk.monitor_mail("ops database down"))
    desk.clock = T
    said = desk.once().stderr.decode()
    assert "for team ops, nobody to page" in said, said
    assert desk.outbox() == []
    # with a commander, no warning
    desk.write_config(**{"responders__" + desk.alice: "oncall, commander"})
    assert b"commanders step" not in desk.run("check").stderr
