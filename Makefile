# SPDX-License-Identifier: MIT
# vtui: the vtrace tracer, the VTB format and the vtui viewer. The only build system.
#
#   make            build everything into build/
#   make check      install what is missing (as root), build, run every test suite
#   make demo       trace an example and open it in the viewer
#   make bench      benchmarks (figures go to bench/RESULTS.md by hand)
#   make install    the viewer, the man pages and the vtrace package (PREFIX, DESTDIR)
#   make wheel      a wheel of the vtrace package for $(PYTHON) into $(BUILD)/wheel/
#   make man-commands   rewrite man/vtui.1's list of commands from the command tables
#   SANITIZE=1      AddressSanitizer and UBSan everywhere
#   WERROR=1        warnings are errors (CI sets it)
#   NO_DEPS=1       never look for or install missing packages (package builds)
#   PYTHON=...      the interpreter to build the tracer for (default: python3 on PATH)
#   PYTHONS="..."   the interpreters `make check` runs the tracer tests under
#   CPPFLAGS, CFLAGS, LDFLAGS   the packager's, added after the flags the build needs

PYTHON ?= python3
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config
VERSION := $(shell cat VERSION)

# What the build needs (VT_*) is kept apart from the packager's flags, which come last so
# that theirs win (-O, -g, -D_FORTIFY_SOURCE, -fstack-protector, ...) without dropping ours.
CFLAGS ?= -O2 -g
VT_CPPFLAGS := -I.
VT_CFLAGS := -std=gnu11 -fPIC -Wall -Wextra -MMD -MP
VT_LDFLAGS :=
ifeq ($(WERROR),1)
VT_CFLAGS += -Werror
endif
ifeq ($(SANITIZE),1)
VT_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
VT_LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS = $(VT_CPPFLAGS) $(CPPFLAGS) $(VT_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(VT_LDFLAGS) $(LDFLAGS)
# The compiler flags for a source that uses the libraries $(1) (pkg-config names).
cflags_for = $(VT_CPPFLAGS) $(call pc_cflags,$(1)) $(CPPFLAGS) $(VT_CFLAGS) $(CFLAGS)

# One pkg-config call per library, so that a missing one (Check, on a machine that only builds
# the programs) costs its own flags and no other's. Asked once, when a recipe first needs it
# (after `deps` ran), and remembered.
pc_ask = $(shell $(PKG_CONFIG) --$(1) $(2))
define pc_lazy
PC_CFLAGS_$(1) = $$(eval PC_CFLAGS_$(1) := $$(call pc_ask,cflags,$(1)))$$(PC_CFLAGS_$(1))
PC_LIBS_$(1) = $$(eval PC_LIBS_$(1) := $$(call pc_ask,libs,$(1)))$$(PC_LIBS_$(1))
endef
PKGS := ncursesw libpcre2-8 libcjson zlib
TRACER_PKGS := libpcre2-8 libcjson
ANALYSIS_PKGS := libpcre2-8 libcjson zlib
$(foreach p,$(PKGS) check,$(eval $(call pc_lazy,$(p))))
pc_cflags = $(foreach p,$(1),$(PC_CFLAGS_$(p)))
pc_libs = $(foreach p,$(1),$(PC_LIBS_$(p)))

COMMON_SRC := $(wildcard common/*.c)
FILTERS_SRC := $(wildcard filters/*.c)
ANALYSIS_SRC := $(wildcard analysis/*.c)
TUI_SRC := $(filter-out tui/main.c,$(wildcard tui/*.c))
TRACER_SRC := $(wildcard tracer/*.c)
TRACER_PY := $(wildcard tracer/vtrace/*.py tracer/vtrace/py.typed)
TEST_SRC := $(wildcard tests/test_*.c)
BENCH_SRC := $(wildcard bench/bench_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
COMMON_OBJ := $(call obj,$(COMMON_SRC))
FILTERS_OBJ := $(call obj,$(FILTERS_SRC))
ANALYSIS_OBJ := $(call obj,$(ANALYSIS_SRC))
TUI_OBJ := $(call obj,$(TUI_SRC))
TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
BENCHES := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

LIBCOMMON := $(BUILD)/libvtbcommon.a
LIBFILTERS := $(BUILD)/libvtfilters.a
LIBANALYSIS := $(BUILD)/libvtanalysis.a
LIBTUI := $(BUILD)/libvtui.a
LIBS_ALL := $(LIBTUI) $(LIBANALYSIS) $(LIBFILTERS) $(LIBCOMMON)
# The analysis library and its tests need no viewer: common/ and filters/ only.
LIBS_ANALYSIS := $(LIBANALYSIS) $(LIBFILTERS) $(LIBCOMMON)
EXT_LIBS = $(call pc_libs,$(PKGS)) -lm

# The tracer extension for $(PYTHON), built into $(PYBUILD)/vtrace/.
PYBUILD ?= $(BUILD)/python
PY_INC = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
PY_EXT = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
# Objects per interpreter (obj.cpython-312-x86_64-linux-gnu), so one PYBUILD serves several.
TRACER_OBJDIR = obj$(basename $(PY_EXT))
TRACER_OBJ = $(patsubst tracer/%.c,$(PYBUILD)/$(TRACER_OBJDIR)/%.o,$(TRACER_SRC))
TRACER_EXT = $(PYBUILD)/vtrace/_vtrace$(PY_EXT)
TRACER_PKG = $(patsubst tracer/vtrace/%,$(PYBUILD)/vtrace/%,$(TRACER_PY)) $(PYBUILD)/vtrace/_version.py

# The man pages with the version filled in.
MAN_SRC := $(wildcard man/*.[1-9])
MAN := $(patsubst man/%,$(BUILD)/man/%,$(MAN_SRC))

.PHONY: all deps check tests run-tests tracer man man-commands demo bench wheel install uninstall clean
.DEFAULT_GOAL := all

all: $(BUILD)/vtui tracer man

# NO_DEPS=1: a package build, whose build dependencies are the package manager's business.
deps:
ifneq ($(NO_DEPS),1)
	@./tools/deps.sh $(PYTHON)
endif

# Flags changes (SANITIZE=1 and back) rebuild everything.
FLAGS_STAMP := $(BUILD)/.flags
$(shell mkdir -p $(BUILD) && echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $(BUILD)/.flags.new && \
	(cmp -s $(BUILD)/.flags.new $(FLAGS_STAMP) || mv $(BUILD)/.flags.new $(FLAGS_STAMP)))

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(call cflags_for,$(PKGS)) -c $< -o $@

# The version, from the one file that holds it (VERSION).
$(BUILD)/obj/tui/main.o: VT_CPPFLAGS += -DVTUI_VERSION='"$(VERSION)"'
$(BUILD)/obj/tui/main.o: VERSION

$(PYBUILD)/vtrace/_version.py: VERSION
	@mkdir -p $(dir $@)
	echo '__version__ = "$(VERSION)"' > $@

man: $(MAN)
$(BUILD)/man/%: man/% VERSION
	@mkdir -p $(dir $@)
	sed 's/@VERSION@/$(VERSION)/g' $< > $@

# man/vtui.1's list of commands comes from the command tables (tui/cmd-*.c): this rewrites it
# in the source tree, between its marker lines; test_tui fails while the two differ.
$(BUILD)/tools/man-commands: tools/man-commands.c $(LIBS_ALL) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(call cflags_for,$(PKGS)) $(ALL_LDFLAGS) -o $@ $< $(LIBS_ALL) $(EXT_LIBS)

man-commands: $(BUILD)/tools/man-commands
	$(BUILD)/tools/man-commands man/vtui.1

$(LIBCOMMON): $(COMMON_OBJ)
$(LIBFILTERS): $(FILTERS_OBJ)
$(LIBANALYSIS): $(ANALYSIS_OBJ)
$(LIBTUI): $(TUI_OBJ)
$(LIBCOMMON) $(LIBFILTERS) $(LIBANALYSIS) $(LIBTUI):
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/vtui: $(BUILD)/obj/tui/main.o $(LIBS_ALL)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(EXT_LIBS)

tracer: $(TRACER_EXT) $(TRACER_PKG)

$(PYBUILD)/$(TRACER_OBJDIR)/%.o: tracer/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(call cflags_for,$(TRACER_PKGS)) -fvisibility=hidden -I$(PY_INC) -c $< -o $@

$(TRACER_EXT): $(TRACER_OBJ) $(LIBFILTERS) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) -shared $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(TRACER_PKGS))

$(PYBUILD)/vtrace/%: tracer/vtrace/%
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/tests/%: tests/%.c $(LIBS_ALL) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(call cflags_for,$(PKGS) check) $(ALL_LDFLAGS) -o $@ $< $(LIBS_ALL) \
		$(EXT_LIBS) $(call pc_libs,check)

# The suites that need no viewer link common/, filters/ and analysis/ only (no curses
# flags either): the analysis library's, following a ring's, and `vtui stats`'s, whose CLI
# file (tui/stats_cmd.c) is all they take of tui/.
NOVIEWER_TESTS := $(addprefix $(BUILD)/tests/,test_analysis test_follow test_stats)
$(BUILD)/tests/test_stats: $(BUILD)/obj/tui/stats_cmd.o
$(NOVIEWER_TESTS): $(BUILD)/tests/%: tests/%.c $(LIBS_ANALYSIS) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(call cflags_for,$(ANALYSIS_PKGS) check) $(ALL_LDFLAGS) -o $@ $< $(filter %.o,$^) \
		$(LIBS_ANALYSIS) $(call pc_libs,$(ANALYSIS_PKGS)) -lm $(call pc_libs,check)

$(BUILD)/bench/%: bench/%.c $(LIBS_ALL) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(call cflags_for,$(PKGS)) $(ALL_LDFLAGS) -o $@ $< $(LIBS_ALL) $(EXT_LIBS)

# ---- tests ----
PYTHONS ?= $(shell PYTHON=$(PYTHON) ./tools/find-pythons.sh)

check: deps
	@$(MAKE) --no-print-directory run-tests

tests: all $(TESTS) $(BUILD)/tests/clock_stall.so $(BUILD)/tools/man-commands

# An LD_PRELOAD library that stalls clock readings, for test_tracer_fidelity's clock test.
$(BUILD)/tests/clock_stall.so: tests/shims/clock_stall.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -shared $(ALL_LDFLAGS) -o $@ $<

run-tests: tests
	@./tools/run-tests.sh "$(BUILD)" "$(SANITIZE)" "$(PYTHON)" $(PYTHONS)

# ---- demo, bench ----
demo: deps
	@$(MAKE) --no-print-directory all
	@./tools/demo.sh "$(BUILD)" "$(PYTHON)"

bench: deps
	@$(MAKE) --no-print-directory all $(BENCHES)
	@./bench/run.sh "$(BUILD)" $(PYTHONS)

# The cost floors the tracer is measured against (bench/floors/*.c), one extension module each,
# built for $(PYTHON) into $(PYBUILD)/bench/. bench/run.sh builds them per interpreter.
FLOORS_SRC := $(wildcard bench/floors/*.c)
FLOORS_EXT = $(patsubst bench/floors/%.c,$(PYBUILD)/bench/_%$(PY_EXT),$(FLOORS_SRC))
.PHONY: bench-floors
bench-floors: $(FLOORS_EXT)

$(PYBUILD)/bench/_%$(PY_EXT): bench/floors/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -shared -fvisibility=hidden -I$(PY_INC) $(ALL_LDFLAGS) -o $@ $<

# ---- fuzzing (libFuzzer through clang; not part of `make check`, see tests/fuzz/README.md) ----
# tests/fuzz/fuzz_*.c with the sources of common/, filters/, analysis/ and tui/, all under ASan+UBSan,
# into $(BUILD)/fuzz/; `make fuzz` runs each target for FUZZ_SECONDS, one after another.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=gnu11 -O1 -g -I. -MMD -MP -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined $(filter -Werror,$(VT_CFLAGS))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
FUZZ_CORE := $(BUILD)/fuzz/libfuzzcore.a
FUZZ_TUI := $(BUILD)/fuzz/libfuzztui.a
.PHONY: fuzz fuzzers

fuzz:
ifneq ($(NO_DEPS),1)
	@./tools/deps.sh $(PYTHON) fuzz
endif
	@$(MAKE) --no-print-directory fuzzers
	@./tests/fuzz/run.sh "$(BUILD)" "$(FUZZ_SECONDS)"

fuzzers: $(FUZZERS) $(BUILD)/fuzz/gen_seeds

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(call pc_cflags,$(PKGS)) -c $< -o $@

$(FUZZ_CORE): $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(COMMON_SRC) $(FILTERS_SRC))
$(FUZZ_TUI): $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(TUI_SRC) $(ANALYSIS_SRC))
$(FUZZ_CORE) $(FUZZ_TUI):
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The command and view targets (the viewer itself) need tui/ (and analysis/).
$(BUILD)/fuzz/fuzz_command $(BUILD)/fuzz/fuzz_view: $(FUZZ_TUI)
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_CORE)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(call pc_cflags,$(PKGS)) -o $@ $< \
		$(filter $(FUZZ_TUI),$^) $(FUZZ_CORE) $(EXT_LIBS)

$(BUILD)/fuzz/gen_seeds: tests/fuzz/gen_seeds.c $(FUZZ_CORE)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(call pc_cflags,$(PKGS)) -o $@ $< $(FUZZ_CORE) $(EXT_LIBS)

# ---- wheel, install ----
# The vtrace package is built and installed as a wheel (with its metadata and the `vtrace`
# command), by the same backend `pip install .` uses (tools/vtrace_build.py), reusing this build.
WHEEL_DIR := $(BUILD)/wheel
BUILD_WHEEL = $(PYTHON) tools/vtrace_build.py wheel $(WHEEL_DIR) $(BUILD)

wheel: all
	$(BUILD_WHEEL)

# pip puts the package where $(PYTHON) looks under PREFIX (lib/pythonX.Y/site-packages on most
# systems) and the vtrace command into PREFIX/bin.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(BUILD)/vtui $(DESTDIR)$(PREFIX)/bin/vtui
	install -m 644 $(filter %.1,$(MAN)) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(filter %.5,$(MAN)) $(DESTDIR)$(PREFIX)/share/man/man5/
	@$(PYTHON) -m pip --version >/dev/null 2>&1 || { \
		echo "make install: $(PYTHON) has no pip to install the vtrace wheel with" \
		     "(Debian: apt-get install python3-pip)" >&2; exit 1; }
	wheel=$$($(BUILD_WHEEL)) && PIP_ROOT_USER_ACTION=ignore $(PYTHON) -m pip install -q \
		--no-index --no-deps --ignore-installed --no-warn-script-location \
		--disable-pip-version-check $(if $(DESTDIR),--root '$(DESTDIR)') --prefix '$(PREFIX)' "$$wheel"
	@# pip notes where the wheel came from (a path in this build): not for a package
	@for d in $(DESTDIR)$(PREFIX)/lib/python3*/*-packages/vtrace-$(VERSION).dist-info; do \
		rm -f "$$d/direct_url.json" && sed -i '/direct_url\.json/d' "$$d/RECORD" || exit 1; \
	done

# The package goes by the RECORD pip wrote (its files and the vtrace command), for every
# interpreter it was installed for under PREFIX.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/vtui
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(filter %.1,$(MAN_SRC))))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man5/,$(notdir $(filter %.5,$(MAN_SRC))))
	@for r in $(DESTDIR)$(PREFIX)/lib/python3*/*-packages/vtrace-*.dist-info/RECORD; do \
		[ -f "$$r" ] || continue; site=$${r%/vtrace-*.dist-info/RECORD}; \
		echo "removing vtrace from $$site"; \
		(cd "$$site" && cut -d, -f1 "$$r" | tr '\n' '\0' | xargs -0 rm -f && \
			rm -rf vtrace vtrace-*.dist-info) || exit 1; \
	done

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
