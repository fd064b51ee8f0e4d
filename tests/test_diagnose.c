/* test_diagnose.c - the diagnosis of FAILED cases: index-set and output
 * shapes in words, where (adapter or kernel), what (single faults, pairs and
 * triples, e.g. vllm-xpu's double and triple bugs) and the weights' shape,
 * on the host kernel of cpu_kernel.h with known kernel bugs. */
#include <stdio.h>
#include <string.h>

#include "verdict/compare.h"
#include "verdict/errshape.h"
#include "verdict/probe.h"
#include "cpu_kernel.h"
#include "suites.h"

static void set_eq(const unsigned char *in, int64_t n, const char *want) {
    char buf[256];
    shape_set(in, n, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, want);
    if (strcmp(buf, want) != 0) fprintf(stderr, "\n  shape_set: '%s', want '%s'\n", buf, want);
}

static void test_sets(void) {
    unsigned char v[64];
    memset(v, 0, sizeof v);
    set_eq(v, 40, "none");
    memset(v, 1, 40);
    set_eq(v, 40, "all 40");
    memset(v, 0, sizeof v);
    memset(v + 32, 1, 8);
    set_eq(v, 40, "32..39");
    v[3] = 1;
    set_eq(v, 40, "3, 32..39");
    memset(v, 0, sizeof v);
    for (int i = 31; i < 64; i += 8)
        v[i] = 1;
    set_eq(v, 64, "31, 39, ..., 63 (every 8)");
    memset(v, 0, sizeof v);
    for (int i = 0; i < 40; i++)
        v[i] = i % 8 == 1 || i % 8 == 2 || i % 8 == 5;
    set_eq(v, 40, "with index % 8 in {1,2,5}");
    memset(v, 0, sizeof v);
    v[1] = v[4] = v[9] = v[10] = v[30] = 1;
    set_eq(v, 40, "5 of 40 (first 1, 4, 9, 10, ...)");
    char small[6];
    memset(v, 1, 40);
    shape_set(v, 40, small, sizeof small); /* cut, still terminated */
    CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
}

/* Runs line on the host kernel with bug; the diagnosis must contain every
 * string of want (NULL-terminated). */
static void diag_has(const char *line, enum cpu_kernel_bug bug, const char *const *want) {
    struct case_result r;
    CU_ASSERT_FATAL(cpu_run_line(line, bug, 1, &r) == 0);
    CU_ASSERT_EQUAL(r.verdict, V_FAILED);
    for (const char *const *w = want; *w; w++) {
        const int in_where = strstr(r.where, *w) != NULL;
        const int in_diag = strstr(r.diagnosis, *w) != NULL;
        CU_ASSERT(in_where || in_diag);
        if (!in_where && !in_diag)
            fprintf(stderr, "\n  %s (bug %d): no '%s' in\n  where: %s\n  diagnosis: %s\n", line,
                    (int)bug, *w, r.where, r.diagnosis);
    }
    case_result_free(&r);
}

static void test_adapter_shapes(void) {
    const char *zero[] = {"adapter wrong", "weights: 3072/3072 wrong",
                          "constant over the group's 32 rows (a zero-point error)", NULL};
    diag_has("fmt=ct zp=asym g=32 m=3 n=24 k=128 fault=zero-plus-one", CPU_RIGHT, zero);
    const char *scale[] = {"proportional to q - z (a scale error)", NULL};
    diag_has("fmt=gptq-v2 g=32 m=3 n=24 k=128 fault=scales-transposed", CPU_RIGHT, scale);
    const char *boundary[] = {"rows k 31, 63, ..., 127 (every 32)",
                              "1 wrong row in each wrong group", NULL};
    diag_has("fmt=gptq-v2 zp=asym g=32 m=3 n=24 k=128 fault=group-boundary-next-row", CPU_RIGHT,
             boundary);
    const char *awq[] = {"columns n with index % 8 in {1,2,3,4,5,6}", NULL};
    diag_has("fmt=awq zp=asym g=32 m=3 n=24 k=128 fault=awq-interleave-ignored", CPU_RIGHT, awq);
    const char *bias[] = {"one constant per column", "weights: all 3072 right", NULL};
    diag_has("fmt=ct bias=1 data=real g=32 m=5 n=24 k=128 fault=bias-dropped", CPU_RIGHT, bias);
    const char *contract[] = {"explained by fault group-size-unnormalised", "kernel not run", NULL};
    diag_has("fmt=gptq-v1 g=-1 m=3 n=24 k=128 fault=group-size-unnormalised", CPU_RIGHT, contract);
}

