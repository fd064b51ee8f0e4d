/* test_inspect.c - checkpoint inspection on the multi-layer test checkpoint
 * (ckpt_build.c): layers found and detected (format, bits, group size, zero
 * point, act-order, dtype, bias), the declared GPTQ convention from each of
 * its sources and the flag when stored zeros disagree, real layers loaded and
 * run, and layers that cannot be used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "formats/ckpt_scan.h"
#include "results/fixture.h"
#include "formats/formats.h"
#include "formats/problem_load.h"
#include "ckpt_build.h"
#include "suites.h"
#include "testutil.h"

struct opened {
    struct st_file st;
    struct ckpt_decl decl;
    struct ckpt_scan sc;
};

static void open_scan(const char *path, struct opened *o) {
    char err[512];
    CU_ASSERT_EQUAL_FATAL(st_open(path, 0, &o->st, err, sizeof err), 0);
    ckpt_declared(&o->st, path, &o->decl);
    int rc = ckpt_scan(&o->st, &o->decl, &o->sc, err, sizeof err);
    if (rc != 0) fprintf(stderr, "\n  ckpt_scan: %s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
}

static void close_scan(struct opened *o) {
    ckpt_scan_free(&o->sc);
    st_close(&o->st);
}

static const struct ckpt_layer *layer(const struct opened *o, const char *name) {
    const struct ckpt_layer *l = ckpt_find_layer(&o->sc, name);
    CU_ASSERT_PTR_NOT_NULL(l);
    return l;
}

static void test_layers(void) {
    char path[256], line[256];
    tu_tmp(path, sizeof path, "ckpt.safetensors");
    char err[256];
    CU_ASSERT_EQUAL_FATAL(testckpt_write(path, "gptq", err, sizeof err), 0);
    struct opened o;
    open_scan(path, &o);
    CU_ASSERT_EQUAL(o.decl.fmt, FMT_GPTQ_V1);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.decl.source, "__metadata__"));
    CU_ASSERT_EQUAL_FATAL(o.sc.n, (size_t)TESTCKPT_NLAYERS);
    CU_ASSERT_EQUAL(o.sc.other, (size_t)TESTCKPT_NOTHER);
    for (int i = 0; i < TESTCKPT_NLAYERS; i++) {
        const struct ckpt_layer *l = &o.sc.layers[i];
        CU_ASSERT_STRING_EQUAL(l->name, TESTCKPT_LAYERS[i].name); /* sorted by name */
        CU_ASSERT(l->ok);
        ckpt_layer_print(l, line, sizeof line);
        if (strcmp(line, TESTCKPT_LAYERS[i].expect) != 0)
            fprintf(stderr, "\n  %s: '%s' (want '%s')\n", l->name, line, TESTCKPT_LAYERS[i].expect);
        CU_ASSERT_STRING_EQUAL(line, TESTCKPT_LAYERS[i].expect);
        CU_ASSERT_EQUAL(l->flagged, TESTCKPT_LAYERS[i].flagged);
    }
    const struct ckpt_layer *l = layer(&o, "model.layers.0.mlp.down_proj.");
    CU_ASSERT_EQUAL(l->stored, ZC_V2);
    CU_ASSERT_PTR_NOT_NULL(strstr(l->note, "stores v2 zeros (0x88888888)"));
    CU_ASSERT_EQUAL(layer(&o, "model.layers.0.self_attn.q_proj")->stored, ZC_V1);
    CU_ASSERT_EQUAL(layer(&o, "model.layers.1.self_attn.q_proj")->stored, ZC_NONE);
    CU_ASSERT_PTR_NULL(ckpt_find_layer(&o.sc, "model.layers.0.mlp"));
    CU_ASSERT_PTR_NULL(ckpt_find_layer(&o.sc, "model.embed_tokens"));
    close_scan(&o);
    unlink(path);
}

