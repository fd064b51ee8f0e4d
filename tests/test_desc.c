/* test_desc.c - case descriptors (harness/cases/desc.c) and batch expansion
 * (harness/cases/batch.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"

#include "cases/batch.h"
#include "cases/desc.h"

#define ERRLEN 512

/* Deterministic generator for the randomised tests (splitmix64). */
static uint64_t next_rand(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Parses a line that must be valid. */
static struct case_desc parse_ok(const char *line) {
    struct case_desc d;
    char err[ERRLEN] = "";
    int rc = desc_parse(line, &d, err, sizeof(err));
    if (rc != 0) fprintf(stderr, "unexpected error for '%s': %s\n", line, err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return d;
}

/* print -> parse -> equal, for a descriptor that must be valid. */
static void check_roundtrip(const struct case_desc *d) {
    char line[512], err[ERRLEN] = "";
    int n = desc_print(d, line, sizeof(line));
    CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(line));
    CU_ASSERT_EQUAL((size_t)n, strlen(line));
    struct case_desc back;
    int rc = desc_parse(line, &back, err, sizeof(err));
    if (rc != 0) fprintf(stderr, "round trip of '%s' failed: %s\n", line, err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_TRUE(desc_equal(d, &back));
}

/* ---- descriptors ---------------------------------------------------------- */

static void test_defaults(void) {
    struct case_desc d;
    memset(&d, 0x5a, sizeof(d));
    desc_default(&d);
    CU_ASSERT_EQUAL(d.fmt, FMT_GPTQ_V1);
    CU_ASSERT_EQUAL(d.adapter, ADAPTER_REFERENCE);
    CU_ASSERT_EQUAL(d.m, 1);
    CU_ASSERT_EQUAL(d.n, 64);
    CU_ASSERT_EQUAL(d.k, 128);
    CU_ASSERT_EQUAL(d.g, 128);
    CU_ASSERT_EQUAL(d.zp, ZP_SYM);
    CU_ASSERT_EQUAL(d.gidx, GIDX_NONE);
    CU_ASSERT_EQUAL(d.dt, DT_F16);
    CU_ASSERT_EQUAL(d.data, DATA_EXACT);
    CU_ASSERT_EQUAL(d.bias, 0);
    CU_ASSERT_EQUAL(d.seed, 1);
    CU_ASSERT_EQUAL(d.zproute, ZPROUTE_AUTO);
    CU_ASSERT_STRING_EQUAL(d.fault, "");
    CU_ASSERT_EQUAL(desc_validate(&d, NULL, 0), 0);
    CU_ASSERT_EQUAL(desc_group_size(&d), 128);
    CU_ASSERT_EQUAL(desc_groups(&d), 1);

    /* Unset keys take the defaults. */
    struct case_desc p = parse_ok("seed=1");
    CU_ASSERT_TRUE(desc_equal(&p, &d));
    char line[256];
    desc_print(&d, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "fmt=gptq-v1 adapter=reference m=1 n=64 k=128 g=128 zp=sym "
                                 "gidx=none dt=f16 data=exact bias=0 seed=1");
}

static void test_design_example(void) {
    struct case_desc d = parse_ok("fmt=gptq-v1 adapter=reference m=1 n=4096 k=4096 g=128 "
                                  "zp=asym gidx=act dt=f16 data=exact seed=7");
    CU_ASSERT_EQUAL(d.fmt, FMT_GPTQ_V1);
    CU_ASSERT_EQUAL(d.adapter, ADAPTER_REFERENCE);
    CU_ASSERT_EQUAL(d.m, 1);
    CU_ASSERT_EQUAL(d.n, 4096);
    CU_ASSERT_EQUAL(d.k, 4096);
    CU_ASSERT_EQUAL(d.g, 128);
    CU_ASSERT_EQUAL(d.zp, ZP_ASYM);
    CU_ASSERT_EQUAL(d.gidx, GIDX_ACT);
    CU_ASSERT_EQUAL(d.dt, DT_F16);
    CU_ASSERT_EQUAL(d.data, DATA_EXACT);
    CU_ASSERT_EQUAL(d.bias, 0);
    CU_ASSERT_EQUAL(d.seed, 7);
    CU_ASSERT_EQUAL(desc_groups(&d), 32);
    /* The printed form is the canonical line, here the same text plus bias. */
    char line[256];
    desc_print(&d, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "fmt=gptq-v1 adapter=reference m=1 n=4096 k=4096 g=128 zp=asym "
                                 "gidx=act dt=f16 data=exact bias=0 seed=7");
}

static void test_every_key(void) {
    struct case_desc d =
        parse_ok("  fault=scale-nan_2\tzproute=nozp seed=18446744073709551615 bias=1 data=real "
                 "dt=bf16 gidx=trivial zp=asym g=-1 k=4096 n=8 m=1048576 adapter=vllm-xpu "
                 "fmt=ct \r\n");
    CU_ASSERT_EQUAL(d.fmt, FMT_CT);
    CU_ASSERT_EQUAL(d.adapter, ADAPTER_VLLM_XPU);
    CU_ASSERT_EQUAL(d.m, DESC_DIM_MAX);
    CU_ASSERT_EQUAL(d.n, 8);
    CU_ASSERT_EQUAL(d.k, 4096);
    CU_ASSERT_EQUAL(d.g, -1);
    CU_ASSERT_EQUAL(d.zp, ZP_ASYM);
    CU_ASSERT_EQUAL(d.gidx, GIDX_TRIVIAL);
    CU_ASSERT_EQUAL(d.dt, DT_BF16);
    CU_ASSERT_EQUAL(d.data, DATA_REAL);
    CU_ASSERT_EQUAL(d.bias, 1);
    CU_ASSERT_EQUAL(d.seed, UINT64_MAX);
    CU_ASSERT_EQUAL(d.zproute, ZPROUTE_NOZP);
    CU_ASSERT_STRING_EQUAL(d.fault, "scale-nan_2");
    CU_ASSERT_EQUAL(desc_group_size(&d), 4096);
    CU_ASSERT_EQUAL(desc_groups(&d), 1);
    char line[256];
    desc_print(&d, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "fmt=ct adapter=vllm-xpu m=1048576 n=8 k=4096 g=-1 zp=asym "
                                 "gidx=trivial dt=bf16 data=real bias=1 "
                                 "seed=18446744073709551615 zproute=nozp fault=scale-nan_2");
    check_roundtrip(&d);
}

static void test_names(void) {
    CU_ASSERT_STRING_EQUAL(fmt_name(FMT_GPTQ_V1), "gptq-v1");
    CU_ASSERT_STRING_EQUAL(fmt_name(FMT_GPTQ_V2), "gptq-v2");
    CU_ASSERT_STRING_EQUAL(fmt_name(FMT_CT), "ct");
    CU_ASSERT_STRING_EQUAL(fmt_name(FMT_AWQ), "awq");
    CU_ASSERT_STRING_EQUAL(adapter_name(ADAPTER_REFERENCE), "reference");
    CU_ASSERT_STRING_EQUAL(adapter_name(ADAPTER_VLLM_XPU), "vllm-xpu");
    CU_ASSERT_STRING_EQUAL(zp_name(ZP_SYM), "sym");
    CU_ASSERT_STRING_EQUAL(zp_name(ZP_ASYM), "asym");
    CU_ASSERT_STRING_EQUAL(gidx_name(GIDX_NONE), "none");
    CU_ASSERT_STRING_EQUAL(gidx_name(GIDX_TRIVIAL), "trivial");
    CU_ASSERT_STRING_EQUAL(gidx_name(GIDX_ACT), "act");
    CU_ASSERT_STRING_EQUAL(data_name(DATA_EXACT), "exact");
    CU_ASSERT_STRING_EQUAL(data_name(DATA_REAL), "real");
    CU_ASSERT_STRING_EQUAL(zproute_name(ZPROUTE_AUTO), "auto");
    CU_ASSERT_STRING_EQUAL(zproute_name(ZPROUTE_ZP), "zp");
    CU_ASSERT_STRING_EQUAL(zproute_name(ZPROUTE_NOZP), "nozp");
    /* Out-of-range values give a placeholder, never a crash. */
    CU_ASSERT_PTR_NOT_NULL(fmt_name((fmt_t)99));
    CU_ASSERT_PTR_NOT_NULL(zproute_name((zproute_t)-1));
}

static void test_group_size(void) {
    struct case_desc d = parse_ok("k=256 g=-1");
    CU_ASSERT_EQUAL(desc_group_size(&d), 256);
    CU_ASSERT_EQUAL(desc_groups(&d), 1);
    d = parse_ok("k=4096 g=32");
    CU_ASSERT_EQUAL(desc_group_size(&d), 32);
    CU_ASSERT_EQUAL(desc_groups(&d), 128);
    d = parse_ok("k=240 g=48"); /* any positive group size dividing k */
    CU_ASSERT_EQUAL(desc_groups(&d), 5);
    d = parse_ok("k=8 g=8");
    CU_ASSERT_EQUAL(desc_groups(&d), 1);
    /* group sizes that are not a multiple of 8: groups change inside a word */
    d = parse_ok("k=120 g=12");
    CU_ASSERT_EQUAL(desc_groups(&d), 10);
    d = parse_ok("k=8 g=1");
    CU_ASSERT_EQUAL(desc_groups(&d), 8);
}

/* Every combination of the enumerations, with several group sizes, biases
 * and faults: each valid one must survive print -> parse. */
static void test_roundtrip_enums(void) {
    static const int64_t gs[] = {32, 64, 128, -1, 8, 256, 4};
    static const char *const faults[] = {"", "nan-scale", "a", "x_y-z0"};
    int valid = 0, invalid = 0;
    for (int f = 0; f < FMT_COUNT; f++)
        for (int a = 0; a < ADAPTER_COUNT; a++)
            for (int z = 0; z < 2; z++)
                for (int gi = 0; gi < 3; gi++)
                    for (int dt = 0; dt < 2; dt++)
                        for (int da = 0; da < 3; da++)
                            for (int b = 0; b < 2; b++)
                                for (int r = 0; r < 3; r++)
                                    for (size_t g = 0; g < sizeof(gs) / sizeof(gs[0]); g++) {
                                        struct case_desc d;
                                        desc_default(&d);
                                        d.fmt = (fmt_t)f;
                                        d.adapter = (adapter_t)a;
                                        d.zp = (zp_t)z;
                                        d.gidx = (gidx_t)gi;
                                        d.dt = (dtype_t)dt;
                                        d.data = (data_t)da;
                                        d.bias = b;
                                        d.zproute = (zproute_t)r;
                                        d.g = gs[g];
                                        d.k = 512;
                                        strcpy(d.fault, faults[(f + g + r) % 4]);
                                        d.perm = (perm_t)((f + g + r + b + da) % PERM_COUNT);
                                        if (desc_validate(&d, NULL, 0) != 0) {
                                            invalid++;
                                            continue;
                                        }
                                        valid++;
                                        check_roundtrip(&d);
                                    }
    CU_ASSERT(valid > 1000);
    CU_ASSERT(invalid > 0);
}

/* Random shapes and seeds, including the extreme seeds. */
static void test_roundtrip_random(void) {
    uint64_t s = 12345;
    static const uint64_t seeds[] = {0, 1, 18446744073709551615ull, 9223372036854775808ull};
    for (int i = 0; i < 2000; i++) {
        struct case_desc d;
        desc_default(&d);
        d.m = (int64_t)(next_rand(&s) % DESC_DIM_MAX) + 1;
        d.n = (int64_t)(next_rand(&s) % (DESC_DIM_MAX / 8)) * 8 + 8;
        int64_t groups = (int64_t)(next_rand(&s) % 64) + 1;
        int64_t g = (int64_t)(next_rand(&s) % 16) * 8 + 8;
        d.k = groups * g;
        d.g = (next_rand(&s) % 5 == 0) ? -1 : g;
        d.seed = i < 4 ? seeds[i] : next_rand(&s);
        d.fmt = (fmt_t)(next_rand(&s) % FMT_COUNT);
        d.gidx = d.fmt == FMT_AWQ ? GIDX_NONE : (gidx_t)(next_rand(&s) % 2);
        d.zp = (zp_t)(next_rand(&s) % 2);
        CU_ASSERT_EQUAL_FATAL(desc_validate(&d, NULL, 0), 0);
        check_roundtrip(&d);
    }
}

/* tp: parse, print, round trip, the shard's and the layer's groups, errors. */
static void test_tp(void) {
    struct case_desc d = parse_ok("fmt=gptq-v1 gidx=act g=32 k=384 tp=row:3/4");
    CU_ASSERT_EQUAL(d.tp, TP_ROW);
    CU_ASSERT_EQUAL(d.tp_rank, 3);
    CU_ASSERT_EQUAL(d.tp_world, 4);
    CU_ASSERT_EQUAL(desc_layer_k(&d), 1536);
    CU_ASSERT_EQUAL(desc_layer_n(&d), d.n);
    CU_ASSERT_EQUAL(desc_groups(&d), 48); /* the layer's groups stay whole */
    char line[512];
    desc_print(&d, line, sizeof line);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, " tp=row:3/4"));
    check_roundtrip(&d);
    d = parse_ok("fmt=ct g=32 n=40 k=384 tp=col:0/2");
    CU_ASSERT_EQUAL(desc_layer_n(&d), 80);
    CU_ASSERT_EQUAL(desc_groups(&d), 12);
    check_roundtrip(&d);
    d = parse_ok("g=32 k=384 tp=row:1/2"); /* without act-order: the shard's own groups */
    CU_ASSERT_EQUAL(desc_groups(&d), 12);
    d = parse_ok("tp=none");
    CU_ASSERT_EQUAL(d.tp, TP_NONE);
    desc_print(&d, line, sizeof line);
    CU_ASSERT_PTR_NULL(strstr(line, "tp="));
    static const char *const bad[] = {"tp=row:2/2", "tp=row:1/1",  "tp=row:0/65", "tp=diag:0/2",
                                      "tp=row:1",   "tp=row:-1/2", "tp=row:1/2x", "tp=row:001/2",
                                      "tp=col:a/2", "tp=",         "tp=row:/2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char err[ERRLEN] = "";
        CU_ASSERT_EQUAL(desc_parse(bad[i], &d, err, sizeof err), -1);
        if (!strstr(err, "tp must be none")) fprintf(stderr, "\n  %s: '%s'\n", bad[i], err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "tp must be none"));
    }
    static const struct {
        const char *line, *needle;
    } rules[] = {
        {"tp=row:1/2 gidx=trivial g=32", "not modelled"},
        {"tp=row:1/16 gidx=act g=8 k=8", "multiple of that count"},
        {"tp=col:1/4 n=524288", "whole layer"},
        {"fmt=ct adapter=xpu-kernels", "not fmt=ct"},
        {"fmt=gptq-v2 adapter=vllm-xpu-awq", "needs fmt=awq"},
    };
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        char err[ERRLEN] = "";
        CU_ASSERT_EQUAL(desc_parse(rules[i].line, &d, err, sizeof err), -1);
        if (!strstr(err, rules[i].needle)) fprintf(stderr, "\n  %s: '%s'\n", rules[i].line, err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, rules[i].needle));
    }
}