static void test_adapter_combinations(void) {
    struct case_result r;
    /* vllm-xpu on asymmetric gptq-v1: zeros transposed and the v1 offset left in */
    CU_ASSERT_FATAL(cpu_run_line("fmt=gptq-v1 adapter=vllm-xpu zp=asym g=32 m=3 n=24 k=128",
                                 CPU_RIGHT, 1, &r) == 0);
    CU_ASSERT_EQUAL(r.verdict, V_FAILED);
    CU_ASSERT_STRING_EQUAL(r.explained_by, "zeros-transposed+zero-minus-one");
    case_result_free(&r);
    /* ... with act-order as well: the kernel is not run; three faults together */
    CU_ASSERT_FATAL(
        cpu_run_line("fmt=gptq-v1 adapter=vllm-xpu zp=asym gidx=act g=32 m=3 n=24 k=128", CPU_RIGHT,
                     1, &r) == 0);
    CU_ASSERT_EQUAL(r.verdict, V_FAILED);
    CU_ASSERT_STRING_EQUAL(r.explained_by, "zeros-transposed+zero-minus-one+gidx-as-perm");
    case_result_free(&r);
    /* vllm-xpu on AWQ: taken as GPTQ */
    CU_ASSERT_FATAL(
        cpu_run_line("fmt=awq adapter=vllm-xpu g=32 m=3 n=24 k=128", CPU_RIGHT, 1, &r) == 0);
    CU_ASSERT_STRING_EQUAL(r.explained_by, "awq-as-gptq");
    case_result_free(&r);
    /* no_diagnosis: where only */
    CU_ASSERT_FATAL(cpu_run_line("fmt=ct zp=asym g=32 m=3 n=24 k=128 fault=zero-plus-one",
                                 CPU_RIGHT, 0, &r) == 0);
    CU_ASSERT_EQUAL(r.verdict, V_FAILED);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.where, "adapter wrong"));
    CU_ASSERT_STRING_EQUAL(r.diagnosis, "");
    CU_ASSERT_STRING_EQUAL(r.explained_by, "");
    case_result_free(&r);
}

/* Edge data under a planted fault, through a kernel that computes in float
 * as a device does: the faulty arguments no longer keep the edge data's
 * exactness (partial sums round; a huge row times a larger weight
 * overflows), and the right kernel's output must still be read as "adapter
 * wrong" and named. Each line holds elements where the float result and
 * the double one rounded differ (checked: without the slack, or with a slack
 * that is 0 where no float overflow is possible, the diagnosis says "kernel
 * wrong" on at least one line of each kind). */
static void test_edge_data_faults(void) {
    static const char *const lines[] = {
        "fmt=gptq-v1 zp=sym g=32 dt=bf16 data=edge m=9 n=40 k=256 seed=41 fault=weight-wrong-axis",
        "fmt=gptq-v2 zp=asym g=32 dt=bf16 data=edge m=9 n=40 k=256 seed=41 fault=zeros-transposed",
        "fmt=ct zp=asym gidx=act g=32 dt=bf16 data=edge m=9 n=40 k=256 seed=41 "
        "fault=scales-transposed",
        "fmt=gptq-v2 zp=asym g=8 dt=f16 data=edge m=67 n=40 k=128 bias=1 seed=44 "
        "fault=scales-transposed",
        "fmt=gptq-v2 zp=asym gidx=act g=32 dt=f16 data=edge m=5 n=40 k=640 bias=1 seed=52 "
        "perm=ingroup fault=scales-transposed",
        "fmt=awq zp=asym g=32 dt=bf16 data=edge m=9 n=40 k=256 bias=1 seed=41 fault=awq-as-gptq",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct case_result r;
        CU_ASSERT_FATAL(cpu_run_line(lines[i], CPU_FLOAT_ORDER, 1, &r) == 0);
        const char *fault = strstr(lines[i], "fault=") + 6;
        CU_ASSERT_EQUAL(r.verdict, V_FAILED);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.where, "adapter wrong"));
        CU_ASSERT_PTR_NOT_NULL(strstr(r.explained_by, fault));
        if (!strstr(r.where, "adapter wrong") || !strstr(r.explained_by, fault))
            fprintf(stderr, "\n  %s:\n  where: %s\n  diagnosis: %s\n", lines[i], r.where,
                    r.diagnosis);
        case_result_free(&r);
    }
}