/* Declarations: __metadata__, quantize_config.json, config.json, none. */
static void test_declarations(void) {
    char dir[256], path[512], cfg[512], err[256];
    tu_tmp(dir, sizeof dir, "decl");
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0777), 0);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    struct opened o;

    CU_ASSERT_EQUAL_FATAL(testckpt_write(path, "gptq_v2", err, sizeof err), 0);
    open_scan(path, &o);
    CU_ASSERT_EQUAL(o.decl.fmt, FMT_GPTQ_V2);
    CU_ASSERT_FALSE(layer(&o, "model.layers.0.mlp.down_proj")->flagged);
    CU_ASSERT_TRUE(layer(&o, "model.layers.0.self_attn.q_proj")->flagged);
    CU_ASSERT_EQUAL(layer(&o, "model.layers.1.self_attn.q_proj")->fmt, FMT_GPTQ_V2);
    close_scan(&o);

    /* nothing declared: loaders assume v1, so the v2 layer is flagged */
    CU_ASSERT_EQUAL_FATAL(testckpt_write(path, NULL, err, sizeof err), 0);
    open_scan(path, &o);
    CU_ASSERT_EQUAL(o.decl.fmt, -1);
    CU_ASSERT_TRUE(layer(&o, "model.layers.0.mlp.down_proj")->flagged);
    CU_ASSERT_PTR_NOT_NULL(strstr(layer(&o, "model.layers.0.mlp.down_proj")->note, "assume"));
    close_scan(&o);

    snprintf(cfg, sizeof cfg, "%s/config.json", dir);
    FILE *f = fopen(cfg, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("{\"quantization_config\": {\"bits\": 4, \"checkpoint_format\": \"gptq_v2\"}}", f);
    fclose(f);
    open_scan(path, &o);
    CU_ASSERT_EQUAL(o.decl.fmt, FMT_GPTQ_V2);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.decl.source, "config.json quantization_config"));
    close_scan(&o);

    /* quantize_config.json comes before config.json */
    snprintf(cfg, sizeof cfg, "%s/quantize_config.json", dir);
    f = fopen(cfg, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("{\"bits\": 4, \"checkpoint_format\": \"gptq\"}", f);
    fclose(f);
    open_scan(path, &o);
    CU_ASSERT_EQUAL(o.decl.fmt, FMT_GPTQ_V1);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.decl.source, "quantize_config.json"));
    close_scan(&o);

    /* an unparsable config is passed over, with a note */
    f = fopen(cfg, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("{not json", f);
    fclose(f);
    open_scan(path, &o);
    CU_ASSERT_EQUAL(o.decl.fmt, FMT_GPTQ_V2); /* from config.json */
    CU_ASSERT_PTR_NOT_NULL(strstr(o.decl.note, "quantize_config.json"));
    close_scan(&o);

    unlink(cfg);
    snprintf(cfg, sizeof cfg, "%s/config.json", dir);
    unlink(cfg);
    unlink(path);
    rmdir(dir);
}

