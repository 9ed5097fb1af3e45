"""Bad input gets a clear error and loses nothing: hostile mail, config mistakes."""

import glob
import os

from story import CORPUS, Desk


def test_hostile_and_broken_mail_is_stored_and_nothing_crashes(desk):
    files = sorted(glob.glob(os.path.join(CORPUS, "bad", "*.eml")))
    assert len(files) >= 16
    proc = desk.run("ingest", "--no-send", *files, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    stored = desk.value("SELECT count(*) FROM messages")
    # bad/empty.eml has no bytes at all; it is stored as an unreadable message too
    assert stored == len(files)
    reasons = dict(desk.query("SELECT hash, reason FROM messages WHERE route = 'other'"))
    assert all(reasons.values()), "every message without effect says why"
    assert desk.intact()
    # SQL and template markers in a title are kept literally, never run or expanded
    titles = [t for (t,) in desk.query("SELECT title FROM incidents")]
    for title in titles:
        assert "\r" not in title and "\n" not in title


def test_the_same_file_twice_has_one_effect(desk):
    desk.write_config(alerts__senders="alertmanager@example.com")
    path = os.path.join(CORPUS, "alerts", "alertmanager-firing.eml")
    desk.run("ingest", "--no-send", path)
    desk.run("ingest", "--no-send", path)
    assert len(desk.incidents()) == 1
    assert desk.value("SELECT count(*) FROM messages") == 1


def test_unknown_key_is_an_error_that_names_it(mailstack, unique, tmp_path):
    desk = Desk(mailstack, str(tmp_path / "d"), unique, imap__pollinterval="5")
    proc = desk.run("check", check=False)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "[imap] pollinterval" in err and "unknown key" in err
    assert desk.config in err


def test_bad_value_is_an_error_that_names_the_key(mailstack, unique, tmp_path):
    desk = Desk(mailstack, str(tmp_path / "d"), unique, smtp__port="smtp")
    proc = desk.run("check", check=False)
    assert proc.returncode == 2
    assert "[smtp] port: 'smtp' is not a whole number" in proc.stderr.decode()


def test_missing_secret_file_is_reported(mailstack, unique, tmp_path):
    desk = Desk(mailstack, str(tmp_path / "d"), unique,
                general__secret_file=str(tmp_path / "nope"))
    proc = desk.run("check", check=False)
    assert proc.returncode == 2
    assert "[general] secret_file: cannot read" in proc.stderr.decode()


def test_check_accepts_a_good_configuration(desk):
    proc = desk.run("check")
    assert desk.check_says(proc.stdout) == "configuration OK\n"


def test_unreachable_imap_server_is_a_runtime_error_not_a_crash(mailstack, unique, tmp_path):
    desk = Desk(mailstack, str(tmp_path / "d"), unique, imap__port="1")
    proc = desk.run("run", "--once", check=False)
    assert proc.returncode == 1
    assert "127.0.0.1" in proc.stderr.decode()


def test_unknown_command_is_a_usage_error(desk):
    proc = desk.run("frobnicate", check=False)
    assert proc.returncode == 2
    assert "unknown command 'frobnicate'" in proc.stderr.decode()


def test_example_configuration_passes_check(tmp_path):
    import subprocess
    from story import ROOT, SEVMAIL
    secret = tmp_path / "secret"
    secret.write_text("0123456789abcdef0123456789abcdef\n")
    (tmp_path / "imap-password").write_text("pw\n")
    # as the README's steps make them: nobody but the owner (and group) reads secrets
    os.chmod(secret, 0o600)
    os.chmod(tmp_path / "imap-password", 0o640)
    text = open(os.path.join(ROOT, "contrib", "sevmail.conf.example")).read()
    text = (text.replace("/etc/sevmail/secret", str(secret))
                .replace("/etc/sevmail/imap-password", str(tmp_path / "imap-password"))
                .replace("/var/lib/sevmail/sevmail.db", str(tmp_path / "db"))
                .replace("/usr/local/share/sevmail/templates", os.path.join(ROOT, "templates")))
    conf = tmp_path / "sevmail.conf"
    conf.write_text(text)
    proc = subprocess.run([SEVMAIL, "-c", str(conf), "check"], capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == "configuration OK\n"
    assert proc.stderr.decode() == ""
    # the database it created is the owner's alone
    assert os.stat(tmp_path / "db").st_mode & 0o077 == 0


def test_check_warns_about_a_secret_anyone_may_read(tmp_path):
    import subprocess
    from story import ROOT, SEVMAIL
    secret = tmp_path / "secret"
    secret.write_text("0123456789abcdef0123456789abcdef\n")
    os.chmod(secret, 0o644)
    conf = tmp_path / "sevmail.conf"
    conf.write_text("[general]\naddress = i@example.com\nsecret_file = %s\n"
                    "database = %s\ntemplates = %s\n[responders]\na@example.com = oncall\n"
                    % (secret, tmp_path / "db", os.path.join(ROOT, "templates")))
    proc = subprocess.run([SEVMAIL, "-c", str(conf), "check"], capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "the secret file %s has mode 0644" % secret in proc.stderr.decode()
    assert "chmod o-rwx" in proc.stderr.decode()


def test_make_install_installs_a_working_tree(tmp_path):
    import subprocess
    from story import ROOT
    dest = tmp_path / "root"
    # the default PREFIX, so that installing does not rebuild the binary other tests run
    subprocess.run(["make", "-s", "-C", ROOT, "install", "DESTDIR=%s" % dest],
                   check=True, capture_output=True)
    binary = dest / "usr" / "local" / "bin" / "sevmail"
    assert binary.exists()
    for kind in ("page", "confirm", "error", "help", "status"):
        assert (dest / "usr" / "local" / "share" / "sevmail" / "templates" / (kind + ".txt")).exists()
    proc = subprocess.run([str(binary), "--help"], capture_output=True)
    assert proc.returncode == 0 and b"subscribe" in proc.stdout


def test_plain_text_is_refused_off_this_machine(mailstack, unique, tmp_path):
    desk = Desk(mailstack, str(tmp_path / "d"), unique, imap__host="imap.example.com")
    proc = desk.run("check", check=False)
    assert proc.returncode == 2
    assert "[imap] security: none sends the password in clear text" in proc.stderr.decode()
    desk.write_config(imap__host="imap.example.com", security__allow_insecure="true")
    assert desk.run("check").returncode == 0


def test_check_connect_tries_the_servers(desk):
    ok = desk.run("check", "--connect")
    assert b"the IMAP and SMTP servers answer" in ok.stdout
    desk.write_config(smtp__port=1)
    bad = desk.run("check", "--connect", check=False)
    assert bad.returncode == 1 and b"SMTP server 127.0.0.1:1" in bad.stderr
    desk.write_config(imap__password="wrong")
    bad = desk.run("check", "--connect", check=False)
    assert bad.returncode == 1 and b"IMAP login" in bad.stderr


def test_check_warns_about_nobody_on_call(mailstack, unique, tmp_path):
    desk = Desk(mailstack, str(tmp_path / "d"), unique)
    with open(desk.config) as f:
        text = f.read().replace("oncall, commander", "commander").replace("= oncall", "= responder")
    with open(desk.config, "w") as f:
        f.write(text)
    proc = desk.run("check")
    assert b"no responder has the role oncall" in proc.stderr


def test_check_names_the_file_and_line_of_an_unknown_placeholder(desk, tmp_path):
    import shutil
    from story import ROOT
    own = tmp_path / "templates"
    shutil.copytree(os.path.join(ROOT, "templates"), own)
    lines = (own / "status.txt").read_text().split("\n")
    lines[4] += " {{subscriber_count}}"
    (own / "status.txt").write_text("\n".join(lines))
    desk.write_config(general__templates=str(own))
    proc = desk.run("check", check=False)
    assert proc.returncode == 2
    assert "status.txt:5: unknown placeholder 'subscriber_count'" in proc.stderr.decode()