/* perm= and data=edge: parsed, printed (perm only when not random) and
 * round-tripped; the default is random. */
static void test_perm_and_edge_keys(void) {
    struct case_desc d = parse_ok("gidx=act g=32 k=256 perm=ends data=edge");
    CU_ASSERT_EQUAL(d.perm, PERM_ENDS);
    CU_ASSERT_EQUAL(d.data, DATA_EDGE);
    CU_ASSERT_TRUE(data_is_exact(DATA_EDGE));
    CU_ASSERT_TRUE(data_is_exact(DATA_EXACT));
    CU_ASSERT_FALSE(data_is_exact(DATA_REAL));
    char line[512];
    desc_print(&d, line, sizeof line);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, " data=edge "));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, " perm=ends"));
    check_roundtrip(&d);
    static const char *const names[PERM_COUNT] = {"random",  "identity", "ends",
                                                  "reverse", "ingroup",  "swap"};
    for (int p = 0; p < PERM_COUNT; p++) {
        char in[128];
        snprintf(in, sizeof in, "gidx=act g=32 k=64 perm=%s", names[p]);
        d = parse_ok(in);
        CU_ASSERT_EQUAL(d.perm, (perm_t)p);
        CU_ASSERT_STRING_EQUAL(perm_name((perm_t)p), names[p]);
        desc_print(&d, line, sizeof line);
        /* random is the default and is not printed, so old lines stay the same */
        CU_ASSERT_EQUAL(strstr(line, "perm=") != NULL, p != PERM_RANDOM);
        check_roundtrip(&d);
    }
    d = parse_ok("gidx=act g=32 k=64");
    CU_ASSERT_EQUAL(d.perm, PERM_RANDOM);
}

