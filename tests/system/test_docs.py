"""The operator's documentation cannot drift from the program: the man pages lint clean,
document every configuration key and every command and option, their examples run (the
configurations in sevmail.conf(5) pass `sevmail check`, the commands in sevmail(1)'s
EXAMPLES run against a real desk), `make install` installs them, and the contrib files
pass the checks of their own tools where those are installed.

(contrib/sevmail.conf.example passing `check` is test_input_errors.py's
test_example_configuration_passes_check.)"""

import glob
import os
import re
import shlex
import shutil
import subprocess

import pytest

from story import ROOT, RUN_TIMEOUT, SEVMAIL

MAN1 = os.path.join(ROOT, "doc", "sevmail.1")
MAN5 = os.path.join(ROOT, "doc", "sevmail.conf.5")
EXAMPLE_CONF = os.path.join(ROOT, "contrib", "sevmail.conf.example")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def unescape(text):
    """Roff source text as the reader sees it: \\- is a minus, \\& nothing, \\e a
    backslash."""
    return text.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\")


def c_table(source, start):
    """The text of a C array initializer that starts with `start`, up to its `};`."""
    begin = source.index(start)
    return source[begin:source.index("};", begin)]


def config_keys():
    """(group, key) of every entry of mailer/config.c's keys[] table."""
    table = c_table(read(os.path.join(ROOT, "mailer", "config.c")),
                    "static const struct key keys[]")
    keys = re.findall(r'\{\s*"(\w+)",\s*"(\w+)",', table)
    assert len(keys) > 30, "the keys[] table was not found where expected"
    return keys


def list_keys():
    """The keys of a [list:NAME] section, from config_load_list()'s known[] array."""
    source = read(os.path.join(ROOT, "mailer", "config_sections.c"))
    body = source[source.index("config_load_list("):]
    known = re.search(r"known\[\]\s*=\s*\{([^}]*)\}", body).group(1)
    return re.findall(r'"(\w+)"', known)


def known_keys(file, function):
    """The keys in the known[] array of function() in mailer/file."""
    source = read(os.path.join(ROOT, "mailer", file))
    body = source[source.index(function + "("):]
    known = re.search(r"known\[\]\s*=\s*\{([^}]*)\}", body).group(1)
    return re.findall(r'"(\w+)"', known)


def schedule_keys():
    """The keys of a [schedule:NAME] section."""
    return known_keys("config_schedules.c", "config_load_schedule")


def team_keys():
    """The keys of a [team:NAME] section."""
    return known_keys("config_teams.c", "team_keys_known")


def heartbeat_keys():
    """The keys of a [heartbeat:NAME] section."""
    return known_keys("config_heartbeats.c", "heartbeat_keys_known")


def person_keys():
    """The keys of a [person:ADDRESS] section."""
    return known_keys("config_people.c", "config_load_person")


def cli_source():
    """The command line's source: mailer/main.c and the mailer/cli*.{c,h} it dispatches to."""
    paths = [os.path.join(ROOT, "mailer", "main.c")] + sorted(
        glob.glob(os.path.join(ROOT, "mailer", "cli*.[ch]")))
    return "\n".join(read(path) for path in paths)


def subcommands():
    """The name of every subcommand entry (`struct cli_cmd`, `.name = "..."`)."""
    names = re.findall(r'\.name\s*=\s*"([a-z][a-z-]*)",', cli_source())
    assert len(names) >= 10, "the command entries were not found where expected"
    return names


def long_options():
    """Every long option of a GOptionEntry of the command line."""
    return sorted(set(re.findall(r'\{\s*"([a-z][a-z-]*)",\s*(?:\'.\'|0),\s*0,\s*G_OPTION_ARG',
                                 cli_source())))


def sections(man, macro):
    """{heading: [lines]} for each `.Sh`/`.Ss` heading of a man page source."""
    out, current = {}, None
    for line in man.splitlines():
        if line.startswith(macro + " "):
            current = unescape(line[len(macro) + 1:]).strip()
            out[current] = []
        elif line.startswith(".Sh ") and macro != ".Sh":
            current = None
        elif current is not None:
            out[current].append(line)
    return out


def items(lines, macro=".It Cm "):
    """The first word of each list item `.It Cm word ...` of the given lines."""
    return [unescape(line[len(macro):]).split()[0] for line in lines if line.startswith(macro)]


