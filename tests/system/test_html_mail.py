"""What a phone shows of sevmail's mail. Every kind a person reads (page, re-page,
acknowledgement notice, confirmation, error, status mail, post-mortem) is
multipart/alternative: the complete text first, then HTML, which headless Chromium renders at
360 px: a severity badge in its colour, the spec's fields, and in a responder's mail one-tap
answers. A tap is a mail written exactly as its mailto: link says (RFC 6068, read back with
urllib.parse), sent by the responder through the real mail stack, and it acts. List mail has
no answers. An alert title that is markup stays text everywhere."""

import colorsys
import email.policy
import os
import re
import shutil
from email.message import EmailMessage
from email.utils import format_datetime, localtime, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from browser import SMALL_PHONE, Browser, needs_chromium
from story import ROOT, body_of, is_token_address, token_address

T0 = 1795701780  # 2026-11-26 14:03 UTC
HOSTILE = '<script>alert(1)</script> Disk full on db2 <img src=x onerror=alert(2)> & "x"'

# severity -> the badge's text, class and colour
BADGES = {None: ("SEV ?", "sev-none", "grey"), 1: ("SEV 1", "sev-1", "red"),
          2: ("SEV 2", "sev-2", "orange"), 3: ("SEV 3", "sev-3", "yellow")}

# What the phone shows, read from the rendered page by DevTools.
FACTS = """(() => {
  const badge = document.querySelector('.badge');
  const squash = s => s.replace(/\\s+/g, ' ').trim();
  return {
    text: document.body.innerText,
    h1: document.querySelector('h1').innerText,
    badge: badge && {classes: [...badge.classList], text: badge.innerText.trim(),
                     background: getComputedStyle(badge).backgroundColor},
    fields: Object.fromEntries([...document.querySelectorAll('dt')].map(
      dt => [squash(dt.textContent), squash(dt.nextElementSibling.textContent)])),
    links: [...document.links].map(a => ({href: a.getAttribute('href'),
                                          text: a.innerText.trim()})),
    active: document.querySelectorAll(
      'script,img,link,iframe,object,embed,video,audio,source,form,input,svg').length,
    resources: performance.getEntriesByType('resource').length,
    fonts: document.fonts.size,
    width: document.documentElement.scrollWidth,
    fontSize: parseFloat(getComputedStyle(document.body).fontSize),
  };
})()"""


def at(desk, offset):
    desk.clock = T0 + offset
    desk.once()


def latest(desk, who, kind):
    """The newest mail of an outbox kind that `who` received (by its Message-ID's number)."""
    mine = []
    for m in desk.delivered(who):
        found = re.fullmatch(r"<inc-1\.%s\.(\d+)@example\.com>" % kind, m["Message-ID"])
        if found:
            mine.append((int(found.group(1)), m))
    assert mine, "%s got no %s mail" % (who, kind)
    return max(mine, key=lambda pair: pair[0])[1]


def colour(css):
    """A CSS rgb() colour as a person names it."""
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])
    hue, saturation, _ = colorsys.rgb_to_hsv(r, g, b)
    if saturation < 0.25:
        return "grey"
    return next(name for top, name in ((15, "red"), (40, "orange"), (70, "yellow"),
                                       (345, "other"), (360, "red")) if hue * 360 < top)


def look(tab, tmp_path, msg, severity, calendar=False):
    """Checks the mail's structure and renders its HTML on a small phone: the facts, after
    what holds for every kind (badge, nothing active or fetched, fits the screen)."""
    assert msg.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in msg.iter_parts()]
    assert parts == ["text/plain", "text/html"] + (["text/calendar"] if calendar else [])
    page = tmp_path / ("%s.html" % re.sub(r"\W", "_", msg["Message-ID"]))
    page.write_text(msg.get_body(preferencelist=("html",)).get_content())
    tab.open(page.as_uri())
    facts = tab.eval(FACTS)
    # markup from the title is text: no script ran (it would have opened a dialog), no
    # element came of it, nothing was fetched, no web font
    assert not [e for e in tab.b.events if e.get("method") == "Page.javascriptDialogOpening"]
    assert (facts["active"], facts["resources"], facts["fonts"]) == (0, 0, 0)
    assert HOSTILE in facts["h1"]
    text, cls, name = BADGES[severity]
    assert facts["badge"]["text"] == text and cls in facts["badge"]["classes"]
    assert colour(facts["badge"]["background"]) == name, facts["badge"]
    assert facts["width"] <= SMALL_PHONE[0], "wider than the phone"
    assert facts["fontSize"] >= 16
    return facts


