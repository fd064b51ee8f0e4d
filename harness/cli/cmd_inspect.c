/* cmd_inspect.c - `gptq-harness inspect FILE`: what a checkpoint shard (or a
 * fixture) holds, layer by layer (ckpt_scan.h), and `--layer NAME --run`:
 * that real layer through adapter and kernel with random activations.
 *
 * The run takes the layer's stored tensors as the truth: the logical weights
 * are unpacked from them with the detected format (for symmetric GPTQ, the
 * convention its zeros follow), the reference is computed from those, and the
 * adapter converts the stored tensors. --fmt tells the adapter another GPTQ
 * convention than the stored one, to see what a loader that believes a wrong
 * declaration computes.
 *
 * Exit: 0 listed (or the run passed, or every expected layer matched); 1
 * the file cannot be read, a layer is flagged, the run did not pass, or an
 * expected layer differs, is missing or cannot be compared (or nothing was
 * compared); 2 usage error (bad option, no such layer, --fmt on a layer
 * that is not GPTQ). */
#include <getopt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "cli/cli_devopts.h"
#include "cli/cli_help.h"
#include "formats/ckpt_index.h"
#include "formats/ckpt_scan.h"
#include "formats/expect.h"
#include "formats/v1zero.h"
#include "cli/commands.h"
#include "util/datapath.h"
#include "cli/console.h"
#include "formats/problem_load.h"
#include "verdict/runner.h"
#include "cases/problem.h"
#include "util/units.h"

struct inspect_opts {
    const char *file, *layer;
    const char *expect, *expect_tensor; /* --expect FILE, --expect-tensor SUFFIX (w) */
    int run;
    int fmt;    /* -1: the detected one */
    int v1zero; /* --v1-zero: a v1zero_t, -1: the writer's or the default */
    int64_t m;
    uint64_t seed;
    struct dev_opts dev;
};

enum { OPT_LAYER = 256, OPT_RUN, OPT_M, OPT_SEED, OPT_FMT, OPT_V1ZERO, OPT_EXPECT, OPT_EXPECT_T };

static int bad_opt(const char *what) {
    fprintf(stderr, "gptq-harness inspect: %s\n", what);
    return -1;
}

static int parse_inspect_value(int c, struct inspect_opts *o) {
    long v;
    char *end;
    switch (c) {
    case OPT_LAYER:
        o->layer = optarg;
        return 0;
    case OPT_RUN:
        o->run = 1;
        return 0;
    case OPT_FMT:
        o->fmt = !strcmp(optarg, "gptq-v1")   ? FMT_GPTQ_V1
                 : !strcmp(optarg, "gptq-v2") ? FMT_GPTQ_V2
                                              : -1;
        return o->fmt >= 0
                   ? 0
                   : bad_opt("--fmt wants gptq-v1 or gptq-v2 (the convention the adapter is told)");
    case OPT_V1ZERO: {
        v1zero_t c;
        if (v1zero_parse(optarg, &c) != 0)
            return bad_opt("--v1-zero wants nibble, nowrap or word (the v1 Z - 1 reading)");
        o->v1zero = (int)c;
        return 0;
    }
    case OPT_EXPECT:
        o->expect = optarg;
        return 0;
    case OPT_EXPECT_T:
        o->expect_tensor = optarg;
        return *optarg && !strchr(optarg, '.')
                   ? 0
                   : bad_opt("--expect-tensor wants a suffix such as w");
    case OPT_M:
        if (parse_int(optarg, 1, DESC_DIM_MAX, &v) != 0) return bad_opt("--m wants 1..1048576");
        o->m = v;
        return 0;
    case OPT_SEED:
        errno = 0;
        o->seed = strtoull(optarg, &end, 10);
        return *optarg && *optarg != '-' && !*end && errno != ERANGE
                   ? 0
                   : bad_opt("--seed wants an unsigned integer");
    case 'h':
        printf("usage: gptq-harness inspect FILE [-v] [--max-bytes N]\n"
               "       gptq-harness inspect FILE --layer NAME [--run [--adapter A] [--kernel F]\n"
               "            [--device SEL] [--m M] [--seed S] [--fmt gptq-v1|gptq-v2]\n"
               "            [--case-timeout S] [--no-isolation]]\n"

               "       gptq-harness inspect FILE [--v1-zero nibble|nowrap|word]\n"
               "            [--expect EXPECTED.safetensors [--expect-tensor w]]\n");
        exit(0);
    }
    return -1;
}