/* Each real layer loads, unpacks to the weights that generated it, and runs. */
static void test_run_layers(void) {
    char path[256], err[512];
    tu_tmp(path, sizeof path, "run.safetensors");
    CU_ASSERT_EQUAL_FATAL(testckpt_write(path, "gptq", err, sizeof err), 0);
    struct opened o;
    open_scan(path, &o);
    for (int i = 0; i < TESTCKPT_NLAYERS; i++) {
        const struct ckpt_layer *l = layer(&o, TESTCKPT_LAYERS[i].name);
        for (int a = 0; a <= ADAPTER_VLLM_XPU; a++) { /* the table below covers these two */
            struct case_desc d, gd;
            struct tensor_set set;
            memset(&set, 0, sizeof set);
            CU_ASSERT_EQUAL_FATAL(ckpt_layer_desc(l, (adapter_t)a, 3, 5, &d, err, sizeof err), 0);
            CU_ASSERT_EQUAL_FATAL(ckpt_load_layer(&o.st, l, &set, err, sizeof err), 0);
            CU_ASSERT_PTR_NULL(tensor_set_get(&set, "weight_shape"));
            const struct tensor *b = tensor_set_get(&set, "bias");
            struct case_input in;
            memset(&in, 0, sizeof in);
            int rc = problem_from_ckpt(&d, &set, NULL, b ? b->data : NULL, &in.p, err, sizeof err);
            if (rc != 0) fprintf(stderr, "\n  %s: %s\n", l->name, err);
            CU_ASSERT_EQUAL_FATAL(rc, 0);
            /* the weights are those the layer was generated from */
            struct problem gen;
            CU_ASSERT_EQUAL_FATAL(desc_parse(TESTCKPT_LAYERS[i].gen, &gd, err, sizeof err), 0);
            CU_ASSERT_EQUAL_FATAL(problem_generate(&gd, &gen, err, sizeof err), 0);
            size_t kn = (size_t)(gen.K * gen.N), gn = (size_t)(gen.G * gen.N);
            CU_ASSERT(!memcmp(gen.q, in.p.q, kn) && !memcmp(gen.z, in.p.z, gn) &&
                      !memcmp(gen.s, in.p.s, gn * 2) &&
                      !memcmp(gen.g_idx, in.p.g_idx, (size_t)gen.K * 4));
            if (gen.bias) CU_ASSERT(!memcmp(gen.bias, in.p.bias, (size_t)gen.N * 2));
            problem_free(&gen);
            in.ckpt = set;
            struct run_settings s = {.threads = 1};
            struct kernel_backend kb = {.self = NULL, .run = tu_cpu_kernel};
            struct case_result r;
            run_input(&in, &s, &kb, &r, NULL, NULL);
            /* README's table: vllm-xpu is right for symmetric GPTQ without
             * act-order and ct without act-order; wrong for awq, act-order,
             * g=-1 and asymmetric GPTQ. */
            int want_pass = a == ADAPTER_REFERENCE || i == 0 || i == 3;
            if ((r.verdict == V_PASSED) != want_pass)
                fprintf(stderr, "\n  %s adapter=%s: %s %s\n", l->name, adapter_name((adapter_t)a),
                        verdict_name(r.verdict), r.reason);
            CU_ASSERT_EQUAL(r.verdict == V_PASSED, want_pass);
            case_result_free(&r);
        }
    }
    close_scan(&o);
    unlink(path);
}

/* Small hand-made layers that cannot be used say why. */
struct bad_layer {
    const char *want;
    struct st_wtensor w[4];
    int n;
};