def answers(facts):
    """The one-tap answers: {button: (address, subject, body)}, each link read back as
    RFC 6068 says with urllib.parse (which would turn an unencoded '+' into a space)."""
    out = {}
    for link in facts["links"]:
        uri = urlsplit(link["href"])
        assert uri.scheme == "mailto" and not uri.fragment
        fields = parse_qs(uri.query, strict_parsing=True)
        assert sorted(fields) == ["body", "subject"]
        out[link["text"]] = (unquote(uri.path), fields["subject"][0], fields["body"][0])
    return out


def assert_answers(desk, facts, msg, buttons):
    """A responder's mail: exactly these buttons, each the answer to this mail, to the
    incident's reply token address that the mail's Reply-To carries."""
    got = answers(facts)
    assert sorted(got) == sorted(buttons)
    for button, (address, subject, body) in got.items():
        assert address == token_address(msg) and is_token_address(address, desk)
        assert subject == "Re: " + msg["Subject"]
        assert body == button


def tap(desk, who, answer, count):
    """`who` taps a button: the mail app opens with the link's address, subject and body,
    and who sends it as it is."""
    address, subject, body = answer
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = who
    msg["To"] = address
    msg["Subject"] = subject
    msg["Date"] = format_datetime(localtime())
    msg["Message-ID"] = make_msgid(domain=who.split("@")[1])
    msg.set_content(body)
    desk.stack.send(msg.as_bytes(), who, [address])
    desk.wait_incoming(count)