static int parse_inspect_opts(int argc, char **argv, struct inspect_opts *o) {
    static const struct option longs[] = {DEV_OPTS_LONG,
                                          {"layer", required_argument, 0, OPT_LAYER},
                                          {"run", no_argument, 0, OPT_RUN},
                                          {"m", required_argument, 0, OPT_M},
                                          {"seed", required_argument, 0, OPT_SEED},
                                          {"fmt", required_argument, 0, OPT_FMT},
                                          {"v1-zero", required_argument, 0, OPT_V1ZERO},
                                          {"expect", required_argument, 0, OPT_EXPECT},
                                          {"expect-tensor", required_argument, 0, OPT_EXPECT_T},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, DEV_OPTS_SHORT "h", longs, NULL)) != -1) {
        if (c == '?') {
            help_bad_option("inspect", argc, argv, longs);
            return -1;
        }
        int rc = dev_opts_parse(&o->dev, c, optarg, "inspect");
        if (rc < 0 || (rc == 0 && parse_inspect_value(c, o) != 0)) return -1;
    }
    if (optind != argc - 1) return bad_opt("give exactly one FILE");
    o->file = argv[optind];
    if (o->run && !o->layer) return bad_opt("--run needs --layer NAME");
    if (o->run && o->expect) return bad_opt("--expect lists; it does not go with --run");
    if (o->expect_tensor && !o->expect) return bad_opt("--expect-tensor needs --expect FILE");
    if (o->dev.adapter < 0) o->dev.adapter = ADAPTER_REFERENCE;
    return 0;
}

/* A file that cannot be read: its path, then why (once: the reader's
 * message may start with the path already). */
static void file_error(const char *path, const char *err) {
    const size_t n = strlen(path);
    if (!strncmp(err, path, n) && !strncmp(err + n, ": ", 2))
        fprintf(stderr, "gptq-harness inspect: %s\n", err);
    else
        fprintf(stderr, "gptq-harness inspect: %s: %s\n", path, err);
}

/* ---- listing ------------------------------------------------------------ */

static void print_tensors(const struct st_file *st) {
    for (size_t i = 0; i < st->n; i++) {
        const struct st_entry *e = &st->e[i];
        printf("    tensor %s %s [", e->name, st_dtype_name(e->dtype));
        for (int d = 0; d < e->ndim; d++)
            printf("%s%lld", d ? "," : "", (long long)e->shape[d]);
        printf("] %llu bytes\n", (unsigned long long)st_entry_bytes(e));
    }
}

/* The v1 zero words: where the readings differ, which one is used, whose pattern. */
static void print_v1(const struct ckpt_layer *l, const struct ckpt_decl *decl) {
    char pat[300];
    v1zero_pattern_text(&l->v1, pat, sizeof pat);
    if (l->v1.f_words)
        printf("    v1 zeros: %ld of %ld words hold a nibble F (%ld below the top nibble): the "
               "readings differ there; read as %s, %s; %s\n",
               l->v1.f_words, l->v1.words, l->v1.low_f, v1zero_name(l->v1read), decl->v1read_why,
               pat);
    else
        printf("    v1 zeros: %s; read as %s, %s\n", pat, v1zero_name(l->v1read), decl->v1read_why);
}

/* An unusable layer of a shard: where the index next to it places the
 * layer's tensors that are not in this file. */
static void print_elsewhere(const struct ckpt_layer *l, const struct ckpt_index *ix,
                            const char *file) {
    char names[600];
    const char *shard;
    if (!ix->root || !l->name[0] ||
        !ckpt_index_elsewhere(ix, l->name, file, names, sizeof names, &shard))
        return;
    printf("    note: %s places %s of this layer in another shard (%s); inspect reads one "
           "file at a time\n",
           CKPT_INDEX_NAME, names, shard);
}

static void print_layer(const struct ckpt_layer *l, const struct ckpt_decl *decl,
                        const struct ckpt_index *ix, const char *file) {
    const char *name = l->name[0] ? l->name : "(unprefixed)";
    if (!l->ok) {
        printf("layer %s: UNUSABLE: %s\n", name, l->why);
        print_elsewhere(l, ix, file);
        return;
    }
    char line[256];
    ckpt_layer_print(l, line, sizeof line);
    printf("layer %s: %s", name, line);
    if (l->fmt == FMT_GPTQ_V1 || l->fmt == FMT_GPTQ_V2)
        printf(" zeros=%s", l->stored == ZC_V1 ? "v1" : l->stored == ZC_V2 ? "v2" : "undetermined");
    printf("\n");
    if (l->note[0]) printf("    %s %s\n", l->flagged ? "FLAGGED:" : "note:", l->note);
    if (l->cfg_note[0]) printf("    config disagrees: %s\n", l->cfg_note);
    if (l->fmt == FMT_GPTQ_V1 && l->zp == ZP_ASYM) print_v1(l, decl);
}

