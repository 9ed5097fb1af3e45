"""A phone's browser for the system tests: headless Chromium (Debian's chromium) driven over
its DevTools pipe with the standard library only, emulating a phone's screen. Tests read what
is rendered (innerText, computed styles, layout width), not the HTML source."""

import base64
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import time

import pytest

PHONE = (390, 844)
# the narrowest phones in common use
SMALL_PHONE = (360, 740)
# How long to wait at most for one answer of Chromium's (its start included): a deadline
# for a loaded machine, not a measure of speed.
DEVTOOLS_TIMEOUT = 120

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (scripts/ensure-deps installs it)")


class Browser:
    """Headless Chromium with --remote-debugging-pipe: DevTools commands as NUL-terminated
    JSON on fd 3, answers and events on fd 4."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="sevmail-chromium-")
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()

        def child_fds():
            # dup first: dup2 onto the same number would keep close-on-exec
            a, b = os.dup(to_r), os.dup(from_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--hide-scrollbars",
             "--user-data-dir=" + self.profile, "--remote-debugging-pipe", "about:blank"],
            close_fds=False, preexec_fn=child_fds, start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self.out = os.fdopen(to_w, "wb", buffering=0)
        self.inp = from_r
        self.buf = b""
        self.last_id = 0
        self.events = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.out.close()
        os.close(self.inp)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _receive(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            if select.select([self.inp], [], [], left)[0]:
                chunk = os.read(self.inp, 65536)
                if not chunk:
                    raise EOFError("chromium exited")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, session=None, timeout=DEVTOOLS_TIMEOUT, **params):
        self.last_id += 1
        msg = {"id": self.last_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self.out.write(json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self.last_id:
                if "error" in answer:
                    raise RuntimeError("%s: %s" % (method, answer["error"]))
                return answer.get("result", {})
            self.events.append(answer)

    def wait_event(self, name, timeout=DEVTOOLS_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == name:
                    return self.events.pop(i)
            self.events.append(self._receive(deadline))

    def phone(self, width=PHONE[0], height=PHONE[1]):
        return Tab(self, width, height)


class Tab:
    """One page, emulating a phone: a mobile viewport honours <meta name=viewport>, and
    without it lays the page out 980 px wide."""

    def __init__(self, browser, width, height):
        self.b = browser
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        self.s = browser.send("Target.attachToTarget", targetId=target,
                              flatten=True)["sessionId"]
        browser.send("Page.enable", self.s)
        browser.send("Emulation.setDeviceMetricsOverride", self.s, width=width, height=height,
                     deviceScaleFactor=1, mobile=True)

    def open(self, url):
        self.b.events.clear()
        self.b.send("Page.navigate", self.s, url=url)
        self.b.wait_event("Page.loadEventFired")

    def eval(self, expression):
        """Evaluated by DevTools, not by the page (which allows no scripts)."""
        result = self.b.send("Runtime.evaluate", self.s, expression=expression,
                             returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def text(self):
        return self.eval("document.body.innerText")

    def screenshot(self, path):
        data = self.b.send("Page.captureScreenshot", self.s, format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        with open(path, "rb") as f:
            head = f.read(24)
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        return struct.unpack(">II", head[16:24])


def fits_the_phone(tab, width=PHONE[0]):
    """No sideways scrolling: nothing is laid out wider than the phone."""
    return tab.eval("document.documentElement.scrollWidth") <= width
