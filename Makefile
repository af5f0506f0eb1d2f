# vtui: the vtrace tracer, the VTB format and the vtui viewer. The only build system.
#
#   make            build everything into build/
#   make check      install what is missing (as root), build, run every test suite
#   make demo       trace an example and open it in the viewer
#   make bench      benchmarks (figures go to bench/RESULTS.md by hand)
#   SANITIZE=1      AddressSanitizer and UBSan everywhere
#   PYTHON=...      the interpreter to build the tracer for (default: python3 on PATH)
#   PYTHONS="..."   the interpreters `make check` runs the tracer tests under

PYTHON ?= python3
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
PKGS := ncursesw libpcre2-8 libcjson zlib

OPT ?= -O2
CFLAGS_ALL := -std=gnu11 $(OPT) -g -fPIC -Wall -Wextra -Werror -MMD -MP -I.
LDFLAGS_ALL :=
ifeq ($(SANITIZE),1)
CFLAGS_ALL += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS_ALL += -fsanitize=address,undefined
endif
CFLAGS_ALL += $(CFLAGS)
LDFLAGS_ALL += $(LDFLAGS)

# pkg-config is asked only by the targets that compile, after `deps` ran.
pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs = $(shell pkg-config --libs $(1) 2>/dev/null)

COMMON_SRC := $(wildcard common/*.c)
FILTERS_SRC := $(wildcard filters/*.c)
TUI_SRC := $(filter-out tui/main.c,$(wildcard tui/*.c))
TRACER_SRC := $(wildcard tracer/*.c)
TRACER_PY := $(wildcard tracer/vtrace/*.py)
TEST_SRC := $(wildcard tests/test_*.c)
BENCH_SRC := $(wildcard bench/bench_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
COMMON_OBJ := $(call obj,$(COMMON_SRC))
FILTERS_OBJ := $(call obj,$(FILTERS_SRC))
TUI_OBJ := $(call obj,$(TUI_SRC))
TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
BENCHES := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

LIBCOMMON := $(BUILD)/libvtbcommon.a
LIBFILTERS := $(BUILD)/libvtfilters.a
LIBTUI := $(BUILD)/libvtui.a
LIBS_ALL := $(LIBTUI) $(LIBFILTERS) $(LIBCOMMON)
EXT_LIBS = $(call pc_libs,$(PKGS)) -lm

# The tracer extension for $(PYTHON), built into $(PYBUILD)/vtrace/.
PYBUILD ?= $(BUILD)/python
PY_INC = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
PY_EXT = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
TRACER_OBJ = $(patsubst tracer/%.c,$(PYBUILD)/obj/%.o,$(TRACER_SRC))
TRACER_EXT = $(PYBUILD)/vtrace/_vtrace$(PY_EXT)
TRACER_PKG = $(patsubst tracer/vtrace/%,$(PYBUILD)/vtrace/%,$(TRACER_PY))

.PHONY: all deps check tests run-tests tracer demo bench install uninstall clean
.DEFAULT_GOAL := all

all: $(BUILD)/vtui tracer

deps:
	@./tools/deps.sh $(PYTHON)

# Flags changes (SANITIZE=1 and back) rebuild everything.
FLAGS_STAMP := $(BUILD)/.flags
$(shell mkdir -p $(BUILD) && echo '$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL)' > $(BUILD)/.flags.new && \
	(cmp -s $(BUILD)/.flags.new $(FLAGS_STAMP) || mv $(BUILD)/.flags.new $(FLAGS_STAMP)))

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(call pc_cflags,$(PKGS) check) -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJ)
$(LIBFILTERS): $(FILTERS_OBJ)
$(LIBTUI): $(TUI_OBJ)
$(LIBCOMMON) $(LIBFILTERS) $(LIBTUI):
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/vtui: $(BUILD)/obj/tui/main.o $(LIBS_ALL)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(EXT_LIBS)

tracer: $(TRACER_EXT) $(TRACER_PKG)

$(PYBUILD)/obj/%.o: tracer/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fvisibility=hidden -I$(PY_INC) $(call pc_cflags,libpcre2-8 libcjson) -c $< -o $@

$(TRACER_EXT): $(TRACER_OBJ) $(LIBFILTERS) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS_ALL) -o $@ $^ $(call pc_libs,libpcre2-8 libcjson)

$(PYBUILD)/vtrace/%.py: tracer/vtrace/%.py
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/tests/%: tests/%.c $(LIBS_ALL) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(call pc_cflags,$(PKGS) check) -o $@ $< $(LIBS_ALL) $(EXT_LIBS) \
		$(call pc_libs,check) $(LDFLAGS_ALL)

$(BUILD)/bench/%: bench/%.c $(LIBS_ALL) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(call pc_cflags,$(PKGS)) -o $@ $< $(LIBS_ALL) $(EXT_LIBS) $(LDFLAGS_ALL)

# ---- tests ----
PYTHONS ?= $(shell PYTHON=$(PYTHON) ./tools/find-pythons.sh)

check: deps
	@$(MAKE) --no-print-directory run-tests

tests: all $(TESTS)

run-tests: tests
	@./tools/run-tests.sh "$(BUILD)" "$(SANITIZE)" $(PYTHONS)

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
	$(CC) $(CFLAGS_ALL) -shared -fvisibility=hidden -I$(PY_INC) -o $@ $< $(LDFLAGS_ALL)

# ---- fuzzing (libFuzzer through clang; not part of `make check`, see tests/fuzz/README.md) ----
# tests/fuzz/fuzz_*.c with the sources of common/, filters/ and tui/, all under ASan+UBSan,
# into $(BUILD)/fuzz/; `make fuzz` runs each target for FUZZ_SECONDS, one after another.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=gnu11 -O1 -g -I. -MMD -MP -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
FUZZ_CORE := $(BUILD)/fuzz/libfuzzcore.a
FUZZ_TUI := $(BUILD)/fuzz/libfuzztui.a
.PHONY: fuzz fuzzers

fuzz:
	@./tools/deps.sh $(PYTHON) fuzz
	@$(MAKE) --no-print-directory fuzzers
	@./tests/fuzz/run.sh "$(BUILD)" "$(FUZZ_SECONDS)"

fuzzers: $(FUZZERS) $(BUILD)/fuzz/gen_seeds

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(call pc_cflags,$(PKGS)) -c $< -o $@

$(FUZZ_CORE): $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(COMMON_SRC) $(FILTERS_SRC))
$(FUZZ_TUI): $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(TUI_SRC))
$(FUZZ_CORE) $(FUZZ_TUI):
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The command and view targets (the viewer itself) need tui/.
$(BUILD)/fuzz/fuzz_command $(BUILD)/fuzz/fuzz_view: $(FUZZ_TUI)
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_CORE)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(call pc_cflags,$(PKGS)) -o $@ $< \
		$(filter $(FUZZ_TUI),$^) $(FUZZ_CORE) $(EXT_LIBS)

$(BUILD)/fuzz/gen_seeds: tests/fuzz/gen_seeds.c $(FUZZ_CORE)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(call pc_cflags,$(PKGS)) -o $@ $< $(FUZZ_CORE) $(EXT_LIBS)

# ---- install ----
PY_SITE = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(BUILD)/vtui $(DESTDIR)$(PREFIX)/bin/vtui
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -d $(DESTDIR)$(PY_SITE)/vtrace
	install -m 644 $(PYBUILD)/vtrace/* $(DESTDIR)$(PY_SITE)/vtrace/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/vtui
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(wildcard man/*.1)))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man5/,$(notdir $(wildcard man/*.5)))
	rm -rf $(DESTDIR)$(PY_SITE)/vtrace

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
