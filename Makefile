# gptq-harness - see README.md. `make run` and `make test` do all set-up.
CC      ?= cc
PKGS    := OpenCL libcjson zlib cunit
BIN_PKGS := OpenCL libcjson zlib
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(BIN_PKGS) 2>/dev/null)
TEST_LIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
           -pthread -DCL_TARGET_OPENCL_VERSION=120 -MMD -MP
LDLIBS  += -lm -pthread -ldl
BUILD   ?= build

LIB_SRC  := $(filter-out harness/main.c,$(wildcard harness/*.c)) $(wildcard reference/*.c)
TEST_SRC := $(wildcard tests/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/harness/main.o

# The git commit the binary is built from (runenv.c records it in every
# result); runenv.o is rebuilt when it changes.
GIT_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_STAMP  := $(BUILD)/git-commit

BIN      := $(BUILD)/gptq-harness
TESTBIN  := $(BUILD)/test-suite
SWEEP    ?= fixtures/sweeps/smoke.batch

.PHONY: all run test check deps bench format clean FORCE
all: $(BIN)

# Set-up: install Debian packages when pkg-config, a library or a program is missing.
deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists $(PKGS) \
	    || ! command -v gnuplot >/dev/null 2>&1 || ! command -v xmllint >/dev/null 2>&1 \
	    || ! ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1; then \
	    echo "make: dependencies missing; running scripts/install-deps.sh" >&2; \
	    sh scripts/install-deps.sh; fi

run: deps
	@$(MAKE) --no-print-directory all
	./$(BIN) run --batch $(SWEEP)

test: deps
	@$(MAKE) --no-print-directory $(BIN) $(TESTBIN)
	./$(TESTBIN)
	sh tests/e2e.sh ./$(BIN)
	sh tests/reports.sh ./$(BIN)

check: test

bench: deps
	@$(MAKE) --no-print-directory $(BIN)
	./$(BIN) bench

$(BIN): $(MAIN_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(TESTBIN): $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(LDLIBS)

$(BUILD)/obj/harness/runenv.o: CFLAGS += -DGH_GIT_COMMIT='"$(GIT_COMMIT)"'
$(BUILD)/obj/harness/runenv.o: $(GIT_STAMP)
$(GIT_STAMP): FORCE
	@mkdir -p $(BUILD)
	@echo '$(GIT_COMMIT)' | cmp -s - $@ || echo '$(GIT_COMMIT)' > $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

format:
	clang-format -i harness/*.[ch] reference/*.[ch] tests/*.[ch]

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