# --- lint and rendering ----------------------------------------------------------------


@pytest.mark.skipif(shutil.which("mandoc") is None,
                    reason="mandoc is not installed (Debian package mandoc)")
def test_man_pages_lint_clean():
    # Errors and warnings: none at all.
    proc = subprocess.run(["mandoc", "-Tlint", "-W", "warning", MAN1, MAN5],
                          capture_output=True, text=True)
    assert (proc.returncode, proc.stdout + proc.stderr) == (0, "")
    # Style notes: the only ones allowed say that a manual referenced with .Xr is not
    # installed on this machine (sevmail(1) and sevmail.conf(5) themselves until `make
    # install`, systemd.exec(5) where systemd's pages are left out). mandoc looks those
    # up in /usr/share/man only, whatever MANPATH says, and adds a note when its own
    # database there is out of date. Neither says anything about the pages.
    proc = subprocess.run(["mandoc", "-Tlint", MAN1, MAN5], capture_output=True, text=True)
    notes = [line for line in (proc.stdout + proc.stderr).splitlines()
             if "referenced manual not found" not in line and "mandoc.db" not in line]
    assert notes == []


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_man_pages_render_without_warnings():
    # man(1) on Debian formats with groff: it must not complain either.
    for page in (MAN1, MAN5):
        proc = subprocess.run(["groff", "-mdoc", "-ww", "-z", "-Tutf8", page],
                              capture_output=True, text=True)
        assert (proc.returncode, proc.stderr) == (0, ""), page


# --- nothing undocumented --------------------------------------------------------------


def test_every_configuration_key_is_documented_in_its_section():
    documented = {heading.split()[-1].strip("[]"): items(lines)
                  for heading, lines in sections(read(MAN5), ".Ss").items()
                  if heading.startswith("Ic [")}
    missing = ["[%s] %s" % (g, k) for g, k in config_keys() if k not in documented.get(g, [])]
    assert missing == [], "keys of mailer/config.c missing from doc/sevmail.conf.5"
    assert "responders" in documented
    assert sorted(documented["list:NAME"]) == sorted(list_keys())
    assert sorted(documented["schedule:NAME"]) == sorted(schedule_keys())
    assert sorted(documented["team:NAME"]) == sorted(team_keys())
    assert sorted(documented["heartbeat:NAME"]) == sorted(heartbeat_keys())
    assert sorted(documented["person:ADDRESS"]) == sorted(person_keys())
    # and nothing documented that the program does not know
    known = set(config_keys()) | {("list:NAME", k) for k in list_keys()} | {
        ("schedule:NAME", k) for k in schedule_keys()} | {
        ("team:NAME", k) for k in team_keys()} | {
        ("heartbeat:NAME", k) for k in heartbeat_keys()} | {
        ("person:ADDRESS", k) for k in person_keys()}
    extra = ["[%s] %s" % (g, k) for g, ks in documented.items() for k in ks
             if (g, k) not in known]
    assert extra == [], "doc/sevmail.conf.5 documents keys mailer/config.c does not have"


def test_the_example_configuration_shows_every_key():
    shown, group = set(), None
    for line in read(EXAMPLE_CONF).splitlines():
        m = re.match(r"\[([\w:.@+-]+)\]$", line)
        if m:
            # every [schedule:NAME] counts as the one schedule section, and so on
            group = re.sub(r"^(schedule|team|list|heartbeat):.*", r"\1:NAME", m.group(1))
            group = re.sub(r"^person:.*", "person:ADDRESS", group)
            continue
        m = re.match(r"#?(\w+) = ", line)
        if m and group is not None:
            shown.add((group, m.group(1)))
    missing = ["[%s] %s" % key for key in config_keys() if key not in shown]
    missing += ["[schedule:NAME] %s" % k for k in schedule_keys()
                if ("schedule:NAME", k) not in shown]
    missing += ["[team:NAME] %s" % k for k in team_keys() if ("team:NAME", k) not in shown]
    missing += ["[heartbeat:NAME] %s" % k for k in heartbeat_keys()
                if ("heartbeat:NAME", k) not in shown]
    missing += ["[list:NAME] %s" % k for k in list_keys() if ("list:NAME", k) not in shown]
    missing += ["[person:ADDRESS] %s" % k for k in person_keys()
                if ("person:ADDRESS", k) not in shown]
    assert missing == [], "keys missing from contrib/sevmail.conf.example"