static void test_any_order(void) {
    struct case_desc a = parse_ok("fmt=awq m=3 n=24 k=64 g=32 zp=asym dt=bf16 seed=9");
    struct case_desc b = parse_ok("seed=9 dt=bf16 zp=asym g=32 k=64 n=24 m=3 fmt=awq");
    CU_ASSERT_TRUE(desc_equal(&a, &b));
    struct case_desc c = parse_ok("seed=10 dt=bf16 zp=asym g=32 k=64 n=24 m=3 fmt=awq");
    CU_ASSERT_FALSE(desc_equal(&a, &c));
    /* Leading zeros are accepted. */
    struct case_desc z = parse_ok("m=003 n=024 k=064 g=032 fmt=awq zp=asym dt=bf16 seed=09");
    CU_ASSERT_TRUE(desc_equal(&a, &z));
}

static void test_fault(void) {
    struct case_desc d = parse_ok("fault=none");
    CU_ASSERT_STRING_EQUAL(d.fault, "");
    char line[256];
    desc_print(&d, line, sizeof(line));
    CU_ASSERT_PTR_NULL(strstr(line, "fault"));
    const char *max47 = "fault=abcdefghijklmnopqrstuvwxyz0123456789-_abcdefghi";
    d = parse_ok(max47);
    CU_ASSERT_EQUAL(strlen(d.fault), 47);
    check_roundtrip(&d);
    /* The zproute key is printed only for vllm-xpu. */
    d = parse_ok("adapter=vllm-xpu");
    desc_print(&d, line, sizeof(line));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, " zproute=auto"));
}