static void print_config(const struct ckpt_qcfg *q) {
    if (!q->source[0] && !q->writer[0]) {
        printf("config: none next to the file (settings inferred from the tensors)\n");
        return;
    }
    printf("config:");
    if (q->quant_method[0]) printf(" quant_method=%s", q->quant_method);
    if (q->ckpt_format[0]) printf(" format=%s", q->ckpt_format);
    if (q->bits != -1) printf(" bits=%d", q->bits);
    if (q->has_group) printf(" group_size=%ld", q->group_size);
    if (q->desc_act != -1) printf(" desc_act=%s", q->desc_act ? "true" : "false");
    if (q->sym != -1) printf(" sym=%s", q->sym ? "true" : "false");
    if (q->source[0]) printf(" (in %s)", q->source);
    if (q->writer[0]) printf("; writer: %s", q->writer);
    printf("\n");
}

static int list(const struct inspect_opts *o, const struct st_file *st,
                const struct ckpt_decl *decl, const struct ckpt_scan *sc,
                const struct ckpt_index *ix) {
    printf("file: %s (%s safetensors, %zu tensors, header %llu bytes, data %llu bytes)\n", o->file,
           st->gzipped ? "gzip'd" : "plain", st->n, (unsigned long long)st->header_len,
           (unsigned long long)st->data_size);
    for (size_t i = 0; i < st->n_meta; i++)
        printf("metadata: %s=%.200s\n", st->meta[i].key, st->meta[i].value);
    char said[160];
    printf("declared: %s%s%s\n", ckpt_decl_text(decl, said, sizeof said),
           decl->source[0] ? " in " : "", decl->source);
    if (decl->note[0]) printf("    note: %s\n", decl->note);
    print_config(&decl->q);
    if (o->dev.verbose > 0) print_tensors(st);
    long flagged = 0, unusable = 0, per_fmt[FMT_COUNT] = {0};
    for (size_t i = 0; i < sc->n; i++) {
        const struct ckpt_layer *l = &sc->layers[i];
        flagged += l->flagged;
        unusable += !l->ok;
        if (l->ok) per_fmt[l->fmt]++;
        if (!o->layer || l == ckpt_find_layer(sc, o->layer)) print_layer(l, decl, ix, o->file);
    }
    printf("layers: %zu (", sc->n);
    for (int f = 0, first = 1; f < FMT_COUNT; f++)
        if (per_fmt[f]) {
            printf("%s%s %ld", first ? "" : ", ", fmt_name((fmt_t)f), per_fmt[f]);
            first = 0;
        }
    printf("), %ld flagged, %ld unusable; other tensors: %zu\n", flagged, unusable, sc->other);
    return flagged ? 1 : 0;
}

/* ---- --expect ------------------------------------------------------------ */

/* Layer l's weights as read (its v1 reading included) against EXPECTED's
 * <layer>.<suffix>. Returns 0 equal, 1 different, -1 error (said). */