def test_every_command_and_option_is_documented():
    man = read(MAN1)
    documented = items(sections(man, ".Ss")["Commands"])
    assert sorted(set(documented)) == sorted(set(subcommands()))
    text = unescape(man)
    # .Fl prints one dash itself: `.Fl \-once` is --once
    missing = [o for o in long_options() if not re.search(r"Fl -%s\b" % o, text)]
    assert missing == [], "options of mailer/main.c missing from doc/sevmail.1"


def test_every_exit_status_is_documented():
    source = cli_source()
    section = sections(read(MAN1), ".Sh")["EXIT STATUS"]
    codes = {"0": "0"}
    codes.update((m.group(2), m.group(1))
                 for m in re.finditer(r"#define EXIT_(\w+) (\d+)", source))
    for code in codes:
        assert ".It %s" % code in section, "exit status %s" % code
    # ingest on standard input speaks sysexits.h
    for name, code in (("EX_TEMPFAIL", 75), ("EX_IOERR", 74)):
        if name in source:
            assert ".It %d Pq Dv %s" % (code, name) in section, name


# --- the examples run ------------------------------------------------------------------


def examples(man):
    """The command lines of the EXAMPLES section, as a reader would type them."""
    return [unescape(line[len(".Dl "):]).strip()
            for line in sections(man, ".Sh")["EXAMPLES"] if line.startswith(".Dl ")]


def runnable(line, config, www):
    """An example `sevmail ...` line for the shell, with this build's binary, the given
    configuration file, and the directory www for the status page of /var/www."""
    rest = line[len("sevmail"):].replace("/var/www/", www.rstrip("/") + "/")
    given = re.search(r"(?:^|\s)(?:-c\s+|--config=)(\S+)", rest)
    if given:
        assert given.group(1) == "/etc/sevmail/sevmail.conf", line
        rest = rest.replace(given.group(1), shlex.quote(config))
    else:
        rest = " -c %s%s" % (shlex.quote(config), rest)
    return shlex.quote(SEVMAIL) + rest


def test_every_example_command_runs(desk, tmp_path):
    lines = [line for line in examples(read(MAN1)) if line.split()[0] == "sevmail"]
    assert len(lines) >= 10
    # The examples speak of incident 1, outbox message 1, the list "stakeholders", a
    # saved message alert.eml, the schedule payments-primary with carol a responder, and
    # a December 2026 still to come: make them exist. (A status page goes to tmp_path/www.)
    desk.clock = 1795701780  # 2026-11-26 14:03 UTC
    desk.write_config(**{
        "responders__carol@example.com": "commander",
        "schedule_payments-primary__time_zone": "Europe/Berlin",
        "schedule_payments-primary__rotation": "%s, %s" % (desk.alice, desk.bob),
        "schedule_payments-primary__start": "2026-11-30 09:00",
        "schedule_payments-primary__shift": "1w"})
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    assert desk.show(1)["id"] == 1
    (tmp_path / "alert.eml").write_bytes(
        desk.monitor_mail("disk full on db-primary-01", "/var is 100% full\n"))
    for line in lines:
        proc = subprocess.run(runnable(line, desk.config, str(tmp_path / "www")), shell=True,
                              cwd=str(tmp_path), env=desk.env(),
                              capture_output=True, timeout=RUN_TIMEOUT)
        assert proc.returncode == 0, "%s exited %d:\n%s%s" % (
            line, proc.returncode, proc.stdout.decode(errors="replace"),
            proc.stderr.decode(errors="replace"))