struct bad_case {
    const char *line;
    const char *needle1; /* the key or token, must appear in the message */
    const char *needle2; /* the rule */
};

static const struct bad_case BAD[] = {
    {"", "empty descriptor", "empty"},
    {" \t\r\n", "empty descriptor", "empty"},
    {"gs=32", "'gs'",
     "keys: fmt adapter m n k g zp gidx dt data bias seed zproute v1zp tp perm fault"},
    {"M=1", "'M'", "unknown key"},
    {"dt=f32", "dt", "bad value 'f32' for dt (expected f16|bf16)"},
    {"fmt=gptq-v3", "fmt", "expected gptq-v1|gptq-v2|ct|awq"},
    {"fmt=", "fmt", "bad value '' for fmt"},
    {"adapter=cuda", "adapter", "expected reference|vllm-xpu"},
    {"zp=none", "zp", "expected sym|asym"},
    {"gidx=yes", "gidx", "expected none|trivial|act"},
    {"data=fake", "data", "expected exact|real"},
    {"bias=2", "bias", "expected 0|1"},
    {"bias=true", "bias", "expected 0|1"},
    {"adapter=vllm-xpu zproute=maybe", "zproute", "expected auto|zp|nozp"},
    {"m=1 n=8 m=2", "'m'", "given twice"},
    {"fault=a fault=a", "'fault'", "given twice"},
    {"foo", "'foo'", "is not key=value"},
    {"m=1 =5", "'=5'", "is not key=value"},
    {"m=0", "m", "m must be an integer in 1..1048576"},
    {"m=1048577", "m", "m must be an integer in 1..1048576"},
    {"m=1e3", "m", "m must be an integer in 1..1048576"},
    {"m=", "m", "m must be an integer in 1..1048576"},
    {"m=12x", "m", "m must be an integer in 1..1048576"},
    {"m=-4", "m", "m must be an integer in 1..1048576"},
    {"m=+4", "m", "m must be an integer in 1..1048576"},
    {"m=0x10", "m", "m must be an integer in 1..1048576"},
    {"m=99999999999999999999999999", "m", "m must be an integer in 1..1048576"},
    {"m=-", "m", "m must be an integer in 1..1048576"},
    {"n=20", "n=20", "n must be a multiple of 8"},
    {"n=0", "n", "n must be an integer in 1..1048576"},
    {"k=100 g=-1", "k=100", "k must be a multiple of 8"},
    {"k=2097152", "k", "k must be an integer in 1..1048576"},
    {"k=96 g=64", "k=96 g=64", "k must be a multiple of the group size"},
    {"k=64 g=128", "g=128", "k must be a multiple of the group size"},
    {"g=-1 gidx=act", "gidx=act", "g=-1 has a single group"},
    {"fmt=awq gidx=act", "fmt=awq", "use gidx=none"},
    {"fmt=awq gidx=trivial", "gidx", "fmt=awq stores no g_idx"},
    {"k=128 g=12", "g=12", "k must be a multiple of the group size"},
    {"g=0", "g=0", "g must be -1 or a positive integer"},
    {"g=-2", "g=-2", "g must be -1 or a positive integer"},
    {"g=-8", "g=-8", "g must be -1 or a positive integer"},
    {"g=abc", "g=abc", "g must be -1 or a positive integer"},
    {"g=2097152", "g", "g must be -1 or a positive integer"},
    {"seed=-1", "seed", "seed must be an unsigned 64-bit integer"},
    {"seed=18446744073709551616", "seed", "seed must be an unsigned 64-bit integer"},
    {"seed=1.5", "seed", "seed must be an unsigned 64-bit integer"},
    {"seed=", "seed", "seed must be an unsigned 64-bit integer"},
    {"seed= m=1", "seed", "seed must be an unsigned 64-bit integer"},
    {"zproute=zp", "zproute", "applies only to adapter=vllm-xpu"},
    {"perm=reverse", "perm=reverse", "applies only to gidx=act"},
    {"gidx=trivial perm=identity", "perm=identity", "applies only to gidx=act"},
    {"gidx=act perm=backwards", "'backwards' for perm",
     "random|identity|ends|reverse|ingroup|swap"},
    {"data=edgy", "'edgy' for data", "exact|real|edge"},
    {"fault=Bad", "fault", "fault must be 'none' or a name"},
    {"fault=", "fault", "fault must be 'none' or a name"},
    {"fault=a/b", "fault", "fault must be 'none' or a name"},
    {"fault=abcdefghijklmnopqrstuvwxyz0123456789-_abcdefghij", "fault", "1..47"},
};