static void test_kernel_shapes(void) {
    const char *tile[] = {"kernel wrong",
                          "no catalogued fault",
                          "rows m all 3 x columns n 32..39",
                          "24 never written",
                          "kernel's weights (one-hot probe, kernel row order): 1024/5120 wrong, "
                          "rows k all 128 x columns n 32..39",
                          NULL};
    diag_has("fmt=ct g=32 m=3 n=40 k=128", CPU_LAST_TILE_UNWRITTEN, tile);
    const char *row7[] = {"kernel wrong",
                          "scattered within rows k with index % 8 in {7}, columns n all 24;", NULL};
    diag_has("fmt=gptq-v1 g=32 m=3 n=24 k=128", CPU_ROW7_WRONG, row7);
    const char *perm[] = {"kernel wrong", "explained by fault perm-inverse", NULL};
    diag_has("fmt=ct gidx=act g=32 m=3 n=24 k=128", CPU_PERM_WRONG_SIDE, perm);
    const char *guard[] = {"wrote 1 element(s) past the end of the output",
                           "1 guard element(s) after the output overwritten",
                           "the kernel decodes the weights right", NULL};
    diag_has("fmt=ct g=32 m=3 n=24 k=128", CPU_GUARD_WRITE, guard);
}

/* Writes into the guard zone before the output, and at the far end of the
 * one after it: FAILED, named. */
static void test_guard_zones(void) {
    const char *line = "fmt=ct g=32 m=3 n=24 k=128";
    const char *before[] = {"1 guard element(s) before the output overwritten",
                            "kernel wrong: it wrote 1 element(s) before the output", NULL};
    diag_has(line, CPU_GUARD_BEFORE, before);
    struct case_result r;
    CU_ASSERT_FATAL(cpu_run_line(line, CPU_GUARD_BEFORE, 0, &r) == 0);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(r.reason, "1 guard element(s) before the output were overwritten"));
    case_result_free(&r);
    CU_ASSERT_FATAL(cpu_run_line(line, CPU_GUARD_FAR, 0, &r) == 0);
    CU_ASSERT_EQUAL(r.verdict, V_FAILED);
    char far[128]; /* the last element of the zone after the output */
    snprintf(far, sizeof far,
             "1 guard element(s) after the output were overwritten (the nearest one %lld "
             "element(s) away",
             (long long)compare_guard(3, 24, 128));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, far));
    case_result_free(&r);
}

/* Runs line on the right host kernel reporting mc. */
static void run_with_memcheck(const char *line, const struct bk_memcheck *mc,
                              struct case_result *r) {
    struct case_desc d;
    char err[256];
    CU_ASSERT_FATAL(desc_parse(line, &d, err, sizeof err) == 0);
    struct cpu_kernel k = {.bug = CPU_RIGHT, .mc = *mc};
    struct kernel_backend kb = cpu_kernel_backend(&k);
    struct run_settings s = {.threads = 1};
    run_case(&d, &s, &kb, r, NULL, NULL);
}

/* A backend's memory findings become the verdict: an input written (each
 * input named), a late write (FAILED), a late write into the previous
 * case's buffers (ERROR of this case, naming the previous one). */