def test_the_configurations_in_sevmail_conf_5_pass_check(tmp_path):
    blocks, block = [], None
    for line in sections(read(MAN5), ".Sh")["EXAMPLES"]:
        if line.startswith(".Bd -literal"):
            block = []
        elif line.startswith(".Ed"):
            blocks.append("\n".join(block) + "\n")
            block = None
        elif block is not None:
            block.append(unescape(line))
    assert len(blocks) >= 1
    for n, text in enumerate(blocks):
        # every file it names exists, with content that passes for a secret or password
        for path in sorted(set(re.findall(r"/etc/sevmail/[\w.-]+", text))):
            local = tmp_path / ("%d-%s" % (n, os.path.basename(path)))
            local.write_text("0123456789abcdef0123456789abcdef\n")
            text = text.replace(path, str(local))
        # the database and the templates of this test, also where the defaults are used
        text = re.sub(r"^(database|templates) = .*\n", "", text, flags=re.M)
        text = text.replace("[general]\n", "[general]\ndatabase = %s\ntemplates = %s\n" % (
            tmp_path / ("%d.db" % n), os.path.join(ROOT, "templates")))
        conf = tmp_path / ("%d.conf" % n)
        conf.write_text(text)
        proc = subprocess.run([SEVMAIL, "-c", str(conf), "check"], capture_output=True)
        assert proc.returncode == 0, proc.stderr.decode()
        assert proc.stdout == b"configuration OK\n"


# --- installation ----------------------------------------------------------------------


def test_make_install_installs_the_man_pages(tmp_path):
    dest = tmp_path / "root"
    # the default PREFIX, so that installing does not rebuild the binary other tests run
    subprocess.run(["make", "-s", "-C", ROOT, "install", "DESTDIR=%s" % dest],
                   check=True, capture_output=True)
    man = dest / "usr" / "local" / "share" / "man"
    for installed, source in ((man / "man1" / "sevmail.1", MAN1),
                              (man / "man5" / "sevmail.conf.5", MAN5)):
        assert installed.read_bytes() == open(source, "rb").read()
        assert oct(installed.stat().st_mode & 0o777) == "0o644"
    # the templates, text and HTML
    templates = dest / "usr" / "local" / "share" / "sevmail" / "templates"
    for name in os.listdir(os.path.join(ROOT, "templates")):
        assert (templates / name).read_bytes() == \
            open(os.path.join(ROOT, "templates", name), "rb").read(), name
    assert (templates / "page.html").is_file() and (templates / "short_page.txt").is_file()


# --- contrib, checked by the tools they are for ----------------------------------------


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed")
def test_the_systemd_unit_verifies(tmp_path):
    unit = read(os.path.join(ROOT, "contrib", "sevmail.service"))
    assert "ExecStartPre=/usr/local/bin/sevmail -c /etc/sevmail/sevmail.conf check" in unit
    # this build's binary instead of the installed one, which verify wants to exist
    (tmp_path / "sevmail.service").write_text(unit.replace("/usr/local/bin/sevmail", SEVMAIL))
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no",
                           str(tmp_path / "sevmail.service")], capture_output=True, text=True)
    assert (proc.returncode, proc.stdout + proc.stderr) == (0, "")


@pytest.mark.skipif(shutil.which("sievec") is None,
                    reason="sievec is not installed (Debian package dovecot-sieve)")
def test_the_sieve_script_compiles(tmp_path):
    conf = tmp_path / "dovecot.conf"
    conf.write_text("base_dir = %s\nstate_dir = %s\nlog_path = /dev/stderr\nssl = no\n"
                    "protocols =\n!include %s\n" % (
                        tmp_path / "run", tmp_path / "state",
                        os.path.join(ROOT, "contrib", "dovecot", "90-sevmail-sieve.conf")))
    proc = subprocess.run(["sievec", "-c", str(conf),
                           os.path.join(ROOT, "contrib", "dovecot", "sevmail.sieve"),
                           str(tmp_path / "sevmail.svbin")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_sender_configurations_are_valid_yaml():
    yaml = pytest.importorskip("yaml", reason="python3-yaml is not installed")
    with open(os.path.join(ROOT, "contrib", "alertmanager.yml")) as f:
        am = yaml.safe_load(f)
    [receiver] = [r for r in am["receivers"] if r["name"] == am["route"]["receiver"]]
    assert receiver["email_configs"] == [{"to": "incidents@example.com", "send_resolved": True}]
    with open(os.path.join(ROOT, "contrib", "grafana-contact-point.yaml")) as f:
        grafana = yaml.safe_load(f)
    [point] = grafana["contactPoints"]
    assert point["receivers"][0]["type"] == "email"
    assert point["receivers"][0]["settings"]["addresses"] == "incidents@example.com"
    assert point["receivers"][0]["disableResolveMessage"] is False
