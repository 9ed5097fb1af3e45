"""tests/corpus/phone-lines.tsv through the real binary: each reply, sent as a phone would
(its text on top of the quoted page), is read by `sevmail explain --json`, and the commands
it reports are the ones the row expects (the unit test test_phone_lines checks the reader
alone, notes included)."""

import json
import os
from email.message import EmailMessage
from email.utils import make_msgid

from story import CORPUS

TEXT_KINDS = {"TITLE", "IMPACT", "NEXT", "NOTE", "UPDATE", "ROOT CAUSE", "ACTION"}


def rows():
    with open(os.path.join(CORPUS, "phone-lines.tsv"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    assert lines[0] == "line\tcommands\tnotes"
    for n, line in enumerate(lines[1:], 2):
        if line and not line.startswith("#"):
            text, commands, _ = line.split("\t")
            # the C escapes g_strcompress reads; the file uses \\n and \\t
            yield n, text.replace("\\n", "\n").replace("\\t", "\t"), commands


def formatted(cmd):
    """The command as phone-lines.tsv writes it."""
    kw, arg = cmd["keyword"], cmd["argument"] or ""
    if kw == "UNKNOWN":
        s = "? " + arg
    elif kw == "SEV":
        s = "SEV" + arg
    elif kw == "DECLARE" and arg:
        s = "DECLARE SEV%s %s" % (arg[0], arg[2:])
    elif arg:
        s = kw + (": " if kw in TEXT_KINDS else " ") + arg
    else:
        s = kw
    if cmd.get("suggestion"):
        s += " -> " + cmd["suggestion"]
    if cmd.get("note"):
        s += " [%s]" % cmd["note"]
    return s


def test_every_phone_line_is_read_by_explain_as_the_corpus_says(desk):
    desk.write_config(security__sender_auth="none")
    desk.deliver(desk.monitor_mail("DiskFull db-1", "disk full on db-1\n"))
    desk.run("run", "--once")
    checked = 0
    wrong = []
    for n, text, expected in rows():
        msg = EmailMessage()
        msg["From"] = desk.alice
        msg["To"] = desk.address
        msg["Subject"] = "Re: [INC-1] DiskFull db-1"
        msg["Message-ID"] = make_msgid(domain="example.com")
        msg.set_content(text + "\n\nOn Thu, Incident Desk wrote:\n> [INC-1] DiskFull db-1\n")
        x = json.loads(desk.run("explain", "--json", "/dev/stdin", input=msg.as_bytes()).stdout)
        got = " | ".join(formatted(c) for c in x["commands"])
        if got != expected:
            wrong.append("phone-lines.tsv:%d: %r: expected %r, explain read %r"
                         % (n, text, expected, got))
        checked += 1
    assert checked >= 60
    assert wrong == []