static void test_unusable(void) {
    static int32_t words[256];
    static uint16_t halves[64];
    static int32_t gidx_uneven[64], gidx_range[64];
    for (int k = 0; k < 64; k++) {
        gidx_uneven[k] = k < 40 ? 0 : 1;
        gidx_range[k] = k / 32 + (k == 5 ? 7 : 0);
    }
    for (int i = 0; i < 256; i++)
        words[i] = (int32_t)0x88888888u;
    const struct bad_layer cases[] = {
        {"fits scales",
         {{"l.qweight", ST_I32, 2, {4, 5}, words}, {"l.scales", ST_F16, 2, {1, 16}, halves}},
         2},
        {"8-bit",
         {{"l.qweight", ST_I32, 2, {16, 8}, words},
          {"l.scales", ST_F16, 2, {2, 8}, halves},
          {"l.qzeros", ST_I32, 2, {2, 1}, words},
          {"l.g_idx", ST_I32, 1, {64}, gidx_uneven}},
         4},
        {"uneven",
         {{"l.qweight", ST_I32, 2, {8, 8}, words},
          {"l.scales", ST_F16, 2, {2, 8}, halves},
          {"l.qzeros", ST_I32, 2, {2, 1}, words},
          {"l.g_idx", ST_I32, 1, {64}, gidx_uneven}},
         4},
        {"outside 0..1",
         {{"l.qweight", ST_I32, 2, {8, 8}, words},
          {"l.scales", ST_F16, 2, {2, 8}, halves},
          {"l.qzeros", ST_I32, 2, {2, 1}, words},
          {"l.g_idx", ST_I32, 1, {64}, gidx_range}},
         4},
        {"AWQ",
         {{"l.qweight", ST_I32, 2, {64, 1}, words},
          {"l.scales", ST_F16, 2, {2, 8}, halves},
          {"l.qzeros", ST_I32, 2, {2, 1}, words},
          {"l.g_idx", ST_I32, 1, {64}, gidx_range}},
         4},
        {"qzeros is missing",
         {{"l.qweight", ST_I32, 2, {8, 8}, words}, {"l.scales", ST_F16, 2, {2, 8}, halves}},
         2},
        {"weight_scale",
         {{"l.weight_packed", ST_I32, 2, {8, 8}, words},
          {"l.weight_scale", ST_F32, 2, {8, 2}, words}},
         2},
        /* the compressed-tensors half is a valid layer on its own: still not read */
        {"both GPTQ/AWQ tensors (qweight) and compressed-tensors tensors (weight_packed)",
         {{"l.qweight", ST_I32, 2, {8, 8}, words},
          {"l.scales", ST_F16, 2, {2, 8}, halves},
          {"l.weight_packed", ST_I32, 2, {8, 8}, words},
          {"l.weight_scale", ST_F16, 2, {8, 2}, halves}},
         4},
    };
    char path[256], err[512];
    tu_tmp(path, sizeof path, "bad-layer.safetensors");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        CU_ASSERT_EQUAL_FATAL(
            st_write(path, 0, cases[c].w, (size_t)cases[c].n, NULL, 0, err, sizeof err), 0);
        struct opened o;
        open_scan(path, &o);
        CU_ASSERT_EQUAL_FATAL(o.sc.n, 1);
        const struct ckpt_layer *l = &o.sc.layers[0];
        CU_ASSERT_STRING_EQUAL(l->name, "l");
        CU_ASSERT_FALSE(l->ok);
        if (!strstr(l->why, cases[c].want))
            fprintf(stderr, "\n  unusable: '%s' (want '%s')\n", l->why, cases[c].want);
        CU_ASSERT_PTR_NOT_NULL(strstr(l->why, cases[c].want));
        struct case_desc d;
        CU_ASSERT_EQUAL(ckpt_layer_desc(l, ADAPTER_REFERENCE, 1, 1, &d, err, sizeof err), -1);
        close_scan(&o);
    }
    unlink(path);
}