static int expect_layer(const struct inspect_opts *o, const struct st_file *st,
                        const struct st_file *ex, const struct ckpt_layer *l) {
    char err[1024], name[1200];
    const char *suffix = o->expect_tensor ? o->expect_tensor : "w";
    snprintf(name, sizeof name, "%s%s%s", l->name, l->name[0] ? "." : "", suffix);
    if (!l->ok) {
        printf("    expect %s: not compared: the layer is unusable\n", name);
        return -1;
    }
    float *want = NULL;
    int rc = expect_load(ex, name, l->K, l->N, &want, err, sizeof err);
    if (rc != 0) {
        printf("    expect %s: %s\n", name, rc > 0 ? "no such tensor in the expected file" : err);
        return -1;
    }
    struct tensor_set set;
    memset(&set, 0, sizeof set);
    struct logical_weights w;
    memset(&w, 0, sizeof w);
    if (ckpt_load_layer(st, l, &set, err, sizeof err) != 0 ||
        format_unpack_read(l->fmt, l->zp, l->v1read, &set, l->K, l->N, l->G, &w, err, sizeof err) !=
            0) {
        printf("    expect %s: the layer cannot be read: %s\n", name, err);
        free(want);
        tensor_set_free(&set);
        return -1;
    }
    struct expect_result r;
    expect_compare(&w, l->dt, want, &r);
    char key[1300];
    snprintf(key, sizeof key, "reader%s%s.%s", !strcmp(suffix, "w") ? "" : "_alt",
             l->name[0] ? "" : "", l->name);
    const char *reader = st_meta_get(ex, key);
    const char *rd = l->fmt == FMT_GPTQ_V1 && l->zp == ZP_ASYM ? v1zero_name(l->v1read) : NULL;
    if (r.differ == 0)
        printf("    expect %s: MATCH: all %lld weights%s%s%s%s\n", name, (long long)r.count,
               rd ? " (v1 read as " : "", rd ? rd : "", rd ? ")" : "", reader ? "" : "");
    else
        printf("    expect %s: DIFFERS: %lld of %lld weights%s%s%s; first at [k=%lld][n=%lld]: "
               "harness %.9g, expected %.9g\n",
               name, (long long)r.differ, (long long)r.count, rd ? " (v1 read as " : "",
               rd ? rd : "", rd ? ")" : "", (long long)r.k, (long long)r.n, r.got, r.want);
    if (reader) printf("        expected: %s\n", reader);
    logical_weights_free(&w);
    tensor_set_free(&set);
    free(want);
    return r.differ ? 1 : 0;
}

/* Prints, for every <layer>.<suffix> of the expected file with no layer of
 * that name in the checkpoint (only NAME with --layer NAME), that it is
 * missing; returns how many. */
static long expect_missing(const struct inspect_opts *o, const struct st_file *ex,
                           const struct ckpt_scan *sc) {
    const char *suffix = o->expect_tensor ? o->expect_tensor : "w";
    const size_t sl = strlen(suffix);
    long missing = 0;
    if (o->layer) return 0; /* one layer: its tensor missing is said as not compared */
    for (size_t i = 0; i < ex->n; i++) {
        const char *name = ex->e[i].name;
        const size_t n = strlen(name);
        if (n < sl || strcmp(name + n - sl, suffix) != 0 || (n > sl && name[n - sl - 1] != '.'))
            continue;
        char layer[ST_NAME_MAX + 1];
        snprintf(layer, sizeof layer, "%.*s", (int)(n > sl ? n - sl - 1 : 0), name);
        if (ckpt_find_layer(sc, layer)) continue;
        printf("    expect %s: MISSING: the expected file has it, the checkpoint has no layer "
               "'%s'\n",
               name, layer);
        missing++;
    }
    return missing;
}

struct expect_tally {
    long match, differ, not_compared, missing;
};

/* The summary line; returns 0 when every expected layer was compared and
 * matched, else 1. */
static int expect_summary(const struct expect_tally *t) {
    printf("expect: %ld layer(s) match, %ld differ, %ld not compared, %ld missing from the "
           "checkpoint\n",
           t->match, t->differ, t->not_compared, t->missing);
    if (t->match + t->differ == 0)
        printf("expect: FAILED: nothing was compared (no layer of the checkpoint could be "
               "checked against the expected file)\n");
    return t->differ || t->not_compared || t->missing || t->match == 0 ? 1 : 0;
}

static int expect_all(const struct inspect_opts *o, const struct st_file *st,
                      const struct ckpt_scan *sc) {
    char err[1024];
    struct st_file ex;
    if (st_open(o->expect, o->dev.read_cap, &ex, err, sizeof err) != 0) {
        file_error(o->expect, err);
        return -1;
    }
    const char *who = st_meta_get(&ex, "producer"), *ver = st_meta_get(&ex, "producer_version");
    printf("expected: %s (%s %s)\n", o->expect, who ? who : "unknown producer", ver ? ver : "");
    struct expect_tally t = {0, 0, 0, 0};
    for (size_t i = 0; i < sc->n; i++) {
        const struct ckpt_layer *l = &sc->layers[i];
        if (o->layer && l != ckpt_find_layer(sc, o->layer)) continue;
        int rc = expect_layer(o, st, &ex, l);
        t.match += rc == 0;
        t.differ += rc > 0;
        t.not_compared += rc < 0;
    }
    t.missing = expect_missing(o, &ex, sc);
    st_close(&ex);
    return expect_summary(&t);
}

