"""Every reply in the shared corpus, read the way sevmail reads it: `explain --json` says
how, `ingest` then applies it, and `show --json` shows the effect. The configuration is
the one corpus/README.md assumes; INC-1 is declared from alerts/alertmanager-firing.eml
first, and the leaked token in the corpus is replaced by INC-1's real one."""

import base64
import csv
import hashlib
import hmac
import json
import os
import subprocess

import pytest

from story import CORPUS, ROOT, RUN_TIMEOUT, SEVMAIL

SECRET = "corpus-test-secret-0123456789abcdef"
CONFIG = """\
[general]
address = incidents@example.com
name = Incident Desk
database = {dir}/sevmail.db
templates = {root}/templates
secret_file = {dir}/secret

[imap]
security = none

[smtp]
security = none
port = 1

[responders]
alice@example.com = oncall, commander
bob@example.com = oncall
carol@example.com = oncall

[security]
sender_auth = token-or-dmarc
authserv_id = mx.example.com

[alerts]
senders = alertmanager@example.com, grafana@example.com, zabbix@example.com, \
uptime-kuma@example.com, *@monitoring.example.com, icinga@icinga-muc-01.example.com, \
alert@dtdg.example.net, no-reply@sns.aws.example.net
severity_map = critical:1, warning:3

[list:stakeholders]
address = stakeholders@example.com
severities = 1,2
policy = confirm
domains = example.com, example.net
"""


def rows(kind):
    with open(os.path.join(CORPUS, "expected.tsv")) as f:
        return [r for r in csv.DictReader(f, delimiter="\t") if r["kind"] == kind]


def token(incident):
    digest = hmac.new(SECRET.encode(), b"incident:%d" % incident, hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


class Corpus:
    def __init__(self, path):
        self.dir = str(path)
        with open(os.path.join(self.dir, "secret"), "w") as f:
            f.write(SECRET + "\n")
        self.config = os.path.join(self.dir, "sevmail.conf")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(dir=self.dir, root=ROOT))

    def run(self, *args, input=None):
        proc = subprocess.run([SEVMAIL, "-c", self.config] + list(args), input=input,
                              capture_output=True, timeout=RUN_TIMEOUT)
        assert proc.returncode == 0, proc.stderr.decode()
        return proc.stdout

    def mail(self, name):
        with open(os.path.join(CORPUS, name), "rb") as f:
            raw = f.read()
        return raw.replace(b"incidents+1-k3j5h2m9qa@", b"incidents+1-%s@" % token(1).encode())

    def explain(self, name):
        return json.loads(self.run("explain", "--json", "/dev/stdin", input=self.mail(name)))

    def ingest(self, name):
        self.run("ingest", "--no-send", input=self.mail(name))

    def show(self, incident=1):
        return json.loads(self.run("show", str(incident), "--json"))


def written(command):
    """A command as the corpus table writes it."""
    k, a = command["keyword"], command["argument"]
    if k == "SEV":
        return "SEV" + a
    if k in ("TITLE", "IMPACT", "NEXT", "NOTE", "UPDATE", "ROOT CAUSE", "ACTION"):
        return "%s: %s" % (k, a)
    if k == "DECLARE":
        sev, _, title = a.partition(" ")
        return "DECLARE SEV%s %s" % (sev, title)
    return (k + " " + a).strip()


@pytest.mark.parametrize("row", rows("reply"), ids=lambda r: r["file"])
def test_reply(row, tmp_path):
    c = Corpus(tmp_path)
    c.ingest("alerts/alertmanager-firing.eml")
    before = c.show()
    x = c.explain(row["file"])
    outcome = row["outcome"].split(":")[0].split()[0]
    want = [w.strip() for w in row["commands"].split("|") if w.strip()]
    if outcome in ("apply", "note", "new-incident", "error-reply", "refused"):
        assert x["authorized"], x
        got = [written(cmd) for cmd in x["commands"] if cmd["keyword"] != "UNKNOWN"]
        assert got == want, x["new_text"]
    if outcome == "ignore":
        assert x["route"] == "ignored", x
    if outcome == "reject":
        assert x["route"] == "reply" and not x["authorized"], x
    if outcome == "new-incident":
        assert x["route"] == "declare"
    if outcome == "error-reply":
        assert [cmd["keyword"] for cmd in x["commands"]] == ["UNKNOWN"]

    # explain changed nothing; ingest applies it
    assert c.show() == before
    c.ingest(row["file"])
    after = c.show()
    kinds = [e["kind"] for e in after["events"][len(before["events"]):]]
    if outcome in ("ignore", "error-reply", "refused"):
        assert kinds == [] and after["status"] == before["status"]
    if outcome == "reject":
        assert kinds == ["rejected"] and after["status"] == "triggered"
    if outcome == "note":
        assert kinds == ["note"]
    if outcome == "new-incident":
        inc = c.show(2)
        assert inc["severity"] == 2 and inc["title"] == "Checkout latency above 2s"
        assert inc["impact"] and inc["next_steps"]
        assert inc["acked_by"] == "alice@example.com"
    if row["file"].endswith("iphone-ack.eml"):
        assert after["acked_by"] == after["commander"] == "alice@example.com"
    if row["file"].endswith("samsung-ic-me.eml"):
        assert after["commander"] == "bob@example.com"
    if row["file"].endswith("resolved-signature-thunderbird.eml"):
        assert after["status"] == "resolved"


@pytest.mark.parametrize("row", rows("alert"), ids=lambda r: r["file"])
def test_alert(row, tmp_path):
    c = Corpus(tmp_path)
    x = c.explain(row["file"])
    assert x["route"] == "alert", x
    assert x["alert"]["source"] == row["source"]
    assert x["alert"]["state"] == row["state"]
    if row["state"] == "firing":
        c.ingest(row["file"])
        inc = c.show(1)
        assert inc["source"] == row["source"]
        assert inc["fingerprint"] == x["alert"]["fingerprint"]


def test_firing_repeat_and_recovery_share_one_incident(tmp_path):
    c = Corpus(tmp_path)
    for name in ("alertmanager-firing.eml", "alertmanager-firing-repeat.eml",
                 "alertmanager-resolved.eml"):
        c.ingest("alerts/" + name)
    inc = c.show(1)
    kinds = [e["kind"] for e in inc["events"]]
    assert kinds.count("declared") == 1 and kinds.count("paged") == 1
    assert "alert_repeat" in kinds and "alert_resolved" in kinds
    assert inc["status"] == "triggered"  # auto_resolve is off by default
    assert json.loads(c.run("list", "--all", "--json"))[0]["id"] == 1