/* A fixture is a one-layer checkpoint without prefixes. */
static void test_fixture_layer(void) {
    char path[256], err[512];
    tu_tmp(path, sizeof path, "fxlayer.safetensors.gz");
    struct case_desc d;
    struct problem p;
    struct tensor_set ckpt;
    memset(&ckpt, 0, sizeof ckpt);
    CU_ASSERT_EQUAL_FATAL(
        desc_parse("fmt=gptq-v2 m=2 n=16 k=64 g=32 zp=asym gidx=act bias=1", &d, err, sizeof err),
        0);
    CU_ASSERT_EQUAL_FATAL(problem_generate(&d, &p, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(format_pack(&p, &ckpt, err, sizeof err), 0);
    double y[32] = {0};
    struct fixture_case c = {&d, &ckpt, p.x, p.bias, y, NULL, "PASSED", NULL, NULL, NULL, NULL};
    CU_ASSERT_EQUAL_FATAL(fixture_write(path, &c, err, sizeof err), 0);
    struct opened o;
    open_scan(path, &o);
    CU_ASSERT_EQUAL(o.decl.fmt, FMT_GPTQ_V2);
    CU_ASSERT_STRING_EQUAL(o.decl.source, "fixture descriptor");
    CU_ASSERT_EQUAL_FATAL(o.sc.n, 1);
    CU_ASSERT_EQUAL(o.sc.other, 2); /* x, y_ref */
    char line[256];
    ckpt_layer_print(&o.sc.layers[0], line, sizeof line);
    CU_ASSERT_STRING_EQUAL(line,
                           "fmt=gptq-v2 bits=4 k=64 n=16 g=32 zp=asym gidx=act dt=f16 bias=1");
    CU_ASSERT_PTR_NOT_NULL(ckpt_find_layer(&o.sc, ""));
    close_scan(&o);
    problem_free(&p);
    tensor_set_free(&ckpt);
    unlink(path);
}

/* Random byte changes in the multi-layer checkpoint: whatever the reader
 * accepts, scanning, loading and unpacking each layer must not crash. */
static void test_mutated_checkpoint(void) {
    char path[256], err[512];
    tu_tmp(path, sizeof path, "mut.safetensors");
    CU_ASSERT_EQUAL_FATAL(testckpt_write(path, "gptq", err, sizeof err), 0);
    FILE *f = fopen(path, "rb");
    CU_ASSERT_FATAL(f != NULL);
    static unsigned char img[1 << 16], mut[1 << 16];
    size_t len = fread(img, 1, sizeof img, f);
    fclose(f);
    unlink(path);
    CU_ASSERT_FATAL(len > 1000 && len < sizeof img);
    uint64_t r = 99;
    int scanned = 0;
    for (int it = 0; it < 400; it++) {
        memcpy(mut, img, len);
        for (int k = 0; k < 1 + it % 4; k++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            /* half the changes in the header, half anywhere */
            size_t span = it % 2 ? len : 2400;
            mut[(size_t)(r >> 33) % span] = (unsigned char)(r >> 13);
        }
        struct opened o;
        if (st_open_mem(mut, len, 0, &o.st, err, sizeof err) != 0) continue;
        ckpt_declared(&o.st, path, &o.decl);
        if (ckpt_scan(&o.st, &o.decl, &o.sc, err, sizeof err) == 0) {
            scanned++;
            for (size_t i = 0; i < o.sc.n; i++) {
                struct case_desc d;
                struct tensor_set set;
                struct problem p;
                memset(&set, 0, sizeof set);
                if (ckpt_layer_desc(&o.sc.layers[i], ADAPTER_REFERENCE, 2, 1, &d, err,
                                    sizeof err) == 0 &&
                    ckpt_load_layer(&o.st, &o.sc.layers[i], &set, err, sizeof err) == 0) {
                    const struct tensor *b = tensor_set_get(&set, "bias");
                    if (problem_from_ckpt(&d, &set, NULL, b ? b->data : NULL, &p, err,
                                          sizeof err) == 0)
                        problem_free(&p);
                }
                tensor_set_free(&set);
            }
            ckpt_scan_free(&o.sc);
        }
        st_close(&o.st);
    }
    CU_ASSERT(scanned > 50);
}

/* Writes text to dir/name (a config next to the checkpoint). */
static void put_config(const char *dir, const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
}

/* The checkpoint of ckpt_build.c without a declaration, read with one
 * quantize_config.json; the layers the caller asks about. */
struct cfg_case {
    const char *config;
    const char *layer; /* layer to check */
    int ok, flagged;
    const char *text; /* in the layer's why (unusable) or note (flagged), or in decl.note */
};

static void check_cfg_case(const char *dir, const char *path, const struct cfg_case *c) {
    put_config(dir, "quantize_config.json", c->config);
    struct opened o;
    open_scan(path, &o);
    const struct ckpt_layer *l = layer(&o, c->layer);
    if (l) {
        const char *said = !l->ok ? l->why : l->flagged ? l->note : o.decl.note;
        if (l->ok != c->ok || l->flagged != c->flagged || !strstr(said, c->text))
            fprintf(stderr,
                    "\n  config %s: %s ok=%d flagged=%d '%s' (want ok=%d flagged=%d '%s')\n",
                    c->config, c->layer, l->ok, l->flagged, said, c->ok, c->flagged, c->text);
        CU_ASSERT_EQUAL(l->ok, c->ok);
        CU_ASSERT_EQUAL(l->flagged, c->flagged);
        CU_ASSERT_PTR_NOT_NULL(strstr(said, c->text));
    }
    close_scan(&o);
}

#define GPTQ_L "model.layers.1.self_attn.q_proj" /* asymmetric GPTQ, stored v1 */
#define AWQ_L "model.layers.1.mlp.up_proj"

/* Config readings real quantizers' files need: "format" as AutoGPTQ 0.8
 * wrote the declaration, meta.quantizer as a plain string (older GPTQModel)
 * or AutoGPTQ 0.8's "autogptq:", layouts the shapes cannot tell (AWQ GEMV,
 * Marlin), a config that contradicts the tensors, bad values. */
static void test_config_readings(void) {
    char dir[256], path[512], err[256];
    tu_tmp(dir, sizeof dir, "cfgread");
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0777), 0);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    CU_ASSERT_EQUAL_FATAL(testckpt_write(path, NULL, err, sizeof err), 0);
    struct opened o;

    put_config(dir, "quantize_config.json",
               "{\"bits\": 4, \"quant_method\": \"gptq\", \"format\": \"gptq_v2\", \"sym\": false,"
               " \"meta\": {\"quantizer\": \"autogptq:0.8.0.dev1\"}}");
    open_scan(path, &o);
    CU_ASSERT_EQUAL(o.decl.fmt, FMT_GPTQ_V2);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.decl.source, "(as \"format\")"));
    CU_ASSERT_EQUAL(layer(&o, GPTQ_L)->fmt, FMT_GPTQ_V2); /* asymmetric: the declaration's */
    CU_ASSERT_STRING_EQUAL(o.decl.q.writer, "autogptq:0.8.0.dev1");
    CU_ASSERT_EQUAL(o.decl.v1read, V1Z_WORD);
    close_scan(&o);

    const char *writers[][2] = {{"\"gptqmodel:0.9.11\"", "gptqmodel:0.9.11"},
                                {"[\"other:1.0\", \"gptqmodel:4.0.0\"]", "gptqmodel:4.0.0"},
                                {"[\"other:1.0\"]", "other:1.0"}};
    for (int i = 0; i < 3; i++) {
        char cfg[256];
        snprintf(cfg, sizeof cfg, "{\"bits\": 4, \"meta\": {\"quantizer\": %s}}", writers[i][0]);
        put_config(dir, "quantize_config.json", cfg);
        open_scan(path, &o);
        CU_ASSERT_STRING_EQUAL(o.decl.q.writer, writers[i][1]);
        CU_ASSERT_EQUAL(o.decl.v1read, i < 2 ? V1Z_WORD : V1Z_NIBBLE);
        close_scan(&o);
    }

    const struct cfg_case cases[] = {
        {"{\"quant_method\": \"awq\", \"bits\": 4, \"version\": \"GEMV\"}", AWQ_L, 0, 0,
         "AWQ layout 'gemv'"},
        {"{\"quant_method\": \"awq\", \"bits\": 4, \"format\": \"gemv_fast\"}", AWQ_L, 0, 0,
         "AWQ layout 'gemv_fast'"},
        {"{\"quant_method\": \"awq\", \"bits\": 4, \"version\": \"gemm\"}", AWQ_L, 1, 0, ""},
        {"{\"quant_method\": \"gptq\", \"is_marlin_format\": true}", GPTQ_L, 0, 0, "Marlin"},
        {"{\"quant_method\": \"gptq\", \"checkpoint_format\": \"marlin\"}", GPTQ_L, 0, 0, "Marlin"},
        {"{\"quant_method\": \"awq\", \"bits\": 4}", GPTQ_L, 1, 1,
         "quant_method awq, the tensors are laid out as GPTQ"},
        {"{\"quant_method\": \"gptq\", \"bits\": 4}", AWQ_L, 1, 1,
         "quant_method gptq, the tensors are laid out as AWQ"},
        {"{\"bits\": 8}", GPTQ_L, 1, 1, "config says bits=8, the tensors hold 4-bit"},
        {"{\"checkpoint_format\": \"gptq_v3\"}", GPTQ_L, 1, 1, "neither gptq (v1) nor gptq_v2"},
        /* a NUL escape does not cut the value to "gptq" */
        {"{\"checkpoint_format\": \"gptq\\u0000_v2\"}", GPTQ_L, 1, 1,
         "'gptq\xe2\x90\x80_v2', neither gptq (v1) nor gptq_v2"},
        {"{\"bits\": \"4\", \"sym\": \"true\", \"group_size\": 1e300}", GPTQ_L, 1, 0,
         "\"bits\" is not a whole number"},
        {"{\"group_size\": 1e300}", GPTQ_L, 1, 0, "\"group_size\" is not a whole number"},
        {"{\"group_size\": 32.5}", GPTQ_L, 1, 0, "\"group_size\" is not a whole number"},
        {"{\"sym\": \"true\"}", GPTQ_L, 1, 0, "\"sym\" is not true or false"},
        {"[1, 2]", GPTQ_L, 1, 0, "not a JSON object"},
        {"{\"bits\": 4", GPTQ_L, 1, 0, "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_cfg_case(dir, path, &cases[i]);

    put_config(dir, "quantize_config.json", "{\"group_size\": 1e300}");
    open_scan(path, &o);
    CU_ASSERT_FALSE(o.decl.q.has_group); /* ignored, not cast */
    close_scan(&o);

    snprintf(path, sizeof path, "%s/quantize_config.json", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    unlink(path);
    rmdir(dir);
}

/* compressed-tensors zero points the harness does not read packed, and AWQ
 * zeros that are all 7 (AWQ stores Z: 7 is not its symmetric zero). */
static void test_zero_tensors(void) {
    static int32_t words[256];
    static uint16_t halves[256];
    static int8_t bytes[64];
    for (int i = 0; i < 256; i++)
        words[i] = (int32_t)0x77777777u;
    const struct st_wtensor ct_i8[] = {{"l.weight_packed", ST_I32, 2, {32, 8}, words},
                                       {"l.weight_scale", ST_F16, 2, {32, 2}, halves},
                                       {"l.weight_zero_point", ST_I8, 2, {32, 2}, bytes}};
    const struct st_wtensor ct_shape[] = {{"l.weight_packed", ST_I32, 2, {32, 8}, words},
                                          {"l.weight_scale", ST_F16, 2, {32, 2}, halves},
                                          {"l.weight_zero_point", ST_I32, 2, {2, 4}, words}};
    const struct st_wtensor awq7[] = {{"l.qweight", ST_I32, 2, {64, 2}, words},
                                      {"l.scales", ST_F16, 2, {2, 16}, halves},
                                      {"l.qzeros", ST_I32, 2, {2, 2}, words}};
    char path[256], err[512];
    tu_tmp(path, sizeof path, "zeros.safetensors");
    struct opened o;
    CU_ASSERT_EQUAL_FATAL(st_write(path, 0, ct_i8, 3, NULL, 0, err, sizeof err), 0);
    open_scan(path, &o);
    CU_ASSERT_FALSE(o.sc.layers[0].ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.sc.layers[0].why, "weight_zero_point is I8 [N=32][G=2]"));
    close_scan(&o);
    CU_ASSERT_EQUAL_FATAL(st_write(path, 0, ct_shape, 3, NULL, 0, err, sizeof err), 0);
    open_scan(path, &o);
    CU_ASSERT_FALSE(o.sc.layers[0].ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.sc.layers[0].why, "not an I32 [N/8=4][G=2]"));
    close_scan(&o);
    CU_ASSERT_EQUAL_FATAL(st_write(path, 0, awq7, 3, NULL, 0, err, sizeof err), 0);
    open_scan(path, &o);
    CU_ASSERT_TRUE_FATAL(o.sc.layers[0].ok);
    CU_ASSERT_EQUAL(o.sc.layers[0].fmt, FMT_AWQ);
    CU_ASSERT_EQUAL(o.sc.layers[0].zp, ZP_ASYM);
    close_scan(&o);
    unlink(path);
}