/* ---- --run -------------------------------------------------------------- */

static void run_repro(const struct inspect_opts *o, const char *prog, char *buf, size_t len) {
    int n = snprintf(buf, len, "%s inspect '%s' --layer '%s' --run", prog, o->file, o->layer);
    dev_opts_repro(&o->dev, buf, len);
    n = (int)strlen(buf);
    if (o->fmt >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " --fmt %s", fmt_name((fmt_t)o->fmt));
    if ((size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " --m %lld --seed %llu", (long long)o->m,
                 (unsigned long long)o->seed);
}

/* Builds the case of layer l: its stored tensors, random activations. */
static int layer_input(const struct inspect_opts *o, const struct st_file *st,
                       const struct ckpt_layer *l, struct case_input *in, char *err,
                       size_t errlen) {
    struct case_desc d;
    struct tensor_set set;
    memset(&set, 0, sizeof set);
    memset(in, 0, sizeof *in);
    if (ckpt_layer_desc(l, (adapter_t)o->dev.adapter, o->m, o->seed, &d, err, errlen) != 0)
        return -1;
    /* the cap before anything is loaded or generated */
    if (o->dev.s.max_bytes > 0 && problem_bytes(&d) > o->dev.s.max_bytes) {
        char a[32], b[32];
        fmt_bytes(a, sizeof a, (double)problem_bytes(&d));
        fmt_bytes(b, sizeof b, (double)o->dev.s.max_bytes);
        snprintf(err, errlen, "layer '%s' at m=%lld needs about %s of host memory > --max-bytes %s",
                 l->name, (long long)o->m, a, b);
        return 1;
    }
    if (ckpt_load_layer(st, l, &set, err, errlen) != 0) {
        tensor_set_free(&set);
        return -1;
    }
    const struct tensor *bias = tensor_set_get(&set, "bias");
    if (problem_from_ckpt(&d, &set, NULL, bias ? bias->data : NULL, &in->p, err, errlen) != 0) {
        tensor_set_free(&set);
        return -1;
    }
    if (o->fmt >= 0) in->p.d.fmt = (fmt_t)o->fmt; /* what the adapter is told */
    in->ckpt = set;
    return 0;
}

/* The closing summary line of --run's one case, and its exit code: 1 unless
 * it PASSED. A SKIPPED layer (over --max-bytes, a runner that skips) checked
 * nothing, so it is not green, as with run (docs/checkpoints.md). */
static int layer_summary(verdict_t v) {
    struct tally t;
    memset(&t, 0, sizeof t);
    tally_add(&t, v);
    int code = tally_exit_code(&t);
    if (v == V_SKIPPED) {
        fprintf(stderr, "gptq-harness inspect: nothing was checked: the layer was SKIPPED\n");
        code = 1;
    }
    tally_print(stdout, &t, code);
    return code;
}

static int run_layer(const struct inspect_opts *o, const char *prog, const struct st_file *st,
                     const struct ckpt_layer *l) {
    char err[1024], kbuf[4200], repro[4096];
    struct case_input in;
    int li = layer_input(o, st, l, &in, err, sizeof err);
    if (li > 0) { /* over the memory cap: SKIPPED, as run does */
        printf("%-10s %s\n", verdict_name(V_SKIPPED), l->name[0] ? l->name : "(unprefixed)");
        console_detail(stdout, "why", err);
        return layer_summary(V_SKIPPED);
    }
    if (li != 0) {
        fprintf(stderr, "gptq-harness inspect: %s\n", err);
        return 1;
    }
    fmt_t stored = l->fmt;
    const char *kernel =
        o->dev.kernel ? o->dev.kernel : datapath_find(DEFAULT_KERNEL, kbuf, sizeof kbuf);
    struct kernel_under_test kut;
    if (dev_opts_open_kernel(&o->dev, "inspect", kernel, &kut, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness inspect: %s\n", err);
        problem_free(&in.p);
        tensor_set_free(&in.ckpt);
        return 1;
    }
    fprintf(stderr, "device: %s; kernel: %s; layer %s of %s\n", kut.device, kernel, l->name,
            o->file);
    struct case_result r;
    run_input(&in, &o->dev.s, &kut.kb, &r, NULL, NULL);
    run_repro(o, prog, repro, sizeof repro);
    console_case_repro(stdout, &r, repro, o->dev.verbose > 0);
    printf("    layer: %s (stored as %s%s)\n", l->name[0] ? l->name : "(unprefixed)",
           fmt_name(stored),
           o->fmt >= 0 && o->fmt != (int)stored ? "; the adapter was told otherwise" : "");
    const int code = layer_summary(r.verdict);
    case_result_free(&r);
    kut_close(&kut);
    return code;
}

/* --fmt tells the adapter another GPTQ convention: a usage error (said) on
 * a layer that is not GPTQ. */
static int fmt_applies(const struct inspect_opts *o, const struct ckpt_layer *l) {
    if (o->fmt < 0 || !l->ok || l->fmt == FMT_GPTQ_V1 || l->fmt == FMT_GPTQ_V2) return 1;
    fprintf(stderr,
            "gptq-harness inspect: --fmt %s applies to GPTQ layers only; layer '%s' is %s\n",
            fmt_name((fmt_t)o->fmt), l->name, fmt_name(l->fmt));
    return 0;
}

/* A JSON file named where a checkpoint is expected: says what it is (for a
 * sharded checkpoint's index, its shards) and returns 1; 0 when it is no
 * JSON object. */
static int refuse_json(const char *file) {
    struct ckpt_index ix;
    ckpt_json_t kind = ckpt_index_read(file, &ix);
    if (kind == CKPT_NOT_JSON) return 0;
    if (kind == CKPT_OTHER_JSON) {
        fprintf(stderr,
                "gptq-harness inspect: %s is a JSON file, not a safetensors file (inspect reads "
                ".safetensors checkpoint shards and fixtures)\n",
                file);
        return 1;
    }
    const char *slash = strrchr(file, '/');
    const int dlen = slash ? (int)(slash - file + 1) : 0;
    fprintf(stderr,
            "gptq-harness inspect: %s is the index of a sharded checkpoint (its weight_map "
            "places %zu tensors in %zu shard file(s)), not a safetensors file; inspect reads "
            "one shard at a time: inspect each of\n",
            file, ix.tensors, ix.n_shards);
    for (size_t i = 0; i < ix.n_shards && i < 32; i++)
        fprintf(stderr, "    %.*s%s\n", dlen, file, ix.shards[i]);
    if (ix.n_shards > 32) fprintf(stderr, "    ... and %zu more\n", ix.n_shards - 32);
    ckpt_index_free(&ix);
    return 1;
}

int cmd_inspect(const char *prog, int argc, char **argv) {
    struct inspect_opts o;
    memset(&o, 0, sizeof o);
    dev_opts_init(&o.dev);
    o.fmt = -1;
    o.v1zero = -1;
    o.m = 8;
    o.seed = 1;
    if (parse_inspect_opts(argc, argv, &o) != 0) return 2;
    if (refuse_json(o.file)) return 1;
    char err[1024];
    struct st_file st;
    if (st_open(o.file, o.dev.read_cap, &st, err, sizeof err) != 0) {
        file_error(o.file, err);
        return 1;
    }
    struct ckpt_decl decl;
    ckpt_declared(&st, o.file, &decl);
    ckpt_decl_set_v1read(&decl, o.v1zero);
    struct ckpt_scan sc;
    if (ckpt_scan(&st, &decl, &sc, err, sizeof err) != 0) {
        file_error(o.file, err);
        st_close(&st);
        return 1;
    }
    int rc;
    const struct ckpt_layer *l = o.layer ? ckpt_find_layer(&sc, o.layer) : NULL;
    if (o.layer && !l) {
        fprintf(stderr,
                "gptq-harness inspect: %s has no quantized layer named '%s' (%zu layers; "
                "inspect without --layer lists them)\n",
                o.file, o.layer, sc.n);
        rc = 2;
    } else if (o.run && !fmt_applies(&o, l)) {
        rc = 2;
    } else {
        struct ckpt_index ix;
        if (ckpt_index_beside(o.file, &ix) != 0) memset(&ix, 0, sizeof ix);
        rc = o.run ? run_layer(&o, prog, &st, l) : list(&o, &st, &decl, &sc, &ix);
        ckpt_index_free(&ix);
        if (!o.run && o.expect) {
            int e = expect_all(&o, &st, &sc);
            if (e != 0) rc = 1;
        }
    }
    ckpt_scan_free(&sc);
    st_close(&st);
    return rc;
}