static void test_memory_verdicts(void) {
    const char *line = "fmt=ct g=32 m=3 n=24 k=128 zp=asym gidx=act bias=1";
    struct case_result r;
    for (int i = 0; i < BK_NIN; i++) {
        struct bk_memcheck mc = {.inputs_checked = 1};
        mc.changed[i] = 3;
        mc.first[i] = 17;
        run_with_memcheck(line, &mc, &r);
        char want[128];
        snprintf(want, sizeof want,
                 "the kernel wrote into its input %s (3 element(s) changed, "
                 "the first at index 17)",
                 bk_input_name(i));
        CU_ASSERT_EQUAL(r.verdict, V_FAILED);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, want));
        CU_ASSERT_PTR_NOT_NULL(strstr(r.where, "kernel wrong: it writes outside its output"));
        case_result_free(&r);
    }
    struct bk_memcheck late = {.late = 5};
    run_with_memcheck(line, &late, &r);
    CU_ASSERT_EQUAL(r.verdict, V_FAILED);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "5 element(s) of its buffers after it had returned"));
    case_result_free(&r);
    struct bk_memcheck prev = {.prev_late = 2};
    snprintf(prev.prev_late_what, sizeof prev.prev_late_what, "out");
    run_with_memcheck(line, &prev, &r);
    CU_ASSERT_EQUAL(r.verdict, V_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "previous run"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "wrote 2 element(s) of its out after it had been "
                                            "reported"));
    case_result_free(&r);
    struct bk_memcheck none = {.inputs_checked = 1};
    run_with_memcheck(line, &none, &r);
    CU_ASSERT_EQUAL(r.verdict, V_PASSED);
    case_result_free(&r);
}

/* K = 1024, N = 64: all K rows do not fit the probe's budget. The probe is
 * partial, says so, reaches the high rows where the bug is (positions at
 * the end of K), and without a wrong probed weight never says that the
 * weights are right. */
static void test_partial_probe(void) {
    const char *line = "fmt=ct g=32 m=3 n=64 k=1024 bias=1";
    const char *slot5[] = {"kernel wrong",
                           "PARTIAL one-hot probe",
                           "every nibble slot",
                           "every group",
                           "both ends of K",
                           "nibble slot(s) {5} of 0..7",
                           NULL};
    diag_has(line, CPU_SLOT5_HIGH_K, slot5);
    struct case_result r;
    CU_ASSERT_FATAL(cpu_run_line(line, CPU_BIAS_TWICE, 1, &r) == 0);
    CU_ASSERT_EQUAL(r.verdict, V_FAILED);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.diagnosis, "no probed weight is wrong"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.diagnosis, "not ruled out"));
    CU_ASSERT_PTR_NULL(strstr(r.diagnosis, "decodes the weights right"));
    case_result_free(&r);
    /* a small case is probed whole, and then the conclusion stands */
    CU_ASSERT_FATAL(cpu_run_line("fmt=ct g=32 m=3 n=24 k=128 bias=1", CPU_BIAS_TWICE, 1, &r) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.diagnosis, "decodes the weights right"));
    CU_ASSERT_PTR_NULL(strstr(r.diagnosis, "PARTIAL"));
    case_result_free(&r);
}

/* The probe's positions: every slot, every group, both ends, ascending. */
static void test_probe_plan(void) {
    struct abi_tensors t = {.K = 4096, .N = 4096, .group_size = 128};
    struct probe_plan pl;
    CU_ASSERT_EQUAL_FATAL(probe_plan_make(&t, &pl), 0);
    CU_ASSERT(pl.rows < t.K);
    CU_ASSERT(pl.all_slots && pl.all_groups && pl.both_ends);
    int ascending = 1;
    for (int64_t i = 1; i < pl.rows; i++)
        ascending &= pl.pos[i] > pl.pos[i - 1];
    CU_ASSERT(ascending);
    CU_ASSERT_EQUAL(pl.pos[0], 0);
    CU_ASSERT_EQUAL(pl.pos[pl.rows - 1], t.K - 1);
    probe_plan_free(&pl);
    struct abi_tensors small = {.K = 64, .N = 8, .group_size = 32};
    CU_ASSERT_EQUAL_FATAL(probe_plan_make(&small, &pl), 0);
    CU_ASSERT_EQUAL(pl.rows, 64);
    probe_plan_free(&pl);
}

int register_diagnose_suite(void) {
    GH_ADD_SUITE(s, "diagnose");
    GH_ADD_TEST(s, test_sets);
    GH_ADD_TEST(s, test_adapter_shapes);
    GH_ADD_TEST(s, test_adapter_combinations);
    GH_ADD_TEST(s, test_edge_data_faults);
    GH_ADD_TEST(s, test_kernel_shapes);
    GH_ADD_TEST(s, test_guard_zones);
    GH_ADD_TEST(s, test_memory_verdicts);
    GH_ADD_TEST(s, test_partial_probe);
    GH_ADD_TEST(s, test_probe_plan);
    return 0;
}
