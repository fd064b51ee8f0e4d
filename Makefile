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
           -pthread -DCL_TARGET_OPENCL_VERSION=120 -MMD -MP -Iharness -I.
LDLIBS  += -lm -pthread -ldl
BUILD   ?= build

LIB_SRC  := $(filter-out harness/cli/main.c,$(wildcard harness/*/*.c)) $(wildcard reference/*.c)
TEST_SRC := $(wildcard tests/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/harness/cli/main.o

# The git commit the binary is built from (runenv.c records it in every
# result); runenv.o is rebuilt when it changes.
GIT_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_STAMP  := $(BUILD)/git-commit

BIN      := $(BUILD)/gptq-harness
TESTBIN  := $(BUILD)/test-suite
MKCKPT   := $(BUILD)/mkckpt
# The benchmark against OpenBLAS (make bench): the only thing linked with it.
BENCHBIN := $(BUILD)/bench-ref
BENCH_OBJ := $(BUILD)/obj/bench/bench_ref.o
BLAS_CFLAGS = $(shell pkg-config --cflags openblas 2>/dev/null)
BLAS_LIBS   = $(shell pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
SWEEP    ?= fixtures/sweeps/smoke.batch
EDGES    ?= fixtures/sweeps/kernel-edges.batch
V1ZERO   ?= fixtures/sweeps/v1-zero.batch
CONTRACT ?= fixtures/sweeps/contract.batch
# The default job (docs/descriptors.md#the-default-job)
JOB      := --batch $(SWEEP) --batch $(EDGES) --batch $(CONTRACT) --batch $(V1ZERO)

# Native kernel plugins (harness/backends/w4a16.h): independent shared libraries that
# include only w4a16.h. The CUDA one needs nvcc and is built by plugins-cuda.
PLUGIN_DIR    := $(BUILD)/plugins
PLUGIN_OPT    ?= $(OPT)
PLUGIN_CFLAGS := $(PLUGIN_OPT) -g -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -pthread \
                 -fPIC -fvisibility=hidden -Iharness/backends
PLUGIN_LDFLAGS := -shared -Wl,-z,defs
CPU_PLUGIN    := $(PLUGIN_DIR)/libw4a16_cpu.so
CPU_PLUGIN_SRC := plugins/cpu/w4a16_cpu.c plugins/cpu/cpu_dtype.h plugins/common/w4a16_check.h \
                  harness/backends/w4a16.h
TEST_PLUGINS  := $(patsubst tests/plugins/%.c,$(PLUGIN_DIR)/test/%.so,$(wildcard tests/plugins/*.c))
NVCC      ?= $(shell command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null)
CUDA_ARCH ?= -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
             -gencode arch=compute_90,code=compute_90
# CUDA_DEFS: extra -D flags for the CUDA plugin (bench/gemv_candidates.sh)
CUDA_DEFS ?=
CUDA_PLUGIN := $(PLUGIN_DIR)/libw4a16_cuda.so

.PHONY: all run test check deps bench selftest seeds format clean asan fuzz fuzzers plugins plugins-cuda FORCE
all: $(BIN) plugins
plugins: $(CPU_PLUGIN) $(TEST_PLUGINS)

# Set-up: install Debian packages when pkg-config, a library or a program is missing.
deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists $(PKGS) \
	    || ! command -v gnuplot >/dev/null 2>&1 || ! command -v xmllint >/dev/null 2>&1 \
	    || ! /usr/bin/python3 -c 'import numpy, yaml' >/dev/null 2>&1 \
	    || ! ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1; then \
	    echo "make: dependencies missing; running scripts/install-deps.sh" >&2; \
	    sh scripts/install-deps.sh; fi

run: deps
	@$(MAKE) --no-print-directory all
	./$(BIN) run $(JOB)

test: deps
	@$(MAKE) --no-print-directory $(BIN) $(TESTBIN) $(MKCKPT) $(BUILD)/ocl-buildlog plugins plugins-cuda
	./$(TESTBIN)
	sh tests/e2e.sh ./$(BIN)
	sh tests/routes.sh ./$(BIN)
	sh tests/kernels.sh ./$(BIN)
	sh tests/fixtures.sh ./$(BIN) ./$(MKCKPT)
	sh tests/fixture_py.sh ./$(MKCKPT)
	sh tests/plugin.sh ./$(BIN) $(PLUGIN_DIR)
	sh tests/runners.sh ./$(BIN)
	sh tests/reliability.sh ./$(BIN) $(PLUGIN_DIR)
	sh tests/reliability_io.sh ./$(BIN) $(PLUGIN_DIR)
	sh tests/reports.sh ./$(BIN)
	sh tests/selftest.sh ./$(BIN)
	sh tests/random.sh ./$(BIN)
	sh tests/perf.sh ./$(BIN) $(PLUGIN_DIR)
	sh tests/real.sh ./$(BIN)
	sh tests/include_rules.sh
	sh tests/docs.sh
	sh tests/ci_docs.sh ./$(BIN)
	sh tests/usability.sh ./$(BIN)

check: test

# Planted faults and mutant kernels on the default job (tests/selftest.sh runs
# the faults on the smoke sweep and the mutants on the whole job).
selftest: deps
	@$(MAKE) --no-print-directory $(BIN)
	./$(BIN) selftest $(JOB)

# The clean default job over seeds 1..20 on every correct kernel (scripts/seeds.sh):
# false failures must be 0 (KERNELS='k.cl plugin:lib.so' for other kernels).
KERNELS ?=
seeds: deps
	@$(MAKE) --no-print-directory $(BIN) plugins
	KERNELS="$(KERNELS)" sh scripts/seeds.sh 20 ./$(BIN) $(SWEEP) $(EDGES) $(CONTRACT) $(V1ZERO)

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

# A tuning aid for the GPU machine (bench/ocl_buildlog.c): a kernel's build
# log and binary (PTX on NVIDIA's OpenCL, for ptxas -v) with extra options.
$(BUILD)/ocl-buildlog: bench/ocl_buildlog.c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lOpenCL

$(BIN): $(MAIN_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(TESTBIN): $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(LDLIBS)

# Test checkpoints and damaged files for the end-to-end tests (tests/ckpt_build.c).
$(MKCKPT): $(BUILD)/obj/tests/tools/mkckpt.o $(BUILD)/obj/tests/ckpt_build.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(CPU_PLUGIN): $(CPU_PLUGIN_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) $(PLUGIN_LDFLAGS) -o $@ $< -lm

$(PLUGIN_DIR)/test/%.so: tests/plugins/%.c tests/plugins/cpu_wrap.h $(CPU_PLUGIN_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) $(PLUGIN_LDFLAGS) -o $@ $< -lm

# The CUDA example plugin: only where nvcc is installed (NVCC=/path overrides).
# The CUDA runtime is linked statically; at run time it needs only the driver.
plugins-cuda:
	@if [ -z "$(NVCC)" ]; then \
	    echo "make: nvcc not found (set NVCC=/path/to/nvcc); skipping the CUDA plugin"; \
	else $(MAKE) --no-print-directory $(CUDA_PLUGIN); fi

$(CUDA_PLUGIN): plugins/cuda/w4a16_cuda.cu plugins/common/w4a16_check.h harness/backends/w4a16.h
	@mkdir -p $(dir $@)
	$(NVCC) -O3 -std=c++17 $(CUDA_ARCH) $(CUDA_DEFS) -Iharness/backends -shared -cudart static -Werror all-warnings \
	    -Xcompiler -fPIC,-fvisibility=hidden,-Wall,-Wextra,-Werror -Xlinker -z,defs -o $@ $<

# test_plugin.c finds the plugins where this Makefile builds them
$(BUILD)/obj/tests/test_plugin.o: CFLAGS += -DGH_PLUGIN_DIR='"$(PLUGIN_DIR)"'

$(BUILD)/obj/harness/results/runenv.o: CFLAGS += -DGH_GIT_COMMIT='"$(GIT_COMMIT)"'
$(BUILD)/obj/harness/results/runenv.o: $(GIT_STAMP)
$(GIT_STAMP): FORCE
	@mkdir -p $(BUILD)
	@echo '$(GIT_COMMIT)' | cmp -s - $@ || echo '$(GIT_COMMIT)' > $@
$(BENCHBIN): $(BENCH_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(BLAS_LIBS) $(LDLIBS)

$(BENCH_OBJ): PKG_CFLAGS += $(BLAS_CFLAGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# The tests and the smoke sweep under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included); any report fails.
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_ENV   := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
	    PLUGIN_OPT=-O1 build-asan/gptq-harness build-asan/test-suite plugins
	$(SAN_ENV) ./build-asan/test-suite
	$(SAN_ENV) ./build-asan/gptq-harness run -q --batch $(SWEEP) --batch $(V1ZERO)
	$(SAN_ENV) ./build-asan/gptq-harness run -q --batch $(SWEEP) \
	    --kernel 'exec:/usr/bin/python3 runners/numpy_kernel.py' --adapter 'exec:/usr/bin/python3 runners/numpy_adapter.py'

# libFuzzer targets (tests/fuzz/fuzz_*.c) for every parser of outside input,
# built with clang + ASan/UBSan; `make fuzz` runs each for FUZZ_TIME seconds
# from the seed corpus in tests/fuzz/corpus/<target> (new inputs go to
# build-fuzz/corpus/<target>, crashers to build-fuzz/crash-<target>-*).
FUZZ_TIME    ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_FLAGS   := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
fuzzers: $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)
$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_OBJ)
	$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)
fuzz:
	@command -v clang >/dev/null 2>&1 && echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
	    | clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1 || sh scripts/install-deps.sh --fuzz
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT="-O1 $(FUZZ_FLAGS)" fuzzers
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p build-fuzz/corpus/$$t; \
	    echo "fuzz: $$t for $(FUZZ_TIME) s"; \
	    ./build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) -rss_limit_mb=2048 -max_len=65536 \
	        -timeout=10 -print_final_stats=1 -artifact_prefix=build-fuzz/crash-$$t- \
	        build-fuzz/corpus/$$t tests/fuzz/corpus/$$t 2>build-fuzz/fuzz_$$t.log \
	        || { tail -40 build-fuzz/fuzz_$$t.log; exit 1; }; \
	    grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' build-fuzz/fuzz_$$t.log; \
	done

format:
	clang-format -i harness/*/*.[ch] reference/*.[ch] tests/*.[ch] plugins/cpu/*.[ch] \
	    plugins/common/*.h tests/plugins/*.c \
	    plugins/cuda/*.cu \
	    bench/*.[ch]

clean:
	rm -rf $(BUILD) build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(BUILD)/obj/tests/tools/mkckpt.d $(BENCH_OBJ:.o=.d)
