# SPDX-License-Identifier: GPL-2.0
# Included by the top-level Makefile.
#
#   make install [DESTDIR=...] [PREFIX=/usr/local]    userspace: CLI, man page,
#        bash completion, API headers, /etc/preempthint.conf (only if absent),
#        systemd unit + PostgreSQL drop-ins, the modprobe.d hook
#   make uninstall                                   the same files, except a
#        config file the operator changed
#   make dkms-install [DKMS_KERNEL=RELEASE]          the module, through DKMS
#   make dkms-remove                                 dkms remove --all + sources
#
# Paths for a distribution package: make install PREFIX=/usr DESTDIR=pkgroot.

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
INCLUDEDIR ?= $(PREFIX)/include
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
# systemd reads /usr/local/lib/systemd/system as well as /usr/lib/...;
# kmod reads only /etc, /run and /usr/lib/modprobe.d, so the hook goes to /etc.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
MODPROBEDIR ?= $(SYSCONFDIR)/modprobe.d
# Units that get the drop-in (Debian: postgresql@VERSION-CLUSTER; RPM
# distributions: postgresql, or postgresql-VERSION with PGDG packages).
PG_UNITS ?= postgresql@.service postgresql.service
INSTALL ?= install

CONFIG := $(SYSCONFDIR)/preempthint.conf
# @SBINDIR@ and @CONFIG@ in the templates of dist/ become the install paths.
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@CONFIG@|$(CONFIG)|g'

install: user
	$(INSTALL) -d "$(DESTDIR)$(SBINDIR)" "$(DESTDIR)$(MANDIR)/man8" \
		"$(DESTDIR)$(BASHCOMPDIR)" "$(DESTDIR)$(INCLUDEDIR)" "$(DESTDIR)$(SYSCONFDIR)" \
		"$(DESTDIR)$(SYSTEMDUNITDIR)" "$(DESTDIR)$(MODPROBEDIR)"
	$(INSTALL) -m 0755 user/preempthint "$(DESTDIR)$(SBINDIR)/preempthint"
	$(INSTALL) -m 0644 user/preempthint.8 "$(DESTDIR)$(MANDIR)/man8/preempthint.8"
	$(INSTALL) -m 0644 user/preempthint.bash-completion "$(DESTDIR)$(BASHCOMPDIR)/preempthint"
	$(INSTALL) -m 0644 include/preempthint.h user/preempthint_api.h "$(DESTDIR)$(INCLUDEDIR)/"
	@# The operator's configuration is never overwritten.
	test -e "$(DESTDIR)$(CONFIG)" || $(INSTALL) -m 0644 dist/preempthint.conf "$(DESTDIR)$(CONFIG)"
	$(SUBST) dist/preempthint.service.in >"$(DESTDIR)$(SYSTEMDUNITDIR)/preempthint.service"
	for u in $(PG_UNITS); do \
		$(INSTALL) -d "$(DESTDIR)$(SYSTEMDUNITDIR)/$$u.d" && \
		$(SUBST) dist/postgresql-dropin.conf.in >"$(DESTDIR)$(SYSTEMDUNITDIR)/$$u.d/preempthint.conf" || exit 1; \
	done
	$(SUBST) dist/modprobe.conf.in >"$(DESTDIR)$(MODPROBEDIR)/preempthint.conf"
	@echo "installed; enable at boot with: systemctl daemon-reload && systemctl enable preempthint.service"

uninstall:
	rm -f "$(DESTDIR)$(SBINDIR)/preempthint" "$(DESTDIR)$(MANDIR)/man8/preempthint.8" \
		"$(DESTDIR)$(BASHCOMPDIR)/preempthint" "$(DESTDIR)$(INCLUDEDIR)/preempthint.h" \
		"$(DESTDIR)$(INCLUDEDIR)/preempthint_api.h" \
		"$(DESTDIR)$(SYSTEMDUNITDIR)/preempthint.service" \
		"$(DESTDIR)$(MODPROBEDIR)/preempthint.conf"
	for u in $(PG_UNITS); do \
		rm -f "$(DESTDIR)$(SYSTEMDUNITDIR)/$$u.d/preempthint.conf"; \
		rmdir "$(DESTDIR)$(SYSTEMDUNITDIR)/$$u.d" 2>/dev/null || :; \
	done
	@# Kept if the operator changed it, as dpkg keeps a conffile.
	if cmp -s dist/preempthint.conf "$(DESTDIR)$(CONFIG)"; then rm -f "$(DESTDIR)$(CONFIG)"; \
	elif [ -e "$(DESTDIR)$(CONFIG)" ]; then echo "kept $(DESTDIR)$(CONFIG) (changed)"; fi

# ---- DKMS -------------------------------------------------------------------
# What the module build needs, and nothing else: dkms.conf, Kbuild, kmod/ and
# the UAPI header. dkms.conf's PACKAGE_VERSION is checked against the header
# by tests/unit/version.sh.
DKMS_SRC := /usr/src/preempthint-$(VERSION)
DKMS_FILES := dkms.conf Kbuild include/preempthint.h $(sort $(wildcard kmod/*.c kmod/*.h))
DKMS_KERNEL ?=
DKMS_K := $(if $(DKMS_KERNEL),-k $(DKMS_KERNEL))
DKMS_MV := -m preempthint -v $(VERSION)

dkms-install: dkms-remove
	@command -v dkms >/dev/null || { echo "preempthint: dkms not found (apt-get install dkms, or dnf install dkms)"; exit 1; }
	$(INSTALL) -d "$(DKMS_SRC)"
	tar -cf - $(DKMS_FILES) | tar -C "$(DKMS_SRC)" -xf -
	dkms add $(DKMS_MV)
	dkms build $(DKMS_MV) $(DKMS_K)
	dkms install $(DKMS_MV) $(DKMS_K)

# Every kernel this version was built for; quiet if it was never added.
dkms-remove:
	@test "$$(id -u)" = 0 || { echo "preempthint: dkms-install and dkms-remove need root"; exit 1; }
	if command -v dkms >/dev/null && [ -n "$$(dkms status $(DKMS_MV) 2>/dev/null)" ]; then \
		dkms remove $(DKMS_MV) --all; fi
	rm -rf "$(DKMS_SRC)"
