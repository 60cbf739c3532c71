# mk/install.mk - make install / uninstall (PREFIX, DESTDIR), the man page, make deb.
#
#   make install [PREFIX=/usr/local] [DESTDIR=]   the binary, the gnuplot scripts where it finds
#                    them (PREFIX/share/dmabench/plot, beside PREFIX/bin: plot/plot.c), the job
#                    files as examples, dmabench(1) and the bash completion
#   make uninstall   removes exactly those, and the folders of dmabench's own
#   make man         $(MAN_PAGE), from the built binary's help (scripts/gen-man.sh)
#   make deb         the Debian package (debian/, debhelper) -> $(DEB_DIR)/dmabench_*.deb
#   make installcheck / debcheck   their tests (tests/install/), part of make check
# Included by the Makefile.

PREFIX ?= /usr/local
DESTDIR ?=
INSTALL ?= install
bindir := $(PREFIX)/bin
# The binary finds its scripts as ../share/dmabench/plot from its own folder: PREFIX holds both.
pkgdatadir := $(PREFIX)/share/dmabench
docdir := $(PREFIX)/share/doc/dmabench
man1dir := $(PREFIX)/share/man/man1
completiondir := $(PREFIX)/share/bash-completion/completions

PLOT_SCRIPTS := $(sort $(wildcard plot/*.gp))
COMPLETION := scripts/bash-completion/dmabench
MAN_PAGE := $(BUILD)/gen/dmabench.1

.PHONY: man install uninstall installcheck deb debcheck
man: $(MAN_PAGE)

$(MAN_PAGE): dmabench scripts/gen-man.sh
	@mkdir -p $(@D)
	$(call quiet,GEN)
	$(Q)scripts/gen-man.sh ./dmabench >$@.tmp && mv -f $@.tmp $@

install: dmabench $(MAN_PAGE)
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(pkgdatadir)/plot $(DESTDIR)$(docdir)/examples/jobs \
		$(DESTDIR)$(man1dir) $(DESTDIR)$(completiondir)
	$(INSTALL) -m 755 dmabench $(DESTDIR)$(bindir)/dmabench
	$(INSTALL) -m 644 $(PLOT_SCRIPTS) $(DESTDIR)$(pkgdatadir)/plot/
	$(INSTALL) -m 644 results/dmabench-results.schema.json $(DESTDIR)$(pkgdatadir)/
	$(INSTALL) -m 644 $(JOB_FILES) $(DESTDIR)$(docdir)/examples/jobs/
	$(INSTALL) -m 644 $(MAN_PAGE) $(DESTDIR)$(man1dir)/dmabench.1
	$(INSTALL) -m 644 $(COMPLETION) $(DESTDIR)$(completiondir)/dmabench

# The shared folders (bin, man1, completions) stay, as automake's uninstall leaves them.
uninstall:
	rm -f $(DESTDIR)$(bindir)/dmabench $(DESTDIR)$(man1dir)/dmabench.1 \
		$(DESTDIR)$(completiondir)/dmabench
	rm -rf $(DESTDIR)$(pkgdatadir) $(DESTDIR)$(docdir)

installcheck: dmabench $(MAN_PAGE) | checkdeps
	@MAKE="$(MAKE)" tests/install/run.sh

# make check runs these after the sets the Makefile names.
check: installcheck debcheck

# --- the Debian package --------------------------------------------------------------------
# Built with debhelper (debian/) in a copy of the working tree under $(DEB_DIR)/src, so that
# dpkg-buildpackage's files and its ../ output stay under $(BUILD); the tree's git files,
# committed or not (git ls-files), are the source.
DEB_DIR := $(BUILD)/deb

deb:
	@$(DEPS) deb
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	$(Q)git ls-files -z --cached --others --exclude-standard | \
		tar --null --ignore-failed-read -T - -cf - | tar -xf - -C $(DEB_DIR)/src
	$(Q)cd $(DEB_DIR)/src && dpkg-buildpackage -b -uc -us >../build.log 2>&1 || \
		{ tail -40 ../build.log; echo "make deb: dpkg-buildpackage failed: $(DEB_DIR)/build.log" >&2; exit 1; }
	@ls $(DEB_DIR)/*.deb

debcheck: deb
	@tests/install/deb.sh $(DEB_DIR)
