# sevmail.sieve: hands mail for sevmail to the program sevmail-ingest (in
# sieve_pipe_bin_dir, see 90-sevmail-sieve.conf), which runs `sevmail ingest`.
#
# It acts on mail whose envelope recipient is the local part of sevmail's address,
# "incidents", with or without a +detail (reply tokens, subscribe addresses). List
# addresses must be aliased to that address at the MTA; their mail arrives with it as
# the envelope recipient too.
#
# When sevmail-ingest fails (exit status not 0, for example 75 while the database is
# locked or the configuration broken), the pipe action fails, the script fails, and
# Dovecot falls back to the implicit keep: the message is stored in INBOX, and
# `sevmail run` reading that mailbox over IMAP processes it later. So keep the daemon
# pointed at this mailbox: it also sends the mail, runs the timers and retries.
#
# To keep a copy of every message in INBOX as well, write `pipe :copy "sevmail-ingest";`
# (and add "copy" to require): sevmail stores each message once (by Message-ID), so
# reading the copy again over IMAP has no second effect.
#
# Change: "incidents" to the local part of your [general] address.

require ["vnd.dovecot.pipe", "envelope", "subaddress"];

if envelope :user "to" "incidents" {
    pipe "sevmail-ingest";
    stop;
}