/* A bias left out is said next to the zero convention's note (asymmetric)
 * and after the flag's text (a symmetric layer whose zeros disagree with
 * what loaders assume): neither note overwrites the other. */
static void test_bias_notes(void) {
    static int32_t words[128], zasym[4], zv2[4];
    static uint16_t halves[32];
    static float bias32[16];
    for (int i = 0; i < 4; i++) {
        zasym[i] = 0x01234567;
        zv2[i] = (int32_t)0x88888888u; /* v2's symmetric zero 8, where v1 is assumed */
    }
    for (int i = 0; i < 32; i++)
        halves[i] = 0x3C00;
    const struct st_wtensor asym[] = {{"l.qweight", ST_I32, 2, {8, 16}, words},
                                      {"l.scales", ST_F16, 2, {2, 16}, halves},
                                      {"l.qzeros", ST_I32, 2, {2, 2}, zasym},
                                      {"l.bias", ST_F32, 1, {16}, bias32}};
    const struct st_wtensor symv2[] = {{"l.qweight", ST_I32, 2, {8, 16}, words},
                                       {"l.scales", ST_F16, 2, {2, 16}, halves},
                                       {"l.qzeros", ST_I32, 2, {2, 2}, zv2},
                                       {"l.bias", ST_F16, 1, {8}, halves}};
    char path[256], err[512];
    tu_tmp(path, sizeof path, "bias.safetensors");
    struct opened o;
    CU_ASSERT_EQUAL_FATAL(st_write(path, 0, asym, 4, NULL, 0, err, sizeof err), 0);
    open_scan(path, &o);
    const struct ckpt_layer *l = &o.sc.layers[0];
    CU_ASSERT_TRUE_FATAL(l->ok);
    CU_ASSERT_EQUAL(l->zp, ZP_ASYM);
    CU_ASSERT_FALSE(l->bias);
    CU_ASSERT_PTR_NOT_NULL(strstr(l->note, "bias left out: not F16 [N=16]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(l->note, "zero convention from the declaration"));
    close_scan(&o);
    CU_ASSERT_EQUAL_FATAL(st_write(path, 0, symv2, 4, NULL, 0, err, sizeof err), 0);
    open_scan(path, &o);
    l = &o.sc.layers[0];
    CU_ASSERT_TRUE_FATAL(l->ok);
    CU_ASSERT_TRUE(l->flagged);
    CU_ASSERT_FALSE(l->bias);
    CU_ASSERT_EQUAL(strncmp(l->note, "declares", 8), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(l->note, "bias left out: not F16 [N=16]"));
    close_scan(&o);
    unlink(path);
}

int register_inspect_suite(void) {
    GH_ADD_SUITE(s, "inspect");
    GH_ADD_TEST(s, test_layers);
    GH_ADD_TEST(s, test_declarations);
    GH_ADD_TEST(s, test_run_layers);
    GH_ADD_TEST(s, test_unusable);
    GH_ADD_TEST(s, test_fixture_layer);
    GH_ADD_TEST(s, test_mutated_checkpoint);
    GH_ADD_TEST(s, test_config_readings);
    GH_ADD_TEST(s, test_zero_tensors);
    GH_ADD_TEST(s, test_bias_notes);
    return 0;
}
