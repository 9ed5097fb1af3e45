"""The status page as a stakeholder sees it on a phone: incidents come in by mail, `sevmail
status-page` writes the pages, and a real browser (headless Chromium, 390x844, mobile) shows
them. Chromium is driven over its DevTools pipe (stdlib only): the checks read what is
rendered (innerText, layout width), not the HTML source."""

import subprocess

import pytest

from browser import Browser, fits_the_phone, needs_chromium, PHONE
from story import RUN_TIMEOUT, SEVMAIL

HOSTILE = '<script>alert(1)</script> Disk full on db2 <img src=x onerror=alert(2)>'


def _status_page_wired():
    try:
        proc = subprocess.run([SEVMAIL, "status-page", "--help"], capture_output=True,
                              timeout=RUN_TIMEOUT)
    except OSError:
        return False
    return proc.returncode == 0


pytestmark = [
    pytest.mark.skipif(not _status_page_wired(), reason="status-page command not wired yet"),
    needs_chromium,
]


def test_status_page_reads_well_on_a_phone(desk, tmp_path):
    # An alert declares INC-1 (SEV 1); alice acknowledges and states the impact.
    desk.alert("alertmanager-firing.eml")
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.phone_reply(desk.alice, page, "Ack\nIMPACT: checkout failing for all users")
    desk.wait_incoming(2)
    # A monitoring mail whose subject is markup declares INC-2.
    desk.deliver(desk.monitor_mail(HOSTILE))
    desk.once()
    assert len(desk.incidents()) == 2

    out = tmp_path / "status"
    desk.run("status-page", "--output", str(out))
    assert (out / "index.html").is_file()

    with Browser() as browser:
        tab = browser.phone()
        tab.open((out / "index.html").as_uri())
        seen = tab.text()
        assert "HighErrorRate api-gateway" in seen
        assert "SEV 1" in seen
        assert "Investigating" in seen
        assert "Impact: checkout failing for all users" in seen
        assert "2 open incidents" in seen
        # the hostile title is shown as the text it is, and nothing of it became markup
        assert HOSTILE in seen
        assert tab.eval("document.scripts.length") == 0
        assert tab.eval("document.images.length") == 0
        # a phone: no sideways scrolling, readable text
        assert fits_the_phone(tab), "index.html is wider than %d px" % PHONE[0]
        assert tab.eval("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
        assert tab.screenshot(str(tmp_path / "index.png")) == PHONE

        # the incident's title leads to its own page with the timeline
        href = tab.eval("[...document.links].find(a => a.innerText.includes("
                        "'HighErrorRate api-gateway')).href")
        assert href.endswith("/inc-1.html")
        tab.open(href)
        seen = tab.text()
        assert "HighErrorRate api-gateway" in seen
        assert "SEV 1" in seen and "Investigating" in seen
        rows = tab.eval("[...document.querySelectorAll('ol.timeline li')]"
                        ".map(li => li.innerText)")
        # newest first: alice's impact, her acknowledgement, the alert's severity, the start
        assert any("Impact: checkout failing for all users" in r for r in rows), rows
        assert any("acknowledged" in r for r in rows), rows
        assert any("Severity: SEV 1" in r for r in rows), rows
        assert "Incident declared" in rows[-1], rows
        assert all("UTC" in r for r in rows), rows
        # nobody's address is published
        assert "@" not in seen
        assert fits_the_phone(tab), "inc-1.html is wider than %d px" % PHONE[0]
        tab.screenshot(str(tmp_path / "inc-1.png"))
        back = tab.eval("[...document.links].find(a => a.innerText.includes('All incidents'))"
                        ".href")
        assert back == (out / "index.html").as_uri()
