# sevmail: plain GNU make. `make` builds ./sevmail; `make check` runs every test;
# `make demo` plays one incident through a private mail stack. SANITIZE=1 builds with
# ASan/UBSan.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
SHAREDIR ?= $(PREFIX)/share/sevmail
MANDIR   ?= $(PREFIX)/share/man

PKGS     = glib-2.0 gmime-3.0 sqlite3 json-glib-1.0 libxml-2.0 libetpan libesmtp-1.0 gnutls openssl \
           libical libpq
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     = -Wall -Wextra -Werror -Wformat=2 -Wno-unused-parameter -Wmissing-prototypes -Wshadow
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DSEVMAIL_TEMPLATES='"$(SHAREDIR)/templates"'
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null | sed 's/-specs=[^ ]*//g')

# Objects live in build/VARIANT, so the normal and the sanitizer builds never mix.
ifeq ($(SANITIZE),1)
VARIANT  = asan
CFLAGS  += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
BIN      = build/asan/sevmail
else
VARIANT  = release
BIN      = sevmail
endif
B = build/$(VARIANT)

SRCS      = $(wildcard mailer/*.c)
OBJS      = $(patsubst mailer/%.c,$(B)/%.o,$(SRCS))
LIB_OBJS  = $(filter-out $(B)/main.o,$(OBJS))
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))

# The pure core (DESIGN.md): modules that take structs and the time and return structs. None
# calls store_*, notify_*, relay_*, imap_*, daemon_* or reads and writes files or sockets
# (gmime, libxml2, json-glib and libical are data libraries here). Left out: config.c and
# template_file.c read files, lists.c and escalate.c use the store and notify, the rest is
# the daemon, the CLI and their I/O. Unit tests and fuzz harnesses link the whole archive, so
# a core module that starts calling one of those stops linking.
CORE_SRCS = $(wildcard mailer/alert*.c mailer/command*.c mailer/html*.c mailer/bounce*.c) \
            mailer/auth.c mailer/authres.c mailer/digest.c mailer/ical.c mailer/incident.c \
            mailer/incident_merge.c mailer/mailto.c mailer/match.c mailer/mime.c \
            mailer/mime_build.c mailer/mime_headers.c mailer/mime_parts.c mailer/route.c \
            mailer/team.c \
            mailer/postmortem.c mailer/reply.c mailer/schedule.c mailer/stats.c \
            mailer/statuspage.c \
            mailer/template.c mailer/util.c mailer/view.c
CORE_OBJS = $(patsubst mailer/%.c,$(B)/%.o,$(CORE_SRCS))
CORE_LIB  = -Wl,--whole-archive $(B)/libcore.a -Wl,--no-whole-archive

# Unit tests that need the whole program rather than libcore: test_store and test_config test
# those modules, test_lists needs the configuration and the store behind lists.c, and
# test_template and test_postmortem render the installed templates/*.txt through
# template_file.c, test_kinds walks the outbox kinds' table in store_outbox.c, and
# test_escalate tests the ladder in escalate.c, which pages through the store and notify,
# test_team reads [team:] sections through config.c, and test_override reads override
# requests against a configuration (config_responder_named).
FULL_UNIT      = store plans config lists template postmortem kinds escalate team override
FULL_UNIT_BINS = $(patsubst %,$(B)/tests/test_%,$(FULL_UNIT))

all: $(BIN) $(B)/libcore.a

deps:
	@scripts/ensure-deps

$(BIN): $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

$(B)/%.o: mailer/%.c
	@mkdir -p $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libcore.a: $(CORE_OBJS)
	rm -f $@
	$(AR) rcs $@ $(CORE_OBJS)

$(B)/tests/test_%: tests/unit/test_%.c $(B)/libcore.a
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(CORE_LIB) $(PKG_LIBS)

$(FULL_UNIT_BINS): $(B)/tests/test_%: tests/unit/test_%.c $(LIB_OBJS)
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(PKG_LIBS)

# The compiled-in template directory follows PREFIX: rebuild config.o when it changes.
$(B)/.prefix: FORCE
	@mkdir -p $(B)
	@echo '$(SHAREDIR)' | cmp -s - $@ || echo '$(SHAREDIR)' > $@
$(B)/config.o: $(B)/.prefix

-include $(OBJS:.o=.d)

unit: $(UNIT_BINS)
	prove -f -e '' $(UNIT_BINS)

# The unit tests under valgrind: memory errors and definite leaks fail.
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
unit-valgrind: $(UNIT_BINS)
	prove -f -e '$(VALGRIND)' $(UNIT_BINS)

# The system tests on a SQLite file, then (system-pg) each desk on a database of its own in a
# private PostgreSQL server (tests/pgserver.py); the tests of the SQLite file itself are
# skipped there and say why.
SYSTEM_ENV = SEVMAIL=$(CURDIR)/$(BIN) SEVMAIL_CORPUS=$(CORPUS) \
             SEVMAIL_UNIT_STORE=$(CURDIR)/$(B)/tests/test_store
system: $(BIN) $(B)/tests/test_store
	$(SYSTEM_ENV) /usr/bin/python3 -m pytest -q tests/system

system-pg: $(BIN) $(B)/tests/test_store
	STORE=postgresql $(SYSTEM_ENV) /usr/bin/python3 -m pytest -q tests/system

CORPUS ?= $(CURDIR)/tests/corpus

# Everything: a short fuzzing round; unit and system tests under ASan/UBSan; the unit
# tests under valgrind; then the normal build's, the system tests on PostgreSQL and on
# SQLite, whose summary lines end the output.
check: deps
	$(MAKE) fuzz-smoke
	$(MAKE) SANITIZE=1 unit
	$(MAKE) SANITIZE=1 system
	$(MAKE) all unit-valgrind reliability-short
	$(MAKE) unit
	$(MAKE) system-pg
	$(MAKE) system

demo: deps
	$(MAKE) all
	/usr/bin/python3 scripts/demo.py

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/templates
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/sevmail
	install -m 644 templates/*.txt templates/*.html $(DESTDIR)$(SHAREDIR)/templates/
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 644 doc/sevmail.1 $(DESTDIR)$(MANDIR)/man1/sevmail.1
	install -m 644 doc/sevmail.conf.5 $(DESTDIR)$(MANDIR)/man5/sevmail.conf.5

# The man pages: errors and warnings fail; style notes do not (a reference to a manual
# that is not installed yet, such as sevmail.conf(5) before `make install`, is one).
doc-lint:
	mandoc -Tlint -W warning doc/sevmail.1 doc/sevmail.conf.5

.PHONY: doc-lint

format:
	clang-format -i mailer/*.c mailer/*.h include/*.h tests/unit/*.c tests/fuzz/*.c

clean:
	rm -rf sevmail build

.PHONY: all deps unit unit-valgrind system system-pg check demo install format clean FORCE

# --- fuzzing: libFuzzer harnesses in tests/fuzz, built with clang and ASan/UBSan into
# build/fuzz (apart from the cc objects). `make fuzz` runs each FUZZ_SECONDS (default 300),
# `make fuzz-smoke` 20 s each; findings are kept in build/fuzz/findings/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_FLAGS    = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined
FUZZ_SRCS     = $(CORE_SRCS)
FUZZ_OBJS     = $(patsubst mailer/%.c,build/fuzz/%.o,$(FUZZ_SRCS))
FUZZ_BINS     = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

build/fuzz/%.o: mailer/%.c
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(WARN) $(PKG_CFLAGS) \
		-MMD -MP -c -o $@ $<

build/fuzz/libcore.a: $(FUZZ_OBJS)
	rm -f $@
	$(AR) rcs $@ $(FUZZ_OBJS)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libcore.a
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $(WARN) $(PKG_CFLAGS) -o $@ $< \
		-Wl,--whole-archive build/fuzz/libcore.a -Wl,--no-whole-archive $(PKG_LIBS)

-include $(FUZZ_OBJS:.o=.d)

fuzz: $(FUZZ_BINS)
	tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	tests/fuzz/run 20 $(FUZZ_BINS)

fuzz-clean:
	rm -rf build/fuzz/*.o build/fuzz/*.d build/fuzz/libcore.a $(FUZZ_BINS)

.PHONY: fuzz fuzz-smoke fuzz-clean

# --- reliability: tests/reliability drives the real binary through faults (SIGKILL during a
# backlog, SMTP and IMAP outages, a busy database, a full disk), hostile mail and mail loops,
# and prints the figures it measured. About 15 minutes on 2 cores. The short parts,
# `pytest -m "not slow" tests/reliability`, are `make reliability-short` (part of make check).
RELIABILITY_FIGURES = $(CURDIR)/build/reliability-figures.txt

check-reliability: $(BIN)
	@mkdir -p build && rm -f $(RELIABILITY_FIGURES)
	SEVMAIL=$(CURDIR)/$(BIN) SEVMAIL_FIGURES=$(RELIABILITY_FIGURES) \
		/usr/bin/python3 -m pytest -q -s -rxX tests/reliability; rc=$$?; \
	echo; echo "--- figures measured (nproc $$(nproc); $$(free -h | awk '/^Mem:/ {print $$2}') RAM)"; \
	sed 's/^[0-9-]* [0-9:]* //' $(RELIABILITY_FIGURES) 2>/dev/null; exit $$rc

# the parts of it that take seconds, not minutes (make check runs them)
reliability-short: $(BIN)
	SEVMAIL=$(CURDIR)/$(BIN) /usr/bin/python3 -m pytest -q -m "not slow" tests/reliability

.PHONY: check-reliability reliability-short

# --- benchmarks: bench/run.py times ./sevmail against a private mail stack and prints one
# table (BENCHMARKS.md has the figures and the sizes to change with BENCH_* variables).
bench: deps
	$(MAKE) all
	/usr/bin/python3 bench/run.py

.PHONY: bench