static void test_errors(void) {
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        struct case_desc d;
        desc_default(&d);
        d.seed = 4242;
        struct case_desc before = d;
        char err[ERRLEN] = "";
        int rc = desc_parse(BAD[i].line, &d, err, sizeof(err));
        int ok = rc == -1 && strstr(err, BAD[i].needle1) && strstr(err, BAD[i].needle2);
        if (!ok) fprintf(stderr, "\nline '%s': rc=%d message '%s'\n", BAD[i].line, rc, err);
        CU_ASSERT_TRUE(ok);
        CU_ASSERT_TRUE(desc_equal(&d, &before)); /* untouched on error */
    }
    /* A tiny or absent message buffer is fine. */
    char tiny[4];
    struct case_desc d;
    CU_ASSERT_EQUAL(desc_parse("gs=1", &d, tiny, sizeof(tiny)), -1);
    CU_ASSERT_EQUAL(strlen(tiny), 3);
    CU_ASSERT_EQUAL(desc_parse("gs=1", &d, NULL, 0), -1);
    CU_ASSERT_EQUAL(desc_parse(NULL, &d, tiny, sizeof(tiny)), -1);
    /* A very long value is cut in the message. */
    char line[2048] = "dt=";
    memset(line + 3, 'q', 2000);
    line[2003] = '\0';
    char err[ERRLEN];
    CU_ASSERT_EQUAL(desc_parse(line, &d, err, sizeof(err)), -1);
    CU_ASSERT(strlen(err) < 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "for dt"));
}

/* desc_validate on descriptors built in code, not by the parser. */
static void test_validate_direct(void) {
    struct case_desc d;
    char err[ERRLEN];
    desc_default(&d);
    d.bias = 5;
    CU_ASSERT_EQUAL(desc_validate(&d, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "bias"));
    desc_default(&d);
    d.fmt = (fmt_t)99;
    CU_ASSERT_EQUAL(desc_validate(&d, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "fmt"));
    char line[256];
    CU_ASSERT(desc_print(&d, line, sizeof(line)) > 0); /* no crash on bad enums */
    desc_default(&d);
    strcpy(d.fault, "none"); /* must be stored as "" */
    CU_ASSERT_EQUAL(desc_validate(&d, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "fault"));
    desc_default(&d);
    memset(d.fault, 'a', sizeof(d.fault)); /* not terminated */
    CU_ASSERT_EQUAL(desc_validate(&d, err, sizeof(err)), -1);
    CU_ASSERT(desc_print(&d, line, sizeof(line)) > 0);
    desc_default(&d);
    d.m = 0;
    CU_ASSERT_EQUAL(desc_validate(&d, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "m=0"));
    desc_default(&d);
    d.n = (int64_t)DESC_DIM_MAX * 8;
    CU_ASSERT_EQUAL(desc_validate(&d, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "n="));
    desc_default(&d);
    d.k = 96;
    d.g = 64;
    CU_ASSERT_EQUAL(desc_validate(&d, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "group size"));
    CU_ASSERT_EQUAL(desc_validate(NULL, err, sizeof(err)), -1);
}

static void test_print_buffer(void) {
    struct case_desc d;
    desc_default(&d);
    char full[256];
    int n = desc_print(&d, full, sizeof(full));
    CU_ASSERT_EQUAL((size_t)n, strlen(full));
    CU_ASSERT_EQUAL(desc_print(&d, NULL, 0), n);
    char small[10];
    CU_ASSERT_EQUAL(desc_print(&d, small, sizeof(small)), n);
    CU_ASSERT_EQUAL(strlen(small), sizeof(small) - 1);
    CU_ASSERT_EQUAL(strncmp(small, full, sizeof(small) - 1), 0);
    strcpy(d.fault, "x");
    d.adapter = ADAPTER_VLLM_XPU;
    char cut[100];
    int m = desc_print(&d, cut, sizeof(cut)); /* cut inside the optional keys */
    CU_ASSERT(m > n);
    CU_ASSERT_EQUAL(strlen(cut), sizeof(cut) - 1);
}

/* Random bytes and random mixes of valid fragments: never a crash, and
 * whatever parses is valid and round-trips. */
static void test_fuzz_parse(void) {
    static const char *const frags[] = {
        "fmt=",     "awq", "ct",       "g=",       "-1",   "32",    "k=",     "n=",
        "m=",       "8",   "seed=",    "=",        " ",    "\t",    "gidx=",  "act",
        ",",        "#",   "zp=",      "asym",     "0",    "99999", "fault=", "none",
        "zproute=", "zp",  "adapter=", "vllm-xpu", "\xff", "-"};
    uint64_t s = 99;
    char line[256], err[ERRLEN];
    for (int i = 0; i < 20000; i++) {
        size_t len = 0;
        int nf = (int)(next_rand(&s) % 12);
        for (int j = 0; j < nf; j++) {
            if (next_rand(&s) % 8 == 0) {
                line[len++] = (char)(next_rand(&s) % 255 + 1);
            } else {
                const char *f = frags[next_rand(&s) % (sizeof(frags) / sizeof(frags[0]))];
                size_t fl = strlen(f);
                if (len + fl >= sizeof(line)) break;
                memcpy(line + len, f, fl);
                len += fl;
            }
            if (len >= sizeof(line) - 2) break;
        }
        line[len] = '\0';
        struct case_desc d;
        if (desc_parse(line, &d, err, sizeof(err)) == 0) {
            CU_ASSERT_EQUAL(desc_validate(&d, NULL, 0), 0);
            check_roundtrip(&d);
        } else {
            CU_ASSERT(strlen(err) > 0);
        }
        struct case_list l = {0};
        if (batch_read_string(line, "fuzz", &l, err, sizeof(err)) == 0) {
            for (size_t c = 0; c < l.n; c++)
                CU_ASSERT_EQUAL(desc_validate(&l.v[c], NULL, 0), 0);
        } else {
            CU_ASSERT_EQUAL(l.n, 0);
            CU_ASSERT_EQUAL(strncmp(err, "fuzz:", 5), 0);
        }
        case_list_free(&l);
    }
}

/* ---- batches -------------------------------------------------------------- */

