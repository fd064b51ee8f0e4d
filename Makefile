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

BIN      := $(BUILD)/gptq-harness
TESTBIN  := $(BUILD)/test-suite
# The benchmark against OpenBLAS (make bench): the only thing linked with it.
BENCHBIN := $(BUILD)/bench-ref
BENCH_OBJ := $(BUILD)/obj/bench/bench_ref.o
BLAS_CFLAGS = $(shell pkg-config --cflags openblas 2>/dev/null)
BLAS_LIBS   = $(shell pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
SWEEP    ?= fixtures/sweeps/smoke.batch

.PHONY: all run test check deps bench format clean
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

check: test

# The reference side by side with OpenBLAS dgemm (installs libopenblas-dev when
# missing). If OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE is set, it runs a second
# time without them, so both figures are seen. BENCH_ARGS: e.g. --repeat 15,
# --threads 1, or descriptors of other shapes.
BENCH_ARGS ?=
bench: deps
	@pkg-config --exists openblas 2>/dev/null || sh scripts/install-deps.sh --bench
	@$(MAKE) --no-print-directory $(BENCHBIN)
	./$(BENCHBIN) $(BENCH_ARGS)
	@if [ -n "$${OPENBLAS_CORETYPE-}$${OPENBLAS_L2_SIZE-}" ]; then \
	    echo "again without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE:"; \
	    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ./$(BENCHBIN) $(BENCH_ARGS); fi

$(BIN): $(MAIN_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(TESTBIN): $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(LDLIBS)

$(BENCHBIN): $(BENCH_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(BLAS_LIBS) $(LDLIBS)

$(BENCH_OBJ): PKG_CFLAGS += $(BLAS_CFLAGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

format:
	clang-format -i harness/*.[ch] reference/*.[ch] tests/*.[ch] bench/*.[ch]

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(BENCH_OBJ:.o=.d)
