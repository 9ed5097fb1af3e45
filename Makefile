# sevmail: plain GNU make. `make` builds ./sevmail; `make check` runs every test;
# `make demo` plays one incident through a private mail stack. SANITIZE=1 builds with
# ASan/UBSan.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
SHAREDIR ?= $(PREFIX)/share/sevmail
MANDIR   ?= $(PREFIX)/share/man

PKGS     = glib-2.0 gmime-3.0 sqlite3 json-glib-1.0 libxml-2.0 libetpan libesmtp-1.0
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     = -Wall -Wextra -Werror -Wformat=2 -Wno-unused-parameter
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DSEVMAIL_TEMPLATES='"$(SHAREDIR)/templates"'
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null | sed 's/-specs=[^ ]*//g')

ifeq ($(SANITIZE),1)
CFLAGS  += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

SRCS  = $(wildcard mailer/*.c)
OBJS  = $(SRCS:.c=.o)
LIB_OBJS = $(filter-out mailer/main.o,$(OBJS))
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:.c=)

all: sevmail

deps:
	@scripts/ensure-deps

sevmail: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

mailer/%.o: mailer/%.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

tests/unit/test_%: tests/unit/test_%.c $(LIB_OBJS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(PKG_LIBS)

# The compiled-in template directory follows PREFIX: rebuild config.o when it changes.
.build-prefix: FORCE
	@echo '$(SHAREDIR)' | cmp -s - $@ || echo '$(SHAREDIR)' > $@
mailer/config.o: .build-prefix

-include $(OBJS:.o=.d)

unit: $(UNIT_BINS)
	prove -f -e '' $(UNIT_BINS)

system: sevmail
	SEVMAIL=$(CURDIR)/sevmail SEVMAIL_CORPUS=$(CORPUS) /usr/bin/python3 -m pytest -q tests/system

CORPUS ?= $(CURDIR)/tests/corpus

check: deps
	$(MAKE) all $(UNIT_BINS)
	$(MAKE) unit
	$(MAKE) system

demo: deps
	$(MAKE) all
	/usr/bin/python3 scripts/demo.py

install: sevmail
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/templates
	install -m 755 sevmail $(DESTDIR)$(BINDIR)/sevmail
	install -m 644 templates/*.txt $(DESTDIR)$(SHAREDIR)/templates/

format:
	clang-format -i mailer/*.c include/*.h tests/unit/*.c

clean:
	rm -f sevmail mailer/*.o mailer/*.d $(UNIT_BINS) .build-prefix

.PHONY: all deps unit system check demo install format clean FORCE