static void test_expand_order(void) {
    struct case_list l = {0};
    char err[ERRLEN] = "";
    int rc = batch_expand_line("fmt=gptq-v1,ct g=32,64,128,-1 zp=sym,asym", &l, err, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(l.n, 16);
    static const int64_t gs[] = {32, 64, 128, -1};
    for (size_t i = 0; i < 16; i++) {
        CU_ASSERT_EQUAL(l.v[i].fmt, i < 8 ? FMT_GPTQ_V1 : FMT_CT); /* first key slowest */
        CU_ASSERT_EQUAL(l.v[i].g, gs[(i / 2) % 4]);
        CU_ASSERT_EQUAL(l.v[i].zp, i % 2 ? ZP_ASYM : ZP_SYM); /* last key fastest */
        CU_ASSERT_EQUAL(l.v[i].k, 128);                       /* defaults kept */
    }
    /* Appends to what the list holds. */
    CU_ASSERT_EQUAL(batch_expand_line("m=1,7,13\tn=8,24", &l, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(l.n, 22);
    CU_ASSERT_EQUAL(l.v[16].m, 1);
    CU_ASSERT_EQUAL(l.v[16].n, 8);
    CU_ASSERT_EQUAL(l.v[17].n, 24);
    CU_ASSERT_EQUAL(l.v[21].m, 13);
    CU_ASSERT_EQUAL(l.v[21].n, 24);
    /* A line without lists is one case. */
    CU_ASSERT_EQUAL(batch_expand_line("seed=5", &l, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(l.n, 23);
    case_list_free(&l);
    CU_ASSERT_PTR_NULL(l.v);
    CU_ASSERT_EQUAL(l.n, 0);
    case_list_free(&l); /* twice is fine */
}

static void test_expand_skips_invalid(void) {
    struct case_list l = {0};
    char err[ERRLEN] = "";
    /* g=-1 with gidx=act is skipped: 2 * 2 - 1 cases. */
    CU_ASSERT_EQUAL(batch_expand_line("g=64,-1 gidx=none,act", &l, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(l.n, 3);
    CU_ASSERT_TRUE(l.v[0].g == 64 && l.v[0].gidx == GIDX_NONE);
    CU_ASSERT_TRUE(l.v[1].g == 64 && l.v[1].gidx == GIDX_ACT);
    CU_ASSERT_TRUE(l.v[2].g == -1 && l.v[2].gidx == GIDX_NONE);
    /* awq with act-order skipped. */
    CU_ASSERT_EQUAL(batch_expand_line("fmt=gptq-v1,awq gidx=none,act", &l, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(l.n, 6);
    /* k=96 g=64 skipped. */
    CU_ASSERT_EQUAL(batch_expand_line("k=96 g=32,64,-1", &l, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(l.n, 8);
    /* zproute only with vllm-xpu: 1 + 3 cases. */
    CU_ASSERT_EQUAL(
        batch_expand_line("adapter=reference,vllm-xpu zproute=auto,zp,nozp", &l, err, sizeof(err)),
        0);
    CU_ASSERT_EQUAL(l.n, 12);
    for (size_t i = 0; i < l.n; i++)
        CU_ASSERT_EQUAL(desc_validate(&l.v[i], NULL, 0), 0);

    /* The same impossible case on a single line is an error. */
    CU_ASSERT_EQUAL(batch_expand_line("g=-1 gidx=act", &l, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "gidx=act"));
    CU_ASSERT_EQUAL(batch_expand_line("fmt=awq gidx=act", &l, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "fmt=awq"));
    /* A list line with no valid case at all is an error. */
    CU_ASSERT_EQUAL(batch_expand_line("fmt=awq gidx=trivial,act", &l, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "none of the 2 combinations"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "gidx"));
    CU_ASSERT_EQUAL(l.n, 12); /* errors add nothing */
    case_list_free(&l);
}

struct bad_line {
    const char *line;
    const char *needle1, *needle2;
};

static const struct bad_line BAD_LINES[] = {
    {"dt=f16,f32", "'f32'", "for dt"},
    {"g=32,0", "g=0", "g must be -1 or a positive integer"},
    {"n=8,20", "n=20", "multiple of 8"},
    {"m=1,x", "m=x", "m must be an integer"},
    {"g=32,,64", "g=32,,64", "empty element in the comma list for g"},
    {"g=32,", "g=32,", "empty element"},
    {"g=,32", "g=,32", "empty element"},
    {"zp=,", "zp", "empty element"},
    {"gs=32,64", "'gs'", "unknown key"},
    {"m=1,2 m=3", "'m'", "given twice"},
    {"foo,bar m=1,2", "'foo,bar'", "not key=value"},
    {"", "empty descriptor", "empty"},
    {"   ", "empty descriptor", "empty"},
};

static void test_expand_errors(void) {
    struct case_list l = {0};
    char err[ERRLEN];
    CU_ASSERT_EQUAL(batch_expand_line("m=1,2", &l, err, sizeof(err)), 0);
    for (size_t i = 0; i < sizeof(BAD_LINES) / sizeof(BAD_LINES[0]); i++) {
        err[0] = '\0';
        int rc = batch_expand_line(BAD_LINES[i].line, &l, err, sizeof(err));
        int ok = rc == -1 && strstr(err, BAD_LINES[i].needle1) && strstr(err, BAD_LINES[i].needle2);
        if (!ok) fprintf(stderr, "\nline '%s': rc=%d message '%s'\n", BAD_LINES[i].line, rc, err);
        CU_ASSERT_TRUE(ok);
        CU_ASSERT_EQUAL(l.n, 2);
    }
    /* A bad value after valid ones: the cases already made are taken back. */
    CU_ASSERT_EQUAL(batch_expand_line("dt=f16,bf16,f8 m=1,2", &l, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "'f8'"));
    CU_ASSERT_EQUAL(l.n, 2);
    case_list_free(&l);
}

/* Builds "key=1,2,...,count" style lists to test the case limit. */
static size_t append_list(char *buf, size_t len, const char *key, int count, int step) {
    len += (size_t)sprintf(buf + len, "%s%s=", len ? " " : "", key);
    for (int i = 1; i <= count; i++)
        len += (size_t)sprintf(buf + len, "%s%d", i > 1 ? "," : "", i * step);
    return len;
}

static void test_expand_limit(void) {
    struct case_list l = {0};
    char err[ERRLEN];
    char line[BATCH_MAX_LINE + 1];
    /* 100 * 100 * 100 * 2 = 2e6 > BATCH_MAX_CASES: refused before any case. */
    size_t len = append_list(line, 0, "m", 100, 1);
    len = append_list(line, len, "n", 100, 8);
    len = append_list(line, len, "seed", 100, 1);
    len = append_list(line, len, "bias", 2, 0);
    CU_ASSERT_FATAL(len <= BATCH_MAX_LINE);
    CU_ASSERT_EQUAL(batch_expand_line(line, &l, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "more cases"));
    CU_ASSERT_EQUAL(l.n, 0);
    CU_ASSERT_PTR_NULL(l.v);
    /* 10^20 overflows 64 bits: still a clean error. */
    len = 0;
    for (int i = 0; i < 20; i++)
        len = append_list(line, len, "m", 10, 1);
    CU_ASSERT_EQUAL(batch_expand_line(line, &l, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "more cases"));
    CU_ASSERT_PTR_NULL(l.v);
    /* More tokens than may be on a line. */
    len = 0;
    for (int i = 0; i < 40; i++)
        len = append_list(line, len, "m", 1, 1);
    CU_ASSERT_EQUAL(batch_expand_line(line, &l, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "tokens"));
    /* A line longer than BATCH_MAX_LINE. */
    char *big = malloc(BATCH_MAX_LINE + 10);
    CU_ASSERT_FATAL(big != NULL);
    memset(big, ' ', BATCH_MAX_LINE + 9);
    memcpy(big, "m=1", 3);
    big[BATCH_MAX_LINE + 9] = '\0';
    CU_ASSERT_EQUAL(batch_expand_line(big, &l, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than 4096"));
    free(big);
    case_list_free(&l);
}

static void test_read_string(void) {
    struct case_list l = {0};
    char err[ERRLEN] = "";
    const char *text = "# smoke sweep\n"
                       "\n"
                       "   \t\n"
                       "fmt=ct g=32,64   # two cases\n"
                       "#m=5 commented out\n"
                       "m=7 # seed=3\r\n"
                       "n=16"; /* last line without newline */
    int rc = batch_read_string(text, "smoke.batch", &l, err, sizeof(err));
    if (rc) fprintf(stderr, "%s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(l.n, 4);
    CU_ASSERT_TRUE(l.v[0].fmt == FMT_CT && l.v[0].g == 32);
    CU_ASSERT_TRUE(l.v[1].fmt == FMT_CT && l.v[1].g == 64);
    CU_ASSERT_TRUE(l.v[2].m == 7 && l.v[2].seed == 1);
    CU_ASSERT_EQUAL(l.v[3].n, 16);
    /* Only comments and blank lines: no case, no error. */
    CU_ASSERT_EQUAL(batch_read_string("# nothing\n\n", "x", &l, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(batch_read_string("", "x", &l, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(l.n, 4);

    /* A UTF-8 byte order mark and CRLF line ends are accepted; a lone CR
     * inside a line (old Mac line ends) is an error that says so. */
    CU_ASSERT_EQUAL(batch_read_string("\xEF\xBB\xBFm=1\r\nm=2\r\n", "bom", &l, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL(l.n, 6);
    CU_ASSERT_TRUE(l.v[4].m == 1 && l.v[5].m == 2);
    CU_ASSERT_EQUAL(batch_read_string("m=1\rm=2\r", "mac", &l, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "mac:1: carriage return inside the line"));
    CU_ASSERT_EQUAL(l.n, 6);
    l.n = 4;

    /* Errors carry NAME:LINE and leave the list as it was. */
    rc = batch_read_string("m=1\n# c\nm=2,3\ndt=f32\nm=4\n", "t.batch", &l, err, sizeof(err));
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_EQUAL(strncmp(err, "t.batch:4: ", 11), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "for dt"));
    CU_ASSERT_EQUAL(l.n, 4);
    rc = batch_read_string("m=1\ng=-1 gidx=act\n", "t.batch", &l, err, sizeof(err));
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_EQUAL(strncmp(err, "t.batch:2: ", 11), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "gidx=act"));
    rc = batch_read_string("m=1\ng=32,,64\n", NULL, &l, err, sizeof(err));
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, ":2: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "empty element"));
    CU_ASSERT_EQUAL(l.n, 4);
    CU_ASSERT_EQUAL(batch_read_string(NULL, "x", &l, err, sizeof(err)), -1);
    case_list_free(&l);
}

/* A text whose second line has exactly len characters (before its '\n'). */
static char *text_with_line(size_t len, int comment) {
    char *t = malloc(len + 16);
    if (!t) return NULL;
    strcpy(t, "m=1\n");
    size_t o = strlen(t);
    memset(t + o, ' ', len);
    memcpy(t + o, comment ? "# long" : "m=2", comment ? 6 : 3);
    strcpy(t + o + len, "\nm=3\n");
    return t;
}

static void test_long_line_string(void) {
    struct case_list l = {0};
    char err[ERRLEN];
    char *ok = text_with_line(BATCH_MAX_LINE, 0);
    CU_ASSERT_FATAL(ok != NULL);
    CU_ASSERT_EQUAL(batch_read_string(ok, "s", &l, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(l.n, 3);
    free(ok);
    /* Too long even as a comment. */
    for (int comment = 0; comment < 2; comment++) {
        char *bad = text_with_line(BATCH_MAX_LINE + 1, comment);
        CU_ASSERT_FATAL(bad != NULL);
        CU_ASSERT_EQUAL(batch_read_string(bad, "s", &l, err, sizeof(err)), -1);
        CU_ASSERT_EQUAL(strncmp(err, "s:2: ", 5), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than 4096"));
        CU_ASSERT_EQUAL(l.n, 3);
        free(bad);
    }
    case_list_free(&l);
}

/* Writes data to a new temporary file; returns 0 and its name in path. */
static int write_temp(char path[64], const char *data, size_t len) {
    strcpy(path, "/tmp/gh-test-desc-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    ssize_t w = write(fd, data, len);
    close(fd);
    return w == (ssize_t)len ? 0 : -1;
}

static void test_read_file(void) {
    struct case_list l = {0};
    char path[64], err[ERRLEN] = "";
    const char *text = "# file\nfmt=gptq-v1,gptq-v2 zp=sym,asym\n\nm=3 # x\n";
    CU_ASSERT_FATAL(write_temp(path, text, strlen(text)) == 0);
    int rc = batch_read_file(path, &l, err, sizeof(err));
    if (rc) fprintf(stderr, "%s\n", err);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(l.n, 5);
    /* The same text through the string reader gives the same cases. */
    struct case_list s = {0};
    CU_ASSERT_EQUAL(batch_read_string(text, "s", &s, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(s.n, l.n);
    for (size_t i = 0; i < s.n; i++)
        CU_ASSERT_TRUE(desc_equal(&s.v[i], &l.v[i]));
    case_list_free(&s);
    unlink(path);

    /* Error on line 3, prefixed with the path. */
    const char *bad = "m=1\n\nk=96 g=64\n";
    CU_ASSERT_FATAL(write_temp(path, bad, strlen(bad)) == 0);
    CU_ASSERT_EQUAL(batch_read_file(path, &l, err, sizeof(err)), -1);
    char prefix[80];
    snprintf(prefix, sizeof(prefix), "%s:3: ", path);
    CU_ASSERT_EQUAL(strncmp(err, prefix, strlen(prefix)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "group size"));
    CU_ASSERT_EQUAL(l.n, 5);
    unlink(path);

    /* Line lengths: exactly the limit is fine (with or without a final
     * newline), one more is an error naming file:line. */
    for (int extra = 0; extra < 2; extra++) {
        char *t = text_with_line(BATCH_MAX_LINE + (size_t)extra, 0);
        CU_ASSERT_FATAL(t != NULL);
        size_t tl = strlen(t);
        CU_ASSERT_FATAL(write_temp(path, t, tl) == 0);
        rc = batch_read_file(path, &l, err, sizeof(err));
        if (extra == 0) {
            if (rc) fprintf(stderr, "%s\n", err);
            CU_ASSERT_EQUAL(rc, 0);
            CU_ASSERT_EQUAL(l.n, 8);
        } else {
            CU_ASSERT_EQUAL(rc, -1);
            snprintf(prefix, sizeof(prefix), "%s:2: ", path);
            CU_ASSERT_EQUAL(strncmp(err, prefix, strlen(prefix)), 0);
            CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than 4096"));
            CU_ASSERT_EQUAL(l.n, 9); /* 8 + the last-line case of extra = 0 */
        }
        unlink(path);
        /* The long line last, without its newline. */
        size_t last = BATCH_MAX_LINE + (size_t)extra;
        memset(t, ' ', last);
        memcpy(t, "m=9", 3);
        CU_ASSERT_FATAL(write_temp(path, t, last) == 0);
        rc = batch_read_file(path, &l, err, sizeof(err));
        CU_ASSERT_EQUAL(rc, extra ? -1 : 0);
        unlink(path);
        free(t);
    }
    CU_ASSERT_EQUAL(l.n, 9);

    /* A NUL byte inside a line. */
    const char nul[] = "m=1\nm=2\0 garbage\nm=3\n";
    CU_ASSERT_FATAL(write_temp(path, nul, sizeof(nul) - 1) == 0);
    CU_ASSERT_EQUAL(batch_read_file(path, &l, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, ":2: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "NUL"));
    unlink(path);
    case_list_free(&l);
}

static void test_read_file_missing(void) {
    struct case_list l = {0};
    char err[ERRLEN] = "";
    const char *path = "/nonexistent-gh-dir/missing.batch";
    CU_ASSERT_EQUAL(batch_read_file(path, &l, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot open"));
    CU_ASSERT_EQUAL(l.n, 0);
    /* A directory opens but cannot be read. */
    CU_ASSERT_EQUAL(batch_read_file("/tmp", &l, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/tmp"));
    CU_ASSERT_EQUAL(batch_read_file(NULL, &l, err, sizeof(err)), -1);
    case_list_free(&l);
}

int register_desc_suite(void) {
    GH_ADD_SUITE(s, "desc");
    GH_ADD_TEST(s, test_defaults);
    GH_ADD_TEST(s, test_design_example);
    GH_ADD_TEST(s, test_every_key);
    GH_ADD_TEST(s, test_names);
    GH_ADD_TEST(s, test_group_size);
    GH_ADD_TEST(s, test_roundtrip_enums);
    GH_ADD_TEST(s, test_roundtrip_random);
    GH_ADD_TEST(s, test_any_order);
    GH_ADD_TEST(s, test_tp);
    GH_ADD_TEST(s, test_perm_and_edge_keys);
    GH_ADD_TEST(s, test_fault);
    GH_ADD_TEST(s, test_errors);
    GH_ADD_TEST(s, test_validate_direct);
    GH_ADD_TEST(s, test_print_buffer);
    GH_ADD_TEST(s, test_fuzz_parse);
    GH_ADD_TEST(s, test_expand_order);
    GH_ADD_TEST(s, test_expand_skips_invalid);
    GH_ADD_TEST(s, test_expand_errors);
    GH_ADD_TEST(s, test_expand_limit);
    GH_ADD_TEST(s, test_read_string);
    GH_ADD_TEST(s, test_long_line_string);
    GH_ADD_TEST(s, test_read_file);
    GH_ADD_TEST(s, test_read_file_missing);
    return 0;
}