@needs_chromium
def test_every_mail_reads_well_on_a_phone_and_its_buttons_act(desk, tmp_path):
    desk.write_config(escalation__ack_timeout=300, escalation__repeat=1,
                      postmortem__timezone="UTC")
    desk.deliver(desk.monitor_mail(HOSTILE))
    at(desk, 0)
    with Browser() as browser:
        tab = browser.phone(*SMALL_PHONE)

        # The page: not assessed (grey), every answer offered
        page = latest(desk, desk.alice, "page")
        assert HOSTILE in body_of(page) and "one command per line" in body_of(page)
        facts = look(tab, tmp_path, page, None)
        assert facts["fields"]["Status"] == "Investigating"
        assert "Declared" in facts["fields"] and "You are on call" in facts["text"]
        assert_answers(desk, facts, page, ["ACK", "RESOLVED", "SEV1", "SEV2", "SEV3"])
        from_page = answers(facts)

        # Re-pages: alice again, then bob
        at(desk, 301)
        repage = latest(desk, desk.alice, "repage")
        facts = look(tab, tmp_path, repage, None)
        assert "Nobody has acknowledged INC-1 for 5 min" in facts["text"]
        assert "Nobody has acknowledged INC-1 for 5 min" in body_of(repage)
        assert_answers(desk, facts, repage, ["ACK", "RESOLVED", "SEV1", "SEV2", "SEV3"])
        at(desk, 602)
        bob_repage = latest(desk, desk.bob, "repage")
        assert_answers(desk, look(tab, tmp_path, bob_repage, None), bob_repage,
                       ["ACK", "RESOLVED", "SEV1", "SEV2", "SEV3"])

        # alice taps ACK on the page: acknowledged; she gets the confirmation, bob the notice
        tap(desk, desk.alice, from_page["ACK"], 2)
        at(desk, 700)
        assert desk.show(1)["status"] == "investigating"
        assert desk.show(1)["acked_by"] == desk.alice
        confirm = latest(desk, desk.alice, "confirm")
        facts = look(tab, tmp_path, confirm, None)
        assert "Done:" in facts["text"] and "Done:" in body_of(confirm)
        assert {"Impact", "Next steps", "Incident commander"} <= set(facts["fields"])
        assert_answers(desk, facts, confirm, ["RESOLVED", "SEV1", "SEV2", "SEV3"])
        notice = latest(desk, desk.bob, "notice")
        facts = look(tab, tmp_path, notice, None)
        assert "Acknowledged by" in facts["text"] and desk.alice in facts["text"]
        assert_answers(desk, facts, notice, ["RESOLVED", "SEV1", "SEV2", "SEV3"])

        # SEV3 from the confirmation: yellow; the SEV1/SEV2 list hears nothing yet, bob
        # (who took part) gets the status mail, which carries no reply token: no buttons
        tap(desk, desk.alice, answers(facts)["SEV3"], 3)
        at(desk, 800)
        assert desk.show(1)["severity"] == 3
        confirm = latest(desk, desk.alice, "confirm")
        assert_answers(desk, look(tab, tmp_path, confirm, 3), confirm,
                       ["RESOLVED", "SEV1", "SEV2"])
        bob_status = latest(desk, desk.bob, "status")
        assert look(tab, tmp_path, bob_status, 3)["links"] == []

        # a word that is no command: the error mail, with the buttons that would act
        desk.phone_reply(desk.alice, confirm, "SEV5")
        desk.wait_incoming(4)
        at(desk, 900)
        error = latest(desk, desk.alice, "error")
        facts = look(tab, tmp_path, error, 3)
        assert "Nothing was changed" in facts["text"] and "Nothing was changed" in body_of(error)
        assert_answers(desk, facts, error, ["RESOLVED", "SEV1", "SEV2"])

        # SEV2 (orange), then SEV1 (red): the list hears, and list mail has no buttons
        for n, (button, severity) in enumerate((("SEV2", 2), ("SEV1", 1))):
            tap(desk, desk.alice, answers(facts)[button], 5 + n)
            at(desk, 1000 + 100 * n)
            assert desk.show(1)["severity"] == severity
            confirm = latest(desk, desk.alice, "confirm")
            facts = look(tab, tmp_path, confirm, severity)
            status = latest(desk, desk.dave, "status")
            assert status["List-Id"] and body_of(status).startswith("Title: [SEV %d]" % severity)
            seen = look(tab, tmp_path, status, severity)
            assert seen["links"] == []
            assert seen["fields"]["Title"] == "[SEV %d] %s" % (severity, HOSTILE)
            assert seen["fields"]["Status"] == "Investigating"
            assert {"Impact", "Next Steps", "Incident commander"} <= set(seen["fields"])

        # RESOLVED: nothing left to tap
        tap(desk, desk.alice, answers(facts)["RESOLVED"], 7)
        at(desk, 1300)
        assert desk.show(1)["status"] == "resolved"
        assert look(tab, tmp_path, latest(desk, desk.alice, "confirm"), 1)["links"] == []
        status = latest(desk, desk.dave, "status")
        assert look(tab, tmp_path, status, 1)["fields"]["Status"] == "Resolved"

        # the post-mortem with its invitation: text, HTML and calendar alternatives
        desk.phone_reply(desk.alice, page, "ROOT CAUSE: disk filled by logs\n"
                         "ACTION: rotate logs\nPOSTMORTEM MEETING 2026-12-01 15:00")
        desk.wait_incoming(8)
        at(desk, 1400)
        postmortem = latest(desk, desk.dave, "postmortem")
        assert "Root Cause:" in body_of(postmortem)
        facts = look(tab, tmp_path, postmortem, 1, calendar=True)
        assert facts["links"] == []
        assert facts["fields"]["Title"] == "Post-mortem for [SEV 1] " + HOSTILE
        assert facts["fields"]["Root Cause"] == "disk filled by logs"
        assert facts["fields"]["Action Items"] == "1. rotate logs"
        assert desk.alice in facts["fields"]["Attendees"]
        assert "Date" in facts["fields"] and "Timeline (UTC)" in facts["fields"]
        assert "acknowledged" in facts["fields"]["Timeline (UTC)"].lower()
        [invite] = [p for p in postmortem.walk() if p.get_content_type() == "text/calendar"]
        assert "DTSTART:20261201T150000Z" in invite.get_content()


def own_templates(desk, tmp_path):
    own = tmp_path / "templates"
    shutil.copytree(os.path.join(ROOT, "templates"), own)
    desk.write_config(general__templates=str(own))
    return own


def test_check_names_the_file_and_line_of_a_broken_html_template(desk, tmp_path):
    own = own_templates(desk, tmp_path)
    lines = (own / "page.html").read_text().split("\n")
    lines[2] += "{{pager_number}}"
    (own / "page.html").write_text("\n".join(lines))
    proc = desk.run("check", check=False)
    assert proc.returncode == 2
    assert "page.html:3: unknown placeholder 'pager_number'" in proc.stderr.decode()
    # the HTML is only the text's alternative: the page still goes out, as text, and says why
    desk.deliver(desk.monitor_mail(HOSTILE))
    run = desk.once()
    [page] = desk.inbox(desk.alice, 1)
    assert page.get_content_type() == "text/plain" and HOSTILE in body_of(page)
    assert b"page mail sent as text only" in run.stderr and b"page.html:3" in run.stderr


def test_without_its_html_template_a_mail_is_text_only(desk, tmp_path):
    own = own_templates(desk, tmp_path)
    (own / "page.html").unlink()
    assert desk.run("check").returncode == 0
    desk.deliver(desk.monitor_mail(HOSTILE))
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    assert page.get_content_type() == "text/plain"
    assert HOSTILE in body_of(page)
